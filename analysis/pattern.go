package analysis

import (
	"math"
	"sort"
	"time"
	_ "time/tzdata" // Europe/London's rules even where the system has no zoneinfo

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// ukTime is Europe/London, loaded once.
var ukTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("analysis: loading Europe/London: " + err.Error()) // time/tzdata is linked in
	}
	return loc
}()

// PatternParams choose the hours of a pattern of life, in UK local time
// (Europe/London: GMT in winter, BST in summer). Hours are whole hours of
// the clock from 1 to 24, where 24 is midnight (0 selects the default). A
// window runs from its first hour up to, not including, its last; a window
// whose last hour is earlier than its first runs through midnight; one
// whose hours are equal is the whole day. A zero field takes its default
// (see Defaults).
type PatternParams struct {
	NightFrom int `json:"night_from"` // default 22 (22:00)
	NightTo   int `json:"night_to"`   // default 6 (06:00)
	DayFrom   int `json:"day_from"`   // default 9 (09:00), Monday to Friday
	DayTo     int `json:"day_to"`     // default 17 (17:00)
	// TopCells is how many cells each ranking lists. Default 10; a
	// negative value lists every cell.
	TopCells int `json:"top_cells"`
	// SameSiteM is how close two masts are, in metres, to count as one
	// site when the work candidate excludes the home candidate's site.
	// Default 50.
	SameSiteM float64 `json:"same_site_m"`
}

// Defaults returns p with every zero field set to its default.
func (p PatternParams) Defaults() PatternParams {
	if p.NightFrom == 0 {
		p.NightFrom = 22
	}
	if p.NightTo == 0 {
		p.NightTo = 6
	}
	if p.DayFrom == 0 {
		p.DayFrom = 9
	}
	if p.DayTo == 0 {
		p.DayTo = 17
	}
	if p.TopCells == 0 {
		p.TopCells = 10
	}
	if p.SameSiteM == 0 {
		p.SameSiteM = 50
	}
	return p
}

// inHours reports whether local hour h (0-23) lies in the window [from, to)
// of clock hours 1-24.
func inHours(h, from, to int) bool {
	from, to = from%24, to%24
	if from <= to {
		return from == to || (h >= from && h < to)
	}
	return h >= from || h < to
}

// PatternCell is a cell of a pattern of life and how many of the target's
// events it placed in a window.
type PatternCell struct {
	Cell     string  `json:"cell"` // canonical key
	Site     string  `json:"site"`
	Address  string  `json:"address"`
	Postcode string  `json:"postcode"`
	Lat      float64 `json:"lat"` // mast position
	Lon      float64 `json:"lon"`
	Count    int     `json:"count"` // events placed by the cell in the window
	// Share is Count over the placed events of the window, from 0 to 1.
	Share float64 `json:"share"`
}

// PatternCandidate is a candidate place (home or work) of a pattern of
// life: the cell most used in a window, with its support. It is a lead for
// the analyst, not a finding.
type PatternCandidate struct {
	Found bool `json:"found"` // false when the window has no placed event
	PatternCell
	Of int `json:"of"` // placed events of the window considered
}

// Pattern is a target's pattern of life: when it is active, by hour of the
// day and day of the week in UK local time, which cells serve it, at night
// and by day, and the candidate home and work cells.
type Pattern struct {
	Target string        `json:"target"`
	Params PatternParams `json:"params"`

	Events   int `json:"events"`   // the target's events counted
	Placed   int `json:"placed"`   // of which placed by a resolved cell
	Unplaced int `json:"unplaced"` // of which not placed
	// Events whose UK local time was ambiguous or impossible as written
	// (see Event.TimeFlag); they are counted at the local hour of the
	// instant ingested.
	Ambiguous  int `json:"ambiguous"`
	Impossible int `json:"impossible"`

	// ByHour counts events by day of the week (0 Monday to 6 Sunday) and
	// hour of the UK local clock (0-23).
	ByHour [7][24]int `json:"by_hour"`

	Night int `json:"night"` // events in the night window, placed or not
	Day   int `json:"day"`   // events in the weekday daytime window

	// Cells ranks the cells that placed the target's events, overall, at
	// night and on weekdays by day: most events first, then by key and
	// position. Each lists at most TopCells.
	Cells      []PatternCell `json:"cells"`
	NightCells []PatternCell `json:"night_cells"`
	DayCells   []PatternCell `json:"day_cells"`

	// Home is the cell that placed most night events. Work is the cell
	// that placed most weekday daytime events among those whose masts are
	// more than SameSiteM from the home cell's.
	Home PatternCandidate `json:"home"`
	Work PatternCandidate `json:"work"`
}

// patternKey identifies a cell record: a key at a mast position.
type patternKey struct {
	key      string
	lat, lon float64
}

