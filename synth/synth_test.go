package synth_test

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/synth"
	"github.com/cellsite/cellsite/templates"
)

// testEvents is the size of the scale scenario in tests.
const testEvents = 3000

func builtin(t testing.TB) *ingest.Profiles {
	t.Helper()
	ps, err := ingest.LoadProfiles(templates.Profiles(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func generate(t testing.TB, scenario string, seed uint64) (*synth.Truth, *synth.MemSink) {
	t.Helper()
	sink := synth.NewMemSink()
	tr, err := synth.Generate(context.Background(), synth.Options{Scenario: scenario, Seed: seed, Events: testEvents}, sink)
	if err != nil {
		t.Fatalf("generate %s seed %d: %v", scenario, seed, err)
	}
	return tr, sink
}

// parsed is what an ingest made of one file.
type parsed struct {
	lay    ingest.Layout
	sum    ingest.Summary
	events []cellsite.Event
	cells  []cellsite.Cell
	faults []ingest.RowFault
}

// ingestFile detects the profile of a file and parses it, as the ingest
// command does.
func ingestFile(ps *ingest.Profiles, kind, name string, data []byte) (parsed, error) {
	var out parsed
	ftype := ingest.SniffFileType(data[:min(8, len(data))])
	open := func(ro ingest.ReadOptions) (ingest.RowReader, error) {
		if ftype == "xlsx" {
			return ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ro)
		}
		return ingest.NewCSVReader(bytes.NewReader(data), ro)
	}
	rr, err := open(ingest.ReadOptions{})
	if err != nil {
		return out, err
	}
	sample, err := ingest.Sample(rr)
	if err != nil {
		return out, err
	}
	out.lay, err = ps.Detect(name, kind, ftype, sample)
	if err != nil {
		return out, err
	}
	p := out.lay.Profile
	if rr, err = open(p.ReadOptions()); err != nil {
		return out, err
	}
	defer rr.Close()
	out.sum, err = ingest.Parse(context.Background(), rr, out.lay, ingest.Options{File: name, Source: cellsite.Sum(data)}, func(b ingest.Batch) error {
		out.events = append(out.events, b.Events...)
		out.cells = append(out.cells, b.Cells...)
		out.faults = append(out.faults, b.Faults...)
		return nil
	})
	return out, err
}

// TestScenariosIngest generates every scenario, ingests every file with
// profile detection, and checks the ingest against truth.json: the
// detected profile, every count of the row accounting, each planted reject
// and duplicate, the warnings, and, row by row, the event's time, type,
// direction and cells against the ground-truth track.
func TestScenariosIngest(t *testing.T) {
	ps := builtin(t)
	for _, sc := range synth.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			tr, sink := generate(t, sc.Name, 7)
			phones := map[string]synth.Phone{}
			for _, ph := range tr.Phones {
				phones[ph.MSISDN] = ph
			}
			track := map[string]synth.TrackPoint{}
			for _, tp := range tr.Track {
				track[fmt.Sprintf("%s:%d", tp.File, tp.Row)] = tp
			}
			listed := map[string]bool{}
			var trackCells []string
			for _, f := range tr.Files {
				t.Run(path.Base(f.Path), func(t *testing.T) {
					data, ok := sink.Files[f.Path]
					if !ok {
						t.Fatalf("%s is in truth.json but was not written", f.Path)
					}
					got, err := ingestFile(ps, f.Kind, path.Base(f.Path), data)
					if err != nil {
						t.Fatalf("ingest: %v", err)
					}
					if got.lay.Profile.Name != f.Profile {
						t.Errorf("detected profile %s, written as %s", got.lay.Profile.Name, f.Profile)
					}
					s := got.sum
					want := ingest.Summary{
						Lines: f.Lines, Banner: len(f.Banner), Headers: b2i(f.HeaderRow > 0), Blank: f.Blank, Footer: len(f.Footer),
						Read: f.Rows, Accepted: f.Accepted, Duplicates: len(f.Duplicates), Rejected: len(f.Rejects), HeaderRow: f.HeaderRow,
					}
					gotCounts := ingest.Summary{
						Lines: s.Lines, Banner: s.Banner, Headers: s.Headers, Blank: s.Blank, Footer: s.Footer,
						Read: s.Read, Accepted: s.Accepted, Duplicates: s.Duplicates, Rejected: s.Rejected, HeaderRow: s.HeaderRow,
					}
					if diff := cmp.Diff(want, gotCounts); diff != "" {
						t.Errorf("row accounting (-truth +ingest):\n%s", diff)
					}
					if s.Read != s.Accepted+s.Duplicates+s.Rejected {
						t.Errorf("data rows %d != %d accepted + %d duplicates + %d rejected", s.Read, s.Accepted, s.Duplicates, s.Rejected)
					}
					var wantRejects, gotRejects []string
					for _, r := range f.Rejects {
						wantRejects = append(wantRejects, fmt.Sprintf("%d %s", r.Row, r.Code))
					}
					for _, r := range got.faults {
						gotRejects = append(gotRejects, fmt.Sprintf("%d %s", r.Row, r.Code))
					}
					if diff := cmp.Diff(wantRejects, gotRejects); diff != "" {
						t.Errorf("rejected rows (-truth +ingest):\n%s", diff)
					}
					if diff := cmp.Diff(f.Warnings, s.Warnings); diff != "" {
						t.Errorf("warnings (-truth +ingest):\n%s", diff)
					}
					if f.Kind == "cells" {
						for _, c := range got.cells {
							listed[c.Key] = true
						}
						return
					}
					if !s.First.Equal(f.First) || !s.Last.Equal(f.Last) {
						t.Errorf("events from %s to %s, truth says %s to %s", s.First, s.Last, f.First, f.Last)
					}
					checkEvents(t, f, got.events, track, phones)
				})
			}
			for _, tp := range tr.Track {
				for _, k := range []string{tp.Cell, tp.LastCell} {
					if k != "" {
						trackCells = append(trackCells, k)
					}
				}
			}
			if sc.Name != "profiles" {
				for _, k := range trackCells {
					if !listed[k] {
						t.Errorf("cell %s served a phone but is in none of the scenario's cell lists", k)
						break
					}
				}
			}
		})
	}
}

