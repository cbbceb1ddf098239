package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
)

// insertRows inserts rows of n columns with multi-row INSERT statements.
func (tx *Tx) insertRows(ctx context.Context, op, head string, n, count int, args func(i int, dst []any) []any) error {
	// Rows per statement: the largest power of two within SQLite's
	// variable limit, so that callers' power-of-two batches split into
	// full, prepared-once chunks.
	const maxVars = 30000
	per := 1
	for per*2*n <= maxVars {
		per *= 2
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	buf := make([]any, 0, min(per, count)*n)
	for start := 0; start < count; start += per {
		k := min(per, count-start)
		var sb strings.Builder
		sb.Grow(len(head) + k*(len(row)+1))
		sb.WriteString(head)
		for i := range k {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(row)
		}
		buf = buf[:0]
		for i := start; i < start+k; i++ {
			buf = args(i, buf)
		}
		var err error
		if k == per {
			// Full chunks repeat: prepare the statement once.
			var st *sql.Stmt
			if st, err = tx.prepared(ctx, sb.String()); err == nil {
				_, err = st.ExecContext(ctx, buf...)
			}
		} else {
			_, err = tx.q.ExecContext(ctx, sb.String(), buf...)
		}
		if err != nil {
			return wrap(op, err)
		}
	}
	return nil
}

func joinWarnings(w []string) string { return strings.Join(w, ",") }

func splitWarnings(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// The detail column keeps every field of an event that is not a column of
// its own, in this order, separated by the unit separator (U+001F): other
// party, other-party kind, type, direction, time flag, duration, IMEI, IMSI,
// bytes, charging ID, duplicate-of row, warnings (comma-separated), then the
// original texts of target, other party, type, start, duration, first cell,
// last cell, IMEI and IMSI, then the time basis and APN. An original equal
// to its normalised value is stored as the single byte U+001E. A separator,
// marker or escape byte inside a value is escaped with U+001A.
const (
	sepByte  = 0x1f
	sameByte = 0x1e
	escByte  = 0x1a
)

func packEvent(b []byte, e *cellsite.Event) []byte {
	put := func(i int, f string) {
		if i > 0 {
			b = append(b, sepByte)
		}
		for j := 0; j < len(f); j++ {
			if f[j] == sepByte || f[j] == escByte || f[j] == sameByte {
				b = append(b, escByte)
			}
			b = append(b, f[j])
		}
	}
	put(0, e.Other)
	put(1, e.OtherKind)
	put(2, e.Type)
	put(3, e.Direction)
	put(4, e.TimeFlag)
	b = append(b, sepByte)
	b = strconv.AppendInt(b, e.DurationS, 10)
	put(6, e.IMEI)
	put(7, e.IMSI)
	b = append(b, sepByte)
	b = strconv.AppendInt(b, e.Bytes, 10)
	put(9, e.ChargingID)
	b = append(b, sepByte)
	b = strconv.AppendInt(b, int64(e.DuplicateOf), 10)
	put(11, strings.Join(e.Warnings, ","))
	// An original equal to its normalised value (the common case) is stored
	// once, as the marker byte; unpackEvent restores it.
	putRaw := func(i int, raw, norm string) {
		if raw == norm {
			b = append(b, sepByte, sameByte)
			return
		}
		put(i, raw)
	}
	putRaw(12, e.TargetRaw, e.Target)
	putRaw(13, e.OtherRaw, e.Other)
	putRaw(14, e.TypeRaw, e.Type)
	put(15, e.StartRaw)
	put(16, e.DurationRaw)
	putRaw(17, e.FirstCellRaw, e.FirstCell)
	putRaw(18, e.LastCellRaw, e.LastCell)
	putRaw(19, e.IMEIRaw, e.IMEI)
	putRaw(20, e.IMSIRaw, e.IMSI)
	put(21, e.TimeBasis)
	put(22, e.APN)
	return b
}

const detailFields = 23

func unpackEvent(s string, e *cellsite.Event) error {
	var f [detailFields]string
	var isSame [detailFields]bool
	n := 0
	var cur []byte
	esc := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			cur = append(cur, c)
			esc = false
		case c == escByte:
			esc = true
		case c == sameByte:
			isSame[n] = true
		case c == sepByte:
			if n >= detailFields-1 {
				return fmt.Errorf("event detail has more than %d fields", detailFields)
			}
			f[n] = string(cur)
			cur = cur[:0]
			n++
		default:
			cur = append(cur, c)
		}
	}
	f[n] = string(cur)
	if n != detailFields-1 {
		return fmt.Errorf("event detail has %d fields, want %d", n+1, detailFields)
	}
	var err1, err2, err3 error
	e.Other, e.OtherKind, e.Type, e.Direction, e.TimeFlag = f[0], f[1], f[2], f[3], f[4]
	e.DurationS, err1 = strconv.ParseInt(f[5], 10, 64)
	e.IMEI, e.IMSI = f[6], f[7]
	e.Bytes, err2 = strconv.ParseInt(f[8], 10, 64)
	e.ChargingID = f[9]
	dup, err3 := strconv.Atoi(f[10])
	e.DuplicateOf = dup
	e.Warnings = splitWarnings(f[11])
	restore := func(i int, norm string) string {
		if isSame[i] {
			return norm
		}
		return f[i]
	}
	e.TargetRaw, e.OtherRaw, e.TypeRaw = restore(12, e.Target), restore(13, e.Other), restore(14, e.Type)
	e.StartRaw, e.DurationRaw = f[15], f[16]
	e.FirstCellRaw, e.LastCellRaw = restore(17, e.FirstCell), restore(18, e.LastCell)
	e.IMEIRaw, e.IMSIRaw = restore(19, e.IMEI), restore(20, e.IMSI)
	e.TimeBasis, e.APN = f[21], f[22]
	return errors.Join(err1, err2, err3)
}

