package casework

import (
	"context"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// ValidRef checks a case reference: 1 to 64 letters, digits, '-', '_',
// '.' or '/', and no path tricks.
func ValidRef(ref string) error {
	if ref == "" || len(ref) > 64 || strings.Contains(ref, "..") || strings.HasPrefix(ref, "/") {
		return cellsite.Errorf(cellsite.Invalid, "case reference", "%q: use 1 to 64 letters, digits, '-', '_', '.' or '/'", ref)
	}
	for _, r := range ref {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./", r)) {
			return cellsite.Errorf(cellsite.Invalid, "case reference", "%q: use 1 to 64 letters, digits, '-', '_', '.' or '/'", ref)
		}
	}
	return nil
}

// CreateCase opens a case and records it (a case leaf).
func (s *Service) CreateCase(ctx context.Context, actor provenance.Actor, ref, title string) (cellsite.Case, error) {
	if err := ValidRef(ref); err != nil {
		return cellsite.Case{}, err
	}
	if strings.TrimSpace(title) == "" {
		return cellsite.Case{}, cellsite.Errorf(cellsite.Invalid, "create case", "a title is required")
	}
	now := s.now()
	c := cellsite.Case{Ref: ref, Title: title, CreatedAt: now, CreatedBy: actor.User}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		_, _, err := s.Log.Append(ctx, tx, provenance.Leaf{Type: provenance.CaseOpened, Case: ref, Started: now, Ended: now, Actor: actor,
			Software: cellsite.Build(), Params: []provenance.Param{{Key: "title", Value: title}}, Note: "case created"})
		return err
	})
	return c, err
}
