package store

import (
	"context"
	"database/sql"
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

// The raw column keeps the original texts of an event (target, other-party
// kind, other party, type, start, time basis, duration, first cell, last
// cell, IMEI, IMSI, APN), in this order, separated by the unit separator
// (U+001F); an original equal to its normalised value is stored as "". Texts of original files
// are checked by the readers to hold no control characters but tab, CR and
// LF; a unit separator inside a value is escaped as U+001A U+001F.
const (
	rawSep = "\x1f"
	rawEsc = "\x1a"
)

// same returns "" when an original text equals its normalised value (the
// common case), so it is stored once; unpackRaw restores it.
func same(raw, norm string) string {
	if raw == norm && norm != "" {
		return ""
	}
	return raw
}

func packRaw(e *cellsite.Event) string {
	fields := [...]string{same(e.TargetRaw, e.Target), e.OtherKind, same(e.OtherRaw, e.Other), e.TypeRaw, e.StartRaw, e.TimeBasis, e.DurationRaw,
		same(e.FirstCellRaw, e.FirstCell), same(e.LastCellRaw, e.LastCell), same(e.IMEIRaw, e.IMEI), same(e.IMSIRaw, e.IMSI), e.APN}
	var sb strings.Builder
	for i, f := range fields {
		if i > 0 {
			sb.WriteString(rawSep)
		}
		if strings.Contains(f, rawSep) || strings.Contains(f, rawEsc) {
			f = strings.ReplaceAll(f, rawEsc, rawEsc+rawEsc)
			f = strings.ReplaceAll(f, rawSep, rawEsc+rawSep)
		}
		sb.WriteString(f)
	}
	return sb.String()
}

func unpackRaw(s string, e *cellsite.Event) {
	var fields []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == rawEsc[0] && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case s[i] == rawSep[0]:
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	fields = append(fields, cur.String())
	for len(fields) < 12 {
		fields = append(fields, "")
	}
	e.TargetRaw, e.OtherKind, e.OtherRaw, e.TypeRaw, e.StartRaw, e.TimeBasis, e.DurationRaw = fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]
	e.FirstCellRaw, e.LastCellRaw, e.IMEIRaw, e.IMSIRaw, e.APN = fields[7], fields[8], fields[9], fields[10], fields[11]
	for _, p := range [...]struct {
		raw  *string
		norm string
	}{
		{&e.TargetRaw, e.Target}, {&e.OtherRaw, e.Other}, {&e.FirstCellRaw, e.FirstCell}, {&e.LastCellRaw, e.LastCell}, {&e.IMEIRaw, e.IMEI}, {&e.IMSIRaw, e.IMSI},
	} {
		if *p.raw == "" {
			*p.raw = p.norm
		}
	}
}

// InsertEvents stores events of one source.
func (tx *Tx) InsertEvents(ctx context.Context, sourceID int64, caseRef string, evs []cellsite.Event) error {
	return tx.insertRows(ctx, "insert events", `INSERT INTO events (source_id, case_ref, sheet, row, target, other, type, direction,
		start_ns, time_flag, duration_s, first_cell, last_cell, imei, imsi, bytes, charging_id, duplicate_of, warnings, raw) VALUES `, 20, len(evs), func(i int, a []any) []any {
		e := &evs[i]
		return append(a, sourceID, caseRef, e.Sheet, e.Row, e.Target, e.Other, e.Type, e.Direction,
			e.Start.UnixNano(), e.TimeFlag, e.DurationS, e.FirstCell, e.LastCell, e.IMEI, e.IMSI, e.Bytes, e.ChargingID, e.DuplicateOf,
			joinWarnings(e.Warnings), packRaw(e))
	})
}

// InsertCells stores cell records of one source.
func (tx *Tx) InsertCells(ctx context.Context, sourceID int64, caseRef string, cells []cellsite.Cell) error {
	return tx.insertRows(ctx, "insert cells", `INSERT INTO cells (source_id, case_ref, sheet, row, key, key_raw, radio, site, address, postcode, lat, lon, easting, northing,
		azimuth, omni, beamwidth, band, valid_from, valid_to, warnings) VALUES `, 21, len(cells), func(i int, a []any) []any {
		c := &cells[i]
		omni := 0
		if c.Omni {
			omni = 1
		}
		return append(a, sourceID, caseRef, c.Sheet, c.Row, c.Key, c.KeyRaw, c.Radio, c.Site, c.Address, c.Postcode, c.Lat, c.Lon, c.Easting, c.Northing,
			c.AzimuthDeg, omni, c.BeamwidthDeg, c.Band, unixNano(c.ValidFrom), unixNano(c.ValidTo), joinWarnings(c.Warnings))
	})
}

// InsertRejects stores the rejected rows of one source.
func (tx *Tx) InsertRejects(ctx context.Context, sourceID int64, faults []cellsite.RowFault) error {
	return tx.insertRows(ctx, "insert rejects", `INSERT INTO rejects (source_id, sheet, row, col, code, reason, value) VALUES `, 7, len(faults), func(i int, a []any) []any {
		f := &faults[i]
		return append(a, sourceID, f.Sheet, f.Row, f.Column, f.Code, f.Reason, f.Value)
	})
}

// Reject is a rejected row with the source it came from.
type Reject struct {
	SourceID int64
	Source   string // the file's name
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
	Case            string
	Target          string // E.164; "" for all
	From, To        int64  // start time bounds in Unix nanoseconds, [From, To); 0 for none
	IncludeRepeated bool   // include exact duplicates (excluded by default)
}

// Events calls fn for each event of a case matching f, ordered by start time,
// then source and row.
func (tx *Tx) Events(ctx context.Context, f EventFilter, fn func(cellsite.Event, int64) error) error {
	q := `SELECT e.source_id, s.sha256, e.sheet, e.row, e.target, e.other, e.type, e.direction,
		e.start_ns, e.time_flag, e.duration_s, e.first_cell, e.last_cell, e.imei, e.imsi, e.bytes, e.charging_id, e.duplicate_of, e.warnings, e.raw
		FROM events e JOIN sources s ON s.id = e.source_id WHERE e.case_ref = ?`
	args := []any{f.Case}
	if f.Target != "" {
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
	if !f.IncludeRepeated {
		q += ` AND e.duplicate_of = 0`
	}
	q += ` ORDER BY e.start_ns, e.source_id, e.sheet, e.row`
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return wrap("events", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e cellsite.Event
		var sid, ns int64
		var h, warnings, raw string
		if err := rows.Scan(&sid, &h, &e.Sheet, &e.Row, &e.Target, &e.Other, &e.Type, &e.Direction,
			&ns, &e.TimeFlag, &e.DurationS, &e.FirstCell, &e.LastCell, &e.IMEI, &e.IMSI, &e.Bytes, &e.ChargingID, &e.DuplicateOf, &warnings, &raw); err != nil {
			return wrap("events", err)
		}
		unpackRaw(raw, &e)
		e.Source, _ = cellsite.ParseHash(h)
		e.Start = time.Unix(0, ns).UTC()
		e.Warnings = splitWarnings(warnings)
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
