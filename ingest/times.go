package ingest

import (
	"fmt"
	"math/big"
	"math/bits"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/London's rules even where the system has no zoneinfo

	"github.com/cellsite/cellsite"
)

// TimeBasis says how the times written in a file relate to UTC.
type TimeBasis string

// The time bases.
const (
	// UTC: times are in UTC. A zone written in a time must be UTC ("Z",
	// "+00:00", "UTC", "GMT"); any other is an error, never converted.
	UTC TimeBasis = "utc"
	// UKLocal: times are UK clock time (Europe/London): GMT in winter, BST
	// (UTC+1) in summer. See TimeAmbiguous and TimeImpossible for the hours
	// around the changes.
	UKLocal TimeBasis = "uk-local"
	// Offset: every time carries its explicit UTC offset such as "+01:00"
	// or "+05:30", written in the time or in a separate column joined to it.
	Offset TimeBasis = "offset"
)

// TimeFlag records how a UK local time was turned into an instant.
type TimeFlag string

// The time flags.
const (
	// TimeOK: the time named exactly one instant.
	TimeOK TimeFlag = ""
	// TimeAmbiguous: a UK local time in the hour that happens twice when
	// BST ends (01:00:00 to 01:59:59 on the last Sunday of October). The
	// instant is the first occurrence, in BST: 01:30 on 25 October 2026 is
	// 00:30 UTC, not 01:30 UTC.
	TimeAmbiguous TimeFlag = "ambiguous"
	// TimeImpossible: a UK local time in the hour that never happens when
	// BST starts (01:00:00 to 01:59:59 on the last Sunday of March). It is
	// read as GMT, the time in force before the change: 01:30 on 29 March
	// 2026 is 01:30 UTC, the instant the clocks showed as 02:30 BST.
	TimeImpossible TimeFlag = "impossible"
)

// europeLondon returns Europe/London, loaded once.
var europeLondon = sync.OnceValues(func() (*time.Location, error) {
	return time.LoadLocation("Europe/London")
})

// ParseTime returns the instant that raw names, in UTC, reading it with the
// first of layouts that fits it and interpreting it by basis.
//
// A layout is a Go time layout ("02/01/2006 15:04:05",
// "2006-01-02T15:04:05Z07:00") or one of:
//
//   - "excel": a spreadsheet serial date, days since the start of 1900 in
//     the 1900 date system ("46109.5416666667" is 28 March 2026 13:00:00).
//     The fraction is converted exactly, by decimal arithmetic, and rounded
//     to the nearest second, a half upwards. Serial 60, the 29 February 1900
//     that spreadsheets count but that never was, is an error; serials
//     after it are counted from 30 December 1899, those before it from 31
//     December 1899.
//   - "unix": seconds since 1970-01-01 UTC, whole or with a fraction (to
//     the nearest nanosecond); "unixms": milliseconds. Both name an instant
//     whatever the basis.
//   - "rfc3339": RFC 3339 with a zone, "2026-03-29T01:30:00+01:00" or
//     "2026-03-29T00:30:00Z", with or without a fraction of a second.
//
// A layout either writes a zone (a numeric offset such as -07:00, a literal
// Z for UTC, or an abbreviation; of these only UTC, GMT, BST and GMT+n are
// known, others are errors) or does not. A time with a zone names an
// instant, which must agree with basis: with UTC the offset must be 0, with
// UKLocal it must be the UK's offset at that instant (so "01:30+01:00" and
// "01:30+00:00" on the October change are the first and the second
// occurrence, and neither is flagged), and with Offset any offset is
// accepted. A time without a zone is UTC clock time with basis UTC and UK
// clock time with basis UKLocal, flagged when it falls in an hour that
// happens twice or not at all (see TimeAmbiguous and TimeImpossible); with
// basis Offset a layout without a zone, or "excel", is an error.
//
// Surrounding spaces and quotes are ignored; empty text is an error. flag is
// TimeOK except for UK local times as described. A time that fits a layout
// but breaks one of these rules is an error even if a later layout would
// fit, since the rules concern what the text says.
func ParseTime(raw string, layouts []string, basis TimeBasis) (t time.Time, flag TimeFlag, err error) {
	const op = "time"
	switch basis {
	case UTC, UKLocal, Offset:
	default:
		return time.Time{}, TimeOK, invalidInput(op, "unknown time basis %q", basis)
	}
	if len(layouts) == 0 {
		return time.Time{}, TimeOK, invalidInput(op, "no time formats given")
	}
	s := trimFieldText(raw)
	if s == "" {
		return time.Time{}, TimeOK, invalidInput(op, "empty")
	}
	uk, err := europeLondon()
	if err != nil {
		return time.Time{}, TimeOK, cellsite.Errorf(cellsite.Internal, op, "loading Europe/London: %w", err)
	}
	for _, layout := range layouts {
		t, flag, matched, err := parseTimeLayout(raw, s, layout, basis, uk)
		if err != nil {
			return time.Time{}, TimeOK, err
		}
		if matched {
			return t, flag, nil
		}
	}
	return time.Time{}, TimeOK, invalidInput(op, "%q fits none of the time formats %q", raw, layouts)
}

