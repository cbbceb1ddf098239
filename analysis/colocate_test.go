package analysis_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// naiveColocate is the reference for Colocate: every pair of events of
// every pair of targets is tested with the geodesic distance, the
// qualifying pairs are sorted by their intervals and merged. It is
// written from Colocate's documentation alone and shares no code with it
// but the exported overlap tests of the sector and service-area bases;
// with "service-area", each cell's radius is found by measuring the
// distance to every mast of the cell list (cells) and of the events.
func naiveColocate(events []analysis.Located, targets []string, cells []cellsite.Cell, p analysis.ColocationParams) analysis.Colocation {
	p = p.Defaults()
	ts := append([]string{}, targets...)
	sort.Strings(ts)
	ts = slices.Compact(ts)
	out := analysis.Colocation{Params: p, Targets: ts, Together: []analysis.ColocationEpisode{}, Apart: []analysis.ColocationEpisode{}}
	placed := map[string][]int{}
	for _, t := range ts {
		cov := analysis.ColocationCoverage{Target: t}
		for i := range events {
			e := &events[i]
			if e.Target != t || e.DuplicateOf != 0 {
				continue
			}
			cov.Events++
			c, ok := e.Where()
			if !ok || math.IsNaN(c.Lat) || math.IsNaN(c.Lon) || math.IsInf(c.Lat, 0) || math.IsInf(c.Lon, 0) || math.Abs(c.Lat) > 90 {
				continue
			}
			cov.Placed++
			placed[t] = append(placed[t], i)
		}
		out.Coverage = append(out.Coverage, cov)
	}
	site := func(i int) geo.LatLon {
		c, _ := events[i].Where()
		return geo.LatLon{Lat: c.Lat, Lon: c.Lon}
	}
	masts := slices.Clone(cells)
	for _, t := range ts {
		for _, i := range placed[t] {
			c, _ := events[i].Where()
			masts = append(masts, c)
		}
	}
	radii := map[int]float64{} // by event
	radius := func(i int) float64 {
		if p.Basis != analysis.BasisServiceArea {
			return 0
		}
		if r, ok := radii[i]; ok {
			return r
		}
		c, _ := events[i].Where()
		radii[i] = naiveAreaRadius(c, masts, p)
		return radii[i]
	}
	area := func(i int) analysis.ServiceArea {
		c, _ := events[i].Where()
		r := radius(i)
		return analysis.ServiceArea{Mast: site(i), AzimuthDeg: c.AzimuthDeg,
			Omni:     c.Omni || math.IsNaN(c.AzimuthDeg) || math.IsInf(c.AzimuthDeg, 0) || p.AreaWidthDeg >= 360,
			WidthDeg: p.AreaWidthDeg, RadiusM: r, BackRadiusM: p.AreaBackFraction * r}
	}
	window := time.Duration(p.WindowS) * time.Second
	for x, a := range ts {
		for _, b := range ts[x+1:] {
			var tog, apart []naiveMatch
			for _, i := range placed[a] {
				for _, j := range placed[b] {
					dt := events[j].Start.Sub(events[i].Start)
					if dt < -window || dt > window {
						continue
					}
					d := geo.Distance(site(i), site(j))
					m := naiveMatch{i: i, j: j, start: events[i].Start, end: events[j].Start, d: d}
					if m.end.Before(m.start) {
						m.start, m.end = m.end, m.start
					}
					ca, _ := events[i].Where()
					cb, _ := events[j].Where()
					var together bool
					switch p.Basis {
					case analysis.BasisCell:
						together = ca.Key == cb.Key
					case analysis.BasisSite:
						together = d <= analysis.SameSiteM
					case analysis.BasisNearby:
						together = d <= p.DistanceM
					case analysis.BasisSector:
						together = analysis.SectorsOverlap(&ca, &cb, p.SectorRadiusM)
					case analysis.BasisServiceArea:
						together = analysis.ServiceAreasOverlap(area(i), area(j))
					}
					if together {
						tog = append(tog, m)
					}
					if d >= p.ApartM && !(together && (p.Basis == analysis.BasisSector || p.Basis == analysis.BasisServiceArea)) {
						apart = append(apart, m)
					}
				}
			}
			for _, k := range []struct {
				kind string
				ms   []naiveMatch
				dst  *[]analysis.ColocationEpisode
			}{{analysis.EpisodeTogether, tog, &out.Together}, {analysis.EpisodeApart, apart, &out.Apart}} {
				ms := k.ms
				sort.SliceStable(ms, func(x, y int) bool { return ms[x].start.Before(ms[y].start) })
				for n := 0; n < len(ms); {
					end := ms[n].end
					m := n + 1
					for m < len(ms) && !ms[m].start.After(end.Add(window)) {
						if ms[m].end.After(end) {
							end = ms[m].end
						}
						m++
					}
					*k.dst = append(*k.dst, naiveEpisode(events, k.kind, a, b, ms[n].start, end, ms[n:m], p, radius))
					n = m
				}
			}
		}
	}
	for _, eps := range [][]analysis.ColocationEpisode{out.Together, out.Apart} {
		sort.SliceStable(eps, func(x, y int) bool {
			ex, ey := eps[x], eps[y]
			if !ex.Start.Equal(ey.Start) {
				return ex.Start.Before(ey.Start)
			}
			if ex.A != ey.A {
				return ex.A < ey.A
			}
			if ex.B != ey.B {
				return ex.B < ey.B
			}
			return ex.End.Before(ey.End)
		})
	}
	return out
}

