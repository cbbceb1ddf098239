package store

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/jackc/pgx/v5/pgconn"
)

// The SQL in this package is written once, in the dialect both engines
// share: ? placeholders (rewritten to $1, $2, ... for PostgreSQL), ON
// CONFLICT upserts, RETURNING for generated IDs, integers for booleans and
// Unix nanoseconds for times. What differs (bulk loads, locks, row locking
// when claiming jobs) is chosen by DB.pg.

var rebound sync.Map // query text → PostgreSQL text

// rebind rewrites ? placeholders as $1, $2, ... outside quoted text.
func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}

// pgQuerier runs the package's queries on PostgreSQL.
type pgQuerier struct{ tx *sql.Tx }

func (q pgQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.tx.ExecContext(ctx, rebind(query), args...)
}

func (q pgQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.tx.QueryContext(ctx, rebind(query), args...)
}

func (q pgQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.tx.QueryRowContext(ctx, rebind(query), args...)
}

// isUnique reports whether err is a violated uniqueness constraint.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// lockKey derives a PostgreSQL advisory lock key from a name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lockLog makes this write transaction the only one, across every process
// using the database, that may touch the provenance log until it ends.
// SQLite's single writer already is.
func (tx *Tx) lockLog(ctx context.Context) error {
	if !tx.db.pg || tx.logLocked {
		return nil
	}
	if !tx.write {
		return nil // a read snapshot needs no lock
	}
	if _, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, tx.db.logKey); err != nil {
		return wrap("lock the provenance log", err)
	}
	tx.logLocked = true
	return nil
}

// lockBlob serialises, across processes, the transactions that hold or
// discard the blob h.
func (tx *Tx) lockBlob(ctx context.Context, h cellsite.Hash) error {
	if !tx.db.pg {
		return nil
	}
	k := tx.db.blobKey
	for i := range 8 {
		k ^= int64(h[i]) << (8 * i)
	}
	_, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, k)
	return wrap("lock blob", err)
}

type jobKey struct{}

type jobFence struct {
	id, owner string
	now       func() time.Time
}

// WithJob returns a context whose write transactions commit only while the
// job id is running under owner (see DB.Update); each such commit also
// reports the job alive at now().
func WithJob(ctx context.Context, id, owner string, now func() time.Time) context.Context {
	return context.WithValue(ctx, jobKey{}, jobFence{id, owner, now})
}

// checkJob refuses to commit the work of a job that is no longer its
// runner's. On PostgreSQL it also locks the job's row until the commit, so
// that the job cannot be marked failed in between.
func (tx *Tx) checkJob(ctx context.Context) error {
	f, ok := ctx.Value(jobKey{}).(jobFence)
	if !ok {
		return nil
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE jobs SET heartbeat = ? WHERE id = ? AND owner = ? AND state = ?`, unixNano(f.now()), f.id, f.owner, JobRunning)
	if err != nil {
		return wrap("check job", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cellsite.Errorf(cellsite.Conflict, "commit", "job %s is no longer running here (cancelled, or marked failed by another replica): its work is rolled back", f.id)
	}
	return nil
}
