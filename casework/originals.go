package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"sync"

	"github.com/cellsite/cellsite"
)

// Original is an original file stored in the blob store and held for its
// ingest: while it is held, a failed ingest of the same bytes, in this
// process or another using the same database, does not discard it.
type Original struct {
	SHA256 cellsite.Hash
	Size   int64
	// Hold names the hold in the database; an ingest job carries it to
	// whichever replica runs the job.
	Hold string
	s    *Service
	once sync.Once
}

func newHoldID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "hold_" + hex.EncodeToString(b[:])
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
	id := newHoldID()
	// A failed ingest of the same bytes may have discarded the blob
	// between its storing and the hold: HoldBlob then refuses.
	if err := s.DB.HoldBlob(ctx, id, h, s.now()); err != nil {
		return nil, err
	}
	return &Original{SHA256: h, Size: size, Hold: id, s: s}, nil
}

// HeldOriginal returns the original a hold made by PutOriginal (perhaps in
// another process) keeps, for its ingest.
func (s *Service) HeldOriginal(h cellsite.Hash, size int64, hold string) *Original {
	return &Original{SHA256: h, Size: size, Hold: hold, s: s}
}

// Release lets the original be discarded if no record registers it and
// nothing else holds it. Releasing twice is releasing once.
func (o *Original) Release() {
	o.once.Do(func() {
		// A hold left behind (the database unreachable) only keeps an
		// unregistered original; verify counts such originals.
		_ = o.s.DB.ReleaseHold(context.Background(), o.Hold)
	})
}

// discard releases o and removes its blob unless a committed record
// registers it or another ingest holds it.
func (s *Service) discard(ctx context.Context, o *Original) error {
	var err error
	o.once.Do(func() { err = s.DB.DiscardBlob(ctx, o.SHA256, o.Hold) })
	return err
}