// naiveMatch is a qualifying pair of events: i of target A, j of target B.
type naiveMatch struct {
	i, j       int
	start, end time.Time
	d          float64
}

func naiveEpisode(events []analysis.Located, kind, a, b string, start, end time.Time, ms []naiveMatch, p analysis.ColocationParams, radius func(int) float64) analysis.ColocationEpisode {
	ep := analysis.ColocationEpisode{Kind: kind, A: a, B: b, Start: start.UTC(), End: end.UTC(), Pairs: len(ms), ClosestM: math.Inf(1), Params: p}
	as, bs := map[int]bool{}, map[int]bool{}
	for _, m := range ms {
		as[m.i], bs[m.j] = true, true
		ep.ClosestM = math.Min(ep.ClosestM, m.d)
	}
	ep.EventsA, ep.EventsB = naiveEvidence(events, as, radius), naiveEvidence(events, bs, radius)
	return ep
}

// naiveAreaRadius returns the service radius of cell c: the distance to
// the k-th nearest distinct mast position of its network more than 50 m
// away among masts whose validity shares an instant with c's, at most the
// maximum radius.
func naiveAreaRadius(c cellsite.Cell, masts []cellsite.Cell, p analysis.ColocationParams) float64 {
	network := func(key string) string {
		if parts := strings.SplitN(key, "-", 3); len(parts) == 3 {
			return parts[0] + "-" + parts[1]
		}
		return key
	}
	// An unset end is unbounded; a period that ends at or before it
	// starts holds no instant.
	end := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return t
	}
	from, to := c.ValidFrom, end(c.ValidTo)
	seen := map[geo.LatLon]bool{}
	var ds []float64
	for _, m := range masts {
		pos := geo.LatLon{Lat: m.Lat, Lon: m.Lon}
		if network(m.Key) != network(c.Key) || seen[pos] || math.IsNaN(m.Lat) || math.IsNaN(m.Lon) || math.IsInf(m.Lat, 0) || math.IsInf(m.Lon, 0) || math.Abs(m.Lat) > 90 {
			continue
		}
		mFrom, mTo := m.ValidFrom, end(m.ValidTo)
		if !from.Before(to) || !mFrom.Before(mTo) || !mFrom.Before(to) || !from.Before(mTo) {
			continue
		}
		if d := geo.Distance(geo.LatLon{Lat: c.Lat, Lon: c.Lon}, pos); d > analysis.SameSiteM {
			seen[pos] = true
			ds = append(ds, d)
		}
	}
	sort.Float64s(ds)
	if len(ds) < p.AreaNeighbour {
		return p.AreaMaxRadiusM
	}
	return math.Min(ds[p.AreaNeighbour-1], p.AreaMaxRadiusM)
}

