package analysis

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// The bases on which two events' cells count as together.
const (
	BasisCell   = "cell"   // the same cell identity
	BasisSite   = "site"   // masts at the same site: within SameSiteM of each other
	BasisNearby = "nearby" // masts within ColocationParams.DistanceM of each other
	// BasisSector: the cells' modelled service areas overlap: sectors of
	// radius ColocationParams.SectorRadiusM (see SectorsOverlap).
	BasisSector = "sector"
	// BasisServiceArea: the cells' modelled service areas overlap, each
	// sized from the spacing of its network's masts in the cell list (see
	// ColocationParams.AreaNeighbour and ServiceAreasOverlap).
	BasisServiceArea = "service-area"
)

// MaxAreaNeighbour is the greatest ColocationParams.AreaNeighbour accepted.
const MaxAreaNeighbour = 16

// SameSiteM is the distance in metres within which two cells' masts are
// taken to stand at the same site (basis "site"): co-sited masts of
// different operators are listed with positions a few metres apart.
const SameSiteM = 50.0

// The kinds of co-location episode.
const (
	EpisodeTogether = "together" // the phones used cells that meet the basis
	EpisodeApart    = "apart"    // the phones used cells at least ApartM apart
)

// MaxColocationWindowS is the longest co-location window accepted: 366 days.
const MaxColocationWindowS = 366 * 24 * 3600

// ColocationParams are the parameters of a co-location analysis. A zero
// field takes its default (see Defaults).
type ColocationParams struct {
	// WindowS: two events (one of each phone) can co-locate when their
	// start times are at most this many seconds apart. Default 900 (15
	// minutes).
	WindowS int64 `json:"window_s"`
	// Basis: what makes two events' cells together: BasisCell, BasisSite,
	// BasisNearby, BasisSector or BasisServiceArea. Default
	// BasisServiceArea, whose areas are sized from the cell list given to
	// Colocate.
	Basis string `json:"basis"`
	// DistanceM: with BasisNearby, the greatest distance in metres between
	// the two cells' masts. Default 1000.
	DistanceM float64 `json:"distance_m"`
	// ApartM: the least distance in metres between the two cells' masts
	// for an "apart" finding. Default 10000.
	ApartM float64 `json:"apart_m"`
	// SectorRadiusM: with BasisSector, the radius in metres of each
	// cell's modelled service area. Default 3000.
	SectorRadiusM float64 `json:"sector_radius_m"`
	// AreaNeighbour: with BasisServiceArea, each cell's service radius is
	// the distance from its mast to the AreaNeighbour-th nearest other
	// mast of its network in the cell list (1 to MaxAreaNeighbour).
	// Default 2.
	AreaNeighbour int `json:"area_neighbour"`
	// AreaWidthDeg: with BasisServiceArea, the width in degrees of each
	// directional cell's service sector, whatever beamwidth the cell list
	// gives (more than 0, at most 360). Default 120.
	AreaWidthDeg float64 `json:"area_width_deg"`
	// AreaBackFraction: with BasisServiceArea, the radius of the disc
	// about the mast that is part of every cell's service area, as a
	// fraction of its service radius (more than 0, at most 1). Default
	// 0.1.
	AreaBackFraction float64 `json:"area_back_fraction"`
	// AreaMaxRadiusM: with BasisServiceArea, the greatest service radius
	// in metres, and the radius of a cell with fewer than AreaNeighbour
	// other masts of its network in the cell list. Default 35000.
	AreaMaxRadiusM float64 `json:"area_max_radius_m"`
}

// Defaults returns p with every zero field set to its default: WindowS 900
// seconds, Basis "service-area", DistanceM 1000 metres, ApartM 10000 metres,
// SectorRadiusM 3000 metres, AreaNeighbour 2, AreaWidthDeg 120,
// AreaBackFraction 0.1, AreaMaxRadiusM 35000 metres.
func (p ColocationParams) Defaults() ColocationParams {
	if p.WindowS == 0 {
		p.WindowS = 900
	}
	if p.Basis == "" {
		p.Basis = BasisServiceArea
	}
	if p.DistanceM == 0 {
		p.DistanceM = 1000
	}
	if p.ApartM == 0 {
		p.ApartM = 10000
	}
	if p.SectorRadiusM == 0 {
		p.SectorRadiusM = 3000
	}
	if p.AreaNeighbour == 0 {
		p.AreaNeighbour = 2
	}
	if p.AreaWidthDeg == 0 {
		p.AreaWidthDeg = 120
	}
	if p.AreaBackFraction == 0 {
		p.AreaBackFraction = 0.1
	}
	if p.AreaMaxRadiusM == 0 {
		p.AreaMaxRadiusM = 35000
	}
	return p
}