func checkEvents(t *testing.T, f synth.File, events []cellsite.Event, track map[string]synth.TrackPoint, phones map[string]synth.Phone) {
	t.Helper()
	dups := map[int]int{}
	for _, d := range f.Duplicates {
		dups[d.Row] = d.Of
	}
	seen := 0
	errs := 0
	for _, e := range events {
		tp, ok := track[fmt.Sprintf("%s:%d", f.Path, e.Row)]
		if !ok {
			t.Errorf("row %d: an event the track does not list", e.Row)
			continue
		}
		seen++
		if e.Target != f.Target {
			t.Errorf("row %d: target %s, want %s", e.Row, e.Target, f.Target)
		}
		if _, ok := phones[e.Target]; !ok {
			t.Errorf("row %d: target %s is no phone of the scenario", e.Row, e.Target)
		}
		wantStart := tp.Time
		if tp.TimeFlag == "ambiguous" && !e.Start.Equal(tp.Time) {
			wantStart = tp.Time.Add(-time.Hour) // read as the first occurrence
		}
		got := fmt.Sprintf("%s %s %s %s %s %s %d", e.Start.Format(time.RFC3339), e.Type, e.Direction, e.FirstCell, e.LastCell, e.TimeFlag, e.DuplicateOf)
		want := fmt.Sprintf("%s %s %s %s %s %s %d", wantStart.Format(time.RFC3339), tp.Type, tp.Direction, tp.Cell, tp.LastCell, tp.TimeFlag, dups[e.Row])
		if got != want && errs < 10 {
			errs++
			t.Errorf("row %d:\n got %s\nwant %s", e.Row, got, want)
		}
	}
	n := 0
	for k := range track {
		if strings.HasPrefix(k, f.Path+":") {
			n++
		}
	}
	if seen != n || n != f.Accepted+len(f.Duplicates) {
		t.Errorf("%d events matched the track, which has %d rows for the file; truth says %d accepted + %d duplicates", seen, n, f.Accepted, len(f.Duplicates))
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDeterminism generates every scenario twice and compares every byte;
// another seed gives other files.
func TestDeterminism(t *testing.T) {
	for _, sc := range synth.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			_, a := generate(t, sc.Name, 11)
			_, b := generate(t, sc.Name, 11)
			if diff := cmp.Diff(a.Names(), b.Names()); diff != "" {
				t.Fatalf("file names differ:\n%s", diff)
			}
			for _, n := range a.Names() {
				if !bytes.Equal(a.Files[n], b.Files[n]) {
					t.Errorf("%s differs between two runs with one seed", n)
				}
			}
			_, c := generate(t, sc.Name, 12)
			if bytes.Equal(a.Files["truth.json"], c.Files["truth.json"]) {
				t.Errorf("seeds 11 and 12 gave the same truth.json")
			}
		})
	}
}

// TestProfilesCoverEveryProfile checks that the profiles scenario writes a
// file for every shipped profile, CDR and cell list.
func TestProfilesCoverEveryProfile(t *testing.T) {
	tr, _ := generate(t, "profiles", 1)
	written := map[string]int{}
	for _, f := range tr.Files {
		written[f.Profile]++
	}
	for _, p := range builtin(t).List() {
		if written[p.Name] != 1 {
			t.Errorf("profile %s (%s): %d files, want 1", p.Name, p.Kind, written[p.Name])
		}
	}
}

