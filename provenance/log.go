package provenance

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/cellsite/cellsite"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Reader is read access to a stored log.
type Reader interface {
	// LogSize returns the number of leaves stored.
	LogSize(ctx context.Context) (int64, error)
	// ReadLeaves returns the encoded leaves with indexes [start, start+n).
	ReadLeaves(ctx context.Context, start, n int64) ([][]byte, error)
	// ReadHashes returns the stored tree hashes at the given storage
	// indexes, numbered as golang.org/x/mod/sumdb/tlog numbers them.
	ReadHashes(ctx context.Context, indexes []int64) ([]cellsite.Hash, error)
	// CheckpointCount returns how many signed checkpoints are stored.
	CheckpointCount(ctx context.Context) (int64, error)
	// ReadCheckpoints returns stored checkpoints [start, start+n) in the
	// order they were stored.
	ReadCheckpoints(ctx context.Context, start, n int64) ([][]byte, error)
}

// Store is read and write access to a stored log inside one transaction:
// the writes of one Append must commit together or not at all, and only one
// transaction may write at a time.
type Store interface {
	Reader
	// WriteLeaf stores an encoded leaf; caseRef and typ are copies of its
	// fields kept for lookups.
	WriteLeaf(ctx context.Context, index int64, caseRef, typ string, data []byte) error
	// WriteHashes stores tree hashes at storage indexes start, start+1, ...
	WriteHashes(ctx context.Context, start int64, hashes []cellsite.Hash) error
	// WriteCheckpoint stores a signed checkpoint for the given tree size.
	WriteCheckpoint(ctx context.Context, size int64, text []byte) error
}

// Config holds the keys of a log.
type Config struct {
	SignerKey   string // private key in signed-note format (PRIVATE+KEY+origin+...)
	VerifierKey string // the matching public key (origin+hash+key)
}

// Log appends leaves, signs checkpoints and produces proofs. It holds only
// its keys; everything else is read from and written to a Store.
type Log struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// New returns a log for the given keys, checking that they form a pair.
func New(cfg Config) (*Log, error) {
	s, err := note.NewSigner(strings.TrimSpace(cfg.SignerKey))
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Invalid, "provenance", "signer key: %v", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(cfg.VerifierKey))
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Invalid, "provenance", "verifier key: %v", err)
	}
	probe := make([]byte, 16)
	_, _ = rand.Read(probe)
	sig, err := s.Sign(probe)
	if err != nil || s.Name() != v.Name() || s.KeyHash() != v.KeyHash() || !v.Verify(probe, sig) {
		return nil, cellsite.Errorf(cellsite.Invalid, "provenance", "signer and verifier keys do not match")
	}
	return &Log{signer: s, verifier: v, vkey: strings.TrimSpace(cfg.VerifierKey)}, nil
}

// Origin returns the log's origin line (its name).
func (l *Log) Origin() string { return l.signer.Name() }

// VerifierKey returns the public key that checks this log's checkpoints.
func (l *Log) VerifierKey() string { return l.vkey }

// hashReader adapts a Reader to tlog.HashReader, with hashes not yet stored
// served from an overlay.
type hashReader struct {
	ctx     context.Context
	r       Reader
	overlay map[int64]cellsite.Hash
}