// parseTimeLayout reads s with one layout. matched is false when s does not
// fit it.
func parseTimeLayout(raw, s, layout string, basis TimeBasis, uk *time.Location) (t time.Time, flag TimeFlag, matched bool, err error) {
	const op = "time"
	switch layout {
	case "excel":
		if basis == Offset {
			return t, TimeOK, false, invalidInput(op, "format \"excel\" has no UTC offset, which time basis offset needs")
		}
		w, ok, why := parseExcelSerial(s)
		if !ok {
			return t, TimeOK, false, nil
		}
		if why != "" {
			return t, TimeOK, true, invalidInput(op, "%q: %s", raw, why)
		}
		t, flag = clockTimeInstant(w, basis, uk)
		return t, flag, true, nil
	case "unix", "unixms":
		t, ok, why := parseUnixTime(s, layout == "unixms")
		if !ok {
			return t, TimeOK, false, nil
		}
		if why != "" {
			return time.Time{}, TimeOK, true, invalidInput(op, "%q: %s", raw, why)
		}
		return t, TimeOK, true, nil
	case "rfc3339":
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return t, TimeOK, false, nil
		}
		_, off := t.Zone()
		return checkWrittenOffset(raw, t, off, basis, uk)
	}
	zoned, abbrev := layoutWritesZone(layout)
	if basis == Offset && !zoned {
		return t, TimeOK, false, invalidInput(op, "format %q has no UTC offset, which time basis offset needs", layout)
	}
	loc := time.UTC
	if zoned && !abbrev {
		loc = zoneForOffsetSuffix(s)
	}
	t, err = time.ParseInLocation(layout, s, loc)
	if err != nil {
		return t, TimeOK, false, nil
	}
	if !zoned {
		t, flag = clockTimeInstant(t, basis, uk)
		return t, flag, true, nil
	}
	name, off := t.Zone()
	if abbrev {
		// Parsed in UTC, a time with an abbreviation holds the clock time
		// as if it were UTC; only GMT+n comes with an offset (n hours).
		// Give the abbreviations known here their offsets.
		switch {
		case name == "UTC" || name == "GMT":
			off = 0
		case name == "BST":
			off = 3600
		case len(name) > 3 && strings.HasPrefix(name, "GMT"):
		default:
			return t, TimeOK, true, invalidInput(op, "%q: zone %q has no known offset", raw, name)
		}
		t = t.Add(-time.Duration(off) * time.Second)
	}
	return checkWrittenOffset(raw, t, off, basis, uk)
}

// layoutWritesZone reports whether a Go time layout writes a zone, and
// whether it does so only by abbreviation ("MST"). A numeric offset is
// written with a -07 or Z07 element; a Z not followed by 07 is taken as the
// literal UTC designator.
func layoutWritesZone(layout string) (zoned, abbrev bool) {
	numeric := strings.Contains(layout, "-07") || strings.Contains(layout, "Z07")
	if !numeric {
		for i := 0; i < len(layout); i++ {
			if layout[i] == 'Z' && !strings.HasPrefix(layout[i+1:], "07") {
				numeric = true
				break
			}
		}
	}
	named := strings.Contains(layout, "MST")
	return numeric || named, named && !numeric
}

// quarterHourZones holds a fixed zone for every UTC offset that is a
// multiple of a quarter of an hour from -14:00 to +14:00.
var quarterHourZones = sync.OnceValue(func() []*time.Location {
	z := make([]*time.Location, 113)
	for i := range z {
		z[i] = time.FixedZone("", (i-56)*900)
	}
	return z
})

