package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/cellsite/cellsite"
)

// Blobs is a content-addressed store of original files. A blob is written to
// a temporary file, synced, and renamed to blobs/sha256/ab/cdef… (the first
// two hexadecimal digits of its SHA-256 name the folder); it is never
// modified afterwards and is made read-only.
type Blobs struct {
	dir string
}

// Path returns where the blob with the given hash lives.
func (b *Blobs) Path(h cellsite.Hash) string {
	s := h.String()
	return filepath.Join(b.dir, "sha256", s[:2], s[2:])
}

// Put copies r into the store, hashing while it writes, and returns the
// artefact's hash and size. At most limit bytes are accepted (no limit if
// limit <= 0); a longer input is an Invalid error and leaves nothing behind.
// Putting bytes already stored is not an error.
func (b *Blobs) Put(ctx context.Context, r io.Reader, limit int64) (cellsite.Hash, int64, error) {
	const op = "store blob"
	tmp, err := os.CreateTemp(filepath.Join(b.dir, "tmp"), "put-*")
	if err != nil {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, src})
	if err != nil {
		return cellsite.Hash{}, 0, fmt.Errorf("%s: %w", op, err)
	}
	if limit > 0 && n > limit {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Invalid, op, "larger than the %d-byte limit", limit)
	}
	var sum cellsite.Hash
	copy(sum[:], h.Sum(nil))
	if err := tmp.Chmod(0o444); err != nil {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	if err := tmp.Sync(); err != nil {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	if err := tmp.Close(); err != nil {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	final := b.Path(sum)
	if _, err := os.Stat(final); err == nil {
		// Already stored: keep the existing file, but only if it is intact.
		got, size, err := hashFile(final)
		if err != nil || got != sum || size != n {
			return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Integrity, op, "blob %s is already stored but damaged: run 'cellsite verify'", sum)
		}
		os.Remove(tmp.Name())
		committed = true
		return sum, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	committed = true
	if err := syncDir(filepath.Dir(final)); err != nil {
		return cellsite.Hash{}, 0, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	return sum, n, nil
}

// Open opens a stored blob for reading.
func (b *Blobs) Open(h cellsite.Hash) (*os.File, error) {
	f, err := os.Open(b.Path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, cellsite.Errorf(cellsite.NotFound, "open blob", "no blob %s", h)
	}
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Internal, "open blob", "%v", err)
	}
	return f, nil
}

// BlobReport summarises a blob store that verified.
type BlobReport struct {
	Checked      int   // blobs re-hashed
	Bytes        int64 // bytes re-hashed
	Unregistered int   // intact blobs no committed record refers to (left by an interrupted upload)
}

// Verify re-hashes every blob and checks that every registered blob is
// present with its registered size. The first blob that fails is named in an
// Integrity error. progress, if not nil, is called after each blob.
func (b *Blobs) Verify(ctx context.Context, registered map[cellsite.Hash]int64, progress func(done, total int)) (BlobReport, error) {
	const op = "verify blobs"
	var paths []string
	root := filepath.Join(b.dir, "sha256")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return BlobReport{}, cellsite.Errorf(cellsite.Internal, op, "%v", err)
	}
	sort.Strings(paths)
	var rep BlobReport
	seen := make(map[cellsite.Hash]bool, len(paths))
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rel, _ := filepath.Rel(root, p)
		dir, file := filepath.Split(rel)
		want, err := cellsite.ParseHash(filepath.Clean(dir) + file)
		if err != nil || len(filepath.Clean(dir)) != 2 {
			return rep, cellsite.Errorf(cellsite.Integrity, op, "blob %s: not a blob name", rel)
		}
		got, n, err := hashFile(p)
		if err != nil {
			return rep, cellsite.Errorf(cellsite.Integrity, op, "blob %s: %v", want, err)
		}
		if got != want {
			return rep, cellsite.Errorf(cellsite.Integrity, op, "blob %s: contents hash to %s (modified)", want, got)
		}
		if size, ok := registered[want]; ok && size != n {
			return rep, cellsite.Errorf(cellsite.Integrity, op, "blob %s: %d bytes, registered as %d", want, n, size)
		} else if !ok {
			rep.Unregistered++
		}
		seen[want] = true
		rep.Checked++
		rep.Bytes += n
		if progress != nil {
			progress(i+1, len(paths))
		}
	}
	missing := make([]string, 0)
	for h := range registered {
		if !seen[h] {
			missing = append(missing, h.String())
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return rep, cellsite.Errorf(cellsite.Integrity, op, "blob %s: registered but missing (%d missing in all)", missing[0], len(missing))
	}
	return rep, nil
}

