package analysis_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/synth"
	"github.com/cellsite/cellsite/templates"
)

// scenarioData is one generated and ingested synthetic scenario.
type scenarioData struct {
	events []cellsite.Event
	cells  []cellsite.Cell
	truth  synth.Truth
}

var (
	scenarioMu    sync.Mutex
	scenarioCache = map[string]*scenarioData{}
)

// loadScenario generates a synthetic scenario (package synth) into a
// temporary directory, ingests every CDR and cell file with profile
// detection through package ingest, and returns all events (in file order,
// files by path), all cells and the scenario's ground truth. Results are
// cached per scenario and seed for the life of the test binary; callers
// must not modify the returned slices.
func loadScenario(t testing.TB, scenario string, seed uint64) (events []cellsite.Event, cells []cellsite.Cell, truth synth.Truth) {
	t.Helper()
	key := fmt.Sprintf("%s/%d", scenario, seed)
	scenarioMu.Lock()
	defer scenarioMu.Unlock()
	if d, ok := scenarioCache[key]; ok {
		return d.events, d.cells, d.truth
	}
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tr, err := synth.Generate(context.Background(), synth.Options{Scenario: scenario, Seed: seed}, synth.DirSink{Root: root})
	if err != nil {
		t.Fatalf("generating %s seed %d: %v", scenario, seed, err)
	}
	ps, err := ingest.LoadProfiles(templates.Profiles(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	files := append([]synth.File(nil), tr.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	d := &scenarioData{truth: *tr}
	for _, f := range files {
		evs, cs := ingestFile(t, ps, f.Kind, filepath.Join(dir, filepath.FromSlash(f.Path)))
		d.events = append(d.events, evs...)
		d.cells = append(d.cells, cs...)
	}
	scenarioCache[key] = d
	return d.events, d.cells, d.truth
}

// ingestFile reads one original file as ingest/golden_test.go does: sniff
// the file type, detect the profile from the first 200 rows, then parse.
func ingestFile(t testing.TB, ps *ingest.Profiles, kind, path string) ([]cellsite.Event, []cellsite.Cell) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ftype := ingest.SniffFileType(data)
	open := func(ro ingest.ReadOptions) ingest.RowReader {
		var rr ingest.RowReader
		var err error
		if ftype == "xlsx" {
			rr, err = ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ro)
		} else {
			rr, err = ingest.NewCSVReader(bytes.NewReader(data), ro)
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return rr
	}
	sample, err := ingest.Sample(open(ingest.ReadOptions{}))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	lay, err := ps.Detect(filepath.Base(path), kind, ftype, sample)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	p := lay.Profile
	rr := open(p.ReadOptions())
	defer rr.Close()
	var events []cellsite.Event
	var cells []cellsite.Cell
	_, err = ingest.Parse(context.Background(), rr, lay, ingest.Options{File: filepath.Base(path), Source: cellsite.Sum(data)}, func(b ingest.Batch) error {
		events = append(events, b.Events...)
		cells = append(cells, b.Cells...)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return events, cells
}
