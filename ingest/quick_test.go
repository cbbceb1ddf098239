package ingest_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite/ingest"
)

// Parse takes quick paths for the most common texts: times in a fixed
// layout of digits, numbers already in E.164 form, plain identifiers and
// headers. These tests hold each quick path to the general code it
// short-cuts, which the rest of the tests check.

// quickTimeLayouts are layout lists of the shipped profiles and others
// chosen to reach every branch of the quick path and its refusals.
var quickTimeLayouts = [][]string{
	{"2006-01-02T15:04:05Z", "2006-01-02 15:04:05"},
	{"02/01/2006 15:04:05", "02/01/2006 15:04", "excel"},
	{"02/01/2006 15:04:05 -07:00", "02-01-2006 15:04:05 -07:00"},
	{"2006-01-02T15:04:05-07:00", "2006-01-02 15:04:05 -07:00"},
	{"2006-01-02 15:04:05 -0700"},
	{"2006-01-02"},
	{"02/01/2006"},
	{"15:04:05 02/01/2006"},
	{"20060102150405"},
	{"2006-01-02 15-04:05"},
	{"2006-01-02T15:04:05Z07:00"},
	{"2006-01-02T15:04:05.000Z"},
	{"2006-01-02 15:04:05 MST"},
	{"2006-01-02 15:04:05 -07"},
	{"2006-01-02 15:04:05 -07:00:00"},
	{"2006-01-02Z15:04"},
	{"2006-01-02 2006"},
	{"2006-1-2 15:04"},
	{"excel", "2006-01-02T15:04:05Z"},
	{"rfc3339"},
	{},
}

var quickTimeBases = []ingest.TimeBasis{ingest.UTC, ingest.UKLocal, ingest.Offset, "martian"}

func sameTime(t *testing.T, raw string, layouts []string, basis ingest.TimeBasis, got time.Time, gotFlag ingest.TimeFlag, gotErr error) {
	t.Helper()
	want, wantFlag, wantErr := ingest.ParseTime(raw, layouts, basis)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || got != want || gotFlag != wantFlag {
		t.Fatalf("%q with %q, %s: quick path %v %q %v; ParseTime %v %q %v", raw, layouts, basis, got, gotFlag, gotErr, want, wantFlag, wantErr)
	}
}

func TestQuickTimeLayouts(t *testing.T) {
	for _, c := range []struct {
		layouts []string
		basis   ingest.TimeBasis
		quick   bool
	}{
		{quickTimeLayouts[0], ingest.UTC, true},
		{quickTimeLayouts[1], ingest.UKLocal, true},
		{quickTimeLayouts[2], ingest.Offset, true},
		{quickTimeLayouts[3], ingest.Offset, true},
		{quickTimeLayouts[1], ingest.Offset, false}, // no zone: every time is an error
		{quickTimeLayouts[10], ingest.UTC, false},   // Z07:00 also reads Z
		{quickTimeLayouts[11], ingest.UTC, false},   // fractions
		{quickTimeLayouts[12], ingest.UTC, false},   // zone abbreviations
		{quickTimeLayouts[15], ingest.UTC, false},   // a Z not at the end
		{quickTimeLayouts[16], ingest.UTC, false},   // a field twice
		{quickTimeLayouts[17], ingest.UTC, false},   // variable width
		{quickTimeLayouts[0], "martian", false},
	} {
		if got := ingest.FixedTimeLayout(c.layouts, c.basis); got != c.quick {
			t.Errorf("%q, %s: quick path %v, want %v", c.layouts, c.basis, got, c.quick)
		}
	}
}

