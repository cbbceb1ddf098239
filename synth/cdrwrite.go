package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite/ingest"
)

// cdrFieldOrder is the order in which a headed CDR layout's columns are
// written: the order of the canonical layout.
var cdrFieldOrder = []string{
	"target", "other", "event_type", "direction", "start", "start_date", "start_time", "utc_offset",
	"duration", "first_cell", "last_cell", "first_lac", "first_ci", "last_lac", "last_ci",
	"imei", "imsi", "apn", "bytes", "bytes_up", "bytes_down", "charging_id",
}

// plan is where a file's planted defects go, by record index.
type plan struct {
	dups      map[int]bool
	badTime   int // a row with an impossible date goes before this record
	badTarget int // a row with a misread target goes before this record
	badIMEI   int // this record's IMEI gets a wrong check digit
}

func newPlan(rng *rand.Rand, n int, hasTarget, hasIMEI bool) plan {
	pl := plan{dups: map[int]bool{}, badTime: -1, badTarget: -1, badIMEI: -1}
	if n < 8 {
		return pl
	}
	pick := func() int { return 1 + rng.IntN(n-2) }
	for len(pl.dups) < 2 {
		pl.dups[pick()] = true
	}
	pl.badTime = pick()
	if hasTarget {
		pl.badTarget = pick()
	}
	if hasIMEI {
		pl.badIMEI = pick()
	}
	return pl
}

// cdrWriter writes one phone's records in a profile's layout, planting and
// recording defects as it goes.
type cdrWriter struct {
	l       *layout
	ph      *phone
	out     rowWriter
	file    *File
	track   *[]TrackPoint
	rng     *rand.Rand
	plan    plan
	idx     int
	vals    []value
	split   map[splitKey]int // accepted non-data rows by other party, type, direction and instant
	checked int
}

// selfChecks is how many rows of each file are read back with the ingest
// functions as they are written, to catch a layout that cannot round-trip.
const selfChecks = 200

func (w *world) newCDRWriter(path string, l *layout, ph *phone, n int, from, to time.Time) (*cdrWriter, error) {
	f, err := w.sink.Create(path)
	if err != nil {
		return nil, err
	}
	cw := &cdrWriter{l: l, ph: ph, track: &w.truth.Track, rng: w.rand("mess/" + path), split: map[splitKey]int{}}
	cw.file = &File{
		Path: path, Kind: "cdr", Profile: l.p.Name, ProfileVersion: l.p.Version, Format: l.format,
		Target: ph.msisdn, Network: ph.net.id, TimeBasis: l.p.TimeBasis, BOM: l.bom,
		Banner: []string{}, Footer: []string{}, Duplicates: []Dup{}, Rejects: []Reject{}, Warnings: map[string]int{},
	}
	if l.format == "xlsx" {
		cw.file.Sheet = "CDR"
		cw.out, err = newXLSXRows(f, cw.file.Sheet)
		if err != nil {
			f.Close()
			return nil, err
		}
	} else {
		cw.out = newCSVRows(f, l.delim, l.crlf, l.bom, l.single)
	}
	cw.plan = newPlan(cw.rng, n, l.has("target"), l.has("imei"))
	if err := writePreamble(cw.out, cw.file, l.bannerLines(formatNumber(ph.msisdn, l.p.Country, 0), from, to), l.header); err != nil {
		return nil, err
	}
	return cw, nil
}

// mess counts the harmless oddities written into one row.
type mess struct {
	national, apostrophes, hex, smsNoCell int
}

