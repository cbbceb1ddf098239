package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLoad runs the load program's core for a few seconds with a few
// clients against a server built from this tree, so that the program keeps
// working as the API changes. It asserts what the full run asserts (no
// errors, nothing lost), never a figure: those are docs/PERFORMANCE.md's.
func TestLoad(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "cellsite")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/cellsite/cellsite/cmd/cellsite").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var log strings.Builder
	rep, err := Run(t.Context(), Config{Bin: bin, Clients: 5, Users: 1, Duration: 3 * time.Second, Drain: time.Minute, Log: &log}, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var out strings.Builder
	rep.Print(&out)
	if !rep.OK() || rep.Uploads == 0 {
		t.Fatalf("the load run failed:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
}

func TestPercentiles(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var ds []time.Duration
		for _, n := range ns {
			ds = append(ds, time.Duration(n)*time.Millisecond)
		}
		return ds
	}
	var hundred []time.Duration
	for n := 100; n > 0; n-- {
		hundred = append(hundred, time.Duration(n)*time.Millisecond)
	}
	tests := []struct {
		name string
		in   []time.Duration
		want []time.Duration // p50, p99, p100
	}{
		{"none", nil, ms(0, 0, 0)},
		{"one", ms(7), ms(7, 7, 7)},
		{"nearest rank", ms(5, 1, 4, 2, 3), ms(3, 5, 5)},
		{"hundred, reversed", hundred, ms(50, 99, 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := percentiles(tt.in, 50, 99, 100)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("percentiles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVariants checks that every upload is a distinct original: the base
// file and one extra row of its own.
func TestVariants(t *testing.T) {
	c, err := newCorpus(t.Context(), 50)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for n := range 100 {
		v := c.variant(n)
		if !bytes.HasPrefix(v, c.base) || bytes.Count(v[len(c.base):], []byte("\n")) != 1 {
			t.Fatalf("variant %d is not the base and one row:\n%s", n, v[len(c.base):])
		}
		h := sha256Hex(v)
		if m, ok := seen[h]; ok {
			t.Fatalf("variants %d and %d are the same bytes", m, n)
		}
		seen[h] = n
	}
}