func naiveEvidence(events []analysis.Located, set map[int]bool, radius func(int) float64) []analysis.ColocationEvent {
	var idx []int
	for i := range set {
		idx = append(idx, i)
	}
	sort.Slice(idx, func(x, y int) bool {
		a, b := events[idx[x]], events[idx[y]]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.Source != b.Source {
			return a.Source.String() < b.Source.String()
		}
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return idx[x] < idx[y]
	})
	out := []analysis.ColocationEvent{}
	for _, i := range idx {
		c, _ := events[i].Where()
		out = append(out, analysis.ColocationEvent{Index: i, Source: events[i].Source, Sheet: events[i].Sheet, Row: events[i].Row,
			Start: events[i].Start, TimeFlag: events[i].TimeFlag, Cell: c.Key, AtOrBefore: events[i].Type == "data", AreaRadiusM: float32(radius(i))})
	}
	return out
}

// ukTowns are real town centres, for random but plausible cell positions.
var ukTowns = []geo.LatLon{
	{Lat: 51.5074, Lon: -0.1278}, {Lat: 52.4862, Lon: -1.8904}, {Lat: 53.4808, Lon: -2.2426}, {Lat: 53.8008, Lon: -1.5491},
	{Lat: 55.8642, Lon: -4.2518}, {Lat: 55.9533, Lon: -3.1883}, {Lat: 53.4084, Lon: -2.9916}, {Lat: 51.4545, Lon: -2.5879},
	{Lat: 53.3811, Lon: -1.4701}, {Lat: 51.4816, Lon: -3.1791}, {Lat: 54.9783, Lon: -1.6178}, {Lat: 52.9548, Lon: -1.1581},
	{Lat: 50.9097, Lon: -1.4044}, {Lat: 50.8225, Lon: -0.1372}, {Lat: 52.6309, Lon: 1.2974}, {Lat: 50.3755, Lon: -4.1427},
	{Lat: 57.1497, Lon: -2.0943}, {Lat: 54.5973, Lon: -5.9301}, {Lat: 52.2053, Lon: 0.1218}, {Lat: 51.7520, Lon: -1.2577},
}

// randomSites returns n cell records per town, scattered over about
// radiusM around the town centre, with keys unique across the set.
func randomSites(rng *rand.Rand, perTown int, radiusM float64) [][]cellsite.Cell {
	out := make([][]cellsite.Cell, len(ukTowns))
	for t, c := range ukTowns {
		for n := range perTown {
			p := geo.Destination(c, rng.Float64()*360, radiusM*math.Sqrt(rng.Float64()))
			out[t] = append(out[t], cellsite.Cell{Key: fmt.Sprintf("234-30-%d", t*100000+n), Site: fmt.Sprintf("SITE %d/%d", t, n),
				Lat: math.Round(p.Lat*1e6) / 1e6, Lon: math.Round(p.Lon*1e6) / 1e6, AzimuthDeg: float64(rng.IntN(360))})
		}
	}
	return out
}

// randomEvents returns n events of target in [from, from+spanS), each
// in time order, placed by a cell of its home town with probability home, else of any
// town; a tenth are data sessions and a twentieth have no resolved cell.
func randomEvents(rng *rand.Rand, sites [][]cellsite.Cell, target string, homeTown int, home float64, n int, from time.Time, spanS int64) []analysis.Located {
	starts := make([]int64, n)
	for i := range starts {
		starts[i] = rng.Int64N(spanS * 1000)
	}
	slices.Sort(starts)
	out := make([]analysis.Located, n)
	for i := range out {
		town := homeTown
		if rng.Float64() >= home {
			town = rng.IntN(len(sites))
		}
		c := sites[town][rng.IntN(len(sites[town]))]
		l := &out[i]
		l.Target, l.Row, l.Type = target, i+1, "voice"
		l.Source[0] = byte(len(target))
		l.Start = from.Add(time.Duration(starts[i]) * time.Millisecond)
		if rng.IntN(10) == 0 {
			l.Type = "data"
		}
		l.FirstCell, l.LastCell = c.Key, c.Key
		switch rng.IntN(20) {
		case 0:
			l.FirstRes, l.LastRes = analysis.UnknownCell, analysis.UnknownCell
		case 1:
			l.FirstRes, l.Last, l.LastRes = analysis.OutsideValidity, c, analysis.Resolved
		default:
			l.First, l.FirstRes, l.Last, l.LastRes = c, analysis.Resolved, c, analysis.Resolved
		}
	}
	return out
}