// zoneForOffsetSuffix returns a fixed zone with the offset (±HH:MM or
// ±HHMM) that ends s, or UTC. Parsing in the zone that the text names spares
// the time package making a new one for each time; the text's own offset
// decides the result either way.
func zoneForOffsetSuffix(s string) *time.Location {
	n := len(s)
	var sign byte
	var h, m string
	switch {
	case n >= 6 && s[n-3] == ':':
		sign, h, m = s[n-6], s[n-5:n-3], s[n-2:]
	case n >= 5:
		sign, h, m = s[n-5], s[n-4:n-2], s[n-2:]
	default:
		return time.UTC
	}
	hh, ok1 := boundedDecimal(h, 2, 14)
	mm, ok2 := boundedDecimal(m, 2, 59)
	if sign != '+' && sign != '-' || !ok1 || !ok2 || mm%15 != 0 {
		return time.UTC
	}
	q := int(hh*4 + mm/15)
	if sign == '-' {
		q = -q
	}
	if q == 0 || q > 56 || q < -56 {
		return time.UTC
	}
	return quarterHourZones()[q+56]
}

// checkWrittenOffset checks the offset a time was written with against basis.
func checkWrittenOffset(raw string, t time.Time, off int, basis TimeBasis, uk *time.Location) (time.Time, TimeFlag, bool, error) {
	const op = "time"
	switch basis {
	case UTC:
		if off != 0 {
			return time.Time{}, TimeOK, true, invalidInput(op, "%q is at UTC%s, but the time basis is utc", raw, utcOffsetText(off))
		}
	case UKLocal:
		if _, ukOff := t.In(uk).Zone(); off != ukOff {
			return time.Time{}, TimeOK, true, invalidInput(op, "%q is at UTC%s, but UK time was then UTC%s", raw, utcOffsetText(off), utcOffsetText(ukOff))
		}
	}
	return t.UTC(), TimeOK, true, nil
}

// utcOffsetText formats an offset in seconds as "+01:00".
func utcOffsetText(off int) string {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	s := fmt.Sprintf("%c%02d:%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		s += fmt.Sprintf(":%02d", off%60)
	}
	return s
}

// clockTimeInstant returns the instant that the clock time w (its fields
// read as written, in UTC) names under basis, which is UTC or UKLocal.
func clockTimeInstant(w time.Time, basis TimeBasis, uk *time.Location) (time.Time, TimeFlag) {
	if basis != UKLocal {
		return w, TimeOK
	}
	return localClockInstant(w, uk)
}

// localClockInstant returns the instant at which the clocks of loc showed w
// (its fields read as written, in UTC). It tries the offsets in force a day
// before and a day after (a zone's offset changes at most once in two days):
// if both give instants at which loc's clocks showed w, w happened twice and
// the first is returned, flagged TimeAmbiguous; if neither does, w fell in a
// gap and is read with the offset in force before it, flagged
// TimeImpossible.
func localClockInstant(w time.Time, loc *time.Location) (time.Time, TimeFlag) {
	offsetAt := func(t time.Time) int {
		_, off := t.In(loc).Zone()
		return off
	}
	before := offsetAt(w.Add(-24 * time.Hour))
	after := offsetAt(w.Add(24 * time.Hour))
	first := w.Add(-time.Duration(before) * time.Second)
	firstOK := offsetAt(first) == before
	if before == after && firstOK {
		return first, TimeOK
	}
	second := w.Add(-time.Duration(after) * time.Second)
	secondOK := offsetAt(second) == after
	switch {
	case firstOK && secondOK:
		if second.Before(first) {
			first = second
		}
		return first, TimeAmbiguous
	case firstOK:
		return first, TimeOK
	case secondOK:
		return second, TimeOK
	}
	return first, TimeImpossible
}

// excelSerialEpoch is 30 December 1899 in Unix seconds: serial day 0 for
// serials after the fictitious 29 February 1900.
const excelSerialEpoch = -2209161600

