package analysis_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
)

// fxIDs is an event of target at start with an IMEI and an IMSI.
func fxIDs(target string, row int, start, imei, imsi string, warnings ...string) cellsite.Event {
	return cellsite.Event{Target: target, Row: row, Start: fxAt(start), Type: "sms", IMEI: imei, IMSI: imsi, Bytes: -1, Warnings: warnings}
}

func TestAttribution(t *testing.T) {
	const a, b = "+447700900001", "+447700900002"
	const h1, h1bad, h2, h3 = "356713115029934", "356713115029935", "359174062931530", "868912048228008"
	const s1, s2, s3 = "234101111111111", "234102222222222", "234303333333333"
	ref := func(target string, row int) analysis.EventRef { return analysis.EventRef{Target: target, Row: row} }
	period := func(id, first, last string, n int, r1, r2 analysis.EventRef) analysis.IDPeriod {
		return analysis.IDPeriod{ID: id, First: fxAt(first), Last: fxAt(last), Events: n, FirstRecord: r1, LastRecord: r2}
	}
	use := func(id, handset string, n int, first, last string, bad int) analysis.IDUse {
		return analysis.IDUse{ID: id, Handset: handset, Events: n, First: fxAt(first), Last: fxAt(last), CheckDigit: bad}
	}

	t.Run("handset swap, check-digit variant, SIM swap, SIM replacement", func(t *testing.T) {
		dup := fxIDs(a, 9, "2026-03-05T00:00:00Z", h2, s1)
		dup.DuplicateOf = 2
		events := []cellsite.Event{
			fxIDs(a, 2, "2026-03-02T10:00:00Z", h1, s1),
			fxIDs(a, 3, "2026-03-03T10:00:00Z", h1bad, s1, analysis.WarnIMEICheckDigit), // same handset
			fxIDs(a, 4, "2026-03-04T10:00:00Z", "", s1),                                 // no IMEI: ignored
			fxIDs(a, 5, "2026-03-05T10:00:00Z", h2, s2),                                 // handset swap and new SIM
			dup,
			fxIDs(b, 2, "2026-03-01T10:00:00Z", h3, s3),
			fxIDs(b, 3, "2026-03-06T10:00:00Z", h1, s3), // b's SIM in a's old handset
			fxIDs(b, 4, "2026-03-07T10:00:00Z", h3, ""),
		}
		want := analysis.AttributionResult{
			Params: analysis.AttributionParams{DeviceDigits: 14},
			Subscribers: []analysis.Subscriber{
				{
					MSISDN: a, Events: 4, NoIMEI: 1,
					IMEIs: []analysis.IDUse{
						use(h1, h1, 1, "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 0),
						use(h1bad, h1, 1, "2026-03-03T10:00:00Z", "2026-03-03T10:00:00Z", 1),
						use(h2, h2, 1, "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", 0),
					},
					IMSIs: []analysis.IDUse{
						use(s1, "", 3, "2026-03-02T10:00:00Z", "2026-03-04T10:00:00Z", 0),
						use(s2, "", 1, "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", 0),
					},
					Handsets: []analysis.IDPeriod{
						period(h1, "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z", 2, ref(a, 2), ref(a, 3)),
						period(h2, "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", 1, ref(a, 5), ref(a, 5)),
					},
					SIMs: []analysis.IDPeriod{
						period(s1, "2026-03-02T10:00:00Z", "2026-03-04T10:00:00Z", 3, ref(a, 2), ref(a, 4)),
						period(s2, "2026-03-05T10:00:00Z", "2026-03-05T10:00:00Z", 1, ref(a, 5), ref(a, 5)),
					},
					HandsetSwaps: []analysis.IDChange{{MSISDN: a, From: h1, To: h2, LastBefore: fxAt("2026-03-03T10:00:00Z"), FirstAfter: fxAt("2026-03-05T10:00:00Z"), Before: ref(a, 3), After: ref(a, 5)}},
					SIMChanges:   []analysis.IDChange{{MSISDN: a, From: s1, To: s2, LastBefore: fxAt("2026-03-04T10:00:00Z"), FirstAfter: fxAt("2026-03-05T10:00:00Z"), Before: ref(a, 4), After: ref(a, 5)}},
				},
				{
					MSISDN: b, Events: 3, NoIMSI: 1,
					IMEIs: []analysis.IDUse{
						use(h3, h3, 2, "2026-03-01T10:00:00Z", "2026-03-07T10:00:00Z", 0),
						use(h1, h1, 1, "2026-03-06T10:00:00Z", "2026-03-06T10:00:00Z", 0),
					},
					IMSIs: []analysis.IDUse{use(s3, "", 2, "2026-03-01T10:00:00Z", "2026-03-06T10:00:00Z", 0)},
					Handsets: []analysis.IDPeriod{
						period(h3, "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z", 1, ref(b, 2), ref(b, 2)),
						period(h1, "2026-03-06T10:00:00Z", "2026-03-06T10:00:00Z", 1, ref(b, 3), ref(b, 3)),
						period(h3, "2026-03-07T10:00:00Z", "2026-03-07T10:00:00Z", 1, ref(b, 4), ref(b, 4)),
					},
					SIMs: []analysis.IDPeriod{period(s3, "2026-03-01T10:00:00Z", "2026-03-06T10:00:00Z", 2, ref(b, 2), ref(b, 3))},
					HandsetSwaps: []analysis.IDChange{
						{MSISDN: b, From: h3, To: h1, LastBefore: fxAt("2026-03-01T10:00:00Z"), FirstAfter: fxAt("2026-03-06T10:00:00Z"), Before: ref(b, 2), After: ref(b, 3)},
						{MSISDN: b, From: h1, To: h3, LastBefore: fxAt("2026-03-06T10:00:00Z"), FirstAfter: fxAt("2026-03-07T10:00:00Z"), Before: ref(b, 3), After: ref(b, 4)},
					},
					SIMChanges: []analysis.IDChange{},
				},
			},
			SharedHandsets: []analysis.SharedID{{ID: h1, Users: []analysis.SharedUser{
				{MSISDN: a, Events: 2, First: fxAt("2026-03-02T10:00:00Z"), Last: fxAt("2026-03-03T10:00:00Z"),
					Periods: []analysis.IDPeriod{period(h1, "2026-03-02T10:00:00Z", "2026-03-03T10:00:00Z", 2, ref(a, 2), ref(a, 3))}},
				{MSISDN: b, Events: 1, First: fxAt("2026-03-06T10:00:00Z"), Last: fxAt("2026-03-06T10:00:00Z"),
					Periods: []analysis.IDPeriod{period(h1, "2026-03-06T10:00:00Z", "2026-03-06T10:00:00Z", 1, ref(b, 3), ref(b, 3))}},
			}}},
			SharedSIMs: []analysis.SharedID{},
			CheckDigit: []analysis.CheckDigitIMEI{{IMEI: h1bad, MSISDN: a, Events: 1, First: fxAt("2026-03-03T10:00:00Z"), Last: fxAt("2026-03-03T10:00:00Z"), Handset: h1}},
		}
		got := analysis.Attribution(events, analysis.AttributionParams{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Attribution mismatch (-want +got):\n%s", diff)
		}
	})

	tests := []struct {
		name   string
		events []cellsite.Event
		p      analysis.AttributionParams
		swaps  int // handset swaps of a
	}{
		{"empty identifiers do not break a run", []cellsite.Event{fxIDs(a, 2, "2026-03-02T10:00:00Z", h1, ""), fxIDs(a, 3, "2026-03-02T11:00:00Z", "", ""), fxIDs(a, 4, "2026-03-02T12:00:00Z", h1, "")}, analysis.AttributionParams{}, 0},
		{"a check-digit variant is the same handset", []cellsite.Event{fxIDs(a, 2, "2026-03-02T10:00:00Z", h1, ""), fxIDs(a, 3, "2026-03-02T11:00:00Z", h1bad, "", analysis.WarnIMEICheckDigit)}, analysis.AttributionParams{}, 0},
		{"whole IMEIs compared on request", []cellsite.Event{fxIDs(a, 2, "2026-03-02T10:00:00Z", h1, ""), fxIDs(a, 3, "2026-03-02T11:00:00Z", h1bad, "", analysis.WarnIMEICheckDigit)}, analysis.AttributionParams{DeviceDigits: 15}, 1},
		{"input order does not matter", []cellsite.Event{fxIDs(a, 3, "2026-03-02T11:00:00Z", h2, ""), fxIDs(a, 2, "2026-03-02T10:00:00Z", h1, ""), fxIDs(a, 4, "2026-03-02T12:00:00Z", h2, "")}, analysis.AttributionParams{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.Attribution(tt.events, tt.p)
			var swaps []int
			for _, s := range got.Subscribers {
				swaps = append(swaps, len(s.HandsetSwaps))
			}
			if diff := cmp.Diff([]int{tt.swaps}, swaps); diff != "" {
				t.Errorf("handset swaps per subscriber (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("empty input", func(t *testing.T) {
		want := analysis.AttributionResult{Params: analysis.AttributionParams{DeviceDigits: 14}, Subscribers: []analysis.Subscriber{},
			SharedHandsets: []analysis.SharedID{}, SharedSIMs: []analysis.SharedID{}, CheckDigit: []analysis.CheckDigitIMEI{}}
		if diff := cmp.Diff(want, analysis.Attribution(nil, analysis.AttributionParams{})); diff != "" {
			t.Errorf("Attribution mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestAttributionParamsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   analysis.AttributionParams
		want analysis.AttributionParams
	}{
		{"zero", analysis.AttributionParams{}, analysis.AttributionParams{DeviceDigits: 14}},
		{"set", analysis.AttributionParams{DeviceDigits: 15}, analysis.AttributionParams{DeviceDigits: 15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.in.Defaults()); diff != "" {
				t.Errorf("Defaults mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
