package reports

import (
	"fmt"
	"sort"
)

// Maps returns the maps of a case's report: one per target over the map
// window, then one per co-location episode together, in the colocation
// schedule's order. Events carry their call-schedule row numbers.
func (p *Prepared) Maps() []Map {
	var out []Map
	targets := append([]string(nil), p.Targets...)
	sort.Strings(targets)
	for _, t := range targets {
		evs := p.TargetEvents[t]
		if len(evs) == 0 {
			continue
		}
		m := Map{
			Title:     "Timeline of " + t,
			Schedule:  "Call schedule",
			Targets:   []string{t},
			From:      evs[0].Start,
			To:        evs[len(evs)-1].Start,
			CellLists: p.In.Header.CellLists,
		}
		if n := p.Truncated[t]; n > 0 {
			m.Subtitle = fmt.Sprintf("The first %d events are drawn; %d later events are in the call schedule only (narrow the window with --map-from and --map-to).", len(evs), n)
		}
		cells := map[cellID]bool{}
		for _, e := range evs {
			m.Events = append(m.Events, MapEvent{N: e.N, Target: t, Time: e.Start, Type: e.Type, Cell: e.Cell.Key})
			id := cellID{e.Cell.Key, e.Cell.ValidFrom.UnixNano(), e.Cell.Source, e.Cell.Row}
			if !cells[id] {
				cells[id] = true
				m.Cells = append(m.Cells, e.Cell)
			}
		}
		out = append(out, m)
	}
	if c := p.In.Colocation; c != nil {
		rows := p.ColocationRows()
		for i := range c.Together {
			ep := &c.Together[i]
			m := Map{
				Title:     fmt.Sprintf("Co-location episode %d: %s and %s", i+1, ep.A, ep.B),
				Subtitle:  "Together on the basis " + colocationBasis(ep.Params) + "; closest masts " + fmt.Sprintf("%.0f m", ep.ClosestM),
				Schedule:  "Call schedule",
				Targets:   []string{ep.A, ep.B},
				From:      ep.Start,
				To:        ep.End,
				CellLists: p.In.Header.CellLists,
			}
			cells := map[cellID]bool{}
			for _, r := range rows {
				if r.Ep != ep {
					continue
				}
				m.Events = append(m.Events, MapEvent{N: r.N, Target: r.Target, Time: r.Event.Start, Type: "", Cell: r.Event.Cell})
				id := cellID{r.Cell.Key, r.Cell.ValidFrom.UnixNano(), r.Cell.Source, r.Cell.Row}
				if r.Cell.Key != "" && !cells[id] {
					cells[id] = true
					m.Cells = append(m.Cells, r.Cell)
				}
			}
			out = append(out, m)
		}
	}
	return out
}