func hashFile(p string) (cellsite.Hash, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return cellsite.Hash{}, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return cellsite.Hash{}, 0, err
	}
	var sum cellsite.Hash
	copy(sum[:], h.Sum(nil))
	return sum, n, nil
}

// cleanTemp removes temporary files left by interrupted writes. Another
// process may be writing a blob into the same store (serve and a command,
// or replicas sharing it): only files untouched for a day are removed.
func (b *Blobs) cleanTemp() error {
	entries, err := os.ReadDir(filepath.Join(b.dir, "tmp"))
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "clean blob temp", "%v", err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || time.Since(fi.ModTime()) < 24*time.Hour {
			continue
		}
		if err := os.Remove(filepath.Join(b.dir, "tmp", e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return cellsite.Errorf(cellsite.Internal, "clean blob temp", "%v", err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// RegisterBlob records a stored blob in the register in this transaction,
// so that Verify expects it. Registering a blob again is not an error.
func (tx *Tx) RegisterBlob(ctx context.Context, h cellsite.Hash, size int64) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO blobs (sha256, size) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`, h.String(), size)
	return wrap("register blob", err)
}

// RegisteredBlobs returns every registered blob with its size.
func (tx *Tx) RegisteredBlobs(ctx context.Context) (map[cellsite.Hash]int64, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT sha256, size FROM blobs`)
	if err != nil {
		return nil, wrap("registered blobs", err)
	}
	defer rows.Close()
	out := make(map[cellsite.Hash]int64)
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, wrap("registered blobs", err)
		}
		h, err := cellsite.ParseHash(s)
		if err != nil {
			return nil, cellsite.Errorf(cellsite.Integrity, "registered blobs", "register holds %q: %v", s, err)
		}
		out[h] = n
	}
	return out, wrap("registered blobs", rows.Err())
}

// HoldBlob records a hold on a stored blob, so that no failed ingest
// discards it while the holder still needs it; holds are kept in the
// database, so they count across processes. If the blob is no longer
// stored (a failed ingest of the same bytes discarded it after it was
// stored, before the hold), HoldBlob is a Conflict and records nothing.
func (db *DB) HoldBlob(ctx context.Context, id string, h cellsite.Hash, at time.Time) error {
	return db.Update(ctx, func(tx *Tx) error {
		if err := tx.lockBlob(ctx, h); err != nil {
			return err
		}
		if _, err := os.Stat(db.Blobs.Path(h)); err != nil {
			return cellsite.Errorf(cellsite.Conflict, "store original", "the original was discarded by a failed ingest of the same bytes as it was stored: send it again")
		}
		_, err := tx.q.ExecContext(ctx, `INSERT INTO holds (id, sha256, created_at) VALUES (?, ?, ?)`, id, h.String(), unixNano(at))
		return wrap("hold blob", err)
	})
}

// ReleaseHold removes a hold. Releasing a hold that is not there is not
// an error.
func (db *DB) ReleaseHold(ctx context.Context, id string) error {
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM holds WHERE id = ?`, id)
		return wrap("release hold", err)
	})
}

// DiscardBlob releases the hold id and removes the stored blob h unless a
// committed record registers it or another hold keeps it: the original of
// an ingest that failed. A registered blob is never removed.
func (db *DB) DiscardBlob(ctx context.Context, h cellsite.Hash, id string) error {
	return db.Update(ctx, func(tx *Tx) error {
		if err := tx.lockBlob(ctx, h); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM holds WHERE id = ?`, id); err != nil {
			return wrap("discard blob", err)
		}
		var n int
		if err := tx.q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM blobs WHERE sha256 = ?) + (SELECT COUNT(*) FROM holds WHERE sha256 = ?)`, h.String(), h.String()).Scan(&n); err != nil {
			return wrap("discard blob", err)
		}
		if n > 0 {
			return nil
		}
		if err := os.Remove(db.Blobs.Path(h)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return cellsite.Errorf(cellsite.Internal, "discard blob", "%v", err)
		}
		return nil
	})
}
