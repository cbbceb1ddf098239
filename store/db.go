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
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/sqlite/*.sql
var migrations embed.FS

// Config says where a data directory is.
type Config struct {
	// Dir is the data directory. Required.
	Dir string
	// Create makes the directory and database if they do not exist. Without
	// it, opening a directory that holds no database is a NotFound error.
	Create bool
}

// DB is an open data directory.
type DB struct {
	dir   string
	write *sql.DB // one connection, BEGIN IMMEDIATE: the single writer
	read  *sql.DB // readers see a consistent snapshot per transaction
	Blobs *Blobs
}

// DatabaseFile is the database's file name inside a data directory.
const DatabaseFile = "cellsite.db"

// Open opens (and with cfg.Create, creates) a data directory and applies
// any database migrations not yet applied.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	const op = "open data directory"
	if cfg.Dir == "" {
		return nil, cellsite.Errorf(cellsite.Invalid, op, "no directory given")
	}
	dbPath := filepath.Join(cfg.Dir, DatabaseFile)
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		if !cfg.Create {
			return nil, cellsite.Errorf(cellsite.NotFound, op, "%s holds no Cellsite database (run 'cellsite init --data %s')", cfg.Dir, cfg.Dir)
		}
	}
	for _, d := range []string{cfg.Dir, filepath.Join(cfg.Dir, "blobs", "sha256"), filepath.Join(cfg.Dir, "blobs", "tmp")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, cellsite.Errorf(cellsite.Internal, op, "%v", err)
		}
	}
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
		return nil, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		w.Close()
		return nil, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	r.SetMaxOpenConns(4)
	db := &DB{dir: cfg.Dir, write: w, read: r, Blobs: &Blobs{dir: filepath.Join(cfg.Dir, "blobs")}}
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

// Dir returns the data directory.
func (db *DB) Dir() string { return db.dir }

// Close closes the database, checkpointing the WAL into the main file.
func (db *DB) Close() error {
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

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations/sqlite")
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
		b, err := fs.ReadFile(migrations, "migrations/sqlite/"+e.Name())
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
	ms, err := loadMigrations()
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "migrate", "%v", err)
	}
	return db.Update(ctx, func(tx *Tx) error {
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
	q     querier
	stx   *sql.Tx
	stmts map[string]*sql.Stmt // prepared bulk statements, closed at the end
}

// prepared returns the statement for text, preparing it once per transaction.
func (tx *Tx) prepared(ctx context.Context, text string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[text]; ok {
		return st, nil
	}
	if tx.stx == nil {
		return nil, cellsite.Errorf(cellsite.Internal, "prepare", "not in a transaction")
	}
	st, err := tx.stx.PrepareContext(ctx, text)
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
// rolling back otherwise. Only one write transaction runs at a time.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return runTx(ctx, db.write, false, fn)
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	return runTx(ctx, db.read, true, fn)
}

func runTx(ctx context.Context, db *sql.DB, readOnly bool, fn func(tx *Tx) error) (err error) {
	stx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "begin transaction", "%v", err)
	}
	tx := &Tx{q: stx, stx: stx}
	defer func() {
		tx.closeStmts()
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
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
