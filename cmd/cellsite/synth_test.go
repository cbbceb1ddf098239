package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/store/storetest"
	"github.com/cellsite/cellsite/synth"
)

// TestSynthIngestVerify generates the gang scenario, ingests every file
// with profile detection, checks each file's accounting against
// truth.json, and verifies the data directory.
func TestSynthIngestVerify(t *testing.T) {
	storetest.Run(t, testSynthIngestVerify)
}

func testSynthIngestVerify(t *testing.T, backend string) {
	tmp := t.TempDir()
	d, out := filepath.Join(tmp, "data"), filepath.Join(tmp, "out")
	env := map[string]string{"CELLSITE_DATA": d}
	if backend == "postgres" {
		env["CELLSITE_DB"] = storetest.PostgresDSN(t)
	}
	if code, _, errs := cli(t, env, "init"); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	if code, _, errs := cli(t, env, "case", "create", "OP-SYNTH-01", "--title", "Synthetic gang"); code != 0 {
		t.Fatalf("case create: %s", errs)
	}
	code, stdout, errs := cli(t, env, "synth", "--seed", "7", "--out", out, "--scenario", "gang")
	if code != 0 {
		t.Fatalf("synth: exit %d: %s", code, errs)
	}
	if strings.Contains(stdout, "+44") {
		t.Errorf("synth printed a telephone number:\n%s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr synth.Truth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(stdout, "\nwrote ") + 1; got != len(tr.Files)+1 {
		t.Errorf("synth printed %d lines for %d files and the truth:\n%s", got, len(tr.Files), stdout)
	}
	truth := map[string]synth.File{}
	for _, f := range tr.Files {
		truth[filepath.Base(f.Path)] = f
	}
	for _, kind := range []string{"cdr", "cells"} {
		files, _ := filepath.Glob(filepath.Join(out, kind, "*"))
		sort.Strings(files)
		if len(files) == 0 {
			t.Fatalf("no %s files written", kind)
		}
		args := append([]string{"ingest", "--case", "OP-SYNTH-01", "--kind", kind, "--json"}, files...)
		code, stdout, errs := cli(t, env, args...)
		if code != 0 {
			t.Fatalf("ingest --kind %s: exit %d: %s", kind, code, errs)
		}
		var results []casework.IngestResult
		if err := json.Unmarshal([]byte(stdout), &results); err != nil {
			t.Fatalf("ingest --json: %v", err)
		}
		if len(results) != len(files) {
			t.Fatalf("%d results for %d files", len(results), len(files))
		}
		for _, r := range results {
			s := r.Summary
			f, ok := truth[s.File]
			if !ok {
				t.Errorf("%s is not in truth.json", s.File)
				continue
			}
			if !r.Detected || s.Profile != f.Profile {
				t.Errorf("%s: profile %s (detected %v), written as %s", s.File, s.Profile, r.Detected, f.Profile)
			}
			got := fmt.Sprintf("lines %d banner %d footer %d read %d accepted %d duplicates %d rejected %d",
				s.Lines, s.Banner, s.Footer, s.Read, s.Accepted, s.Duplicates, s.Rejected)
			want := fmt.Sprintf("lines %d banner %d footer %d read %d accepted %d duplicates %d rejected %d",
				f.Lines, len(f.Banner), len(f.Footer), f.Rows, f.Accepted, len(f.Duplicates), len(f.Rejects))
			if got != want {
				t.Errorf("%s:\n got %s\nwant %s", s.File, got, want)
			}
			if diff := cmp.Diff(f.Warnings, s.Warnings); diff != "" {
				t.Errorf("%s warnings (-truth +ingest):\n%s", s.File, diff)
			}
		}
	}
	if code, stdout, errs := cli(t, env, "verify"); code != 0 {
		t.Fatalf("verify: exit %d: %s %s", code, stdout, errs)
	}
}

// TestSynthOutput checks the output directory rules: a non-empty directory
// needs --force, --force rewrites the same bytes, and no symbolic link
// leads a file out of the directory.
func TestSynthOutput(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	if code, _, errs := cli(t, nil, "synth", "--seed", "3", "--out", out); code != 0 {
		t.Fatalf("synth: %s", errs)
	}
	first, err := os.ReadFile(filepath.Join(out, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, nil, "synth", "--seed", "3", "--out", out)
	if code != 1 || !strings.Contains(errs, "--force") {
		t.Errorf("synth into a non-empty directory: exit %d, %q", code, errs)
	}
	if code, _, errs := cli(t, nil, "synth", "--seed", "3", "--out", out, "--force"); code != 0 {
		t.Fatalf("synth --force: %s", errs)
	}
	again, _ := os.ReadFile(filepath.Join(out, "truth.json"))
	if !bytes.Equal(first, again) {
		t.Errorf("the same seed wrote a different truth.json")
	}

	// A symbolic link inside the directory that points out of it.
	outside := filepath.Join(tmp, "outside")
	os.Mkdir(outside, 0o755)
	trap := filepath.Join(tmp, "trap")
	os.Mkdir(trap, 0o755)
	if err := os.Symlink(outside, filepath.Join(trap, "cdr")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	code, _, errs = cli(t, nil, "synth", "--seed", "3", "--out", trap, "--force")
	if code == 0 {
		t.Errorf("synth followed a symbolic link out of the directory")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files written outside the output directory: %v (%s)", entries, errs)
	}
}

func TestSynthUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		text string
	}{
		{[]string{"synth", "--list"}, 0, "gang"},
		{[]string{"synth", "--seed", "1"}, 2, "--out is required"},
		{[]string{"synth", "--out", "x", "--scenario", "nope"}, 2, `no scenario "nope"`},
		{[]string{"synth", "--out", "x", "--events", "10"}, 2, "scale scenario only"},
		{[]string{"synth", "--out", "x", "extra"}, 2, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, errs := cli(t, nil, tc.args...)
			if code != tc.code || !strings.Contains(stdout+errs, tc.text) {
				t.Errorf("exit %d, %q %q; want exit %d with %q", code, stdout, errs, tc.code, tc.text)
			}
		})
	}
}

// TestSynthScaleSmall runs the scale scenario with a few events.
func TestSynthScaleSmall(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errs := cli(t, nil, "synth", "--scenario", "scale", "--events", "500", "--out", out)
	if code != 0 {
		t.Fatalf("synth: %s", errs)
	}
	if !strings.Contains(stdout, "500 accepted") {
		t.Errorf("output: %s", stdout)
	}
}