// InsertEvents stores events of one source.
func (tx *Tx) InsertEvents(ctx context.Context, sourceID int64, caseRef string, evs []cellsite.Event) error {
	var buf []byte
	if tx.db.pg {
		table, err := tx.eventsTable(ctx, sourceID)
		if err != nil {
			return wrap("insert events", err)
		}
		tx.noteTargets(sourceID, caseRef, evs)
		return tx.copyRows(ctx, "insert events", table, []string{"case_ref", "target", "start_ns", "source_id", "row", "duplicate", "sheet", "first_cell", "last_cell", "detail"},
			len(evs), func(i int, a []any) []any {
				e := &evs[i]
				buf = packEvent(buf[:0], e)
				dup := int16(0)
				if e.DuplicateOf != 0 {
					dup = 1
				}
				return append(a, caseRef, e.Target, e.Start.UnixNano(), sourceID, int32(e.Row), dup, e.Sheet, e.FirstCell, e.LastCell, string(buf))
			})
	}
	return tx.insertRows(ctx, "insert events", `INSERT INTO events (case_ref, target, start_ns, source_id, sheet, row, first_cell, last_cell, duplicate, detail) VALUES `,
		10, len(evs), func(i int, a []any) []any {
			e := &evs[i]
			buf = packEvent(buf[:0], e)
			dup := int64(0)
			if e.DuplicateOf != 0 {
				dup = 1
			}
			return append(a, caseRef, e.Target, e.Start.UnixNano(), sourceID, e.Sheet, int64(e.Row), e.FirstCell, e.LastCell, dup, string(buf))
		})
}

// InsertCells stores cell records of one source.
func (tx *Tx) InsertCells(ctx context.Context, sourceID int64, caseRef string, cells []cellsite.Cell) error {
	if tx.db.pg {
		return tx.copyRows(ctx, "insert cells", "cells", []string{"source_id", "case_ref", "sheet", "row", "key", "key_raw", "radio", "site", "address", "postcode", "lat", "lon", "easting", "northing",
			"azimuth", "omni", "beamwidth", "band", "valid_from", "valid_to", "warnings"}, len(cells), func(i int, a []any) []any {
			c := &cells[i]
			return append(a, sourceID, caseRef, c.Sheet, int32(c.Row), c.Key, c.KeyRaw, c.Radio, c.Site, c.Address, c.Postcode, c.Lat, c.Lon, c.Easting, c.Northing,
				c.AzimuthDeg, int16(boolInt(c.Omni)), c.BeamwidthDeg, c.Band, unixNano(c.ValidFrom), unixNano(c.ValidTo), joinWarnings(c.Warnings))
		})
	}
	return tx.insertRows(ctx, "insert cells", `INSERT INTO cells (source_id, case_ref, sheet, row, key, key_raw, radio, site, address, postcode, lat, lon, easting, northing,
		azimuth, omni, beamwidth, band, valid_from, valid_to, warnings) VALUES `, 21, len(cells), func(i int, a []any) []any {
		c := &cells[i]
		return append(a, sourceID, caseRef, c.Sheet, c.Row, c.Key, c.KeyRaw, c.Radio, c.Site, c.Address, c.Postcode, c.Lat, c.Lon, c.Easting, c.Northing,
			c.AzimuthDeg, boolInt(c.Omni), c.BeamwidthDeg, c.Band, unixNano(c.ValidFrom), unixNano(c.ValidTo), joinWarnings(c.Warnings))
	})
}

