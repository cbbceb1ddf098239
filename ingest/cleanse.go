package ingest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// This file turns one data row into an event or a cell, or a row fault: the
// work of Parse's workers. Everything here is a function of the row alone
// (the caches only remember results of pure functions), so rows can be
// cleansed in any order and on any goroutine.

// The fields of a CDR profile, in the order of cdrFields.
const (
	fTarget = iota
	fOther
	fEventType
	fDirection
	fStart
	fStartDate
	fStartTime
	fUTCOffset
	fDuration
	fFirstCell
	fLastCell
	fFirstLAC
	fFirstCI
	fLastLAC
	fLastCI
	fIMEI
	fIMSI
	fAPN
	fBytes
	fBytesUp
	fBytesDown
	fChargingID
	numCDRFields
)

// The fields of a cells profile, in the order of cellFields.
const (
	cCell = iota
	cMCC
	cMNC
	cLAC
	cTAC
	cCI
	cECI
	cENodeB
	cSector
	cRadio
	cSite
	cAddress
	cPostcode
	cLat
	cLon
	cEasting
	cNorthing
	cAzimuth
	cBeamwidth
	cBand
	cEARFCN
	cValidFrom
	cValidTo
	numCellFields
)

var (
	cdrFieldNames = [numCDRFields]string{
		fTarget: "target", fOther: "other", fEventType: "event_type", fDirection: "direction",
		fStart: "start", fStartDate: "start_date", fStartTime: "start_time", fUTCOffset: "utc_offset",
		fDuration: "duration", fFirstCell: "first_cell", fLastCell: "last_cell",
		fFirstLAC: "first_lac", fFirstCI: "first_ci", fLastLAC: "last_lac", fLastCI: "last_ci",
		fIMEI: "imei", fIMSI: "imsi", fAPN: "apn", fBytes: "bytes", fBytesUp: "bytes_up",
		fBytesDown: "bytes_down", fChargingID: "charging_id",
	}
	cellFieldNames = [numCellFields]string{
		cCell: "cell", cMCC: "mcc", cMNC: "mnc", cLAC: "lac", cTAC: "tac", cCI: "ci", cECI: "eci",
		cENodeB: "enodeb", cSector: "sector", cRadio: "radio", cSite: "site", cAddress: "address",
		cPostcode: "postcode", cLat: "lat", cLon: "lon", cEasting: "easting", cNorthing: "northing",
		cAzimuth: "azimuth", cBeamwidth: "beamwidth", cBand: "band", cEARFCN: "earfcn",
		cValidFrom: "valid_from", cValidTo: "valid_to",
	}
)

// fieldCols says where each field of a profile is in the rows under one
// header: at index[f] (0-based), or nowhere when index[f] is -1.
type fieldCols struct {
	index   []int
	names   []string // field names by number
	headers []string // the header row as found by detection, for fault messages
}

// newFieldColsFunc returns a function that turns the columns of a header
// (field name → column) into a fieldCols.
func newFieldColsFunc(cfg *parseConfig) func(map[string]int) *fieldCols {
	names := cellFieldNames[:]
	if cfg.cdr {
		names = cdrFieldNames[:]
	}
	return func(col map[string]int) *fieldCols {
		fc := &fieldCols{index: make([]int, len(names)), names: names, headers: cfg.headers}
		for f, name := range names {
			if i, ok := col[name]; ok {
				fc.index[f] = i
			} else {
				fc.index[f] = -1
			}
		}
		return fc
	}
}

// rowFields reads the fields of one row by number.
type rowFields struct {
	row  *Row
	cols *fieldCols
}

func (r rowFields) get(f int) string {
	i := r.cols.index[f]
	if i < 0 || i >= len(r.row.Fields) {
		return ""
	}
	return trimSpaceASCII(r.row.Fields[i])
}

func (r rowFields) has(f int) bool { return r.cols.index[f] >= 0 }

func (r rowFields) column(f int) string {
	if i := r.cols.index[f]; i >= 0 && i < len(r.cols.headers) {
		return strings.TrimSpace(r.cols.headers[i])
	}
	return r.cols.names[f]
}

func (r rowFields) fault(f int, code, format string, args ...any) RowFault {
	return RowFault{Sheet: r.row.Sheet, Row: r.row.Number, Column: r.column(f), Code: code,
		Reason: fmt.Sprintf(format, args...), Value: r.get(f)}
}

