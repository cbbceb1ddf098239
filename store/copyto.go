package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// TableCount is how many rows of a table were copied.
type TableCount struct {
	Table string
	Rows  int64
}

// CopyTo copies every record of db, a SQLite installation, into dst, a
// PostgreSQL installation that holds none: every table, row for row, the
// provenance log's leaves, tree hashes and signed checkpoints byte for
// byte. It reads one snapshot of db and writes dst in one transaction, so
// that dst ends with all of db's records or none. Both must be at the same
// schema version. Blobs are files: the caller copies them, or keeps them
// where they are. progress, if not nil, hears the rows copied so far.
func (db *DB) CopyTo(ctx context.Context, dst *DB, progress func(table string, rows int64)) ([]TableCount, error) {
	const op = "copy installation"
	if db.pg || !dst.pg {
		return nil, cellsite.Errorf(cellsite.Invalid, op, "copies a SQLite installation into PostgreSQL")
	}
	sv, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, wrap(op, err)
	}
	dv, err := dst.SchemaVersion(ctx)
	if err != nil {
		return nil, wrap(op, err)
	}
	if sv != dv {
		return nil, cellsite.Errorf(cellsite.Conflict, op, "schema versions differ: SQLite %d, PostgreSQL %d", sv, dv)
	}
	var counts []TableCount
	err = db.View(ctx, func(src *Tx) error {
		tables, err := src.sqliteTables(ctx)
		if err != nil {
			return err
		}
		return dst.Update(ctx, func(tx *Tx) error {
			if err := tx.lockLog(ctx); err != nil {
				return err
			}
			for _, t := range tables {
				var n int
				if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+t.name+` LIMIT 1) AS x`).Scan(&n); err != nil {
					return wrap(op, fmt.Errorf("table %s: %w", t.name, err))
				}
				if n > 0 {
					return cellsite.Errorf(cellsite.Conflict, op, "the PostgreSQL database already holds records (table %s): copy into a new one", t.name)
				}
			}
			for _, t := range tables {
				var leaves []int64
				if t.name == "events" {
					// Each source's events are a table of their own
					// (migrations/postgres/0007): made and attached
					// before the copy, indexed after it.
					if leaves, err = src.eventSources(ctx); err != nil {
						return fmt.Errorf("%s: table %s: %w", op, t.name, err)
					}
					for _, s := range leaves {
						if _, err := tx.q.ExecContext(ctx, `SELECT events_new_leaf(?)`, s); err != nil {
							return fmt.Errorf("%s: table %s: %w", op, t.name, err)
						}
						if _, err := tx.q.ExecContext(ctx, `SELECT events_attach_leaf(?)`, s); err != nil {
							return fmt.Errorf("%s: table %s: %w", op, t.name, err)
						}
					}
				}
				n, err := tx.copyTable(ctx, src, t, progress)
				if err != nil {
					return fmt.Errorf("%s: table %s: %w", op, t.name, err)
				}
				for _, s := range leaves {
					if _, err := tx.q.ExecContext(ctx, `SELECT events_index_leaf(?)`, s); err != nil {
						return fmt.Errorf("%s: table %s: %w", op, t.name, err)
					}
				}
				if len(leaves) > 0 {
					if _, err := tx.q.ExecContext(ctx, `INSERT INTO event_targets (case_ref, target, source_id) SELECT DISTINCT case_ref, target, source_id FROM events`); err != nil {
						return fmt.Errorf("%s: table %s: %w", op, t.name, err)
					}
				}
				counts = append(counts, TableCount{t.name, n})
			}
			return tx.resetIdentities(ctx)
		})
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

type sqliteTable struct {
	name string
	cols []string
	pk   []string // primary key columns, in key order
}

// sqliteTables lists the tables of a SQLite installation with their
// columns, leaving out SQLite's own and the migration record.
func (tx *Tx) sqliteTables(ctx context.Context) ([]sqliteTable, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, wrap("list tables", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, wrap("list tables", err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap("list tables", err)
	}
	var out []sqliteTable
	for _, n := range names {
		t := sqliteTable{name: n}
		cr, err := tx.q.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, n)
		if err != nil {
			return nil, wrap("list columns", err)
		}
		pks := map[int]string{}
		for cr.Next() {
			var c string
			var pk int
			if err := cr.Scan(&c, &pk); err != nil {
				cr.Close()
				return nil, wrap("list columns", err)
			}
			t.cols = append(t.cols, c)
			if pk > 0 {
				pks[pk] = c
			}
		}
		cr.Close()
		if err := cr.Err(); err != nil {
			return nil, wrap("list columns", err)
		}
		for i := 1; i <= len(pks); i++ {
			t.pk = append(t.pk, pks[i])
		}
		out = append(out, t)
	}
	// Tables that others refer to first, though one transaction would
	// accept them in any order: cases and users, then sources.
	rank := map[string]int{"cases": 0, "users": 0, "sources": 1}
	sort.SliceStable(out, func(i, j int) bool {
		ri, ok := rank[out[i].name]
		if !ok {
			ri = 2
		}
		rj, ok := rank[out[j].name]
		if !ok {
			rj = 2
		}
		return ri < rj
	})
	return out, nil
}

// copyTable streams one SQLite table into the same PostgreSQL table with
// COPY, in primary key order.
func (tx *Tx) copyTable(ctx context.Context, src *Tx, t sqliteTable, progress func(string, int64)) (int64, error) {
	types, err := tx.columnTypes(ctx, t.name)
	if err != nil {
		return 0, err
	}
	var pgTypes []string
	for _, c := range t.cols {
		ty, ok := types[c]
		if !ok {
			return 0, cellsite.Errorf(cellsite.Conflict, "copy", "column %s is not in PostgreSQL's %s", c, t.name)
		}
		pgTypes = append(pgTypes, ty)
	}
	if len(types) != len(t.cols) {
		return 0, cellsite.Errorf(cellsite.Conflict, "copy", "PostgreSQL's %s has %d columns, SQLite's %d", t.name, len(types), len(t.cols))
	}
	q := `SELECT ` + strings.Join(t.cols, ", ") + ` FROM ` + t.name
	if len(t.pk) > 0 {
		q += ` ORDER BY ` + strings.Join(t.pk, ", ")
	} else {
		q += ` ORDER BY rowid`
	}
	rows, err := src.q.QueryContext(ctx, q)
	if err != nil {
		return 0, wrap("read", err)
	}
	defer rows.Close()
	rs := &rowsSource{rows: rows, types: pgTypes, vals: make([]any, len(t.cols)), ptrs: make([]any, len(t.cols)), table: t.name, progress: progress}
	for i := range rs.vals {
		rs.ptrs[i] = &rs.vals[i]
	}
	var n int64
	err = tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return cellsite.Errorf(cellsite.Internal, "copy", "not a PostgreSQL connection")
		}
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, rs)
		return err
	})
	if err != nil {
		return n, err
	}
	if rs.n != n {
		return n, cellsite.Errorf(cellsite.Internal, "copy", "%d rows read, %d written", rs.n, n)
	}
	return n, nil
}

