package cellsite

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Hash is a SHA-256 digest.
type Hash [32]byte

// Sum returns the SHA-256 digest of b.
func Sum(b []byte) Hash { return sha256.Sum256(b) }

// String returns the digest as 64 lower-case hexadecimal digits.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zero bytes (no hash).
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText encodes the digest as lower-case hexadecimal.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes 64 hexadecimal digits.
func (h *Hash) UnmarshalText(b []byte) error {
	p, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash decodes 64 hexadecimal digits into a Hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, Errorf(Invalid, "parse hash", "want 64 hex digits, got %d characters", len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, Errorf(Invalid, "parse hash", "%v", err)
	}
	return h, nil
}

// Artefact names a sequence of bytes by its digest and length: an original
// file, a rendered schedule, the canonical encoding of a set of events.
type Artefact struct {
	Name   string `json:"name"`
	SHA256 Hash   `json:"sha256"`
	Size   int64  `json:"size"`
}

// String returns "name (size bytes, sha256 …)".
func (a Artefact) String() string {
	return fmt.Sprintf("%s (%d bytes, sha256 %s)", a.Name, a.Size, a.SHA256)
}
