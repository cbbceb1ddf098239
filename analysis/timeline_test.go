package analysis_test

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
)

// Fixtures shared by the tests of timeline, pattern of life, contacts,
// attribution and data sessions.

// fxAt parses an RFC 3339 instant.
func fxAt(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// fxCell is a cell record at a mast position.
func fxCell(key string, lat, lon float64) cellsite.Cell {
	return cellsite.Cell{Key: key, Site: "SITE " + key, Lat: lat, Lon: lon}
}

// fxLoc is a located event of target at start, placed by first (and
// last, when given); a nil cell is none.
func fxLoc(target string, row int, start string, first, last *cellsite.Cell) analysis.Located {
	l := analysis.Located{Event: cellsite.Event{Target: target, Row: row, Start: fxAt(start), Type: "voice", Direction: "out", Bytes: -1}}
	l.FirstRes, l.LastRes = analysis.NoCell, analysis.NoCell
	if first != nil {
		l.FirstCell, l.First, l.FirstRes = first.Key, *first, analysis.Resolved
	}
	if last != nil {
		l.LastCell, l.Last, l.LastRes = last.Key, *last, analysis.Resolved
	}
	return l
}

// fxMillion returns 1,000,000 located events of one target over about a
// year, one every 30 seconds on average, with other parties drawn from 500
// numbers: the benchmarks' input. The phone wanders over a grid of 20 by
// 30 cells about a kilometre apart, staying on its cell four times in five
// and otherwise moving to a neighbour. It is built once.
var fxMillion = sync.OnceValue(func() []analysis.Located {
	const n, rows, cols = 1_000_000, 20, 30
	rng := rand.New(rand.NewPCG(1, 2))
	cells := make([]cellsite.Cell, rows*cols)
	for i := range cells {
		cells[i] = fxCell("234-30-"+strconv.Itoa(1000+i), 51+float64(i/cols)*0.01, -1+float64(i%cols)*0.015)
	}
	r, k := rows/2, cols/2
	others := make([]string, 500)
	for i := range others {
		others[i] = "+44770090" + strconv.Itoa(1000+i)
	}
	types := []string{"voice", "voice", "sms", "sms", "data", "data", "data", "mms"}
	out := make([]analysis.Located, n)
	at := fxAt("2025-01-06T00:00:00Z")
	for i := range out {
		at = at.Add(time.Duration(1+rng.IntN(60)) * time.Second)
		if rng.IntN(5) == 0 {
			switch rng.IntN(4) {
			case 0:
				r = min(r+1, rows-1)
			case 1:
				r = max(r-1, 0)
			case 2:
				k = min(k+1, cols-1)
			default:
				k = max(k-1, 0)
			}
		}
		c := &cells[r*cols+k]
		l := analysis.Located{Event: cellsite.Event{Target: "+447700900001", Row: i + 2, Start: at, Type: types[rng.IntN(len(types))], FirstCell: c.Key, Bytes: -1}}
		l.First, l.FirstRes, l.LastRes = *c, analysis.Resolved, analysis.NoCell
		switch l.Type {
		case "data":
			l.OtherKind, l.ChargingID, l.Bytes = "withheld", strconv.Itoa(i/4), int64(rng.IntN(1<<20))
		default:
			l.Other, l.OtherKind = others[int(float64(len(others))*rng.Float64()*rng.Float64())], "msisdn"
			l.Direction = []string{"in", "out"}[rng.IntN(2)]
			if l.Type == "voice" {
				l.DurationS = int64(rng.IntN(600))
			}
		}
		out[i] = l
	}
	return out
})

func TestTimeline(t *testing.T) {
	a := fxCell("234-30-1", 51.0, 0)
	b := fxCell("234-30-2", 51.1, 0)
	far := fxCell("234-30-3", 52.0, 0)
	d := geo.Distance(geo.LatLon{Lat: a.Lat, Lon: a.Lon}, geo.LatLon{Lat: b.Lat, Lon: b.Lon}) // about 11.1 km
	// At 36 km/h for 1000 s a phone covers exactly 10,000 m; with this
	// radius the distance less both radii is exactly that.
	speed, elapsed := 36.0, 1000.0
	reach := speed / 3.6 * elapsed // as Timeline computes it
	bound := (d - reach) / 2
	if d-2*bound != reach {
		t.Fatalf("fixture: distance less radii %v, want exactly %v", d-2*bound, reach)
	}
	const who = "+447700900001"

	entry := func(index, row int, start string, c *cellsite.Cell) analysis.TimelineEntry {
		e := analysis.TimelineEntry{Index: index, Row: row, Start: fxAt(start), Type: "voice", Direction: "out",
			FirstRes: analysis.NoCell, LastRes: analysis.NoCell}
		if c != nil {
			e.FirstCell, e.FirstRes = c.Key, analysis.Resolved
			e.Placed, e.PlacedBy, e.Cell, e.Site, e.Lat, e.Lon = true, analysis.PlacedByFirst, c.Key, c.Site, c.Lat, c.Lon
		}
		return e
	}

	tests := []struct {
		name   string
		events []analysis.Located
		p      analysis.TimelineParams
		want   func(r *analysis.TimelineResult)
	}{
		{
			name:   "empty input",
			events: nil,
			want:   func(r *analysis.TimelineResult) {},
		},
		{
			name: "other targets and duplicates left out, order restored",
			events: func() []analysis.Located {
				dup := fxLoc(who, 3, "2026-03-02T10:00:00Z", &a, nil)
				dup.DuplicateOf = 2
				return []analysis.Located{
					fxLoc(who, 4, "2026-03-02T11:00:00Z", &a, nil),
					fxLoc("+447700900002", 9, "2026-03-02T10:30:00Z", &b, nil),
					fxLoc(who, 2, "2026-03-02T10:00:00Z", &a, nil),
					dup,
				}
			}(),
			want: func(r *analysis.TimelineResult) {
				r.Entries = []analysis.TimelineEntry{entry(2, 2, "2026-03-02T10:00:00Z", &a), entry(0, 4, "2026-03-02T11:00:00Z", &a)}
				r.Placed = 2
			},
		},
		{
			name: "gap longer than GapS; exactly GapS is none",
			events: []analysis.Located{
				fxLoc(who, 2, "2026-03-02T00:00:00Z", &a, nil),
				fxLoc(who, 3, "2026-03-02T06:00:00Z", &a, nil),
				fxLoc(who, 4, "2026-03-02T12:00:01Z", &a, nil),
			},
			want: func(r *analysis.TimelineResult) {
				r.Entries = []analysis.TimelineEntry{entry(0, 2, "2026-03-02T00:00:00Z", &a), entry(1, 3, "2026-03-02T06:00:00Z", &a), entry(2, 4, "2026-03-02T12:00:01Z", &a)}
				r.Placed = 3
				r.Gaps = []analysis.TimelineGap{{After: 1, Before: 2, From: fxAt("2026-03-02T06:00:00Z"), To: fxAt("2026-03-02T12:00:01Z"), Seconds: 6*3600 + 1}}
			},
		},
		{
			name:   "handover and unplaced event kept",
			events: []analysis.Located{fxLoc(who, 2, "2026-03-02T10:00:00Z", &a, &b), fxLoc(who, 3, "2026-03-02T10:05:00Z", nil, nil)},
			want: func(r *analysis.TimelineResult) {
				e := entry(0, 2, "2026-03-02T10:00:00Z", &a)
				e.LastCell, e.LastRes, e.Handover = b.Key, analysis.Resolved, true
				r.Entries = []analysis.TimelineEntry{e, entry(1, 3, "2026-03-02T10:05:00Z", nil)}
				r.Placed, r.Unplaced, r.Handovers = 1, 1, 1
			},
		},
		{
			name:   "movement exactly at the bound is feasible",
			events: []analysis.Located{fxLoc(who, 2, "2026-03-02T10:00:00Z", &a, nil), fxLoc(who, 3, "2026-03-02T10:16:40Z", &b, nil)},
			p:      analysis.TimelineParams{MaxSpeedKmh: 36, ServiceRadiusM: bound},
			want: func(r *analysis.TimelineResult) {
				r.Params = analysis.TimelineParams{GapS: 21600, MaxSpeedKmh: 36, ServiceRadiusM: bound}
				r.Entries = []analysis.TimelineEntry{entry(0, 2, "2026-03-02T10:00:00Z", &a), entry(1, 3, "2026-03-02T10:16:40Z", &b)}
				r.Placed = 2
			},
		},
		{
			name:   "movement a millimetre beyond the bound is flagged, not dropped",
			events: []analysis.Located{fxLoc(who, 2, "2026-03-02T10:00:00Z", &a, nil), fxLoc(who, 3, "2026-03-02T10:16:40Z", &b, nil)},
			p:      analysis.TimelineParams{MaxSpeedKmh: 36, ServiceRadiusM: bound - 0.0005},
			want: func(r *analysis.TimelineResult) {
				r.Params = analysis.TimelineParams{GapS: 21600, MaxSpeedKmh: 36, ServiceRadiusM: bound - 0.0005}
				e := entry(1, 3, "2026-03-02T10:16:40Z", &b)
				e.Infeasible = true
				r.Entries = []analysis.TimelineEntry{entry(0, 2, "2026-03-02T10:00:00Z", &a), e}
				r.Placed = 2
				r.Infeasible = []analysis.TimelineMove{{From: 0, To: 1, DistanceM: d, ExcessM: d - 2*(bound-0.0005), ElapsedS: 1000, ReachM: reach}}
			},
		},
		{
			name: "infeasibility is judged across an unplaced event",
			events: []analysis.Located{
				fxLoc(who, 2, "2026-03-02T10:00:00Z", &a, nil),
				fxLoc(who, 3, "2026-03-02T10:01:00Z", nil, nil),
				fxLoc(who, 4, "2026-03-02T10:02:00Z", &far, nil),
			},
			want: func(r *analysis.TimelineResult) {
				df := geo.Distance(geo.LatLon{Lat: a.Lat, Lon: a.Lon}, geo.LatLon{Lat: far.Lat, Lon: far.Lon})
				e := entry(2, 4, "2026-03-02T10:02:00Z", &far)
				e.Infeasible = true
				r.Entries = []analysis.TimelineEntry{entry(0, 2, "2026-03-02T10:00:00Z", &a), entry(1, 3, "2026-03-02T10:01:00Z", nil), e}
				r.Placed, r.Unplaced = 2, 1
				r.Infeasible = []analysis.TimelineMove{{From: 0, To: 2, DistanceM: df, ExcessM: df - 10000, ElapsedS: 120, ReachM: fxReach(200, 120)}}
			},
		},
		{
			name: "an event placed by its last cell may be as late as its end",
			events: func() []analysis.Located {
				l := fxLoc(who, 3, "2026-03-02T10:01:00Z", nil, &far)
				l.FirstCell, l.FirstRes, l.DurationS = "234-30-999", analysis.UnknownCell, 3600
				return []analysis.Located{fxLoc(who, 2, "2026-03-02T10:00:00Z", &a, nil), l}
			}(),
			want: func(r *analysis.TimelineResult) {
				e := entry(1, 3, "2026-03-02T10:01:00Z", nil)
				e.FirstCell, e.FirstRes, e.LastCell, e.LastRes, e.DurationS, e.Handover = "234-30-999", analysis.UnknownCell, far.Key, analysis.Resolved, 3600, true
				e.Placed, e.PlacedBy, e.Cell, e.Site, e.Lat, e.Lon = true, analysis.PlacedByLast, far.Key, far.Site, far.Lat, far.Lon
				r.Entries = []analysis.TimelineEntry{entry(0, 2, "2026-03-02T10:00:00Z", &a), e}
				r.Placed, r.Handovers = 2, 1
			},
		},
		{
			name: "an ambiguous local time may be an hour later",
			events: func() []analysis.Located {
				l := fxLoc(who, 3, "2026-10-25T00:30:00Z", &far, nil)
				l.TimeFlag = "ambiguous"
				return []analysis.Located{fxLoc(who, 2, "2026-10-25T00:20:00Z", &a, nil), l}
			}(),
			want: func(r *analysis.TimelineResult) {
				e := entry(1, 3, "2026-10-25T00:30:00Z", &far)
				e.TimeFlag = "ambiguous"
				r.Entries = []analysis.TimelineEntry{entry(0, 2, "2026-10-25T00:20:00Z", &a), e}
				r.Placed = 2
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := analysis.TimelineResult{Target: who, Params: analysis.TimelineParams{GapS: 21600, MaxSpeedKmh: 200, ServiceRadiusM: 5000},
				Entries: []analysis.TimelineEntry{}, Gaps: []analysis.TimelineGap{}, Infeasible: []analysis.TimelineMove{}}
			tt.want(&want)
			got := analysis.Timeline(tt.events, who, tt.p)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Timeline mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// fxReach is the distance covered at kmh in s seconds, as Timeline computes it.
func fxReach(kmh, s float64) float64 { return kmh / 3.6 * s }

func TestTimelineParamsDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   analysis.TimelineParams
		want analysis.TimelineParams
	}{
		{"zero", analysis.TimelineParams{}, analysis.TimelineParams{GapS: 21600, MaxSpeedKmh: 200, ServiceRadiusM: 5000}},
		{"set", analysis.TimelineParams{GapS: 60, MaxSpeedKmh: 50, ServiceRadiusM: -1}, analysis.TimelineParams{GapS: 60, MaxSpeedKmh: 50, ServiceRadiusM: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.in.Defaults()); diff != "" {
				t.Errorf("Defaults mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTimelineNoRadius(t *testing.T) {
	a := fxCell("234-30-1", 51.0, 0)
	b := fxCell("234-30-2", 51.01, 0) // about 1.1 km
	evs := []analysis.Located{fxLoc("x", 2, "2026-03-02T10:00:00Z", &a, nil), fxLoc("x", 3, "2026-03-02T10:00:10Z", &b, nil)}
	tests := []struct {
		name   string
		radius float64
		want   int
	}{
		{"default radius allows it", 0, 0},
		{"negative radius allows nothing", -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.Timeline(evs, "x", analysis.TimelineParams{ServiceRadiusM: tt.radius})
			if diff := cmp.Diff(tt.want, len(got.Infeasible)); diff != "" {
				t.Errorf("infeasible movements (-want +got):\n%s", diff)
			}
		})
	}
}

func BenchmarkTimeline(b *testing.B) {
	evs := fxMillion()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := analysis.Timeline(evs, "+447700900001", analysis.TimelineParams{})
		if len(r.Entries) != len(evs) {
			b.Fatalf("%d entries", len(r.Entries))
		}
	}
}
