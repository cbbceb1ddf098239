package provenance_test

import (
	"context"
	"fmt"

	"github.com/cellsite/cellsite"
)

// memStore is an in-memory provenance.Store for tests. Its fields are open
// so that tests can tamper with them.
type memStore struct {
	leaves      [][]byte // by index; nil where deleted
	hashes      []cellsite.Hash
	checkpoints [][]byte
}

func (m *memStore) LogSize(context.Context) (int64, error) { return int64(len(m.leaves)), nil }

func (m *memStore) ReadLeaves(_ context.Context, start, n int64) ([][]byte, error) {
	var out [][]byte
	for i := start; i < start+n && i < int64(len(m.leaves)); i++ {
		if m.leaves[i] != nil {
			out = append(out, m.leaves[i])
		}
	}
	return out, nil
}

func (m *memStore) ReadHashes(_ context.Context, idx []int64) ([]cellsite.Hash, error) {
	out := make([]cellsite.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memStore) CheckpointCount(context.Context) (int64, error) {
	return int64(len(m.checkpoints)), nil
}

func (m *memStore) ReadCheckpoints(_ context.Context, start, n int64) ([][]byte, error) {
	var out [][]byte
	for i := start; i < start+n && i < int64(len(m.checkpoints)); i++ {
		out = append(out, m.checkpoints[i])
	}
	return out, nil
}

func (m *memStore) WriteLeaf(_ context.Context, index int64, _, _ string, data []byte) error {
	if index != int64(len(m.leaves)) {
		return fmt.Errorf("leaf %d written out of order", index)
	}
	m.leaves = append(m.leaves, data)
	return nil
}

func (m *memStore) WriteHashes(_ context.Context, start int64, hs []cellsite.Hash) error {
	if start != int64(len(m.hashes)) {
		return fmt.Errorf("hash %d written out of order", start)
	}
	m.hashes = append(m.hashes, hs...)
	return nil
}

func (m *memStore) WriteCheckpoint(_ context.Context, _ int64, text []byte) error {
	m.checkpoints = append(m.checkpoints, text)
	return nil
}

func (m *memStore) clone() *memStore {
	c := &memStore{}
	for _, l := range m.leaves {
		c.leaves = append(c.leaves, append([]byte(nil), l...))
	}
	c.hashes = append(c.hashes, m.hashes...)
	for _, t := range m.checkpoints {
		c.checkpoints = append(c.checkpoints, append([]byte(nil), t...))
	}
	return c
}