// trimSpaceASCII is strings.TrimSpace, quicker when there is nothing to trim.
func trimSpaceASCII(s string) string {
	if s == "" || s[0] > ' ' && s[0] < 0x80 && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80 {
		return s
	}
	return strings.TrimSpace(s)
}

// cleanser is one worker's state: caches of pure functions and scratch space.
type cleanser struct {
	cfg *parseConfig
	// Normalisers are pure; their results are remembered for values that
	// repeat (the target, cells, handsets, frequent contacts).
	msisdn     memo[string]
	cells      memo[string] // cell columns in the profile's format
	cellsSplit memo[string] // cells from separate LAC and CI columns
	imei       memo[imeiResult]
	imsi       memo[string]
	vocab      map[string][2]string // raw event type → type, direction (cache)
	dirs       map[string]string    // raw direction → in/out/"" (cache)
	times      *timeReader          // start times
	validity   *timeReader          // cells: validity dates
	scratch    []byte
	chunk      *chunk // being cleansed
}

func newCleanser(cfg *parseConfig) *cleanser {
	w := &cleanser{cfg: cfg, vocab: make(map[string][2]string), dirs: make(map[string]string)}
	if cfg.cdr {
		w.times = newTimeReader(cfg.p.TimeFormats, cfg.basis)
	} else {
		basis := TimeBasis(cfg.p.TimeBasis)
		if basis == "" {
			basis = UTC
		}
		w.validity = newTimeReader(cfg.p.TimeFormats, basis)
	}
	return w
}

// clean cleanses the rows of c.
func (w *cleanser) clean(c *chunk) {
	w.chunk = c
	if !w.cfg.cdr {
		for i := range c.rows {
			c.isCell = append(c.isCell, w.cell(&c.rows[i], c.cols[i]))
		}
		return
	}
	// Cut the rows at batch boundaries: a piece per batch.
	size := w.cfg.opt.BatchSize
	for from := 0; from < len(c.rows); {
		n := min(size-(c.start+from)%size, len(c.rows)-from)
		c.pieces = append(c.pieces, piece{rows: n, events: make([]cellsite.Event, 0, n), keyFrom: len(c.keys)})
		pc := &c.pieces[len(c.pieces)-1]
		for i := from; i < from+n; i++ {
			w.event(pc, &c.rows[i], c.cols[i])
		}
		from += n
	}
}

func (w *cleanser) warn(warnings *[]string, code string) {
	*warnings = append(*warnings, code)
	w.chunk.warnings.add(code)
}

// warningCounts counts warnings by code. The codes are few, and the same
// few recur: a list beats a map.
type warningCounts []warningCount

type warningCount struct {
	code string
	n    int
}

func (wc *warningCounts) add(code string) {
	for i := range *wc {
		if (*wc)[i].code == code {
			(*wc)[i].n++
			return
		}
	}
	*wc = append(*wc, warningCount{code, 1})
}

// rejectedFault returns f as a summary records it: its value cut to 200 bytes.
func rejectedFault(f RowFault) RowFault {
	if len(f.Value) > 200 {
		f.Value = f.Value[:200]
	}
	return f
}

// rowKey returns a 128-bit digest of a row's cells, for exact-duplicate
// detection. buf is reused scratch space.
func rowKey(buf *[]byte, fields []string) [16]byte {
	b := (*buf)[:0]
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, 0)
	}
	*buf = b
	return sum128(b)
}

func sum128(b []byte) [16]byte {
	sum := sha256.Sum256(b)
	var k [16]byte
	copy(k[:], sum[:16])
	return k
}

// tupleKey returns a 128-bit digest of what makes two events one event
// recorded twice: target, other party, type, direction and start. Of these
// only the other party may hold a NUL byte, and the start has a fixed
// width, so the encoding has one reading.
func tupleKey(buf *[]byte, e *cellsite.Event) [16]byte {
	b := (*buf)[:0]
	for _, s := range [...]string{e.Target, e.Other, e.Type, e.Direction} {
		b = append(b, s...)
		b = append(b, 0)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(e.Start.UnixNano()))
	*buf = b
	return sum128(b)
}

