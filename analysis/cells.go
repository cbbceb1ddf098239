package analysis

import (
	"sort"
	"time"

	"github.com/cellsite/cellsite"
)

// Resolution says how a cell identity at an instant resolved against a cell list.
type Resolution string

// The outcomes of a lookup.
const (
	Resolved        Resolution = "resolved"         // exactly one record valid then
	UnknownCell     Resolution = "unknown-cell"     // no record of this identity at all
	OutsideValidity Resolution = "outside-validity" // records exist, none valid at that time
	Conflicting     Resolution = "conflicting"      // several records valid then that disagree
	NoCell          Resolution = "no-cell"          // the event names no cell
)

// CellIndex answers "which record of cell K was valid at time T": cells are
// re-planned, so an identity can mean different masts in different periods.
type CellIndex struct {
	byKey map[string][]cellsite.Cell // each sorted by ValidFrom, then source row
}

// NewCellIndex indexes cell records.
func NewCellIndex(cells []cellsite.Cell) *CellIndex {
	ix := &CellIndex{byKey: make(map[string][]cellsite.Cell)}
	for _, c := range cells {
		ix.byKey[c.Key] = append(ix.byKey[c.Key], c)
	}
	for _, rs := range ix.byKey {
		sort.SliceStable(rs, func(i, j int) bool {
			if !rs[i].ValidFrom.Equal(rs[j].ValidFrom) {
				return rs[i].ValidFrom.Before(rs[j].ValidFrom)
			}
			if rs[i].Source != rs[j].Source {
				return rs[i].Source.String() < rs[j].Source.String()
			}
			return rs[i].Row < rs[j].Row
		})
	}
	return ix
}

// Len returns the number of distinct cell identities indexed.
func (ix *CellIndex) Len() int { return len(ix.byKey) }

// Lookup returns the record of key valid at t. With Conflicting, the first
// of the disagreeing records (in validity then source order) is returned
// and the others can be had from Records.
func (ix *CellIndex) Lookup(key string, t time.Time) (cellsite.Cell, Resolution) {
	if key == "" {
		return cellsite.Cell{}, NoCell
	}
	rs, ok := ix.byKey[key]
	if !ok {
		return cellsite.Cell{}, UnknownCell
	}
	var found []cellsite.Cell
	for _, c := range rs {
		if c.ValidAt(t) {
			found = append(found, c)
		}
	}
	switch {
	case len(found) == 0:
		return cellsite.Cell{}, OutsideValidity
	case len(found) == 1:
		return found[0], Resolved
	}
	for _, c := range found[1:] {
		if !samePlace(c, found[0]) {
			return found[0], Conflicting
		}
	}
	return found[0], Resolved // repeated records that agree
}

// Records returns every record of a cell identity.
func (ix *CellIndex) Records(key string) []cellsite.Cell { return ix.byKey[key] }

func samePlace(a, b cellsite.Cell) bool {
	const tol = 1e-6 // degrees, about 0.1 m
	d := func(x, y float64) bool { return x-y < tol && y-x < tol }
	return d(a.Lat, b.Lat) && d(a.Lon, b.Lon) && a.Omni == b.Omni && a.AzimuthDeg == b.AzimuthDeg
}
