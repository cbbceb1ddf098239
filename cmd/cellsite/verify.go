package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/reports"
	"github.com/cellsite/cellsite/store"
)

func runVerify(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "verify", "[--data DIR] [--db URL] [--json]  |  PACK.zip [--key FILE | --fingerprint FP] [--json]")
	data := dataFlag(fs, e)
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	keyFile := fs.String("key", "", "with PACK.zip: the log's public key `FILE`, from a trusted source")
	fingerprint := fs.String("fingerprint", "", "with PACK.zip: the published `fingerprint` of the log's key (sha256:...)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{"verify: at most one pack"}
	}
	if len(pos) == 1 {
		return verifyPack(ctx, e, pos[0], *keyFile, *fingerprint, *asJSON)
	}
	if *keyFile != "" || *fingerprint != "" {
		return usageError{"verify: --key and --fingerprint go with a PACK.zip"}
	}
	a, err := openApp(ctx, e, data, false)
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
			return fmt.Errorf("%s FAILED: %w", data, err)
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
		data, sum.Leaves, sum.Latest.Size, base64.StdEncoding.EncodeToString(sum.Latest.Root[:]), blobs.Checked, blobs.Bytes, extra, sum.Fingerprint)
	return nil
}

// verifyPack checks an evidential pack with no data directory.
func verifyPack(ctx context.Context, e env, name, keyFile, fingerprint string, asJSON bool) error {
	f, err := os.Open(name)
	if err != nil {
		return cellsite.Errorf(cellsite.NotFound, "verify", "%v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	check := reports.PackCheck{Fingerprint: fingerprint}
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return cellsite.Errorf(cellsite.NotFound, "verify", "--key: %v", err)
		}
		check.Key = string(b)
	}
	sum, err := reports.VerifyPack(ctx, f, fi.Size(), check)
	if err != nil {
		if cellsite.KindOf(err) == cellsite.Integrity {
			return fmt.Errorf("%s FAILED: %w", name, err)
		}
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"ok": true, "case": sum.Case, "exhibit": sum.Exhibit, "files": sum.Files, "evidence": sum.Evidence,
			"bytes": sum.Bytes, "leaves": sum.Leaves, "checkpoint_size": sum.TreeSize, "root": sum.Root,
			"key_fingerprint": sum.Fingerprint, "key_from_pack": sum.KeyFromPack,
		})
	}
	fmt.Fprintf(e.stdout, "verified %s: case %s, %d files (%d bytes) match the manifest, nothing missing or extra; %d carry receipts for %d leaves, all in the signed checkpoint of size %d, root %s\n",
		name, sum.Case, sum.Files, sum.Bytes, sum.Evidence, len(sum.Leaves), sum.TreeSize, base64.StdEncoding.EncodeToString(sum.Root[:]))
	if sum.KeyFromPack {
		fmt.Fprintf(e.stdout, "key: the pack's own log.pub, fingerprint %s\n  Compare it with the fingerprint the producing force publishes, or pass --fingerprint or --key.\n", sum.Fingerprint)
	} else {
		fmt.Fprintf(e.stdout, "key: fingerprint %s, as given\n", sum.Fingerprint)
	}
	return nil
}
