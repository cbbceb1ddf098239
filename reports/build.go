package reports

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
)

// Input is everything a case's outputs draw from. The caller reads it from
// the store; the renderers never touch a database.
type Input struct {
	Header Header
	// Events calls yield for every event of the case, repeated rows
	// included, by target, then start, then source, sheet and row. It may
	// be called more than once (the schedules stream it again).
	Events      func(ctx context.Context, yield func(*analysis.Located) error) error
	Exhibits    []Exhibit // the originals, in the order received
	Colocation  *analysis.Colocation
	Patterns    []analysis.Pattern
	Contacts    *analysis.ContactResult
	Attribution *analysis.AttributionResult
	Leaves      []LeafRow // the leaves the outputs rest on, by index
	// MapEvents bounds the events drawn on one target's map [2000]; a
	// target with more gets its cells drawn without the route, and the map
	// says so.
	MapEvents int
	// MapFrom and MapTo, when set, limit the target maps to a window.
	MapFrom, MapTo time.Time
}

// Prepared is Input after one pass over the events: each event numbered as
// in the call schedule, the cells in use counted, and what the maps need.
type Prepared struct {
	In         Input
	EventCount int
	Repeats    int  // events that repeat an earlier row exactly
	Unplaced   int  // events (repeats aside) that no resolved cell places
	LocalBasis bool // a source stated its times in UK local time
	Targets    []string
	Cells      []CellRow // by key, then validity, then source row
	From, To   time.Time // first and last event
	// TargetEvents are each target's placed events in the map window,
	// numbered, up to MapEvents (Truncated counts the rest).
	TargetEvents map[string][]NumberedEvent
	Truncated    map[string]int
	// cellsByKey holds every cell record that placed an event, by key.
	cellsByKey map[string][]cellsite.Cell
	eventNo    map[eventRef]numbered
	sourceName map[cellsite.Hash]string
}

// NumberedEvent is a placed event with its call-schedule row number.
type NumberedEvent struct {
	N          int
	Target     string
	Start      time.Time
	Type       string
	Cell       cellsite.Cell // the cell that places it (Located.Where)
	AtOrBefore bool          // a data event: the cell was used at or before Start
}

type eventRef struct {
	source cellsite.Hash
	sheet  string
	row    int
}

type numbered struct {
	n    int
	cell cellsite.Cell
}

type cellID struct {
	key    string
	from   int64
	source cellsite.Hash
	row    int
}

