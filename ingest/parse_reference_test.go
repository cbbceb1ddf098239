package ingest

// The parser as it was before cleansing moved to worker goroutines: one
// goroutine reads, cleanses, checks for duplicates and digests every row in
// turn. TestParseMatchesReference compares Parse with it on generated files.

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// ReferenceParse is Parse as one plain loop, for differential tests.
var ReferenceParse = referenceParse

// Parse reads every row of a file laid out as lay describes, cleanses it into
// events or cells, and hands them to emit in batches, with every rejected row
// as a RowFault. It returns the file's accounting. Parse stops at the first
// error from the reader or emit, or when ctx is cancelled; callers must then
// discard what was emitted.
func referenceParse(ctx context.Context, rr RowReader, lay Layout, opt Options, emit func(Batch) error) (Summary, error) {
	p := lay.Profile
	ps := &refParser{p: p, opt: opt, emit: emit, sum: Summary{
		File: opt.File, Kind: p.Kind, Profile: p.Name, ProfileVersion: p.Version, ProfileStatus: p.Status,
		ProfileHash: p.Hash, RejectedBy: map[string]int{}, Warnings: map[string]int{},
	}}
	if ps.opt.BatchSize <= 0 {
		ps.opt.BatchSize = 4096
	}
	ps.basis = TimeBasis(p.TimeBasis)
	if opt.TimeBasis != "" {
		ps.basis = opt.TimeBasis
	}
	if p.Kind == "cdr" {
		ps.sum.TimeBasis = string(ps.basis)
		ps.digest = cellsite.NewEventDigest()
	} else {
		ps.digest = cellsite.NewCellDigest()
	}
	if err := ps.resolveNetwork(); err != nil {
		return ps.sum, err
	}
	if wb, ok := rr.(Workbook); ok && wb.Date1904() {
		ps.date1904 = true
	}
	ps.dups = make(map[[16]byte]int32)
	ps.vocab = make(map[string][2]string)
	ps.dirs = make(map[string]string)
	ps.splits = make(map[[16]byte]int32)
	ps.sum.HeaderRow = lay.HeaderRow
	if p.Kind == "cdr" {
		ps.batch.Events = make([]cellsite.Event, 0, ps.opt.BatchSize)
	}

	sheet, started := "", false
	var col map[string]int
	headerSeen := false
	for {
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ps.sum, err
		}
		if !started || row.Sheet != sheet {
			if started {
				ps.endSheet(sheet, headerSeen)
			}
			sheet, started = row.Sheet, true
			headerSeen = p.Headerless
			col = lay.Column
			if row.Sheet != "" {
				ps.sum.Sheets = append(ps.sum.Sheets, row.Sheet)
			}
		}
		ps.sum.Lines++
		if row.Fault == "" && refBlank(row.Fields) {
			ps.sum.Blank++
			continue
		}
		if !headerSeen {
			if c, ok := p.refHeaderColumns(row); ok {
				col, headerSeen = c, true
				ps.sum.Headers++
			} else {
				ps.sum.Banner++
			}
			continue
		}
		if row.Fault == "" {
			if p.refIsFooter(row.Fields) {
				ps.sum.Footer++
				continue
			}
			if !p.Headerless && ps.repeatsHeader(row, col) {
				ps.sum.Headers++ // a header repeated inside the data (paged exports)
				continue
			}
		}
		ps.sum.Read++
		if row.Fault != "" {
			ps.reject(RowFault{Sheet: row.Sheet, Row: row.Number, Code: "unreadable", Reason: row.Fault})
		} else if p.Kind == "cdr" {
			ps.event(row, col, lay.Headers)
		} else {
			ps.cell(row, col, lay.Headers)
		}
		if ps.pending() >= ps.opt.BatchSize {
			if err := ctx.Err(); err != nil {
				return ps.sum, err
			}
			// A cell list's cells are held to the end (conflict check,
			// digest): only its faults go now.
			held := ps.batch.Cells
			ps.batch.Cells = nil
			if err := ps.flush(); err != nil {
				return ps.sum, err
			}
			ps.batch.Cells = held
		}
	}
	if started {
		ps.endSheet(sheet, headerSeen)
	}
	if wb, ok := rr.(Workbook); ok {
		for _, si := range wb.SheetList() {
			if !si.Read && si.Worksheet {
				ps.sum.SheetsNotRead = append(ps.sum.SheetsNotRead, si.Name)
				ps.sum.Warnings["sheet-not-read"]++
			}
		}
	}
	if p.Kind == "cells" {
		ps.sum.Conflicts = flagConflicts(ps.batch.Cells, ps.sum.Warnings)
		for i := range ps.batch.Cells {
			ps.digest.AddCell(&ps.batch.Cells[i])
		}
	}
	if err := ps.flush(); err != nil {
		return ps.sum, err
	}
	ps.sum.Output = ps.digest.Sum()
	ps.sum.Output.Name = p.Kind
	if ps.sum.Read != ps.sum.Accepted+ps.sum.Duplicates+ps.sum.Rejected ||
		ps.sum.Lines != ps.sum.Banner+ps.sum.Headers+ps.sum.Blank+ps.sum.Footer+ps.sum.Read {
		return ps.sum, cellsite.Errorf(cellsite.Internal, "ingest "+opt.File, "row accounting does not balance: %+v", ps.sum)
	}
	return ps.sum, nil
}

