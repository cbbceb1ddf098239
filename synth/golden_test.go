package synth_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden samples in testdata/synth/profiles")

// goldenDir holds the profiles scenario for seed 1: one sample file per
// shipped profile, and its truth.json.
var goldenDir = filepath.Join("..", "testdata", "synth", "profiles")

// TestGoldenProfiles regenerates the per-profile samples and compares them
// with the committed ones byte for byte. Run with -update to rewrite them
// after a deliberate change to the generator or the profiles.
func TestGoldenProfiles(t *testing.T) {
	_, sink := generate(t, "profiles", 1)
	if *update {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for _, name := range sink.Names() {
			p := filepath.Join(goldenDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, sink.Files[name], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d files to %s", len(sink.Names()), goldenDir)
		return
	}
	for _, name := range sink.Names() {
		want, err := os.ReadFile(filepath.Join(goldenDir, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("golden %s: %v (run go test ./synth -run TestGoldenProfiles -update)", name, err)
			continue
		}
		if !bytes.Equal(want, sink.Files[name]) {
			t.Errorf("%s differs from its golden sample (run with -update if the change is intended)", name)
		}
	}
	err := filepath.WalkDir(goldenDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(goldenDir, p)
		if _, ok := sink.Files[filepath.ToSlash(rel)]; !ok {
			t.Errorf("golden %s is no longer generated (run with -update)", rel)
		}
		return nil
	})
	if err != nil {
		t.Errorf("golden samples: %v", err)
	}
}
