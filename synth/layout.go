package synth

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite/ingest"
)

// layout is how a profile's files are written: the column of each field,
// the header, the clock and the cell notation. It is derived from the
// profile alone.
type layout struct {
	p       *ingest.Profile
	format  string   // csv or xlsx
	fields  []string // field of each column; "" for a column no field uses
	header  []string // nil when headerless
	delim   byte
	crlf    bool
	bom     bool
	single  bool // one byte per character
	messy   bool // an operator's export: banners, apostrophes
	footers []*regexp.Regexp
	rowPat  *regexp.Regexp
	network string // the network an ingest assumes for cells without one
	basis   ingest.TimeBasis
	zone    *time.Location
	layout  string                  // the first time format
	zoneEl  string                  // the layout's zone element, stripped from written times when the offset is implied
	gsm     bool                    // cells are written as GSM-style LAC and CI
	events  map[[2]string][2]string // type and direction → the texts written
}

// newLayout derives the layout of profile p for a file named name.
func newLayout(p *ingest.Profile, name string) (*layout, error) {
	l := &layout{p: p, format: p.FileTypes[0], delim: ',', basis: ingest.TimeBasis(p.TimeBasis)}
	if p.Delimiter != "" {
		l.delim = p.Delimiter[0]
	}
	l.messy = p.Status != "documented" && p.Status != "verified" && !p.Headerless
	l.crlf = l.messy
	enc := strings.ToLower(p.Encoding)
	l.single = enc == "windows-1252" || enc == "latin-1"
	l.bom = l.messy && l.format == "csv" && !l.single
	for _, pat := range p.FooterPatterns {
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil, fmt.Errorf("footer pattern %q: %w", pat, err)
		}
		l.footers = append(l.footers, re)
	}
	if p.RowPattern != "" {
		re, err := regexp.Compile(p.RowPattern)
		if err != nil {
			return nil, fmt.Errorf("row pattern: %w", err)
		}
		l.rowPat = re
	}
	l.network = p.Network
	if p.NetworkFromName != "" {
		re, err := regexp.Compile(p.NetworkFromName)
		if err != nil {
			return nil, fmt.Errorf("network_from_name: %w", err)
		}
		if m := re.FindStringSubmatch(name); len(m) == 3 {
			l.network = m[1] + "-" + m[2]
		}
	}
	order := cdrFieldOrder
	if p.Kind == "cells" {
		order = cellFieldOrder
	}
	order = columnOrder(p, order)
	if p.Headerless {
		width := 0
		pos := map[string]int{}
		for _, f := range sortedKeys(p.Columns) {
			n, err := strconv.Atoi(strings.TrimPrefix(p.Columns[f][0], "#"))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("column %s: position %q", f, p.Columns[f][0])
			}
			pos[f] = n - 1
			width = max(width, n)
		}
		l.fields = make([]string, width)
		for f, i := range pos {
			l.fields[i] = f
		}
	} else {
		for _, f := range order {
			if names, ok := p.Columns[f]; ok {
				l.fields = append(l.fields, f)
				l.header = append(l.header, names[0])
			}
		}
	}
	if p.Kind == "cdr" {
		if len(p.TimeFormats) == 0 {
			return nil, errors.New("no time formats")
		}
		l.layout = p.TimeFormats[0]
		switch l.basis {
		case ingest.UTC:
			l.zone = time.UTC
		case ingest.UKLocal:
			l.zone = london()
		case ingest.Offset:
			if p.UTCOffset != "" {
				z, err := fixedZone(p.UTCOffset)
				if err != nil {
					return nil, err
				}
				l.zone = z
			} else {
				l.zone = time.UTC
				if dp, ok := dialPlans[p.Country]; ok {
					z, err := time.LoadLocation(dp.zone)
					if err != nil {
						return nil, err
					}
					l.zone = z
				}
			}
		default:
			return nil, fmt.Errorf("time basis %q", p.TimeBasis)
		}
		if p.UTCOffset != "" || l.has("utc_offset") {
			l.zoneEl = zoneElement(l.layout)
			if l.zoneEl == "" || !strings.HasSuffix(l.layout, " "+l.zoneEl) {
				return nil, fmt.Errorf("time format %q does not end with a UTC offset after a space, so the offset cannot be left implied", l.layout)
			}
		}
		if (l.has("start_date") || l.has("start_time")) && !strings.Contains(strings.TrimSuffix(l.layout, " "+l.zoneEl), " ") {
			return nil, fmt.Errorf("time format %q cannot be split into a date and a time column", l.layout)
		}
		l.events = map[[2]string][2]string{}
		for _, k := range expressible(p) {
			ev, dir, _ := eventText(p, k.typ, k.dir)
			l.events[[2]string{k.typ, k.dir}] = [2]string{ev, dir}
		}
		l.gsm = p.CellFormat == "cgi" || p.CellFormat == "lac-ci" || p.CellFormat == "lac-ci-hex" ||
			!l.has("first_cell") && l.has("first_lac") && l.has("first_ci")
	}
	return l, nil
}

