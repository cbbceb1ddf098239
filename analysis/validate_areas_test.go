package analysis_test

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
)

// Service-area rules for co-location, investigated with
// TestColocationSweep and recorded in docs/validation/colocation.md (§5.3):
// candidate methods measured against the planted meetings, not bases that
// Colocate offers. Each decides from the two cells alone whether they put
// their phones together; ruleColocate builds episodes from it as Colocate
// does.

// pairRule decides whether two events' cells put their phones together.
type pairRule func(a, b *cellsite.Cell) bool

// ruleColocate returns the "together" episodes of each pair of targets on
// a rule: every pair of placed events (one of each target) whose starts
// are at most windowS seconds apart and whose cells the rule accepts is an
// interval from the earlier start to the later; intervals of a pair of
// targets that overlap or come within windowS of each other are one
// episode, with the events of its pairs (Index and Start only), sorted as
// Colocate sorts them. A literal double loop, as naiveColocate is.
func ruleColocate(located []analysis.Located, targets []string, windowS int64, together pairRule) analysis.Colocation {
	window := time.Duration(windowS) * time.Second
	ts := slices.Clone(targets)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	placed := map[string][]int{}
	for i := range located {
		if _, ok := located[i].Where(); ok && located[i].DuplicateOf == 0 {
			placed[located[i].Target] = append(placed[located[i].Target], i)
		}
	}
	out := analysis.Colocation{Params: analysis.ColocationParams{WindowS: windowS}, Targets: ts}
	for x, a := range ts {
		for _, b := range ts[x+1:] {
			type pair struct {
				i, j int
				s, e time.Time
			}
			var ps []pair
			for _, i := range placed[a] {
				ca, _ := located[i].Where()
				for _, j := range placed[b] {
					if dt := located[j].Start.Sub(located[i].Start); dt < -window || dt > window {
						continue
					}
					cb, _ := located[j].Where()
					if !together(&ca, &cb) {
						continue
					}
					s, e := located[i].Start, located[j].Start
					if e.Before(s) {
						s, e = e, s
					}
					ps = append(ps, pair{i, j, s, e})
				}
			}
			sort.SliceStable(ps, func(p, q int) bool { return ps[p].s.Before(ps[q].s) })
			for n := 0; n < len(ps); {
				ep := analysis.ColocationEpisode{Kind: analysis.EpisodeTogether, A: a, B: b, Start: ps[n].s, End: ps[n].e, Params: out.Params}
				inA, inB := map[int]bool{}, map[int]bool{}
				m := n
				for ; m < len(ps) && !ps[m].s.After(ep.End.Add(window)); m++ {
					if ps[m].e.After(ep.End) {
						ep.End = ps[m].e
					}
					inA[ps[m].i], inB[ps[m].j] = true, true
					ep.Pairs++
				}
				for _, side := range []struct {
					in  map[int]bool
					dst *[]analysis.ColocationEvent
				}{{inA, &ep.EventsA}, {inB, &ep.EventsB}} {
					var idx []int
					for i := range side.in {
						idx = append(idx, i)
					}
					slices.Sort(idx)
					for _, i := range idx {
						*side.dst = append(*side.dst, analysis.ColocationEvent{Index: i, Start: located[i].Start})
					}
				}
				out.Together = append(out.Together, ep)
				n = m
			}
		}
	}
	sort.SliceStable(out.Together, func(i, j int) bool {
		x, y := out.Together[i], out.Together[j]
		if !x.Start.Equal(y.Start) {
			return x.Start.Before(y.Start)
		}
		if x.A != y.A {
			return x.A < y.A
		}
		if x.B != y.B {
			return x.B < y.B
		}
		return x.End.Before(y.End)
	})
	return out
}

// networkOf returns the MCC-MNC of a canonical cell key.
func networkOf(key string) string {
	parts := strings.SplitN(key, "-", 3)
	if len(parts) < 2 {
		return key
	}
	return parts[0] + "-" + parts[1]
}

// planeXY is a position on a local flat projection, in metres.
type planeXY struct{ x, y float64 }