// TestTruthConsistent checks what truth.json says of the scenarios against
// itself: meetings name phones of the scenario and the cells they used,
// swaps agree with the phones' handsets, and track rows lie in their period.
func TestTruthConsistent(t *testing.T) {
	tests := []struct {
		scenario                   string
		phones, meetings, handsets int
		sims, chains               int
	}{
		{"meeting", 2, 1, 0, 0, 0},
		{"gang", 5, 3, 1, 1, 4},
		{"dst", 2, 0, 0, 0, 0},
		{"scale", 1, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			tr, _ := generate(t, tc.scenario, 3)
			got := []int{len(tr.Phones), len(tr.Meetings), len(tr.HandsetSwaps), len(tr.SIMSwaps), len(tr.CallChains)}
			if diff := cmp.Diff([]int{tc.phones, tc.meetings, tc.handsets, tc.sims, tc.chains}, got); diff != "" {
				t.Errorf("phones, meetings, handset swaps, SIM swaps, call chains (-want +got):\n%s", diff)
			}
			msisdns := map[string]bool{}
			for _, p := range tr.Phones {
				msisdns[p.MSISDN] = true
			}
			for _, m := range tr.Meetings {
				if d := m.End.Sub(m.Start); d < 35*time.Minute || d > 55*time.Minute {
					t.Errorf("meeting lasts %v", d)
				}
				for _, mc := range m.Cells {
					if !msisdns[mc.MSISDN] || len(mc.Cells) == 0 {
						t.Errorf("meeting at %s: phone %s has cells %v", m.Start, mc.MSISDN, mc.Cells)
					}
				}
				if len(m.Cells) != len(m.Phones) {
					t.Errorf("meeting at %s: %d phones, cells of %d", m.Start, len(m.Phones), len(m.Cells))
				}
			}
			for _, s := range tr.SIMSwaps {
				if !msisdns[s.MSISDN] || !msisdns[s.Owner] || !s.From.Before(s.To) {
					t.Errorf("SIM swap %+v", s)
				}
			}
			for _, tp := range tr.Track {
				if tp.Time.Before(tr.Epoch) || !tp.Time.Before(tr.End) {
					t.Errorf("track row %s:%d at %s, outside the period", tp.File, tp.Row, tp.Time)
					break
				}
			}
			checkServed(t, tr)
		})
	}
}

// checkServed checks each phone's home and work served cells against the
// track: every first cell of an event that took place at the home (or
// workplace) is listed, every cell listed is a first or last cell of the
// phone's rows, each list is sorted without repeats, and the home has at
// least one.
func checkServed(t *testing.T, tr *synth.Truth) {
	t.Helper()
	target := map[string]string{}
	for _, f := range tr.Files {
		target[f.Path] = f.Target
	}
	for _, ph := range tr.Phones {
		named := map[string]bool{}
		for _, tp := range tr.Track {
			if target[tp.File] == ph.MSISDN {
				named[tp.Cell], named[tp.LastCell] = true, true
			}
		}
		for _, pl := range []struct {
			name string
			p    synth.Place
		}{{"home", ph.Home}, {"work", ph.Work}} {
			if !slices.IsSorted(pl.p.Served) || len(slices.Compact(slices.Clone(pl.p.Served))) != len(pl.p.Served) {
				t.Errorf("%s %s served %v: not sorted without repeats", ph.Label, pl.name, pl.p.Served)
			}
			for _, c := range pl.p.Served {
				if c == "" || !named[c] {
					t.Errorf("%s %s: served cell %q is named by none of the phone's rows", ph.Label, pl.name, c)
				}
			}
			for _, tp := range tr.Track {
				if target[tp.File] != ph.MSISDN || tp.Lat != pl.p.Lat || tp.Lon != pl.p.Lon {
					continue
				}
				if tp.Cell != "" && !slices.Contains(pl.p.Served, tp.Cell) {
					t.Errorf("%s %s: row %s:%d at the place names cell %s, not in served %v", ph.Label, pl.name, tp.File, tp.Row, tp.Cell, pl.p.Served)
				}
			}
			if pl.name == "home" && len(pl.p.Served) == 0 {
				t.Errorf("%s: no cell served the phone at home", ph.Label)
			}
		}
	}
}

// TestDSTFlags checks the dst scenario plants the clock-change cases: rows
// in the repeated October hour and one row in the skipped March hour, on
// UK-local-time files only.
func TestDSTFlags(t *testing.T) {
	tr, _ := generate(t, "dst", 5)
	var ambiguous, impossible int
	for _, f := range tr.Files {
		if f.Kind != "cdr" {
			continue
		}
		if f.TimeBasis != "uk-local" {
			t.Errorf("%s: time basis %s", f.Path, f.TimeBasis)
		}
		ambiguous += f.Warnings["time-ambiguous"]
		impossible += f.Warnings["time-impossible"]
	}
	if ambiguous < 12 || impossible != 2 {
		t.Errorf("%d ambiguous and %d impossible rows; want at least 12 and exactly 2", ambiguous, impossible)
	}
}

func TestUnknownScenario(t *testing.T) {
	_, err := synth.Generate(context.Background(), synth.Options{Scenario: "nope"}, synth.NewMemSink())
	if err == nil || !strings.Contains(err.Error(), "meeting") {
		t.Errorf("unknown scenario: %v", err)
	}
}

// BenchmarkScale writes 100,000 events of the scale scenario.
func BenchmarkScale(b *testing.B) {
	for b.Loop() {
		_, err := synth.Generate(context.Background(), synth.Options{Scenario: "scale", Seed: 1, Events: 100_000}, synth.Discard)
		if err != nil {
			b.Fatal(err)
		}
	}
}
