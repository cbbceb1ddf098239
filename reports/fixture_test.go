package reports_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/reports"
	"github.com/cellsite/cellsite/templates"
)

// fixture is a small synthetic case: two phones moving around Leeds city
// centre, meeting once, served by six cells on three sites.
func fixture(t testing.TB) (reports.Input, []analysis.Located) {
	t.Helper()
	cdr := cellsite.Sum([]byte("cdr"))
	list := cellsite.Sum([]byte("cells"))
	mk := func(key, site string, lat, lon, az float64, row int) cellsite.Cell {
		return cellsite.Cell{Source: list, Row: row, Key: key, KeyRaw: key, Radio: "LTE", Site: site,
			Address: site + " Street, Leeds", Postcode: "LS1 4AP", Lat: lat, Lon: lon, AzimuthDeg: az, BeamwidthDeg: 65}
	}
	cells := []cellsite.Cell{
		mk("234-30-1000001", "Park Row", 53.7990, -1.5470, 0, 2),
		mk("234-30-1000002", "Park Row", 53.7990, -1.5470, 120, 3),
		mk("234-30-1000003", "Park Row", 53.7990, -1.5470, 240, 4),
		mk("234-30-1000011", "Kirkstall Rd", 53.8040, -1.5690, 30, 5),
		mk("234-30-1000012", "Kirkstall Rd", 53.8040, -1.5690, 270, 6),
		mk("234-30-1000021", "Hunslet", 53.7850, -1.5350, 180, 7),
	}
	ix := analysis.NewCellIndex(cells)
	start := time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC)
	var events []cellsite.Event
	add := func(target, other string, min int, cell string, row int, typ string) {
		events = append(events, cellsite.Event{Source: cdr, Row: row, Target: target, TargetRaw: target, Other: other, OtherKind: "msisdn", OtherRaw: other,
			Type: typ, Direction: "out", Start: start.Add(time.Duration(min) * time.Minute), StartRaw: "raw", TimeBasis: "uk-local",
			DurationS: 61, FirstCell: cell, FirstCellRaw: cell, LastCell: cell, IMEI: "356938035643809", IMSI: "234301234567890", Bytes: -1})
	}
	a, b := "+447700900001", "+447700900002"
	plan := []string{"234-30-1000011", "234-30-1000011", "234-30-1000001", "234-30-1000002", "234-30-1000002", "234-30-1000021"}
	for i, c := range plan {
		add(a, "=HYPERLINK(\"http://x\")", i*25, c, 2+i, "voice")
		add(b, a, i*25+3, plan[len(plan)-1-i], 40+i, "sms")
	}
	add(a, "", 200, "234-30-1000003", 20, "data")
	located, _ := analysis.Resolve(events, ix)
	sort.SliceStable(located, func(i, j int) bool {
		if located[i].Target != located[j].Target {
			return located[i].Target < located[j].Target
		}
		return located[i].Start.Before(located[j].Start)
	})
	co := analysis.Colocate(located, []string{a, b}, ix, analysis.ColocationParams{})
	ct := analysis.Contacts(events, nil, analysis.ContactParams{})
	at := analysis.Attribution(events, analysis.AttributionParams{})
	pa := analysis.PatternOfLife(located, a, analysis.PatternParams{})
	in := reports.Input{
		Header: reports.Header{
			Case: "OP-TEST-01", CaseTitle: "Fixture", Exhibit: "ABC/1", ProducedBy: "A. Analyst",
			ProducedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), TimeBasis: "UK local (Europe/London)",
			CellLists: []reports.CellListRef{{Name: "cells.csv", Date: "01/03/2026", SHA256: list}},
			Software:  "cellsite test", Checkpoint: reports.CheckpointRef{Size: 7, Note: "cellsite/test\n7\nAAAA\n\n— cellsite/test abc\n"},
			Fingerprint: "sha256:00",
		},
		Events: func(ctx context.Context, yield func(*analysis.Located) error) error {
			for i := range located {
				if err := yield(&located[i]); err != nil {
					return err
				}
			}
			return nil
		},
		Exhibits:    []reports.Exhibit{{N: 1, Source: cellsite.Source{Name: "cdr.csv", Kind: "cdr", SHA256: cdr}, Read: len(events), Accepted: len(events)}},
		Colocation:  &co,
		Contacts:    &ct,
		Attribution: &at,
		Patterns:    []analysis.Pattern{pa},
	}
	return in, located
}

func builtins(t testing.TB) *reports.Templates {
	t.Helper()
	ts, err := reports.LoadTemplates(templates.Schedules(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func schedulesOf(t testing.TB, p *reports.Prepared, ts *reports.Templates) []reports.ReportSchedule {
	var out []reports.ReportSchedule
	for _, name := range reports.StandardSchedules {
		tp, err := ts.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, reports.ReportSchedule{Schedule: p.Schedule(context.Background(), tp), Description: tp.Description, Limit: tp.PDFRows, Group: tp.Group})
	}
	return out
}

var _ = fmt.Sprint