type refParser struct {
	p       *Profile
	opt     Options
	emit    func(Batch) error
	sum     Summary
	basis   TimeBasis
	network string
	digest  *cellsite.Digest
	batch   Batch
	dups    map[[16]byte]int32 // row content → first row
	scratch []byte
	// date1904: the workbook counts serial dates from 1904-01-01.
	date1904 bool
	// Normalisers are pure; their results are remembered for values that
	// repeat (the target, cells, handsets, frequent contacts).
	msisdn     memo[string]
	cells      memo[string] // cell columns in the profile's format
	cellsSplit memo[string] // cells from separate LAC and CI columns
	imei       memo[imeiResult]
	imsi       memo[string]
	vocab      map[string][2]string // raw event type → type, direction (cache)
	dirs       map[string]string    // raw direction → in/out/"" (cache)
	splits     map[[16]byte]int32   // target, other, type, start → first row
}

func (ps *refParser) pending() int {
	if ps.p.Kind == "cells" {
		return len(ps.batch.Faults) // cells are held to the end for the conflict check
	}
	return len(ps.batch.Events) + len(ps.batch.Faults)
}

func (ps *refParser) flush() error {
	if len(ps.batch.Events)+len(ps.batch.Cells)+len(ps.batch.Faults) == 0 {
		return nil
	}
	if ps.p.Kind == "cdr" {
		for i := range ps.batch.Events {
			ps.digest.AddEvent(&ps.batch.Events[i])
		}
	}
	err := ps.emit(ps.batch) // the batch now belongs to the caller
	ps.batch = Batch{}
	if ps.p.Kind == "cdr" {
		ps.batch.Events = make([]cellsite.Event, 0, ps.opt.BatchSize)
	}
	return err
}

func (ps *refParser) endSheet(sheet string, headerSeen bool) {
	if !headerSeen && sheet != "" {
		ps.sum.Warnings["sheet-without-header"]++
	}
}

func (ps *refParser) resolveNetwork() error {
	ps.network = ps.p.Network
	if ps.p.netFromNam != nil {
		if m := ps.p.netFromNam.FindStringSubmatch(ps.opt.File); m != nil {
			ps.network = m[1] + "-" + m[2]
		}
	}
	if ps.opt.Network != "" {
		if !networkRe.MatchString(ps.opt.Network) {
			return cellsite.Errorf(cellsite.Invalid, "ingest "+ps.opt.File, "network %q: want MCC-MNC such as 234-30", ps.opt.Network)
		}
		ps.network = ps.opt.Network
	}
	return nil
}

