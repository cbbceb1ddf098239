package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// serviceRecords adds to an installation what the HTTP service keeps:
// users, a token, a membership, audit records, jobs, a trigger, a hold and
// a pack in the outbox.
func serviceRecords(t *testing.T, d, pack string) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, env{getenv: func(string) string { return "" }}, &location{dir: d}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rel := filepath.Join("packs", "OP-TEST", "OP-TEST-20261127T140000Z.zip")
	if err := os.MkdirAll(filepath.Dir(filepath.Join(d, rel)), 0o750); err != nil {
		t.Fatal(err)
	}
	copyFile(t, pack, filepath.Join(d, rel))
	b, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 14, 0, 0, 123456789, time.UTC)
	err = a.db.Update(ctx, func(tx *store.Tx) error {
		for _, u := range []store.User{
			{Name: "admin", Display: "Administrator", Role: store.RoleAdmin, PasswordHash: "$2a$10$x", CreatedAt: now},
			{Name: "ana", Display: "Ana Lyst", Role: store.RoleAnalyst, PasswordHash: "$2a$10$y", CreatedAt: now, Disabled: true},
		} {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		if err := tx.AddToken(ctx, store.Token{Hash: cellsite.Sum([]byte("token")), User: "admin", Label: "first start", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			return err
		}
		if err := tx.AddMember(ctx, "OP-TEST", "ana", "admin", now); err != nil {
			return err
		}
		for i := range 3 {
			if err := tx.AddAudit(ctx, store.AuditRecord{At: now.Add(time.Duration(i)), User: "ana", Role: "analyst", Case: "OP-TEST", Action: "events.read", Outcome: "ok", Status: 200, Client: "127.0.0.1", RequestID: fmt.Sprint("req_", i)}); err != nil {
				return err
			}
		}
		if err := tx.AddJob(ctx, store.Job{ID: "job_1", Case: "OP-TEST", Kind: "pack", State: store.JobSucceeded, Stage: "done", Request: `{"actor":{"user":"ana","role":"analyst"}}`,
			Result: `{"id":1}`, CreatedAt: now, CreatedBy: "ana", StartedAt: now, FinishedAt: now, Owner: "host-1-abc", Heartbeat: now}); err != nil {
			return err
		}
		if _, err := tx.AddTrigger(ctx, store.Trigger{Case: "OP-TEST", Spec: "0 6 * * *", Zone: "Europe/London", Exhibit: "ABC/2", CreatedAt: now, CreatedBy: "ana", LastDue: now}); err != nil {
			return err
		}
		_, err := tx.AddPack(ctx, store.Pack{Case: "OP-TEST", Path: rel, SHA256: cellsite.Sum(b), Size: int64(len(b)), Exhibit: "ABC/1", CreatedAt: now, CreatedBy: "ana"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := a.db.Blobs.Put(ctx, strings.NewReader("an upload not yet ingested"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.HoldBlob(ctx, "hold_1", h, now); err != nil {
		t.Fatal(err)
	}
}

// dumpTables reads every table of an installation's database as text, each
// table's rows sorted, for comparing two installations value for value.
func dumpTables(t *testing.T, raw *sql.DB, tables []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := raw.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		names, _ := rows.Columns()
		names = slices.Clone(names)
		cols := slices.Sorted(slices.Values(names)) // the engines may order columns differently
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			byName := map[string]*any{}
			for i := range vals {
				ptrs[i] = &vals[i]
				byName[names[i]] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, c := range cols {
				v := *byName[c]
				if b, ok := v.([]byte); ok {
					v = fmt.Sprintf("%x", b)
				}
				parts = append(parts, fmt.Sprintf("%s=%v", c, v))
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Strings(out[table])
	}
	return out
}

func verifyJSON(t *testing.T, env map[string]string, args ...string) map[string]any {
	t.Helper()
	code, out, errs := cli(t, env, append([]string{"verify", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("verify %v: %s", args, errs)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrate moves a SQLite installation with cases, events, analyses, a
// pack and the service's records into PostgreSQL: the copy verifies with
// the same tree size and root, every table holds the same rows, the
// PostgreSQL installation goes on working, and a second migration into it
// is refused.
func TestMigrate(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a pack")
	}
	dsn := storetest.PostgresDSN(t)
	d, pack := packCase(t)
	serviceRecords(t, d, pack)
	before := verifyJSON(t, nil, "--data", d)

	target := filepath.Join(t.TempDir(), "shared")
	code, out, errs := cli(t, nil, "migrate", "--from", d, "--to", dsn, "--blobs", target)
	if code != 0 {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	if !strings.Contains(out, "verified on both") {
		t.Errorf("migrate printed:\n%s", out)
	}
	pgEnv := map[string]string{"CELLSITE_DB": dsn}
	after := verifyJSON(t, pgEnv, "--data", target)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("verify after migration (-SQLite +PostgreSQL):\n%s", diff)
	}

	tables := []string{"meta", "leaves", "tree_hashes", "checkpoints", "blobs", "cases", "sources", "events", "cells", "rejects", "analyses",
		"users", "tokens", "members", "audit", "jobs", "packs", "triggers", "holds"}
	src := dumpTables(t, storetest.OpenRaw(t, store.Config{Dir: d}), tables)
	dst := dumpTables(t, storetest.OpenRaw(t, store.Config{Dir: target, DSN: dsn}), tables)
	for _, table := range tables {
		if len(src[table]) == 0 && table != "meta" && table != "rejects" {
			t.Errorf("the test's installation has no %s: it checks too little", table)
		}
		if diff := cmp.Diff(src[table], dst[table]); diff != "" {
			t.Errorf("table %s (-SQLite +PostgreSQL):\n%s", table, diff)
		}
	}
	for _, f := range []string{"keys/log.key", "keys/log.pub", "packs/OP-TEST/OP-TEST-20261127T140000Z.zip"} {
		a, errA := os.ReadFile(filepath.Join(d, f))
		b, errB := os.ReadFile(filepath.Join(target, f))
		if errA != nil || errB != nil || string(a) != string(b) {
			t.Errorf("%s not copied as is: %v %v", f, errA, errB)
		}
	}
	if fi, err := os.Stat(filepath.Join(target, "keys/log.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("copied signing key: %v %v", fi.Mode(), err)
	}

	// The migrated installation goes on: a new source continues the
	// numbering, and the log still verifies.
	if code, _, errs := cli(t, pgEnv, "case", "create", "OP-AFTER", "--title", "After the move", "--data", target); code != 0 {
		t.Fatalf("case create after migration: %s", errs)
	}
	syn := filepath.Join(t.TempDir(), "synth")
	if code, _, errs := cli(t, nil, "synth", "--seed", "5", "--scenario", "meeting", "--out", syn); code != 0 {
		t.Fatal(errs)
	}
	files, _ := filepath.Glob(filepath.Join(syn, "cells", "*"))
	code, out, errs = cli(t, pgEnv, append([]string{"ingest", "--data", target, "--case", "OP-AFTER", "--kind", "cells", "--json"}, files...)...)
	if code != 0 {
		t.Fatalf("ingest after migration: %s %s", out, errs)
	}
	var results []struct{ Source int64 }
	if err := json.Unmarshal([]byte(out), &results); err != nil || len(results) == 0 {
		t.Fatalf("ingest --json: %v %s", err, out)
	}
	if want := int64(len(src["sources"])) + 1; results[0].Source != want {
		t.Errorf("first source after migration has ID %d, want %d", results[0].Source, want)
	}
	again := verifyJSON(t, pgEnv, "--data", target)
	if again["leaves"].(float64) != before["leaves"].(float64)+1+float64(len(files)) {
		t.Errorf("after a case and %d ingests: %v, before %v", len(files), again, before)
	}

	// A second migration into the same database is refused.
	code, _, errs = cli(t, nil, "migrate", "--from", d, "--to", dsn, "--blobs", filepath.Join(t.TempDir(), "other"))
	if code != 1 || !strings.Contains(errs, "already holds records") {
		t.Errorf("migrating into a used database: %d %s", code, errs)
	}

	// Without --blobs the originals stay where they are.
	dsn2 := storetest.PostgresDSN(t)
	if code, out, errs := cli(t, nil, "migrate", "--from", d, "--to", dsn2); code != 0 {
		t.Fatalf("migrate in place: %d %s %s", code, out, errs)
	}
	inPlace := verifyJSON(t, map[string]string{"CELLSITE_DB": dsn2}, "--data", d)
	if diff := cmp.Diff(before, inPlace); diff != "" {
		t.Errorf("verify after migration in place (-SQLite +PostgreSQL):\n%s", diff)
	}
}