// BenchmarkColocate runs Colocate over two targets with 1,000,000 events
// each, spread at random over a year (an event every 32 s on average, so
// about 57 events of the other phone in each 15-minute window), at cells
// around 20 UK towns, each phone in its home town (the same for both)
// seven times in ten; the cell list is every cell of the 20 towns. With
// the default parameters (basis "service-area") nearly every event is in
// a pair at least 10 km apart, so the result lists almost every event as
// evidence of one "apart" episode; "far-apart-only" sets ApartM to 1000 km,
// which no pair reaches, to show the cost without that list; "nearby" uses
// that basis at its defaults (1000 m).
func BenchmarkColocate(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	sites := randomSites(rng, 500, 10000)
	ix := analysis.NewCellIndex(slices.Concat(sites...))
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 1_000_000
	events := append(randomEvents(rng, sites, "+447700900001", 0, 0.7, n, from, 365*86400),
		randomEvents(rng, sites, "+447700900002", 0, 0.7, n, from, 365*86400)...)
	targets := []string{"+447700900001", "+447700900002"}
	for _, bc := range []struct {
		name string
		p    analysis.ColocationParams
	}{
		{"defaults", analysis.ColocationParams{}},
		{"far-apart-only", analysis.ColocationParams{ApartM: 1_000_000}},
		{"nearby", analysis.ColocationParams{Basis: analysis.BasisNearby}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			runtime.GC()
			b.ResetTimer()
			var r analysis.Colocation
			for b.Loop() {
				r = analysis.Colocate(events, targets, ix, bc.p)
			}
			evidence := 0
			for _, eps := range [][]analysis.ColocationEpisode{r.Together, r.Apart} {
				for _, e := range eps {
					evidence += len(e.EventsA) + len(e.EventsB)
				}
			}
			b.ReportMetric(float64(len(r.Together)), "together")
			b.ReportMetric(float64(len(r.Apart)), "apart")
			b.ReportMetric(float64(evidence), "evidential-events")
		})
	}
}

var (
	t0   = time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)
	base = geo.LatLon{Lat: 51.5, Lon: -0.12}
)

// mast returns a cell record whose mast is distM metres east of base.
func mast(key string, distM float64) cellsite.Cell {
	p := geo.Destination(base, 90, distM)
	return cellsite.Cell{Key: key, Lat: p.Lat, Lon: p.Lon}
}

// located returns an event of target at t0+offS placed by cell c (first
// cell); a zero cell leaves the event unplaced.
func located(target string, row int, offS int64, c cellsite.Cell, typ string) analysis.Located {
	l := analysis.Located{Event: cellsite.Event{Target: target, Row: row, Type: typ, Start: t0.Add(time.Duration(offS) * time.Second),
		FirstCell: c.Key}}
	l.FirstRes, l.LastRes = analysis.NoCell, analysis.NoCell
	if c.Key != "" {
		l.First, l.FirstRes = c, analysis.Resolved
	}
	return l
}

const (
	phoneA = "+447700900001"
	phoneB = "+447700900002"
	phoneC = "+447700900003"
)

// span is the part of an episode the table tests check.
type span struct {
	Kind, A, B string
	From, To   int64 // seconds after t0
	Pairs      int
	ClosestM   int // metres, rounded
	NA, NB     int
}

func spans(r analysis.Colocation) []span {
	var out []span
	for _, eps := range [][]analysis.ColocationEpisode{r.Together, r.Apart} {
		for _, e := range eps {
			out = append(out, span{e.Kind, e.A, e.B, int64(e.Start.Sub(t0) / time.Second), int64(e.End.Sub(t0) / time.Second),
				e.Pairs, int(math.Round(e.ClosestM)), len(e.EventsA), len(e.EventsB)})
		}
	}
	return out
}

