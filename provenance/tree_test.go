package provenance_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/tlog"
)

// The published RFC 6962 test vectors for trees of 0 to 8 leaves.
func TestRFC6962Roots(t *testing.T) {
	inputs := testonly.LeafInputs()
	roots := testonly.RootHashes()
	for n := 0; n <= 8; n++ {
		want := roots[n] // indexed by tree size, from the empty tree
		if n == 0 && !bytes.Equal(want, testonly.EmptyRootHash()) {
			t.Fatal("vector 0 is not the empty root")
		}
		t.Run(fmt.Sprintf("size%d", n), func(t *testing.T) {
			got := provenance.RootOf(inputs[:n])
			if !bytes.Equal(got[:], want) {
				t.Errorf("RootOf(%d leaves) = %x, want %x", n, got[:], want)
			}
			if n == 0 {
				return
			}
			// The stored-hash tree that the log keeps must agree too.
			var stored []tlog.Hash
			for i := 0; i < n; i++ {
				hs, err := tlog.StoredHashes(int64(i), inputs[i], tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
					out := make([]tlog.Hash, len(idx))
					for k, x := range idx {
						out[k] = stored[x]
					}
					return out, nil
				}))
				if err != nil {
					t.Fatal(err)
				}
				stored = append(stored, hs...)
			}
			m := &memStore{}
			for _, h := range stored {
				m.hashes = append(m.hashes, cellsite.Hash(h))
			}
			th, err := tlog.TreeHash(int64(n), tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
				out := make([]tlog.Hash, len(idx))
				for k, x := range idx {
					out[k] = stored[x]
				}
				return out, nil
			}))
			if err != nil || !bytes.Equal(th[:], want) {
				t.Errorf("stored tree hash = %x, %v; want %x", th[:], err, want)
			}
			// Every inclusion proof we make checks, and matches the reference tree's.
			ref := testonly.New(rfc6962.DefaultHasher)
			ref.AppendData(inputs[:n]...)
			for i := 0; i < n; i++ {
				proof, err := provenance.InclusionProof(context.Background(), m, int64(i), int64(n))
				if err != nil {
					t.Fatal(err)
				}
				refProof, _ := ref.InclusionProof(uint64(i), uint64(n))
				if len(proof) != len(refProof) {
					t.Fatalf("proof for %d in %d: %d hashes, reference has %d", i, n, len(proof), len(refProof))
				}
				for k := range proof {
					if !bytes.Equal(proof[k][:], refProof[k]) {
						t.Errorf("proof for %d in %d differs from the reference at %d", i, n, k)
					}
				}
				if err := provenance.CheckInclusion(proof, int64(n), got, int64(i), provenance.LeafHash(inputs[i])); err != nil {
					t.Error(err)
				}
			}
			for old := 1; old <= n; old++ {
				proof, err := provenance.ConsistencyProof(context.Background(), m, int64(old), int64(n))
				if err != nil {
					t.Fatal(err)
				}
				refProof, _ := ref.ConsistencyProof(uint64(old), uint64(n))
				if len(proof) != len(refProof) {
					t.Fatalf("consistency %d→%d: %d hashes, reference has %d", old, n, len(proof), len(refProof))
				}
				oldRoot := provenance.RootOf(inputs[:old])
				if err := provenance.CheckConsistency(proof, int64(n), got, int64(old), oldRoot); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// A differential test of the streaming Range against the reference tree.
func TestRangeMatchesReference(t *testing.T) {
	ref := testonly.New(rfc6962.DefaultHasher)
	var r provenance.Range
	for i := 0; i < 300; i++ {
		leaf := []byte{byte(i), byte(i >> 8), 0x5a}
		ref.AppendData(leaf)
		r.Append(leaf)
		got := r.Root()
		if !bytes.Equal(got[:], ref.Hash()) {
			t.Fatalf("size %d: root %x, reference %x", i+1, got[:], ref.Hash())
		}
	}
}