// parseExcelSerial reads a spreadsheet serial date as clock time. ok is
// false if s is not a serial; why explains a serial out of range.
func parseExcelSerial(s string) (w time.Time, ok bool, why string) {
	const day = 86400
	whole, frac, dot := strings.Cut(s, ".")
	if !digitsOnly(whole) || dot && !digitsOnly(frac) {
		return w, false, ""
	}
	days, ok := boundedDecimal(whole, 0, 2958465)
	if !ok {
		return w, true, "serial date after 9999-12-31"
	}
	total := days*day + int64(roundDecimalFraction(frac, day))
	switch {
	case total < day:
		return w, true, "serial date before 1900-01-01"
	case total < 60*day:
		total += day // no 29 February 1900 to skip yet
	case total < 61*day:
		return w, true, "serial date 60 is 1900-02-29, which does not exist"
	case total >= 2958466*day:
		return w, true, "serial date after 9999-12-31"
	}
	return time.Unix(excelSerialEpoch+total, 0).UTC(), true, ""
}

// Largest Unix times accepted: 9999-12-31T23:59:59Z.
const (
	maxUnixSeconds = 253402300799
	maxUnixMillis  = maxUnixSeconds*1000 + 999
)

// parseUnixTime reads seconds (or milliseconds) since the Unix epoch, whole,
// with a fraction, or as a spreadsheet number. ok is false if s is not a
// number; why explains one out of range.
func parseUnixTime(s string, ms bool) (t time.Time, ok bool, why string) {
	whole, frac, dot := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE") {
		num, rounded, isNum := exactDigitsRounded(s)
		if !isNum {
			return t, false, ""
		}
		if rounded {
			return t, true, "rounded by a spreadsheet: its digits are lost"
		}
		whole, frac, dot = num, "", false
	}
	if !digitsOnly(whole) || dot && !digitsOnly(frac) {
		return t, false, ""
	}
	unit, limit := uint64(1e9), int64(maxUnixSeconds)
	if ms {
		unit, limit = 1e6, maxUnixMillis
	}
	v, inRange := boundedDecimal(whole, 0, limit)
	if !inRange {
		return t, true, "after 9999-12-31"
	}
	ns := int64(roundDecimalFraction(frac, unit))
	if ms {
		return time.Unix(v/1000, (v%1000)*1e6+ns).UTC(), true, ""
	}
	return time.Unix(v, ns).UTC(), true, ""
}

// roundDecimalFraction returns the decimal fraction 0.frac times unit,
// rounded to the nearest whole number with halves upwards, computed exactly.
func roundDecimalFraction(frac string, unit uint64) uint64 {
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return 0
	}
	if len(frac) <= 19 {
		var f, p uint64 = 0, 1
		for i := 0; i < len(frac); i++ {
			f = f*10 + uint64(frac[i]-'0')
			p *= 10
		}
		hi, lo := bits.Mul64(f, unit) // f < p, so hi < unit < p
		q, r := bits.Div64(hi, lo, p)
		if r >= p-r {
			q++
		}
		return q
	}
	f, _ := new(big.Int).SetString(frac, 10)
	num := f.Mul(f, new(big.Int).SetUint64(unit))
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac))), nil)
	q, r := num.QuoRem(num, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Uint64()
}

// SplitDateTime joins a date and a time of day held in separate columns
// into one text for ParseTime, with one space between them. Surrounding
// spaces and quotes of each are removed; if either is empty the other is
// returned alone.
func SplitDateTime(date, clock string) string {
	date, clock = trimFieldText(date), trimFieldText(clock)
	switch {
	case clock == "":
		return date
	case date == "":
		return clock
	}
	return date + " " + clock
}

// timeReader is ParseTime for one file's layouts and basis, made quicker
// for the common case: a first layout of fixed width made of digits and
// separators ("2006-01-02T15:04:05Z", "02/01/2006 15:04:05 -07:00"), read
// without the time package's general parser, with the day last read and
// the UK's offset around the last time remembered. Whatever that path
// cannot settle goes to ParseTime, so the results are ParseTime's.
type timeReader struct {
	layouts []string
	basis   TimeBasis
	fixed   *fixedLayout // layouts[0], when it can be read this way
	uk      *time.Location

	// The last day read: its date and its start in Unix seconds.
	dayKey int64
	daySec int64
	// The last period of constant UK offset looked up: [ukFrom, ukTo) in
	// Unix seconds (open-ended when ukFromOpen, ukToOpen), offset ukOff.
	ukFrom, ukTo         int64
	ukFromOpen, ukToOpen bool
	ukOff                int64
	ukKnown              bool
}