func (h hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for i, x := range indexes {
		v, ok := h.overlay[x]
		if !ok {
			missing = append(missing, x)
			continue
		}
		out[i] = tlog.Hash(v)
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := h.r.ReadHashes(h.ctx, missing)
	if err != nil {
		return nil, err
	}
	if len(got) != len(missing) {
		return nil, cellsite.Errorf(cellsite.Integrity, "read hashes", "asked for %d, got %d", len(missing), len(got))
	}
	j := 0
	for i, x := range indexes {
		if _, ok := h.overlay[x]; !ok {
			out[i] = tlog.Hash(got[j])
			j++
		}
	}
	return out, nil
}

// Append assigns the next indexes to leaves, links each to the one before,
// stores them with their tree hashes and signs a checkpoint over the new
// tree, all through s (one transaction). It returns the leaves as stored and
// the new checkpoint. The first leaf of a log must be of type Genesis and no
// other may be. If the stored tree is not consistent with the last signed
// checkpoint, Append refuses with an Integrity error and writes nothing.
func (l *Log) Append(ctx context.Context, s Store, leaves ...Leaf) ([]Leaf, Checkpoint, error) {
	const op = "append"
	if len(leaves) == 0 {
		return nil, Checkpoint{}, cellsite.Errorf(cellsite.Invalid, op, "no leaves")
	}
	n, err := s.LogSize(ctx)
	if err != nil {
		return nil, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
	}
	hr := hashReader{ctx: ctx, r: s, overlay: make(map[int64]cellsite.Hash)}
	var prev cellsite.Hash
	if n > 0 {
		hs, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, n-1)})
		if err != nil {
			return nil, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
		}
		prev = cellsite.Hash(hs[0])
	}
	out := make([]Leaf, len(leaves))
	type pending struct {
		index int64
		data  []byte
		start int64
		hs    []cellsite.Hash
	}
	writes := make([]pending, 0, len(leaves))
	for i, lf := range leaves {
		idx := n + int64(i)
		if (idx == 0) != (lf.Type == Genesis) {
			return nil, Checkpoint{}, cellsite.Errorf(cellsite.Invalid, op, "leaf %d of type %q: a log begins with one genesis leaf", idx, lf.Type)
		}
		lf.Index, lf.Prev = idx, prev
		lf.Started, lf.Ended = lf.Started.UTC(), lf.Ended.UTC()
		if lf.Ended.Before(lf.Started) {
			return nil, Checkpoint{}, cellsite.Errorf(cellsite.Invalid, op, "leaf %d ends before it starts", idx)
		}
		data, err := lf.Encode()
		if err != nil {
			return nil, Checkpoint{}, err
		}
		th, err := tlog.StoredHashes(idx, data, hr)
		if err != nil {
			return nil, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
		}
		start := tlog.StoredHashIndex(0, idx)
		hs := make([]cellsite.Hash, len(th))
		for j, h := range th {
			hs[j] = cellsite.Hash(h)
			hr.overlay[start+int64(j)] = hs[j]
		}
		writes = append(writes, pending{idx, data, start, hs})
		prev = LeafHash(data)
		out[i] = lf
	}
	size := n + int64(len(leaves))
	body, err := l.checkpointBody(ctx, s, hr, size)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	for i, w := range writes {
		if err := s.WriteLeaf(ctx, w.index, out[i].Case, string(out[i].Type), w.data); err != nil {
			return nil, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
		}
		if err := s.WriteHashes(ctx, w.start, w.hs); err != nil {
			return nil, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
		}
	}
	text, err := note.Sign(&note.Note{Text: body}, l.signer)
	if err != nil {
		return nil, Checkpoint{}, fmt.Errorf("%s: sign: %w", op, err)
	}
	if err := s.WriteCheckpoint(ctx, size, text); err != nil {
		return nil, Checkpoint{}, fmt.Errorf("%s: %w", op, err)
	}
	cp, err := openCheckpoint(text, l.verifier)
	if err != nil {
		return nil, Checkpoint{}, err
	}
	return out, cp, nil
}

// checkpointBody computes the root of the tree of the given size and checks
// that it extends the last signed checkpoint.
func (l *Log) checkpointBody(ctx context.Context, s Reader, hr hashReader, size int64) (string, error) {
	const op = "sign checkpoint"
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	last, err := l.latest(ctx, s)
	if err != nil {
		return "", err
	}
	if last != nil {
		if last.Size > size {
			return "", cellsite.Errorf(cellsite.Integrity, op, "last signed checkpoint is of size %d, tree is of size %d", last.Size, size)
		}
		proof, err := tlog.ProveTree(size, last.Size, hr)
		if err != nil {
			return "", fmt.Errorf("%s: %w", op, err)
		}
		if err := tlog.CheckTree(proof, size, root, last.Size, tlog.Hash(last.Root)); err != nil {
			return "", cellsite.Errorf(cellsite.Integrity, op, "tree of size %d is not consistent with the last signed checkpoint (size %d): %v", size, last.Size, err)
		}
	}
	return checkpointBody(l.Origin(), size, cellsite.Hash(root)), nil
}

// latest returns the last stored checkpoint, or nil when there is none.
func (l *Log) latest(ctx context.Context, r Reader) (*Checkpoint, error) {
	n, err := r.CheckpointCount(ctx)
	if err != nil || n == 0 {
		return nil, err
	}
	texts, err := r.ReadCheckpoints(ctx, n-1, 1)
	if err != nil {
		return nil, err
	}
	if len(texts) != 1 {
		return nil, cellsite.Errorf(cellsite.Integrity, "latest checkpoint", "checkpoint %d missing", n-1)
	}
	cp, err := openCheckpoint(texts[0], l.verifier)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %d: %w", n-1, err)
	}
	return &cp, nil
}

// Latest returns the last signed checkpoint. A log with none is NotFound.
func (l *Log) Latest(ctx context.Context, r Reader) (Checkpoint, error) {
	cp, err := l.latest(ctx, r)
	if err != nil {
		return Checkpoint{}, err
	}
	if cp == nil {
		return Checkpoint{}, cellsite.Errorf(cellsite.NotFound, "latest checkpoint", "the log has no checkpoint")
	}
	return *cp, nil
}

// Get returns the decoded leaf at index and its encoded bytes.
func Get(ctx context.Context, r Reader, index int64) (Leaf, []byte, error) {
	data, err := r.ReadLeaves(ctx, index, 1)
	if err != nil {
		return Leaf{}, nil, err
	}
	if len(data) != 1 {
		return Leaf{}, nil, cellsite.Errorf(cellsite.NotFound, "read leaf", "no leaf %d", index)
	}
	lf, err := Decode(data[0])
	if err != nil {
		return Leaf{}, nil, fmt.Errorf("leaf %d: %w", index, err)
	}
	return lf, data[0], nil
}
