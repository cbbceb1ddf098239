package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cellsite/cellsite"
)

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// CreateCase records a new case. A case of the same reference is a Conflict.
func (tx *Tx) CreateCase(ctx context.Context, c cellsite.Case) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO cases (ref, title, created_at, created_by) VALUES (?, ?, ?, ?)`,
		c.Ref, c.Title, unixNano(c.CreatedAt), c.CreatedBy)
	if isUnique(err) {
		return cellsite.Errorf(cellsite.Conflict, "create case", "case %s already exists", c.Ref)
	}
	return wrap("create case", err)
}

// Case returns a case, or NotFound.
func (tx *Tx) Case(ctx context.Context, ref string) (cellsite.Case, error) {
	var c cellsite.Case
	var at int64
	err := tx.q.QueryRowContext(ctx, `SELECT ref, title, created_at, created_by FROM cases WHERE ref = ?`, ref).Scan(&c.Ref, &c.Title, &at, &c.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return c, cellsite.Errorf(cellsite.NotFound, "case", "no case %s", ref)
	}
	c.CreatedAt = fromNano(at)
	return c, wrap("case", err)
}

// Cases returns every case, by reference.
func (tx *Tx) Cases(ctx context.Context) ([]cellsite.Case, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT ref, title, created_at, created_by FROM cases ORDER BY ref`)
	if err != nil {
		return nil, wrap("cases", err)
	}
	defer rows.Close()
	var out []cellsite.Case
	for rows.Next() {
		var c cellsite.Case
		var at int64
		if err := rows.Scan(&c.Ref, &c.Title, &at, &c.CreatedBy); err != nil {
			return nil, wrap("cases", err)
		}
		c.CreatedAt = fromNano(at)
		out = append(out, c)
	}
	return out, wrap("cases", rows.Err())
}

// AddSource records an ingested file and returns its ID. The same file
// (same SHA-256) ingested twice into a case as the same kind is a Conflict.
func (tx *Tx) AddSource(ctx context.Context, s cellsite.Source) (int64, error) {
	var prev int64
	err := tx.q.QueryRowContext(ctx, `SELECT id FROM sources WHERE case_ref = ? AND kind = ? AND sha256 = ?`, s.Case, s.Kind, s.SHA256.String()).Scan(&prev)
	if err == nil {
		return 0, cellsite.Errorf(cellsite.Conflict, "add source", "this file (sha256 %s) is already in case %s as source %d", s.SHA256, s.Case, prev)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, wrap("add source", err)
	}
	var id int64
	err = tx.q.QueryRowContext(ctx, `INSERT INTO sources (case_ref, kind, name, sha256, size, profile, profile_version, profile_sha256, time_basis, target, summary, leaf, ingested_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Case, s.Kind, s.Name, s.SHA256.String(), s.Size, s.Profile, s.ProfileVersion, s.ProfileSHA256.String(), s.TimeBasis, s.Target, string(s.Summary), s.Leaf, unixNano(s.IngestedAt)).Scan(&id)
	if isUnique(err) {
		// Another process's ingest of the same file committed first.
		return 0, cellsite.Errorf(cellsite.Conflict, "add source", "this file (sha256 %s) is already in case %s", s.SHA256, s.Case)
	}
	return id, wrap("add source", err)
}

// SetSourceLeaf records the provenance leaf of a source's ingest.
func (tx *Tx) SetSourceLeaf(ctx context.Context, id, leaf int64, summary []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE sources SET leaf = ?, summary = ? WHERE id = ?`, leaf, string(summary), id)
	return wrap("set source leaf", err)
}

// Sources returns a case's sources in the order they were ingested.
func (tx *Tx) Sources(ctx context.Context, caseRef string) ([]cellsite.Source, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT id, case_ref, kind, name, sha256, size, profile, profile_version, profile_sha256, time_basis, target, summary, leaf, ingested_at
		FROM sources WHERE case_ref = ? ORDER BY id`, caseRef)
	if err != nil {
		return nil, wrap("sources", err)
	}
	defer rows.Close()
	var out []cellsite.Source
	for rows.Next() {
		var s cellsite.Source
		var h, ph, summary string
		var at int64
		if err := rows.Scan(&s.ID, &s.Case, &s.Kind, &s.Name, &h, &s.Size, &s.Profile, &s.ProfileVersion, &ph, &s.TimeBasis, &s.Target, &summary, &s.Leaf, &at); err != nil {
			return nil, wrap("sources", err)
		}
		s.SHA256, _ = cellsite.ParseHash(h)
		s.ProfileSHA256, _ = cellsite.ParseHash(ph)
		s.Summary, s.IngestedAt = []byte(summary), fromNano(at)
		out = append(out, s)
	}
	return out, wrap("sources", rows.Err())
}
