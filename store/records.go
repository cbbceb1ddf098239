package store

import (
	"context"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
)

// insertRows inserts rows of n columns with multi-row INSERT statements.
func (tx *Tx) insertRows(ctx context.Context, op, head string, n, count int, args func(i int, dst []any) []any) error {
	const maxVars = 30000
	per := max(1, maxVars/n)
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	var full string // statement text for a full chunk, built once
	buf := make([]any, 0, per*n)
	for start := 0; start < count; start += per {
		k := min(per, count-start)
		var stmt string
		if k == per && full != "" {
			stmt = full
		} else {
			var sb strings.Builder
			sb.Grow(len(head) + k*(len(row)+1))
			sb.WriteString(head)
			for i := range k {
				if i > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(row)
			}
			stmt = sb.String()
			if k == per {
				full = stmt
			}
		}
		buf = buf[:0]
		for i := start; i < start+k; i++ {
			buf = args(i, buf)
		}
		if _, err := tx.q.ExecContext(ctx, stmt, buf...); err != nil {
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

// InsertEvents stores events of one source.
func (tx *Tx) InsertEvents(ctx context.Context, sourceID int64, caseRef string, evs []cellsite.Event) error {
	return tx.insertRows(ctx, "insert events", `INSERT INTO events (source_id, case_ref, sheet, row, target, target_raw, other, other_kind, other_raw, type, direction, type_raw,
		start_ns, start_raw, time_basis, time_flag, duration_s, duration_raw, first_cell, first_raw, last_cell, last_raw, imei, imei_raw, imsi, imsi_raw,
		apn, bytes, charging_id, duplicate_of, warnings) VALUES `, 31, len(evs), func(i int, a []any) []any {
		e := &evs[i]
		return append(a, sourceID, caseRef, e.Sheet, e.Row, e.Target, e.TargetRaw, e.Other, e.OtherKind, e.OtherRaw, e.Type, e.Direction, e.TypeRaw,
			e.Start.UnixNano(), e.StartRaw, e.TimeBasis, e.TimeFlag, e.DurationS, e.DurationRaw, e.FirstCell, e.FirstCellRaw, e.LastCell, e.LastCellRaw,
			e.IMEI, e.IMEIRaw, e.IMSI, e.IMSIRaw, e.APN, e.Bytes, e.ChargingID, e.DuplicateOf, joinWarnings(e.Warnings))
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
	q := `SELECT e.source_id, s.sha256, e.sheet, e.row, e.target, e.target_raw, e.other, e.other_kind, e.other_raw, e.type, e.direction, e.type_raw,
		e.start_ns, e.start_raw, e.time_basis, e.time_flag, e.duration_s, e.duration_raw, e.first_cell, e.first_raw, e.last_cell, e.last_raw,
		e.imei, e.imei_raw, e.imsi, e.imsi_raw, e.apn, e.bytes, e.charging_id, e.duplicate_of, e.warnings
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
		var h, warnings string
		if err := rows.Scan(&sid, &h, &e.Sheet, &e.Row, &e.Target, &e.TargetRaw, &e.Other, &e.OtherKind, &e.OtherRaw, &e.Type, &e.Direction, &e.TypeRaw,
			&ns, &e.StartRaw, &e.TimeBasis, &e.TimeFlag, &e.DurationS, &e.DurationRaw, &e.FirstCell, &e.FirstCellRaw, &e.LastCell, &e.LastCellRaw,
			&e.IMEI, &e.IMEIRaw, &e.IMSI, &e.IMSIRaw, &e.APN, &e.Bytes, &e.ChargingID, &e.DuplicateOf, &warnings); err != nil {
			return wrap("events", err)
		}
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
