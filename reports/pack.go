package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
)

// PackFormat names version 1 of the evidential pack layout (docs/FORMATS.md).
const PackFormat = "cellsite-pack/v1"

// Names of the fixed files of a pack.
const (
	ManifestName = "manifest.json"
	KeyName      = "log.pub"
	VerifyName   = "VERIFY.md"
	ProofsDir    = "proofs/"
)

// Manifest lists every file of a pack with its hash and, for evidence, the
// provenance leaf that produced or received it.
type Manifest struct {
	Format      string            `json:"format"`
	Case        string            `json:"case"`
	CaseTitle   string            `json:"case_title"`
	Exhibit     string            `json:"exhibit"`
	ProducedBy  string            `json:"produced_by"`
	GeneratedAt time.Time         `json:"generated_at"`
	Software    cellsite.Software `json:"software"`
	// Checkpoint is the signed checkpoint every receipt of the pack leads
	// to; Fingerprint identifies the key that signed it.
	Checkpoint  string         `json:"checkpoint"`
	Fingerprint string         `json:"fingerprint"`
	Files       []ManifestFile `json:"files"`
}

// ManifestFile is one file of a pack.
type ManifestFile struct {
	Path   string        `json:"path"`
	Kind   string        `json:"kind"` // original, schedules, report, map-data, analysis, proof, key, instructions
	SHA256 cellsite.Hash `json:"sha256"`
	Size   int64         `json:"size"`
	// Leaf is the provenance leaf that received (originals) or produced
	// (everything else) the file; nil for files that are not evidence
	// (proofs, the key, the instructions). Receipt is the path of its
	// receipt in the pack.
	Leaf    *int64 `json:"leaf,omitempty"`
	Receipt string `json:"receipt,omitempty"`
}

// PackFile is a file to put in a pack.
type PackFile struct {
	Path string
	Kind string
	Leaf *int64 // the leaf that received or produced it, or nil
	// Open returns the file's bytes; it is called once.
	Open func() (io.ReadCloser, error)
}

