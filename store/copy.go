package store

import (
	"context"

	"github.com/cellsite/cellsite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyRows bulk-loads count rows into a PostgreSQL table with COPY, through
// the transaction's own connection (so the rows commit or roll back with
// it). row appends the values of row i, in the order of cols.
func (tx *Tx) copyRows(ctx context.Context, op, table string, cols []string, count int, row func(i int, dst []any) []any) error {
	if count == 0 {
		return nil
	}
	if tx.conn == nil {
		return cellsite.Errorf(cellsite.Internal, op, "bulk load outside a write transaction")
	}
	src := &copySource{n: count, row: row, vals: make([]any, 0, len(cols))}
	err := tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return cellsite.Errorf(cellsite.Internal, op, "not a PostgreSQL connection")
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
	return wrap(op, err)
}

// copySource feeds rows to pgx's COPY, one at a time: values are encoded
// before the next row is asked for, so one slice serves every row.
type copySource struct {
	i, n int
	row  func(i int, dst []any) []any
	vals []any
}

func (s *copySource) Next() bool {
	if s.i >= s.n {
		return false
	}
	s.vals = s.row(s.i, s.vals[:0])
	s.i++
	return true
}

func (s *copySource) Values() ([]any, error) { return s.vals, nil }

func (s *copySource) Err() error { return nil }