func TestColocate(t *testing.T) {
	x, near30, near900, far1100, far9k, far12k := mast("234-30-1", 0), mast("234-10-2", 30), mast("234-10-3", 900), mast("234-10-4", 1100), mast("234-10-5", 9000), mast("234-10-6", 12000)
	same := mast("234-30-1", 0)
	tests := []struct {
		name    string
		params  analysis.ColocationParams
		targets []string
		events  []analysis.Located
		want    []span
	}{
		{"same cell, cell basis", analysis.ColocationParams{Basis: analysis.BasisCell}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, same, "sms")},
			[]span{{"together", phoneA, phoneB, 0, 300, 1, 0, 1, 1}}},
		{"co-sited cells are not the same cell", analysis.ColocationParams{Basis: analysis.BasisCell}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, near30, "sms")}, nil},
		{"co-sited cells, site basis", analysis.ColocationParams{Basis: analysis.BasisSite}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, near30, "sms")},
			[]span{{"together", phoneA, phoneB, 0, 300, 1, 30, 1, 1}}},
		{"900 m is not the same site", analysis.ColocationParams{Basis: analysis.BasisSite}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, near900, "sms")}, nil},
		{"900 m is nearby", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, near900, "sms")},
			[]span{{"together", phoneA, phoneB, 0, 300, 1, 900, 1, 1}}},
		{"1100 m is not nearby", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, far1100, "sms")}, nil},
		{"1100 m is nearby at 1500 m", analysis.ColocationParams{Basis: analysis.BasisNearby, DistanceM: 1500}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, far1100, "sms")},
			[]span{{"together", phoneA, phoneB, 0, 300, 1, 1100, 1, 1}}},
		{"window edge is inside", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 900, same, "sms")},
			[]span{{"together", phoneA, phoneB, 0, 900, 1, 0, 1, 1}}},
		{"a second beyond the window", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 901, same, "sms")}, nil},
		{"B before A", analysis.ColocationParams{Basis: analysis.BasisNearby, WindowS: 60}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 100, x, "voice"), located(phoneB, 1, 50, same, "sms")},
			[]span{{"together", phoneA, phoneB, 50, 100, 1, 0, 1, 1}}},
		{"12 km is apart", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, far12k, "sms")},
			[]span{{"apart", phoneA, phoneB, 0, 300, 1, 12000, 1, 1}}},
		{"9 km is neither", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, far9k, "sms")}, nil},
		{"9 km is apart at 8 km", analysis.ColocationParams{Basis: analysis.BasisNearby, ApartM: 8000}, []string{phoneA, phoneB},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 300, far9k, "sms")},
			[]span{{"apart", phoneA, phoneB, 0, 300, 1, 9000, 1, 1}}},
		{"pairs within a window of each other merge", analysis.ColocationParams{Basis: analysis.BasisNearby, WindowS: 600}, []string{phoneA, phoneB},
			[]analysis.Located{
				located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 100, near30, "sms"),
				located(phoneA, 2, 700, x, "voice"), located(phoneB, 2, 800, same, "sms"),
			},
			[]span{{"together", phoneA, phoneB, 0, 800, 3, 0, 2, 2}}},
		{"pairs further apart are two episodes", analysis.ColocationParams{Basis: analysis.BasisNearby, WindowS: 300}, []string{phoneA, phoneB},
			[]analysis.Located{
				located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 100, near30, "sms"),
				located(phoneA, 2, 500, x, "voice"), located(phoneB, 2, 600, same, "sms"),
			},
			[]span{{"together", phoneA, phoneB, 0, 100, 1, 30, 1, 1}, {"together", phoneA, phoneB, 500, 600, 1, 0, 1, 1}}},
		{"together then apart", analysis.ColocationParams{Basis: analysis.BasisNearby, WindowS: 300}, []string{phoneB, phoneA},
			[]analysis.Located{
				located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 100, near30, "sms"),
				located(phoneA, 2, 3600, x, "voice"), located(phoneB, 2, 3700, far12k, "sms"),
			},
			[]span{{"together", phoneA, phoneB, 0, 100, 1, 30, 1, 1}, {"apart", phoneA, phoneB, 3600, 3700, 1, 12000, 1, 1}}},
		{"unplaced, repeated and other numbers' events do not count", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneA, phoneB},
			func() []analysis.Located {
				dup := located(phoneB, 2, 10, same, "sms")
				dup.DuplicateOf = 1
				return []analysis.Located{located(phoneA, 1, 0, cellsite.Cell{}, "voice"), located(phoneB, 1, 600, cellsite.Cell{}, "sms"),
					dup, located(phoneC, 1, 5, same, "sms")}
			}(), nil},
		{"three phones: every pair", analysis.ColocationParams{Basis: analysis.BasisNearby}, []string{phoneC, phoneA, phoneB, phoneA},
			[]analysis.Located{located(phoneA, 1, 0, x, "voice"), located(phoneB, 1, 60, near30, "sms"), located(phoneC, 1, 120, far12k, "data")},
			[]span{
				{"together", phoneA, phoneB, 0, 60, 1, 30, 1, 1},
				{"apart", phoneA, phoneC, 0, 120, 1, 12000, 1, 1},
				{"apart", phoneB, phoneC, 60, 120, 1, 11970, 1, 1},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := analysis.Colocate(tc.events, tc.targets, nil, tc.params)
			if diff := cmp.Diff(tc.want, spans(got)); diff != "" {
				t.Errorf("episodes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(naiveColocate(tc.events, tc.targets, nil, tc.params), got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("differs from the reference (-naive +got):\n%s", diff)
			}
		})
	}
}

