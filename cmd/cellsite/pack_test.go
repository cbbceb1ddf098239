package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// packCase ingests a synthetic scenario, runs the analyses a pack draws on
// and writes a pack at a fixed production time.
func packCase(t *testing.T) (data, pack string) {
	t.Helper()
	d, _ := synthCase(t)
	for _, k := range []string{"colocation", "pattern", "contacts", "attribution"} {
		if code, _, errs := cli(t, nil, "analyse", "--data", d, "--case", "OP-TEST", "--kind", k); code != 0 {
			t.Fatalf("analyse %s: %s", k, errs)
		}
	}
	pack = filepath.Join(t.TempDir(), "OP-TEST.zip")
	if code, _, errs := cli(t, nil, "pack", "--data", d, "--case", "OP-TEST", "--out", pack, "--exhibit", "ABC/1", "--generated-at", "2026-11-27T14:00:00Z"); code != 0 {
		t.Fatalf("pack: %s", errs)
	}
	return d, pack
}

func TestPackVerifiesAndIsReproducible(t *testing.T) {
	d, pack := packCase(t)
	// On another machine: no data directory at all.
	elsewhere := t.TempDir()
	copyFile(t, pack, filepath.Join(elsewhere, "p.zip"))
	code, out, errs := cli(t, nil, "verify", filepath.Join(elsewhere, "p.zip"))
	if code != 0 {
		t.Fatalf("verify: %s", errs)
	}
	if !strings.Contains(out, "nothing missing or extra") || !strings.Contains(out, "the pack's own log.pub") {
		t.Errorf("verify output:\n%s", out)
	}
	_, keyOut, _ := cli(t, nil, "key", "--data", d)
	fp := ""
	for _, f := range strings.Fields(keyOut) {
		if strings.HasPrefix(f, "sha256:") {
			fp = f
		}
	}
	if code, _, errs := cli(t, nil, "verify", filepath.Join(elsewhere, "p.zip"), "--fingerprint", fp); code != 0 {
		t.Fatalf("verify --fingerprint %s: %s", fp, errs)
	}
	if code, _, errs := cli(t, nil, "verify", filepath.Join(elsewhere, "p.zip"), "--fingerprint", "sha256:"+strings.Repeat("0", 64)); code == 0 || !strings.Contains(errs, "fingerprint") {
		t.Errorf("a wrong fingerprint: exit %d, %s", code, errs)
	}

	keyFile := filepath.Join(elsewhere, "published.pub")
	if err := os.WriteFile(keyFile, []byte(strings.SplitN(keyOut, "\n", 2)[0]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, nil, "verify", filepath.Join(elsewhere, "p.zip"), "--key", keyFile); code != 0 || !strings.Contains(out, "as given") {
		t.Fatalf("verify --key: %d %s %s", code, out, errs)
	}
	// Another installation's key is refused.
	other := newCase(t)
	_, otherKey, _ := cli(t, nil, "key", "--data", other)
	otherFile := filepath.Join(elsewhere, "other.pub")
	os.WriteFile(otherFile, []byte(strings.SplitN(otherKey, "\n", 2)[0]+"\n"), 0o644)
	if code, _, errs := cli(t, nil, "verify", filepath.Join(elsewhere, "p.zip"), "--key", otherFile); code == 0 || !strings.Contains(errs, "log.pub is not the key given") {
		t.Errorf("another key: exit %d, %s", code, errs)
	}

	again := filepath.Join(t.TempDir(), "again.zip")
	if code, _, errs := cli(t, nil, "pack", "--data", d, "--case", "OP-TEST", "--out", again, "--exhibit", "ABC/1", "--generated-at", "2026-11-27T14:00:00Z"); code != 0 {
		t.Fatalf("pack again: %s", errs)
	}
	if !bytes.Equal(mustRead(t, pack), mustRead(t, again)) {
		t.Error("the same case, version and --generated-at gave different packs")
	}
	// The log still verifies, with the render and pack leaves.
	if code, _, errs := cli(t, nil, "verify", "--data", d); code != 0 {
		t.Fatalf("verify data: %s", errs)
	}
}

func TestPackTampering(t *testing.T) {
	_, pack := packCase(t)
	orig := mustRead(t, pack)
	names := zipNames(t, orig)
	dir := t.TempDir()
	check := func(what string, b []byte, wantName string) {
		t.Helper()
		p := filepath.Join(dir, "t.zip")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := cli(t, nil, "verify", p)
		if code == 0 {
			t.Errorf("%s: verify exited 0", what)
			return
		}
		if !strings.Contains(errs, wantName) {
			t.Errorf("%s: error does not name %s:\n%s", what, wantName, errs)
		}
	}
	for _, name := range names {
		// One byte of the file changed.
		check("change "+name, rewriteZip(t, orig, func(n string, b []byte) (string, []byte, bool) {
			if n == name && len(b) > 0 {
				b = bytes.Clone(b)
				b[len(b)/2] ^= 0x01
			}
			return n, b, true
		}, ""), name)
		if name == "manifest.json" {
			continue
		}
		// The file removed.
		check("remove "+name, rewriteZip(t, orig, func(n string, b []byte) (string, []byte, bool) {
			return n, b, n != name
		}, ""), name)
	}
	check("add a file", rewriteZip(t, orig, func(n string, b []byte) (string, []byte, bool) { return n, b, true }, "extra.txt"), "extra.txt")
}

func zipNames(t *testing.T, b []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range zr.File {
		out = append(out, f.Name)
	}
	return out
}

// rewriteZip copies a zip through edit, which may change an entry or drop
// it; add, when set, appends an entry of that name.
func rewriteZip(t *testing.T, b []byte, edit func(name string, data []byte) (string, []byte, bool), add string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		name, data, keep := edit(f.Name, data)
		if !keep {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if add != "" {
		w, _ := zw.Create(add)
		w.Write([]byte("not evidence\n"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, mustRead(t, from), 0o644); err != nil {
		t.Fatal(err)
	}
}
