package casework

import (
	"context"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/reports"
	"github.com/cellsite/cellsite/store"
)

// CaseMaps are the maps of a case as its next pack would draw them.
type CaseMaps struct {
	Maps []reports.Map
	// LocalBasis says a source stated its times in UK local time.
	LocalBasis bool
	// Colocation is the ID of the co-location analysis the episode maps
	// come from (0 when the case has none).
	Colocation int64
}

// Maps returns the maps a pack of the case would draw, from the stored
// events, cell lists and latest co-location analysis: one per target,
// then one per co-location episode, events numbered as in the call
// schedule. It records nothing: reading maps is not a step of the case.
func (s *Service) Maps(ctx context.Context, ref string) (*CaseMaps, error) {
	cr, err := readCase(ctx, s, ref)
	if err != nil {
		return nil, err
	}
	out := &CaseMaps{}
	in := reports.Input{}
	if an, ok := cr.analyses["colocation"]; ok {
		if err := decodeResult(an, &in); err != nil {
			return nil, err
		}
		out.Colocation = an.ID
	}
	for i, src := range cr.sources {
		in.Exhibits = append(in.Exhibits, reports.Exhibit{N: i + 1, Source: src})
		if src.Kind == "cells" {
			in.Header.CellLists = append(in.Header.CellLists, reports.CellListRef{Name: src.Name, SHA256: src.SHA256})
		}
	}
	in.Events = caseEvents(s, ref, cr.cells)
	prep, err := reports.Prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	out.Maps, out.LocalBasis = prep.Maps(), prep.LocalBasis
	return out, nil
}

// caseEvents streams a case's events, repeats included, by target, each
// with its cells resolved at the event's time: the order the call schedule
// numbers them in.
func caseEvents(s *Service, ref string, cells []cellsite.Cell) func(ctx context.Context, yield func(*analysis.Located) error) error {
	ix := analysis.NewCellIndex(cells)
	return func(ctx context.Context, yield func(*analysis.Located) error) error {
		return s.DB.View(ctx, func(tx *store.Tx) error {
			var l analysis.Located
			return tx.Events(ctx, store.EventFilter{Case: ref, IncludeRepeated: true, ByTarget: true}, func(ev cellsite.Event, _ int64) error {
				l = analysis.Located{Event: ev}
				l.First, l.FirstRes = ix.Lookup(ev.FirstCell, ev.Start)
				l.Last, l.LastRes = ix.Lookup(ev.LastCell, ev.Start)
				return yield(&l)
			})
		})
	}
}
