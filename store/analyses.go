package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cellsite/cellsite"
)

// Analysis is a stored analysis run.
type Analysis struct {
	ID        int64         `json:"id"`
	Case      string        `json:"case"`
	Kind      string        `json:"kind"`
	Params    string        `json:"params"` // JSON
	Result    []byte        `json:"-"`      // the result document, JSON, byte for byte as hashed
	ResultSHA cellsite.Hash `json:"result_sha256"`
	Leaf      int64         `json:"leaf"`
	CreatedAt time.Time     `json:"created_at"`
	CreatedBy string        `json:"created_by"`
}

// AddAnalysis stores an analysis run and returns its ID.
func (tx *Tx) AddAnalysis(ctx context.Context, a Analysis) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO analyses (case_ref, kind, params, result, result_sha256, leaf, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Case, a.Kind, a.Params, a.Result, a.ResultSHA.String(), a.Leaf, unixNano(a.CreatedAt), a.CreatedBy).Scan(&id)
	return id, wrap("add analysis", err)
}

const analysisCols = `id, case_ref, kind, params, result, result_sha256, leaf, created_at, created_by`

func scanAnalysis(sc interface{ Scan(...any) error }) (Analysis, error) {
	var a Analysis
	var h string
	var at int64
	if err := sc.Scan(&a.ID, &a.Case, &a.Kind, &a.Params, &a.Result, &h, &a.Leaf, &at, &a.CreatedBy); err != nil {
		return a, err
	}
	a.ResultSHA, _ = cellsite.ParseHash(h)
	a.CreatedAt = fromNano(at)
	return a, nil
}

// Analysis returns one analysis run of a case, or NotFound.
func (tx *Tx) Analysis(ctx context.Context, caseRef string, id int64) (Analysis, error) {
	a, err := scanAnalysis(tx.q.QueryRowContext(ctx, `SELECT `+analysisCols+` FROM analyses WHERE case_ref = ? AND id = ?`, caseRef, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, cellsite.Errorf(cellsite.NotFound, "analysis", "no analysis %d in case %s", id, caseRef)
	}
	return a, wrap("analysis", err)
}

// Analyses returns a case's analysis runs in the order they were made.
func (tx *Tx) Analyses(ctx context.Context, caseRef string) ([]Analysis, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+analysisCols+` FROM analyses WHERE case_ref = ? ORDER BY id`, caseRef)
	if err != nil {
		return nil, wrap("analyses", err)
	}
	defer rows.Close()
	var out []Analysis
	for rows.Next() {
		a, err := scanAnalysis(rows)
		if err != nil {
			return nil, wrap("analyses", err)
		}
		out = append(out, a)
	}
	return out, wrap("analyses", rows.Err())
}
