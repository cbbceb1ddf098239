package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

func runVerify(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "verify", "[--data DIR] [--json]")
	data := dataFlag(fs, e)
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	a, err := parseAndOpen(ctx, e, fs, args, data)
	if err != nil {
		return err
	}
	defer a.Close()

	var (
		sum   provenance.Summary
		blobs store.BlobReport
	)
	err = a.db.View(ctx, func(tx *store.Tx) error {
		bar := newProgress(e.stderr, "verify leaves")
		sum, err = provenance.Verify(ctx, tx, a.vkey, bar.update)
		bar.done()
		if err != nil {
			return err
		}
		reg, err := tx.RegisteredBlobs(ctx)
		if err != nil {
			return err
		}
		bar = newProgress(e.stderr, "verify blobs")
		blobs, err = a.db.Blobs.Verify(ctx, reg, func(d, t int) { bar.update(int64(d), int64(t)) })
		bar.done()
		return err
	})
	if err != nil {
		if cellsite.KindOf(err) == cellsite.Integrity {
			return fmt.Errorf("%s FAILED: %w", *data, err)
		}
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"ok": true, "leaves": sum.Leaves, "checkpoints": sum.Checkpoints,
			"checkpoint_size": sum.Latest.Size, "root": sum.Latest.Root, "origin": sum.Latest.Origin,
			"key_fingerprint": sum.Fingerprint, "blobs_checked": blobs.Checked, "blob_bytes": blobs.Bytes,
			"blobs_unregistered": blobs.Unregistered,
		})
	}
	extra := ""
	if blobs.Unregistered > 0 {
		extra = fmt.Sprintf(" (%d intact but unregistered, left by interrupted uploads)", blobs.Unregistered)
	}
	fmt.Fprintf(e.stdout, "verified %s: %d leaves, checkpoint size %d, root %s, %d blobs checked (%d bytes)%s, key %s\n",
		*data, sum.Leaves, sum.Latest.Size, base64.StdEncoding.EncodeToString(sum.Latest.Root[:]), blobs.Checked, blobs.Bytes, extra, sum.Fingerprint)
	return nil
}