// fixedLayout is a Go time layout of fixed width: each byte of the text is
// a decimal digit, a sign (+ or -) or the byte of pattern, as kind says.
type fixedLayout struct {
	pattern              string
	kind                 []byte // 'd' digit, 's' sign, 'l' the byte of pattern
	year, month, day     int    // offsets of the 4-digit year and 2-digit month and day
	hour, minute, second int    // offsets of the 2-digit fields, -1 when absent
	zone                 int    // offset of a numeric zone ±hh:mm or ±hhmm, -1 when absent
	zoneColon            bool
	zoned                bool // the layout writes a zone: numerically or as a literal Z (UTC)
}

func newTimeReader(layouts []string, basis TimeBasis) *timeReader {
	tr := &timeReader{layouts: layouts, basis: basis, dayKey: -1}
	switch basis {
	case UTC, UKLocal, Offset:
	default:
		return tr // ParseTime's error for every time
	}
	uk, err := europeLondon()
	if err != nil || len(layouts) == 0 {
		return tr
	}
	tr.uk = uk
	tr.fixed = compileFixedLayout(layouts[0], basis)
	return tr
}

// compileFixedLayout returns layout as a fixedLayout, or nil when it is not
// one: it must consist of 2006, 01, 02, 15, 04 and 05, each at most once
// (year, month and day required), separated by - / : space and T, and may
// end with a numeric zone -07:00 or -0700, or a literal Z.
func compileFixedLayout(layout string, basis TimeBasis) *fixedLayout {
	zoned, abbrev := layoutWritesZone(layout)
	if abbrev || basis == Offset && !zoned {
		return nil
	}
	f := &fixedLayout{year: -1, month: -1, day: -1, hour: -1, minute: -1, second: -1, zone: -1, zoned: zoned}
	var pat, kind []byte
	add := func(b, k byte) { pat, kind = append(pat, b), append(kind, k) }
	field := func(at *int, n int) bool {
		if *at >= 0 {
			return false // twice
		}
		*at = len(pat)
		for range n {
			add('0', 'd')
		}
		return true
	}
	for i := 0; i < len(layout); {
		rest := layout[i:]
		ok := true
		switch {
		case strings.HasPrefix(rest, "2006"):
			ok, i = field(&f.year, 4), i+4
		case strings.HasPrefix(rest, "01"):
			ok, i = field(&f.month, 2), i+2
		case strings.HasPrefix(rest, "02"):
			ok, i = field(&f.day, 2), i+2
		case strings.HasPrefix(rest, "15"):
			ok, i = field(&f.hour, 2), i+2
		case strings.HasPrefix(rest, "04"):
			ok, i = field(&f.minute, 2), i+2
		case strings.HasPrefix(rest, "05"):
			ok, i = field(&f.second, 2), i+2
		case rest == "-07:00" || rest == "-0700":
			f.zone, f.zoneColon = len(pat), rest == "-07:00"
			add('-', 's')
			add('0', 'd')
			add('0', 'd')
			if f.zoneColon {
				add(':', 'l')
			}
			add('0', 'd')
			add('0', 'd')
			i = len(layout)
		case rest == "Z":
			add('Z', 'l')
			i++
		case rest[0] == '-' && !strings.HasPrefix(rest, "-07") || rest[0] == '/' || rest[0] == ':' || rest[0] == ' ' || rest[0] == 'T':
			add(rest[0], 'l')
			i++
		default:
			ok = false
		}
		if !ok {
			return nil
		}
	}
	if f.year < 0 || f.month < 0 || f.day < 0 {
		return nil
	}
	if zoned != (f.zone >= 0 || strings.HasSuffix(layout, "Z")) {
		return nil
	}
	f.pattern, f.kind = string(pat), kind
	return f
}

// parse is ParseTime(raw, tr.layouts, tr.basis).
func (tr *timeReader) parse(raw string) (time.Time, TimeFlag, error) {
	if tr.fixed != nil {
		if t, flag, ok := tr.parseFixed(raw); ok {
			return t, flag, nil
		}
	}
	return ParseTime(raw, tr.layouts, tr.basis)
}