// Validate reports whether p, with its defaults filled in, can be used: a
// window from 1 second to MaxColocationWindowS, a known basis, finite
// positive distances, and an ApartM greater than the greatest distance the
// basis calls together (DistanceM for "nearby", SameSiteM for "site",
// twice SectorRadiusM for "sector"), so that no pair of events is both
// together and apart (with "service-area", a pair whose areas overlap is
// never apart, whatever the distance); and, for "service-area", a
// neighbour from 1 to MaxAreaNeighbour, a width of more than 0 and at most
// 360 degrees, a back fraction of more than 0 and at most 1 and a finite
// positive maximum radius.
func (p ColocationParams) Validate() error {
	p = p.Defaults()
	bad := func(format string, a ...any) error {
		return cellsite.Errorf(cellsite.Invalid, "co-location", format, a...)
	}
	switch {
	case p.WindowS < 1 || p.WindowS > MaxColocationWindowS:
		return bad("window %d s: want 1 to %d seconds", p.WindowS, MaxColocationWindowS)
	case p.Basis != BasisCell && p.Basis != BasisSite && p.Basis != BasisNearby && p.Basis != BasisSector && p.Basis != BasisServiceArea:
		return bad("basis %q: want %s, %s, %s, %s or %s", p.Basis, BasisCell, BasisSite, BasisNearby, BasisSector, BasisServiceArea)
	case !(p.DistanceM > 0) || math.IsInf(p.DistanceM, 0):
		return bad("distance %v m: want a positive number of metres", p.DistanceM)
	case !(p.ApartM > 0) || math.IsInf(p.ApartM, 0):
		return bad("apart %v m: want a positive number of metres", p.ApartM)
	case !(p.SectorRadiusM > 0) || math.IsInf(p.SectorRadiusM, 0):
		return bad("sector radius %v m: want a positive number of metres", p.SectorRadiusM)
	case p.AreaNeighbour < 1 || p.AreaNeighbour > MaxAreaNeighbour:
		return bad("area neighbour %d: want 1 to %d", p.AreaNeighbour, MaxAreaNeighbour)
	case !(p.AreaWidthDeg > 0 && p.AreaWidthDeg <= 360):
		return bad("area width %v°: want more than 0 and at most 360 degrees", p.AreaWidthDeg)
	case !(p.AreaBackFraction > 0 && p.AreaBackFraction <= 1):
		return bad("area back fraction %v: want more than 0 and at most 1", p.AreaBackFraction)
	case !(p.AreaMaxRadiusM > 0) || math.IsInf(p.AreaMaxRadiusM, 0):
		return bad("area maximum radius %v m: want a positive number of metres", p.AreaMaxRadiusM)
	case p.Basis == BasisNearby && p.ApartM <= p.DistanceM:
		return bad("apart %v m must exceed the nearby distance %v m", p.ApartM, p.DistanceM)
	case p.Basis == BasisSite && p.ApartM <= SameSiteM:
		return bad("apart %v m must exceed the same-site distance %v m", p.ApartM, SameSiteM)
	case p.Basis == BasisSector && p.ApartM <= 2*p.SectorRadiusM:
		return bad("apart %v m must exceed twice the sector radius %v m", p.ApartM, p.SectorRadiusM)
	}
	return nil
}

// ColocationEvent is one event that supports an episode: an event of one
// of the two phones that forms a qualifying pair with an event of the
// other.
type ColocationEvent struct {
	// Index is the event's position in the events given to Colocate.
	Index    int           `json:"index"`
	Source   cellsite.Hash `json:"source"` // the original file, sheet and row it came from
	Sheet    string        `json:"sheet,omitempty"`
	Row      int           `json:"row"`
	Start    time.Time     `json:"start"`               // the event's start, UTC
	TimeFlag string        `json:"time_flag,omitempty"` // as on the event: ambiguous or impossible local time
	Cell     string        `json:"cell"`                // the key of the cell that places the event (Located.Where)
	// AtOrBefore is set for data sessions: the record means the phone
	// used the cell at or before the start time, not necessarily at it.
	AtOrBefore bool `json:"at_or_before"`
	// AreaRadiusM, with basis "service-area", is the service radius in
	// metres of the cell's modelled area, to single precision (within a
	// few millimetres; it fills what would be padding after AtOrBefore).
	AreaRadiusM float32 `json:"area_radius_m,omitempty"`
}

// ColocationEpisode is a period in which two phones' events, taken in
// pairs within the window, were together (or, for an "apart" episode, far
// apart) on the analysis's basis.
type ColocationEpisode struct {
	Kind string `json:"kind"` // EpisodeTogether or EpisodeApart
	A    string `json:"a"`    // the two targets, A before B in sort order
	B    string `json:"b"`
	// Start and End are the earliest and latest start times of the
	// events in the episode's qualifying pairs.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// EventsA and EventsB are the events of A and of B that are in at
	// least one qualifying pair, in time order.
	EventsA []ColocationEvent `json:"events_a"`
	EventsB []ColocationEvent `json:"events_b"`
	// Pairs is the number of qualifying pairs of events (one of A, one of
	// B) in the episode.
	Pairs int `json:"pairs"`
	// ClosestM is the least distance in metres between the masts of the
	// two cells of a qualifying pair, on the WGS84 ellipsoid.
	ClosestM float64          `json:"closest_m"`
	Params   ColocationParams `json:"params"`
}

// ColocationCoverage says how many events of a target a co-location
// analysis had, and how many of them a resolved cell placed: events that
// no cell places cannot show the phone together with, or apart from,
// another.
type ColocationCoverage struct {
	Target string `json:"target"`
	Events int    `json:"events"` // the target's events, repeated rows left out
	Placed int    `json:"placed"` // of which placed by a resolved cell with a valid position
}

// Colocation is the result of a co-location analysis: for each pair of
// targets, when their phones were together on the basis and when they were
// far apart.
type Colocation struct {
	Params   ColocationParams     `json:"params"`   // as used, defaults filled in
	Targets  []string             `json:"targets"`  // sorted, without repeats
	Coverage []ColocationCoverage `json:"coverage"` // one per target, in Targets order
	// Together and Apart are the episodes of each kind, sorted by start,
	// then the two targets, then end.
	Together []ColocationEpisode `json:"together"`
	Apart    []ColocationEpisode `json:"apart"`
}