// BytesFile returns a PackFile holding b.
func BytesFile(p, kind string, leaf *int64, b []byte) PackFile {
	return PackFile{Path: p, Kind: kind, Leaf: leaf, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

// Pack is what WritePack writes.
type Pack struct {
	Header   Header
	Software cellsite.Software
	Files    []PackFile                   // evidence and outputs; receipts are added for those with a leaf
	Receipts map[int64]provenance.Receipt // by leaf index, all against Header.Checkpoint
	Key      string                       // the log's public verifier key
}

// WritePack writes the evidential pack as a zip: the files in the order
// given, a receipt per leaf under proofs/, the public key, VERIFY.md and
// manifest.json last. Every entry carries the pack's production time, so
// the same pack gives the same bytes. It returns the manifest.
func WritePack(ctx context.Context, w io.Writer, p Pack) (*Manifest, error) {
	at := p.Header.ProducedAt.UTC()
	m := &Manifest{
		Format: PackFormat, Case: p.Header.Case, CaseTitle: p.Header.CaseTitle, Exhibit: p.Header.Exhibit,
		ProducedBy: p.Header.ProducedBy, GeneratedAt: at, Software: p.Software,
		Checkpoint: p.Header.Checkpoint.Note, Fingerprint: p.Header.Fingerprint,
	}
	zw := zip.NewWriter(w)
	seen := make(map[string]bool)
	add := func(name, kind string, leaf *int64, receipt string, r io.Reader) error {
		if err := checkPackPath(name); err != nil {
			return err
		}
		if seen[name] {
			return cellsite.Errorf(cellsite.Invalid, "pack", "%s: listed twice", name)
		}
		seen[name] = true
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(fw, h), &ctxReader{ctx, r})
		if err != nil {
			return fmt.Errorf("pack %s: %w", name, err)
		}
		var sum cellsite.Hash
		copy(sum[:], h.Sum(nil))
		m.Files = append(m.Files, ManifestFile{Path: name, Kind: kind, SHA256: sum, Size: n, Leaf: leaf, Receipt: receipt})
		return nil
	}
	receipts := make(map[int64]string)
	for _, f := range p.Files {
		rpath := ""
		if f.Leaf != nil {
			if _, ok := p.Receipts[*f.Leaf]; !ok {
				return nil, cellsite.Errorf(cellsite.Internal, "pack", "%s: no receipt for leaf %d", f.Path, *f.Leaf)
			}
			rpath = receiptPath(*f.Leaf)
			receipts[*f.Leaf] = rpath
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("pack %s: %w", f.Path, err)
		}
		err = add(f.Path, f.Kind, f.Leaf, rpath, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	idx := make([]int64, 0, len(receipts))
	for i := range receipts {
		idx = append(idx, i)
	}
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	for _, i := range idx {
		b, err := json.MarshalIndent(p.Receipts[i], "", "  ")
		if err != nil {
			return nil, err
		}
		if err := add(receipts[i], "proof", nil, "", bytes.NewReader(append(b, '\n'))); err != nil {
			return nil, err
		}
	}
	if err := add(KeyName, "key", nil, "", strings.NewReader(strings.TrimSpace(p.Key)+"\n")); err != nil {
		return nil, err
	}
	if err := add(VerifyName, "instructions", nil, "", strings.NewReader(verifyText(m))); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: at})
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	return m, zw.Close()
}

func receiptPath(leaf int64) string { return fmt.Sprintf("%sleaf-%d.json", ProofsDir, leaf) }

// checkPackPath refuses names that could escape a directory when the pack
// is unzipped, or that zip tools treat differently.
func checkPackPath(name string) error {
	bad := name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) ||
		path.Clean(name) != name || strings.HasPrefix(name, "../") || name == ".." || strings.ContainsRune(name, 0)
	if bad {
		return cellsite.Errorf(cellsite.Invalid, "pack", "file name %q is not a plain relative path", name)
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func verifyText(m *Manifest) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# Verifying this evidential pack

Case %s, exhibit %s, produced by %s at %s UTC with Cellsite %s.

This pack holds the originals received from the operators, byte for byte,
the schedules and report produced from them, and the proofs that each of
these files is recorded on the Cellsite provenance log of the producing
force, whose signing key has the fingerprint

    %s

Obtain that fingerprint from the producing force by a separate channel (for
example the statement of the producing officer) and compare it.

## With the tool

    cellsite verify PACK.zip --fingerprint %s

checks, without any other data: every file against manifest.json (SHA-256
and size), that no file is missing or extra, every receipt's inclusion
proof against the signed checkpoint, the checkpoint's signature with the
key in log.pub, that the key has the fingerprint given, and that each
file's hash is named by the leaf the manifest gives for it. It exits 0 and
prints a summary, or names the first file or proof that fails.

## By hand

1. Unzip the pack. For each entry of manifest.json, compute the SHA-256 of
   the file at its path (for example "sha256sum PATH") and compare it with
   the entry's sha256 and size. Every file except manifest.json is listed.
2. Each entry with a "leaf" has a receipt at the path given by "receipt": a
   JSON object with the leaf's canonical bytes ("leaf", base64), its index,
   an inclusion proof ("proof", hashes in hexadecimal) and the signed
   checkpoint ("checkpoint"). The leaf's bytes name the file's SHA-256 among
   its inputs (an original received) or outputs (a file produced).
3. The leaf hash is SHA-256 of the byte 0x00 followed by the leaf's bytes;
   interior hashes are SHA-256 of 0x01, the left hash and the right hash
   (RFC 6962). Folding the proof from the leaf hash at its index gives the
   root hash stated in the checkpoint's third line (base64) for the tree
   size in its second line.
4. The checkpoint is a signed note (golang.org/x/mod/sumdb/note): the lines
   before the blank line are the signed text; the signature line after it is
   an Ed25519 signature by the key in log.pub.

The layout of leaves, receipts and checkpoints is described in Cellsite's
provenance/FORMAT.md and docs/FORMATS.md.
`, m.Case, orNone(m.Exhibit), orNone(m.ProducedBy), m.GeneratedAt.Format(DateTimeLayout), m.Software.Version, m.Fingerprint, m.Fingerprint)
	return b.String()
}
