package provenance

import (
	"context"
	"fmt"

	"github.com/cellsite/cellsite"
	"golang.org/x/mod/sumdb/tlog"
)

func toHashes(p []tlog.Hash) []cellsite.Hash {
	out := make([]cellsite.Hash, len(p))
	for i, h := range p {
		out[i] = cellsite.Hash(h)
	}
	return out
}

func fromHashes(p []cellsite.Hash) []tlog.Hash {
	out := make([]tlog.Hash, len(p))
	for i, h := range p {
		out[i] = tlog.Hash(h)
	}
	return out
}

// InclusionProof returns the RFC 6962 audit path proving that leaf index is
// in the tree of the given size.
func InclusionProof(ctx context.Context, r Reader, index, size int64) ([]cellsite.Hash, error) {
	if index < 0 || index >= size {
		return nil, cellsite.Errorf(cellsite.Invalid, "inclusion proof", "leaf %d is not in a tree of size %d", index, size)
	}
	p, err := tlog.ProveRecord(size, index, hashReader{ctx: ctx, r: r})
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return toHashes(p), nil
}

// CheckInclusion checks that a leaf with the given leaf hash is at index in
// the tree of the given size and root. A failure is an Integrity error.
func CheckInclusion(proof []cellsite.Hash, size int64, root cellsite.Hash, index int64, leafHash cellsite.Hash) error {
	if err := tlog.CheckRecord(fromHashes(proof), size, tlog.Hash(root), index, tlog.Hash(leafHash)); err != nil {
		return cellsite.Errorf(cellsite.Integrity, "check inclusion", "leaf %d in tree of size %d: %v", index, size, err)
	}
	return nil
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size oldSize
// is a prefix of the tree of size newSize. oldSize must be at least 1: every
// log starts with a genesis leaf, and proofs from the empty tree are not made.
func ConsistencyProof(ctx context.Context, r Reader, oldSize, newSize int64) ([]cellsite.Hash, error) {
	if oldSize < 1 || oldSize > newSize {
		return nil, cellsite.Errorf(cellsite.Invalid, "consistency proof", "from size %d to size %d", oldSize, newSize)
	}
	p, err := tlog.ProveTree(newSize, oldSize, hashReader{ctx: ctx, r: r})
	if err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return toHashes(p), nil
}

// CheckConsistency checks a consistency proof between two tree heads. A
// failure is an Integrity error.
func CheckConsistency(proof []cellsite.Hash, newSize int64, newRoot cellsite.Hash, oldSize int64, oldRoot cellsite.Hash) error {
	if oldSize < 1 {
		return cellsite.Errorf(cellsite.Invalid, "check consistency", "old tree size %d", oldSize)
	}
	if err := tlog.CheckTree(fromHashes(proof), newSize, tlog.Hash(newRoot), oldSize, tlog.Hash(oldRoot)); err != nil {
		return cellsite.Errorf(cellsite.Integrity, "check consistency", "size %d to size %d: %v", oldSize, newSize, err)
	}
	return nil
}

// ReceiptFormat names version 1 of the receipt layout.
const ReceiptFormat = "cellsite-receipt/v1"

// Receipt is a portable proof that one leaf is in the log: the leaf's
// bytes, its inclusion proof and the signed checkpoint the proof leads to.
// A verifier needs nothing else but the log's public key.
type Receipt struct {
	Format     string          `json:"format"`
	Index      int64           `json:"index"`
	Leaf       []byte          `json:"leaf"` // canonical leaf encoding (base64 in JSON)
	Proof      []cellsite.Hash `json:"proof"`
	Checkpoint string          `json:"checkpoint"` // signed note
}

// Receipt returns a receipt for leaf index against the latest checkpoint.
func (l *Log) Receipt(ctx context.Context, r Reader, index int64) (Receipt, error) {
	cp, err := l.Latest(ctx, r)
	if err != nil {
		return Receipt{}, err
	}
	return l.ReceiptAt(ctx, r, index, cp)
}

// ReceiptAt returns a receipt for leaf index against a given signed
// checkpoint of this log, which must cover the leaf. Receipts against the
// same checkpoint are the same bytes however much the log has grown since.
func (l *Log) ReceiptAt(ctx context.Context, r Reader, index int64, cp Checkpoint) (Receipt, error) {
	if index < 0 || index >= cp.Size {
		return Receipt{}, cellsite.Errorf(cellsite.Invalid, "receipt", "leaf %d is not in a checkpoint of size %d", index, cp.Size)
	}
	_, data, err := Get(ctx, r, index)
	if err != nil {
		return Receipt{}, err
	}
	proof, err := InclusionProof(ctx, r, index, cp.Size)
	if err != nil {
		return Receipt{}, err
	}
	rc := Receipt{Format: ReceiptFormat, Index: index, Leaf: data, Proof: proof, Checkpoint: cp.Note}
	if _, _, err := VerifyReceipt(rc, l.vkey); err != nil {
		return Receipt{}, fmt.Errorf("receipt for leaf %d does not verify against the stored tree: %w", index, err)
	}
	return rc, nil
}

// VerifyReceipt checks a receipt with the log's public verifier key and
// returns the leaf and checkpoint it proves. Any failure is an Integrity
// error (Invalid for an unusable key).
func VerifyReceipt(rc Receipt, verifierKey string) (Leaf, Checkpoint, error) {
	const op = "verify receipt"
	if rc.Format != ReceiptFormat {
		return Leaf{}, Checkpoint{}, cellsite.Errorf(cellsite.Integrity, op, "format %q, want %q", rc.Format, ReceiptFormat)
	}
	cp, err := OpenCheckpoint([]byte(rc.Checkpoint), verifierKey)
	if err != nil {
		return Leaf{}, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
	}
	lf, err := Decode(rc.Leaf)
	if err != nil {
		return Leaf{}, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
	}
	if lf.Index != rc.Index {
		return Leaf{}, Checkpoint{}, cellsite.Errorf(cellsite.Integrity, op, "leaf records index %d, receipt says %d", lf.Index, rc.Index)
	}
	if err := CheckInclusion(rc.Proof, cp.Size, cp.Root, rc.Index, LeafHash(rc.Leaf)); err != nil {
		return Leaf{}, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
	}
	return lf, cp, nil
}