// Colocate finds when each pair of the given targets' phones were together
// and when they were far apart.
//
// Two events, one of each phone, each placed by a resolved cell (Where),
// form a qualifying pair when their start times are at most p.WindowS
// seconds apart and their cells meet the basis: the same cell key
// ("cell"), masts within SameSiteM ("site") or within p.DistanceM
// ("nearby"), modelled service areas of radius p.SectorRadiusM that
// overlap ("sector", SectorsOverlap), or modelled service areas sized from
// the cell list that overlap ("service-area", ServiceAreasOverlap); or, for
// an "apart" pair, masts at least p.ApartM apart (with "sector" and
// "service-area", and service areas that do not overlap).
//
// With "service-area", each cell's service radius is the geodesic distance
// from its mast to the p.AreaNeighbour-th nearest distinct mast position
// of its network (the MCC-MNC of its key) more than SameSiteM away, among
// the records of cells (the cell list the events were resolved against;
// it may be nil) and the cells that place the targets' events, counting
// only records valid at some time when the cell's own record was; at most
// p.AreaMaxRadiusM, and p.AreaMaxRadiusM when there are fewer such masts.
// Its area is a sector of that radius along its azimuth, p.AreaWidthDeg
// wide (a circle for an omni cell), joined with a disc of
// p.AreaBackFraction times the radius about the mast. "service-area" is
// the default basis: callers pass the case's cell lists as cells, since
// radii found among the events' own masts alone are overstated (more
// episodes, never fewer). The other bases do not use cells.
//
// Distances are geodesic distances between the cells' mast positions on
// the WGS84 ellipsoid. Each pair is an interval from the earlier start to
// the later; intervals that overlap, or that are separated by no more than
// p.WindowS seconds, are merged into one episode. Repeated rows
// (DuplicateOf set) are left out; events of other numbers are ignored.
//
// The result does not depend on the order of the events (but for the
// indices that point into them) or of the targets. Colocate panics if p
// does not pass Validate: callers check parameters first.
func Colocate(events []Located, targets []string, cells *CellIndex, p ColocationParams) Colocation {
	p = p.Defaults()
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("analysis.Colocate: %v", err))
	}
	ts := slices.Clone(targets)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	if ts == nil {
		ts = []string{}
	}
	out := Colocation{Params: p, Targets: ts, Coverage: make([]ColocationCoverage, len(ts)),
		Together: []ColocationEpisode{}, Apart: []ColocationEpisode{}}
	which := make(map[string]int, len(ts))
	for k, t := range ts {
		which[t] = k
		out.Coverage[k].Target = t
	}
	idx := coBucket(events, which, out.Coverage)
	prep := make([]*coTarget, len(ts))
	coParallel(len(ts), func(k int) {
		prep[k] = newCoTarget(events, idx[k], p.Basis)
	})
	th := newCoThresholds(p)
	switch p.Basis {
	case BasisSector:
		th.sectors = newCoSectors(prep, p.SectorRadiusM)
	case BasisServiceArea:
		th.areas = newCoAreas(prep, cells, p)
	}

	// The work is cut into tasks that run in parallel, each writing only
	// its own results: first, chunks of A's events, swept against B's;
	// then, per pair and kind, the chunks' episodes are joined, and their
	// least distances and each side's events found.
	var pairs []*coPair
	var sweeps []coSweepTask
	for a := range ts {
		for b := a + 1; b < len(ts); b++ {
			pr := &coPair{a: prep[a], b: prep[b], nameA: ts[a], nameB: ts[b]}
			n := coChunks(len(prep[a].pts))
			pr.chunks = make([]coChunk, n)
			pr.hasA = [2][]bool{make([]bool, len(prep[a].pts)), make([]bool, len(prep[a].pts))}
			for c := range n {
				sweeps = append(sweeps, coSweepTask{pr, c, n})
			}
			pairs = append(pairs, pr)
		}
	}
	coParallel(len(sweeps), func(n int) { sweeps[n].run(p, th) })
	coParallel(2*len(pairs), func(n int) {
		pr, kind := pairs[n/2], n%2
		pr.join(kind, p, th)
		// The least distances and the two sides' events are independent.
		coParallel(3, func(part int) {
			if part == 2 {
				pr.closest(kind, th)
			} else {
				pr.gather(events, kind, part)
			}
		})
	})
	for _, pr := range pairs {
		out.Together = append(out.Together, pr.eps[0]...)
		out.Apart = append(out.Apart, pr.eps[1]...)
	}
	coSortEpisodes(out.Together)
	coSortEpisodes(out.Apart)
	return out
}

// coBucket returns, per target, the indices of its events that a resolved
// cell with a valid position places, in input order, and counts each
// target's events and placed events into cov. Chunks of the input are
// read in parallel: a first pass notes each event's target and counts, a
// second writes each chunk's indices into its place.
func coBucket(events []Located, which map[string]int, cov []ColocationCoverage) [][]int32 {
	const chunk = 1 << 16
	nChunks := (len(events) + chunk - 1) / chunk
	code := make([]int32, len(events)) // target of a placed event, or -1
	counts := make([][]ColocationCoverage, nChunks)
	coParallel(nChunks, func(c int) {
		n := make([]ColocationCoverage, len(cov))
		// Events of one number usually come together: the last number
		// looked up is tried first.
		lastT, lastK, lastOK := "", 0, false
		for i := c * chunk; i < min(len(events), (c+1)*chunk); i++ {
			code[i] = -1
			e := &events[i]
			k, ok := lastK, lastOK
			if i == c*chunk || e.Target != lastT {
				k, ok = which[e.Target]
				lastT, lastK, lastOK = e.Target, k, ok
			}
			if !ok || e.DuplicateOf != 0 {
				continue
			}
			n[k].Events++
			if pl := coPlace(e); pl != nil && coValidSite(pl) {
				n[k].Placed++
				code[i] = int32(k)
			}
		}
		counts[c] = n
	})
	out := make([][]int32, len(cov))
	at := make([][]int, nChunks) // where each chunk's indices of each target go
	for c := range at {
		at[c] = make([]int, len(cov))
	}
	for k := range cov {
		for c := range counts {
			at[c][k] = cov[k].Placed
			cov[k].Events += counts[c][k].Events
			cov[k].Placed += counts[c][k].Placed
		}
		out[k] = make([]int32, cov[k].Placed)
	}
	coParallel(nChunks, func(c int) {
		pos := at[c]
		for i := c * chunk; i < min(len(events), (c+1)*chunk); i++ {
			if k := code[i]; k >= 0 {
				out[k][pos[k]] = int32(i)
				pos[k]++
			}
		}
	})
	return out
}

