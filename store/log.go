package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/cellsite/cellsite"
)

// The methods in this file give provenance.Log its storage. In a write
// transaction on PostgreSQL, the first of them takes the log's lock (see
// lockLog), so that an append reads the size, hashes and last checkpoint
// it extends only once no other process can append.

// LogSize returns one more than the highest leaf index stored.
func (tx *Tx) LogSize(ctx context.Context) (int64, error) {
	if err := tx.lockLog(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM leaves`).Scan(&n)
	return n, wrap("log size", err)
}

// ReadLeaves returns the stored leaves with indexes in [start, start+n), in
// index order. A missing index is simply absent from the result.
func (tx *Tx) ReadLeaves(ctx context.Context, start, n int64) ([][]byte, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT data FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx`, start, start+n)
	if err != nil {
		return nil, wrap("read leaves", err)
	}
	defer rows.Close()
	out := make([][]byte, 0, n)
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, wrap("read leaves", err)
		}
		out = append(out, b)
	}
	return out, wrap("read leaves", rows.Err())
}

// LeafIndexes returns the indexes of the leaves recorded for a case, in order.
func (tx *Tx) LeafIndexes(ctx context.Context, caseRef string) ([]int64, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT idx FROM leaves WHERE case_ref = ? ORDER BY idx`, caseRef)
	if err != nil {
		return nil, wrap("leaf indexes", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var i int64
		if err := rows.Scan(&i); err != nil {
			return nil, wrap("leaf indexes", err)
		}
		out = append(out, i)
	}
	return out, wrap("leaf indexes", rows.Err())
}

// ReadHashes returns stored tree hashes in the order asked. A hash that is
// not stored is an Integrity error.
func (tx *Tx) ReadHashes(ctx context.Context, indexes []int64) ([]cellsite.Hash, error) {
	if err := tx.lockLog(ctx); err != nil {
		return nil, err
	}
	out := make([]cellsite.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	contiguous := true
	for i := 1; i < len(indexes); i++ {
		if indexes[i] != indexes[i-1]+1 {
			contiguous = false
			break
		}
	}
	if contiguous {
		rows, err := tx.q.QueryContext(ctx, `SELECT idx, hash FROM tree_hashes WHERE idx >= ? AND idx <= ? ORDER BY idx`, indexes[0], indexes[len(indexes)-1])
		if err != nil {
			return nil, wrap("read hashes", err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				return nil, wrap("read hashes", err)
			}
			if idx != indexes[0]+int64(n) || len(h) != 32 {
				return nil, cellsite.Errorf(cellsite.Integrity, "read hashes", "tree hash %d missing or malformed", indexes[0]+int64(n))
			}
			copy(out[n][:], h)
			n++
		}
		if err := rows.Err(); err != nil {
			return nil, wrap("read hashes", err)
		}
		if n != len(indexes) {
			return nil, cellsite.Errorf(cellsite.Integrity, "read hashes", "tree hash %d missing", indexes[0]+int64(n))
		}
		return out, nil
	}
	for i, idx := range indexes {
		var h []byte
		if err := tx.q.QueryRowContext(ctx, `SELECT hash FROM tree_hashes WHERE idx = ?`, idx).Scan(&h); err != nil || len(h) != 32 {
			return nil, cellsite.Errorf(cellsite.Integrity, "read hashes", "tree hash %d missing or malformed: %v", idx, err)
		}
		copy(out[i][:], h)
	}
	return out, nil
}

// WriteLeaf stores an encoded leaf.
func (tx *Tx) WriteLeaf(ctx context.Context, index int64, caseRef, typ string, data []byte) error {
	if err := tx.lockLog(ctx); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO leaves (idx, case_ref, type, data) VALUES (?, ?, ?, ?)`, index, caseRef, typ, data)
	return wrap("write leaf", err)
}

// WriteHashes stores tree hashes at consecutive storage indexes.
func (tx *Tx) WriteHashes(ctx context.Context, start int64, hashes []cellsite.Hash) error {
	if err := tx.lockLog(ctx); err != nil {
		return err
	}
	const chunk = 200
	for len(hashes) > 0 {
		n := min(chunk, len(hashes))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO tree_hashes (idx, hash) VALUES `)
		args := make([]any, 0, 2*n)
		for i := range n {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?, ?)")
			args = append(args, start+int64(i), hashes[i][:])
		}
		if _, err := tx.q.ExecContext(ctx, sb.String(), args...); err != nil {
			return wrap("write hashes", err)
		}
		hashes, start = hashes[n:], start+int64(n)
	}
	return nil
}

// CheckpointCount returns one more than the highest checkpoint position
// stored (positions count from 0 in the order checkpoints were stored).
func (tx *Tx) CheckpointCount(ctx context.Context) (int64, error) {
	if err := tx.lockLog(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM checkpoints`).Scan(&n)
	return n, wrap("checkpoint count", err)
}

// ReadCheckpoints returns the checkpoints at positions [start, start+n);
// a missing position is absent from the result.
func (tx *Tx) ReadCheckpoints(ctx context.Context, start, n int64) ([][]byte, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT note FROM checkpoints WHERE seq >= ? AND seq < ? ORDER BY seq`, start, start+n)
	if err != nil {
		return nil, wrap("read checkpoints", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, wrap("read checkpoints", err)
		}
		out = append(out, b)
	}
	return out, wrap("read checkpoints", rows.Err())
}

// WriteCheckpoint stores a signed checkpoint.
func (tx *Tx) WriteCheckpoint(ctx context.Context, size int64, text []byte) error {
	if err := tx.lockLog(ctx); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO checkpoints (seq, size, note) VALUES ((SELECT COALESCE(MAX(seq) + 1, 0) FROM checkpoints), ?, ?)`, size, text)
	return wrap("write checkpoint", err)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*cellsite.Error); ok {
		return err
	}
	return &cellsite.Error{Op: op, Kind: cellsite.Internal, Err: fmt.Errorf("%w", err)}
}

// CheckpointAt returns the first checkpoint signed at the given tree size,
// or NotFound.
func (tx *Tx) CheckpointAt(ctx context.Context, size int64) ([]byte, error) {
	var b []byte
	err := tx.q.QueryRowContext(ctx, `SELECT note FROM checkpoints WHERE size = ? ORDER BY seq LIMIT 1`, size).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cellsite.Errorf(cellsite.NotFound, "checkpoint", "no checkpoint of size %d", size)
	}
	return b, wrap("checkpoint", err)
}
