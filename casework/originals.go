package casework

import (
	"context"
	"io"
	"os"
	"sync"

	"github.com/cellsite/cellsite"
)

// Original is an original file stored in the blob store and held for its
// ingest: while it is held, a failed ingest of the same bytes does not
// discard it.
type Original struct {
	SHA256 cellsite.Hash
	Size   int64
	s      *Service
	once   sync.Once
}

// holds counts the holds on each stored original.
type holds struct {
	mu sync.Mutex
	n  map[cellsite.Hash]int
}

// PutOriginal stores an original byte for byte, hashing it as it is read
// (at most limit bytes; 0: MaxOriginal), and holds it until the ingest
// given it ends or Release is called.
func (s *Service) PutOriginal(ctx context.Context, r io.Reader, limit int64) (*Original, error) {
	if limit <= 0 {
		limit = MaxOriginal
	}
	h, size, err := s.DB.Blobs.Put(ctx, r, limit)
	if err != nil {
		return nil, err
	}
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	// A failed ingest of the same bytes may have discarded the blob
	// between its storing and the hold.
	if _, err := os.Stat(s.DB.Blobs.Path(h)); err != nil {
		return nil, cellsite.Errorf(cellsite.Conflict, "store original", "the original was discarded by a failed ingest of the same bytes as it was stored: send it again")
	}
	if s.holds.n == nil {
		s.holds.n = map[cellsite.Hash]int{}
	}
	s.holds.n[h]++
	return &Original{SHA256: h, Size: size, s: s}, nil
}

// Release lets the original be discarded if no record registers it and
// nothing else holds it. Releasing twice is releasing once.
func (o *Original) Release() {
	o.once.Do(func() {
		o.s.holds.mu.Lock()
		defer o.s.holds.mu.Unlock()
		if o.s.holds.n[o.SHA256]--; o.s.holds.n[o.SHA256] <= 0 {
			delete(o.s.holds.n, o.SHA256)
		}
	})
}

// discard releases o and removes its blob unless a committed record
// registers it or another ingest holds it.
func (s *Service) discard(ctx context.Context, o *Original) error {
	o.Release()
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	if s.holds.n[o.SHA256] > 0 {
		return nil
	}
	return s.DB.DiscardBlob(ctx, o.SHA256)
}