// coParallel calls f(0) to f(n-1), spread over up to GOMAXPROCS
// goroutines, and returns when all have returned.
func coParallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

func coSortEpisodes(eps []ColocationEpisode) {
	slices.SortStableFunc(eps, func(x, y ColocationEpisode) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		if c := strings.Compare(x.A, y.A); c != 0 {
			return c
		}
		if c := strings.Compare(x.B, y.B); c != 0 {
			return c
		}
		return x.End.Compare(y.End)
	})
}

// coPlace returns the cell that places the event, as Where does, without
// copying it; nil when neither cell resolved.
func coPlace(l *Located) *cellsite.Cell {
	if l.FirstRes == Resolved {
		return &l.First
	}
	if l.LastRes == Resolved {
		return &l.Last
	}
	return nil
}

// coValidSite reports whether a cell's mast position is a position on the
// Earth that distances can be measured from.
func coValidSite(c *cellsite.Cell) bool { return coValidPos(c.Lat, c.Lon) }

// coValidPos reports whether a latitude and longitude are a position on
// the Earth.
func coValidPos(lat, lon float64) bool {
	ok := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	return ok(lat) && ok(lon) && math.Abs(lat) <= 90
}

// coCompareEvents orders events as SortLocated does (start, source,
// sheet, row), then by position in the input.
func coCompareEvents(events []Located, i, j int) int {
	a, b := &events[i].Event, &events[j].Event
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	if c := bytes.Compare(a.Source[:], b.Source[:]); c != 0 {
		return c
	}
	if c := strings.Compare(a.Sheet, b.Sheet); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Row, b.Row); c != 0 {
		return c
	}
	return cmp.Compare(i, j)
}

// coInstant is an instant as whole seconds and nanoseconds, so that
// windows compare exactly over any range of dates.
type coInstant struct {
	s int64
	n int64
}

func coInstantOf(t time.Time) coInstant { return coInstant{t.Unix(), int64(t.Nanosecond())} }

func (a coInstant) before(b coInstant) bool { return a.s < b.s || (a.s == b.s && a.n < b.n) }

func (a coInstant) plus(sec int64) coInstant { return coInstant{a.s + sec, a.n} }

func coEarlier(a, b coInstant) coInstant {
	if b.before(a) {
		return b
	}
	return a
}

func coLater(a, b coInstant) coInstant {
	if a.before(b) {
		return b
	}
	return a
}

// coPoint is what the sweep reads of each placed event: its instant and
// its mast's position as a unit vector.
type coPoint struct {
	t       coInstant
	x, y, z float64
}

// coTarget is one target's placed events, in time order.
type coTarget struct {
	idx   []int32      // into the events given to Colocate
	pts   []coPoint    // parallel to idx
	site  []geo.LatLon // mast positions, parallel to idx
	key   []string     // keys of the cells that place the events, parallel to idx (basis "cell" only)
	skey  []sectorKey  // service area models of the cells, parallel to idx (basis "sector" only)
	sec   []int32      // the cells' shapes in coSectors.shapes, parallel to idx (basis "sector" only)
	meta  []uint8      // parallel to idx: coData, and a time flag's place in flags << 1
	flags []string     // the distinct time flags, "" first

	// Basis "service-area" only: per event, parallel to idx, its cell's
	// area and reach (see coAreaRef) and its cell's number among the
	// target's distinct cells; per cell, as on its first event, the
	// cell, its key and its service radius (to single precision).
	aref       []coAreaRef
	cid        []int32
	cells      []*cellsite.Cell
	cellKey    []string
	cellRadius []float32
	maxReach   float64 // the greatest reach of the events' areas
}

// coData marks a data session in coTarget.meta.
const coData = 1

// coFlagOther in coTarget.meta stands for a time flag beyond the table:
// read it from the event.
const coFlagOther = 127

// newCoTarget returns the placed events of one target, idx, sorted by
// time, with what the analysis's basis needs of their cells.
func newCoTarget(events []Located, idx []int32, basis string) *coTarget {
	t := &coTarget{idx: idx, pts: make([]coPoint, len(idx)), site: make([]geo.LatLon, len(idx)),
		meta: make([]uint8, len(idx))}
	keys, sectors, areas := basis == BasisCell, basis == BasisSector, basis == BasisServiceArea
	if keys {
		t.key = make([]string, len(idx))
	}
	if sectors {
		t.skey = make([]sectorKey, len(idx))
	}
	if areas {
		t.aref = make([]coAreaRef, len(idx))
		t.cid = make([]int32, len(idx))
	}
	// The events are usually in order already (Resolve's output): the
	// loop checks as it goes, and starts again once they are sorted if
	// they were not.
	for sorted := false; !sorted; {
		sorted = true
		t.flags = []string{""}
		var cells coAreaCells
		var last geo.LatLon
		var lx, ly, lz float64
		for n, i := range idx {
			e := &events[i]
			at := coInstantOf(e.Start)
			if n > 0 && !t.pts[n-1].t.before(at) && (at.before(t.pts[n-1].t) || coCompareEvents(events, int(idx[n-1]), int(i)) > 0) {
				slices.SortFunc(idx, func(i, j int32) int { return coCompareEvents(events, int(i), int(j)) })
				sorted = false
				break
			}
			c := coPlace(e)
			pos := geo.LatLon{Lat: c.Lat, Lon: c.Lon}
			if n == 0 || pos != last {
				lx, ly, lz = coUnit(pos)
				last = pos
			}
			t.pts[n] = coPoint{t: at, x: lx, y: ly, z: lz}
			t.site[n] = pos
			if keys {
				t.key[n] = c.Key
			}
			if sectors {
				t.skey[n] = sectorKeyOf(c)
			}
			if areas {
				t.cid[n] = cells.id(c)
			}
			var m uint8
			if e.Type == "data" {
				m = coData
			}
			if e.TimeFlag != "" {
				f := slices.Index(t.flags, e.TimeFlag)
				if f < 0 && len(t.flags) < coFlagOther {
					f = len(t.flags)
					t.flags = append(t.flags, e.TimeFlag)
				}
				if f < 0 {
					f = coFlagOther
				}
				m |= uint8(f) << 1
			}
			t.meta[n] = m
		}
		t.cells = cells.cells
	}
	return t
}