func (l *layout) has(field string) bool { _, ok := l.p.Columns[field]; return ok }

// fixedZone returns the zone of an offset such as "+05:30".
func fixedZone(off string) (*time.Location, error) {
	if len(off) != 6 || (off[0] != '+' && off[0] != '-') || off[3] != ':' {
		return nil, fmt.Errorf("utc_offset %q", off)
	}
	h, err1 := strconv.Atoi(off[1:3])
	m, err2 := strconv.Atoi(off[4:])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("utc_offset %q", off)
	}
	secs := (h*60 + m) * 60
	if off[0] == '-' {
		secs = -secs
	}
	return time.FixedZone("UTC"+off, secs), nil
}

// zoneElement returns the zone element of a Go time layout, or "".
func zoneElement(layout string) string {
	for _, el := range []string{"Z07:00:00", "-07:00:00", "Z07:00", "-07:00", "Z0700", "-0700", "Z07", "-07", "MST"} {
		if strings.Contains(layout, el) {
			return el
		}
	}
	return ""
}

// timeText is a time as written: the text of the start column (or the date
// and time columns), and the offset column's text when the layout has one.
type timeText struct {
	start, date, clock, offset string
	num                        bool // an Excel serial or Unix time
}

// renderTime writes instant t in the layout. stale writes UK local time
// with the winter offset whatever the season (a planted clock fault).
func (l *layout) renderTime(t time.Time, stale bool) (timeText, error) {
	zone := l.zone
	if stale {
		zone = time.UTC
	}
	return l.renderWith(l.layout, t.In(zone))
}

// renderWith writes the clock time w (in its zone) with one time format.
func (l *layout) renderWith(layout string, w time.Time) (timeText, error) {
	var tt timeText
	t := w
	switch layout {
	case "excel":
		// Serial days since 30 December 1899, of the clock time.
		wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)
		secs := wall.Unix() - excelEpoch
		days, rem := secs/86400, secs%86400
		frac := (rem*10_000_000_000 + 43200) / 86400
		tt.start, tt.num = fmt.Sprintf("%d.%010d", days, frac), true
	case "unix":
		tt.start, tt.num = strconv.FormatInt(t.Unix(), 10), true
	case "unixms":
		tt.start, tt.num = strconv.FormatInt(t.UnixMilli(), 10), true
	case "rfc3339":
		tt.start = w.Format(time.RFC3339)
	default:
		tt.start = w.Format(layout)
	}
	if l.zoneEl != "" {
		tt.offset = w.Format(l.zoneEl)
		s, ok := strings.CutSuffix(tt.start, " "+tt.offset)
		if !ok {
			return tt, fmt.Errorf("time %q does not end with its offset %q", tt.start, tt.offset)
		}
		tt.start = s
	}
	if l.has("start_date") {
		d, c, ok := strings.Cut(tt.start, " ")
		if !ok || tt.num {
			return tt, fmt.Errorf("time %q cannot be split into date and time", tt.start)
		}
		tt.date, tt.clock = d, c
	}
	return tt, nil
}

// excelEpoch is 30 December 1899 in Unix seconds.
const excelEpoch = -2209161600

// impossibleTime returns a start text naming 31 February, in the first
// layout of the profile that writes dates as text.
func (l *layout) impossibleTime(year int) (timeText, error) {
	lay := ""
	for _, f := range l.p.TimeFormats {
		switch f {
		case "excel", "unix", "unixms":
			continue
		case "rfc3339":
			lay = time.RFC3339
		default:
			lay = f
		}
		break
	}
	if lay == "" {
		lay = "2006-01-02 15:04:05"
	}
	tt, err := l.renderWith(lay, time.Date(year, time.February, 28, 10, 15, 7, 0, l.zone))
	if err != nil {
		return tt, err
	}
	if !strings.Contains(tt.start, "28") {
		return tt, fmt.Errorf("time format %q writes no day of the month", lay)
	}
	tt.start = strings.Replace(tt.start, "28", "31", 1)
	tt.num = false
	if tt.date != "" {
		tt.date = strings.Replace(tt.date, "28", "31", 1)
	}
	return tt, nil
}