// parseFixed reads raw with tr.fixed; ok is false when it cannot say what
// ParseTime would.
func (tr *timeReader) parseFixed(raw string) (t time.Time, flag TimeFlag, ok bool) {
	f := tr.fixed
	s := raw
	if n := len(s); n == 0 || !plainByte(s[0]) || !plainByte(s[n-1]) {
		s = trimFieldText(raw)
	}
	if len(s) != len(f.pattern) {
		return t, TimeOK, false
	}
	for i := 0; i < len(s); i++ {
		switch f.kind[i] {
		case 'd':
			if !digitByte(s[i]) {
				return t, TimeOK, false
			}
		case 's':
			if s[i] != '+' && s[i] != '-' {
				return t, TimeOK, false
			}
		default:
			if s[i] != f.pattern[i] {
				return t, TimeOK, false
			}
		}
	}
	two := func(at int) int64 { return int64(s[at]-'0')*10 + int64(s[at+1]-'0') }
	year := int64(s[f.year]-'0')*1000 + int64(s[f.year+1]-'0')*100 + two(f.year+2)
	month, day := two(f.month), two(f.day)
	var hour, minute, second int64
	if f.hour >= 0 {
		hour = two(f.hour)
	}
	if f.minute >= 0 {
		minute = two(f.minute)
	}
	if f.second >= 0 {
		second = two(f.second)
	}
	if hour > 23 || minute > 59 || second > 59 {
		return t, TimeOK, false
	}
	key := year*10000 + month*100 + day
	if key != tr.dayKey {
		if month < 1 || month > 12 || day < 1 || day > int64(daysInMonth(int(year), time.Month(month))) {
			return t, TimeOK, false
		}
		tr.dayKey, tr.daySec = key, time.Date(int(year), time.Month(month), int(day), 0, 0, 0, 0, time.UTC).Unix()
	}
	sec := tr.daySec + hour*3600 + minute*60 + second
	if !f.zoned {
		w := time.Unix(sec, 0).UTC()
		if tr.basis != UKLocal {
			return w, TimeOK, true
		}
		if off, ok := tr.ukOffsetAround(sec); ok {
			return time.Unix(sec-off, 0).UTC(), TimeOK, true
		}
		t, flag = localClockInstant(w, tr.uk)
		tr.rememberUK(w)
		return t, flag, true
	}
	var off int64
	if z := f.zone; z >= 0 {
		mm := z + 3
		if f.zoneColon {
			mm++
		}
		hh, m := two(z+1), two(mm)
		if hh > 14 || m > 59 {
			return t, TimeOK, false
		}
		off = hh*3600 + m*60
		if s[z] == '-' {
			off = -off
		}
	}
	at := sec - off
	switch tr.basis {
	case UTC:
		if off != 0 {
			return t, TimeOK, false // an error
		}
	case UKLocal:
		ukOff, ok := tr.ukOffsetAround(at)
		if !ok {
			u := time.Unix(at, 0)
			_, o := u.In(tr.uk).Zone()
			ukOff = int64(o)
			tr.rememberUK(u)
		}
		if off != ukOff {
			return t, TimeOK, false // an error
		}
	}
	return time.Unix(at, 0).UTC(), TimeOK, true
}

// plainByte reports an ASCII letter or digit: nothing trimFieldText removes.
func plainByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func daysInMonth(year int, m time.Month) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int((m-1)%7%2)
}

// ukOffsetAround returns the UK's UTC offset in seconds when it was the same
// from a day before sec to a day after it (sec read as a UTC instant). A
// clock time w that far from a change names the single instant w - offset,
// which is what localClockInstant finds.
func (tr *timeReader) ukOffsetAround(sec int64) (int64, bool) {
	const day = 86400
	if tr.ukKnown && (tr.ukFromOpen || tr.ukFrom <= sec-day) && (tr.ukToOpen || sec+day < tr.ukTo) {
		return tr.ukOff, true
	}
	return 0, false
}

// rememberUK looks up the period of constant UK offset that holds u.
func (tr *timeReader) rememberUK(u time.Time) {
	local := u.In(tr.uk)
	from, to := local.ZoneBounds()
	_, off := local.Zone()
	tr.ukFrom, tr.ukFromOpen = from.Unix(), from.IsZero()
	tr.ukTo, tr.ukToOpen = to.Unix(), to.IsZero()
	tr.ukOff, tr.ukKnown = int64(off), true
}
