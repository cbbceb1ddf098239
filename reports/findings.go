package reports

import (
	"fmt"
	"strings"

	"github.com/cellsite/cellsite/analysis"
)

// GeneralCaveats are printed in every report before each schedule's own.
var GeneralCaveats = []string{
	"A serving cell shows that a phone was within that cell's service area when the record was made, not where in that area it was. Service areas overlap, change with network load, terrain and buildings, and can extend several kilometres. Maps show each cell's direction (azimuth) and nominal beamwidth, not its coverage.",
	"Data records show that the phone used the cell at or before the start time shown, not necessarily at it: operators record data sessions when they are opened or updated.",
	"Operators' records are evidence of the network's view of the phone, not of who was using it. Attribution of a phone to a person rests on other evidence.",
	"Times are shown to the second in the zone named in each column heading. Where an operator stated UK local time, the time in the hour repeated when summer time ends is ambiguous and is flagged; both UTC and UK local columns are given.",
	"Every event of the originals received is accounted for: rows accepted, exact repeats (kept and marked) and rows rejected with their reasons. Nothing is dropped without record.",
}

// CoverCounts are the figures on the report's cover.
func CoverCounts(p *Prepared) [][2]string {
	cdr, lists := 0, 0
	rejected := 0
	for _, x := range p.In.Exhibits {
		if x.Source.Kind == "cells" {
			lists++
		} else {
			cdr++
		}
		rejected += x.Rejected
	}
	return [][2]string{
		{"Targets", fmt.Sprintf("%d (%s)", len(p.Targets), strings.Join(p.Targets, ", "))},
		{"Events", fmt.Sprintf("%d, of which %d exact repeats kept and marked; %d rows rejected at ingest", p.EventCount, p.Repeats, rejected)},
		{"Originals", fmt.Sprintf("%d operator files and %d cell lists", cdr, lists)},
		{"Cell records used", fmt.Sprintf("%d", len(p.Cells))},
	}
}

// Findings states what the records and the analyses show, one paragraph
// each, for the report's summary. Each says which schedule holds the
// detail.
func Findings(p *Prepared) []string {
	var out []string
	placed := p.EventCount - p.Repeats - p.Unplaced
	out = append(out, fmt.Sprintf("The records hold %d events of %d target(s) between %s and %s (call schedule). %d of the %d distinct events were placed by a cell in the cell lists received; %d could not be placed (no cell given, or a cell not listed at the time).",
		p.EventCount, len(p.Targets), FormatInstant(p.From, ZoneUTC), FormatInstant(p.To, ZoneUTC), placed, p.EventCount-p.Repeats, p.Unplaced))
	if c := p.In.Colocation; c != nil {
		pairs := map[string][2]int{}
		var order []string
		for _, ep := range c.Together {
			k := ep.A + " and " + ep.B
			if _, ok := pairs[k]; !ok {
				order = append(order, k)
			}
			v := pairs[k]
			v[0]++
			pairs[k] = v
		}
		for _, ep := range c.Apart {
			k := ep.A + " and " + ep.B
			if _, ok := pairs[k]; !ok {
				order = append(order, k)
			}
			v := pairs[k]
			v[1]++
			pairs[k] = v
		}
		basis := colocationBasis(c.Params)
		if len(order) == 0 {
			out = append(out, fmt.Sprintf("Co-location (%s): no episodes together or apart were found among %s.", basis, strings.Join(c.Targets, ", ")))
		}
		together := "used the same or nearby cells"
		switch c.Params.Basis {
		case analysis.BasisSector, analysis.BasisServiceArea:
			together = "used cells whose modelled service areas overlap"
		}
		for _, k := range order {
			v := pairs[k]
			out = append(out, fmt.Sprintf("Co-location of %s (%s): %d episode(s) when their phones %s, and %d when they were at masts far apart (co-location schedule and maps).", k, basis, v[0], together, v[1]))
		}
	} else {
		out = append(out, "No co-location analysis had been run when this report was produced.")
	}
	for _, pt := range p.In.Patterns {
		if !pt.Home.Found && !pt.Work.Found {
			continue
		}
		s := fmt.Sprintf("Pattern of life of %s: ", pt.Target)
		var parts []string
		if pt.Home.Found {
			parts = append(parts, fmt.Sprintf("the cell most used at night was %s (%s), %d of %d night events", pt.Home.Cell, joinNonEmpty(", ", pt.Home.Address, pt.Home.Postcode), pt.Home.Count, pt.Home.Of))
		}
		if pt.Work.Found {
			parts = append(parts, fmt.Sprintf("on weekdays by day %s (%s), %d of %d", pt.Work.Cell, joinNonEmpty(", ", pt.Work.Address, pt.Work.Postcode), pt.Work.Count, pt.Work.Of))
		}
		out = append(out, s+strings.Join(parts, "; ")+". These are leads, not findings of where the user lived or worked (pattern-of-life schedule).")
	}
	if a := p.In.Attribution; a != nil {
		for _, sub := range a.Subscribers {
			if len(sub.HandsetSwaps) == 0 && len(sub.SIMChanges) == 0 {
				continue
			}
			out = append(out, fmt.Sprintf("%s was recorded with %d handset(s) and %d SIM(s): %d handset change(s) and %d SIM change(s) (attribution schedule).",
				sub.MSISDN, len(sub.Handsets), len(sub.SIMs), len(sub.HandsetSwaps), len(sub.SIMChanges)))
		}
		for _, sh := range a.SharedHandsets {
			var users []string
			for _, u := range sh.Users {
				users = append(users, u.MSISDN)
			}
			out = append(out, fmt.Sprintf("Handset %s was recorded under %s (attribution schedule).", sh.ID, strings.Join(users, " and ")))
		}
	}
	if c := p.In.Contacts; c != nil {
		if n := len(c.Common); n > 0 {
			out = append(out, fmt.Sprintf("%d other part(ies) were in contact with two or more targets (contact schedule).", n))
		}
		if n := len(c.Chains); n > 0 {
			out = append(out, fmt.Sprintf("%d call chain(s) link calls between targets within the window of %d s.", n, c.Params.WindowS))
		}
	}
	return out
}