// event returns the evidential form of t's event n.
func (t *coTarget) event(events []Located, n int) ColocationEvent {
	m := t.meta[n]
	e := &events[t.idx[n]]
	ev := ColocationEvent{Index: int(t.idx[n]), Source: e.Source, Sheet: e.Sheet, Row: e.Row,
		Start: time.Unix(t.pts[n].t.s, t.pts[n].t.n).UTC(), AtOrBefore: m&coData != 0}
	if t.cid != nil {
		// The key and radius of the cell, as numbered by newCoTarget.
		c := t.cid[n]
		ev.Cell, ev.AreaRadiusM = t.cellKey[c], t.cellRadius[c]
	} else {
		ev.Cell = coPlace(e).Key
	}
	if f := m >> 1; f == coFlagOther {
		ev.TimeFlag = e.TimeFlag
	} else {
		ev.TimeFlag = t.flags[f]
	}
	return ev
}

// firstAtOrAfter returns the index of t's first event at or after x.
func (t *coTarget) firstAtOrAfter(x coInstant) int {
	n, _ := slices.BinarySearchFunc(t.pts, x, func(p coPoint, x coInstant) int {
		if p.t.before(x) {
			return -1
		}
		return 1
	})
	return n
}

// firstAfter returns the index of t's first event after x.
func (t *coTarget) firstAfter(x coInstant) int {
	n, _ := slices.BinarySearchFunc(t.pts, x, func(p coPoint, x coInstant) int {
		if x.before(p.t) {
			return 1
		}
		return -1
	})
	return n
}

// coUnit returns the point of the unit sphere at a latitude and longitude.
func coUnit(p geo.LatLon) (x, y, z float64) {
	sinLat, cosLat := math.Sincos(p.Lat * math.Pi / 180)
	sinLon, cosLon := math.Sincos(p.Lon * math.Pi / 180)
	return cosLat * cosLon, cosLat * sinLon, sinLat
}

// Distances are decided first on a sphere, from the squared chord between
// two unit vectors, and on the ellipsoid only near a threshold. Map each
// latitude and longitude on the sphere of radius R to the same latitude
// and longitude on WGS84: the ellipsoid's line element is
// M²dφ² + N²cos²φ dλ², the sphere's R²dφ² + R²cos²φ dλ², and the radii of
// curvature M and N lie between 0.99441 R and 1.00448 R. Each geodesic's
// image is therefore at most 1.00448 times as long, so the geodesic
// distance d and the spherical distance R·θ satisfy
// 0.99441 R·θ ≤ d ≤ 1.00448 R·θ. coEps bounds both factors, and coSlackM
// absorbs rounding (which is below a micrometre).
const (
	coR      = 6371008.8 // mean Earth radius, metres
	coEps    = 0.006
	coSlackM = 0.01
)

// coChord2 returns the squared chord of the unit sphere subtending a
// distance of m metres on the sphere of radius coR, or ok false when the
// angle is too large for the chord to be monotonic in it.
func coChord2(m float64) (float64, bool) {
	theta := max(m/coR, 0)
	if !(theta < math.Pi/2) {
		return 0, false
	}
	c := 2 * math.Sin(theta/2)
	return c * c, true
}

// coThresholds are the squared-chord bounds of one analysis: at or below
// togYes the pair is surely together, above togNo surely not; below
// apartNo surely not apart, at or above apartYes surely. Between them the
// geodesic distance decides.
type coThresholds struct {
	cell              bool       // basis "cell": together is the same key
	sectors           *coSectors // basis "sector": together is overlapping service areas
	areas             *coAreas   // basis "service-area": together is overlapping service areas
	togM              float64    // together within togM ("site", "nearby")
	togYes, togNo     float64
	apartM            float64
	apartNo, apartYes float64
	k2, slack2        float64 // least-distance candidates: c² ≤ k2·least + slack2
}

func newCoThresholds(p ColocationParams) coThresholds {
	th := coThresholds{cell: p.Basis == BasisCell, apartM: p.ApartM,
		togYes: -1, togNo: math.Inf(1), apartNo: -1, apartYes: math.Inf(1)}
	switch p.Basis {
	case BasisSite:
		th.togM = SameSiteM
	case BasisNearby:
		th.togM = p.DistanceM
	}
	if !th.cell && p.Basis != BasisSector && p.Basis != BasisServiceArea {
		if c, ok := coChord2((th.togM - coSlackM) / (1 + coEps)); ok {
			th.togYes = c
		}
		if c, ok := coChord2((th.togM + coSlackM) / (1 - coEps)); ok {
			th.togNo = c
		}
	}
	if c, ok := coChord2((p.ApartM - coSlackM) / (1 + coEps)); ok {
		th.apartNo = c
	}
	if c, ok := coChord2((p.ApartM + coSlackM) / (1 - coEps)); ok {
		th.apartYes = c
	}
	// A pair can have the least geodesic distance only if its spherical
	// angle is within (1+coEps)/(1-coEps) of the least angle; as the chord
	// is concave in the angle, the same factor bounds the chords.
	k := (1 + coEps) / (1 - coEps)
	th.k2 = k * k
	th.slack2, _ = coChord2(coSlackM)
	return th
}

// coCand is a qualifying pair whose distance may be its episode's least.
type coCand struct {
	i, j int32
	c2   float64
}

// coEp is an episode being built: its interval and what is needed for its
// number of pairs and least distance.
type coEp struct {
	s, e     coInstant
	pairs    int
	min2     float64
	cands    []coCand
	filtered int // len(cands) when last pruned
}

