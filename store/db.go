package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Config says where a data directory and its database are.
type Config struct {
	// Dir is the data directory: the blob store and the signing key, and
	// with SQLite the database too. Required.
	Dir string
	// DSN names a PostgreSQL database (postgres://user@host/db?...) that
	// holds the records instead of Dir's SQLite file. Several processes
	// may open one PostgreSQL database with a shared Dir. "" means SQLite.
	DSN string
	// Create makes the directory and database if they do not exist. Without
	// it, opening a directory that holds no database is a NotFound error.
	Create bool
}

// DB is an open data directory.
type DB struct {
	dir   string
	pg    bool
	write *sql.DB // SQLite: one connection, BEGIN IMMEDIATE, the single writer
	read  *sql.DB // readers see a consistent snapshot per transaction
	// keys of the PostgreSQL advisory locks of this installation
	logKey, blobKey int64
	Blobs           *Blobs
}

// DatabaseFile is the database's file name inside a data directory.
const DatabaseFile = "cellsite.db"

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (and with cfg.Create, creates) a data directory and applies
// any database migrations not yet applied.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	const op = "open data directory"
	if cfg.Dir == "" {
		return nil, cellsite.Errorf(cellsite.Invalid, op, "no directory given")
	}
	if cfg.DSN != "" && !IsPostgres(cfg.DSN) {
		return nil, cellsite.Errorf(cellsite.Invalid, op, "database %q: want a postgres:// URL, or none for SQLite in the data directory", redact(cfg.DSN))
	}
	if cfg.DSN == "" {
		dbPath := filepath.Join(cfg.Dir, DatabaseFile)
		if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) && !cfg.Create {
			return nil, cellsite.Errorf(cellsite.NotFound, op, "%s holds no Cellsite database (run 'cellsite init --data %s')", cfg.Dir, cfg.Dir)
		}
	} else if _, err := os.Stat(cfg.Dir); errors.Is(err, fs.ErrNotExist) && !cfg.Create {
		return nil, cellsite.Errorf(cellsite.NotFound, op, "no data directory %s (the blob store and keys of the installation; run 'cellsite init --db ... --data %s')", cfg.Dir, cfg.Dir)
	}
	for _, d := range []string{cfg.Dir, filepath.Join(cfg.Dir, "blobs", "sha256"), filepath.Join(cfg.Dir, "blobs", "tmp")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, cellsite.Errorf(cellsite.Internal, op, "%v", err)
		}
	}
	db := &DB{dir: cfg.Dir, Blobs: &Blobs{dir: filepath.Join(cfg.Dir, "blobs")}}
	var err error
	if cfg.DSN == "" {
		err = db.openSQLite()
	} else {
		err = db.openPostgres(ctx, cfg.DSN)
	}
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	if db.pg {
		// An empty PostgreSQL database is a new installation only when
		// asked for one.
		if !cfg.Create {
			var n int
			if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'`).Scan(&n); err != nil {
				db.Close()
				return nil, cellsite.Errorf(cellsite.Internal, op, "%s: %v", redact(cfg.DSN), err)
			}
			if n == 0 {
				db.Close()
				return nil, cellsite.Errorf(cellsite.NotFound, op, "%s holds no Cellsite database (run 'cellsite init --db ...')", redact(cfg.DSN))
			}
		}
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s %s: %w", op, cfg.Dir, err)
	}
	if err := db.Blobs.cleanTemp(); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s %s: %w", op, cfg.Dir, err)
	}
	return db, nil
}

func (db *DB) openSQLite() error {
	dbPath := filepath.Join(db.dir, DatabaseFile)
	dsn := func(txlock string) string {
		v := url.Values{}
		v.Add("_pragma", "journal_mode(WAL)")
		v.Add("_pragma", "synchronous(FULL)")
		v.Add("_pragma", "busy_timeout(30000)")
		v.Add("_pragma", "foreign_keys(ON)")
		v.Add("_pragma", "cache_size(-65536)") // 64 MiB: bulk loads spill less
		v.Set("_txlock", txlock)
		return "file:" + filepath.ToSlash(dbPath) + "?" + v.Encode()
	}
	w, err := sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		w.Close()
		return err
	}
	r.SetMaxOpenConns(4)
	db.write, db.read = w, r
	return nil
}

// PostgreSQL connections of one process by default: enough for the
// workers, the requests being served and the heartbeat. The database URL's
// pool_max_conns parameter sets another number.
const pgMaxConns = 16

func (db *DB) openPostgres(ctx context.Context, dsn string) error {
	maxConns := pgMaxConns
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("database %s: %v", redact(dsn), err)
	}
	if q := u.Query(); q.Has("pool_max_conns") {
		maxConns, err = strconv.Atoi(q.Get("pool_max_conns"))
		if err != nil || maxConns < 2 {
			return fmt.Errorf("database %s: pool_max_conns: want a number of connections, at least 2", redact(dsn))
		}
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return fmt.Errorf("database %s: %v", redact(dsn), err)
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "cellsite"
	}
	p := stdlib.OpenDB(*cfg)
	p.SetMaxOpenConns(maxConns)
	p.SetMaxIdleConns(maxConns / 2)
	var schema string
	if err := p.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		p.Close()
		return fmt.Errorf("database %s: %v", redact(dsn), err)
	}
	if schema == "" {
		p.Close()
		return fmt.Errorf("database %s: no schema on the search path to create tables in", redact(dsn))
	}
	db.pg, db.write, db.read = true, p, p
	// Advisory locks are per database: the keys name the schema too, so
	// that installations in other schemas of the same database (tests do
	// this) do not wait on each other.
	db.logKey, db.blobKey = lockKey("cellsite log "+schema), lockKey("cellsite blobs "+schema)
	return nil
}

