package provenance

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cellsite/cellsite"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Fault names the first item of a log that failed verification.
type Fault struct {
	Leaf       int64  // index of the bad leaf, or -1
	Checkpoint int64  // position of the bad checkpoint in storage order, or -1
	Reason     string // what is wrong with it
}

// Error returns "leaf N: reason" or "checkpoint N: reason".
func (f *Fault) Error() string {
	switch {
	case f.Leaf >= 0:
		return fmt.Sprintf("leaf %d: %s", f.Leaf, f.Reason)
	case f.Checkpoint >= 0:
		return fmt.Sprintf("checkpoint %d: %s", f.Checkpoint, f.Reason)
	default:
		return f.Reason
	}
}

func leafFault(i int64, format string, args ...any) error {
	return &cellsite.Error{Op: "verify", Kind: cellsite.Integrity, Err: &Fault{Leaf: i, Checkpoint: -1, Reason: fmt.Sprintf(format, args...)}}
}

func checkpointFault(i int64, format string, args ...any) error {
	return &cellsite.Error{Op: "verify", Kind: cellsite.Integrity, Err: &Fault{Leaf: -1, Checkpoint: i, Reason: fmt.Sprintf(format, args...)}}
}

// FaultOf returns the Fault in err's chain, or nil.
func FaultOf(err error) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	return nil
}

// Summary describes a log that verified.
type Summary struct {
	Leaves      int64      `json:"leaves"`
	Checkpoints int64      `json:"checkpoints"`
	Latest      Checkpoint `json:"latest"`
	Fingerprint string     `json:"fingerprint"` // of the verifier key used
}

// VerifyBatch is how many leaves Verify reads at a time.
const VerifyBatch = 4096

// Verify checks a whole stored log against a verifier key, recomputing
// everything from the leaf bytes: it decodes every leaf, checks its index and
// its link to the leaf before, recomputes every stored tree hash and the
// Merkle root at every checkpoint's size, and checks every checkpoint's
// signature and that their sizes never decrease. Signed roots of equal size
// that differ (a fork) fail at the one that disagrees with the leaves.
//
// The first failure is returned as an Integrity error wrapping a *Fault that
// names the leaf or checkpoint. progress, if not nil, is called with the
// number of leaves checked so far and the total.
func Verify(ctx context.Context, r Reader, verifierKey string, progress func(done, total int64)) (Summary, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Summary{}, cellsite.Errorf(cellsite.Invalid, "verify", "verifier key: %v", err)
	}
	fp, err := Fingerprint(verifierKey)
	if err != nil {
		return Summary{}, err
	}
	size, err := r.LogSize(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("verify: %w", err)
	}
	ncp, err := r.CheckpointCount(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("verify: %w", err)
	}

	// Checkpoints: signatures, order, and the (size, root) pairs to match.
	type head struct {
		seq  int64
		size int64
		root cellsite.Hash
	}
	heads := make([]head, 0, ncp)
	var latest Checkpoint
	for start := int64(0); start < ncp; start += VerifyBatch {
		texts, err := r.ReadCheckpoints(ctx, start, min(VerifyBatch, ncp-start))
		if err != nil {
			return Summary{}, fmt.Errorf("verify: %w", err)
		}
		if want := min(VerifyBatch, ncp-start); int64(len(texts)) != want {
			return Summary{}, checkpointFault(start+int64(len(texts)), "missing (%d of %d stored in positions %d to %d)", len(texts), want, start, start+want-1)
		}
		for j, t := range texts {
			seq := start + int64(j)
			cp, err := openCheckpoint(t, v)
			if err != nil {
				return Summary{}, checkpointFault(seq, "%v", errors.Unwrap(err))
			}
			if len(heads) > 0 && cp.Size < heads[len(heads)-1].size {
				return Summary{}, checkpointFault(seq, "signs size %d after a checkpoint of size %d", cp.Size, heads[len(heads)-1].size)
			}
			heads = append(heads, head{seq, cp.Size, cp.Root})
			latest = cp
		}
	}
	switch {
	case size == 0:
		return Summary{}, leafFault(0, "missing: the log is empty (a log begins with its genesis leaf)")
	case len(heads) == 0:
		return Summary{}, leafFault(0, "no signed checkpoint covers the log")
	case latest.Size > size:
		return Summary{}, leafFault(size, "missing: checkpoint %d signs %d leaves but the log holds %d (truncated)", heads[len(heads)-1].seq, latest.Size, size)
	case latest.Size < size:
		return Summary{}, leafFault(latest.Size, "not covered by any signed checkpoint (latest signs %d leaves)", latest.Size)
	}

	var (
		rng      Range
		prev     cellsite.Hash
		next     int // next head to match
		computed []cellsite.Hash
	)
	for next < len(heads) && heads[next].size == 0 {
		if heads[next].root != EmptyRoot {
			return Summary{}, checkpointFault(heads[next].seq, "root of the empty tree is wrong")
		}
		next++
	}
	for start := int64(0); start < size; start += VerifyBatch {
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
		n := min(VerifyBatch, size-start)
		leaves, err := r.ReadLeaves(ctx, start, n)
		if err != nil {
			return Summary{}, fmt.Errorf("verify: %w", err)
		}
		hstart, hend := tlog.StoredHashIndex(0, start), tlog.StoredHashIndex(0, start+n)
		idx := make([]int64, hend-hstart)
		for k := range idx {
			idx[k] = hstart + int64(k)
		}
		stored, err := r.ReadHashes(ctx, idx)
		if err != nil {
			return Summary{}, fmt.Errorf("verify: %w", err)
		}
		if len(stored) != len(idx) {
			return Summary{}, leafFault(start, "tree hashes missing from storage")
		}
		for j, data := range leaves {
			i := start + int64(j)
			lf, err := Decode(data)
			if err != nil {
				return Summary{}, leafFault(i, "%v", errors.Unwrap(err))
			}
			if lf.Index != i {
				return Summary{}, leafFault(i, "found a leaf recording index %d in its place (leaves deleted, reordered or altered)", lf.Index)
			}
			if (i == 0) != (lf.Type == Genesis) {
				return Summary{}, leafFault(i, "type %q where the log %s a genesis leaf", lf.Type, map[bool]string{true: "must begin with", false: "may not have another"}[i == 0])
			}
			if lf.Prev != prev {
				return Summary{}, leafFault(i, "chain link broken: records previous hash %s, but leaf %d hashes to %s", lf.Prev, i-1, prev)
			}
			h := LeafHash(data)
			computed = rng.AppendHash(h, computed[:0])
			off := tlog.StoredHashIndex(0, i) - hstart
			for k, c := range computed {
				if stored[off+int64(k)] != c {
					if k == 0 {
						return Summary{}, leafFault(i, "bytes do not match the recorded leaf hash (leaf altered)")
					}
					return Summary{}, leafFault(i, "stored tree hash %d, completed by this leaf, does not match the recomputed tree", off+int64(k)+hstart)
				}
			}
			prev = h
			for next < len(heads) && heads[next].size == rng.Size() {
				if heads[next].root != rng.Root() {
					return Summary{}, checkpointFault(heads[next].seq, "signs root %s for size %d, but the leaves give %s (forked or altered)", heads[next].root, heads[next].size, rng.Root())
				}
				next++
			}
		}
		if int64(len(leaves)) != n {
			return Summary{}, leafFault(start+int64(len(leaves)), "missing")
		}
		if progress != nil {
			progress(start+n, size)
		}
	}
	return Summary{Leaves: size, Checkpoints: ncp, Latest: latest, Fingerprint: fp}, nil
}
