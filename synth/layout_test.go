package synth

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/templates"
)

// TestRenderTimeRoundTrip writes instants around both UK clock changes in
// every CDR profile's first time format and reads them back with
// ingest.ParseTime.
func TestRenderTimeRoundTrip(t *testing.T) {
	ps, err := ingest.LoadProfiles(templates.Profiles(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	instants := []time.Time{
		time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC),
		time.Date(2026, 3, 29, 0, 59, 59, 0, time.UTC),
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		time.Date(2026, 7, 1, 23, 30, 1, 0, time.UTC),
		time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), // 01:30 BST, the first 01:30
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // 01:30 GMT, the second
		time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	for _, p := range ps.List() {
		if p.Kind != "cdr" {
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			l, err := newLayout(p, "x.csv")
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range instants {
				tt, err := l.renderTime(at, false)
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				text := tt.start
				if tt.date != "" {
					text = ingest.SplitDateTime(tt.date, tt.clock)
				}
				if tt.offset != "" {
					text += " " + tt.offset
				} else if p.UTCOffset != "" {
					text += " " + p.UTCOffset
				}
				tp := TrackPoint{Time: at}
				if l.basis == ingest.UKLocal && ambiguousUK(at) {
					tp.TimeFlag = "ambiguous"
				}
				got, flag, err := ingest.ParseTime(text, p.TimeFormats, l.basis)
				if err != nil || !got.Equal(parsedInstant(tp)) || string(flag) != tp.TimeFlag {
					t.Errorf("%s written %q reads back as %s %q %v; want %s %q", at, text, got, flag, err, parsedInstant(tp), tp.TimeFlag)
				}
			}
			bad, err := l.impossibleTime(2026)
			if err != nil {
				t.Fatal(err)
			}
			text := bad.start
			if bad.date != "" {
				text = ingest.SplitDateTime(bad.date, bad.clock)
			}
			if p.UTCOffset != "" {
				text += " " + p.UTCOffset
			}
			if _, _, err := ingest.ParseTime(text, p.TimeFormats, l.basis); err == nil {
				t.Errorf("impossible date %q was read", text)
			}
		})
	}
}

// TestCellText writes a real cell in every cell notation and reads it back
// with ingest.CellKey.
func TestCellText(t *testing.T) {
	nets, err := loadNetworks()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nets {
		for _, c := range []*cell{n.cells[0], n.cells[len(n.cells)/2], n.cells[len(n.cells)-1]} {
			for _, tc := range []struct {
				format string
				gsm    bool
			}{
				{"auto", false}, {"ecgi", false}, {"eci", false}, {"eci-hex", false}, {"tac-eci", false},
				{"cgi", true}, {"lac-ci", true}, {"lac-ci-hex", true},
			} {
				t.Run(fmt.Sprintf("%s/%s", c.key, tc.format), func(t *testing.T) {
					l := &layout{p: &ingest.Profile{Name: "test", CellFormat: tc.format}, network: c.net, gsm: tc.gsm}
					for variant := range 12 {
						raw, key, _, err := l.cellText(c, variant)
						if err != nil {
							t.Fatal(err)
						}
						got, err := ingest.CellKey(raw, tc.format, c.net)
						if err != nil || got != key {
							t.Errorf("variant %d: %q reads back as %q (%v), want %q", variant, raw, got, err, key)
						}
					}
					l.network = "999-99"
					if _, _, _, err := l.cellText(c, 0); (err == nil) != (tc.format == "auto" || tc.format == "ecgi" || tc.format == "cgi") {
						t.Errorf("cell of %s in a file of network 999-99: error %v", c.net, err)
					}
				})
			}
		}
	}
}

// TestFormatNumber writes numbers in every style for every numbering plan
// and reads them back with ingest.MSISDN.
func TestFormatNumber(t *testing.T) {
	np := newNumberPool(rand.New(rand.NewPCG(1, 2)))
	for _, country := range []string{"GB", "IN", "NO", "PK", "BD"} {
		t.Run(country, func(t *testing.T) {
			for _, e := range []string{np.mobile(country), np.landline(country), np.mobile("GB"), np.mobile("IN")} {
				for style := range 4 {
					raw := formatNumber(e, country, style)
					if got, err := ingest.MSISDN(raw, country); err != nil || got != e {
						t.Errorf("%s written %q (style %d) reads back as %q (%v)", e, raw, style, got, err)
					}
				}
			}
		})
	}
}

// TestIMEI checks generated IMEIs and the planted wrong check digit.
func TestIMEI(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		imei := newIMEI(rng)
		if got, ok, err := ingest.IMEI(imei); err != nil || !ok || got != imei {
			t.Fatalf("IMEI %s: %q %v %v", imei, got, ok, err)
		}
		if _, ok, err := ingest.IMEI(badCheckDigit(imei)); err != nil || ok {
			t.Fatalf("IMEI %s with a wrong check digit read as correct (%v)", badCheckDigit(imei), err)
		}
	}
}