// event cleanses one CDR row into an event of pc, or a fault.
func (w *cleanser) event(pc *piece, row *Row, cols *fieldCols) {
	c := w.chunk
	if row.Fault != "" {
		pc.faults = append(pc.faults, rejectedFault(RowFault{Sheet: row.Sheet, Row: row.Number, Code: "unreadable", Reason: row.Fault}))
		return
	}
	cfg, p := w.cfg, w.cfg.p
	r := rowFields{row: row, cols: cols}
	// The event is written in place: pc.events has room for one a row,
	// zeroed by make, and a rejected row's slot is zeroed again.
	n := len(pc.events)
	pc.events = pc.events[:n+1]
	e := &pc.events[n]
	e.Source, e.Sheet, e.Row, e.Bytes, e.TimeBasis = cfg.opt.Source, row.Sheet, row.Number, -1, string(cfg.basis)
	reject := func(f RowFault) {
		*e = cellsite.Event{}
		pc.events = pc.events[:n]
		pc.faults = append(pc.faults, rejectedFault(f))
	}

	// Target: the column, or the number given for the whole file.
	e.TargetRaw = r.get(fTarget)
	if !r.has(fTarget) || e.TargetRaw == "" {
		e.TargetRaw = cfg.opt.Target
	}
	if e.TargetRaw == "" {
		reject(r.fault(fTarget, "no-target", "no target number in the row (give --target for exports without one)"))
		return
	}
	t, err := w.msisdn.get(e.TargetRaw, func(raw string) (string, error) { return MSISDN(raw, p.Country) })
	if err != nil {
		reject(r.fault(fTarget, "bad-target", "target number: %v", err))
		return
	}
	e.Target = t

	// Start time.
	field := fStart
	if r.has(fStart) {
		e.StartRaw = r.get(fStart)
	} else {
		field = fStartDate
		e.StartRaw = SplitDateTime(r.get(fStartDate), r.get(fStartTime))
	}
	text := e.StartRaw
	if off := r.get(fUTCOffset); off != "" {
		text += " " + off
	} else if p.UTCOffset != "" {
		text += " " + p.UTCOffset
	}
	if strings.TrimSpace(e.StartRaw) == "" {
		reject(r.fault(field, "no-time", "no start time"))
		return
	}
	at, flag, err := w.times.parse(w.serial(text))
	if err != nil {
		f := r.fault(field, "bad-time", "start time: %v", err)
		f.Value = text
		reject(f)
		return
	}
	e.Start, e.TimeFlag = at, string(flag)
	switch flag {
	case TimeAmbiguous:
		w.warn(&e.Warnings, "time-ambiguous")
	case TimeImpossible:
		w.warn(&e.Warnings, "time-impossible")
	}

	// Event type and direction.
	e.TypeRaw = r.get(fEventType)
	td, ok := w.vocab[e.TypeRaw]
	if !ok {
		td, ok = p.eventTypes[normValue(e.TypeRaw)]
		if !ok {
			td = [2]string{"other", "?"}
		}
		if len(w.vocab) < 1000 {
			w.vocab[e.TypeRaw] = td
		}
	}
	if td[1] == "?" {
		e.Type = "other"
		w.warn(&e.Warnings, "unknown-event-type")
	} else {
		e.Type, e.Direction = td[0], td[1]
	}
	if d := r.get(fDirection); d != "" {
		if dir, ok := w.directionOf(d); ok {
			e.Direction = dir
		} else {
			w.warn(&e.Warnings, "unknown-direction")
		}
	}

	// Other party.
	e.OtherRaw = r.get(fOther)
	e.Other, e.OtherKind = OtherParty(e.OtherRaw, p.Country)

	// Duration.
	e.DurationRaw = r.get(fDuration)
	if d, err := Duration(e.DurationRaw, p.DurationFormat); err != nil {
		w.warn(&e.Warnings, "bad-duration")
		e.DurationS = -1
	} else {
		e.DurationS = d
	}

	// Cells.
	e.FirstCellRaw, e.FirstCell = w.cellOf(r, fFirstCell, fFirstLAC, fFirstCI, &e.Warnings)
	e.LastCellRaw, e.LastCell = w.cellOf(r, fLastCell, fLastLAC, fLastCI, &e.Warnings)
	if e.FirstCell == "" && e.LastCell == "" && (e.Type == "voice" || e.Type == "data") {
		w.warn(&e.Warnings, "no-cell")
	}

	// Handset and subscriber.
	if e.IMEIRaw = r.get(fIMEI); e.IMEIRaw != "" {
		imei, ok, err := w.imeiOf(e.IMEIRaw)
		switch {
		case err != nil:
			w.warn(&e.Warnings, "bad-imei")
		case !ok:
			e.IMEI = imei
			w.warn(&e.Warnings, "imei-check-digit")
		default:
			e.IMEI = imei
		}
	}
	if e.IMSIRaw = r.get(fIMSI); e.IMSIRaw != "" {
		if imsi, err := w.imsiOf(e.IMSIRaw); err != nil {
			w.warn(&e.Warnings, "bad-imsi")
		} else {
			e.IMSI = imsi
		}
	}

	// Data sessions.
	e.APN = r.get(fAPN)
	e.ChargingID = r.get(fChargingID)
	if b := r.get(fBytes); b != "" {
		e.Bytes = w.bytes(b, &e.Warnings)
	} else if up, down := r.get(fBytesUp), r.get(fBytesDown); up != "" || down != "" {
		u, d := w.bytes(up, &e.Warnings), w.bytes(down, &e.Warnings)
		if u >= 0 && d >= 0 {
			e.Bytes = u + d
		}
	}

	// The keys for exact duplicates (all of the row's cells) and split
	// records, checked in file order by the merger.
	c.keys = append(c.keys, rowKey(&w.scratch, row.Fields))
	c.tuples = append(c.tuples, tupleKey(&w.scratch, e))
}

