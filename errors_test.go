package cellsite_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cellsite/cellsite"
)

func TestKindOf(t *testing.T) {
	base := errors.New("disk on fire")
	tests := []struct {
		name string
		err  error
		want cellsite.Kind
	}{
		{"nil", nil, cellsite.Internal},
		{"plain", base, cellsite.Internal},
		{"direct", cellsite.Errorf(cellsite.NotFound, "open", "no case %q", "X"), cellsite.NotFound},
		{"wrapped", fmt.Errorf("ingest a.csv: %w", cellsite.Errorf(cellsite.Invalid, "row 3", "bad date")), cellsite.Invalid},
		{"outer kind wins", &cellsite.Error{Op: "verify", Kind: cellsite.Integrity, Err: cellsite.Errorf(cellsite.Invalid, "x", "y")}, cellsite.Integrity},
		{"outer without kind defers", &cellsite.Error{Op: "serve", Err: cellsite.Errorf(cellsite.Forbidden, "x", "y")}, cellsite.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cellsite.KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
	e := cellsite.Errorf(cellsite.Conflict, "create case", "%w", base)
	if !errors.Is(e, base) || e.Error() != "create case: disk on fire" {
		t.Errorf("wrapping: %v", e)
	}
}

func TestHashText(t *testing.T) {
	h := cellsite.Sum([]byte("abc"))
	if h.String() != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Sum(abc) = %s", h)
	}
	var back cellsite.Hash
	if err := back.UnmarshalText([]byte(h.String())); err != nil || back != h {
		t.Errorf("round trip: %v", err)
	}
	for _, bad := range []string{"", "zz", h.String()[:63] + "g"} {
		if _, err := cellsite.ParseHash(bad); cellsite.KindOf(err) != cellsite.Invalid {
			t.Errorf("ParseHash(%q) err = %v", bad, err)
		}
	}
}
