package provenance_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"golang.org/x/mod/sumdb/note"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func newLog(t testing.TB, origin string) (*provenance.Log, string, string) {
	t.Helper()
	sk, vk, err := provenance.NewKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	l, err := provenance.New(provenance.Config{SignerKey: sk, VerifierKey: vk})
	if err != nil {
		t.Fatal(err)
	}
	return l, sk, vk
}

func step(i int) provenance.Leaf {
	at := t0.Add(time.Duration(i) * time.Minute)
	return provenance.Leaf{
		Type: provenance.Ingest, Case: fmt.Sprintf("CASE-%d", i%3), Started: at, Ended: at.Add(time.Second),
		Actor:  provenance.Actor{User: "analyst", Role: "analyst"},
		Inputs: []cellsite.Artefact{{Name: fmt.Sprintf("file-%d.csv", i), SHA256: cellsite.Sum([]byte{byte(i)}), Size: int64(100 + i)}},
		Counts: []provenance.Count{{Key: "rows", N: int64(i)}},
		Note:   fmt.Sprintf("step %d", i),
	}
}

// buildLog appends a genesis leaf and n-1 steps in batches of varying size.
func buildLog(t testing.TB, l *provenance.Log, n int) *memStore {
	t.Helper()
	ctx := context.Background()
	m := &memStore{}
	g := provenance.Leaf{Type: provenance.Genesis, Started: t0, Ended: t0}
	if _, _, err := l.Append(ctx, m, g); err != nil {
		t.Fatal(err)
	}
	for i, batch := 1, 1; i < n; batch++ {
		var leaves []provenance.Leaf
		for j := 0; j < batch%4+1 && i < n; j++ {
			leaves = append(leaves, step(i))
			i++
		}
		if _, _, err := l.Append(ctx, m, leaves...); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func TestAppendAndVerify(t *testing.T) {
	ctx := context.Background()
	l, _, vk := newLog(t, "cellsite/test")
	m := buildLog(t, l, 20)
	sum, err := provenance.Verify(ctx, m, vk, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Leaves != 20 || sum.Latest.Size != 20 {
		t.Errorf("summary %+v, want 20 leaves and checkpoint size 20", sum)
	}
	all := make([][]byte, 20)
	copy(all, m.leaves)
	if sum.Latest.Root != provenance.RootOf(all) {
		t.Error("checkpoint root is not the RFC 6962 root of the leaves")
	}
	// The chain: each leaf records the hash of the one before.
	for i := 1; i < 20; i++ {
		lf, _ := provenance.Decode(m.leaves[i])
		if lf.Prev != provenance.LeafHash(m.leaves[i-1]) || lf.Index != int64(i) {
			t.Fatalf("leaf %d: prev %s index %d", i, lf.Prev, lf.Index)
		}
	}
	// Every checkpoint is consistent with the last one.
	cps := make([]provenance.Checkpoint, len(m.checkpoints))
	for i, text := range m.checkpoints {
		if cps[i], err = provenance.OpenCheckpoint(text, vk); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < len(cps); i++ {
		p, err := provenance.ConsistencyProof(ctx, m, cps[i-1].Size, cps[i].Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := provenance.CheckConsistency(p, cps[i].Size, cps[i].Root, cps[i-1].Size, cps[i-1].Root); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendRules(t *testing.T) {
	ctx := context.Background()
	l, _, _ := newLog(t, "cellsite/test")
	m := &memStore{}
	if _, _, err := l.Append(ctx, m, step(1)); cellsite.KindOf(err) != cellsite.Invalid {
		t.Errorf("first leaf not genesis: err = %v, want Invalid", err)
	}
	m = buildLog(t, l, 3)
	if _, _, err := l.Append(ctx, m, provenance.Leaf{Type: provenance.Genesis, Started: t0, Ended: t0}); cellsite.KindOf(err) != cellsite.Invalid {
		t.Errorf("second genesis: err = %v, want Invalid", err)
	}
	bad := step(4)
	bad.Ended = bad.Started.Add(-time.Second)
	if _, _, err := l.Append(ctx, m, bad); cellsite.KindOf(err) != cellsite.Invalid {
		t.Errorf("ends before start: err = %v, want Invalid", err)
	}
	if n, _ := m.LogSize(ctx); n != 3 {
		t.Errorf("refused appends changed the log: size %d, want 3", n)
	}
}

// The log refuses to sign over a stored tree that no longer extends the last
// signed checkpoint, and writes nothing.
func TestAppendRefusesInconsistentTree(t *testing.T) {
	ctx := context.Background()
	l, _, _ := newLog(t, "cellsite/test")
	m := buildLog(t, l, 6)
	// Alter the stored hash of the subtree over leaves 0-3, which the next
	// root and the consistency proof both read.
	m.hashes[6][0] ^= 1
	before, beforeCP := len(m.leaves), len(m.checkpoints)
	_, _, err := l.Append(ctx, m, step(7))
	if cellsite.KindOf(err) != cellsite.Integrity {
		t.Fatalf("err = %v, want Integrity", err)
	}
	if len(m.leaves) != before || len(m.checkpoints) != beforeCP {
		t.Errorf("refused append wrote: %d leaves, %d checkpoints; had %d and %d", len(m.leaves), len(m.checkpoints), before, beforeCP)
	}
}

func TestReceipts(t *testing.T) {
	ctx := context.Background()
	l, _, vk := newLog(t, "cellsite/test")
	m := buildLog(t, l, 13)
	_, _, otherVK := newLog(t, "cellsite/test")
	for i := int64(0); i < 13; i++ {
		rc, err := l.Receipt(ctx, m, i)
		if err != nil {
			t.Fatal(err)
		}
		lf, cp, err := provenance.VerifyReceipt(rc, vk)
		if err != nil {
			t.Fatalf("receipt %d: %v", i, err)
		}
		if lf.Index != i || cp.Size != 13 {
			t.Errorf("receipt %d proves leaf %d in size %d", i, lf.Index, cp.Size)
		}
		if _, _, err := provenance.VerifyReceipt(rc, otherVK); cellsite.KindOf(err) != cellsite.Integrity {
			t.Errorf("receipt %d under another key: err = %v, want Integrity", i, err)
		}
		bad := rc
		bad.Leaf = append([]byte(nil), rc.Leaf...)
		bad.Leaf[len(bad.Leaf)-1] ^= 1
		if _, _, err := provenance.VerifyReceipt(bad, vk); cellsite.KindOf(err) != cellsite.Integrity {
			t.Errorf("receipt %d with altered leaf: err = %v, want Integrity", i, err)
		}
		if len(rc.Proof) > 0 {
			bad = rc
			bad.Proof = append([]cellsite.Hash(nil), rc.Proof...)
			bad.Proof[0][5] ^= 1
			if _, _, err := provenance.VerifyReceipt(bad, vk); cellsite.KindOf(err) != cellsite.Integrity {
				t.Errorf("receipt %d with altered proof: err = %v, want Integrity", i, err)
			}
		}
	}
}

// signBody signs a checkpoint body with a signer key.
func signBody(t *testing.T, sk, origin string, size int64, root cellsite.Hash) []byte {
	t.Helper()
	s, err := note.NewSigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	text, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))}, s)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// Each tampered copy of a log fails verification with Kind Integrity,
// naming the first bad item.
func TestVerifyTampered(t *testing.T) {
	ctx := context.Background()
	const n = 12
	l, sk, vk := newLog(t, "cellsite/test")
	clean := buildLog(t, l, n)
	_, otherSK, _ := newLog(t, "cellsite/test")
	last := int64(len(clean.checkpoints) - 1)

	tests := []struct {
		name       string
		tamper     func(m *memStore)
		leaf       int64 // -1 when a checkpoint is named
		checkpoint int64
		reason     string
	}{
		{"flipped byte in leaf note", func(m *memStore) { b := m.leaves[5]; b[len(b)-1] ^= 0x20 }, 5, -1, "leaf altered"},
		{"flipped byte in leaf index", func(m *memStore) { m.leaves[5][len(provenance.Magic)+7] ^= 1 }, 5, -1, "recording index"},
		{"flipped byte in leaf prev hash", func(m *memStore) {
			off := len(provenance.Magic) + 8 + 4 + len("ingest") + 4 + len("CASE-2")
			m.leaves[5][off] ^= 1
		}, 5, -1, "chain link broken"},
		{"deleted leaf", func(m *memStore) { m.leaves[4] = nil }, 4, -1, "index 5"},
		{"reordered leaves", func(m *memStore) { m.leaves[6], m.leaves[7] = m.leaves[7], m.leaves[6] }, 6, -1, "index 7"},
		{"truncated log", func(m *memStore) { m.leaves = m.leaves[:n-2] }, n - 2, -1, "truncated"},
		{"stored interior hash altered", func(m *memStore) { m.hashes[len(m.hashes)-2][0] ^= 1 }, n - 1, -1, "stored tree hash"},
		{"checkpoint signed by another key", func(m *memStore) {
			cp, _ := provenance.OpenCheckpoint(m.checkpoints[last], vk)
			m.checkpoints[last] = signBody(t, otherSK, cp.Origin, cp.Size, cp.Root)
		}, -1, last, "signature"},
		{"forked checkpoint of the same size", func(m *memStore) {
			cp, _ := provenance.OpenCheckpoint(m.checkpoints[3], vk)
			m.checkpoints = append(m.checkpoints, nil)
			copy(m.checkpoints[5:], m.checkpoints[4:])
			m.checkpoints[4] = signBody(t, sk, cp.Origin, cp.Size, cellsite.Sum([]byte("fork")))
		}, -1, 4, "forked"},
		{"leaf rewritten with all hashes recomputed", func(m *memStore) {
			// An editor without the signing key rebuilds leaves and tree hashes.
			lf, _ := provenance.Decode(m.leaves[2])
			lf.Note = "edited"
			rebuilt := &memStore{}
			l2, _, _ := newLog(t, "cellsite/test")
			for i := range m.leaves {
				x, _ := provenance.Decode(m.leaves[i])
				if i == 2 {
					x = lf
				}
				if _, _, err := l2.Append(ctx, rebuilt, x); err != nil {
					t.Fatal(err)
				}
			}
			m.leaves, m.hashes = rebuilt.leaves, rebuilt.hashes
		}, -1, 1, "forked or altered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clean.clone()
			tt.tamper(m)
			_, err := provenance.Verify(ctx, m, vk, nil)
			if cellsite.KindOf(err) != cellsite.Integrity {
				t.Fatalf("Verify() = %v, want an Integrity error", err)
			}
			f := provenance.FaultOf(err)
			if f == nil {
				t.Fatalf("error %v names no item", err)
			}
			if f.Leaf != tt.leaf || f.Checkpoint != tt.checkpoint || !strings.Contains(f.Reason, tt.reason) {
				t.Errorf("fault = %v (leaf %d, checkpoint %d); want leaf %d, checkpoint %d, reason containing %q", f, f.Leaf, f.Checkpoint, tt.leaf, tt.checkpoint, tt.reason)
			}
		})
	}
	if _, err := provenance.Verify(ctx, clean, vk, nil); err != nil {
		t.Fatalf("clean log after tampering copies: %v", err)
	}
}

// Every single-byte change anywhere in a leaf is detected and names that leaf.
func TestVerifyEveryByteOfALeaf(t *testing.T) {
	ctx := context.Background()
	l, _, vk := newLog(t, "cellsite/test")
	clean := buildLog(t, l, 8)
	const target = 5
	for off := range clean.leaves[target] {
		m := clean.clone()
		m.leaves[target][off] ^= 0x01
		_, err := provenance.Verify(ctx, m, vk, nil)
		f := provenance.FaultOf(err)
		if cellsite.KindOf(err) != cellsite.Integrity || f == nil || f.Leaf != target {
			t.Fatalf("byte %d flipped: Verify() = %v, want a fault naming leaf %d", off, err, target)
		}
	}
}