// patternCount is one cell's events overall, at night and by day.
type patternCount struct {
	cell            PatternCell
	all, night, day int
}

// patternRanked returns the cells with a count in a window, most events
// first, then by key, latitude and longitude, with their shares of placed,
// the placed events of the window.
func patternRanked(counts []*patternCount, count func(*patternCount) int, placed int) []PatternCell {
	out := []PatternCell{}
	for _, pc := range counts {
		if n := count(pc); n > 0 {
			c := pc.cell
			c.Count, c.Share = n, float64(n)/float64(placed)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Cell != b.Cell {
			return a.Cell < b.Cell
		}
		if a.Lat != b.Lat {
			return a.Lat < b.Lat
		}
		return a.Lon < b.Lon
	})
	return out
}

func topPatternCells(cs []PatternCell, n int) []PatternCell {
	if n >= 0 && len(cs) > n {
		cs = cs[:n]
	}
	return append([]PatternCell{}, cs...)
}

// PatternOfLife returns the target's pattern of life: its events counted by
// day of the week and hour of the UK local clock; the cells that placed
// them (by Located.Where: the first cell, else the last) overall, at night
// (NightFrom to NightTo, every day) and by day (DayFrom to DayTo, Monday to
// Friday, the day being the local date of the event); the candidate home
// cell (most night events) and work cell (most weekday daytime events,
// leaving out cells within SameSiteM of the home cell's mast), each with
// its support and share. Ties are broken by cell key, then mast position.
// Exact duplicates (DuplicateOf != 0) are left out.
func PatternOfLife(events []Located, target string, p PatternParams) Pattern {
	p = p.Defaults()
	res := Pattern{Target: target, Params: p}
	byKey := map[patternKey]*patternCount{}
	var counts []*patternCount // in order of first use
	var last *patternCount
	var lastKey patternKey
	nightPlaced, dayPlaced := 0, 0
	// UK clocks differ from UTC by whole hours, so the local day and hour
	// are the same throughout each UTC hour: work them out once per hour.
	hourKey, wd, h := int64(math.MinInt64), 0, 0
	for i := range events {
		l := &events[i]
		if l.Target != target || l.DuplicateOf != 0 {
			continue
		}
		res.Events++
		switch l.TimeFlag {
		case "ambiguous":
			res.Ambiguous++
		case "impossible":
			res.Impossible++
		}
		u := l.Start.Unix()
		if hk := u / 3600; u < 0 || hk != hourKey {
			t := l.Start.In(ukTime)
			h, wd = t.Hour(), (int(t.Weekday())+6)%7 // Monday 0
			hourKey = math.MinInt64
			if _, off := t.Zone(); off%3600 == 0 && u >= 0 {
				hourKey = hk
			}
		}
		res.ByHour[wd][h]++
		isNight := inHours(h, p.NightFrom, p.NightTo)
		isDay := wd < 5 && inHours(h, p.DayFrom, p.DayTo)
		if isNight {
			res.Night++
		}
		if isDay {
			res.Day++
		}
		var c *cellsite.Cell
		switch {
		case l.FirstRes == Resolved:
			c = &l.First
		case l.LastRes == Resolved:
			c = &l.Last
		default:
			res.Unplaced++
			continue
		}
		res.Placed++
		k := patternKey{c.Key, c.Lat, c.Lon}
		if last == nil || k != lastKey {
			last = byKey[k]
			if last == nil {
				last = &patternCount{cell: PatternCell{Cell: c.Key, Site: c.Site, Address: c.Address, Postcode: c.Postcode, Lat: c.Lat, Lon: c.Lon}}
				byKey[k] = last
				counts = append(counts, last)
			}
			lastKey = k
		}
		last.all++
		if isNight {
			last.night++
			nightPlaced++
		}
		if isDay {
			last.day++
			dayPlaced++
		}
	}
	nightRanked := patternRanked(counts, func(c *patternCount) int { return c.night }, nightPlaced)
	dayRanked := patternRanked(counts, func(c *patternCount) int { return c.day }, dayPlaced)
	res.Cells = topPatternCells(patternRanked(counts, func(c *patternCount) int { return c.all }, res.Placed), p.TopCells)
	res.NightCells = topPatternCells(nightRanked, p.TopCells)
	res.DayCells = topPatternCells(dayRanked, p.TopCells)
	if len(nightRanked) > 0 {
		res.Home = PatternCandidate{Found: true, PatternCell: nightRanked[0], Of: nightPlaced}
	}
	for _, c := range dayRanked {
		if res.Home.Found && geo.Distance(geo.LatLon{Lat: c.Lat, Lon: c.Lon}, geo.LatLon{Lat: res.Home.Lat, Lon: res.Home.Lon}) <= p.SameSiteM {
			continue
		}
		res.Work = PatternCandidate{Found: true, PatternCell: c, Of: dayPlaced}
		break
	}
	return res
}
