package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden canonical outputs in testdata/golden/ingest")

// TestGoldenCanonical ingests the synthetic sample of every shipped profile
// (testdata/synth/profiles) with profile detection and compares the
// canonical output (the summary, then every event or cell and every rejected
// row as JSON) with testdata/golden/ingest. Run with -update to rewrite.
func TestGoldenCanonical(t *testing.T) {
	ps := builtin(t)
	samples := filepath.Join("..", "testdata", "synth", "profiles")
	covered := map[string]bool{}
	for _, kind := range []string{"cdr", "cells"} {
		files, err := filepath.Glob(filepath.Join(samples, kind, "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no samples in %s/%s: %v", samples, kind, err)
		}
		for _, path := range files {
			name := filepath.Base(path)
			t.Run(name, func(t *testing.T) {
				got := canonicalOutput(t, ps, kind, path)
				covered[profileOf(got)] = true
				golden := filepath.Join("..", "testdata", "golden", "ingest", name+".jsonl")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("missing golden file (run with -update): %v", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("canonical output of %s changed (-golden +got):\n%s", name, diff)
				}
			})
		}
	}
	for _, p := range ps.List() {
		if !covered[p.Name] {
			t.Errorf("profile %s has no sample in %s", p.Name, samples)
		}
	}
}

func profileOf(out []byte) string {
	var s struct{ Profile string }
	line, _, _ := bytes.Cut(out, []byte("\n"))
	_ = json.Unmarshal(line, &s)
	return s.Profile
}

func canonicalOutput(t *testing.T, ps *ingest.Profiles, kind, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ftype := ingest.SniffFileType(data)
	open := func(ro ingest.ReadOptions) ingest.RowReader {
		var rr ingest.RowReader
		if ftype == "xlsx" {
			rr, err = ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ro)
		} else {
			rr, err = ingest.NewCSVReader(bytes.NewReader(data), ro)
		}
		if err != nil {
			t.Fatal(err)
		}
		return rr
	}
	sample, err := ingest.Sample(open(ingest.ReadOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	lay, err := ps.Detect(filepath.Base(path), kind, ftype, sample)
	if err != nil {
		t.Fatal(err)
	}
	rr := open(lay.Profile.ReadOptions())
	defer rr.Close()
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	sum, err := ingest.Parse(context.Background(), rr, lay, ingest.Options{File: filepath.Base(path), Source: cellsite.Sum(data)}, func(b ingest.Batch) error {
		for _, e := range b.Events {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		for _, c := range b.Cells {
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
		for _, f := range b.Faults {
			if err := enc.Encode(struct {
				Rejected cellsite.RowFault `json:"rejected"`
			}{f}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != sum.Accepted+sum.Duplicates+sum.Rejected {
		t.Errorf("accounting: %+v", sum)
	}
	head, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	out := append(head, '\n')
	return append(out, body.Bytes()...)
}