// row renders record r: the values of its columns and the track point an
// ingest must reproduce from them.
func (cw *cdrWriter) row(r *record, badIMEI bool) ([]value, TrackPoint, mess, error) {
	var m mess
	l, p := cw.l, cw.l.p
	tp := TrackPoint{File: cw.file.Path, Time: r.start.UTC(), Type: r.typ, Direction: r.dir, Lat: r.lat, Lon: r.lon}
	texts, ok := l.events[[2]string{r.typ, r.dir}]
	ev, dirText := texts[0], texts[1]
	if !ok {
		return nil, tp, m, fmt.Errorf("profile %s cannot write a %s %s event", p.Name, r.typ, r.dir)
	}
	tt, err := l.renderTime(r.start, r.stale)
	if err != nil {
		return nil, tp, m, err
	}
	if l.basis == ingest.UKLocal {
		switch {
		case r.stale:
			tp.TimeFlag = "impossible"
		case ambiguousUK(r.start):
			tp.TimeFlag = "ambiguous"
		}
	}
	variant := cw.rng.IntN(12)
	vals := cw.vals[:0]
	for _, f := range l.fields {
		var v value
		switch f {
		case "target":
			style := cw.rng.IntN(4)
			v = text(formatNumber(cw.ph.msisdn, p.Country, style))
			if style < 2 && dialPlans[p.Country].cc != "" {
				m.national++
			}
			v.s = cw.apostrophe(v.s, &m)
		case "other":
			if r.otherRaw != "" {
				v = text(r.otherRaw)
			} else {
				v = text(cw.apostrophe(formatNumber(r.other, p.Country, cw.rng.IntN(4)), &m))
			}
		case "event_type":
			v = text(ev)
		case "direction":
			v = text(dirText)
		case "start":
			v = value{s: tt.start, num: tt.num}
		case "start_date":
			v = text(tt.date)
		case "start_time":
			v = text(tt.clock)
		case "utc_offset":
			v = text(tt.offset)
		case "duration":
			v = num(l.durationText(r.dur, variant))
			if strings.Contains(v.s, ":") {
				v.num = false
			}
		case "first_cell", "last_cell", "first_lac", "first_ci", "last_lac", "last_ci":
			c := r.first
			if strings.HasPrefix(f, "last") {
				c = r.last
			}
			if c == nil {
				break
			}
			raw, key, hex, err := l.cellText(c, variant)
			if err != nil {
				return nil, tp, m, err
			}
			switch f {
			case "first_cell":
				tp.Cell = key
				m.hex += b2i(hex)
			case "last_cell":
				tp.LastCell = key
				m.hex += b2i(hex)
			case "first_lac", "last_lac":
				raw = strconv.FormatInt(c.lac, 10)
				if f == "first_lac" {
					tp.Cell = c.gsmKey
				} else {
					tp.LastCell = c.gsmKey
				}
			case "first_ci", "last_ci":
				raw = strconv.FormatInt(c.ci, 10)
			}
			v = text(raw)
		case "imei":
			imei := r.imei
			if badIMEI {
				imei = badCheckDigit(imei)
			}
			v = text(cw.apostrophe(imei, &m))
		case "imsi":
			v = text(cw.apostrophe(r.imsi, &m))
		case "apn":
			v = text(r.apn)
		case "bytes":
			if r.typ == "data" {
				v = num(strconv.FormatInt(r.bytes, 10))
			}
		case "bytes_up":
			if r.typ == "data" {
				v = num(strconv.FormatInt(r.bytes/7, 10))
			}
		case "bytes_down":
			if r.typ == "data" {
				v = num(strconv.FormatInt(r.bytes-r.bytes/7, 10))
			}
		case "charging_id":
			v = text(r.charging)
		}
		vals = append(vals, v)
	}
	cw.vals = vals
	if r.typ == "sms" && r.first == nil {
		m.smsNoCell++
	}
	if cw.checked < selfChecks {
		cw.checked++
		if err := cw.check(vals, tp); err != nil {
			return nil, tp, m, fmt.Errorf("profile %s cannot be written: %w", p.Name, err)
		}
	}
	return vals, tp, m, nil
}

