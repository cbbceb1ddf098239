package provenance_test

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

func ptr[T any](v T) *T { return &v }

// vectorLeaf is the leaf pinned by testdata/provenance/leaf-v1.hex.
func vectorLeaf() provenance.Leaf {
	return provenance.Leaf{
		Index:      7,
		Type:       provenance.Ingest,
		Case:       "OP-LANTERN-01",
		Prev:       cellsite.Sum([]byte("previous leaf")),
		Supersedes: ptr(int64(5)),
		Started:    time.Date(2026, 3, 29, 0, 59, 59, 123456789, time.UTC),
		Ended:      time.Date(2026, 3, 29, 1, 0, 2, 0, time.UTC),
		Actor:      provenance.Actor{User: "analyst.jones", Role: "analyst"},
		Software:   cellsite.Software{Module: "github.com/cellsite/cellsite", Version: "v1.0.0", Revision: "0123abcd", GoVersion: "go1.26.8"},
		Inputs:     []cellsite.Artefact{{Name: "ee-calls.csv", SHA256: cellsite.Sum([]byte("original")), Size: 180000000}},
		Outputs:    []cellsite.Artefact{{Name: "events", SHA256: cellsite.Sum([]byte("events")), Size: 1000000}},
		References: []provenance.Reference{{Kind: "profile", Name: "ee-cdr", Version: "2024.1", SHA256: cellsite.Sum([]byte("profile"))}},
		Params:     []provenance.Param{{Key: "time_basis", Value: "uk-local"}, {Key: "profile", Value: "ee-cdr"}},
		Counts:     []provenance.Count{{Key: "rows_read", N: 1000002}, {Key: "accepted", N: 1000000}, {Key: "duplicates", N: 2}},
		Warnings:   []string{"ambiguous-local-time: 3", "imei-check-digit: 1"},
		Note:       "Ingested under profile ee-cdr (unverified reconstruction) — £ and UTF-8 kept",
	}
}

func TestLeafVector(t *testing.T) {
	lf := vectorLeaf()
	got, err := lf.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "testdata", "provenance", "leaf-v1.hex")
	h := provenance.LeafHash(got)
	text := hex.EncodeToString(got) + "\n" + h.String() + "\n"
	if *update {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file (run with -update): %v", err)
	}
	if diff := cmp.Diff(string(want), text); diff != "" {
		t.Errorf("encoding changed (-golden +got):\n%s", diff)
	}
	back, err := provenance.Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	want2 := lf
	// Encode sorts parameters and counts by key.
	want2.Params = []provenance.Param{{Key: "profile", Value: "ee-cdr"}, {Key: "time_basis", Value: "uk-local"}}
	want2.Counts = []provenance.Count{{Key: "accepted", N: 1000000}, {Key: "duplicates", N: 2}, {Key: "rows_read", N: 1000002}}
	if diff := cmp.Diff(want2, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if !bytes.HasPrefix(got, []byte(provenance.Magic)) {
		t.Error("encoding does not start with the domain-separation prefix")
	}
}

func TestEncodeRejects(t *testing.T) {
	base := vectorLeaf()
	tests := []struct {
		name   string
		mutate func(*provenance.Leaf)
		want   string
	}{
		{"no type", func(l *provenance.Leaf) { l.Type = "" }, "no type"},
		{"zero start", func(l *provenance.Leaf) { l.Started = time.Time{} }, "times are required"},
		{"repeated param", func(l *provenance.Leaf) {
			l.Params = append(l.Params, provenance.Param{Key: "profile", Value: "x"})
		}, "repeated"},
		{"repeated count", func(l *provenance.Leaf) { l.Counts = append(l.Counts, provenance.Count{Key: "accepted"}) }, "repeated"},
		{"invalid utf8", func(l *provenance.Leaf) { l.Note = "bad \xff byte" }, "UTF-8"},
		{"negative size", func(l *provenance.Leaf) { l.Inputs[0].Size = -1 }, "negative size"},
		{"supersedes later", func(l *provenance.Leaf) { l.Supersedes = ptr(int64(9)) }, "earlier leaf"},
		{"too large", func(l *provenance.Leaf) { l.Note = strings.Repeat("x", provenance.MaxLeafSize) }, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base
			l.Inputs = append([]cellsite.Artefact(nil), base.Inputs...)
			tt.mutate(&l)
			_, err := l.Encode()
			if err == nil || !strings.Contains(err.Error(), tt.want) || cellsite.KindOf(err) != cellsite.Invalid {
				t.Errorf("Encode() error = %v, want Invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeRejectsNonCanonical(t *testing.T) {
	good, err := vectorLeaf().Encode()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "does not begin"},
		{"other magic", append([]byte("cellsite/provenance/leaf/v2\n"), good[len(provenance.Magic):]...), "does not begin"},
		{"truncated", good[:len(good)-1], "truncated"},
		{"trailing", append(append([]byte(nil), good...), 0), "trailing"},
	}
	// Parameters swapped into descending order: find them and swap.
	{
		l := vectorLeaf()
		l.Params = []provenance.Param{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
		enc, _ := l.Encode()
		i := bytes.Index(enc, []byte("\x00\x00\x00\x01a\x00\x00\x00\x011\x00\x00\x00\x01b"))
		if i < 0 {
			t.Fatal("parameters not found in encoding")
		}
		bad := append([]byte(nil), enc...)
		bad[i+4], bad[i+14] = 'b', 'a'
		tests = append(tests, struct {
			name string
			b    []byte
			want string
		}{"unsorted params", bad, "ascending"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provenance.Decode(tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.want) || cellsite.KindOf(err) != cellsite.Integrity {
				t.Errorf("Decode() error = %v, want Integrity containing %q", err, tt.want)
			}
		})
	}
}

// FuzzDecode checks that Decode never panics and accepts only canonical
// encodings: whatever it accepts re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	good, _ := vectorLeaf().Encode()
	f.Add(good)
	min := provenance.Leaf{Type: provenance.Genesis, Started: time.Unix(1, 0), Ended: time.Unix(1, 0)}
	b, _ := min.Encode()
	f.Add(b)
	f.Add([]byte(provenance.Magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := provenance.Decode(b)
		if err != nil {
			if cellsite.KindOf(err) != cellsite.Integrity {
				t.Fatalf("error of kind %v: %v", cellsite.KindOf(err), err)
			}
			return
		}
		again, err := l.Encode()
		if err != nil {
			t.Fatalf("decoded leaf does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("decode accepted a non-canonical encoding")
		}
	})
}