// absorb merges o into ep.
func (ep *coEp) absorb(o *coEp, th *coThresholds) {
	ep.s = coEarlier(ep.s, o.s)
	ep.e = coLater(ep.e, o.e)
	ep.pairs += o.pairs
	ep.min2 = min(ep.min2, o.min2)
	lim := ep.min2*th.k2 + th.slack2
	for _, c := range o.cands {
		if c.c2 <= lim {
			ep.cands = append(ep.cands, c)
		}
	}
	if len(ep.cands) > 2*ep.filtered+64 {
		ep.cands = slices.DeleteFunc(ep.cands, func(c coCand) bool { return c.c2 > lim })
		ep.filtered = len(ep.cands)
	}
}

// coAcc gathers the qualifying pairs of one kind of one A event, and
// merges them, when the event is done, into the episodes of a chunk.
type coAcc struct {
	fj, lj int32 // first and last B event paired with the A event; fj -1 if none
	cur    coEp
	eps    []coEp // disjoint, in time order; the last ones may still grow
}

// startA readies the accumulator for the next A event.
func (m *coAcc) startA() {
	m.fj, m.lj = -1, -1
	m.cur = coEp{min2: math.Inf(1), cands: m.cur.cands[:0]}
}

// endA closes A's event i: its qualifying pairs all contain its instant,
// so together they form one interval, which joins the trailing episodes
// that end within the gap before it starts (every earlier interval
// contains an earlier A event, so this one ends after all of them start).
func (m *coAcc) endA(i int, ta, tb *coTarget, gap int64, th *coThresholds, hasA []bool) {
	if m.fj < 0 {
		return
	}
	hasA[i] = true
	t := ta.pts[i].t
	m.cur.s = coEarlier(t, tb.pts[m.fj].t)
	m.cur.e = coLater(t, tb.pts[m.lj].t)
	n := len(m.eps)
	for n > 0 && !m.eps[n-1].e.plus(gap).before(m.cur.s) {
		n--
	}
	if n == len(m.eps) {
		ep := coEp{s: m.cur.s, e: m.cur.e, min2: math.Inf(1)}
		ep.absorb(&m.cur, th)
		m.eps = append(m.eps, ep)
		return
	}
	for k := n + 1; k < len(m.eps); k++ {
		m.eps[n].absorb(&m.eps[k], th)
	}
	m.eps[n].absorb(&m.cur, th)
	m.eps = m.eps[:n+1]
}

// coPair is the analysis of one pair of targets.
type coPair struct {
	a, b         *coTarget
	nameA, nameB string
	chunks       []coChunk
	hasA         [2][]bool // per kind (together, apart), per A event
	hasB         [2][]bool
	joined       [2][]coEp
	eps          [2][]ColocationEpisode
}

// coChunk is what the sweep of one chunk of A's events found, per kind.
type coChunk struct {
	acc  [2]coAcc
	bLo  int     // the first B event the chunk's window reaches
	hasB []uint8 // per B event from bLo: bit 1<<kind set if in a qualifying pair of that kind
}

// coChunks returns how many chunks n events of A are swept in: enough to
// keep every processor busy, none very small.
func coChunks(n int) int {
	const least = 16
	return max(1, min(n/least, 4*runtime.GOMAXPROCS(0)))
}

type coSweepTask struct {
	pr   *coPair
	c, n int
}