// columnTypes returns the data types of a PostgreSQL table's columns.
func (tx *Tx) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`, table)
	if err != nil {
		return nil, wrap("column types", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			return nil, wrap("column types", err)
		}
		out[c] = t
	}
	if len(out) == 0 && rows.Err() == nil {
		return nil, cellsite.Errorf(cellsite.Conflict, "copy", "PostgreSQL has no table %s", table)
	}
	return out, wrap("column types", rows.Err())
}

// resetIdentities moves every identity column's sequence past the highest
// value copied, so that new rows continue the numbering.
func (tx *Tx) resetIdentities(ctx context.Context) error {
	rows, err := tx.q.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`)
	if err != nil {
		return wrap("reset identities", err)
	}
	type col struct{ table, name string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name); err != nil {
			rows.Close()
			return wrap("reset identities", err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return wrap("reset identities", err)
	}
	for _, c := range cols {
		if _, err := tx.q.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX(`+c.name+`), 0) + 1, false) FROM `+c.table, c.table, c.name); err != nil {
			return wrap("reset identities", fmt.Errorf("%s.%s: %w", c.table, c.name, err))
		}
	}
	return nil
}

// rowsSource feeds the rows of a SQLite query to COPY, each value as the
// PostgreSQL column's type wants it.
type rowsSource struct {
	rows     *sql.Rows
	types    []string
	vals     []any
	ptrs     []any
	err      error
	n        int64
	table    string
	progress func(string, int64)
}

func (s *rowsSource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	if s.err = s.rows.Scan(s.ptrs...); s.err != nil {
		return false
	}
	for i, v := range s.vals {
		if s.vals[i], s.err = coerce(v, s.types[i]); s.err != nil {
			s.err = fmt.Errorf("row %d: %w", s.n+1, s.err)
			return false
		}
	}
	s.n++
	if s.progress != nil && s.n%65536 == 0 {
		s.progress(s.table, s.n)
	}
	return true
}

func (s *rowsSource) Values() ([]any, error) { return s.vals, nil }

func (s *rowsSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// coerce converts a value read from SQLite (int64, float64, string or
// []byte) to the Go type that pgx writes as the PostgreSQL type, refusing
// any conversion that would change it.
func coerce(v any, pgType string) (any, error) {
	switch pgType {
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		}
	case "double precision":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			if float64(x) == float64(int64(float64(x))) && x < 1<<53 && x > -(1<<53) {
				return float64(x), nil
			}
		}
	case "text":
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	}
	return nil, fmt.Errorf("a %T value cannot be stored as %s without changing it", v, pgType)
}

// eventSources returns the ids of the sources that have events.
func (tx *Tx) eventSources(ctx context.Context) ([]int64, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT DISTINCT source_id FROM events ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