func (w *cleanser) directionOf(raw string) (string, bool) {
	if d, ok := w.dirs[raw]; ok {
		return d, d != ""
	}
	d := w.cfg.p.directions[normValue(raw)]
	if len(w.dirs) < 1000 {
		w.dirs[raw] = d
	}
	return d, d != ""
}

// imeiOf is IMEI, remembered.
func (w *cleanser) imeiOf(raw string) (string, bool, error) {
	if len(raw) == 15 && digitsOnly(raw) { // as IMEI returns it
		return raw, luhnCheckDigit(raw[:14]) == raw[14], nil
	}
	res, err := w.imei.get(raw, func(raw string) (imeiResult, error) {
		v, ok, err := IMEI(raw)
		return imeiResult{v, ok}, err
	})
	return res.imei, res.ok, err
}

// imsiOf returns the IMSI raw as one string of digits, remembered.
func (w *cleanser) imsiOf(raw string) (string, error) {
	if len(raw) >= 6 && len(raw) <= 15 && digitsOnly(raw) { // IMSI splits it and nothing else
		return raw, nil
	}
	return w.imsi.get(raw, func(raw string) (string, error) {
		mcc, mnc, msin, err := IMSI(raw)
		return mcc + mnc + msin, err
	})
}

func (w *cleanser) bytes(s string, warnings *[]string) int64 {
	if s == "" {
		return -1
	}
	digits, ok := ExactDigits(strings.TrimSpace(s))
	if !ok {
		w.warn(warnings, "bad-bytes")
		return -1
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 0 {
		w.warn(warnings, "bad-bytes")
		return -1
	}
	return n
}

// cellOf reads a cell from its own column, or from separate LAC and CI columns.
func (w *cleanser) cellOf(r rowFields, field, lacField, ciField int, warnings *[]string) (raw, key string) {
	format := w.cfg.p.CellFormat
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
	m := &w.cells
	if format != w.cfg.p.CellFormat {
		m = &w.cellsSplit
	}
	key, err := m.get(raw, func(raw string) (string, error) { return CellKey(raw, format, w.cfg.network) })
	if err != nil {
		w.warn(warnings, "bad-cell")
		return raw, ""
	}
	return raw, key
}

var postcodeRe = regexp.MustCompile(`(?i)\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\s*$`)

// cell cleanses one row of a cell list into a cell of the chunk, or a
// fault, and reports which.
func (w *cleanser) cell(row *Row, cols *fieldCols) bool {
	ch := w.chunk
	reject := func(f RowFault) bool {
		ch.faults = append(ch.faults, rejectedFault(f))
		return false
	}
	if row.Fault != "" {
		return reject(RowFault{Sheet: row.Sheet, Row: row.Number, Code: "unreadable", Reason: row.Fault})
	}
	cfg, p := w.cfg, w.cfg.p
	r := rowFields{row: row, cols: cols}
	c := cellsite.Cell{Source: cfg.opt.Source, Sheet: row.Sheet, Row: row.Number}
	c.Radio = strings.ToUpper(r.get(cRadio))
	if c.Radio == "" {
		c.Radio = p.Radio
	}
	switch c.Radio {
	case "", "GSM", "UMTS", "LTE":
	case "NR":
		return reject(r.fault(cRadio, "unsupported-radio", "NR (5G) cell identities are not supported yet"))
	default:
		return reject(r.fault(cRadio, "bad-radio", "radio %q is not GSM, UMTS, LTE or NR", c.Radio))
	}

	// The cell's key.
	network := cfg.network
	if mcc, mnc := r.get(cMCC), r.get(cMNC); mcc != "" && mnc != "" {
		if len(mnc) == 1 {
			mnc = "0" + mnc
		}
		network = mcc + "-" + mnc
	}
	var (
		format string
		field  int
	)
	switch {
	case r.has(cCell):
		c.KeyRaw, format, field = r.get(cCell), p.CellFormat, cCell
	case r.has(cECI):
		c.KeyRaw, format, field = r.get(cECI), "eci", cECI
	case r.has(cENodeB) && r.has(cSector):
		enb, err1 := strconv.ParseInt(r.get(cENodeB), 10, 64)
		sec, err2 := strconv.ParseInt(r.get(cSector), 10, 64)
		if err1 != nil || err2 != nil || enb < 0 || sec < 0 || sec > 255 {
			return reject(r.fault(cENodeB, "bad-cell", "eNodeB %q and sector %q do not form a cell identity", r.get(cENodeB), r.get(cSector)))
		}
		c.KeyRaw, format, field = strconv.FormatInt(enb*256+sec, 10), "eci", cENodeB
	default:
		lac, ci := r.get(cLAC), r.get(cCI)
		if lac == "" && r.has(cTAC) {
			lac = r.get(cTAC)
		}
		if c.Radio == "LTE" {
			c.KeyRaw, format, field = ci, "eci", cCI // for LTE rows the cell column holds the ECI
		} else {
			c.KeyRaw, format, field = lac+"-"+ci, "lac-ci", cCI
		}
	}
	if strings.Trim(c.KeyRaw, "- ") == "" {
		return reject(r.fault(field, "no-cell", "no cell identity"))
	}
	var key string
	if network == "" && format != "site-ref" && format != "cgi" && format != "ecgi" && format != "auto" {
		return reject(r.fault(field, "no-network", "cell identity %q carries no MCC-MNC and the network is not known: give it with --network (e.g. 234-30)", c.KeyRaw))
	}
	if format == "site-ref" {
		if network == "" {
			return reject(r.fault(field, "no-network", "site reference without MCC-MNC: give the network (--network 234-30)"))
		}
		key = network + "-SITE-" + strings.ToUpper(strings.Join(strings.Fields(c.KeyRaw), ""))
	} else {
		var err error
		if key, err = CellKey(c.KeyRaw, format, network); err != nil {
			return reject(r.fault(field, "bad-cell", "cell identity: %v", err))
		}
	}
	if key == "" || strings.HasPrefix(key, "-") {
		return reject(r.fault(field, "no-network", "cell identity without MCC-MNC: give the network (--network 234-30)"))
	}
	c.Key = key
	if c.Radio == "" {
		if id, err := ParseCellKey(key); err == nil && id.LTE {
			c.Radio = "LTE"
		}
	}

	// Position, in both systems.
	switch {
	case r.get(cLat) != "" || r.get(cLon) != "":
		lat, err1 := strconv.ParseFloat(r.get(cLat), 64)
		lon, err2 := strconv.ParseFloat(r.get(cLon), 64)
		if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 || (lat == 0 && lon == 0) {
			return reject(r.fault(cLat, "bad-position", "latitude %q, longitude %q are not a position", r.get(cLat), r.get(cLon)))
		}
		c.Lat, c.Lon = lat, lon
		if g, err := geo.ToGrid(geo.LatLon{Lat: lat, Lon: lon}); err == nil {
			c.Easting, c.Northing = g.E, g.N
		} else {
			w.warn(&c.Warnings, "outside-national-grid")
		}
	case r.get(cEasting) != "" || r.get(cNorthing) != "":
		e, err1 := strconv.ParseFloat(r.get(cEasting), 64)
		n, err2 := strconv.ParseFloat(r.get(cNorthing), 64)
		if err1 != nil || err2 != nil {
			return reject(r.fault(cEasting, "bad-position", "easting %q, northing %q are not a grid position", r.get(cEasting), r.get(cNorthing)))
		}
		ll, err := geo.FromGrid(geo.EN{E: e, N: n})
		if err != nil {
			return reject(r.fault(cEasting, "bad-position", "easting %q, northing %q: %v", r.get(cEasting), r.get(cNorthing), err))
		}
		c.Easting, c.Northing, c.Lat, c.Lon = e, n, ll.Lat, ll.Lon
	default:
		return reject(r.fault(cLat, "no-position", "no position"))
	}

	// Azimuth: a true-north bearing, 0-359.
	if az := r.get(cAzimuth); az == "" {
		c.Omni = true
	} else {
		v, err := strconv.ParseFloat(az, 64)
		switch {
		case err != nil || math.IsNaN(v) || v < 0 || v > 360:
			return reject(r.fault(cAzimuth, "bad-azimuth", "azimuth %q is not a bearing from 0 to 359 degrees", az))
		case v == 360:
			w.warn(&c.Warnings, "azimuth-360")
			v = 0
		}
		c.AzimuthDeg = v
	}
	if bw := r.get(cBeamwidth); bw != "" {
		v, err := strconv.ParseFloat(bw, 64)
		if err != nil || v <= 0 || v > 360 {
			w.warn(&c.Warnings, "bad-beamwidth")
		} else {
			c.BeamwidthDeg = v
		}
	}
	c.Band = r.get(cBand)
	if c.Band == "" && r.get(cEARFCN) != "" {
		c.Band = "EARFCN " + r.get(cEARFCN)
	}
	c.Site = r.get(cSite)
	c.Address = r.get(cAddress)
	c.Postcode = strings.ToUpper(r.get(cPostcode))
	if c.Postcode == "" {
		if m := postcodeRe.FindStringSubmatch(c.Address); m != nil {
			c.Postcode = strings.ToUpper(m[1])
		}
	}

	// Validity.
	c.ValidFrom, c.ValidTo = cfg.opt.ValidFrom, cfg.opt.ValidTo
	for _, v := range [...]struct {
		field int
		dst   *time.Time
	}{{cValidFrom, &c.ValidFrom}, {cValidTo, &c.ValidTo}} {
		raw := r.get(v.field)
		if raw == "" {
			continue
		}
		t, _, err := w.validity.parse(w.serial(raw))
		if err != nil {
			return reject(r.fault(v.field, "bad-validity", "validity date: %v", err))
		}
		*v.dst = t
	}
	if !c.ValidTo.IsZero() && !c.ValidTo.After(c.ValidFrom) {
		return reject(r.fault(cValidTo, "bad-validity", "valid to %s is not after valid from %s", c.ValidTo.Format(time.RFC3339), c.ValidFrom.Format(time.RFC3339)))
	}

	ch.keys = append(ch.keys, rowKey(&w.scratch, row.Fields))
	ch.cells = append(ch.cells, c)
	return true
}

type imeiResult struct {
	imei string
	ok   bool
}

// memo remembers the results of a pure function of a string, up to a bound,
// with the last result in front (most columns repeat row after row).
type memo[V any] struct {
	m       map[string]memoEntry[V]
	lastKey string
	last    memoEntry[V]
	hasLast bool
}

type memoEntry[V any] struct {
	v   V
	err error
}

const memoLimit = 8192

func (m *memo[V]) get(key string, f func(string) (V, error)) (V, error) {
	if m.hasLast && key == m.lastKey {
		return m.last.v, m.last.err
	}
	if e, ok := m.m[key]; ok {
		m.lastKey, m.last, m.hasLast = key, e, true
		return e.v, e.err
	}
	v, err := f(key)
	m.lastKey, m.last, m.hasLast = key, memoEntry[V]{v, err}, true
	if m.m == nil {
		m.m = make(map[string]memoEntry[V])
	}
	if len(m.m) < memoLimit {
		m.m[key] = memoEntry[V]{v, err}
	}
	return v, err
}

// serial converts an Excel serial date of a 1904-system workbook to the
// 1900 system that ParseTime reads (1,462 days later); other text is
// returned unchanged.
func (w *cleanser) serial(text string) string {
	if !w.cfg.date1904 {
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
