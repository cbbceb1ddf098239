package provenance

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/cellsite/cellsite"
	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed statement of the log's size and root hash, in the
// signed-note format: the body is three lines, the origin, the tree size in
// decimal and the root hash in standard base64, followed by the signature.
type Checkpoint struct {
	Origin string        `json:"origin"`
	Size   int64         `json:"size"`
	Root   cellsite.Hash `json:"root"`
	Note   string        `json:"note"` // the whole signed note text
}

// Body returns the checkpoint's unsigned body text.
func checkpointBody(origin string, size int64, root cellsite.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// NewKey generates an Ed25519 signing key for a log with the given origin
// (a name without spaces or '+', e.g. "cellsite/3f2a9c01"). It returns the
// private signer key and the public verifier key in signed-note format.
func NewKey(origin string) (signer, verifier string, err error) {
	signer, verifier, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", "", cellsite.Errorf(cellsite.Invalid, "new key", "%v", err)
	}
	return signer, verifier, nil
}

// Fingerprint returns "sha256:" and the hexadecimal SHA-256 of a verifier
// key's decoded key bytes (algorithm byte and Ed25519 public key), a value
// short enough to read aloud and compare with a published one.
func Fingerprint(verifierKey string) (string, error) {
	parts := strings.SplitN(strings.TrimSpace(verifierKey), "+", 3)
	if len(parts) != 3 {
		return "", cellsite.Errorf(cellsite.Invalid, "fingerprint", "not a verifier key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		return "", cellsite.Errorf(cellsite.Invalid, "fingerprint", "verifier key: %v", err)
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// OpenCheckpoint checks a signed checkpoint against a verifier key and parses
// it. A bad or missing signature, or a malformed body, is an Integrity error.
func OpenCheckpoint(text []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Checkpoint{}, cellsite.Errorf(cellsite.Invalid, "open checkpoint", "verifier key: %v", err)
	}
	return openCheckpoint(text, v)
}

func openCheckpoint(text []byte, v note.Verifier) (Checkpoint, error) {
	fail := func(format string, args ...any) (Checkpoint, error) {
		return Checkpoint{}, cellsite.Errorf(cellsite.Integrity, "open checkpoint", format, args...)
	}
	n, err := note.Open(text, note.VerifierList(v))
	if err != nil {
		return fail("signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return fail("body is not three lines")
	}
	if lines[0] != v.Name() {
		return fail("origin %q, want %q", lines[0], v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return fail("bad tree size %q", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != 32 {
		return fail("bad root hash %q", lines[2])
	}
	cp := Checkpoint{Origin: lines[0], Size: size, Note: string(text)}
	copy(cp.Root[:], raw)
	if !bytes.Equal([]byte(checkpointBody(cp.Origin, cp.Size, cp.Root)), []byte(n.Text)) {
		return fail("body not in canonical form")
	}
	return cp, nil
}
