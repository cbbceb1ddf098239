package analysis

import (
	"bytes"
	"math"
	"sort"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// TimelineParams are the thresholds of a timeline. A zero field takes its
// default (see Defaults).
type TimelineParams struct {
	// GapS is the longest silence, in seconds, between two consecutive
	// events that is not reported as a gap in activity. Default 21600 (6 h).
	GapS int64 `json:"gap_s"`
	// MaxSpeedKmh is the fastest a phone is taken to travel, in km/h, when
	// judging whether two consecutive placed events are feasible.
	// Default 200.
	MaxSpeedKmh float64 `json:"max_speed_kmh"`
	// ServiceRadiusM is how far from its mast, in metres, a cell is taken to
	// serve; it is allowed at both ends of a movement. Default 5000; a
	// negative value means no allowance (0 m).
	ServiceRadiusM float64 `json:"service_radius_m"`
}

// Defaults returns p with every zero field set to its default.
func (p TimelineParams) Defaults() TimelineParams {
	if p.GapS == 0 {
		p.GapS = 6 * 3600
	}
	if p.MaxSpeedKmh == 0 {
		p.MaxSpeedKmh = 200
	}
	if p.ServiceRadiusM == 0 {
		p.ServiceRadiusM = 5000
	}
	return p
}

// radius returns the service radius to apply: a negative setting is none.
func (p TimelineParams) radius() float64 { return max(p.ServiceRadiusM, 0) }

// How an event of a timeline is placed: by the cell that served it first,
// by the cell that served it last, or not at all.
const (
	PlacedByFirst = "first"
	PlacedByLast  = "last"
)

// TimelineEntry is one event of a target's timeline with the cell that
// places it.
type TimelineEntry struct {
	Index int `json:"index"` // position of the event in the slice given to Timeline

	Source cellsite.Hash `json:"source"` // where the event came from
	Sheet  string        `json:"sheet,omitempty"`
	Row    int           `json:"row"`

	Start     time.Time `json:"start"`     // UTC
	TimeFlag  string    `json:"time_flag"` // "", ambiguous or impossible, as ingested
	Type      string    `json:"type"`
	Direction string    `json:"direction"`
	Other     string    `json:"other"`
	DurationS int64     `json:"duration_s"`

	FirstCell string     `json:"first_cell"` // keys as recorded, "" when none
	LastCell  string     `json:"last_cell"`
	FirstRes  Resolution `json:"first_resolution"`
	LastRes   Resolution `json:"last_resolution"`

	// Placed reports whether a cell of the event resolved; PlacedBy says
	// which ("first" or "last", "" when not placed).
	Placed   bool   `json:"placed"`
	PlacedBy string `json:"placed_by"`
	// The resolved cell that places the event: its key, site name,
	// address and mast position. Empty when not placed.
	Cell    string  `json:"cell"`
	Site    string  `json:"site"`
	Address string  `json:"address"`
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`

	// Handover: the event names a first and a last cell and they differ.
	Handover bool `json:"handover"`
	// Infeasible: the event is placed, and its cell is too far from the
	// cell of the previous placed event to be reached at MaxSpeedKmh in
	// the time between them (see TimelineMove).
	Infeasible bool `json:"infeasible"`
}

// TimelineGap is a silence longer than GapS between two consecutive
// events of a timeline.
type TimelineGap struct {
	After   int       `json:"after"`  // entry before the gap
	Before  int       `json:"before"` // entry after the gap
	From    time.Time `json:"from"`   // start of the entry before
	To      time.Time `json:"to"`     // start of the entry after
	Seconds int64     `json:"seconds"`
}

// TimelineMove is a pair of consecutive placed events of a timeline whose
// cells are further apart, less a service radius at each end, than a phone
// could travel at MaxSpeedKmh in the longest time the records allow between
// them.
type TimelineMove struct {
	From int `json:"from"` // entry of the earlier placed event
	To   int `json:"to"`   // entry of the later placed event
	// DistanceM is the geodesic distance between the two masts.
	DistanceM float64 `json:"distance_m"`
	// ExcessM is DistanceM less twice the service radius: the least
	// distance the phone must have travelled.
	ExcessM float64 `json:"excess_m"`
	// ElapsedS is the longest time, in seconds, the records allow between
	// the two placements (see Timeline).
	ElapsedS float64 `json:"elapsed_s"`
	// ReachM is the distance coverable at MaxSpeedKmh in ElapsedS.
	ReachM float64 `json:"reach_m"`
}

// TimelineResult is one target's events in time order, with the gaps in
// its activity, its handovers and the movements it could not have made.
type TimelineResult struct {
	Target     string          `json:"target"`
	Params     TimelineParams  `json:"params"`
	Entries    []TimelineEntry `json:"entries"`
	Placed     int             `json:"placed"`    // entries placed by a resolved cell
	Unplaced   int             `json:"unplaced"`  // entries that stay unplaced
	Handovers  int             `json:"handovers"` // entries with Handover set
	Gaps       []TimelineGap   `json:"gaps"`
	Infeasible []TimelineMove  `json:"infeasible"`
}

// Timeline returns the target's events in time order (then source, sheet
// and row), each with the resolved cell that places it; every silence
// longer than GapS; every handover; and every pair of consecutive placed
// events whose masts are further apart, less ServiceRadiusM at each end,
// than MaxSpeedKmh allows in the time between them. Such pairs are flagged,
// never dropped, and events that no cell places stay in the timeline,
// marked unplaced. Exact duplicates (DuplicateOf != 0) are left out.
//
// The time between two placements is the longest the records allow: an
// event placed by its first cell is placed at its start; one placed by its
// last cell at some time from its start to its end (start plus duration); a
// UK local time that happened twice (flag ambiguous) may be an hour later
// than recorded, and one that never happened (flag impossible) an hour
// earlier.
func Timeline(events []Located, target string, p TimelineParams) TimelineResult {
	p = p.Defaults()
	res := TimelineResult{Target: target, Params: p, Entries: []TimelineEntry{}, Gaps: []TimelineGap{}, Infeasible: []TimelineMove{}}
	count := 0
	for i := range events {
		if events[i].Target == target && events[i].DuplicateOf == 0 {
			count++
		}
	}
	idx := make([]int, 0, count)
	for i := range events {
		if events[i].Target == target && events[i].DuplicateOf == 0 {
			idx = append(idx, i)
		}
	}
	sortLocatedIdx(events, idx)
	res.Entries = make([]TimelineEntry, 0, len(idx))
	type window struct{ earliest, latest time.Time }
	var prevWin window
	prev := -1 // entry of the previous placed event
	var prevPos geo.LatLon
	reachPerS := p.MaxSpeedKmh / 3.6
	for n, i := range idx {
		l := &events[i]
		e := TimelineEntry{
			Index: i, Source: l.Source, Sheet: l.Sheet, Row: l.Row,
			Start: l.Start, TimeFlag: l.TimeFlag, Type: l.Type, Direction: l.Direction, Other: l.Other, DurationS: l.DurationS,
			FirstCell: l.FirstCell, LastCell: l.LastCell, FirstRes: l.FirstRes, LastRes: l.LastRes,
			Handover: l.FirstCell != "" && l.LastCell != "" && l.FirstCell != l.LastCell,
		}
		if e.Handover {
			res.Handovers++
		}
		if n > 0 {
			before := &res.Entries[n-1]
			if s := int64(l.Start.Sub(before.Start) / time.Second); s > p.GapS {
				res.Gaps = append(res.Gaps, TimelineGap{After: n - 1, Before: n, From: before.Start, To: l.Start, Seconds: s})
			}
		}
		var c *cellsite.Cell
		win := window{l.Start, l.Start}
		switch {
		case l.FirstRes == Resolved:
			c, e.PlacedBy = &l.First, PlacedByFirst
		case l.LastRes == Resolved:
			c, e.PlacedBy = &l.Last, PlacedByLast
			if l.DurationS > 0 {
				win.latest = l.Start.Add(time.Duration(l.DurationS) * time.Second)
			}
		}
		switch l.TimeFlag {
		case "ambiguous":
			win.latest = win.latest.Add(time.Hour)
		case "impossible":
			win.earliest = win.earliest.Add(-time.Hour)
		}
		if e.PlacedBy != "" {
			e.Placed = true
			e.Cell, e.Site, e.Address, e.Lat, e.Lon = c.Key, c.Site, c.Address, c.Lat, c.Lon
			res.Placed++
			pos := geo.LatLon{Lat: c.Lat, Lon: c.Lon}
			if prev >= 0 && pos != prevPos {
				elapsed := max(win.latest.Sub(prevWin.earliest).Seconds(), 0)
				reach := reachPerS * elapsed
				// The geodesic distance is needed only when a generous
				// bound of it does not already show the movement feasible.
				if sphereBound(prevPos, pos)-2*p.radius() > reach {
					d := geo.Distance(prevPos, pos)
					if excess := d - 2*p.radius(); excess > reach {
						e.Infeasible = true
						res.Infeasible = append(res.Infeasible, TimelineMove{From: prev, To: n, DistanceM: d, ExcessM: excess, ElapsedS: elapsed, ReachM: reach})
					}
				}
			}
			prev, prevPos, prevWin = n, pos, win
		} else {
			res.Unplaced++
		}
		res.Entries = append(res.Entries, e)
	}
	return res
}

// sphereBound returns a distance in metres that is never less than the
// geodesic distance between a and b on the WGS84 ellipsoid: the
// great-circle distance on a sphere of the mean radius, which is within
// 0.6% of it, plus 2%.
func sphereBound(a, b geo.LatLon) float64 {
	const r = 6_371_008.8 * 1.02
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla, dlo := la2-la1, (b.Lon-a.Lon)*math.Pi/180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Sqrt(min(h, 1)))
}

// sortLocatedIdx orders indices of events as SortLocated orders events,
// leaving them alone when they already are in that order.
func sortLocatedIdx(events []Located, idx []int) {
	less := func(a, b int) bool { return eventBefore(&events[idx[a]].Event, &events[idx[b]].Event, idx[a], idx[b]) }
	if sort.SliceIsSorted(idx, less) {
		return
	}
	sort.SliceStable(idx, less)
}

// eventBefore is the order of every analysis: start time, then source,
// sheet and row, then position in the input.
func eventBefore(a, b *cellsite.Event, ia, ib int) bool {
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	if c := bytes.Compare(a.Source[:], b.Source[:]); c != 0 {
		return c < 0
	}
	if a.Sheet != b.Sheet {
		return a.Sheet < b.Sheet
	}
	if a.Row != b.Row {
		return a.Row < b.Row
	}
	return ia < ib
}

// sortEventIdx orders indices of events by eventBefore.
func sortEventIdx(events []cellsite.Event, idx []int) {
	less := func(a, b int) bool { return eventBefore(&events[idx[a]], &events[idx[b]], idx[a], idx[b]) }
	if sort.SliceIsSorted(idx, less) {
		return
	}
	sort.SliceStable(idx, less)
}
