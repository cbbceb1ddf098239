package reports

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
)

// Wedge lengths when Map.WedgeRadiusM is zero: WedgeSiteFraction of the
// distance from the cell's mast to the nearest other site among the map's
// cells, clamped to [WedgeMinM, WedgeMaxM], or WedgeLoneM when the map has no
// other site (more than analysis.SameSiteM away).
const (
	WedgeSiteFraction = 0.6
	WedgeMinM         = 300.0
	WedgeMaxM         = 3000.0
	WedgeLoneM        = 1500.0
)

// Reasons an event is not on a map.
const (
	mapNoCell     = "no cell"
	mapNoRecord   = "cell not in the cell list at the time"
	mapNoPosition = "cell has no position"
	mapNoGrid     = "cell off the National Grid"
)

// MapEvent is one event drawn on a map, numbered as in the schedule the map
// accompanies.
type MapEvent struct {
	N      int       // the event's row number in the schedule
	Target string    // the target's number as shown in the schedule
	Time   time.Time // the event's start, UTC
	Type   string    // event type as in the schedule: voice, sms, data, ...
	Cell   string    // canonical key of the cell that places the event, "" when none does
}

// Map is one map: a target's timeline, or the events of a co-location
// episode. It shows where the cells that served the phones stood and which
// way they pointed, with each event's schedule row number beside the cell
// that served it, so that a reader can go from a row of a schedule to a
// place on the map and back. The same data is drawn on a PDF page
// (WriteMapsPDF) and exported for GIS tools (WriteGeoJSON, WriteKML).
//
// Wedges show a cell's direction, not its coverage: each is drawn from the
// mast along the cell's azimuth, as wide as its beamwidth, to a nominal
// length (see WedgeRadiusM); an omni cell is drawn as a circle.
//
// A Map is plain data: the caller chooses the events, numbered as in its
// schedules, and passes the cell records they refer to.
type Map struct {
	Title    string // e.g. "Timeline of +447700900123"
	Subtitle string // optional second line, e.g. the co-location basis
	// Schedule names the schedule whose row numbers the events carry, as
	// it reads within a sentence, e.g. "call schedule"; the key says what
	// the numbers are.
	Schedule string
	// Targets lists the targets in the order of their colours and letters
	// (A, B, ...). Targets of events that are not listed follow in order
	// of their first event in Events.
	Targets  []string
	From, To time.Time // the time window the map covers, UTC
	Events   []MapEvent
	// Cells holds the cell list records of the cells the events name, and
	// optionally of nearby cells, which are drawn as other sites. An event
	// is placed by the first record with its cell key that was valid at
	// the event's time.
	Cells []cellsite.Cell
	// CellLists names the cell lists the records come from; each map
	// states them.
	CellLists []CellListRef
	// DefaultBeamwidthDeg is the beamwidth drawn for a directional cell
	// whose record gives none; zero means analysis.SectorBeamwidthDeg
	// (120°). Such wedges are marked as assumed.
	DefaultBeamwidthDeg float64
	// WedgeRadiusM, when positive, is the length in metres of every wedge
	// (and the radius of every omni circle). Zero means a length per site
	// from the distance to its nearest neighbour (see WedgeSiteFraction).
	WedgeRadiusM float64
}

// mapPlan is a Map resolved for drawing: every cell record with a usable
// position, grouped into sites, with the events' rows attached to the
// cells that placed them and each target's route.
type mapPlan struct {
	m          *Map
	targets    []string
	beamwidth  float64 // default beamwidth in degrees
	cells      []mapCell
	sites      []mapSite
	routes     [][]int // per target: site indices in time order, repeats in a row dropped
	events     []mapPlacedEvent
	noCell     []int // rows no cell places
	noRecord   []int // rows whose cell has no record valid at the event's time
	noPosition []int // rows whose cell record has no usable position
	assumed    int   // served directional cells drawn with the default beamwidth
}

// mapCell is a cell record with a usable position.
type mapCell struct {
	rec       *cellsite.Cell
	ll        geo.LatLon
	en        geo.EN
	grid      bool // en is known: the mast is on the National Grid
	site      int
	omni      bool
	azTrue    float64 // true-north azimuth, degrees
	azGrid    float64 // the same direction from grid north (NaN off the grid)
	beamwidth float64
	assumed   bool    // beamwidth not given: the default is drawn
	radiusM   float64 // wedge length in metres on the ground
	rows      [][]int // per target: the sorted row numbers of its events placed here
	served    bool    // some event is placed here
}

// mapSite is a mast position shared by one or more cells.
type mapSite struct {
	ll     geo.LatLon
	en     geo.EN
	grid   bool
	cells  []int
	served bool
}

