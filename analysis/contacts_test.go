package analysis_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
)

// fxCall is a record of target with another party.
func fxCall(target string, row int, start, typ, dir, other, kind string, durS int64) cellsite.Event {
	return cellsite.Event{Target: target, Row: row, Start: fxAt(start), Type: typ, Direction: dir, Other: other, OtherKind: kind, DurationS: durS, Bytes: -1}
}

func TestContactsSummary(t *testing.T) {
	const a, b, c = "+447700900001", "+447700900002", "+447700900003"
	const x, y = "+447700900101", "+447700900102"
	dup := fxCall(a, 9, "2026-03-02T10:00:00Z", "voice", "out", x, "msisdn", 60)
	dup.DuplicateOf = 2
	events := []cellsite.Event{
		fxCall(a, 2, "2026-03-02T10:00:00Z", "voice", "out", x, "msisdn", 60),
		fxCall(a, 3, "2026-03-02T11:00:00Z", "sms", "in", x, "msisdn", 0),
		fxCall(a, 4, "2026-03-02T12:00:00Z", "voice", "in", y, "msisdn", 100),
		fxCall(a, 5, "2026-03-02T13:00:00Z", "voice", "out", y, "msisdn", 20), // y: 2 events, 120 s; x: 2 events, 60 s
		fxCall(a, 6, "2026-03-02T14:00:00Z", "voice", "in", "", "withheld", 30),
		fxCall(a, 7, "2026-03-02T15:00:00Z", "data", "", "", "withheld", 300),
		fxCall(a, 8, "2026-03-02T16:00:00Z", "sms", "in", "HSBC", "alpha", 0),
		dup,
		fxCall(b, 2, "2026-03-03T09:00:00Z", "sms", "out", x, "msisdn", 0),
		fxCall(b, 3, "2026-03-03T09:30:00Z", "sms", "in", "HSBC", "alpha", 0),
		fxCall(b, 4, "2026-03-03T10:00:00Z", "voice", "out", a, "msisdn", 5),
		fxCall(c, 2, "2026-03-03T10:00:00Z", "voice", "out", x, "msisdn", 5), // c is not asked for
	}
	contact := func(other, kind string, isTarget bool, n int, dur int64, in, out int, byType []analysis.TypeCount, first, last string) analysis.Contact {
		return analysis.Contact{Other: other, Kind: kind, IsTarget: isTarget, Count: n, DurationS: dur, In: in, Out: out, ByType: byType, First: fxAt(first), Last: fxAt(last)}
	}
	want := analysis.ContactResult{
		Params: analysis.ContactParams{WindowS: 3600, MatchS: 60, ChainTypes: []string{"voice"}, CommonKinds: []string{"msisdn", "raw"}},
		Targets: []analysis.TargetContacts{
			{
				Target: a, Events: 6,
				Contacts: []analysis.Contact{
					contact(y, "msisdn", false, 2, 120, 1, 1, []analysis.TypeCount{{Type: "voice", Count: 2}}, "2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z"),
					contact(x, "msisdn", false, 2, 60, 1, 1, []analysis.TypeCount{{Type: "sms", Count: 1}, {Type: "voice", Count: 1}}, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"),
					contact("HSBC", "alpha", false, 1, 0, 1, 0, []analysis.TypeCount{{Type: "sms", Count: 1}}, "2026-03-02T16:00:00Z", "2026-03-02T16:00:00Z"),
				},
				Withheld: 1, WithheldByType: []analysis.TypeCount{{Type: "voice", Count: 1}},
			},
			{
				Target: b, Events: 3,
				Contacts: []analysis.Contact{
					contact(a, "msisdn", true, 1, 5, 0, 1, []analysis.TypeCount{{Type: "voice", Count: 1}}, "2026-03-03T10:00:00Z", "2026-03-03T10:00:00Z"),
					contact(x, "msisdn", false, 1, 0, 0, 1, []analysis.TypeCount{{Type: "sms", Count: 1}}, "2026-03-03T09:00:00Z", "2026-03-03T09:00:00Z"),
					contact("HSBC", "alpha", false, 1, 0, 1, 0, []analysis.TypeCount{{Type: "sms", Count: 1}}, "2026-03-03T09:30:00Z", "2026-03-03T09:30:00Z"),
				},
				WithheldByType: []analysis.TypeCount{},
			},
		},
		Common: []analysis.CommonContact{{Other: x, Kind: "msisdn", Count: 3, Targets: []analysis.CommonTarget{
			{Target: a, Count: 2, DurationS: 60, First: fxAt("2026-03-02T10:00:00Z"), Last: fxAt("2026-03-02T11:00:00Z")},
			{Target: b, Count: 1, First: fxAt("2026-03-03T09:00:00Z"), Last: fxAt("2026-03-03T09:00:00Z")},
		}}},
		Chains: []analysis.CallChain{},
	}
	t.Run("ranking, withheld parties, common contacts", func(t *testing.T) {
		got := analysis.Contacts(events, []string{a, b, a}, analysis.ContactParams{})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Contacts mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("service numbers as common contacts on request", func(t *testing.T) {
		got := analysis.Contacts(events, []string{a, b}, analysis.ContactParams{CommonKinds: []string{"msisdn", "alpha"}})
		var others []string
		for _, c := range got.Common {
			others = append(others, c.Other)
		}
		if diff := cmp.Diff([]string{x, "HSBC"}, others); diff != "" {
			t.Errorf("common contacts (-want +got):\n%s", diff)
		}
	})
	t.Run("no targets: every target, sorted", func(t *testing.T) {
		got := analysis.Contacts(events, nil, analysis.ContactParams{})
		var targets []string
		for _, tc := range got.Targets {
			targets = append(targets, tc.Target)
		}
		if diff := cmp.Diff([]string{a, b, c}, targets); diff != "" {
			t.Errorf("targets (-want +got):\n%s", diff)
		}
	})
	t.Run("empty input", func(t *testing.T) {
		got := analysis.Contacts(nil, nil, analysis.ContactParams{})
		want := analysis.ContactResult{Params: want.Params, Targets: []analysis.TargetContacts{}, Common: []analysis.CommonContact{}, Chains: []analysis.CallChain{}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Contacts mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestContactsChains(t *testing.T) {
	const a, b, c, d = "+447700900001", "+447700900002", "+447700900003", "+447700900004"
	ref := func(target string, row int) analysis.EventRef { return analysis.EventRef{Target: target, Row: row} }
	link := func(from, to, start string, dur int64, after []int, recs ...analysis.EventRef) analysis.ChainLink {
		return analysis.ChainLink{From: from, To: to, Type: "voice", Start: fxAt(start), DurationS: dur, After: after, Records: recs}
	}
	tests := []struct {
		name    string
		events  []cellsite.Event
		targets []string
		want    []analysis.CallChain
	}{
		{
			name: "A→B held by B, B→C at exactly WindowS after its end",
			events: []cellsite.Event{
				fxCall(b, 2, "2026-03-02T10:00:00Z", "voice", "in", a, "msisdn", 60),
				fxCall(b, 3, "2026-03-02T11:01:00Z", "voice", "out", c, "msisdn", 30),
			},
			targets: []string{b},
			want: []analysis.CallChain{{Links: []analysis.ChainLink{
				link(a, b, "2026-03-02T10:00:00Z", 60, []int{}, ref(b, 2)),
				link(b, c, "2026-03-02T11:01:00Z", 30, []int{0}, ref(b, 3)),
			}}},
		},
		{
			name: "one second beyond WindowS is no chain",
			events: []cellsite.Event{
				fxCall(b, 2, "2026-03-02T10:00:00Z", "voice", "in", a, "msisdn", 60),
				fxCall(b, 3, "2026-03-02T11:01:01Z", "voice", "out", c, "msisdn", 30),
			},
			targets: []string{b},
		},
		{
			name: "calling back the caller is no chain",
			events: []cellsite.Event{
				fxCall(b, 2, "2026-03-02T10:00:00Z", "voice", "in", a, "msisdn", 60),
				fxCall(b, 3, "2026-03-02T10:05:00Z", "voice", "out", a, "msisdn", 30),
			},
			targets: []string{b},
		},
		{
			name: "B must be a target",
			events: []cellsite.Event{
				fxCall(a, 2, "2026-03-02T10:00:00Z", "voice", "out", b, "msisdn", 60),
				fxCall(c, 3, "2026-03-02T10:05:00Z", "voice", "in", b, "msisdn", 30),
			},
			targets: []string{a, c},
		},
		{
			name: "A→B held by both within MatchS is one call; chain of three with the last held by D",
			events: []cellsite.Event{
				fxCall(a, 2, "2026-03-02T10:00:00Z", "voice", "out", b, "msisdn", 60),
				fxCall(b, 2, "2026-03-02T10:00:02Z", "voice", "in", a, "msisdn", 61),
				fxCall(b, 3, "2026-03-02T10:05:00Z", "voice", "out", c, "msisdn", 30),
				fxCall(c, 2, "2026-03-02T10:05:00Z", "voice", "in", b, "msisdn", 30),
				fxCall(d, 2, "2026-03-02T10:10:00Z", "voice", "in", c, "msisdn", 10),
				fxCall(b, 4, "2026-03-02T10:20:00Z", "sms", "out", d, "msisdn", 0), // not a call
				fxCall(b, 5, "2026-03-02T10:21:00Z", "voice", "out", "", "withheld", 0),
			},
			targets: []string{a, b, c, d},
			want: []analysis.CallChain{{Links: []analysis.ChainLink{
				link(a, b, "2026-03-02T10:00:00Z", 61, []int{}, ref(a, 2), ref(b, 2)),
				link(b, c, "2026-03-02T10:05:00Z", 30, []int{0}, ref(b, 3), ref(c, 2)),
				link(c, d, "2026-03-02T10:10:00Z", 10, []int{1}, ref(d, 2)),
			}}},
		},
		{
			name: "two calls into B before one out: joined to the latest; separate chains stay apart",
			events: []cellsite.Event{
				fxCall(b, 2, "2026-03-02T10:00:00Z", "voice", "in", a, "msisdn", 10),
				fxCall(b, 3, "2026-03-02T10:02:00Z", "voice", "in", d, "msisdn", 10),
				fxCall(b, 4, "2026-03-02T10:04:00Z", "voice", "out", c, "msisdn", 10),
				fxCall(b, 5, "2026-03-03T10:00:00Z", "voice", "in", a, "msisdn", 10),
				fxCall(b, 6, "2026-03-03T10:04:00Z", "voice", "out", d, "msisdn", 10),
			},
			targets: []string{b},
			want: []analysis.CallChain{
				{Links: []analysis.ChainLink{
					link(d, b, "2026-03-02T10:02:00Z", 10, []int{}, ref(b, 3)),
					link(b, c, "2026-03-02T10:04:00Z", 10, []int{0}, ref(b, 4)),
				}},
				{Links: []analysis.ChainLink{
					link(a, b, "2026-03-03T10:00:00Z", 10, []int{}, ref(b, 5)),
					link(b, d, "2026-03-03T10:04:00Z", 10, []int{0}, ref(b, 6)),
				}},
			},
		},
		{
			name: "records two minutes apart are two calls; the later one is joined",
			events: []cellsite.Event{
				fxCall(a, 2, "2026-03-02T10:00:00Z", "voice", "out", b, "msisdn", 10),
				fxCall(b, 2, "2026-03-02T10:02:00Z", "voice", "in", a, "msisdn", 10),
				fxCall(b, 3, "2026-03-02T10:05:00Z", "voice", "out", c, "msisdn", 10),
			},
			targets: []string{a, b},
			want: []analysis.CallChain{{Links: []analysis.ChainLink{
				link(a, b, "2026-03-02T10:02:00Z", 10, []int{}, ref(b, 2)),
				link(b, c, "2026-03-02T10:05:00Z", 10, []int{0}, ref(b, 3)),
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = []analysis.CallChain{}
			}
			got := analysis.Contacts(tt.events, tt.targets, analysis.ContactParams{})
			if diff := cmp.Diff(want, got.Chains); diff != "" {
				t.Errorf("chains mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContactParamsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   analysis.ContactParams
		want analysis.ContactParams
	}{
		{"zero", analysis.ContactParams{}, analysis.ContactParams{WindowS: 3600, MatchS: 60, ChainTypes: []string{"voice"}, CommonKinds: []string{"msisdn", "raw"}}},
		{"set", analysis.ContactParams{WindowS: 900, MatchS: -1, ChainTypes: []string{"voice", "sms"}, CommonKinds: []string{"short"}},
			analysis.ContactParams{WindowS: 900, MatchS: -1, ChainTypes: []string{"voice", "sms"}, CommonKinds: []string{"short"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.in.Defaults()); diff != "" {
				t.Errorf("Defaults mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkContacts(b *testing.B) {
	locs := fxMillion()
	events := make([]cellsite.Event, len(locs))
	for i := range locs {
		events[i] = locs[i].Event
	}
	b.ReportAllocs()
	for b.Loop() {
		r := analysis.Contacts(events, nil, analysis.ContactParams{})
		if len(r.Targets) != 1 {
			b.Fatalf("%d targets", len(r.Targets))
		}
	}
	r := analysis.Contacts(events, nil, analysis.ContactParams{})
	b.ReportMetric(float64(len(r.Chains)), "chains")
}
