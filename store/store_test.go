package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/store/storetest"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// openTemp opens a new installation on backend, closed when the test ends.
func openTemp(t testing.TB, backend string) (*store.DB, store.Config) {
	t.Helper()
	cfg := storetest.Config(t, backend)
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, cfg
}

func newLog(t testing.TB) (*provenance.Log, string) {
	t.Helper()
	sk, vk, err := provenance.NewKey("cellsite/storetest")
	if err != nil {
		t.Fatal(err)
	}
	l, err := provenance.New(provenance.Config{SignerKey: sk, VerifierKey: vk})
	if err != nil {
		t.Fatal(err)
	}
	return l, vk
}

func leaf(i int) provenance.Leaf {
	at := t0.Add(time.Duration(i) * time.Second)
	typ := provenance.Ingest
	if i == 0 {
		typ = provenance.Genesis
	}
	return provenance.Leaf{Type: typ, Case: fmt.Sprintf("C%d", i%2), Started: at, Ended: at,
		Inputs: []cellsite.Artefact{{Name: "f", SHA256: cellsite.Sum([]byte{byte(i)}), Size: int64(i)}},
		Note:   fmt.Sprintf("leaf %d", i)}
}

// fill appends n leaves in transactions of batch leaves each.
func fill(t testing.TB, db *store.DB, l *provenance.Log, n, batch int) {
	t.Helper()
	ctx := context.Background()
	var size int64
	_ = db.View(ctx, func(tx *store.Tx) (err error) { size, err = tx.LogSize(ctx); return })
	for i := int(size); i < int(size)+n; i += batch {
		var ls []provenance.Leaf
		for j := i; j < i+batch && j < int(size)+n; j++ {
			ls = append(ls, leaf(j))
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			_, _, err := l.Append(ctx, tx, ls...)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t testing.TB, db *store.DB, vk string) (provenance.Summary, error) {
	t.Helper()
	var sum provenance.Summary
	err := db.View(context.Background(), func(tx *store.Tx) (err error) {
		sum, err = provenance.Verify(context.Background(), tx, vk, nil)
		return err
	})
	return sum, err
}

func TestOpen(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		cfg := storetest.Config(t, backend)
		cfg.Create = false
		if _, err := store.Open(ctx, cfg); cellsite.KindOf(err) != cellsite.NotFound {
			t.Errorf("open without create: err = %v, want NotFound", err)
		}
		cfg.Create = true
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if db.Backend() != backend {
			t.Errorf("backend %q, want %q", db.Backend(), backend)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Errorf("schema version %d, %v", v, err)
		}
		db.Close()
		// Reopening applies nothing twice.
		cfg.Create = false
		db, err = store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		v2, _ := db.SchemaVersion(ctx)
		if v2 != v {
			t.Errorf("schema version changed on reopen: %d → %d", v, v2)
		}
	})
}