// mapPlacedEvent is an event with the cell that places it (-1 when none).
type mapPlacedEvent struct {
	MapEvent
	target int
	cell   int
	reason string // why the event is not placed, when it is not
}

// planMap resolves m for drawing. It never fails: events that cannot be
// placed are listed, never dropped.
func planMap(m *Map) *mapPlan {
	p := &mapPlan{m: m, beamwidth: m.DefaultBeamwidthDeg}
	if !(p.beamwidth > 0 && p.beamwidth <= 360) {
		p.beamwidth = analysis.SectorBeamwidthDeg
	}

	// Targets: as listed, then in order of first event.
	tindex := map[string]int{}
	addTarget := func(t string) {
		if _, ok := tindex[t]; !ok {
			tindex[t] = len(p.targets)
			p.targets = append(p.targets, t)
		}
	}
	for _, t := range m.Targets {
		addTarget(t)
	}
	for _, e := range m.Events {
		addTarget(e.Target)
	}

	// Cells with a usable position, grouped into sites by position to the
	// nearest metre or so.
	byKey := map[string][]int{}
	siteAt := map[string]int{}
	recCell := make([]int, len(m.Cells)) // record index -> plan cell, -1 without a position
	for i := range m.Cells {
		rec := &m.Cells[i]
		recCell[i] = -1
		byKey[rec.Key] = append(byKey[rec.Key], i)
		ll, ok := mapCellPosition(rec)
		if !ok {
			continue
		}
		c := mapCell{rec: rec, ll: ll, azGrid: math.NaN(), rows: make([][]int, len(p.targets))}
		c.en, c.grid = mapCellGrid(rec, ll)
		c.omni = rec.Omni || !mapFinite(rec.AzimuthDeg)
		c.beamwidth = rec.BeamwidthDeg
		if !(c.beamwidth > 0) || !mapFinite(c.beamwidth) {
			c.beamwidth, c.assumed = p.beamwidth, true
		}
		if c.beamwidth >= 360 {
			c.omni = true
		}
		if c.omni {
			c.beamwidth, c.assumed = 360, false
		} else {
			c.azTrue = mapNormDeg(rec.AzimuthDeg)
			if c.grid {
				c.azGrid = geo.TrueToGridBearing(ll, c.azTrue)
			}
		}
		sk := strconv.FormatFloat(ll.Lat, 'f', 5, 64) + "," + strconv.FormatFloat(ll.Lon, 'f', 5, 64)
		s, ok := siteAt[sk]
		if !ok {
			s = len(p.sites)
			siteAt[sk] = s
			p.sites = append(p.sites, mapSite{ll: ll, en: c.en, grid: c.grid})
		}
		c.site = s
		recCell[i] = len(p.cells)
		p.sites[s].cells = append(p.sites[s].cells, len(p.cells))
		p.cells = append(p.cells, c)
	}

	// Events, each with the record valid at its time.
	p.events = make([]mapPlacedEvent, len(m.Events))
	for i, e := range m.Events {
		pe := mapPlacedEvent{MapEvent: e, target: tindex[e.Target], cell: -1}
		switch recs := byKey[e.Cell]; {
		case e.Cell == "":
			p.noCell = append(p.noCell, e.N)
			pe.reason = mapNoCell
		case len(recs) == 0:
			p.noRecord = append(p.noRecord, e.N)
			pe.reason = mapNoRecord
		default:
			rec := -1
			for _, r := range recs {
				if m.Cells[r].ValidAt(e.Time) {
					rec = r
					break
				}
			}
			switch {
			case rec < 0:
				p.noRecord = append(p.noRecord, e.N)
				pe.reason = mapNoRecord
			case recCell[rec] < 0:
				p.noPosition = append(p.noPosition, e.N)
				pe.reason = mapNoPosition
			default:
				pe.cell = recCell[rec]
				c := &p.cells[pe.cell]
				c.rows[pe.target] = append(c.rows[pe.target], e.N)
				c.served = true
				p.sites[c.site].served = true
			}
		}
		p.events[i] = pe
	}
	for _, l := range [][]int{p.noCell, p.noRecord, p.noPosition} {
		slices.Sort(l)
	}
	for i := range p.cells {
		c := &p.cells[i]
		for t := range c.rows {
			slices.Sort(c.rows[t])
			c.rows[t] = slices.Compact(c.rows[t])
		}
		if c.served && c.assumed {
			p.assumed++
		}
	}

	// Routes: each target's placed events in time order (then row).
	order := make([]int, len(p.events))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ea, eb := &p.events[a], &p.events[b]
		if c := ea.Time.Compare(eb.Time); c != 0 {
			return c
		}
		return cmp.Compare(ea.N, eb.N)
	})
	p.routes = make([][]int, len(p.targets))
	for _, i := range order {
		e := &p.events[i]
		if e.cell < 0 {
			continue
		}
		s := p.cells[e.cell].site
		r := p.routes[e.target]
		if len(r) == 0 || r[len(r)-1] != s {
			p.routes[e.target] = append(r, s)
		}
	}

	p.radii()
	return p
}

