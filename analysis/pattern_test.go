package analysis_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite/analysis"
)

func TestPatternOfLifeClockChanges(t *testing.T) {
	c := fxCell("234-30-1", 51, 0)
	// Day index 0 is Monday; 29 March and 25 October 2026 are Sundays.
	tests := []struct {
		name    string
		start   string
		day     int
		hour    int
		night   bool
		weekday bool // in the weekday daytime window
	}{
		{"Saturday 23:30 GMT", "2026-03-28T23:30:00Z", 5, 23, true, false},
		{"00:30 GMT before clocks go forward", "2026-03-29T00:30:00Z", 6, 0, true, false},
		{"01:30 UTC is 02:30 BST: 01:xx never happens", "2026-03-29T01:30:00Z", 6, 2, true, false},
		{"first 01:30 (BST) when clocks go back", "2026-10-25T00:30:00Z", 6, 1, true, false},
		{"second 01:30 (GMT) when clocks go back", "2026-10-25T01:30:00Z", 6, 1, true, false},
		{"Monday 08:30 UTC is 09:30 BST: by day", "2026-06-01T08:30:00Z", 0, 9, false, true},
		{"Monday 16:30 UTC is 17:30 BST: not by day", "2026-06-01T16:30:00Z", 0, 17, false, false},
		{"Monday 05:30 UTC is 06:30 BST: not night", "2026-06-01T05:30:00Z", 0, 6, false, false},
		{"Friday 21:30 UTC is 22:30 BST: night", "2026-06-05T21:30:00Z", 4, 22, true, false},
		{"Monday 08:30 GMT in winter: not by day", "2026-01-05T08:30:00Z", 0, 8, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.PatternOfLife([]analysis.Located{fxLoc("x", 2, tt.start, &c, nil)}, "x", analysis.PatternParams{})
			var want [7][24]int
			want[tt.day][tt.hour] = 1
			if diff := cmp.Diff(want, got.ByHour); diff != "" {
				t.Errorf("ByHour mismatch (-want +got):\n%s", diff)
			}
			b2i := map[bool]int{false: 0, true: 1}
			if diff := cmp.Diff([2]int{b2i[tt.night], b2i[tt.weekday]}, [2]int{got.Night, got.Day}); diff != "" {
				t.Errorf("night and day counts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatternOfLife(t *testing.T) {
	home1 := fxCell("234-30-11", 51.0, 0) // two sectors of one mast
	home2 := fxCell("234-30-12", 51.0, 0)
	work := fxCell("234-30-20", 51.1, 0)
	other := fxCell("234-30-30", 51.2, 0)
	pc := func(c *analysis.Located, n, of int) analysis.PatternCell {
		return analysis.PatternCell{Cell: c.First.Key, Site: c.First.Site, Lat: c.First.Lat, Lon: c.First.Lon, Count: n, Share: float64(n) / float64(of)}
	}
	defaults := analysis.PatternParams{NightFrom: 22, NightTo: 6, DayFrom: 9, DayTo: 17, TopCells: 10, SameSiteM: 50}
	tests := []struct {
		name   string
		events []analysis.Located
		p      analysis.PatternParams
		want   func(r *analysis.Pattern)
	}{
		{
			name: "empty input",
			want: func(r *analysis.Pattern) {},
		},
		{
			name: "equal counts: the lower cell key wins",
			events: []analysis.Located{
				fxLoc("x", 2, "2026-03-02T23:00:00Z", &home2, nil),
				fxLoc("x", 3, "2026-03-03T01:00:00Z", &home1, nil),
				fxLoc("x", 4, "2026-03-03T23:00:00Z", &home2, nil),
				fxLoc("x", 5, "2026-03-04T01:00:00Z", &home1, nil),
			},
			want: func(r *analysis.Pattern) {
				r.Events, r.Placed, r.Night = 4, 4, 4
				r.ByHour[0][23], r.ByHour[1][1], r.ByHour[1][23], r.ByHour[2][1] = 1, 1, 1, 1
				l1, l2 := fxLoc("", 0, "2026-01-01T00:00:00Z", &home1, nil), fxLoc("", 0, "2026-01-01T00:00:00Z", &home2, nil)
				r.Cells = []analysis.PatternCell{pc(&l1, 2, 4), pc(&l2, 2, 4)}
				r.NightCells = r.Cells
				r.Home = analysis.PatternCandidate{Found: true, PatternCell: pc(&l1, 2, 4), Of: 4}
			},
		},
		{
			name: "work leaves out the home mast's other sectors; unplaced and other targets",
			events: []analysis.Located{
				fxLoc("x", 2, "2026-03-02T23:00:00Z", &home1, nil), // Monday night
				fxLoc("x", 3, "2026-03-03T10:00:00Z", &home2, nil), // Tuesday by day, home mast
				fxLoc("x", 4, "2026-03-03T11:00:00Z", &home2, nil),
				fxLoc("x", 5, "2026-03-03T12:00:00Z", &work, nil),
				fxLoc("x", 6, "2026-03-03T13:00:00Z", nil, nil),    // unplaced
				fxLoc("x", 7, "2026-03-07T12:00:00Z", &other, nil), // Saturday: not by day
				fxLoc("y", 8, "2026-03-03T12:00:00Z", &other, nil), // another target
				fxLoc("x", 9, "2026-03-04T12:00:00Z", nil, &work),  // placed by its last cell
			},
			want: func(r *analysis.Pattern) {
				r.Events, r.Placed, r.Unplaced, r.Night, r.Day = 7, 6, 1, 1, 5
				r.ByHour[0][23], r.ByHour[1][10], r.ByHour[1][11], r.ByHour[1][12], r.ByHour[1][13], r.ByHour[5][12], r.ByHour[2][12] = 1, 1, 1, 1, 1, 1, 1
				lh1, lh2 := fxLoc("", 0, "2026-01-01T00:00:00Z", &home1, nil), fxLoc("", 0, "2026-01-01T00:00:00Z", &home2, nil)
				lw, lo := fxLoc("", 0, "2026-01-01T00:00:00Z", &work, nil), fxLoc("", 0, "2026-01-01T00:00:00Z", &other, nil)
				r.Cells = []analysis.PatternCell{pc(&lh2, 2, 6), pc(&lw, 2, 6), pc(&lh1, 1, 6), pc(&lo, 1, 6)}
				r.NightCells = []analysis.PatternCell{pc(&lh1, 1, 1)}
				r.DayCells = []analysis.PatternCell{pc(&lh2, 2, 4), pc(&lw, 2, 4)}
				r.Home = analysis.PatternCandidate{Found: true, PatternCell: pc(&lh1, 1, 1), Of: 1}
				r.Work = analysis.PatternCandidate{Found: true, PatternCell: pc(&lw, 2, 4), Of: 4}
			},
		},
		{
			name: "night from midnight (24), top cells cut",
			events: []analysis.Located{
				fxLoc("x", 2, "2026-03-02T23:30:00Z", &home1, nil),
				fxLoc("x", 3, "2026-03-03T00:30:00Z", &home2, nil),
				fxLoc("x", 4, "2026-03-03T00:40:00Z", &home2, nil),
			},
			p: analysis.PatternParams{NightFrom: 24, TopCells: 1},
			want: func(r *analysis.Pattern) {
				r.Params.NightFrom, r.Params.TopCells = 24, 1
				r.Events, r.Placed, r.Night = 3, 3, 2
				r.ByHour[0][23], r.ByHour[1][0] = 1, 2
				lh2 := fxLoc("", 0, "2026-01-01T00:00:00Z", &home2, nil)
				r.Cells = []analysis.PatternCell{pc(&lh2, 2, 3)}
				r.NightCells = []analysis.PatternCell{pc(&lh2, 2, 2)}
				r.Home = analysis.PatternCandidate{Found: true, PatternCell: pc(&lh2, 2, 2), Of: 2}
			},
		},
		{
			name: "flagged local times are counted",
			events: func() []analysis.Located {
				a := fxLoc("x", 2, "2026-10-25T00:30:00Z", nil, nil)
				a.TimeFlag = "ambiguous"
				b := fxLoc("x", 3, "2026-03-29T01:30:00Z", nil, nil)
				b.TimeFlag = "impossible"
				return []analysis.Located{a, b}
			}(),
			want: func(r *analysis.Pattern) {
				r.Events, r.Unplaced, r.Night, r.Ambiguous, r.Impossible = 2, 2, 2, 1, 1
				r.ByHour[6][1], r.ByHour[6][2] = 1, 1
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := analysis.Pattern{Target: "x", Params: defaults, Cells: []analysis.PatternCell{}, NightCells: []analysis.PatternCell{}, DayCells: []analysis.PatternCell{}}
			tt.want(&want)
			got := analysis.PatternOfLife(tt.events, "x", tt.p)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("PatternOfLife mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatternParamsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   analysis.PatternParams
		want analysis.PatternParams
	}{
		{"zero", analysis.PatternParams{}, analysis.PatternParams{NightFrom: 22, NightTo: 6, DayFrom: 9, DayTo: 17, TopCells: 10, SameSiteM: 50}},
		{"set", analysis.PatternParams{NightFrom: 23, NightTo: 24, DayFrom: 8, DayTo: 18, TopCells: -1, SameSiteM: 10},
			analysis.PatternParams{NightFrom: 23, NightTo: 24, DayFrom: 8, DayTo: 18, TopCells: -1, SameSiteM: 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.in.Defaults()); diff != "" {
				t.Errorf("Defaults mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkPatternOfLife(b *testing.B) {
	evs := fxMillion()
	b.ReportAllocs()
	for b.Loop() {
		r := analysis.PatternOfLife(evs, "+447700900001", analysis.PatternParams{})
		if r.Events != len(evs) {
			b.Fatalf("%d events", r.Events)
		}
	}
}
