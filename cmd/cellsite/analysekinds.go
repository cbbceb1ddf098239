package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite/analysis"
)

const utcLayout = "2006-01-02 15:04:05"

// ordinal returns n as an English ordinal: 1st, 2nd, 3rd, 4th, 11th...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(utcLayout)
}

// printers print each kind of analysis result for people.
var printers = map[string]func(w io.Writer, res any){
	"timeline": func(w io.Writer, res any) {
		for _, r := range res.([]analysis.TimelineResult) {
			fmt.Fprintf(w, "Timeline of %s: %d events (%d placed, %d not placed), %d handovers, %d gaps over %ds, %d infeasible moves\n",
				r.Target, len(r.Entries), r.Placed, r.Unplaced, r.Handovers, len(r.Gaps), r.Params.GapS, len(r.Infeasible))
			var rows [][]string
			for i, e := range r.Entries {
				if i == 40 {
					rows = append(rows, []string{"…", fmt.Sprintf("%d more (use --json)", len(r.Entries)-40)})
					break
				}
				flags := []string{}
				if e.Handover {
					flags = append(flags, "handover")
				}
				if e.Infeasible {
					flags = append(flags, "INFEASIBLE")
				}
				if e.TimeFlag != "" {
					flags = append(flags, "time "+e.TimeFlag)
				}
				rows = append(rows, []string{strconv.Itoa(i + 1), ts(e.Start), e.Type + "/" + e.Direction, e.Other, e.Cell, e.Site, strings.Join(flags, " ")})
			}
			table(w, "#\tSTART (UTC)\tTYPE\tOTHER PARTY\tCELL\tSITE\tFLAGS", rows)
			for _, m := range r.Infeasible {
				fmt.Fprintf(w, "  infeasible: entry %d to %d: %.0f m in %.0f s, %.0f m beyond reach\n", m.From+1, m.To+1, m.DistanceM, m.ElapsedS, m.ExcessM)
			}
			fmt.Fprintln(w)
		}
	},
	"colocation": func(w io.Writer, res any) {
		r := res.(analysis.Colocation)
		var basis string
		switch r.Params.Basis {
		case analysis.BasisCell:
			basis = "same cell"
		case analysis.BasisSite:
			basis = fmt.Sprintf("same site (masts within %.0f m)", analysis.SameSiteM)
		case analysis.BasisSector:
			basis = fmt.Sprintf("overlapping sectors of %.0f m radius", r.Params.SectorRadiusM)
		case analysis.BasisServiceArea:
			basis = fmt.Sprintf("overlapping service areas (%.0f° sectors reaching the %s nearest other mast of the cell's network, at most %.0f m, with a disc of %g of that radius about the mast)",
				r.Params.AreaWidthDeg, ordinal(r.Params.AreaNeighbour), r.Params.AreaMaxRadiusM, r.Params.AreaBackFraction)
		default:
			basis = fmt.Sprintf("masts within %.0f m", r.Params.DistanceM)
		}
		fmt.Fprintf(w, "Co-location: %s, events within %d s of each other; apart when masts are %.0f m or more apart\n", basis, r.Params.WindowS, r.Params.ApartM)
		for _, list := range []struct {
			name string
			eps  []analysis.ColocationEpisode
		}{{"Together", r.Together}, {"Apart", r.Apart}} {
			fmt.Fprintf(w, "\n%s: %d episodes\n", list.name, len(list.eps))
			var rows [][]string
			for i, e := range list.eps {
				rows = append(rows, []string{strconv.Itoa(i + 1), e.A, e.B, ts(e.Start), ts(e.End), strconv.Itoa(len(e.EventsA)) + "+" + strconv.Itoa(len(e.EventsB)), fmt.Sprintf("%.0f", e.ClosestM)})
			}
			table(w, "#\tTARGET A\tTARGET B\tFROM (UTC)\tTO (UTC)\tEVENTS\tCLOSEST SITES (m)", rows)
		}
		if r.Params.Basis == analysis.BasisServiceArea {
			fmt.Fprintln(w, "\nEach cell's service area is modelled from the spacing of its network's masts in the case's cell lists (each event's radius is in the result, --json, and on the co-location schedule): a list holding only the cells in the records overstates the radii, giving more episodes, not fewer.")
		}
		fmt.Fprintln(w, "\nA serving cell shows that a phone was in that cell's service area, not at the mast: phones found together used cells whose areas may overlap, which does not by itself show that they met.")
	},
	"pattern": func(w io.Writer, res any) {
		for _, r := range res.([]analysis.Pattern) {
			fmt.Fprintf(w, "Pattern of life of %s: %d events (%d placed)\n", r.Target, r.Events, r.Placed)
			cand := func(name string, c analysis.PatternCandidate) {
				if !c.Found {
					fmt.Fprintf(w, "  %s: no candidate\n", name)
					return
				}
				fmt.Fprintf(w, "  candidate %s cell: %s %s %s (%d of %d events, %.0f%%)\n", name, c.Cell, c.Site, c.Postcode, c.Count, c.Of, 100*c.Share)
			}
			cand("home", r.Home)
			cand("work", r.Work)
			var rows [][]string
			for i, c := range r.Cells {
				if i == 10 {
					break
				}
				rows = append(rows, []string{strconv.Itoa(i + 1), c.Cell, c.Site, c.Postcode, strconv.Itoa(c.Count), fmt.Sprintf("%.0f%%", 100*c.Share)})
			}
			table(w, "#\tCELL\tSITE\tPOSTCODE\tEVENTS\tSHARE", rows)
			fmt.Fprintln(w, "  Home and work are candidates from counts, not findings.")
			fmt.Fprintln(w)
		}
	},
	"contacts": func(w io.Writer, res any) {
		r := res.(analysis.ContactResult)
		for _, tc := range r.Targets {
			fmt.Fprintf(w, "Contacts of %s: %d events, %d contacts, %d withheld\n", tc.Target, tc.Events, len(tc.Contacts), tc.Withheld)
			var rows [][]string
			for i, c := range tc.Contacts {
				if i == 10 {
					break
				}
				rows = append(rows, []string{strconv.Itoa(i + 1), c.Other, strconv.Itoa(c.Count), strconv.FormatInt(c.DurationS, 10), ts(c.First), ts(c.Last)})
			}
			table(w, "#\tOTHER PARTY\tEVENTS\tSECONDS\tFIRST (UTC)\tLAST (UTC)", rows)
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "Common contacts: %d\n", len(r.Common))
		for _, c := range r.Common {
			var ts []string
			for _, t := range c.Targets {
				ts = append(ts, t.Target)
			}
			fmt.Fprintf(w, "  %s: %d events with %s\n", c.Other, c.Count, strings.Join(ts, ", "))
		}
		fmt.Fprintf(w, "Call chains: %d\n", len(r.Chains))
		for _, ch := range r.Chains {
			var ls []string
			for _, l := range ch.Links {
				ls = append(ls, fmt.Sprintf("%s→%s at %s", l.From, l.To, ts(l.Start)))
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(ls, ", then "))
		}
	},
	"attribution": func(w io.Writer, res any) {
		r := res.(analysis.AttributionResult)
		printAttribution(w, r)
	},
	"sessions": func(w io.Writer, res any) {
		ss := res.([]analysis.Session)
		fmt.Fprintf(w, "Data sessions: %d\n", len(ss))
		var rows [][]string
		for i, s := range ss {
			if i == 40 {
				rows = append(rows, []string{"…", fmt.Sprintf("%d more (use --json)", len(ss)-40)})
				break
			}
			var cells []string
			for _, c := range s.Cells {
				cells = append(cells, c.Cell)
			}
			rows = append(rows, []string{strconv.Itoa(i + 1), s.Target, s.ChargingID, ts(s.First), ts(s.Last), strconv.Itoa(s.Records), strconv.FormatInt(s.Bytes, 10), strings.Join(cells, " ")})
		}
		table(w, "#\tTARGET\tCHARGING ID\tFIRST (UTC)\tLAST (UTC)\tRECORDS\tBYTES\tCELLS", rows)
		fmt.Fprintln(w, "A data record means the phone used the cell at or before the record's start time.")
	},
	"towerdump": func(w io.Writer, res any) {
		r := res.([]analysis.CommonNumber)
		fmt.Fprintf(w, "Numbers seen at the scenes: %d\n", len(r))
		var rows [][]string
		for _, n := range r {
			var names []string
			for _, s := range n.Scenes {
				names = append(names, fmt.Sprintf("%s (%d)", s.Name, len(s.Events)))
			}
			rows = append(rows, []string{n.Number, strconv.Itoa(len(n.Scenes)), strings.Join(names, ", ")})
		}
		table(w, "NUMBER\tSCENES\tWHERE (EVENTS)", rows)
	},
}