func (ps *refParser) reject(f RowFault) {
	if len(f.Value) > 200 {
		f.Value = f.Value[:200]
	}
	ps.sum.Rejected++
	ps.sum.RejectedBy[f.Code]++
	ps.batch.Faults = append(ps.batch.Faults, f)
}

func refBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerColumns reports whether row is a header of p, with its columns.
func (p *Profile) refHeaderColumns(row Row) (map[string]int, bool) {
	if row.Fault != "" {
		return nil, false
	}
	col := make(map[string]int)
	for i, h := range row.Fields {
		if f, ok := p.headerOf[normHeader(h)]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	if len(col) == 0 {
		return nil, false
	}
	for _, f := range p.Required {
		if _, ok := col[f]; !ok {
			return nil, false
		}
	}
	return col, true
}

// repeatsHeader reports whether a data row is the header again: its cells in
// the columns of the required fields are those fields' header names.
func (ps *refParser) repeatsHeader(row Row, col map[string]int) bool {
	for _, f := range ps.p.Required {
		i, ok := col[f]
		if !ok || i >= len(row.Fields) {
			return false
		}
		v := row.Fields[i]
		if v == "" || ps.p.headerOf[normHeader(v)] != f {
			return false
		}
	}
	return len(ps.p.Required) > 0
}

func (p *Profile) refIsFooter(fields []string) bool {
	if len(p.footers) == 0 {
		return false
	}
	// Footer lines carry a few words, not a record: only rows with at most
	// three non-empty cells are tested against the patterns.
	filled := 0
	for _, f := range fields {
		if f != "" {
			if filled++; filled > 3 {
				return false
			}
		}
	}
	line := strings.TrimSpace(strings.Join(fields, ","))
	for _, re := range p.footers {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// refRowCtx reads the fields of one row by name.
type refRowCtx struct {
	row     Row
	col     map[string]int
	headers []string
}

func (r refRowCtx) get(field string) string {
	i, ok := r.col[field]
	if !ok || i >= len(r.row.Fields) {
		return ""
	}
	return strings.TrimSpace(r.row.Fields[i])
}

func (r refRowCtx) has(field string) bool { _, ok := r.col[field]; return ok }

func (r refRowCtx) column(field string) string {
	if i, ok := r.col[field]; ok && i < len(r.headers) {
		return strings.TrimSpace(r.headers[i])
	}
	return field
}

func (r refRowCtx) fault(field, code, format string, args ...any) RowFault {
	return RowFault{Sheet: r.row.Sheet, Row: r.row.Number, Column: r.column(field), Code: code,
		Reason: fmt.Sprintf(format, args...), Value: r.get(field)}
}

// refRowKey returns a 128-bit digest of a row's cells, for exact-duplicate
// detection. buf is reused scratch space.
func refRowKey(buf *[]byte, fields []string) [16]byte {
	b := (*buf)[:0]
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, 0)
	}
	*buf = b
	sum := sha256.Sum256(b)
	var k [16]byte
	copy(k[:], sum[:16])
	return k
}

func (ps *refParser) event(row Row, col map[string]int, headers []string) {
	r := refRowCtx{row: row, col: col, headers: headers}
	p := ps.p
	e := cellsite.Event{Source: ps.opt.Source, Sheet: row.Sheet, Row: row.Number, Bytes: -1, TimeBasis: string(ps.basis)}
	warn := func(code string) {
		e.Warnings = append(e.Warnings, code)
		ps.sum.Warnings[code]++
	}

	// Target: the column, or the number given for the whole file.
	e.TargetRaw = r.get("target")
	if !r.has("target") || e.TargetRaw == "" {
		e.TargetRaw = ps.opt.Target
	}
	if e.TargetRaw == "" {
		ps.reject(r.fault("target", "no-target", "no target number in the row (give --target for exports without one)"))
		return
	}
	t, err := ps.msisdn.get(e.TargetRaw, func(raw string) (string, error) { return MSISDN(raw, p.Country) })
	if err != nil {
		ps.reject(r.fault("target", "bad-target", "target number: %v", err))
		return
	}
	e.Target = t

	// Start time.
	field := "start"
	if r.has("start") {
		e.StartRaw = r.get("start")
	} else {
		field = "start_date"
		e.StartRaw = SplitDateTime(r.get("start_date"), r.get("start_time"))
	}
	text := e.StartRaw
	if off := r.get("utc_offset"); off != "" {
		text += " " + off
	} else if p.UTCOffset != "" {
		text += " " + p.UTCOffset
	}
	if strings.TrimSpace(e.StartRaw) == "" {
		ps.reject(r.fault(field, "no-time", "no start time"))
		return
	}
	at, flag, err := ParseTime(ps.serial(text), p.TimeFormats, ps.basis)
	if err != nil {
		f := r.fault(field, "bad-time", "start time: %v", err)
		f.Value = text
		ps.reject(f)
		return
	}
	e.Start, e.TimeFlag = at, string(flag)
	switch flag {
	case TimeAmbiguous:
		warn("time-ambiguous")
	case TimeImpossible:
		warn("time-impossible")
	}

	// Event type and direction.
	e.TypeRaw = r.get("event_type")
	td, ok := ps.vocab[e.TypeRaw]
	if !ok {
		td, ok = p.eventTypes[normValue(e.TypeRaw)]
		if !ok {
			td = [2]string{"other", "?"}
		}
		if len(ps.vocab) < 1000 {
			ps.vocab[e.TypeRaw] = td
		}
	}
	if td[1] == "?" {
		e.Type = "other"
		warn("unknown-event-type")
	} else {
		e.Type, e.Direction = td[0], td[1]
	}
	if d := r.get("direction"); d != "" {
		if dir, ok := ps.directionOf(d); ok {
			e.Direction = dir
		} else {
			warn("unknown-direction")
		}
	}

	// Other party.
	e.OtherRaw = r.get("other")
	e.Other, e.OtherKind = OtherParty(e.OtherRaw, p.Country)

	// Duration.
	e.DurationRaw = r.get("duration")
	if d, err := Duration(e.DurationRaw, p.DurationFormat); err != nil {
		warn("bad-duration")
		e.DurationS = -1
	} else {
		e.DurationS = d
	}

	// Cells.
	e.FirstCellRaw, e.FirstCell = ps.cellOf(r, "first_cell", "first_lac", "first_ci", warn)
	e.LastCellRaw, e.LastCell = ps.cellOf(r, "last_cell", "last_lac", "last_ci", warn)
	if e.FirstCell == "" && e.LastCell == "" && (e.Type == "voice" || e.Type == "data") {
		warn("no-cell")
	}

	// Handset and subscriber.
	if e.IMEIRaw = r.get("imei"); e.IMEIRaw != "" {
		res, err := ps.imei.get(e.IMEIRaw, func(raw string) (imeiResult, error) {
			v, ok, err := IMEI(raw)
			return imeiResult{v, ok}, err
		})
		imei, ok := res.imei, res.ok
		switch {
		case err != nil:
			warn("bad-imei")
		case !ok:
			e.IMEI = imei
			warn("imei-check-digit")
		default:
			e.IMEI = imei
		}
	}
	if e.IMSIRaw = r.get("imsi"); e.IMSIRaw != "" {
		if imsi, err := ps.imsi.get(e.IMSIRaw, func(raw string) (string, error) {
			mcc, mnc, msin, err := IMSI(raw)
			return mcc + mnc + msin, err
		}); err != nil {
			warn("bad-imsi")
		} else {
			e.IMSI = imsi
		}
	}

	// Data sessions.
	e.APN = r.get("apn")
	e.ChargingID = r.get("charging_id")
	if b := r.get("bytes"); b != "" {
		e.Bytes = ps.bytes(b, warn)
	} else if up, down := r.get("bytes_up"), r.get("bytes_down"); up != "" || down != "" {
		u, d := ps.bytes(up, warn), ps.bytes(down, warn)
		if u >= 0 && d >= 0 {
			e.Bytes = u + d
		}
	}

	// Exact duplicates: kept, marked, linked to the first occurrence.
	k := refRowKey(&ps.scratch, row.Fields)
	if first, dup := ps.dups[k]; dup {
		e.DuplicateOf = int(first)
		ps.sum.Duplicates++
	} else {
		ps.dups[k] = int32(row.Number)
		ps.sum.Accepted++
		if e.Type != "data" {
			sk := refRowKey(&ps.scratch, []string{e.Target, e.Other, e.Type, e.Direction, strconv.FormatInt(e.Start.UnixNano(), 10)})
			if first, seen := ps.splits[sk]; seen {
				ps.sum.SplitCount++
				ps.sum.Warnings["possible-split-record"]++
				if len(ps.sum.SplitRecords) < maxSplitListed {
					ps.sum.SplitRecords = append(ps.sum.SplitRecords, SplitRecord{Sheet: row.Sheet, First: int(first), Row: row.Number})
				}
			} else {
				ps.splits[sk] = int32(row.Number)
			}
		}
		if ps.sum.First.IsZero() || e.Start.Before(ps.sum.First) {
			ps.sum.First = e.Start
		}
		if e.Start.After(ps.sum.Last) {
			ps.sum.Last = e.Start
		}
	}
	ps.batch.Events = append(ps.batch.Events, e)
}

func (ps *refParser) directionOf(raw string) (string, bool) {
	if d, ok := ps.dirs[raw]; ok {
		return d, d != ""
	}
	d := ps.p.directions[normValue(raw)]
	if len(ps.dirs) < 1000 {
		ps.dirs[raw] = d
	}
	return d, d != ""
}

func (ps *refParser) bytes(s string, warn func(string)) int64 {
	if s == "" {
		return -1
	}
	digits, ok := ExactDigits(strings.TrimSpace(s))
	if !ok {
		warn("bad-bytes")
		return -1
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 0 {
		warn("bad-bytes")
		return -1
	}
	return n
}

// cellOf reads a cell from its own column, or from separate LAC and CI columns.
func (ps *refParser) cellOf(r refRowCtx, field, lacField, ciField string, warn func(string)) (raw, key string) {
	format := ps.p.CellFormat
	if r.has(field) {
		raw = r.get(field)
	} else if r.has(lacField) && r.has(ciField) {
		lac, ci := r.get(lacField), r.get(ciField)
		if lac == "" && ci == "" {
			return "", ""
		}
		raw, format = lac+"-"+ci, "lac-ci"
	}
	if raw == "" {
		return "", ""
	}
	m := &ps.cells
	if format != ps.p.CellFormat {
		m = &ps.cellsSplit
	}
	key, err := m.get(raw, func(raw string) (string, error) { return CellKey(raw, format, ps.network) })
	if err != nil {
		warn("bad-cell")
		return raw, ""
	}
	return raw, key
}

func (ps *refParser) cell(row Row, col map[string]int, headers []string) {
	r := refRowCtx{row: row, col: col, headers: headers}
	p := ps.p
	c := cellsite.Cell{Source: ps.opt.Source, Sheet: row.Sheet, Row: row.Number}
	warn := func(code string) {
		c.Warnings = append(c.Warnings, code)
		ps.sum.Warnings[code]++
	}
	c.Radio = strings.ToUpper(r.get("radio"))
	if c.Radio == "" {
		c.Radio = p.Radio
	}
	switch c.Radio {
	case "", "GSM", "UMTS", "LTE":
	case "NR":
		ps.reject(r.fault("radio", "unsupported-radio", "NR (5G) cell identities are not supported yet"))
		return
	default:
		ps.reject(r.fault("radio", "bad-radio", "radio %q is not GSM, UMTS, LTE or NR", c.Radio))
		return
	}

	// The cell's key.
	network := ps.network
	if mcc, mnc := r.get("mcc"), r.get("mnc"); mcc != "" && mnc != "" {
		if len(mnc) == 1 {
			mnc = "0" + mnc
		}
		network = mcc + "-" + mnc
	}
	var (
		format, field string
	)
	switch {
	case r.has("cell"):
		c.KeyRaw, format, field = r.get("cell"), p.CellFormat, "cell"
	case r.has("eci"):
		c.KeyRaw, format, field = r.get("eci"), "eci", "eci"
	case r.has("enodeb") && r.has("sector"):
		enb, err1 := strconv.ParseInt(r.get("enodeb"), 10, 64)
		sec, err2 := strconv.ParseInt(r.get("sector"), 10, 64)
		if err1 != nil || err2 != nil || enb < 0 || sec < 0 || sec > 255 {
			ps.reject(r.fault("enodeb", "bad-cell", "eNodeB %q and sector %q do not form a cell identity", r.get("enodeb"), r.get("sector")))
			return
		}
		c.KeyRaw, format, field = strconv.FormatInt(enb*256+sec, 10), "eci", "enodeb"
	default:
		lac, ci := r.get("lac"), r.get("ci")
		if lac == "" && r.has("tac") {
			lac = r.get("tac")
		}
		if c.Radio == "LTE" {
			c.KeyRaw, format, field = ci, "eci", "ci" // for LTE rows the cell column holds the ECI
		} else {
			c.KeyRaw, format, field = lac+"-"+ci, "lac-ci", "ci"
		}
	}
	if strings.Trim(c.KeyRaw, "- ") == "" {
		ps.reject(r.fault(field, "no-cell", "no cell identity"))
		return
	}
	var key string
	if network == "" && format != "site-ref" && format != "cgi" && format != "ecgi" && format != "auto" {
		ps.reject(r.fault(field, "no-network", "cell identity %q carries no MCC-MNC and the network is not known: give it with --network (e.g. 234-30)", c.KeyRaw))
		return
	}
	if format == "site-ref" {
		if network == "" {
			ps.reject(r.fault(field, "no-network", "site reference without MCC-MNC: give the network (--network 234-30)"))
			return
		}
		key = network + "-SITE-" + strings.ToUpper(strings.Join(strings.Fields(c.KeyRaw), ""))
	} else {
		var err error
		if key, err = CellKey(c.KeyRaw, format, network); err != nil {
			ps.reject(r.fault(field, "bad-cell", "cell identity: %v", err))
			return
		}
	}
	if key == "" || strings.HasPrefix(key, "-") {
		ps.reject(r.fault(field, "no-network", "cell identity without MCC-MNC: give the network (--network 234-30)"))
		return
	}
	c.Key = key
	if c.Radio == "" {
		if id, err := ParseCellKey(key); err == nil && id.LTE {
			c.Radio = "LTE"
		}
	}

	// Position, in both systems.
	switch {
	case r.get("lat") != "" || r.get("lon") != "":
		lat, err1 := strconv.ParseFloat(r.get("lat"), 64)
		lon, err2 := strconv.ParseFloat(r.get("lon"), 64)
		if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 || (lat == 0 && lon == 0) {
			ps.reject(r.fault("lat", "bad-position", "latitude %q, longitude %q are not a position", r.get("lat"), r.get("lon")))
			return
		}
		c.Lat, c.Lon = lat, lon
		if g, err := geo.ToGrid(geo.LatLon{Lat: lat, Lon: lon}); err == nil {
			c.Easting, c.Northing = g.E, g.N
		} else {
			warn("outside-national-grid")
		}
	case r.get("easting") != "" || r.get("northing") != "":
		e, err1 := strconv.ParseFloat(r.get("easting"), 64)
		n, err2 := strconv.ParseFloat(r.get("northing"), 64)
		if err1 != nil || err2 != nil {
			ps.reject(r.fault("easting", "bad-position", "easting %q, northing %q are not a grid position", r.get("easting"), r.get("northing")))
			return
		}
		ll, err := geo.FromGrid(geo.EN{E: e, N: n})
		if err != nil {
			ps.reject(r.fault("easting", "bad-position", "easting %q, northing %q: %v", r.get("easting"), r.get("northing"), err))
			return
		}
		c.Easting, c.Northing, c.Lat, c.Lon = e, n, ll.Lat, ll.Lon
	default:
		ps.reject(r.fault("lat", "no-position", "no position"))
		return
	}

	// Azimuth: a true-north bearing, 0-359.
	if az := r.get("azimuth"); az == "" {
		c.Omni = true
	} else {
		v, err := strconv.ParseFloat(az, 64)
		switch {
		case err != nil || math.IsNaN(v) || v < 0 || v > 360:
			ps.reject(r.fault("azimuth", "bad-azimuth", "azimuth %q is not a bearing from 0 to 359 degrees", az))
			return
		case v == 360:
			warn("azimuth-360")
			v = 0
		}
		c.AzimuthDeg = v
	}
	if bw := r.get("beamwidth"); bw != "" {
		v, err := strconv.ParseFloat(bw, 64)
		if err != nil || v <= 0 || v > 360 {
			warn("bad-beamwidth")
		} else {
			c.BeamwidthDeg = v
		}
	}
	c.Band = r.get("band")
	if c.Band == "" && r.get("earfcn") != "" {
		c.Band = "EARFCN " + r.get("earfcn")
	}
	c.Site = r.get("site")
	c.Address = r.get("address")
	c.Postcode = strings.ToUpper(r.get("postcode"))
	if c.Postcode == "" {
		if m := postcodeRe.FindStringSubmatch(c.Address); m != nil {
			c.Postcode = strings.ToUpper(m[1])
		}
	}

	// Validity.
	c.ValidFrom, c.ValidTo = ps.opt.ValidFrom, ps.opt.ValidTo
	for _, v := range []struct {
		field string
		dst   *time.Time
	}{{"valid_from", &c.ValidFrom}, {"valid_to", &c.ValidTo}} {
		raw := r.get(v.field)
		if raw == "" {
			continue
		}
		basis := TimeBasis(p.TimeBasis)
		if basis == "" {
			basis = UTC
		}
		t, _, err := ParseTime(ps.serial(raw), p.TimeFormats, basis)
		if err != nil {
			ps.reject(r.fault(v.field, "bad-validity", "validity date: %v", err))
			return
		}
		*v.dst = t
	}
	if !c.ValidTo.IsZero() && !c.ValidTo.After(c.ValidFrom) {
		ps.reject(r.fault("valid_to", "bad-validity", "valid to %s is not after valid from %s", c.ValidTo.Format(time.RFC3339), c.ValidFrom.Format(time.RFC3339)))
		return
	}

	k := refRowKey(&ps.scratch, row.Fields)
	if _, dup := ps.dups[k]; dup {
		ps.sum.Duplicates++
		return // an exact repeat adds nothing to a cell list; it is counted
	}
	ps.dups[k] = int32(row.Number)
	ps.sum.Accepted++
	ps.batch.Cells = append(ps.batch.Cells, c)
}

// serial converts an Excel serial date of a 1904-system workbook to the
// 1900 system that ParseTime reads (1,462 days later); other text is
// returned unchanged.
func (ps *refParser) serial(text string) string {
	if !ps.date1904 {
		return text
	}
	whole, frac, _ := strings.Cut(text, ".")
	if whole == "" || len(whole) > 9 {
		return text
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return text
		}
	}
	n, _ := strconv.Atoi(whole)
	out := strconv.Itoa(n + 1462)
	if frac != "" {
		out += "." + frac
	}
	return out
}
