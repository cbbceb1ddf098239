package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func openTemp(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{Dir: t.TempDir(), Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
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
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := store.Open(ctx, store.Config{Dir: dir}); cellsite.KindOf(err) != cellsite.NotFound {
		t.Errorf("open without create: err = %v, want NotFound", err)
	}
	db, err := store.Open(ctx, store.Config{Dir: dir, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Errorf("schema version %d, %v", v, err)
	}
	db.Close()
	// Reopening applies nothing twice.
	db, err = store.Open(ctx, store.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v2, _ := db.SchemaVersion(ctx)
	if v2 != v {
		t.Errorf("schema version changed on reopen: %d → %d", v, v2)
	}
}

func TestLogOnSQLite(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
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
}

// A failed transaction leaves no leaf, hash or checkpoint behind.
func TestUpdateRollsBack(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
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
}

func rawDB(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(db.Dir(), store.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestAppendOnly(t *testing.T) {
	db := openTemp(t)
	l, _ := newLog(t)
	fill(t, db, l, 3, 3)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.RegisterBlob(ctx, cellsite.Sum(nil), 0) }); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, db)
	for _, q := range []string{
		`UPDATE leaves SET data = x'00' WHERE idx = 1`,
		`DELETE FROM leaves WHERE idx = 2`,
		`UPDATE tree_hashes SET hash = x'00' WHERE idx = 0`,
		`DELETE FROM checkpoints`,
		`DELETE FROM blobs`,
	} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refusal", q, err)
		}
	}
}

// Tampering with the database directly (triggers dropped) is caught by
// Verify, which names the leaf.
func TestVerifyTamperedDatabase(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		leaf int64
	}{
		{"byte flipped in a leaf", `UPDATE leaves SET data = substr(data, 1, 40) || x'ff' || substr(data, 42) WHERE idx = 4`, 4},
		{"leaf deleted", `DELETE FROM leaves WHERE idx = 6`, 6},
		{"log truncated", `DELETE FROM leaves WHERE idx >= 9`, 9},
		{"leaves swapped", `UPDATE leaves SET idx = -1 WHERE idx = 2; UPDATE leaves SET idx = 2 WHERE idx = 3; UPDATE leaves SET idx = 3 WHERE idx = -1`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTemp(t)
			l, vk := newLog(t)
			fill(t, db, l, 12, 4)
			raw := rawDB(t, db)
			if _, err := raw.Exec(`DROP TRIGGER leaves_append_only_u; DROP TRIGGER leaves_append_only_d`); err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(tt.sql); err != nil {
				t.Fatal(err)
			}
			_, err := verify(t, db, vk)
			f := provenance.FaultOf(err)
			if cellsite.KindOf(err) != cellsite.Integrity || f == nil || f.Leaf != tt.leaf {
				t.Errorf("Verify() = %v, want Integrity naming leaf %d", err, tt.leaf)
			}
		})
	}
}

func TestBlobs(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
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
	db := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := db.Blobs.Put(ctx, strings.NewReader("data"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
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
