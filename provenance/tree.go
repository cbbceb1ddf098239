package provenance

import (
	"crypto/sha256"

	"github.com/cellsite/cellsite"
	"golang.org/x/mod/sumdb/tlog"
)

// LeafHash returns the RFC 6962 Merkle leaf hash of encoded leaf bytes:
// SHA-256(0x00 || data). The hash chain links leaves by this value too.
func LeafHash(data []byte) cellsite.Hash { return cellsite.Hash(tlog.RecordHash(data)) }

// NodeHash returns the RFC 6962 interior node hash SHA-256(0x01 || left || right).
func NodeHash(left, right cellsite.Hash) cellsite.Hash {
	return cellsite.Hash(tlog.NodeHash(tlog.Hash(left), tlog.Hash(right)))
}

// EmptyRoot is the RFC 6962 root of a tree with no leaves: SHA-256 of nothing.
var EmptyRoot = cellsite.Hash(sha256.Sum256(nil))

// Range computes an RFC 6962 Merkle tree head over leaves appended one at a
// time, in memory proportional to the logarithm of their number. Verify uses
// it to recompute the tree independently of any stored interior hash.
type Range struct {
	size  int64
	stack []cellsite.Hash // roots of the perfect subtrees, largest first
}

// Size returns the number of leaves appended.
func (r *Range) Size() int64 { return r.size }

// AppendHash adds a leaf by its leaf hash and returns the hashes that a
// stored tree (in tlog's storage order) gains by it: the leaf hash followed by
// each interior hash completed.
func (r *Range) AppendHash(h cellsite.Hash, completed []cellsite.Hash) []cellsite.Hash {
	completed = append(completed, h)
	for n := r.size; n&1 == 1; n >>= 1 {
		top := r.stack[len(r.stack)-1]
		r.stack = r.stack[:len(r.stack)-1]
		h = NodeHash(top, h)
		completed = append(completed, h)
	}
	r.stack = append(r.stack, h)
	r.size++
	return completed
}

// Append adds encoded leaf bytes.
func (r *Range) Append(data []byte) { r.AppendHash(LeafHash(data), nil) }

// Root returns the tree head over all leaves appended so far.
func (r *Range) Root() cellsite.Hash {
	if len(r.stack) == 0 {
		return EmptyRoot
	}
	h := r.stack[len(r.stack)-1]
	for i := len(r.stack) - 2; i >= 0; i-- {
		h = NodeHash(r.stack[i], h)
	}
	return h
}

// RootOf returns the RFC 6962 tree head over the given encoded leaves.
func RootOf(leaves [][]byte) cellsite.Hash {
	var r Range
	for _, l := range leaves {
		r.Append(l)
	}
	return r.Root()
}
