package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
)

// Limits on what VerifyPack reads, against hostile or damaged packs.
const (
	maxPackEntries  = 100000
	maxManifestSize = 64 << 20
	maxReceiptSize  = 16 << 20
	maxKeySize      = 4 << 10
)

// PackCheck says how VerifyPack obtains the log's public key.
type PackCheck struct {
	// Key is the log's public verifier key from a trusted source; when
	// set, the pack's own log.pub must be the same key.
	Key string
	// Fingerprint, when set, must be the fingerprint of the key used.
	Fingerprint string
	// MaxSize bounds the total uncompressed bytes read [64 GiB].
	MaxSize int64
}

// PackSummary is the outcome of a successful verification.
type PackSummary struct {
	Case        string
	Exhibit     string
	Files       int // files checked against the manifest
	Evidence    int // of which with a leaf and receipt
	Bytes       int64
	Leaves      []int64 // distinct leaves proved
	TreeSize    int64
	Root        cellsite.Hash
	Fingerprint string
	KeyFromPack bool // no key or fingerprint was given: the pack's own key was used
	GeneratedAt string
}

// VerifyPack checks an evidential pack with nothing but its bytes and the
// log's key: every file against the manifest, nothing missing or extra,
// every receipt against the signed checkpoint and its signature, and each
// file's hash named by its leaf. Any failure is an Integrity error that
// names the first file or proof that fails.
func VerifyPack(ctx context.Context, r io.ReaderAt, size int64, check PackCheck) (PackSummary, error) {
	const op = "verify pack"
	fail := func(format string, args ...any) (PackSummary, error) {
		return PackSummary{}, cellsite.Errorf(cellsite.Integrity, op, format, args...)
	}
	if check.MaxSize <= 0 {
		check.MaxSize = 64 << 30
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fail("not a readable zip: %v", err)
	}
	if len(zr.File) > maxPackEntries {
		return fail("%d entries: more than %d", len(zr.File), maxPackEntries)
	}
	entries := make(map[string]*zip.File, len(zr.File))
	var declared uint64
	for _, f := range zr.File {
		if err := checkPackPath(f.Name); err != nil {
			return fail("%s: %v", f.Name, err)
		}
		if _, dup := entries[f.Name]; dup {
			return fail("%s: appears twice in the zip", f.Name)
		}
		entries[f.Name] = f
		declared += f.UncompressedSize64
	}
	if declared > uint64(check.MaxSize) {
		return fail("the files would unpack to %d bytes, more than the limit of %d", declared, check.MaxSize)
	}
	readSmall := func(name string, limit int64) ([]byte, error) {
		f, ok := entries[name]
		if !ok {
			return nil, fmt.Errorf("%s is missing", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, limit+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
		}
		return b, nil
	}
	mb, err := readSmall(ManifestName, maxManifestSize)
	if err != nil {
		return fail("%v", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(mb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return fail("%s: %v", ManifestName, err)
	}
	if m.Format != PackFormat {
		return fail("%s: format %q, want %q", ManifestName, m.Format, PackFormat)
	}

	// The key: given, or the pack's own checked against a fingerprint.
	kb, err := readSmall(KeyName, maxKeySize)
	if err != nil {
		return fail("%v", err)
	}
	packKey := strings.TrimSpace(string(kb))
	key := packKey
	sum := PackSummary{Case: m.Case, Exhibit: m.Exhibit, GeneratedAt: m.GeneratedAt.Format(DateTimeLayout) + " UTC"}
	if check.Key != "" {
		key = strings.TrimSpace(check.Key)
		if key != packKey {
			return fail("%s is not the key given", KeyName)
		}
	}
	fp, err := provenance.Fingerprint(key)
	if err != nil {
		return fail("%s: %v", KeyName, err)
	}
	if check.Fingerprint != "" && !strings.EqualFold(strings.TrimSpace(check.Fingerprint), fp) {
		return fail("the key's fingerprint is %s, not %s", fp, check.Fingerprint)
	}
	sum.KeyFromPack = check.Key == "" && check.Fingerprint == ""
	sum.Fingerprint = fp
	if m.Fingerprint != fp {
		return fail("%s names key %s, but %s has fingerprint %s", ManifestName, m.Fingerprint, KeyName, fp)
	}
	cp, err := provenance.OpenCheckpoint([]byte(m.Checkpoint), key)
	if err != nil {
		return fail("%s: checkpoint: %v", ManifestName, err)
	}
	sum.TreeSize, sum.Root = cp.Size, cp.Root

	// Nothing missing, nothing extra.
	listed := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if listed[f.Path] {
			return fail("%s lists %s twice", ManifestName, f.Path)
		}
		listed[f.Path] = true
		if _, ok := entries[f.Path]; !ok {
			return fail("%s is listed in %s but missing from the pack", f.Path, ManifestName)
		}
	}
	for _, f := range zr.File {
		if f.Name != ManifestName && !listed[f.Name] {
			return fail("%s is in the pack but not listed in %s", f.Name, ManifestName)
		}
	}

	// Every file's bytes.
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return PackSummary{}, err
		}
		h, n, err := hashEntry(ctx, entries[f.Path])
		if err != nil {
			return fail("%s: %v", f.Path, err)
		}
		if n != f.Size {
			return fail("%s: %d bytes, the manifest says %d", f.Path, n, f.Size)
		}
		if h != f.SHA256 {
			return fail("%s: SHA-256 %s, the manifest says %s", f.Path, h, f.SHA256)
		}
		sum.Files++
		sum.Bytes += n
	}

	// Every receipt, and each file's hash in its leaf.
	proved := make(map[int64]provenance.Leaf)
	for _, f := range m.Files {
		if f.Leaf == nil {
			if f.Kind != "proof" && f.Kind != "key" && f.Kind != "instructions" {
				return fail("%s: a file of kind %q must have a leaf", f.Path, f.Kind)
			}
			continue
		}
		if f.Receipt == "" || !listed[f.Receipt] {
			return fail("%s: its receipt %q is not in the pack", f.Path, f.Receipt)
		}
		lf, ok := proved[*f.Leaf]
		if !ok {
			rb, err := readSmall(f.Receipt, maxReceiptSize)
			if err != nil {
				return fail("%v", err)
			}
			var rc provenance.Receipt
			if err := json.Unmarshal(rb, &rc); err != nil {
				return fail("%s: %v", f.Receipt, err)
			}
			var rcp provenance.Checkpoint
			lf, rcp, err = provenance.VerifyReceipt(rc, key)
			if err != nil {
				return fail("%s: %v", f.Receipt, err)
			}
			if rcp.Size != cp.Size || rcp.Root != cp.Root {
				return fail("%s: proves against a checkpoint of size %d, the manifest's is of size %d", f.Receipt, rcp.Size, cp.Size)
			}
			if lf.Index != *f.Leaf {
				return fail("%s: proves leaf %d, the manifest says %d for %s", f.Receipt, lf.Index, *f.Leaf, f.Path)
			}
			if lf.Case != m.Case {
				return fail("%s: leaf %d is of case %q, the pack is of case %q", f.Receipt, lf.Index, lf.Case, m.Case)
			}
			proved[*f.Leaf] = lf
			sum.Leaves = append(sum.Leaves, lf.Index)
		}
		if !leafNames(lf, f) {
			return fail("%s: leaf %d does not name a file with SHA-256 %s", f.Path, lf.Index, f.SHA256)
		}
		sum.Evidence++
	}
	return sum, nil
}

// leafNames reports whether a leaf records the file: an original among
// its inputs, anything else among its outputs.
func leafNames(lf provenance.Leaf, f ManifestFile) bool {
	list := lf.Outputs
	if f.Kind == "original" {
		list = lf.Inputs
	}
	for _, a := range list {
		if a.SHA256 == f.SHA256 && a.Size == f.Size {
			return true
		}
	}
	return false
}

func hashEntry(ctx context.Context, f *zip.File) (cellsite.Hash, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return cellsite.Hash{}, 0, err
	}
	defer rc.Close()
	h := sha256.New()
	// Read at most one byte more than declared: a zip whose entries
	// inflate beyond their stated sizes is refused by archive/zip's
	// checks, and this bounds the work either way.
	n, err := io.Copy(h, &ctxReader{ctx, io.LimitReader(rc, int64(f.UncompressedSize64)+1)})
	if err != nil {
		return cellsite.Hash{}, n, err
	}
	var sum cellsite.Hash
	copy(sum[:], h.Sum(nil))
	return sum, n, nil
}