// toXY projects a latitude and longitude on an equirectangular plane about
// 51°N: within 1% over the corpus's area (50.8-51.2°N), which is enough to
// compare the rules.
func toXY(lat, lon float64) planeXY {
	const mPerDeg = 111_194.9
	return planeXY{lon * mPerDeg * math.Cos(51*math.Pi/180), lat * mPerDeg}
}

func (p planeXY) dist(q planeXY) float64 { return math.Hypot(p.x-q.x, p.y-q.y) }

// mastMap holds, for one cell list, the distinct mast positions of each
// network and the distances from each mast to the nearest other masts of
// its network (masts within analysis.SameSiteM of it are the same site).
type mastMap struct {
	masts map[string][]planeXY  // by network
	near  map[netMast][]float64 // ascending, the first four
	index map[netMast]int       // position in masts[network]
}

type netMast struct {
	net string
	pos planeXY
}

func newMastMap(cells []cellsite.Cell) *mastMap {
	m := &mastMap{masts: map[string][]planeXY{}, near: map[netMast][]float64{}, index: map[netMast]int{}}
	for i := range cells {
		c := &cells[i]
		k := netMast{networkOf(c.Key), toXY(c.Lat, c.Lon)}
		if _, ok := m.index[k]; !ok {
			m.index[k] = len(m.masts[k.net])
			m.masts[k.net] = append(m.masts[k.net], k.pos)
		}
	}
	for k := range m.index {
		var ds []float64
		for _, q := range m.masts[k.net] {
			if d := k.pos.dist(q); d > analysis.SameSiteM {
				ds = append(ds, d)
			}
		}
		sort.Float64s(ds)
		m.near[k] = ds[:min(4, len(ds))]
	}
	return m
}

// radius returns f times the distance from a cell's mast to the k-th
// nearest other mast of its network.
func (m *mastMap) radius(c *cellsite.Cell, k int, f float64) float64 {
	ds := m.near[netMast{networkOf(c.Key), toXY(c.Lat, c.Lon)}]
	if len(ds) < k {
		return math.Inf(1)
	}
	return f * ds[k-1]
}

// discRule: together when the masts are no further apart than the sum of
// the two cells' service radii, each f times the distance from the mast to
// the k-th nearest other mast of its network: the two service discs meet.
func discRule(m *mastMap, k int, f float64) pairRule {
	return func(a, b *cellsite.Cell) bool {
		return toXY(a.Lat, a.Lon).dist(toXY(b.Lat, b.Lon)) <= m.radius(a, k, f)+m.radius(b, k, f)
	}
}

// sectorAreaRule: together when the two cells' service areas share a
// point of a 50 m grid, each area being a sector of radius f times the
// distance to the k-th nearest other mast, widthDeg wide about the cell's
// azimuth whatever beamwidth the list gives (a circle for an omni cell),
// joined with a disc of back times the radius about the mast (phones
// served from behind, near the mast).
func sectorAreaRule(m *mastMap, k int, f, widthDeg, back float64) pairRule {
	memo := map[[2]string]bool{}
	in := func(c *cellsite.Cell, o planeXY, r float64, p planeXY) bool {
		d := o.dist(p)
		if d <= back*r || c.Omni && d <= r {
			return true
		}
		if d > r {
			return false
		}
		bearing := math.Atan2(p.x-o.x, p.y-o.y) * 180 / math.Pi
		diff := math.Mod(math.Abs(bearing-c.AzimuthDeg), 360)
		return math.Min(diff, 360-diff) <= widthDeg/2
	}
	return func(a, b *cellsite.Cell) bool {
		key := [2]string{a.Key, b.Key}
		if v, ok := memo[key]; ok {
			return v
		}
		oa, ob := toXY(a.Lat, a.Lon), toXY(b.Lat, b.Lon)
		ra, rb := m.radius(a, k, f), m.radius(b, k, f)
		v := false
		if oa.dist(ob) <= ra+rb {
			const step = 50.0
			for x := oa.x - ra; x <= oa.x+ra && !v; x += step {
				for y := oa.y - ra; y <= oa.y+ra; y += step {
					if p := (planeXY{x, y}); in(a, oa, ra, p) && in(b, ob, rb, p) {
						v = true
						break
					}
				}
			}
		}
		memo[key] = v
		return v
	}
}

