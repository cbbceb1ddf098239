package ingest_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
)

func rows(lines ...[]string) []ingest.Row {
	out := make([]ingest.Row, len(lines))
	for i, l := range lines {
		out[i] = ingest.Row{Number: i + 1, Fields: l}
	}
	return out
}

func TestDetect(t *testing.T) {
	ps := builtin(t)
	tests := []struct {
		name    string
		kind    string
		sample  []ingest.Row
		want    string
		header  int
		wantErr string
	}{
		{"ee with banner", "cdr", rows(
			[]string{"EE Law Enforcement Disclosure"},
			[]string{"Target: 07700900123"},
			[]string{},
			[]string{"Target MSISDN", "Other Party", "Call Type", "Direction", "Start Date", "Start Time", "Duration", "First Cell ID", "Last Cell ID", "IMEI", "IMSI"},
			[]string{"447700900123", "447700900456", "MOC", "Outgoing", "01/03/2026", "10:00:00", "0:01:10", "234-30-1-2", "", "", ""},
		), "ee-cdr", 4, ""},
		{"header case and spacing differ", "cdr", rows(
			[]string{"  subscriber msisdn ", "B PARTY", "record   type", "EVENT START (UTC)"},
		), "vodafone-cdr", 1, ""},
		{"canonical", "cdr", rows(
			[]string{"Target", "Other Party", "Event Type", "Direction", "Start (UTC)", "Duration (s)", "First Cell", "Last Cell", "IMEI", "IMSI", "APN", "Bytes", "Charging ID"},
		), "cellsite-cdr", 1, ""},
		{"nsg cells", "cells", rows(
			[]string{"ECellID", "CellName", "Longitude", "Latitude", "PCI", "EARFCN", "Azimuth"},
		), "nsg-cells", 1, ""},
		{"opencellid headerless", "cells", rows(
			[]string{"LTE", "234", "30", "1234", "129097582", "0", "-0.14", "50.99", "1000", "5", "1", "1459814306", "1741057142", "0"},
			[]string{"GSM", "234", "10", "21574", "33452", "0", "-1.12", "52.31", "1278", "23", "1", "1459814306", "1741057142", "0"},
		), "opencellid", 0, ""},
		{"unknown layout", "cdr", rows(
			[]string{"Caller", "Callee", "When", "Where"},
		), "", 0, "no profile fits calls.csv; best candidates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lay, err := ps.Detect("calls.csv", tt.kind, "csv", tt.sample)
			if tt.wantErr != "" {
				var de *ingest.DetectError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &de) || cellsite.KindOf(err) != cellsite.Invalid {
					t.Fatalf("Detect() err = %v, want Invalid DetectError containing %q", err, tt.wantErr)
				}
				if len(de.Candidates) == 0 || !strings.Contains(err.Error(), "missing") {
					t.Errorf("error does not name candidates and what they missed: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if lay.Profile.Name != tt.want || lay.HeaderRow != tt.header {
				t.Errorf("Detect() = %s at row %d, want %s at row %d", lay.Profile.Name, lay.HeaderRow, tt.want, tt.header)
			}
		})
	}
}

func TestDetectAmbiguous(t *testing.T) {
	twin := func(name string) string {
		return `name = "` + name + `"
version = "1"
kind = "cdr"
time_basis = "utc"
time_formats = ["2006-01-02 15:04:05"]
required = ["target", "start"]
[columns]
target = ["Number"]
start = ["Time"]
`
	}
	ps, err := ingest.LoadProfiles(fstest.MapFS{"a.toml": {Data: []byte(twin("twin-a"))}, "b.toml": {Data: []byte(twin("twin-b"))}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ps.Detect("x.csv", "cdr", "csv", rows([]string{"Number", "Time"}))
	var de *ingest.DetectError
	if !errors.As(err, &de) || !de.Ambiguous || !strings.Contains(err.Error(), "twin-a twin-b") {
		t.Fatalf("err = %v, want an ambiguity naming both profiles", err)
	}
	// Choosing one by name works.
	p, _ := ps.Get("twin-b")
	if lay, err := p.Locate("x.csv", rows([]string{"Number", "Time"})); err != nil || lay.HeaderRow != 1 {
		t.Errorf("Locate = %+v, %v", lay, err)
	}
	if _, err := p.Locate("x.csv", rows([]string{"Numero", "Time"})); err == nil || !strings.Contains(err.Error(), `missing "Number"`) {
		t.Errorf("Locate on a wrong file: %v", err)
	}
}