func printAttribution(w io.Writer, r analysis.AttributionResult) {
	for _, sub := range r.Subscribers {
		fmt.Fprintf(w, "%s: %d events, %d handsets, %d SIMs\n", sub.MSISDN, sub.Events, len(sub.Handsets), len(sub.SIMs))
		var rows [][]string
		for _, h := range sub.Handsets {
			rows = append(rows, []string{"handset", h.ID, ts(h.First), ts(h.Last), strconv.Itoa(h.Events)})
		}
		for _, s := range sub.SIMs {
			rows = append(rows, []string{"SIM", s.ID, ts(s.First), ts(s.Last), strconv.Itoa(s.Events)})
		}
		table(w, "  \tID\tFIRST (UTC)\tLAST (UTC)\tEVENTS", rows)
		for _, c := range sub.HandsetSwaps {
			fmt.Fprintf(w, "  handset swap: %s → %s between %s and %s\n", c.From, c.To, ts(c.LastBefore), ts(c.FirstAfter))
		}
		for _, c := range sub.SIMChanges {
			fmt.Fprintf(w, "  SIM change: %s → %s between %s and %s\n", c.From, c.To, ts(c.LastBefore), ts(c.FirstAfter))
		}
	}
	fmt.Fprintf(w, "\nHandsets used by more than one number: %d\n", len(r.SharedHandsets))
	for _, sh := range r.SharedHandsets {
		var us []string
		for _, u := range sh.Users {
			us = append(us, fmt.Sprintf("%s (%s to %s)", u.MSISDN, ts(u.First), ts(u.Last)))
		}
		fmt.Fprintf(w, "  %s: %s\n", sh.ID, strings.Join(us, "; "))
	}
	fmt.Fprintln(w, "An IMEI identifies a handset, not its user.")
}
