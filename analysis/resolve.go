package analysis

import (
	"sort"

	"github.com/cellsite/cellsite"
)

// Located is an event with its first and last cells resolved against a cell
// list at the event's time.
type Located struct {
	cellsite.Event
	First    cellsite.Cell `json:"first"`
	FirstRes Resolution    `json:"first_resolution"`
	Last     cellsite.Cell `json:"last"`
	LastRes  Resolution    `json:"last_resolution"`
}

// Where returns the cell that best places the event: the first cell when it
// resolved, else the last; ok is false when neither did.
func (l *Located) Where() (cellsite.Cell, bool) {
	if l.FirstRes == Resolved {
		return l.First, true
	}
	if l.LastRes == Resolved {
		return l.Last, true
	}
	return cellsite.Cell{}, false
}

// Unresolved is an event cell that could not be resolved, with the reason.
type Unresolved struct {
	Source cellsite.Hash `json:"source"`
	Sheet  string        `json:"sheet,omitempty"`
	Row    int           `json:"row"`
	Which  string        `json:"which"` // first or last
	Cell   string        `json:"cell"`
	Reason Resolution    `json:"reason"`
}

// Resolve resolves each event's first and last cell to the record valid at
// the event's start. Exact duplicates (DuplicateOf != 0) are left out: the
// first occurrence stands for them. The result is in time order (then source,
// sheet and row), and lists every cell that did not resolve, with its reason;
// events that name no cell are not listed.
func Resolve(events []cellsite.Event, ix *CellIndex) ([]Located, []Unresolved) {
	out := make([]Located, 0, len(events))
	var bad []Unresolved
	for _, e := range events {
		if e.DuplicateOf != 0 {
			continue
		}
		l := Located{Event: e}
		l.First, l.FirstRes = ix.Lookup(e.FirstCell, e.Start)
		l.Last, l.LastRes = ix.Lookup(e.LastCell, e.Start)
		for _, u := range []struct {
			which, key string
			res        Resolution
		}{{"first", e.FirstCell, l.FirstRes}, {"last", e.LastCell, l.LastRes}} {
			if u.res != Resolved && u.res != NoCell {
				bad = append(bad, Unresolved{Source: e.Source, Sheet: e.Sheet, Row: e.Row, Which: u.which, Cell: u.key, Reason: u.res})
			}
		}
		out = append(out, l)
	}
	SortLocated(out)
	return out, bad
}

// SortLocated orders events by start time, then source, sheet and row: the
// order every analysis uses, so that the same input gives the same output.
func SortLocated(ls []Located) {
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := &ls[i], &ls[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.Source != b.Source {
			return a.Source.String() < b.Source.String()
		}
		if a.Sheet != b.Sheet {
			return a.Sheet < b.Sheet
		}
		return a.Row < b.Row
	})
}