func TestColocateEvidence(t *testing.T) {
	x, near := mast("234-30-1", 0), mast("234-10-2", 200)
	events := []analysis.Located{
		located(phoneB, 7, 60, near, "data"),
		located(phoneA, 3, 0, x, "voice"),
		located(phoneA, 4, 5000, x, "voice"),
	}
	events[0].TimeFlag = "ambiguous"
	got := analysis.Colocate(events, []string{phoneA, phoneB}, nil, analysis.ColocationParams{})
	want := analysis.Colocation{
		Params:   defaultParams,
		Targets:  []string{phoneA, phoneB},
		Coverage: []analysis.ColocationCoverage{{Target: phoneA, Events: 2, Placed: 2}, {Target: phoneB, Events: 1, Placed: 1}},
		Together: []analysis.ColocationEpisode{{
			Kind: "together", A: phoneA, B: phoneB, Start: t0, End: t0.Add(time.Minute),
			// Without a cell list, each network has no other mast: the
			// service radius is the maximum.
			EventsA: []analysis.ColocationEvent{{Index: 1, Row: 3, Start: t0, Cell: "234-30-1", AreaRadiusM: 35000}},
			EventsB: []analysis.ColocationEvent{{Index: 0, Row: 7, Start: t0.Add(time.Minute), TimeFlag: "ambiguous", Cell: "234-10-2",
				AtOrBefore: true, AreaRadiusM: 35000}},
			Pairs: 1, ClosestM: geo.Distance(geo.LatLon{Lat: x.Lat, Lon: x.Lon}, geo.LatLon{Lat: near.Lat, Lon: near.Lon}),
			Params: defaultParams,
		}},
		Apart: []analysis.ColocationEpisode{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// defaultParams are the documented defaults of a co-location analysis.
var defaultParams = analysis.ColocationParams{WindowS: 900, Basis: analysis.BasisServiceArea, DistanceM: 1000, ApartM: 10000, SectorRadiusM: 3000,
	AreaNeighbour: 2, AreaWidthDeg: 120, AreaBackFraction: 0.1, AreaMaxRadiusM: 35000}

func TestColocationParams(t *testing.T) {
	if diff := cmp.Diff(defaultParams, analysis.ColocationParams{}.Defaults()); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	tests := []struct {
		name string
		p    analysis.ColocationParams
		ok   bool
	}{
		{"defaults", analysis.ColocationParams{}, true},
		{"cell basis", analysis.ColocationParams{Basis: analysis.BasisCell}, true},
		{"site basis", analysis.ColocationParams{Basis: analysis.BasisSite, ApartM: 60}, true},
		{"sector basis", analysis.ColocationParams{Basis: analysis.BasisSector}, true},
		{"unknown basis", analysis.ColocationParams{Basis: "area"}, false},
		{"negative sector radius", analysis.ColocationParams{Basis: analysis.BasisSector, SectorRadiusM: -1}, false},
		{"NaN sector radius", analysis.ColocationParams{SectorRadiusM: math.NaN()}, false},
		{"apart within two sector radii", analysis.ColocationParams{Basis: analysis.BasisSector, SectorRadiusM: 5000}, false},
		{"negative window", analysis.ColocationParams{WindowS: -1}, false},
		{"window over a year", analysis.ColocationParams{WindowS: analysis.MaxColocationWindowS + 1}, false},
		{"negative distance", analysis.ColocationParams{DistanceM: -5}, false},
		{"NaN distance", analysis.ColocationParams{DistanceM: math.NaN()}, false},
		{"infinite apart", analysis.ColocationParams{ApartM: math.Inf(1)}, false},
		{"nearby basis", analysis.ColocationParams{Basis: analysis.BasisNearby}, true},
		{"apart within nearby", analysis.ColocationParams{Basis: analysis.BasisNearby, DistanceM: 5000, ApartM: 5000}, false},
		{"apart within same site", analysis.ColocationParams{Basis: analysis.BasisSite, ApartM: 50}, false},
		{"service-area basis", analysis.ColocationParams{Basis: analysis.BasisServiceArea}, true},
		{"service-area, apart within the maximum radius", analysis.ColocationParams{Basis: analysis.BasisServiceArea, ApartM: 2000, AreaNeighbour: 16, AreaWidthDeg: 360, AreaBackFraction: 1}, true},
		{"negative area neighbour", analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaNeighbour: -1}, false},
		{"area neighbour too far", analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaNeighbour: analysis.MaxAreaNeighbour + 1}, false},
		{"area width over 360", analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaWidthDeg: 361}, false},
		{"negative area width", analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaWidthDeg: -120}, false},
		{"NaN area width", analysis.ColocationParams{AreaWidthDeg: math.NaN()}, false},
		{"area back fraction over 1", analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaBackFraction: 1.5}, false},
		{"negative area back fraction", analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaBackFraction: -0.1}, false},
		{"infinite area maximum radius", analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaMaxRadiusM: math.Inf(1)}, false},
		{"negative area maximum radius", analysis.ColocationParams{AreaMaxRadiusM: -1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			if (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
	t.Run("Colocate refuses invalid parameters", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		analysis.Colocate(nil, []string{phoneA, phoneB}, nil, analysis.ColocationParams{Basis: "area"})
	})
}

// randomCase returns events of 2 to 4 targets (and of one other number)
// over a few hours at cells chosen to fall on both sides of every
// threshold, with repeated instants, unplaced and repeated rows, and
// random parameters; and a cell list for basis "service-area": some or
// all of the events' cells, with other masts of their networks around
// them, some valid only for a period, or none.
func randomCase(rng *rand.Rand) ([]analysis.Located, []string, []cellsite.Cell, analysis.ColocationParams) {
	var cells []cellsite.Cell
	valid := func(c *cellsite.Cell) {
		switch rng.IntN(8) {
		case 0:
			c.ValidTo = t0.Add(-time.Hour) // ended before the events
		case 1:
			c.ValidFrom = t0.Add(time.Duration(rng.IntN(3)) * time.Hour)
		case 2:
			c.ValidFrom, c.ValidTo = t0.Add(time.Hour), t0.Add(time.Hour) // never valid
		}
	}
	for n, d := range []float64{0, 0, 20, 49.9, 50.1, 300, 990, 999.99, 1000.01, 1500, 4000, 9995, 10000, 10005, 25000, 600000} {
		p := geo.Destination(base, rng.Float64()*360, d)
		c := cellsite.Cell{Key: fmt.Sprintf("234-%d-%d", 10+10*(n%3), n/2), Lat: p.Lat, Lon: p.Lon,
			AzimuthDeg: float64(rng.IntN(8) * 45), BeamwidthDeg: []float64{0, 0, 60, 90, 120, 360}[rng.IntN(6)]}
		c.Omni = rng.IntN(5) == 0
		if rng.IntN(30) == 0 {
			c.AzimuthDeg = math.NaN()
		}
		valid(&c)
		cells = append(cells, c)
	}
	var list []cellsite.Cell
	if rng.IntN(5) != 0 {
		for _, c := range cells {
			if rng.IntN(4) != 0 {
				list = append(list, c)
			}
		}
		for n := range rng.IntN(60) {
			p := geo.Destination(base, rng.Float64()*360, []float64{30, 60, 400, 1200, 3000, 8000}[rng.IntN(6)]*rng.Float64())
			c := cellsite.Cell{Key: fmt.Sprintf("234-%d-%d", 10+10*rng.IntN(3), 1000+n), Lat: p.Lat, Lon: p.Lon}
			valid(&c)
			list = append(list, c)
			if rng.IntN(4) == 0 { // another cell of the same mast
				c.Key += "1"
				list = append(list, c)
			}
		}
	}
	targets := []string{phoneA, phoneB, phoneC, "+447700900004"}[:2+rng.IntN(3)]
	var events []analysis.Located
	span := 1 + rng.Int64N(4*3600)
	for _, t := range append(targets, "+447700900999") {
		for n := range rng.IntN(80) {
			c := cells[rng.IntN(len(cells))]
			if rng.IntN(12) == 0 {
				c = cellsite.Cell{}
			}
			typ := []string{"voice", "sms", "data"}[rng.IntN(3)]
			l := located(t, n+1, rng.Int64N(span)/60*60, c, typ)
			if rng.IntN(4) == 0 {
				l.Start = l.Start.Add(time.Duration(rng.Int64N(1e9)))
			}
			if rng.IntN(10) == 0 {
				l.First, l.FirstRes, l.Last, l.LastRes = cellsite.Cell{}, analysis.OutsideValidity, c, l.FirstRes
			}
			if rng.IntN(20) == 0 {
				l.DuplicateOf = 1
			}
			events = append(events, l)
		}
	}
	rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	p := analysis.ColocationParams{
		WindowS: []int64{0, 1, 60, 600, 900, 3600}[rng.IntN(6)],
		// "" is the default basis, "service-area", at its defaults.
		Basis: []string{"", analysis.BasisCell, analysis.BasisSite, analysis.BasisNearby, analysis.BasisNearby, analysis.BasisSector, analysis.BasisServiceArea}[rng.IntN(7)],
	}
	switch p.Basis {
	case analysis.BasisSector:
		p.SectorRadiusM = []float64{0, 400, 1000, 4000}[rng.IntN(4)]
	case analysis.BasisServiceArea:
		p.AreaNeighbour = rng.IntN(4)
		p.AreaWidthDeg = []float64{0, 60, 120, 200, 360}[rng.IntN(5)]
		p.AreaBackFraction = []float64{0, 0.05, 0.5, 1}[rng.IntN(4)]
		p.AreaMaxRadiusM = []float64{0, 800, 5000}[rng.IntN(3)]
	}
	switch rng.IntN(3) {
	case 1:
		p.DistanceM, p.ApartM = 999.99, 10000
	case 2:
		p.DistanceM, p.ApartM = 4000, 25000
	}
	return events, targets, list, p
}

// TestColocateDifferential compares Colocate with the naive reference on
// random inputs.
func TestColocateDifferential(t *testing.T) {
	seeds := 500
	if testing.Short() {
		seeds = 100
	}
	// The work is split by the number of processors; the result must not be.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	episodes := map[string]int{}
	for seed := range seeds {
		runtime.GOMAXPROCS(1 + seed%3)
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		events, targets, list, p := randomCase(rng)
		var ix *analysis.CellIndex
		if list != nil {
			ix = analysis.NewCellIndex(list)
		}
		got := analysis.Colocate(events, targets, ix, p)
		want := naiveColocate(events, targets, list, p)
		if !reflect.DeepEqual(want, got) {
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("seed %d, params %+v: (-naive +got):\n%s", seed, p, diff)
			}
		}
		episodes[got.Params.Basis] += len(got.Together) + len(got.Apart)
	}
	for _, b := range []string{analysis.BasisCell, analysis.BasisSite, analysis.BasisNearby, analysis.BasisSector, analysis.BasisServiceArea} {
		if episodes[b] < seeds/10 {
			t.Errorf("only %d episodes on basis %s over %d cases: the random inputs test too little", episodes[b], b, seeds)
		}
	}
}

// TestColocateDeterministic checks that the order of the input does not
// change the result.
func TestColocateDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	events, targets, list, p := randomCase(rng)
	p.Basis = analysis.BasisServiceArea
	want := analysis.Colocate(events, targets, analysis.NewCellIndex(list), p)
	for range 20 {
		rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
		got := analysis.Colocate(events, targets, analysis.NewCellIndex(list), p)
		// Indices follow the events; compare what they point at.
		if diff := cmp.Diff(spans(want), spans(got)); diff != "" {
			t.Fatalf("shuffled input (-first +shuffled):\n%s", diff)
		}
	}
}