// Redact returns a database URL with its password hidden, for messages.
func Redact(dsn string) string { return redact(dsn) }

// redact hides a password in a database URL.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable database URL)"
	}
	return u.Redacted()
}

// Dir returns the data directory.
func (db *DB) Dir() string { return db.dir }

// Backend names the database engine: "sqlite" or "postgres".
func (db *DB) Backend() string {
	if db.pg {
		return "postgres"
	}
	return "sqlite"
}

// Close closes the database, checkpointing the WAL into the main file.
func (db *DB) Close() error {
	if db.pg {
		return db.write.Close()
	}
	err1 := db.read.Close()
	err2 := db.write.Close()
	return errors.Join(err1, err2)
}

// SchemaVersion returns the highest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns the migrations of one engine ("sqlite" or
// "postgres"), numbered 1, 2, ... without gaps.
func loadMigrations(engine string) ([]migration, error) {
	dir := "migrations/" + engine
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := fs.ReadFile(migrations, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, e.Name(), string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := loadMigrations(db.Backend())
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "migrate", "%v", err)
	}
	return db.Update(ctx, func(tx *Tx) error {
		// Processes starting together migrate one after the other.
		if err := tx.lockLog(ctx); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
			return err
		}
		var have int
		if err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return err
		}
		if have > len(ms) {
			return cellsite.Errorf(cellsite.Conflict, "migrate", "database schema version %d is newer than this program knows (%d): use a newer Cellsite", have, len(ms))
		}
		for _, m := range ms[have:] {
			if _, err := tx.q.ExecContext(ctx, m.sql); err != nil {
				return cellsite.Errorf(cellsite.Internal, "migrate", "%s: %v", m.name, err)
			}
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
				return err
			}
		}
		return nil
	})
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a transaction on a data directory. Reads in a Tx see one snapshot.
// A Tx is not safe for concurrent use.
type Tx struct {
	q         querier
	stx       *sql.Tx
	conn      *sql.Conn // PostgreSQL: the transaction's connection, for COPY
	db        *DB
	write     bool
	logLocked bool
	stmts     map[string]*sql.Stmt     // prepared bulk statements, closed at the end
	leaves    []int64                  // PostgreSQL: sources whose events table this transaction made, to index and attach before it commits
	targets   map[int64]*sourceTargets // PostgreSQL: the targets of the events this transaction stored, by source
}

// prepared returns the statement for text, preparing it once per transaction.
func (tx *Tx) prepared(ctx context.Context, text string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[text]; ok {
		return st, nil
	}
	if tx.stx == nil {
		return nil, cellsite.Errorf(cellsite.Internal, "prepare", "not in a transaction")
	}
	q := text
	if tx.db.pg {
		q = rebind(text)
	}
	st, err := tx.stx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = make(map[string]*sql.Stmt)
	}
	tx.stmts[text] = st
	return st, nil
}

func (tx *Tx) closeStmts() {
	for _, st := range tx.stmts {
		st.Close()
	}
	tx.stmts = nil
}

// Update runs fn in a write transaction, committing if fn returns nil and
// rolling back otherwise. With SQLite only one write transaction runs at a
// time. With PostgreSQL write transactions run side by side (READ
// COMMITTED), and those that touch the provenance log take its lock
// first, so that one appends at a time across every process.
//
// If ctx carries a job (WithJob), the transaction commits only while that
// job is still running under its owner: work of a job that was taken away
// (marked failed as stale, or cancelled) is rolled back.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	if !db.pg {
		return db.runTx(ctx, db.write, nil, false, fn)
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "begin transaction", "%v", err)
	}
	defer conn.Close()
	return db.runTx(ctx, nil, conn, false, fn)
}

// View runs fn in a read-only transaction that sees one snapshot.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	return db.runTx(ctx, db.read, nil, true, fn)
}

func (db *DB) runTx(ctx context.Context, pool *sql.DB, conn *sql.Conn, readOnly bool, fn func(tx *Tx) error) (err error) {
	opts := &sql.TxOptions{ReadOnly: readOnly}
	if db.pg && readOnly {
		opts.Isolation = sql.LevelRepeatableRead
	}
	var stx *sql.Tx
	if conn != nil {
		stx, err = conn.BeginTx(ctx, opts)
	} else {
		stx, err = pool.BeginTx(ctx, opts)
	}
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "begin transaction", "%v", err)
	}
	tx := &Tx{q: stx, stx: stx, conn: conn, db: db, write: !readOnly}
	if db.pg {
		tx.q = pgQuerier{stx}
	}
	defer func() {
		tx.closeStmts()
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err == nil && !readOnly {
			err = tx.finishLeaves(ctx)
		}
		if err == nil && !readOnly {
			err = tx.checkJob(ctx)
		}
		if err != nil {
			_ = stx.Rollback()
			return
		}
		if cerr := stx.Commit(); cerr != nil {
			err = cellsite.Errorf(cellsite.Internal, "commit", "%v", cerr)
		}
	}()
	return fn(tx)
}

// Meta returns an installation setting, or "" if it is not set.
func (tx *Tx) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := tx.q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta sets an installation setting.
func (tx *Tx) SetMeta(ctx context.Context, key, value string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
