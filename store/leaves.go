package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/cellsite/cellsite"
)

// On PostgreSQL the events of each source are a table of their own, a
// leaf of the partitioned events table (migrations/postgres/0007): a
// transaction that stores a source's first events makes its leaf, loads it
// without indexes, and builds the indexes and attaches it just before it
// commits (finishLeaves), which costs a fraction of maintaining the
// indexes row by row.

// eventsTable returns the table a transaction loads a source's events
// into: the source's new leaf, made on its first call, or events itself
// when the source's leaf exists already (committed by an earlier
// transaction), whose indexes are then maintained row by row.
func (tx *Tx) eventsTable(ctx context.Context, sourceID int64) (string, error) {
	for _, s := range tx.leaves {
		if s == sourceID {
			return leafName(sourceID), nil
		}
	}
	var leaf sql.NullString
	if err := tx.q.QueryRowContext(ctx, `SELECT events_new_leaf(?)`, sourceID).Scan(&leaf); err != nil {
		return "", err
	}
	if !leaf.Valid {
		return "events", nil
	}
	tx.leaves = append(tx.leaves, sourceID)
	return leaf.String, nil
}

func leafName(sourceID int64) string { return fmt.Sprintf("events_s%d", sourceID) }

// sourceTargets are the targets of a source's events stored so far.
type sourceTargets struct {
	caseRef string
	seen    map[string]struct{}
}

// noteTargets records the targets of events of a source.
func (tx *Tx) noteTargets(sourceID int64, caseRef string, evs []cellsite.Event) {
	if tx.targets == nil {
		tx.targets = map[int64]*sourceTargets{}
	}
	st := tx.targets[sourceID]
	if st == nil {
		st = &sourceTargets{caseRef: caseRef, seen: map[string]struct{}{}}
		tx.targets[sourceID] = st
	}
	last := ""
	for i := range evs {
		if t := evs[i].Target; t != last {
			st.seen[t] = struct{}{}
			last = t
		}
	}
}

// finishLeaves indexes and attaches the leaves the transaction made, and
// records which sources hold which targets.
func (tx *Tx) finishLeaves(ctx context.Context) error {
	ids := make([]int64, 0, len(tx.targets))
	for s := range tx.targets {
		ids = append(ids, s)
	}
	slices.Sort(ids)
	for _, s := range ids {
		st := tx.targets[s]
		ts := make([]string, 0, len(st.seen))
		for t := range st.seen {
			ts = append(ts, t)
		}
		slices.Sort(ts)
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO event_targets (case_ref, target, source_id) SELECT ?, t, ? FROM unnest(?::text[]) AS t ON CONFLICT DO NOTHING`,
			st.caseRef, s, ts); err != nil {
			return wrap("record targets", err)
		}
	}
	tx.targets = nil
	for _, s := range tx.leaves {
		if _, err := tx.q.ExecContext(ctx, `SELECT events_index_leaf(?)`, s); err != nil {
			return wrap("index events", err)
		}
		if _, err := tx.q.ExecContext(ctx, `SELECT events_attach_leaf(?)`, s); err != nil {
			return wrap("attach events", err)
		}
	}
	tx.leaves = nil
	return nil
}

// caseSources returns the ids of a case's sources, in order, as a list for
// IN (…): PostgreSQL then reads only their leaves. With a target, only the
// sources holding events of that target.
func (tx *Tx) caseSources(ctx context.Context, caseRef, target string) (string, error) {
	q, args := `SELECT id FROM sources WHERE case_ref = ? ORDER BY id`, []any{caseRef}
	if target != "" {
		q, args = `SELECT source_id FROM event_targets WHERE case_ref = ? AND target = ? ORDER BY source_id`, []any{caseRef, target}
	}
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, id)
	}
	return b.String(), rows.Err()
}