// InsertRejects stores the rejected rows of one source.
func (tx *Tx) InsertRejects(ctx context.Context, sourceID int64, faults []cellsite.RowFault) error {
	if tx.db.pg {
		return tx.copyRows(ctx, "insert rejects", "rejects", []string{"source_id", "sheet", "row", "col", "code", "reason", "value"}, len(faults), func(i int, a []any) []any {
			f := &faults[i]
			return append(a, sourceID, f.Sheet, int32(f.Row), f.Column, f.Code, f.Reason, f.Value)
		})
	}
	return tx.insertRows(ctx, "insert rejects", `INSERT INTO rejects (source_id, sheet, row, col, code, reason, value) VALUES `, 7, len(faults), func(i int, a []any) []any {
		f := &faults[i]
		return append(a, sourceID, f.Sheet, f.Row, f.Column, f.Code, f.Reason, f.Value)
	})
}

// Reject is a rejected row with the source it came from.
type Reject struct {
	SourceID int64  `json:"source_id"`
	Source   string `json:"source"` // the file's name
	cellsite.RowFault
}

// Rejects returns a case's rejected rows, by source then position.
func (tx *Tx) Rejects(ctx context.Context, caseRef string) ([]Reject, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT r.source_id, s.name, r.sheet, r.row, r.col, r.code, r.reason, r.value
		FROM rejects r JOIN sources s ON s.id = r.source_id WHERE s.case_ref = ? ORDER BY r.source_id, r.sheet, r.row`, caseRef)
	if err != nil {
		return nil, wrap("rejects", err)
	}
	defer rows.Close()
	var out []Reject
	for rows.Next() {
		var r Reject
		if err := rows.Scan(&r.SourceID, &r.Source, &r.Sheet, &r.Row, &r.Column, &r.Code, &r.Reason, &r.Value); err != nil {
			return nil, wrap("rejects", err)
		}
		out = append(out, r)
	}
	return out, wrap("rejects", rows.Err())
}

// EventFilter selects events of a case.
type EventFilter struct {
	Case     string
	Target   string // E.164; "" for all
	From, To int64  // start time bounds in Unix nanoseconds, [From, To); 0 for none
	// Cells, when not empty, keeps the events whose first or last cell is
	// one of these (cell keys as stored, e.g. 234-30-129097582).
	Cells           []string
	IncludeRepeated bool // include exact duplicates (excluded by default)
	ByTarget        bool // order by target first (the table's own order)
}

// eventsQuery returns the query of Events and its arguments.
func eventsQuery(f EventFilter, pg bool, sources string) (string, []any) {
	q := `SELECT e.source_id, s.sha256, e.sheet, e.row, e.target, e.start_ns, e.first_cell, e.last_cell, e.detail
		FROM events e JOIN sources s ON s.id = e.source_id WHERE e.case_ref = ?`
	args := []any{f.Case}
	// On PostgreSQL, a source's events are a table of their own whose
	// indexes are keyed on the hashes of the texts (migrations/postgres/
	// 0007): the query names the case's sources and gives each hash beside
	// its text.
	if pg {
		if sources == "" {
			q += ` AND FALSE`
		} else {
			q += ` AND e.source_id IN (` + sources + `)`
		}
	}
	if f.Target != "" {
		if pg {
			q += ` AND hashtextextended(e.target, 0) = hashtextextended(?, 0)`
			args = append(args, f.Target)
		}
		q += ` AND e.target = ?`
		args = append(args, f.Target)
	}
	if f.From != 0 {
		q += ` AND e.start_ns >= ?`
		args = append(args, f.From)
	}
	if f.To != 0 {
		q += ` AND e.start_ns < ?`
		args = append(args, f.To)
	}
	if len(f.Cells) > 0 {
		// Written so that PostgreSQL can read the two cell indexes (the
		// second covers only events with a last cell that differs from
		// the first).
		in := `(?` + strings.Repeat(`, ?`, len(f.Cells)-1) + `)`
		hashes := `(hashtextextended(?, 0)` + strings.Repeat(`, hashtextextended(?, 0)`, len(f.Cells)-1) + `)`
		first, last := `e.first_cell IN `+in, `e.last_cell IN `+in
		if pg {
			first = `hashtextextended(e.first_cell, 0) IN ` + hashes + ` AND ` + first
			last = `hashtextextended(e.last_cell, 0) IN ` + hashes + ` AND ` + last
		}
		q += ` AND ((` + first + `) OR (` + last + ` AND e.last_cell <> e.first_cell AND e.last_cell <> ''))`
		reps := 1
		if pg {
			reps = 2
		}
		for range 2 {
			for range reps {
				for _, c := range f.Cells {
					args = append(args, c)
				}
			}
		}
	}
	if !f.IncludeRepeated {
		q += ` AND e.duplicate = 0`
	}
	if f.ByTarget {
		q += ` ORDER BY e.target, e.start_ns, e.source_id, e.sheet, e.row`
	} else {
		q += ` ORDER BY e.start_ns, e.source_id, e.sheet, e.row`
	}
	return q, args
}

// eventsQuery returns the SQL of Events(f) and its arguments.
func (tx *Tx) eventsQuery(ctx context.Context, f EventFilter) (string, []any, error) {
	var sources string
	if tx.db.pg {
		var err error
		if sources, err = tx.caseSources(ctx, f.Case, f.Target); err != nil {
			return "", nil, err
		}
	}
	q, args := eventsQuery(f, tx.db.pg, sources)
	return q, args, nil
}

// ExplainEvents returns how the database runs Events(f): on PostgreSQL the
// plan as executed, with its timings and buffers (EXPLAIN ANALYZE); on
// SQLite the query plan.
func (tx *Tx) ExplainEvents(ctx context.Context, f EventFilter) (string, error) {
	q, args, err := tx.eventsQuery(ctx, f)
	if err != nil {
		return "", wrap("explain events", err)
	}
	if tx.db.pg {
		q = `EXPLAIN (ANALYZE, BUFFERS) ` + q
	} else {
		q = `EXPLAIN QUERY PLAN ` + q
	}
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return "", wrap("explain events", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", wrap("explain events", err)
	}
	var sb strings.Builder
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", wrap("explain events", err)
		}
		// PostgreSQL gives one line of text a row; SQLite the plan's
		// nodes, of which the last column is the text.
		fmt.Fprintf(&sb, "%v\n", vals[len(vals)-1])
	}
	return sb.String(), wrap("explain events", rows.Err())
}

// Events calls fn for each event of a case matching f, ordered by start time,
// then source and row; with f.ByTarget, by target first.
func (tx *Tx) Events(ctx context.Context, f EventFilter, fn func(cellsite.Event, int64) error) error {
	q, args, err := tx.eventsQuery(ctx, f)
	if err != nil {
		return wrap("events", err)
	}
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return wrap("events", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e cellsite.Event
		var sid, ns int64
		var h, detail string
		if err := rows.Scan(&sid, &h, &e.Sheet, &e.Row, &e.Target, &ns, &e.FirstCell, &e.LastCell, &detail); err != nil {
			return wrap("events", err)
		}
		if err := unpackEvent(detail, &e); err != nil {
			return cellsite.Errorf(cellsite.Integrity, "events", "source %d row %d: %v", sid, e.Row, err)
		}
		e.Source, _ = cellsite.ParseHash(h)
		e.Start = time.Unix(0, ns).UTC()
		if err := fn(e, sid); err != nil {
			return err
		}
	}
	return wrap("events", rows.Err())
}

// Cells returns a case's cell records, by key then source and row.
func (tx *Tx) Cells(ctx context.Context, caseRef string) ([]cellsite.Cell, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT s.sha256, c.sheet, c.row, c.key, c.key_raw, c.radio, c.site, c.address, c.postcode, c.lat, c.lon, c.easting, c.northing,
		c.azimuth, c.omni, c.beamwidth, c.band, c.valid_from, c.valid_to, c.warnings
		FROM cells c JOIN sources s ON s.id = c.source_id WHERE c.case_ref = ? ORDER BY c.key, c.source_id, c.sheet, c.row`, caseRef)
	if err != nil {
		return nil, wrap("cells", err)
	}
	defer rows.Close()
	var out []cellsite.Cell
	for rows.Next() {
		var c cellsite.Cell
		var h, warnings string
		var omni int
		var from, to int64
		if err := rows.Scan(&h, &c.Sheet, &c.Row, &c.Key, &c.KeyRaw, &c.Radio, &c.Site, &c.Address, &c.Postcode, &c.Lat, &c.Lon, &c.Easting, &c.Northing,
			&c.AzimuthDeg, &omni, &c.BeamwidthDeg, &c.Band, &from, &to, &warnings); err != nil {
			return nil, wrap("cells", err)
		}
		c.Source, _ = cellsite.ParseHash(h)
		c.Omni, c.ValidFrom, c.ValidTo = omni == 1, fromNano(from), fromNano(to)
		c.Warnings = splitWarnings(warnings)
		out = append(out, c)
	}
	return out, wrap("cells", rows.Err())
}