// Prepare makes the pass over the events.
func Prepare(ctx context.Context, in Input) (*Prepared, error) {
	if in.MapEvents <= 0 {
		in.MapEvents = 2000
	}
	p := &Prepared{
		In:           in,
		TargetEvents: make(map[string][]NumberedEvent),
		Truncated:    make(map[string]int),
		cellsByKey:   make(map[string][]cellsite.Cell),
		eventNo:      make(map[eventRef]numbered),
		sourceName:   make(map[cellsite.Hash]string),
	}
	for _, x := range in.Exhibits {
		p.sourceName[x.Source.SHA256] = x.Source.Name
	}
	wanted := make(map[eventRef]bool)
	if c := in.Colocation; c != nil {
		for _, eps := range [][]analysis.ColocationEpisode{c.Together, c.Apart} {
			for _, ep := range eps {
				for _, evs := range [][]analysis.ColocationEvent{ep.EventsA, ep.EventsB} {
					for _, e := range evs {
						wanted[eventRef{e.Source, e.Sheet, e.Row}] = true
					}
				}
			}
		}
	}
	counts := make(map[cellID]*CellRow)
	count := func(c cellsite.Cell) {
		id := cellID{c.Key, c.ValidFrom.UnixNano(), c.Source, c.Row}
		r := counts[id]
		if r == nil {
			r = &CellRow{Cell: c, SourceName: p.sourceName[c.Source]}
			counts[id] = r
		}
		r.Events++
	}
	lastTarget := ""
	err := in.Events(ctx, func(l *analysis.Located) error {
		p.EventCount++
		n := p.EventCount
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if l.TimeBasis == "uk-local" {
			p.LocalBasis = true
		}
		if l.Target != lastTarget {
			p.Targets = append(p.Targets, l.Target)
			lastTarget = l.Target
		}
		if p.From.IsZero() || l.Start.Before(p.From) {
			p.From = l.Start
		}
		if l.Start.After(p.To) {
			p.To = l.Start
		}
		if l.FirstRes == analysis.Resolved {
			count(l.First)
		}
		if l.LastRes == analysis.Resolved && (l.FirstRes != analysis.Resolved || l.Last.Key != l.First.Key || l.Last.Row != l.First.Row) {
			count(l.Last)
		}
		c, placed := l.Where()
		if l.DuplicateOf != 0 {
			p.Repeats++
		} else if !placed {
			p.Unplaced++
		}
		if wanted[eventRef{l.Source, l.Sheet, l.Row}] && l.DuplicateOf == 0 {
			p.eventNo[eventRef{l.Source, l.Sheet, l.Row}] = numbered{n, c}
		}
		if placed && l.DuplicateOf == 0 && inWindow(l.Start, in.MapFrom, in.MapTo) {
			if len(p.TargetEvents[l.Target]) < in.MapEvents {
				p.TargetEvents[l.Target] = append(p.TargetEvents[l.Target], NumberedEvent{
					N: n, Target: l.Target, Start: l.Start, Type: l.Type, Cell: c, AtOrBefore: l.Type == "data",
				})
			} else {
				p.Truncated[l.Target]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range counts {
		p.Cells = append(p.Cells, *r)
		p.cellsByKey[r.Cell.Key] = append(p.cellsByKey[r.Cell.Key], r.Cell)
	}
	sort.Slice(p.Cells, func(i, j int) bool {
		a, b := p.Cells[i].Cell, p.Cells[j].Cell
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if !a.ValidFrom.Equal(b.ValidFrom) {
			return a.ValidFrom.Before(b.ValidFrom)
		}
		if a.Source != b.Source {
			return a.Source.String() < b.Source.String()
		}
		return a.Row < b.Row
	})
	return p, nil
}

func inWindow(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

// Schedule builds the schedule a template describes.
func (p *Prepared) Schedule(ctx context.Context, t *Template) Schedule {
	cols := p.columns(t)
	s := Schedule{Name: t.Sheet, Title: t.Title, Columns: cols, Caveats: t.Caveats}
	getters := make([]func(any) Value, len(cols))
	src := sources[t.Source]
	for i, c := range p.activeColumns(t) {
		getters[i] = src.fields[c.Field].get
	}
	emit := func(yield func([]Value) error, row any, buf []Value) error {
		for i, g := range getters {
			buf[i] = g(row)
		}
		return yield(buf)
	}
	if t.Source == "events" {
		s.RowCount = p.EventCount
		s.Rows = func(yield func([]Value) error) error {
			buf := make([]Value, len(cols))
			n := 0
			row := &EventRow{}
			return p.In.Events(ctx, func(l *analysis.Located) error {
				n++
				*row = EventRow{N: n, L: l, SourceName: p.sourceName[l.Source]}
				return emit(yield, row, buf)
			})
		}
		return s
	}
	rows := p.rows(t.Source)
	sortRows(rows, src, t.Sort)
	s.RowCount = len(rows)
	s.Rows = func(yield func([]Value) error) error {
		buf := make([]Value, len(cols))
		for _, r := range rows {
			if err := emit(yield, r, buf); err != nil {
				return err
			}
		}
		return nil
	}
	return s
}

// activeColumns returns the template's columns that apply to this case.
func (p *Prepared) activeColumns(t *Template) []TemplateColumn {
	var out []TemplateColumn
	for _, c := range t.Columns {
		if c.When == "local-basis" && !p.LocalBasis {
			continue
		}
		if c.When == "service-area" && (p.In.Colocation == nil || p.In.Colocation.Params.Basis != analysis.BasisServiceArea) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func (p *Prepared) columns(t *Template) []Column {
	src := sources[t.Source]
	var out []Column
	for _, c := range p.activeColumns(t) {
		f := src.fields[c.Field]
		col := Column{Header: c.Header, Field: c.Field, Width: c.Width, Format: f.format, Decimals: f.decimals}
		if col.Width == 0 {
			col.Width = f.width
		}
		if c.Decimals != nil {
			col.Decimals = *c.Decimals
		}
		col.NoPDF = c.PDF != nil && !*c.PDF
		if f.format == FormatDateTime {
			col.Zone = ZoneUTC
			if c.Zone == "uk-local" {
				col.Zone = ZoneUKLocal
			}
		}
		out = append(out, col)
	}
	return out
}

// rows returns the in-memory rows of a source, in the source's own order.
func (p *Prepared) rows(source string) []any {
	var out []any
	switch source {
	case "cells":
		for i := range p.Cells {
			out = append(out, &p.Cells[i])
		}
	case "colocation":
		for _, r := range p.ColocationRows() {
			out = append(out, r)
		}
	case "pattern":
		for i := range p.In.Patterns {
			pt := &p.In.Patterns[i]
			for _, w := range []struct {
				name  string
				cells []analysis.PatternCell
			}{{"all", pt.Cells}, {"night", pt.NightCells}, {"day", pt.DayCells}} {
				for k, c := range w.cells {
					cand := ""
					switch {
					case w.name == "night" && pt.Home.Found && c.Cell == pt.Home.Cell:
						cand = "home"
					case w.name == "day" && pt.Work.Found && c.Cell == pt.Work.Cell:
						cand = "work"
					}
					out = append(out, &PatternRow{Target: pt.Target, Window: w.name, Rank: k + 1, Cell: c, Candidate: cand, P: pt})
				}
			}
		}
	case "contacts":
		if c := p.In.Contacts; c != nil {
			common := make(map[string]int)
			for _, cc := range c.Common {
				common[cc.Other] = len(cc.Targets)
			}
			for _, tc := range c.Targets {
				for _, ct := range tc.Contacts {
					n := common[ct.Other]
					if n == 0 {
						n = 1
					}
					out = append(out, &ContactRow{Target: tc.Target, C: ct, Targets: n})
				}
			}
		}
	case "attribution":
		if a := p.In.Attribution; a != nil {
			shared := make(map[string][]string)
			for _, ids := range [][]analysis.SharedID{a.SharedHandsets, a.SharedSIMs} {
				for _, s := range ids {
					for _, u := range s.Users {
						shared[s.ID] = append(shared[s.ID], u.MSISDN)
					}
				}
			}
			others := func(id, self string) []string {
				var o []string
				for _, m := range shared[id] {
					if m != self && !contains(o, m) {
						o = append(o, m)
					}
				}
				return o
			}
			for _, s := range a.Subscribers {
				for _, h := range s.Handsets {
					out = append(out, &AttributionRow{MSISDN: s.MSISDN, What: "handset", Period: h, SharedWith: others(h.ID, s.MSISDN)})
				}
				for _, m := range s.SIMs {
					out = append(out, &AttributionRow{MSISDN: s.MSISDN, What: "SIM", Period: m, SharedWith: others(m.ID, s.MSISDN)})
				}
			}
		}
	case "exhibits":
		for i := range p.In.Exhibits {
			out = append(out, &p.In.Exhibits[i])
		}
	case "provenance":
		for i := range p.In.Leaves {
			out = append(out, &p.In.Leaves[i])
		}
	}
	return out
}

// ColocationRows returns the evidential events of every co-location
// episode, together episodes first, numbered from 1 in that order.
func (p *Prepared) ColocationRows() []*ColocationRow {
	c := p.In.Colocation
	if c == nil {
		return nil
	}
	var out []*ColocationRow
	no := 0
	for _, eps := range [][]analysis.ColocationEpisode{c.Together, c.Apart} {
		for i := range eps {
			ep := &eps[i]
			no++
			for _, side := range []struct {
				target string
				evs    []analysis.ColocationEvent
			}{{ep.A, ep.EventsA}, {ep.B, ep.EventsB}} {
				for _, e := range side.evs {
					nb := p.eventNo[eventRef{e.Source, e.Sheet, e.Row}]
					cell := nb.cell
					if cell.Key == "" {
						cell = p.cellAt(e.Cell, e.Start)
					}
					out = append(out, &ColocationRow{Episode: no, Ep: ep, Target: side.target, Event: e, N: nb.n, Cell: cell, SourceName: p.sourceName[e.Source]})
				}
			}
		}
	}
	return out
}

// cellAt returns the record of key valid at t among the cells in use.
func (p *Prepared) cellAt(key string, t time.Time) cellsite.Cell {
	for _, c := range p.cellsByKey[key] {
		if c.ValidAt(t) {
			return c
		}
	}
	return cellsite.Cell{Key: key}
}

// sortRows orders rows by the template's sort fields (stable, so rows
// equal on every field keep the source's order).
func sortRows(rows []any, src source, by []string) {
	if len(by) == 0 {
		return
	}
	type key struct {
		get  func(any) Value
		desc bool
	}
	keys := make([]key, len(by))
	for i, b := range by {
		keys[i] = key{src.fields[strings.TrimPrefix(b, "-")].get, strings.HasPrefix(b, "-")}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			c := compareValues(k.get(rows[i]), k.get(rows[j]))
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return false
	})
}

func compareValues(a, b Value) int {
	if a.Kind != b.Kind {
		if a.Kind < b.Kind {
			return -1
		}
		return 1
	}
	switch a.Kind {
	case TextKind:
		return strings.Compare(a.Text, b.Text)
	case IntKind:
		return cmp3(a.Int < b.Int, a.Int > b.Int)
	case FloatKind:
		return cmp3(a.Float < b.Float, a.Float > b.Float)
	case TimeKind:
		return a.Time.Compare(b.Time)
	}
	return 0
}

func cmp3(less, more bool) int {
	switch {
	case less:
		return -1
	case more:
		return 1
	}
	return 0
}
