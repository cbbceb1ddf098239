package ingest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/google/go-cmp/cmp"
)

// parseCSV runs text through detection (or the named profile) and Parse.
func parseCSV(t *testing.T, kind, profile, file, text string, opt ingest.Options) (ingest.Summary, ingest.Batch) {
	t.Helper()
	ps := builtin(t)
	rr, err := ingest.NewCSVReader(strings.NewReader(text), ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sample []ingest.Row
	for {
		r, err := rr.Next()
		if err != nil {
			break
		}
		sample = append(sample, r.Clone())
	}
	var lay ingest.Layout
	if profile == "" {
		lay, err = ps.Detect(file, kind, "csv", sample)
	} else {
		p, _ := ps.Get(profile)
		lay, err = p.Locate(file, sample)
	}
	if err != nil {
		t.Fatal(err)
	}
	rr, _ = ingest.NewCSVReader(strings.NewReader(text), ingest.ReadOptions{})
	var all ingest.Batch
	opt.File = file
	sum, err := ingest.Parse(context.Background(), rr, lay, opt, func(b ingest.Batch) error {
		all.Events = append(all.Events, b.Events...)
		all.Cells = append(all.Cells, b.Cells...)
		all.Faults = append(all.Faults, b.Faults...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum, all
}

func TestParseCDR(t *testing.T) {
	text := "EE Law Enforcement Disclosure\n" +
		"Target MSISDN,Other Party,Call Type,Direction,Start Date,Start Time,Duration,First Cell ID,Last Cell ID,IMEI,IMSI\n" +
		"447700900123,07700900456,MOC,Outgoing,25/10/2026,01:30:00,0:01:10,234-30-129097582,234-30-129097583,35123456789012,234301234567890\n" +
		"447700900123,07700900456,MOC,Outgoing,25/10/2026,01:30:00,0:01:10,234-30-129097582,234-30-129097583,35123456789012,234301234567890\n" +
		"447700900123,07700900456,MOC,Outgoing,25/10/2026,01:30:00,0:02:00,234-30-129097582,,,\n" +
		"Target MSISDN,Other Party,Call Type,Direction,Start Date,Start Time,Duration,First Cell ID,Last Cell ID,IMEI,IMSI\n" +
		"447700900123,HSBC,SMS MT,Incoming,29/03/2026,01:15:00,,,,,\n" +
		"447700900123,447700900789,SMS MT,Incoming,31/02/2026,01:15:00,,,,,\n" +
		",447700900789,SMS MT,Incoming,01/03/2026,01:15:00,,,,,\n" +
		"447700900123,447700900789,TELEPORT,Incoming,01/07/2026,12:00:00,,1-2-3-4-5,,,\n" +
		"END OF REPORT\n"
	sum, got := parseCSV(t, "cdr", "", "ee.csv", text, ingest.Options{})
	want := ingest.Summary{Lines: 11, Banner: 1, Headers: 2, Footer: 1, Read: 7, Accepted: 4, Duplicates: 1, Rejected: 2}
	gotCounts := ingest.Summary{Lines: sum.Lines, Banner: sum.Banner, Headers: sum.Headers, Footer: sum.Footer, Read: sum.Read, Accepted: sum.Accepted, Duplicates: sum.Duplicates, Rejected: sum.Rejected}
	if diff := cmp.Diff(want, gotCounts); diff != "" {
		t.Errorf("accounting (-want +got):\n%s", diff)
	}
	if sum.RejectedBy["bad-time"] != 1 || sum.RejectedBy["no-target"] != 1 {
		t.Errorf("rejected by %v", sum.RejectedBy)
	}
	if sum.SplitCount != 1 || sum.SplitRecords[0].First != 3 || sum.SplitRecords[0].Row != 5 {
		t.Errorf("split records %d %+v, want rows 3 and 5", sum.SplitCount, sum.SplitRecords)
	}
	for _, w := range []string{"time-ambiguous", "time-impossible", "unknown-event-type", "bad-cell"} {
		if sum.Warnings[w] == 0 {
			t.Errorf("no %s warning: %v", w, sum.Warnings)
		}
	}
	e := got.Events[0]
	wantStart := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 01:30 BST, the first occurrence
	if e.Target != "+447700900123" || e.Other != "+447700900456" || e.Type != "voice" || e.Direction != "out" ||
		!e.Start.Equal(wantStart) || e.TimeFlag != "ambiguous" || e.StartRaw != "25/10/2026 01:30:00" ||
		e.DurationS != 70 || e.FirstCell != "234-30-129097582" || e.Row != 3 || e.TimeBasis != "uk-local" {
		t.Errorf("first event = %+v", e)
	}
	if dup := got.Events[1]; dup.DuplicateOf != 3 || dup.Row != 4 {
		t.Errorf("duplicate = row %d of %d", dup.Row, dup.DuplicateOf)
	}
	if sms := got.Events[3]; sms.Other != "HSBC" || sms.OtherKind != "alpha" || sms.TimeFlag != "impossible" || sms.FirstCell != "" {
		t.Errorf("sms = %+v", sms)
	}
	f := got.Faults[0]
	if f.Row != 8 || f.Column != "Start Date" || f.Code != "bad-time" || f.Value != "31/02/2026 01:15:00" {
		t.Errorf("fault = %+v", f)
	}
	if sum.Output.SHA256.IsZero() || sum.Output.Size == 0 {
		t.Error("no output digest")
	}
}

func TestParseDeterministic(t *testing.T) {
	text := "Target,Other Party,Event Type,Direction,Start (UTC),Duration (s),First Cell,Last Cell,IMEI,IMSI,APN,Bytes,Charging ID\n" +
		"+447700900123,+447700900456,voice,out,2026-03-01T10:00:00Z,30,234-30-129097582,,,,,,\n" +
		"+447700900123,,data,,2026-03-01T10:05:00Z,0,234-30-129097582,,,,internet,123456,CH1\n"
	a, _ := parseCSV(t, "cdr", "", "c.csv", text, ingest.Options{Source: cellsite.Sum([]byte(text))})
	b, _ := parseCSV(t, "cdr", "", "c.csv", text, ingest.Options{Source: cellsite.Sum([]byte(text))})
	if a.Output != b.Output {
		t.Errorf("same input, different output digests")
	}
	c, _ := parseCSV(t, "cdr", "", "c.csv", strings.Replace(text, "123456", "123457", 1), ingest.Options{Source: cellsite.Sum([]byte(text))})
	if a.Output.SHA256 == c.Output.SHA256 {
		t.Errorf("different events, same digest")
	}
}

func TestParseCells(t *testing.T) {
	text := "\"ECellID\",\"CellName\",\"Longitude\",\"Latitude\",\"PCI\",\"EARFCN\",\"Azimuth\"\n" +
		"129097582,\"Cuckfield Bypass | Cuckfield | RH17 5DP\",-0.1455683986639542,50.99957501073815,406,6400,277\n" +
		"129097583,\"Cuckfield Bypass | Cuckfield | RH17 5DP\",-0.1455683986639542,50.99957501073815,405,6400,360\n" +
		"129097584,\"Cuckfield Bypass | Cuckfield | RH17 5DP\",-0.1455683986639542,50.99957501073815,404,6400,400\n" +
		"129097585,\"Elsewhere | Town | BN1 1AA\",-0.14,50.83,1,6400,10\n" +
		"129097585,\"Elsewhere | Town | BN1 1AA\",-0.15,50.84,1,6400,10\n"
	sum, got := parseCSV(t, "cells", "", "nsg_23430_eutra.csv", text, ingest.Options{})
	if sum.Profile != "nsg-cells" || sum.Read != 5 || sum.Accepted != 4 || sum.Rejected != 1 || sum.RejectedBy["bad-azimuth"] != 1 {
		t.Fatalf("summary %+v", sum)
	}
	c := got.Cells[0]
	if c.Key != "234-30-129097582" || c.Radio != "LTE" || c.Postcode != "RH17 5DP" || c.AzimuthDeg != 277 || c.Omni {
		t.Errorf("cell = %+v", c)
	}
	if c.Easting < 500000 || c.Easting > 540000 || c.Northing < 120000 || c.Northing > 130000 {
		t.Errorf("grid position %.1f %.1f is not near Cuckfield", c.Easting, c.Northing)
	}
	if got.Cells[1].AzimuthDeg != 0 || sum.Warnings["azimuth-360"] != 1 {
		t.Errorf("azimuth 360: %v %v", got.Cells[1].AzimuthDeg, sum.Warnings)
	}
	if sum.Conflicts != 2 || !strings.Contains(strings.Join(got.Cells[3].Warnings, ","), "conflicting-records") {
		t.Errorf("conflicts %d, warnings %v", sum.Conflicts, got.Cells[3].Warnings)
	}
	// Without the network in the file name, the keys cannot be formed.
	sum, _ = parseCSV(t, "cells", "nsg-cells", "cells.csv", text, ingest.Options{})
	if sum.RejectedBy["no-network"] != 5 {
		t.Errorf("no network: %v", sum.RejectedBy)
	}
	sum, _ = parseCSV(t, "cells", "nsg-cells", "cells.csv", text, ingest.Options{Network: "234-15"})
	if sum.Accepted != 4 {
		t.Errorf("with --network: %+v", sum)
	}
}

func TestParseCellsOSGB(t *testing.T) {
	// An OS test point (TP... Brighton area) given on the grid.
	text := "CGI,Technology,Site Name,Site Address,Post Code,Easting,Northing,Azimuth,Beamwidth,Band,On Air Date,Off Air Date\n" +
		"234-30-1234-5678,GSM,BRIGHTON 1,1 Street,BN1 1AA,530000,105000,120,65,900,01/01/2020,01/01/2025\n" +
		"234-30-1234-5678,GSM,BRIGHTON 1B,2 Street,BN1 1AB,531000,105000,120,65,900,01/01/2025,\n"
	sum, got := parseCSV(t, "cells", "", "sites.csv", text, ingest.Options{})
	if sum.Profile != "operator-cells-osgb" || sum.Accepted != 2 || sum.Conflicts != 0 {
		t.Fatalf("summary %+v", sum)
	}
	a, b := got.Cells[0], got.Cells[1]
	if a.Lat < 50.7 || a.Lat > 50.9 || a.Lon > 0 || a.Lon < -0.2 || a.BeamwidthDeg != 65 || a.ValidTo.IsZero() || !b.ValidTo.IsZero() {
		t.Errorf("cells %+v %+v", a, b)
	}
	at := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	if !a.ValidAt(at) || b.ValidAt(at) {
		t.Errorf("validity: a %v b %v at %v", a.ValidAt(at), b.ValidAt(at), at)
	}
}
