package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

func runMigrate(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "migrate", "--from DATA_DIR --to postgres://… [--blobs DIR]")
	from := fs.String("from", "", "the SQLite installation's data `directory`")
	to := fs.String("to", "", "a new, empty PostgreSQL database `URL` (or schema, with ?search_path=...)")
	blobs := fs.String("blobs", "", "copy the originals, keys and packs to this new data `directory` (the one the replicas share); default: they stay in --from")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usageError{"migrate: --from and --to are required"}
	}
	if !store.IsPostgres(*to) {
		return usageError{"migrate: --to must be a postgres:// URL"}
	}
	src, err := casework.Open(ctx, casework.Config{Dir: *from})
	if err != nil {
		return err
	}
	defer src.Close()
	if src.DB.Backend() != "sqlite" {
		return usageError{"migrate: --from must be a SQLite installation"}
	}
	dir := *from
	if *blobs != "" {
		dir = *blobs
		if err := copyFiles(ctx, e, *from, dir); err != nil {
			return err
		}
	}
	dst, err := store.Open(ctx, store.Config{Dir: dir, DSN: *to, Create: true})
	if err != nil {
		return err
	}
	bar, table := newProgress(e.stderr, "copy"), ""
	counts, err := src.DB.CopyTo(ctx, dst, func(t string, rows int64) {
		if t != table {
			table = t
			bar.stage("copy "+t, rows, 0)
		}
	})
	bar.done()
	dst.Close()
	if err != nil {
		return err
	}
	for _, c := range counts {
		fmt.Fprintf(e.stdout, "%-12s %d rows\n", c.Table, c.Rows)
	}

	// The copy must verify to the same log: same size, same root, the
	// same key.
	target, err := casework.Open(ctx, casework.Config{Dir: dir, DSN: *to})
	if err != nil {
		return err
	}
	defer target.Close()
	before, err := verifyInstallation(ctx, src)
	if err != nil {
		return fmt.Errorf("the SQLite installation does not verify: %w", err)
	}
	after, err := verifyInstallation(ctx, target)
	if err != nil {
		return fmt.Errorf("the copy does not verify: %w", err)
	}
	if before.Leaves != after.Leaves || before.Latest.Size != after.Latest.Size || before.Latest.Root != after.Latest.Root || before.Fingerprint != after.Fingerprint {
		return cellsite.Errorf(cellsite.Integrity, "migrate", "the copy's log (%d leaves, size %d, root %s) differs from the original's (%d leaves, size %d, root %s)",
			after.Leaves, after.Latest.Size, b64(after.Latest.Root), before.Leaves, before.Latest.Size, b64(before.Latest.Root))
	}
	fmt.Fprintf(e.stdout, "migrated %s to %s: %d leaves, checkpoint size %d, root %s, key %s, verified on both\n",
		*from, store.Redact(*to), after.Leaves, after.Latest.Size, b64(after.Latest.Root), after.Fingerprint)
	fmt.Fprintf(e.stdout, "serve it with: cellsite serve --db '%s' --data %s\n", store.Redact(*to), dir)
	if *blobs == "" {
		fmt.Fprintf(e.stdout, "The SQLite database %s is no longer the installation's: move it aside so that nothing writes to it.\n", filepath.Join(*from, store.DatabaseFile))
	}
	return nil
}

func b64(h cellsite.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

// verifyInstallation checks an installation's log and stored originals.
func verifyInstallation(ctx context.Context, s *casework.Service) (provenance.Summary, error) {
	var sum provenance.Summary
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if sum, err = provenance.Verify(ctx, tx, s.VerifierKey, nil); err != nil {
			return err
		}
		reg, err := tx.RegisteredBlobs(ctx)
		if err != nil {
			return err
		}
		_, err = s.DB.Blobs.Verify(ctx, reg, nil)
		return err
	})
	return sum, err
}

// copyFiles copies a data directory's files (originals, keys, packs) into
// a new data directory, checking every original against its name.
func copyFiles(ctx context.Context, e env, from, to string) error {
	if entries, err := os.ReadDir(to); err == nil && len(entries) > 0 {
		return cellsite.Errorf(cellsite.Conflict, "migrate", "--blobs %s is not empty: give a new directory", to)
	}
	for _, sub := range []string{filepath.Join("blobs", "sha256"), "keys", "packs"} {
		root := filepath.Join(from, sub)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return nil
			}
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			rel, _ := filepath.Rel(from, p)
			out := filepath.Join(to, rel)
			info, err := d.Info()
			if err != nil {
				return err
			}
			if d.IsDir() {
				return os.MkdirAll(out, info.Mode().Perm()|0o700)
			}
			if !info.Mode().IsRegular() {
				return cellsite.Errorf(cellsite.Invalid, "migrate", "%s is not a regular file", p)
			}
			sum, err := copyFileSync(p, out, info.Mode().Perm())
			if err != nil {
				return err
			}
			if sub == filepath.Join("blobs", "sha256") {
				dir, file := filepath.Split(filepath.Clean(rel))
				if hex.EncodeToString(sum) != filepath.Base(filepath.Clean(dir))+file {
					return cellsite.Errorf(cellsite.Integrity, "migrate", "original %s does not hash to its name", rel)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("copy %s to %s: %w", sub, to, err)
		}
	}
	fmt.Fprintf(e.stdout, "copied the originals, keys and packs of %s to %s\n", from, to)
	return nil
}

// copyFileSync copies a file, synced, with the given mode, and returns its
// SHA-256.
func copyFileSync(from, to string, mode os.FileMode) ([]byte, error) {
	in, err := os.Open(from)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(out, h), in); err != nil {
		out.Close()
		return nil, err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return nil, err
	}
	if err := out.Close(); err != nil {
		return nil, err
	}
	return h.Sum(nil), os.Chmod(to, mode)
}