// radii sets every cell's wedge length: Map.WedgeRadiusM, or a length per
// site from the distance to its nearest other site.
func (p *mapPlan) radii() {
	if r := p.m.WedgeRadiusM; r > 0 && mapFinite(r) {
		for i := range p.cells {
			p.cells[i].radiusM = r
		}
		return
	}
	siteR := make([]float64, len(p.sites))
	for i := range p.sites {
		a := &p.sites[i]
		if !a.served {
			continue // no wedge is drawn there
		}
		nearest := math.Inf(1)
		for j := range p.sites {
			if i == j {
				continue
			}
			d := mapSiteDistance(a, &p.sites[j])
			if d > analysis.SameSiteM && d < nearest {
				nearest = d
			}
		}
		if math.IsInf(nearest, 1) {
			siteR[i] = WedgeLoneM
			continue
		}
		// Rounded to 10 m so that the stated length reads cleanly.
		siteR[i] = math.Round(min(max(WedgeSiteFraction*nearest, WedgeMinM), WedgeMaxM)/10) * 10
	}
	for i := range p.cells {
		p.cells[i].radiusM = siteR[p.cells[i].site]
	}
}

// mapSiteDistance returns the distance in metres between two masts: on the
// grid when both are on it (cheap, and within 0.1% of the ground distance),
// else on the ellipsoid.
func mapSiteDistance(a, b *mapSite) float64 {
	if a.grid && b.grid {
		return geo.GridDistance(a.en, b.en)
	}
	return geo.Distance(a.ll, b.ll)
}

// mapCellPosition returns a record's mast position, if it has a usable one.
func mapCellPosition(c *cellsite.Cell) (geo.LatLon, bool) {
	ll := geo.LatLon{Lat: c.Lat, Lon: c.Lon}
	if mapFinite(ll.Lat) && mapFinite(ll.Lon) && math.Abs(ll.Lat) <= 90 && math.Abs(ll.Lon) <= 180 && (ll.Lat != 0 || ll.Lon != 0) {
		return ll, true
	}
	if mapFinite(c.Easting) && mapFinite(c.Northing) && (c.Easting != 0 || c.Northing != 0) {
		if ll, err := geo.FromGrid(geo.EN{E: c.Easting, N: c.Northing}); err == nil {
			return ll, true
		}
	}
	return geo.LatLon{}, false
}

// mapCellGrid returns a record's National Grid position: as the record states
// it, or converted from its latitude and longitude.
func mapCellGrid(c *cellsite.Cell, ll geo.LatLon) (geo.EN, bool) {
	if mapFinite(c.Easting) && mapFinite(c.Northing) && (c.Easting != 0 || c.Northing != 0) {
		return geo.EN{E: c.Easting, N: c.Northing}, true
	}
	en, err := geo.ToGrid(ll)
	return en, err == nil
}

func mapFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// mapNormDeg reduces an angle in degrees to [0, 360).
func mapNormDeg(x float64) float64 {
	x = math.Mod(x, 360)
	if x < 0 {
		x += 360
	}
	if x >= 360 {
		x = 0
	}
	return x
}

// mapTargetLetter returns the letter that stands for the i-th target: A to Z,
// then AA, AB, ...
func mapTargetLetter(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return mapTargetLetter(i/26-1) + string(rune('A'+i%26))
}

// mapRowRanges writes sorted, distinct row numbers compactly: runs of three or
// more as ranges with an en dash, "3, 5–9, 12".
func mapRowRanges(rows []int) []string {
	var out []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			out = append(out, strconv.Itoa(rows[i])+"–"+strconv.Itoa(rows[j]))
		case j == i+1:
			out = append(out, strconv.Itoa(rows[i]), strconv.Itoa(rows[j]))
		default:
			out = append(out, strconv.Itoa(rows[i]))
		}
		i = j + 1
	}
	return out
}

// RowList writes sorted, distinct schedule row numbers as a map labels
// them: "3, 5–9, 12" (runs of three or more as ranges).
func RowList(rows []int) string { return strings.Join(mapRowRanges(rows), ", ") }