// run sweeps one chunk of A's events against B's, with two pointers over
// B's time-ordered events, and merges the pairs that qualify into the
// chunk's episodes of each kind.
func (st coSweepTask) run(p ColocationParams, th coThresholds) {
	ta, tb := st.pr.a, st.pr.b
	i0, i1 := len(ta.pts)*st.c/st.n, len(ta.pts)*(st.c+1)/st.n
	if i0 == i1 {
		return
	}
	w := p.WindowS
	lo := tb.firstAtOrAfter(coInstant{ta.pts[i0].t.s - w, ta.pts[i0].t.n})
	end := tb.firstAfter(ta.pts[i1-1].t.plus(w))
	ch := &st.pr.chunks[st.c]
	tog, ap := &ch.acc[0], &ch.acc[1]
	ch.bLo, ch.hasB = lo, make([]uint8, end-lo)
	bp := tb.pts
	bLo, hasB := lo, ch.hasB
	// Squared chords are non-negative, so their bit patterns order as
	// they do; the tests below are integer arithmetic on them.
	togYes, togNo := coBits(th.togYes), coBits(th.togNo)
	apartNo, apartYes := coBits(th.apartNo), coBits(th.apartYes)
	cell, togM, apartM, k2, slack2 := th.cell, th.togM, th.apartM, th.k2, th.slack2
	togBand0, togBandW := togYes+1, togNo-togYes // (togYes, togNo]
	sec, areas := th.sectors, th.areas
	var secFar uint64
	var secMemo map[uint64]bool
	if sec != nil {
		secFar = coBits(sec.far2)
		secMemo = map[uint64]bool{}
	}
	if areas != nil {
		secMemo = map[uint64]bool{}
	}
	if cell || sec != nil || areas != nil {
		togBandW = 0
	}
	shaped := sec != nil || areas != nil
	apartBandW := apartYes - apartNo // [apartNo, apartYes)
	// The loop is written so that its branches are predictable: whether a
	// pair qualifies is computed as 0 or 1 and feeds sums and masks; only
	// rare events (a pair near a threshold, a new least distance) branch.
	// B's events within the window of A's event i are [lo, hi).
	hi := lo
	for i := i0; i < i1; i++ {
		a := &ta.pts[i]
		from := coInstant{a.t.s - w, a.t.n}
		for lo < len(bp) && bp[lo].t.before(from) {
			lo++
		}
		to := a.t.plus(w)
		hi = max(hi, lo)
		for hi < len(bp) && !to.before(bp[hi].t) {
			hi++
		}
		win, winHasB := bp[lo:hi], hasB[lo-bLo:hi-bLo]
		winHasB = winHasB[:len(win)]
		var winRef []coAreaRef
		if areas != nil {
			winRef = tb.aref[lo:hi]
			winRef = winRef[:len(win)]
		}
		tog.startA()
		ap.startA()
		// With "service-area", no pair whose squared chord is above
		// areaNear can be within the sum of the two areas' reaches.
		var areaNear uint64
		if areas != nil {
			r := float64(ta.aref[i].reach) + tb.maxReach
			areaNear = math.Float64bits(r * r)
		}
		tfj, tlj, tPairs, tMin2 := int32(-1), int32(-1), 0, math.Inf(1)
		afj, alj, aPairs, aMin2 := int32(-1), int32(-1), 0, math.Inf(1)
		// A pair is a candidate for the least distance when its squared
		// chord is at most tLim (aLim), k2 times the least so far plus
		// the slack; +Inf before the first.
		tLim, aLim := math.Float64bits(math.Inf(1)), math.Float64bits(math.Inf(1))
		for x := range win {
			j := lo + x
			b := &win[x]
			dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
			c2 := dx*dx + dy*dy + dz*dz
			bits := math.Float64bits(c2)
			var together uint64
			if cell {
				if ta.key[i] == tb.key[j] {
					together = 1
				}
			} else if sec != nil {
				if bits <= secFar && sec.overlap(ta.sec[i], tb.sec[j], secMemo) {
					together = 1
				}
			} else if areas != nil {
				if bits <= areaNear {
					if r := float64(ta.aref[i].reach) + float64(winRef[x].reach); c2 <= r*r && areas.overlap(ta.aref[i].area, winRef[x].area, secMemo) {
						together = 1
					}
				}
			} else {
				together = coLE(bits, togYes)
			}
			apart := 1 - coLE(bits, apartYes-1) // bits >= apartYes
			if shaped {
				apart &^= together // overlapping service areas are never apart
			}
			// Near a threshold (unsigned range tests), the geodesic
			// distance decides. Validate keeps ApartM above the together
			// distance, so only with basis "cell" can a pair be both.
			if nearTog, nearApart := bits-togBand0 < togBandW, bits-apartNo < apartBandW; nearTog || nearApart {
				// Bounds from the latitudes first, then the distance
				// itself if they do not decide.
				lb, ub := math.Inf(-1), math.Inf(1)
				if c2 < coNearChord2 {
					lb, ub = coBounds(ta.site[i], tb.site[j], c2)
				}
				d := math.NaN()
				if nearTog && lb <= togM {
					if ub > togM {
						d = geo.Distance(ta.site[i], tb.site[j])
					}
					if ub <= togM || d <= togM {
						together = 1
					}
				}
				if nearApart && (cell || together == 0) && ub >= apartM {
					if lb < apartM && math.IsNaN(d) {
						d = geo.Distance(ta.site[i], tb.site[j])
					}
					if lb >= apartM || d >= apartM {
						apart = 1
					}
				}
			}
			jj := int32(j)
			winHasB[x] |= uint8(together | apart<<1)
			tPairs += int(together)
			tlj = coPick(together, jj, tlj)
			if tfj < 0 && together != 0 {
				tfj = jj
			}
			if together&coLE(bits, tLim) != 0 {
				tMin2 = min(tMin2, c2)
				tLim = math.Float64bits(tMin2*k2 + slack2)
				tog.cur.cands = append(tog.cur.cands, coCand{int32(i), jj, c2})
			}
			aPairs += int(apart)
			alj = coPick(apart, jj, alj)
			if afj < 0 && apart != 0 {
				afj = jj
			}
			if apart&coLE(bits, aLim) != 0 {
				aMin2 = min(aMin2, c2)
				aLim = math.Float64bits(aMin2*k2 + slack2)
				ap.cur.cands = append(ap.cur.cands, coCand{int32(i), jj, c2})
			}
		}
		tog.fj, tog.lj, tog.cur.pairs, tog.cur.min2 = tfj, tlj, tPairs, tMin2
		ap.fj, ap.lj, ap.cur.pairs, ap.cur.min2 = afj, alj, aPairs, aMin2
		tog.endA(i, ta, tb, w, &th, st.pr.hasA[0])
		ap.endA(i, ta, tb, w, &th, st.pr.hasA[1])
	}
}

// coBits returns the bit pattern of a threshold on squared chords: a
// negative threshold (no squared chord is below it) as 0, which only an
// exact zero meets, as the threshold tests allow.
func coBits(x float64) uint64 {
	if x < 0 {
		return 0
	}
	return math.Float64bits(x)
}

// coLE returns 1 if x <= t, else 0, for x and t below 1<<63.
func coLE(x, t uint64) uint64 { return (x - t - 1) >> 63 }

// coPick returns a if one is 1, b if it is 0.
func coPick(one uint64, a, b int32) int32 {
	m := -int32(one)
	return a&m | b&^m
}