// servingAreas is the generator's own serving rule turned into service
// areas (synth: a phone is served by one of the four masts of its network
// nearest to it): on a 50 m grid over the corpus's area, for each network,
// the k masts nearest each point. A mast can serve the points where it is
// among the k nearest.
type servingAreas struct {
	k      int
	x0, y0 float64
	nx, ny int
	areas  map[string][][]uint64 // by network, by mast: a bit per grid point
}

const servingStepM = 50.0

var (
	servingMu    sync.Mutex
	servingCache = map[int]*servingAreas{}
)

// servingAreasOf returns the areas of the k nearest masts for m's masts;
// the shipped scenarios' cell lists hold every mast of each network, so
// one computation serves every scenario (checked by the mast counts).
func servingAreasOf(m *mastMap, k int) *servingAreas {
	servingMu.Lock()
	defer servingMu.Unlock()
	if a := servingCache[k]; a != nil {
		same := true
		for net, ms := range m.masts {
			same = same && len(a.areas[net]) == len(ms)
		}
		if same {
			return a
		}
	}
	lo, hi := planeXY{math.Inf(1), math.Inf(1)}, planeXY{math.Inf(-1), math.Inf(-1)}
	for _, ms := range m.masts {
		for _, p := range ms {
			lo = planeXY{min(lo.x, p.x), min(lo.y, p.y)}
			hi = planeXY{max(hi.x, p.x), max(hi.y, p.y)}
		}
	}
	const margin = 3000
	a := &servingAreas{k: k, x0: lo.x - margin, y0: lo.y - margin, areas: map[string][][]uint64{}}
	a.nx = int((hi.x-lo.x+2*margin)/servingStepM) + 1
	a.ny = int((hi.y-lo.y+2*margin)/servingStepM) + 1
	words := (a.nx*a.ny + 63) / 64
	for net, ms := range m.masts {
		bits := make([][]uint64, len(ms))
		for i := range bits {
			bits[i] = make([]uint64, words)
		}
		best := make([]int, k)
		bestD := make([]float64, k)
		for gy := range a.ny {
			for gx := range a.nx {
				p := planeXY{a.x0 + float64(gx)*servingStepM, a.y0 + float64(gy)*servingStepM}
				n := 0
				for i, q := range ms {
					d := (p.x-q.x)*(p.x-q.x) + (p.y-q.y)*(p.y-q.y)
					if n == k && d >= bestD[k-1] {
						continue
					}
					j := min(n, k-1)
					for j > 0 && bestD[j-1] > d {
						best[j], bestD[j] = best[j-1], bestD[j-1]
						j--
					}
					best[j], bestD[j] = i, d
					n = min(n+1, k)
				}
				g := gy*a.nx + gx
				for _, i := range best[:n] {
					bits[i][g/64] |= 1 << (g % 64)
				}
			}
		}
		a.areas[net] = bits
	}
	servingCache[k] = a
	return a
}

// servingRule: together when the two cells' masts can both serve some
// point of the grid (each among the k masts of its network nearest it).
func servingRule(m *mastMap, k int) pairRule {
	a := servingAreasOf(m, k)
	memo := map[[2]netMast]bool{}
	return func(x, y *cellsite.Cell) bool {
		ka, kb := netMast{networkOf(x.Key), toXY(x.Lat, x.Lon)}, netMast{networkOf(y.Key), toXY(y.Lat, y.Lon)}
		if v, ok := memo[[2]netMast{ka, kb}]; ok {
			return v
		}
		ba, bb := a.areas[ka.net][m.index[ka]], a.areas[kb.net][m.index[kb]]
		v := false
		for w := range ba {
			if ba[w]&bb[w] != 0 {
				v = true
				break
			}
		}
		memo[[2]netMast{ka, kb}] = v
		return v
	}
}