// The migrations of both engines are numbered alike: the same version
// means the same tables on either.
func TestMigrationsPaired(t *testing.T) {
	var names [2][]string
	for i, engine := range []string{"sqlite", "postgres"} {
		entries, err := os.ReadDir(filepath.Join("migrations", engine))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names[i] = append(names[i], e.Name())
		}
	}
	if diff := cmp.Diff(names[0], names[1]); diff != "" {
		t.Errorf("SQLite and PostgreSQL migrations differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db, _ := openTemp(t, backend)
		l, vk := newLog(t)
		fill(t, db, l, 1, 1)
		fill(t, db, l, 60, 7)
		sum, err := verify(t, db, vk)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Leaves != 61 || sum.Latest.Size != 61 {
			t.Errorf("summary %+v", sum)
		}
		err = db.View(ctx, func(tx *store.Tx) error {
			for i := int64(0); i < 61; i += 5 {
				rc, err := l.Receipt(ctx, tx, i)
				if err != nil {
					return err
				}
				if _, _, err := provenance.VerifyReceipt(rc, vk); err != nil {
					return err
				}
			}
			idx, err := tx.LeafIndexes(ctx, "C1")
			if err != nil {
				return err
			}
			if len(idx) != 30 || idx[0] != 1 {
				return fmt.Errorf("leaves of C1: %v", idx)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestConcurrentAppends: two handles on one database (as two processes
// have) append at once; the log never forks: every leaf is there once, in
// one chain, under one run of checkpoints.
func TestConcurrentAppends(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db1, cfg := openTemp(t, backend)
		cfg.Create = false
		db2, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		l, vk := newLog(t)
		fill(t, db1, l, 1, 1)
		const each = 40
		errs := make(chan error, 2)
		for w, db := range []*store.DB{db1, db2} {
			go func() {
				for i := range each {
					lf := leaf(1)
					lf.Note = fmt.Sprintf("writer %d leaf %d", w, i)
					err := db.Update(ctx, func(tx *store.Tx) error {
						_, _, err := l.Append(ctx, tx, lf)
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		sum, err := verify(t, db2, vk)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Leaves != 1+2*each || sum.Checkpoints != 1+2*each {
			t.Errorf("after concurrent appends: %+v, want %d leaves and checkpoints", sum, 1+2*each)
		}
		seen := map[string]bool{}
		err = db1.View(ctx, func(tx *store.Tx) error {
			for i := int64(1); i < sum.Leaves; i++ {
				lf, _, err := provenance.Get(ctx, tx, i)
				if err != nil {
					return err
				}
				if seen[lf.Note] {
					return fmt.Errorf("%q appended twice", lf.Note)
				}
				seen[lf.Note] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// A failed transaction leaves no leaf, hash or checkpoint behind.
func TestUpdateRollsBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db, _ := openTemp(t, backend)
		l, vk := newLog(t)
		fill(t, db, l, 3, 3)
		boom := errors.New("step failed after appending")
		err := db.Update(ctx, func(tx *store.Tx) error {
			if _, _, err := l.Append(ctx, tx, leaf(3)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update() = %v", err)
		}
		sum, err := verify(t, db, vk)
		if err != nil || sum.Leaves != 3 || sum.Checkpoints != 1 {
			t.Errorf("after rollback: %+v, %v; want 3 leaves, 1 checkpoint", sum, err)
		}
	})
}

// rawDB opens the installation's database directly, around the store.
func rawDB(t *testing.T, cfg store.Config) *sql.DB { return storetest.OpenRaw(t, cfg) }

func TestAppendOnly(t *testing.T) {
	tampers := map[string][]string{
		"sqlite": {
			`UPDATE leaves SET data = x'00' WHERE idx = 1`,
			`DELETE FROM leaves WHERE idx = 2`,
			`UPDATE tree_hashes SET hash = x'00' WHERE idx = 0`,
			`DELETE FROM checkpoints`,
			`DELETE FROM blobs`,
			`DELETE FROM audit`,
		},
		"postgres": {
			`UPDATE leaves SET data = '\x00'::bytea WHERE idx = 1`,
			`DELETE FROM leaves WHERE idx = 2`,
			`UPDATE tree_hashes SET hash = '\x00'::bytea WHERE idx = 0`,
			`DELETE FROM checkpoints`,
			`DELETE FROM blobs`,
			`DELETE FROM audit`,
			`TRUNCATE leaves`,
			`TRUNCATE tree_hashes`,
			`TRUNCATE checkpoints`,
			`TRUNCATE blobs`,
			`TRUNCATE audit`,
		},
	}
	storetest.Run(t, func(t *testing.T, backend string) {
		db, cfg := openTemp(t, backend)
		l, _ := newLog(t)
		fill(t, db, l, 3, 3)
		ctx := context.Background()
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.RegisterBlob(ctx, cellsite.Sum(nil), 0); err != nil {
				return err
			}
			return tx.AddAudit(ctx, store.AuditRecord{At: t0, User: "ann", Action: "case.read"})
		})
		if err != nil {
			t.Fatal(err)
		}
		raw := rawDB(t, cfg)
		for _, q := range tampers[backend] {
			if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only refusal", q, err)
			}
		}
	})
}

// Tampering with the database directly (triggers dropped) is caught by
// Verify, which names the leaf.
func TestVerifyTamperedDatabase(t *testing.T) {
	tests := []struct {
		name     string
		sqlite   string
		postgres string
		leaf     int64
	}{
		{"byte flipped in a leaf",
			`UPDATE leaves SET data = substr(data, 1, 40) || x'ff' || substr(data, 42) WHERE idx = 4`,
			`UPDATE leaves SET data = overlay(data placing '\xff'::bytea from 41 for 1) WHERE idx = 4`, 4},
		{"leaf deleted", `DELETE FROM leaves WHERE idx = 6`, `DELETE FROM leaves WHERE idx = 6`, 6},
		{"log truncated", `DELETE FROM leaves WHERE idx >= 9`, `DELETE FROM leaves WHERE idx >= 9`, 9},
		{"leaves swapped",
			`UPDATE leaves SET idx = -1 WHERE idx = 2; UPDATE leaves SET idx = 2 WHERE idx = 3; UPDATE leaves SET idx = 3 WHERE idx = -1`,
			`UPDATE leaves SET idx = -1 WHERE idx = 2; UPDATE leaves SET idx = 2 WHERE idx = 3; UPDATE leaves SET idx = 3 WHERE idx = -1`, 2},
	}
	drop := map[string]string{
		"sqlite":   `DROP TRIGGER leaves_append_only_u; DROP TRIGGER leaves_append_only_d`,
		"postgres": `DROP TRIGGER leaves_append_only ON leaves`,
	}
	storetest.Run(t, func(t *testing.T, backend string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db, cfg := openTemp(t, backend)
				l, vk := newLog(t)
				fill(t, db, l, 12, 4)
				raw := rawDB(t, cfg)
				if _, err := raw.Exec(drop[backend]); err != nil {
					t.Fatal(err)
				}
				q := tt.sqlite
				if backend == "postgres" {
					q = tt.postgres
				}
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
				_, err := verify(t, db, vk)
				f := provenance.FaultOf(err)
				if cellsite.KindOf(err) != cellsite.Integrity || f == nil || f.Leaf != tt.leaf {
					t.Errorf("Verify() = %v, want Integrity naming leaf %d", err, tt.leaf)
				}
			})
		}
	})
}

func TestBlobs(t *testing.T) {
	storetest.Run(t, testBlobs)
}

func testBlobs(t *testing.T, backend string) {
	ctx := context.Background()
	db, _ := openTemp(t, backend)
	content := []byte("MSISDN,Start\n447700900001,2026-01-01 10:00:00\n")
	h, n, err := db.Blobs.Put(ctx, bytes.NewReader(content), 0)
	if err != nil {
		t.Fatal(err)
	}
	if h != cellsite.Sum(content) || n != int64(len(content)) {
		t.Fatalf("Put = %s, %d", h, n)
	}
	if _, _, err := db.Blobs.Put(ctx, bytes.NewReader(content), 0); err != nil {
		t.Errorf("second Put of the same bytes: %v", err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.RegisterBlob(ctx, h, n) }); err != nil {
		t.Fatal(err)
	}
	f, err := db.Blobs.Open(h)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(db.Blobs.Path(h))
	if fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("blob is writable: %v", fi.Mode())
	}
	reg := map[cellsite.Hash]int64{h: n}
	rep, err := db.Blobs.Verify(ctx, reg, nil)
	if err != nil || rep.Checked != 1 || rep.Bytes != n {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}

	// Over the size limit: refused, nothing left behind.
	big := bytes.Repeat([]byte("x"), 1000)
	if _, _, err := db.Blobs.Put(ctx, bytes.NewReader(big), 999); cellsite.KindOf(err) != cellsite.Invalid {
		t.Errorf("over limit: err = %v, want Invalid", err)
	}
	if left, _ := os.ReadDir(filepath.Join(db.Dir(), "blobs", "tmp")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
	if _, err := os.Stat(db.Blobs.Path(cellsite.Sum(big))); err == nil {
		t.Error("refused blob was stored")
	}

	// One byte changed: named.
	p := db.Blobs.Path(h)
	os.Chmod(p, 0o644)
	b, _ := os.ReadFile(p)
	b[10] ^= 1
	os.WriteFile(p, b, 0o444)
	_, err = db.Blobs.Verify(ctx, reg, nil)
	if cellsite.KindOf(err) != cellsite.Integrity || !strings.Contains(err.Error(), h.String()) {
		t.Errorf("modified blob: err = %v, want Integrity naming %s", err, h)
	}
	if _, _, err := db.Blobs.Put(ctx, bytes.NewReader(content), 0); cellsite.KindOf(err) != cellsite.Integrity {
		t.Errorf("Put over a damaged copy: err = %v, want Integrity", err)
	}
	// Removed: named as missing.
	os.Remove(p)
	_, err = db.Blobs.Verify(ctx, reg, nil)
	if cellsite.KindOf(err) != cellsite.Integrity || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing blob: err = %v", err)
	}
}

func TestPutCancelled(t *testing.T) {
	db, _ := openTemp(t, "sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := db.Blobs.Put(ctx, strings.NewReader("data"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	storetest.Run(t, testEventsRoundTrip)
}

func testEventsRoundTrip(t *testing.T, backend string) {
	ctx := context.Background()
	db, _ := openTemp(t, backend)
	src := cellsite.Sum([]byte("original"))
	evs := []cellsite.Event{
		{Source: src, Row: 2, Target: "+447700900123", TargetRaw: "07700 900123", Other: "+447700900456", OtherKind: "msisdn", OtherRaw: "+447700900456",
			Type: "voice", Direction: "out", TypeRaw: "MOC", Start: t0, StartRaw: "01/11/2026 09:00:00", TimeBasis: "uk-local", DurationS: 70, DurationRaw: "0:01:10",
			FirstCell: "234-30-129097582", FirstCellRaw: "7B1D31E", LastCell: "234-30-129097582", LastCellRaw: "234-30-129097582",
			IMEI: "351234567890125", IMEIRaw: "'351234567890125", IMSI: "234301234567890", IMSIRaw: "234301234567890", Bytes: -1, Warnings: []string{"a", "b"}},
		{Source: src, Sheet: "Calls", Row: 3, Target: "+447700900123", TargetRaw: "+447700900123", OtherKind: "withheld", OtherRaw: "WITHHELD\x1fodd\x1a",
			Type: "data", TypeRaw: "GPRS", Start: t0.Add(time.Minute), StartRaw: "x", TimeBasis: "utc", TimeFlag: "ambiguous", Bytes: 1234, ChargingID: "C1", APN: "internet", DuplicateOf: 2},
		{Source: src, Row: 4, Target: "+447700900123", TargetRaw: "\x1e", Type: "other", TypeRaw: "", Start: t0.Add(2 * time.Minute), StartRaw: "\x1a\x1f\x1e", DurationS: -1, DurationRaw: "??", Bytes: -1,
			IMEIRaw: "\x1e", IMSI: "234", IMSIRaw: "234"},
	}
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCase(ctx, cellsite.Case{Ref: "C", Title: "t", CreatedAt: t0}); err != nil {
			return err
		}
		sid, err := tx.AddSource(ctx, cellsite.Source{Case: "C", Kind: "cdr", Name: "f.csv", SHA256: src, Summary: []byte("{}")})
		if err != nil {
			return err
		}
		return tx.InsertEvents(ctx, sid, "C", evs)
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []cellsite.Event
	err = db.View(ctx, func(tx *store.Tx) error {
		return tx.Events(ctx, store.EventFilter{Case: "C", IncludeRepeated: true}, func(e cellsite.Event, _ int64) error {
			got = append(got, e)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(evs, got); diff != "" {
		t.Errorf("events round trip (-want +got):\n%s", diff)
	}
}

// TestEventFilters checks the filters of Events against a plain reading
// of every event: by target, time range and cells.
func TestEventFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db, _ := openTemp(t, backend)
		targets := []string{"+447700900001", "+447700900002", "+447700900003"}
		cells := []string{"234-30-1", "234-30-2", "234-30-3", "234-30-4"}
		var evs []cellsite.Event
		for i := range 120 {
			e := cellsite.Event{Row: i + 2, Target: targets[i%3], Type: "voice", Start: t0.Add(time.Duration(i*7) * time.Minute),
				FirstCell: cells[i%4], LastCell: cells[i%4], DurationS: 1, Bytes: -1}
			if i%5 == 0 {
				e.LastCell = cells[(i+1)%4] // moved during the call
			}
			evs = append(evs, e)
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCase(ctx, cellsite.Case{Ref: "C", Title: "t", CreatedAt: t0}); err != nil {
				return err
			}
			if err := tx.CreateCase(ctx, cellsite.Case{Ref: "OTHER", Title: "t", CreatedAt: t0}); err != nil {
				return err
			}
			for _, c := range []string{"C", "OTHER"} {
				sid, err := tx.AddSource(ctx, cellsite.Source{Case: c, Kind: "cdr", Name: "f.csv", SHA256: cellsite.Sum([]byte(c)), Summary: []byte("{}")})
				if err != nil {
					return err
				}
				if err := tx.InsertEvents(ctx, sid, c, evs); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		from, to := t0.Add(100*time.Minute).UnixNano(), t0.Add(500*time.Minute).UnixNano()
		for _, f := range []store.EventFilter{
			{Case: "C"},
			{Case: "C", Target: targets[1]},
			{Case: "C", Target: targets[1], From: from, To: to},
			{Case: "C", Cells: []string{cells[1]}},
			{Case: "C", Cells: []string{cells[0], cells[3]}, From: from, To: to},
			{Case: "C", Target: targets[2], Cells: []string{cells[2]}},
			{Case: "C", Cells: []string{"234-30-99"}},
		} {
			var want []int
			for _, e := range evs {
				ns := e.Start.UnixNano()
				if f.Target != "" && e.Target != f.Target || f.From != 0 && ns < f.From || f.To != 0 && ns >= f.To {
					continue
				}
				if len(f.Cells) > 0 && !slices.Contains(f.Cells, e.FirstCell) && !slices.Contains(f.Cells, e.LastCell) {
					continue
				}
				want = append(want, e.Row)
			}
			var got []int
			err := db.View(ctx, func(tx *store.Tx) error {
				return tx.Events(ctx, f, func(e cellsite.Event, _ int64) error {
					got = append(got, e.Row)
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Events(%+v) rows (-want +got):\n%s", f, diff)
			}
		}
	})
}

// TestConflicts: the same case, source or user twice is a Conflict on
// either backend.
func TestConflicts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db, _ := openTemp(t, backend)
		src := cellsite.Source{Case: "C", Kind: "cdr", Name: "f.csv", SHA256: cellsite.Sum([]byte("f")), Summary: []byte("{}")}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCase(ctx, cellsite.Case{Ref: "C", Title: "t", CreatedAt: t0}); err != nil {
				return err
			}
			if _, err := tx.AddSource(ctx, src); err != nil {
				return err
			}
			return tx.CreateUser(ctx, store.User{Name: "ann", Display: "Ann", Role: store.RoleAnalyst, PasswordHash: "-", CreatedAt: t0, Disabled: true})
		})
		if err != nil {
			t.Fatal(err)
		}
		for name, fn := range map[string]func(tx *store.Tx) error{
			"case": func(tx *store.Tx) error {
				return tx.CreateCase(ctx, cellsite.Case{Ref: "C", Title: "again", CreatedAt: t0})
			},
			"source": func(tx *store.Tx) error { _, err := tx.AddSource(ctx, src); return err },
			"user": func(tx *store.Tx) error {
				return tx.CreateUser(ctx, store.User{Name: "ann", Display: "Ann", Role: store.RoleAnalyst, PasswordHash: "-", CreatedAt: t0})
			},
		} {
			if err := db.Update(ctx, fn); cellsite.KindOf(err) != cellsite.Conflict {
				t.Errorf("%s twice: err = %v, want Conflict", name, err)
			}
		}
		var u store.User
		if err := db.View(ctx, func(tx *store.Tx) (err error) { u, err = tx.User(ctx, "ann"); return }); err != nil || !u.Disabled {
			t.Errorf("user read back: %+v, %v; want disabled", u, err)
		}
	})
}

// TestHolds: a held blob survives a failed ingest's discard, whichever
// handle (process) holds it; an unheld, unregistered one does not; a blob
// discarded before it could be held is refused.
func TestHolds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db1, cfg := openTemp(t, backend)
		cfg.Create = false
		db2, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		h, _, err := db1.Blobs.Put(ctx, strings.NewReader("an original"), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := db1.HoldBlob(ctx, "h1", h, t0); err != nil {
			t.Fatal(err)
		}
		if err := db2.HoldBlob(ctx, "h2", h, t0); err != nil {
			t.Fatal(err)
		}
		stored := func() bool { _, err := os.Stat(db1.Blobs.Path(h)); return err == nil }
		if err := db1.DiscardBlob(ctx, h, "h1"); err != nil || !stored() {
			t.Fatalf("discard while another process holds it: %v, stored %v", err, stored())
		}
		if err := db2.DiscardBlob(ctx, h, "h2"); err != nil || stored() {
			t.Fatalf("discard of the last hold: %v, stored %v", err, stored())
		}
		if err := db1.HoldBlob(ctx, "h3", h, t0); cellsite.KindOf(err) != cellsite.Conflict {
			t.Errorf("hold on a discarded blob: %v, want Conflict", err)
		}
		// A registered blob is never discarded.
		h, n, err := db1.Blobs.Put(ctx, strings.NewReader("registered"), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := db1.HoldBlob(ctx, "h4", h, t0); err != nil {
			t.Fatal(err)
		}
		if err := db1.Update(ctx, func(tx *store.Tx) error { return tx.RegisterBlob(ctx, h, n) }); err != nil {
			t.Fatal(err)
		}
		if err := db2.DiscardBlob(ctx, h, "h4"); err != nil || !stored() {
			t.Errorf("discard of a registered blob: %v, stored %v", err, stored())
		}
	})
}

// TestEventsNeedTheirSource: an event of a source that does not exist is
// refused on either backend, as is deleting a source that has events.
func TestEventsNeedTheirSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db, cfg := openTemp(t, backend)
		ev := []cellsite.Event{{Row: 2, Target: "+447700900001", Type: "voice", Start: t0, FirstCell: "234-30-1", Bytes: -1}}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCase(ctx, cellsite.Case{Ref: "C", Title: "t", CreatedAt: t0}); err != nil {
				return err
			}
			return tx.InsertEvents(ctx, 999, "C", ev)
		})
		if err == nil {
			t.Error("events of source 999, which does not exist, were stored")
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCase(ctx, cellsite.Case{Ref: "C", Title: "t", CreatedAt: t0}); err != nil {
				return err
			}
			sid, err := tx.AddSource(ctx, cellsite.Source{Case: "C", Kind: "cdr", Name: "f.csv", SHA256: cellsite.Sum([]byte("f")), Summary: []byte("{}")})
			if err != nil {
				return err
			}
			return tx.InsertEvents(ctx, sid, "C", ev)
		})
		if err != nil {
			t.Fatal(err)
		}
		if backend == "postgres" { // SQLite enforces its foreign keys per connection, the store's
			raw := rawDB(t, cfg)
			for _, q := range []string{`DELETE FROM sources`, `UPDATE sources SET id = 5`} {
				if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "has events") {
					t.Errorf("%s: %v, want a refusal", q, err)
				}
			}
		}
	})
}

// TestBinaryOrder: lists come out in the same order on both backends,
// bytewise as SQLite compares text, whatever PostgreSQL's locale.
func TestBinaryOrder(t *testing.T) {
	refs := []string{"b", "B", "a", "A", "a-1", "a_1", "a.1", "Z/9", "z/10", "é"}
	want := slices.Clone(refs)
	slices.Sort(want)
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db, _ := openTemp(t, backend)
		err := db.Update(ctx, func(tx *store.Tx) error {
			for _, r := range refs {
				if err := tx.CreateCase(ctx, cellsite.Case{Ref: r, Title: "t", CreatedAt: t0}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		err = db.View(ctx, func(tx *store.Tx) error {
			cs, err := tx.Cases(ctx)
			for _, c := range cs {
				got = append(got, c.Ref)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("cases in order (-bytewise +got):\n%s", diff)
		}
	})
}

// TestExplainEvents: the store says how it runs an events query.
func TestExplainEvents(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		db, _ := openTemp(t, backend)
		var plan string
		err := db.View(ctx, func(tx *store.Tx) (err error) {
			plan, err = tx.ExplainEvents(ctx, store.EventFilter{Case: "C", Cells: []string{"234-30-1"}, From: 1, To: 2})
			return err
		})
		if err != nil || strings.TrimSpace(plan) == "" {
			t.Errorf("plan %q, %v", plan, err)
		}
	})
}