// join joins the chunks' episodes of one kind (0 together, 1 apart):
// episodes of neighbouring chunks that overlap or come within the gap of
// each other are one. Each chunk's episode is a single interval covered by
// its pairs' intervals with no gap over the window, so joining their
// spans, in order of start, gives the episodes of all the pairs.
func (pr *coPair) join(kind int, p ColocationParams, th coThresholds) {
	hasB := make([]bool, len(pr.b.pts))
	var all []coEp
	bit := uint8(1) << kind
	for c := range pr.chunks {
		ch := &pr.chunks[c]
		all = append(all, ch.acc[kind].eps...)
		ch.acc[kind].eps = nil
		for j, h := range ch.hasB {
			if h&bit != 0 {
				hasB[ch.bLo+j] = true
			}
		}
	}
	pr.hasB[kind] = hasB
	slices.SortStableFunc(all, func(x, y coEp) int {
		switch {
		case x.s.before(y.s):
			return -1
		case y.s.before(x.s):
			return 1
		}
		return 0
	})
	var out []coEp
	for k := range all {
		if n := len(out); n > 0 && !out[n-1].e.plus(p.WindowS).before(all[k].s) {
			out[n-1].absorb(&all[k], &th)
			continue
		}
		out = append(out, all[k])
	}
	kindName := EpisodeTogether
	if kind == 1 {
		kindName = EpisodeApart
	}
	pr.joined[kind] = out
	pr.eps[kind] = make([]ColocationEpisode, len(out))
	for k := range out {
		ep := &out[k]
		pr.eps[kind][k] = ColocationEpisode{Kind: kindName, A: pr.nameA, B: pr.nameB,
			Start: time.Unix(ep.s.s, ep.s.n).UTC(), End: time.Unix(ep.e.s, ep.e.n).UTC(),
			Pairs: ep.pairs, Params: p}
	}
}

// closest fills in the least distance of each episode of one kind.
func (pr *coPair) closest(kind int, th coThresholds) {
	for k := range pr.joined[kind] {
		pr.eps[kind][k].ClosestM = coClosest(&pr.joined[kind][k], pr.a, pr.b, &th)
	}
}

// gather fills in the events of one side (0 A, 1 B) of the episodes of one
// kind: the events in a qualifying pair, each in the episode whose span
// contains its instant (the span of every pair it is in).
func (pr *coPair) gather(events []Located, kind, side int) {
	t, has := pr.a, pr.hasA[kind]
	if side == 1 {
		t, has = pr.b, pr.hasB[kind]
	}
	eps, out := pr.joined[kind], pr.eps[kind]
	counts := make([]int, len(eps))
	k := 0
	for n := range has {
		if !has[n] {
			continue
		}
		for eps[k].e.before(t.pts[n].t) {
			k++
		}
		counts[k]++
	}
	k = 0
	for n := range has {
		if !has[n] {
			continue
		}
		for eps[k].e.before(t.pts[n].t) {
			k++
		}
		dst := &out[k].EventsA
		if side == 1 {
			dst = &out[k].EventsB
		}
		if *dst == nil {
			*dst = make([]ColocationEvent, 0, counts[k])
		}
		*dst = append(*dst, t.event(events, n))
	}
}

// coClosest returns the least geodesic distance among an episode's
// candidate pairs. Each has bounds from its spherical angle θ: a
// geodesic's line element lies between M(φ)·dθ and N(φ)·dθ, where M and N
// are the radii of curvature, which grow with |φ|; within a distance d of
// its ends a geodesic's latitude changes by at most d/M, so over the pair
// it stays within θ/2·1.011 of the nearer end's latitude (N/M < 1.0068 on
// WGS84). Only pairs whose lower bound is below every pair's upper bound
// are measured, in order of their lower bounds, until the next bound
// exceeds the least distance so far.
func coClosest(ep *coEp, ta, tb *coTarget, th *coThresholds) float64 {
	lim := ep.min2*th.k2 + th.slack2
	type cand struct {
		i, j int32
		lb   float64
	}
	cs := make([]cand, 0, len(ep.cands))
	least := math.Inf(1) // the least upper bound
	for _, c := range ep.cands {
		if c.c2 > lim {
			continue
		}
		lb, ub := coBounds(ta.site[c.i], tb.site[c.j], c.c2)
		least = min(least, ub)
		cs = append(cs, cand{c.i, c.j, lb})
	}
	cs = slices.DeleteFunc(cs, func(c cand) bool { return c.lb > least })
	slices.SortFunc(cs, func(x, y cand) int {
		if c := cmp.Compare(x.lb, y.lb); c != 0 {
			return c
		}
		if c := cmp.Compare(x.i, y.i); c != 0 {
			return c
		}
		return cmp.Compare(x.j, y.j)
	})
	best := math.Inf(1)
	for _, c := range cs {
		if c.lb > best {
			break
		}
		if d := geo.Distance(ta.site[c.i], tb.site[c.j]); d < best {
			best = d
		}
	}
	return best
}

// coBounds returns a lower and an upper bound on the geodesic distance
// between two masts whose unit vectors' squared chord is c2, from their
// spherical angle θ (see coClosest).
func coBounds(pa, pb geo.LatLon, c2 float64) (lo, hi float64) {
	theta := 2 * math.Asin(min(math.Sqrt(c2)/2, 1))
	latLo, latHi := min(pa.Lat, pb.Lat)*math.Pi/180, max(pa.Lat, pb.Lat)*math.Pi/180
	pad := theta / 2 * 1.011
	latLo, latHi = max(latLo-pad, -math.Pi/2), min(latHi+pad, math.Pi/2)
	nearest := 0.0 // the least |latitude| in [latLo, latHi]
	if latLo > 0 {
		nearest = latLo
	} else if latHi < 0 {
		nearest = -latHi
	}
	sinLo, sinHi := math.Sin(nearest), math.Sin(max(-latLo, latHi))
	w := 1 - coWGS84E2*sinLo*sinLo
	m := coWGS84A * (1 - coWGS84E2) / (w * math.Sqrt(w))
	n := coWGS84A / math.Sqrt(1-coWGS84E2*sinHi*sinHi)
	return m*theta*(1-1e-9) - coSlackM, n*theta*(1+1e-9) + coSlackM
}

// coNearChord2 is the squared chord of the unit sphere below which the
// sweep decides a distance near a threshold from coBounds before
// measuring it: an angle of 0.1 radians (637 km), well within the
// distances at which the geodesic is measured to a fraction of coSlackM.
var coNearChord2 = func() float64 { c := 2 * math.Sin(0.05); return c * c }()

// The WGS84 ellipsoid's semi-major axis and squared eccentricity.
const (
	coWGS84A  = 6378137.0
	coWGS84E2 = 6.69437999014e-3
)