// apostrophe sometimes prefixes a number with the apostrophe a spreadsheet
// uses to keep it as text.
func (cw *cdrWriter) apostrophe(s string, m *mess) string {
	if !cw.l.messy || cw.l.format != "csv" || s == "" || s[0] < '+' || cw.rng.IntN(12) != 0 {
		return s
	}
	m.apostrophes++
	return "'" + s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// check reads a rendered row back with the ingest package's functions.
func (cw *cdrWriter) check(vals []value, tp TrackPoint) error {
	l, p := cw.l, cw.l.p
	get := func(f string) string {
		for i, g := range l.fields {
			if g == f {
				return strings.TrimSpace(vals[i].s)
			}
		}
		return ""
	}
	if l.has("target") {
		got, err := ingest.MSISDN(get("target"), p.Country)
		if err != nil || got != cw.ph.msisdn {
			return fmt.Errorf("target %q reads back as %q (%v), want %s", get("target"), got, err, cw.ph.msisdn)
		}
	}
	start := get("start")
	if !l.has("start") {
		start = ingest.SplitDateTime(get("start_date"), get("start_time"))
	}
	if off := get("utc_offset"); off != "" {
		start += " " + off
	} else if p.UTCOffset != "" {
		start += " " + p.UTCOffset
	}
	got, flag, err := ingest.ParseTime(start, p.TimeFormats, l.basis)
	want := parsedInstant(tp)
	if err != nil || !got.Equal(want) || string(flag) != tp.TimeFlag {
		return fmt.Errorf("time %q reads back as %s %q (%v), want %s %q", start, got.Format(time.RFC3339), flag, err, want.Format(time.RFC3339), tp.TimeFlag)
	}
	for _, c := range []struct{ field, want string }{{"first_cell", tp.Cell}, {"last_cell", tp.LastCell}} {
		if !l.has(c.field) {
			continue
		}
		raw := get(c.field)
		got, err := ingest.CellKey(raw, p.CellFormat, l.network)
		if err != nil || got != c.want {
			return fmt.Errorf("%s %q reads back as %q (%v), want %q", c.field, raw, got, err, c.want)
		}
	}
	return nil
}

// parsedInstant is the instant an ingest reads from a row's written time:
// the true instant, except that an ambiguous UK local time is read as its
// first occurrence.
func parsedInstant(tp TrackPoint) time.Time {
	if tp.TimeFlag == "ambiguous" && !ambiguousFirst(tp.Time) {
		return tp.Time.Add(-time.Hour)
	}
	return tp.Time
}

// ambiguousUK reports whether UK clocks showed the same time at t and one
// hour before or after it (the hour repeated when BST ends).
func ambiguousUK(t time.Time) bool {
	return ambiguousFirst(t) || sameWall(t, t.Add(-time.Hour))
}

// ambiguousFirst reports whether t is the first of two instants with the
// same UK clock time.
func ambiguousFirst(t time.Time) bool { return sameWall(t, t.Add(time.Hour)) }

func sameWall(a, b time.Time) bool {
	uk := london()
	const f = "2006-01-02 15:04:05"
	return a.In(uk).Format(f) == b.In(uk).Format(f)
}

// add writes record r, with any defect planted before or after it.
func (cw *cdrWriter) add(r *record) error {
	i := cw.idx
	cw.idx++
	if i == cw.plan.badTime {
		if err := cw.reject(r, "bad-time"); err != nil {
			return err
		}
	}
	if i == cw.plan.badTarget {
		if err := cw.reject(r, "bad-target"); err != nil {
			return err
		}
	}
	vals, tp, m, err := cw.row(r, i == cw.plan.badIMEI)
	if err != nil {
		return err
	}
	if tp.Row, err = cw.out.write(vals); err != nil {
		return err
	}
	cw.data(tp, r, i == cw.plan.badIMEI, false)
	cw.file.NationalNumber += m.national
	cw.file.Apostrophes += m.apostrophes
	cw.file.HexCells += m.hex
	cw.file.SMSWithoutCell += m.smsNoCell
	*cw.track = append(*cw.track, tp)
	if cw.plan.dups[i] {
		first := tp.Row
		if tp.Row, err = cw.out.write(vals); err != nil {
			return err
		}
		tp.DuplicateOf = first
		cw.data(tp, r, i == cw.plan.badIMEI, true)
		cw.file.Duplicates = append(cw.file.Duplicates, Dup{Row: tp.Row, Of: first})
		*cw.track = append(*cw.track, tp)
	}
	return nil
}

// splitKey is what makes two rows of one target look like one event
// recorded twice.
type splitKey struct {
	other, typ, dir string
	at              int64
}

// data accounts for one event row written.
func (cw *cdrWriter) data(tp TrackPoint, r *record, badIMEI, dup bool) {
	f := cw.file
	f.Rows++
	if tp.TimeFlag != "" {
		f.Warnings["time-"+tp.TimeFlag]++
	}
	if badIMEI {
		f.Warnings["imei-check-digit"]++
	}
	if dup {
		return
	}
	f.Accepted++
	at := parsedInstant(tp)
	if f.First.IsZero() || at.Before(f.First) {
		f.First = at
	}
	if at.After(f.Last) {
		f.Last = at
	}
	if r.typ != "data" {
		k := splitKey{r.other, r.typ, r.dir, at.UnixNano()}
		if cw.split[k] > 0 {
			f.Warnings["possible-split-record"]++
		} else {
			cw.split[k] = tp.Row
		}
	}
}

// reject writes a malformed copy of record r's row: an impossible date, or
// a target number with letters for digits.
func (cw *cdrWriter) reject(r *record, code string) error {
	vals, _, _, err := cw.row(r, false)
	if err != nil {
		return err
	}
	vals = append([]value(nil), vals...)
	var reason string
	switch code {
	case "bad-time":
		tt, err := cw.l.impossibleTime(r.start.Year())
		if err != nil {
			return fmt.Errorf("profile %s: %w", cw.l.p.Name, err)
		}
		for i, f := range cw.l.fields {
			switch f {
			case "start":
				vals[i] = text(tt.start)
			case "start_date":
				vals[i] = text(tt.date)
			}
		}
		reason = "start time names 31 February"
	case "bad-target":
		for i, f := range cw.l.fields {
			if f == "target" {
				s := strings.TrimPrefix(vals[i].s, "'")
				vals[i] = text(s[:len(s)-2] + "OO")
			}
		}
		reason = "target number has the letter O for two digits"
	}
	row, err := cw.out.write(vals)
	if err != nil {
		return err
	}
	cw.file.Rows++
	cw.file.Rejects = append(cw.file.Rejects, Reject{Row: row, Code: code, Reason: reason})
	return nil
}

// close writes the footer and finishes the file.
func (cw *cdrWriter) close() (*File, error) {
	for _, s := range cw.l.footerLines(cw.file.Rows) {
		if _, err := cw.out.write([]value{text(s)}); err != nil {
			return nil, err
		}
		cw.file.Footer = append(cw.file.Footer, s)
	}
	if err := cw.out.close(); err != nil {
		return nil, fmt.Errorf("synth: writing %s: %w", cw.file.Path, err)
	}
	cw.file.Lines = len(cw.file.Banner) + cw.file.Blank + b2i(cw.file.HeaderRow > 0) + cw.file.Rows + len(cw.file.Footer)
	return cw.file, nil
}

// writePreamble writes the banner lines, a blank line after them, and the
// header row (when the layout has one), recording each in file.
func writePreamble(out rowWriter, file *File, banner, header []string) error {
	for _, b := range banner {
		if _, err := out.write([]value{text(b)}); err != nil {
			return err
		}
		file.Banner = append(file.Banner, b)
	}
	if len(banner) > 0 {
		_, ok, err := out.blank()
		if err != nil {
			return err
		}
		if ok {
			file.Blank++
		}
	}
	if header != nil {
		vals := make([]value, len(header))
		for i, h := range header {
			vals[i] = text(h)
		}
		row, err := out.write(vals)
		if err != nil {
			return err
		}
		file.HeaderRow = row
	}
	return nil
}
