package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/store/storetest"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv("CELLSITE_CRASH_HELPER"); dir != "" {
		crashHelper(dir)
		return
	}
	os.Exit(m.Run())
}

// cli runs the command line in-process and returns its exit code and output.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), append([]string{"cellsite"}, args...), getenv, &out, &errb)
	code := exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestHelpAndUsage(t *testing.T) {
	code, out, _ := cli(t, nil, "help")
	if code != 0 || !strings.Contains(out, "verify") {
		t.Errorf("help: %d %q", code, out)
	}
	if code, _, errs := cli(t, nil, "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errs)
	}
	if code, _, _ := cli(t, nil); code != 2 {
		t.Errorf("no command: exit %d, want 2", code)
	}
	if code, _, errs := cli(t, nil, "verify", "--nope"); code != 2 || !strings.Contains(errs, "nope") {
		t.Errorf("bad flag: %d %q", code, errs)
	}
}

func TestInitVerifyKeyLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		d := filepath.Join(t.TempDir(), "data")
		env := map[string]string{}
		if backend == "postgres" {
			env["CELLSITE_DB"] = storetest.PostgresDSN(t)
		}
		code, out, errs := cli(t, env, "init", "--data", d)
		if code != 0 || !strings.Contains(out, "created data directory") {
			t.Fatalf("init: %d %q %q", code, out, errs)
		}
		code, out, errs = cli(t, env, "verify", "--data", d)
		if code != 0 || !regexp.MustCompile(`^verified .*: 1 leaves, checkpoint size 1, root \S+, 0 blobs checked`).MatchString(out) {
			t.Fatalf("verify: %d %q %q", code, out, errs)
		}
		code, out, _ = cli(t, env, "key", "--data", d)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "cellsite/") || !strings.HasPrefix(lines[1], "sha256:") {
			t.Fatalf("key: %d %q", code, out)
		}
		if fp, _ := provenance.Fingerprint(lines[0]); fp != lines[1] {
			t.Errorf("printed fingerprint %s does not match the key's %s", lines[1], fp)
		}
		code, out, _ = cli(t, env, "log", "--data", d)
		if code != 0 || !strings.HasPrefix(out, "#0 genesis") {
			t.Fatalf("log: %d %q", code, out)
		}
		code, out, _ = cli(t, env, "log", "--data", d, "--json")
		if code != 0 || !strings.Contains(out, `"type":"genesis"`) {
			t.Fatalf("log --json: %d %q", code, out)
		}
		// The environment variable names the directory too; init again changes nothing.
		env["CELLSITE_DATA"] = d
		code, out, _ = cli(t, env, "init")
		if code != 0 || !strings.Contains(out, "already exists") {
			t.Errorf("second init: %d %q", code, out)
		}
		if info, err := os.Stat(filepath.Join(d, casework.SignerKeyFile)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("signing key mode: %v %v", info.Mode(), err)
		}
		// Commands other than init do not create a directory or a database.
		absent := map[string]string{}
		if backend == "postgres" {
			absent["CELLSITE_DB"] = storetest.PostgresDSN(t)
		}
		code, _, errs = cli(t, absent, "verify", "--data", filepath.Join(t.TempDir(), "absent"))
		if code != 1 || !strings.Contains(errs, "cellsite init") {
			t.Errorf("verify of a missing installation: %d %q", code, errs)
		}
	})
}

// addStoredFile stores content as an original and appends an ingest leaf
// that names it, as ingestion does.
func addStoredFile(t *testing.T, d string, content []byte) cellsite.Hash {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, env{getenv: func(string) string { return "" }}, &location{dir: d}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h, n, err := a.db.Blobs.Put(ctx, bytes.NewReader(content), 0)
	if err != nil {
		t.Fatal(err)
	}
	err = a.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.RegisterBlob(ctx, h, n); err != nil {
			return err
		}
		now := time.Now().UTC()
		_, _, err := a.log.Append(ctx, tx, provenance.Leaf{Type: provenance.Ingest, Case: "T1", Started: now, Ended: now,
			Inputs: []cellsite.Artefact{{Name: "calls.csv", SHA256: h, Size: n}}, Note: "marker-for-test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm()|0o200)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// After any single-byte change to a leaf or a blob in a data directory,
// verify exits non-zero and names it.
func TestVerifyNamesEverySingleByteChange(t *testing.T) {
	clean := filepath.Join(t.TempDir(), "clean")
	if code, _, errs := cli(t, nil, "init", "--data", clean); code != 0 {
		t.Fatal(errs)
	}
	blob := addStoredFile(t, clean, []byte("Target,Start,Cell\n+447700900123,2026-03-29 00:30:00,234-30-1-2\n"))
	if code, out, errs := cli(t, nil, "verify", "--data", clean); code != 0 || !strings.Contains(out, "1 blobs checked") {
		t.Fatalf("clean: %d %q %q", code, out, errs)
	}
	dbBytes, err := os.ReadFile(filepath.Join(clean, store.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(clean, store.DatabaseFile+"-wal")); err == nil {
		t.Fatal("WAL not checkpointed on close")
	}
	// Leaf 1 is stored whole in the database file: find its bytes.
	marker := []byte("marker-for-test")
	end := bytes.Index(dbBytes, marker) + len(marker)
	start := bytes.LastIndex(dbBytes[:end], []byte(provenance.Magic))
	if start < 0 || end < start {
		t.Fatal("leaf bytes not found in the database file")
	}
	t.Logf("leaf 1 occupies bytes %d-%d of the database file", start, end)
	work := filepath.Join(t.TempDir(), "work")
	for off := start; off < end; off++ {
		os.RemoveAll(work)
		copyDir(t, clean, work)
		p := filepath.Join(work, store.DatabaseFile)
		b := append([]byte(nil), dbBytes...)
		b[off] ^= 0x04
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := cli(t, nil, "verify", "--data", work)
		if code == 0 || !strings.Contains(errs, "leaf 1") {
			t.Fatalf("byte %d of leaf 1 changed: exit %d, %q; want non-zero naming leaf 1", off-start, code, errs)
		}
	}
	// Every byte of the blob.
	blobPath := filepath.Join(work, "blobs", "sha256", blob.String()[:2], blob.String()[2:])
	orig, _ := os.ReadFile(filepath.Join(clean, "blobs", "sha256", blob.String()[:2], blob.String()[2:]))
	os.RemoveAll(work)
	copyDir(t, clean, work)
	for off := range orig {
		b := append([]byte(nil), orig...)
		b[off] ^= 0x01
		os.WriteFile(blobPath, b, 0o644)
		code, _, errs := cli(t, nil, "verify", "--data", work)
		if code == 0 || !strings.Contains(errs, "blob "+blob.String()) {
			t.Fatalf("byte %d of the blob changed: exit %d, %q", off, code, errs)
		}
	}
	os.Remove(blobPath)
	if code, _, errs := cli(t, nil, "verify", "--data", work); code == 0 || !strings.Contains(errs, "missing") {
		t.Errorf("blob removed: %d %q", code, errs)
	}
}
