package reports

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/provenance"
)

// fieldDef is one field a source offers to templates.
type fieldDef struct {
	format   string  // FormatText, FormatInteger, FormatDecimal, FormatDateTime, FormatDuration
	decimals int     // FormatDecimal
	width    float64 // default column width
	doc      string  // one line for docs/TEMPLATES.md
	get      func(row any) Value
}

// source is a kind of row a template can draw: its fields and, for sources
// whose order is fixed, the order.
type source struct {
	doc        string
	fixedOrder string // the order rows come in unless the template sorts them
	streamed   bool   // rows are streamed in fixedOrder: templates may not sort
	fields     map[string]fieldDef
}

func (s source) names() []string {
	out := make([]string, 0, len(s.fields))
	for n := range s.fields {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func sourceNames() []string {
	out := make([]string, 0, len(sources))
	for n := range sources {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Field constructors: each takes a function of the source's row type.
func text[T any](width float64, doc string, f func(*T) string) fieldDef {
	return fieldDef{format: FormatText, width: width, doc: doc, get: func(r any) Value { return Text(f(r.(*T))) }}
}

func integer[T any](width float64, doc string, f func(*T) int64) fieldDef {
	return fieldDef{format: FormatInteger, width: width, doc: doc, get: func(r any) Value { return Int(f(r.(*T))) }}
}

// optInteger is an integer field that may be absent (ok false gives an empty cell).
func optInteger[T any](width float64, doc string, f func(*T) (int64, bool)) fieldDef {
	return fieldDef{format: FormatInteger, width: width, doc: doc, get: func(r any) Value {
		if n, ok := f(r.(*T)); ok {
			return Int(n)
		}
		return Value{}
	}}
}

func decimal[T any](width float64, places int, doc string, f func(*T) (float64, bool)) fieldDef {
	return fieldDef{format: FormatDecimal, decimals: places, width: width, doc: doc, get: func(r any) Value {
		if x, ok := f(r.(*T)); ok {
			return Float(x)
		}
		return Value{}
	}}
}

func instant[T any](doc string, f func(*T) time.Time) fieldDef {
	return fieldDef{format: FormatDateTime, width: 20, doc: doc, get: func(r any) Value { return Time(f(r.(*T))) }}
}

func duration[T any](doc string, f func(*T) (int64, bool)) fieldDef {
	return fieldDef{format: FormatDuration, width: 10, doc: doc, get: func(r any) Value {
		if n, ok := f(r.(*T)); ok {
			return Int(n)
		}
		return Value{}
	}}
}

// EventRow is one row of an events schedule: an event with its resolved
// cells and its number in the call schedule.
type EventRow struct {
	N          int // row number in the call schedule, from 1
	L          *analysis.Located
	SourceName string // the original file's name
}

// CellRow is one row of a cells schedule: a cell record that served the
// case's events.
type CellRow struct {
	Cell       cellsite.Cell
	Events     int // events of the case it placed (first or last cell)
	SourceName string
}

// ColocationRow is one evidential event of a co-location episode.
type ColocationRow struct {
	Episode    int // episode number, from 1, as on the maps
	Ep         *analysis.ColocationEpisode
	Target     string
	Event      analysis.ColocationEvent
	N          int // the event's row in the call schedule, 0 when not listed there
	Cell       cellsite.Cell
	SourceName string
}

// PatternRow is one ranked cell of a target's pattern of life.
type PatternRow struct {
	Target    string
	Window    string // all, night or day
	Rank      int
	Cell      analysis.PatternCell
	Candidate string // home, work or ""
	P         *analysis.Pattern
}

// ContactRow is one other party of a target.
type ContactRow struct {
	Target  string
	C       analysis.Contact
	Targets int // targets this party was in contact with
}

// AttributionRow is one period of use of a handset or SIM by an MSISDN.
type AttributionRow struct {
	MSISDN     string
	What       string // handset or SIM
	Period     analysis.IDPeriod
	SharedWith []string // other MSISDNs that used the same handset or SIM
}

// Exhibit is one original file of a case as an exhibit.
type Exhibit struct {
	N          int // exhibit number within the pack, from 1
	Source     cellsite.Source
	PackPath   string // where the original sits in the pack, e.g. "originals/01-ee.csv"
	Read       int
	Accepted   int
	Duplicates int
	Rejected   int
	First      time.Time
	Last       time.Time
}

// LeafRow is one provenance leaf the outputs rest on.
type LeafRow struct {
	Leaf provenance.Leaf
	Hash cellsite.Hash // the leaf hash (RFC 6962)
}

func cellField(c cellsite.Cell, ok bool, f func(cellsite.Cell) string) string {
	if !ok {
		return ""
	}
	return f(c)
}

func artefacts(as []cellsite.Artefact) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.Name + " sha256:" + a.SHA256.String()
	}
	return strings.Join(parts, "; ")
}

func eventFirst(r *EventRow) (cellsite.Cell, bool) {
	return r.L.First, r.L.FirstRes == analysis.Resolved
}

func eventLast(r *EventRow) (cellsite.Cell, bool) {
	return r.L.Last, r.L.LastRes == analysis.Resolved
}

func azimuth(c cellsite.Cell, ok bool) (float64, bool) {
	if !ok || c.Omni {
		return 0, false
	}
	return c.AzimuthDeg, true
}

// sources lists what each template source offers. docs/TEMPLATES.md lists
// the same (TestTemplateDocs keeps them together).
var sources = map[string]source{
	"events": {
		doc:        "every event of the case, repeated rows included and marked, with its cells resolved",
		fixedOrder: "by target, then start time, then original file, sheet and row",
		streamed:   true,
		fields: map[string]fieldDef{
			"row":            integer(7, "row number in the call schedule (maps use the same numbers)", func(r *EventRow) int64 { return int64(r.N) }),
			"target":         text(16, "target MSISDN, E.164", func(r *EventRow) string { return r.L.Target }),
			"target_raw":     text(16, "target as written in the original", func(r *EventRow) string { return r.L.TargetRaw }),
			"other":          text(16, "other party: E.164, short code or sender ID", func(r *EventRow) string { return r.L.Other }),
			"other_raw":      text(16, "other party as written", func(r *EventRow) string { return r.L.OtherRaw }),
			"other_kind":     text(9, "msisdn, short, alpha, withheld or raw", func(r *EventRow) string { return r.L.OtherKind }),
			"type":           text(8, "voice, sms, mms, data, forward, voicemail, other", func(r *EventRow) string { return r.L.Type }),
			"direction":      text(5, "in or out", func(r *EventRow) string { return r.L.Direction }),
			"type_raw":       text(12, "event type as written", func(r *EventRow) string { return r.L.TypeRaw }),
			"start":          instant("start of the event", func(r *EventRow) time.Time { return r.L.Start }),
			"start_raw":      text(20, "start as written in the original", func(r *EventRow) string { return r.L.StartRaw }),
			"time_basis":     text(9, "how the original stated time: utc, uk-local, offset", func(r *EventRow) string { return r.L.TimeBasis }),
			"time_flag":      text(10, "ambiguous or impossible UK local time as written", func(r *EventRow) string { return r.L.TimeFlag }),
			"duration":       duration("duration (h:mm:ss)", func(r *EventRow) (int64, bool) { return r.L.DurationS, r.L.DurationS >= 0 }),
			"duration_raw":   text(9, "duration as written", func(r *EventRow) string { return r.L.DurationRaw }),
			"first_cell":     text(22, "first cell, canonical key", func(r *EventRow) string { return r.L.FirstCell }),
			"first_cell_raw": text(18, "first cell as written", func(r *EventRow) string { return r.L.FirstCellRaw }),
			"first_site": text(14, "site of the first cell", func(r *EventRow) string {
				c, ok := eventFirst(r)
				return cellField(c, ok, func(c cellsite.Cell) string { return c.Site })
			}),
			"first_address": text(30, "address of the first cell's site", func(r *EventRow) string {
				c, ok := eventFirst(r)
				return cellField(c, ok, func(c cellsite.Cell) string { return joinNonEmpty(", ", c.Address, c.Postcode) })
			}),
			"first_azimuth": decimal(9, 0, "azimuth of the first cell, degrees from true north", func(r *EventRow) (float64, bool) {
				return azimuth(eventFirst(r))
			}),
			"first_easting": decimal(9, 0, "first cell's mast, OSGB36 easting (m)", func(r *EventRow) (float64, bool) {
				c, ok := eventFirst(r)
				return c.Easting, ok && c.Easting != 0
			}),
			"first_northing": decimal(9, 0, "first cell's mast, OSGB36 northing (m)", func(r *EventRow) (float64, bool) {
				c, ok := eventFirst(r)
				return c.Northing, ok && c.Northing != 0
			}),
			"first_resolution": text(14, "resolved, unknown-cell, outside-validity, conflicting, no-cell", func(r *EventRow) string { return string(r.L.FirstRes) }),
			"last_cell":        text(22, "last cell, canonical key", func(r *EventRow) string { return r.L.LastCell }),
			"last_site": text(14, "site of the last cell", func(r *EventRow) string {
				c, ok := eventLast(r)
				return cellField(c, ok, func(c cellsite.Cell) string { return c.Site })
			}),
			"last_address": text(30, "address of the last cell's site", func(r *EventRow) string {
				c, ok := eventLast(r)
				return cellField(c, ok, func(c cellsite.Cell) string { return joinNonEmpty(", ", c.Address, c.Postcode) })
			}),
			"last_azimuth": decimal(9, 0, "azimuth of the last cell, degrees from true north", func(r *EventRow) (float64, bool) {
				return azimuth(eventLast(r))
			}),
			"last_resolution": text(14, "as first_resolution, for the last cell", func(r *EventRow) string { return string(r.L.LastRes) }),
			"imei":            text(17, "IMEI", func(r *EventRow) string { return r.L.IMEI }),
			"imsi":            text(16, "IMSI", func(r *EventRow) string { return r.L.IMSI }),
			"apn":             text(14, "access point name (data)", func(r *EventRow) string { return r.L.APN }),
			"bytes":           optInteger(11, "data volume in bytes", func(r *EventRow) (int64, bool) { return r.L.Bytes, r.L.Bytes >= 0 }),
			"charging_id":     text(12, "charging ID (data sessions)", func(r *EventRow) string { return r.L.ChargingID }),
			"at_or_before": text(14, `for data events: "at or before" (the cell was used at or before the start)`, func(r *EventRow) string {
				if r.L.Type == "data" {
					return "at or before"
				}
				return ""
			}),
			"source_file":   text(20, "original file's name", func(r *EventRow) string { return r.SourceName }),
			"source_sha256": text(20, "original file's SHA-256", func(r *EventRow) string { return r.L.Source.String() }),
			"sheet":         text(10, "sheet of the original (XLSX)", func(r *EventRow) string { return r.L.Sheet }),
			"source_row":    integer(8, "row or line of the original", func(r *EventRow) int64 { return int64(r.L.Row) }),
			"duplicate_of": optInteger(9, "for a repeated row: the row of its first occurrence", func(r *EventRow) (int64, bool) {
				return int64(r.L.DuplicateOf), r.L.DuplicateOf != 0
			}),
			"warnings": text(16, "warning codes", func(r *EventRow) string { return strings.Join(r.L.Warnings, " ") }),
		},
	},
	"cells": {
		doc:        "the cell records that placed the case's events, with how many",
		fixedOrder: "by cell key, then validity, then cell list and row",
		fields: map[string]fieldDef{
			"cell":     text(22, "canonical cell key", func(r *CellRow) string { return r.Cell.Key }),
			"cell_raw": text(18, "cell as written in the list", func(r *CellRow) string { return r.Cell.KeyRaw }),
			"radio":    text(6, "GSM, UMTS, LTE, NR", func(r *CellRow) string { return r.Cell.Radio }),
			"site":     text(14, "site name or number", func(r *CellRow) string { return r.Cell.Site }),
			"address":  text(30, "site address", func(r *CellRow) string { return r.Cell.Address }),
			"postcode": text(9, "site postcode", func(r *CellRow) string { return r.Cell.Postcode }),
			"lat":      decimal(10, 6, "mast latitude, ETRS89", func(r *CellRow) (float64, bool) { return r.Cell.Lat, true }),
			"lon":      decimal(10, 6, "mast longitude, ETRS89", func(r *CellRow) (float64, bool) { return r.Cell.Lon, true }),
			"easting":  decimal(9, 0, "mast OSGB36 easting (m)", func(r *CellRow) (float64, bool) { return r.Cell.Easting, r.Cell.Easting != 0 }),
			"northing": decimal(9, 0, "mast OSGB36 northing (m)", func(r *CellRow) (float64, bool) { return r.Cell.Northing, r.Cell.Northing != 0 }),
			"azimuth": decimal(9, 0, "azimuth, degrees from true north (empty: omni)", func(r *CellRow) (float64, bool) {
				return r.Cell.AzimuthDeg, !r.Cell.Omni
			}),
			"beamwidth": decimal(9, 0, "beamwidth, degrees (empty: not stated)", func(r *CellRow) (float64, bool) {
				return r.Cell.BeamwidthDeg, r.Cell.BeamwidthDeg > 0
			}),
			"band":        text(8, "frequency band", func(r *CellRow) string { return r.Cell.Band }),
			"valid_from":  instant("start of the record's validity (empty: from the beginning)", func(r *CellRow) time.Time { return r.Cell.ValidFrom }),
			"valid_to":    instant("end of the record's validity, exclusive (empty: still valid)", func(r *CellRow) time.Time { return r.Cell.ValidTo }),
			"events":      integer(8, "events of the case this cell placed", func(r *CellRow) int64 { return int64(r.Events) }),
			"source_file": text(20, "cell list's file name", func(r *CellRow) string { return r.SourceName }),
			"source_row":  integer(8, "row of the cell list", func(r *CellRow) int64 { return int64(r.Cell.Row) }),
			"warnings":    text(16, "warning codes", func(r *CellRow) string { return strings.Join(r.Cell.Warnings, " ") }),
		},
	},
	"colocation": {
		doc:        "the evidential events of each co-location episode (together, then apart)",
		fixedOrder: "by episode (together episodes first, by start), then target, then time",
		fields: map[string]fieldDef{
			"episode":       integer(8, "episode number (as on the maps)", func(r *ColocationRow) int64 { return int64(r.Episode) }),
			"kind":          text(9, "together or apart", func(r *ColocationRow) string { return r.Ep.Kind }),
			"targets":       text(30, "the two targets", func(r *ColocationRow) string { return r.Ep.A + " & " + r.Ep.B }),
			"episode_start": instant("start of the episode", func(r *ColocationRow) time.Time { return r.Ep.Start }),
			"episode_end":   instant("end of the episode", func(r *ColocationRow) time.Time { return r.Ep.End }),
			"closest_m":     decimal(9, 0, "closest distance between the two phones' masts (m)", func(r *ColocationRow) (float64, bool) { return r.Ep.ClosestM, true }),
			"pairs":         integer(6, "qualifying pairs of events", func(r *ColocationRow) int64 { return int64(r.Ep.Pairs) }),
			"basis":         text(30, "basis and parameters", func(r *ColocationRow) string { return colocationBasis(r.Ep.Params) }),
			"target":        text(16, "whose event", func(r *ColocationRow) string { return r.Target }),
			"row":           optInteger(7, "the event's row in the call schedule", func(r *ColocationRow) (int64, bool) { return int64(r.N), r.N > 0 }),
			"start":         instant("start of the event", func(r *ColocationRow) time.Time { return r.Event.Start }),
			"time_flag":     text(10, "ambiguous or impossible UK local time", func(r *ColocationRow) string { return r.Event.TimeFlag }),
			"cell":          text(22, "the cell that places the event", func(r *ColocationRow) string { return r.Event.Cell }),
			"site":          text(14, "its site", func(r *ColocationRow) string { return r.Cell.Site }),
			"address": text(30, "its site's address", func(r *ColocationRow) string {
				return joinNonEmpty(", ", r.Cell.Address, r.Cell.Postcode)
			}),
			"area_radius_m": decimal(9, 0, "with basis service-area, the service radius of the event's cell (m)", func(r *ColocationRow) (float64, bool) {
				return float64(r.Event.AreaRadiusM), r.Event.AreaRadiusM > 0
			}),
			"at_or_before": text(14, `"at or before" for data events`, func(r *ColocationRow) string {
				if r.Event.AtOrBefore {
					return "at or before"
				}
				return ""
			}),
			"source_file": text(20, "original file's name", func(r *ColocationRow) string { return r.SourceName }),
			"source_row":  integer(8, "row of the original", func(r *ColocationRow) int64 { return int64(r.Event.Row) }),
		},
	},
	"pattern": {
		doc:        "per target, the most-used cells overall, at night and by day, with the candidate home and work cells",
		fixedOrder: "by target, then window (all, night, day), then rank",
		fields: map[string]fieldDef{
			"target":    text(16, "target MSISDN", func(r *PatternRow) string { return r.Target }),
			"window":    text(7, "all, night or day", func(r *PatternRow) string { return r.Window }),
			"rank":      integer(5, "rank within the window", func(r *PatternRow) int64 { return int64(r.Rank) }),
			"cell":      text(22, "cell key", func(r *PatternRow) string { return r.Cell.Cell }),
			"site":      text(14, "site", func(r *PatternRow) string { return r.Cell.Site }),
			"address":   text(30, "address", func(r *PatternRow) string { return joinNonEmpty(", ", r.Cell.Address, r.Cell.Postcode) }),
			"count":     integer(7, "events the cell placed in the window", func(r *PatternRow) int64 { return int64(r.Cell.Count) }),
			"share":     decimal(7, 3, "share of the window's placed events", func(r *PatternRow) (float64, bool) { return r.Cell.Share, true }),
			"candidate": text(10, "home or work when the cell is the candidate", func(r *PatternRow) string { return r.Candidate }),
			"events":    integer(7, "the target's events counted", func(r *PatternRow) int64 { return int64(r.P.Events) }),
			"placed":    integer(7, "of which placed by a resolved cell", func(r *PatternRow) int64 { return int64(r.P.Placed) }),
		},
	},
	"contacts": {
		doc:        "per target, the other parties ranked by number of events, then total duration",
		fixedOrder: "by target, then rank",
		fields: map[string]fieldDef{
			"target":    text(16, "target MSISDN", func(r *ContactRow) string { return r.Target }),
			"other":     text(16, "other party", func(r *ContactRow) string { return r.C.Other }),
			"kind":      text(8, "msisdn, short, alpha or raw", func(r *ContactRow) string { return r.C.Kind }),
			"is_target": text(6, `"target" when the other party is a target too`, func(r *ContactRow) string { return yes(r.C.IsTarget, "target") }),
			"count":     integer(7, "events", func(r *ContactRow) int64 { return int64(r.C.Count) }),
			"duration":  duration("total duration", func(r *ContactRow) (int64, bool) { return r.C.DurationS, true }),
			"in":        integer(5, "events towards the target", func(r *ContactRow) int64 { return int64(r.C.In) }),
			"out":       integer(5, "events from the target", func(r *ContactRow) int64 { return int64(r.C.Out) }),
			"by_type":   text(20, "counts by type", func(r *ContactRow) string { return typeCounts(r.C.ByType) }),
			"first":     instant("first contact", func(r *ContactRow) time.Time { return r.C.First }),
			"last":      instant("last contact", func(r *ContactRow) time.Time { return r.C.Last }),
			"targets":   integer(7, "targets in contact with this party", func(r *ContactRow) int64 { return int64(r.Targets) }),
		},
	},
	"attribution": {
		doc:        "per MSISDN, the periods of use of each handset (IMEI) and SIM (IMSI), with any other MSISDN that used them",
		fixedOrder: "by MSISDN, then handsets before SIMs, then time",
		fields: map[string]fieldDef{
			"msisdn":      text(16, "subscriber MSISDN", func(r *AttributionRow) string { return r.MSISDN }),
			"what":        text(8, "handset or SIM", func(r *AttributionRow) string { return r.What }),
			"id":          text(17, "IMEI or IMSI", func(r *AttributionRow) string { return r.Period.ID }),
			"first":       instant("first seen", func(r *AttributionRow) time.Time { return r.Period.First }),
			"last":        instant("last seen", func(r *AttributionRow) time.Time { return r.Period.Last }),
			"events":      integer(7, "events in the period", func(r *AttributionRow) int64 { return int64(r.Period.Events) }),
			"shared_with": text(20, "other MSISDNs recorded with the same handset or SIM", func(r *AttributionRow) string { return strings.Join(r.SharedWith, ", ") }),
			"first_row":   integer(8, "row of the first record in its original", func(r *AttributionRow) int64 { return int64(r.Period.FirstRecord.Row) }),
			"last_row":    integer(8, "row of the last record in its original", func(r *AttributionRow) int64 { return int64(r.Period.LastRecord.Row) }),
		},
	},
	"exhibits": {
		doc:        "each original file of the case with its hash, profile and accounting",
		fixedOrder: "in the order the files were received",
		fields: map[string]fieldDef{
			"exhibit":     integer(7, "number within the pack", func(r *Exhibit) int64 { return int64(r.N) }),
			"file":        text(28, "file name as received", func(r *Exhibit) string { return r.Source.Name }),
			"pack_path":   text(28, "where the original is in the pack", func(r *Exhibit) string { return r.PackPath }),
			"kind":        text(6, "cdr or cells", func(r *Exhibit) string { return r.Source.Kind }),
			"sha256":      text(66, "SHA-256 of the original, as received", func(r *Exhibit) string { return r.Source.SHA256.String() }),
			"size":        integer(11, "size in bytes", func(r *Exhibit) int64 { return r.Source.Size }),
			"profile":     text(18, "format profile and version", func(r *Exhibit) string { return r.Source.Profile + " " + r.Source.ProfileVersion }),
			"time_basis":  text(9, "time basis the file was read with", func(r *Exhibit) string { return r.Source.TimeBasis }),
			"target":      text(16, "target the file was given for", func(r *Exhibit) string { return r.Source.Target }),
			"received":    instant("when it was ingested", func(r *Exhibit) time.Time { return r.Source.IngestedAt }),
			"read":        integer(8, "data rows read", func(r *Exhibit) int64 { return int64(r.Read) }),
			"accepted":    integer(8, "rows accepted", func(r *Exhibit) int64 { return int64(r.Accepted) }),
			"duplicates":  integer(8, "exact repeats, kept and marked", func(r *Exhibit) int64 { return int64(r.Duplicates) }),
			"rejected":    integer(8, "rows rejected (listed by `cellsite rejects`)", func(r *Exhibit) int64 { return int64(r.Rejected) }),
			"first_event": instant("earliest event", func(r *Exhibit) time.Time { return r.First }),
			"last_event":  instant("latest event", func(r *Exhibit) time.Time { return r.Last }),
			"leaf":        integer(6, "provenance leaf of the ingest", func(r *Exhibit) int64 { return r.Source.Leaf }),
		},
	},
	"provenance": {
		doc:        "every provenance leaf the outputs rest on",
		fixedOrder: "by leaf index",
		fields: map[string]fieldDef{
			"index":     integer(6, "leaf index", func(r *LeafRow) int64 { return r.Leaf.Index }),
			"type":      text(10, "step", func(r *LeafRow) string { return string(r.Leaf.Type) }),
			"started":   instant("when the step started", func(r *LeafRow) time.Time { return r.Leaf.Started }),
			"ended":     instant("when it ended", func(r *LeafRow) time.Time { return r.Leaf.Ended }),
			"actor":     text(16, "who ran it", func(r *LeafRow) string { return r.Leaf.Actor.User + " (" + r.Leaf.Actor.Role + ")" }),
			"software":  text(16, "software and version", func(r *LeafRow) string { return "cellsite " + r.Leaf.Software.Version }),
			"inputs":    text(40, "inputs: names and SHA-256", func(r *LeafRow) string { return artefacts(r.Leaf.Inputs) }),
			"outputs":   text(40, "outputs: names and SHA-256", func(r *LeafRow) string { return artefacts(r.Leaf.Outputs) }),
			"params":    text(30, "parameters", func(r *LeafRow) string { return params(r.Leaf.Params) }),
			"note":      text(20, "note", func(r *LeafRow) string { return r.Leaf.Note }),
			"leaf_hash": text(66, "the leaf's hash in the log", func(r *LeafRow) string { return r.Hash.String() }),
		},
	},
}

func yes(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func typeCounts(tc []analysis.TypeCount) string {
	parts := make([]string, len(tc))
	for i, t := range tc {
		parts[i] = t.Type + " " + strconv.Itoa(t.Count)
	}
	return strings.Join(parts, ", ")
}

func params(ps []provenance.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		v := p.Value
		if len(v) > 120 {
			v = v[:117] + "..."
		}
		parts[i] = p.Key + "=" + v
	}
	return strings.Join(parts, "; ")
}

// colocationBasis names a co-location analysis's basis with the
// parameters that it uses.
func colocationBasis(p analysis.ColocationParams) string {
	switch p.Basis {
	case analysis.BasisCell, analysis.BasisSite:
		return fmt.Sprintf("%s, window %d s", p.Basis, p.WindowS)
	case analysis.BasisSector:
		return fmt.Sprintf("%s, window %d s, radius %g m", p.Basis, p.WindowS, p.SectorRadiusM)
	case analysis.BasisServiceArea:
		return fmt.Sprintf("%s, window %d s, %g° sectors to neighbour %d, back %g, at most %g m", p.Basis, p.WindowS,
			p.AreaWidthDeg, p.AreaNeighbour, p.AreaBackFraction, p.AreaMaxRadiusM)
	}
	return fmt.Sprintf("%s, window %d s, distance %g m", p.Basis, p.WindowS, p.DistanceM)
}

// SourceDoc describes a template source for people: its fields, in name
// order.
type SourceDoc struct {
	Name   string
	Doc    string
	Order  string // the order of its rows unless a template sorts them
	Sorted bool   // templates may sort its rows
	Fields []FieldDoc
}

// FieldDoc describes one field of a source.
type FieldDoc struct {
	Name, Format, Doc string
}

// Sources describes every template source, in name order.
func Sources() []SourceDoc {
	var out []SourceDoc
	for _, n := range sourceNames() {
		s := sources[n]
		d := SourceDoc{Name: n, Doc: s.doc, Order: s.fixedOrder, Sorted: !s.streamed}
		for _, f := range s.names() {
			d.Fields = append(d.Fields, FieldDoc{Name: f, Format: s.fields[f].format, Doc: s.fields[f].doc})
		}
		out = append(out, d)
	}
	return out
}