// cellText writes cell c in the layout's notation and returns the key an
// ingest must derive from it. variant picks among equivalent notations.
func (l *layout) cellText(c *cell, variant int) (raw, key string, hex bool, err error) {
	sameNet := c.net == l.network
	need := func() error {
		if !sameNet {
			return fmt.Errorf("cell format %s carries no network, and the file's network is %q, not %s", l.p.CellFormat, l.network, c.net)
		}
		return nil
	}
	if l.gsm {
		key = c.gsmKey
		switch l.p.CellFormat {
		case "cgi":
			if variant%3 == 2 {
				return fmt.Sprintf("%s%s-%d-%d", c.mcc, c.mnc, c.lac, c.ci), key, false, nil
			}
			return key, key, false, nil
		case "lac-ci-hex":
			return fmt.Sprintf("%X-%X", c.lac, c.ci), key, true, need()
		default:
			return fmt.Sprintf("%d-%d", c.lac, c.ci), key, false, need()
		}
	}
	key = c.key
	switch l.p.CellFormat {
	case "eci":
		return strconv.FormatInt(c.eci, 10), key, false, need()
	case "eci-hex":
		if variant%4 == 3 {
			return fmt.Sprintf("%x", c.eci), key, true, need()
		}
		return fmt.Sprintf("%X", c.eci), key, true, need()
	case "tac-eci":
		return fmt.Sprintf("%d-%d", c.tac, c.eci), key, false, need()
	case "ecgi":
		if variant%3 == 2 {
			return fmt.Sprintf("%s%s%09d", c.mcc, c.mnc, c.eci), key, false, nil
		}
		return key, key, false, nil
	case "auto":
		if sameNet && c.eci > 65535 && variant%2 == 1 {
			return strconv.FormatInt(c.eci, 10), key, false, nil
		}
		return key, key, false, nil
	}
	return "", "", false, fmt.Errorf("cell format %q cannot be written", l.p.CellFormat)
}

// durationText writes a duration in the layout's format.
func (l *layout) durationText(secs int64, variant int) string {
	hms := func() string { return fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60) }
	switch l.p.DurationFormat {
	case "hms":
		return hms()
	case "auto":
		if variant%2 == 1 {
			return hms()
		}
	}
	return strconv.FormatInt(secs, 10)
}

// bannerLines returns the lines an operator's system writes above a CDR
// export's header.
func (l *layout) bannerLines(target string, from, to time.Time) []string {
	if !l.messy {
		return nil
	}
	zone := l.zone
	if zone == nil {
		zone = time.UTC
	}
	return []string{
		l.p.Title + " - law enforcement disclosure",
		"SYNTHETIC TEST DATA - no real subscriber",
		"Target: " + target,
		fmt.Sprintf("Period: %s to %s (%s)", from.In(zone).Format("02/01/2006 15:04"), to.In(zone).Format("02/01/2006 15:04"), l.p.TimeBasis),
	}
}

// footerLines returns the footer lines the profile recognises: an end
// marker and a record count, each written only if one of the profile's
// footer patterns matches it.
func (l *layout) footerLines(rows int) []string {
	if len(l.footers) == 0 {
		return nil
	}
	ends := []string{"END OF REPORT", "*** END OF REPORT ***", "END OF LIST", "END OF FILE"}
	if l.p.Kind == "cells" {
		ends = []string{"END OF LIST", "END OF REPORT", "*** END OF LIST ***", "END OF FILE"}
	}
	counts := []string{"Total records: %d", "Record count: %d", "Total rows: %d"}
	var out []string
	for _, group := range [][]string{ends, counts} {
		for _, f := range group {
			s := f
			if strings.Contains(f, "%d") {
				s = fmt.Sprintf(f, rows)
			}
			if l.isFooter(s) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

func (l *layout) isFooter(s string) bool {
	for _, re := range l.footers {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