func FuzzQuickTime(f *testing.F) {
	for _, s := range []string{
		"2026-03-29T01:30:00Z", "2026-03-29 01:30:00", "29/03/2026 01:30:00", "25/10/2026 01:30", "31/02/2026 01:15:00",
		"01/03/2026 10:00:00 +05:30", "01/03/2026 10:00:00 -00:00", "01/03/2026 10:00:00 +24:00", "2026-07-01T12:00:00+01:00",
		"2026-07-01 12:00:00 +0100", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-02-29", "2023-02-29",
		" '2026-03-01T10:00:00Z' ", "2026-03-01T24:00:00Z", "2026-13-01T10:00:00Z", "2026-03-01T10:60:00Z", "46109.5",
		"20260301100000", "10:00:00 01/03/2026", "2026-03-01 10-04:30", "2026-03-01T10:00:00.5Z", "2026-03-01  10:00:00",
	} {
		for li := range quickTimeLayouts {
			for bi := range quickTimeBases {
				f.Add(s, uint8(li), uint8(bi))
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw string, li, bi uint8) {
		layouts := quickTimeLayouts[int(li)%len(quickTimeLayouts)]
		basis := quickTimeBases[int(bi)%len(quickTimeBases)]
		got, flag, err := ingest.NewTimeReader(layouts, basis)(raw)
		sameTime(t, raw, layouts, basis, got, flag, err)
	})
}

// TestQuickTimeSequence reads many times in a row with one reader, as Parse
// does, so that what it remembers from one time to the next (the day, the
// UK's offset) is used, across the clock changes and at the ends of the
// range of years.
func TestQuickTimeSequence(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	uk, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	changes := []time.Time{
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),
		time.Date(1968, 2, 18, 2, 0, 0, 0, time.UTC), time.Date(1971, 10, 31, 2, 0, 0, 0, time.UTC),
		time.Date(1847, 12, 1, 0, 1, 15, 0, time.UTC), time.Date(1941, 5, 4, 1, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 28, 1, 0, 0, 0, time.UTC), time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 12, 0, 0, 0, time.UTC),
	}
	n := 20000
	if raceEnabled {
		n = 4000
	}
	for _, layouts := range quickTimeLayouts[:10] {
		layout := layouts[0]
		for _, basis := range quickTimeBases[:3] {
			read := ingest.NewTimeReader(layouts, basis)
			at := changes[0]
			for range n {
				switch r.IntN(50) {
				case 0: // jump to another change
					at = changes[r.IntN(len(changes))].Add(time.Duration(r.IntN(7200)-3600) * time.Second)
				case 1:
					at = at.Add(time.Duration(r.Int64N(400*24)) * time.Hour)
				default: // step on, by up to two hours
					at = at.Add(time.Duration(r.IntN(7200)) * time.Second)
				}
				var zone *time.Location
				switch r.IntN(4) {
				case 0:
					zone = time.UTC
				case 1:
					zone = uk
				default:
					zone = time.FixedZone("", (r.IntN(113)-56)*900)
				}
				raw := at.In(zone).Format(layout)
				if r.IntN(20) == 0 && raw != "" { // a typing error
					i := r.IntN(len(raw))
					raw = raw[:i] + string("0123456789:/- "[r.IntN(14)]) + raw[i+1:]
				}
				got, flag, err := read(raw)
				sameTime(t, raw, layouts, basis, got, flag, err)
			}
		}
	}
}

var quickCountries = []string{"", "GB", "IN", "NO", "PK", "BD", "gb", "Gb", "XX"}

func FuzzQuickMSISDN(f *testing.F) {
	for _, s := range []string{
		"+447700900123", "+4407700900123", "+44770090012", "+447700900", "+919876543210", "+9198765432100",
		"+4741234567", "+47412345678901", "+8801711234567", "+880171123456", "+923001234567", "+1234567",
		"+123456789012345", "+1234567890123456", "+0123456789", "+44 7700 900123", "+447700900123 ", "+",
	} {
		for c := range quickCountries {
			f.Add(s, uint8(c))
		}
	}
	f.Fuzz(func(t *testing.T, raw string, c uint8) {
		country := quickCountries[int(c)%len(quickCountries)]
		got, err := ingest.MSISDN(raw, country)
		want, wantErr := ingest.MSISDNGeneral(raw, country)
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("MSISDN(%q, %q) = %q, %v; without the quick path %q, %v", raw, country, got, err, want, wantErr)
		}
		v, k := ingest.OtherParty(raw, country)
		wv, wk := ingest.OtherPartyGeneral(raw, country)
		if v != wv || k != wk {
			t.Fatalf("OtherParty(%q, %q) = %q, %q; without the quick path %q, %q", raw, country, v, k, wv, wk)
		}
	})
}

func FuzzQuickIdentifiers(f *testing.F) {
	for _, s := range []string{
		"490154203237518", "490154203237519", "49015420323751", "4901542032375112", "4.90154203237518E+14",
		"234301234567890", "23430123456789", "234301", "23430", "2343012345678901", "310150123456789",
		"405025123456789", "4050251234567", "", " 1", "+234301234567890", "２３４３０１２３４５６７８９０",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		raw = strings.TrimSpace(raw) // as the workers read a column
		if raw == "" {
			return
		}
		imei, ok, err := ingest.IMEIQuick(raw)
		wimei, wok, werr := ingest.IMEI(raw)
		if imei != wimei || ok != wok || fmt.Sprint(err) != fmt.Sprint(werr) {
			t.Fatalf("IMEI %q: quick %q %v %v; IMEI %q %v %v", raw, imei, ok, err, wimei, wok, werr)
		}
		imsi, err := ingest.IMSIQuick(raw)
		mcc, mnc, msin, werr := ingest.IMSI(raw)
		if imsi != mcc+mnc+msin || fmt.Sprint(err) != fmt.Sprint(werr) {
			t.Fatalf("IMSI %q: quick %q %v; IMSI %q %v", raw, imsi, err, mcc+mnc+msin, werr)
		}
	})
}

func FuzzQuickFold(f *testing.F) {
	for _, s := range []string{
		"target", "Target", "start (utc)", "start  (utc)", " start", "start ", `"start"`, "'start'", "\ufeffstart",
		"a\tb", "a\u00a0b", "é", "+447700900123", "", " ", "x\x7f", "a b c", "A B", "\"", "moc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ingest.NormHeader(s), ingest.FoldHeader(s); got != want {
			t.Fatalf("normHeader(%q) = %q, want %q", s, got, want)
		}
		if got, want := ingest.NormValue(s), ingest.FoldValue(s); got != want {
			t.Fatalf("normValue(%q) = %q, want %q", s, got, want)
		}
		if got, want := ingest.TrimSpaceASCII(s), strings.TrimSpace(s); got != want {
			t.Fatalf("trimSpaceASCII(%q) = %q, want %q", s, got, want)
		}
	})
}
