package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// checkpoint returns the latest signed checkpoint and the log's key.
func (s *server) checkpoint(w http.ResponseWriter, r *http.Request, u *store.User) error {
	var cp provenance.Checkpoint
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		cp, err = s.svc.Log.Latest(r.Context(), tx)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"checkpoint": cp, "key": s.svc.VerifierKey, "fingerprint": s.svc.Fingerprint()})
	return nil
}

// verifyLog starts a job that checks the whole log and every stored
// original, as `cellsite verify` does.
func (s *server) verifyLog(w http.ResponseWriter, r *http.Request, u *store.User) error {
	if u.Role != store.RoleAdmin && u.Role != store.RoleReviewer {
		return cellsite.Errorf(cellsite.Forbidden, "verify", "a %s may not verify the whole log", u.Role)
	}
	job, err := s.deps.Runner.Submit(r.Context(), "", "verify", u.Name, verifyJob{Actor: actorOf(u)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"job": jobView(job)})
	return nil
}

// leafView is a leaf with its hash, as the API shows it.
type leafView struct {
	provenance.Leaf
	Hash cellsite.Hash `json:"hash"`
}

// caseLeaves lists the provenance leaves of a case.
func (s *server) caseLeaves(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	out := []leafView{}
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		idx, err := tx.LeafIndexes(r.Context(), c.Ref)
		if err != nil {
			return err
		}
		for _, i := range idx {
			lf, data, err := provenance.Get(r.Context(), tx, i)
			if err != nil {
				return err
			}
			out = append(out, leafView{lf, provenance.LeafHash(data)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"leaves": out})
	return nil
}

// receipt returns a portable receipt for one leaf of the case.
func (s *server) receipt(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canPackets)
	if err != nil {
		return err
	}
	i, err := strconv.ParseInt(pathVar(r, "leaf"), 10, 64)
	if err != nil || i < 0 {
		return cellsite.Errorf(cellsite.NotFound, "receipt", "no leaf %q", pathVar(r, "leaf"))
	}
	var rc provenance.Receipt
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		lf, _, err := provenance.Get(r.Context(), tx, i)
		if err != nil || lf.Case != c.Ref {
			return cellsite.Errorf(cellsite.NotFound, "receipt", "no leaf %d in case %s", i, c.Ref)
		}
		if !allowed(u.Role, canRead) {
			// Those who see approved packs only get the receipts of
			// those packs' own leaves; the pack carries the rest.
			ok, err := approvedPackLeaf(r.Context(), tx, c.Ref, i)
			if err != nil {
				return err
			}
			if !ok {
				return cellsite.Errorf(cellsite.NotFound, "receipt", "no leaf %d in case %s", i, c.Ref)
			}
		}
		rc, err = s.svc.Log.Receipt(r.Context(), tx, i)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rc)
	return nil
}

// approvedPackLeaf says whether leaf i is the render, pack or review leaf
// of an approved pack of the case.
func approvedPackLeaf(ctx context.Context, tx *store.Tx, caseRef string, i int64) (bool, error) {
	ps, err := tx.Packs(ctx, caseRef)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.Status == store.PackApproved && (p.RenderLeaf == i || p.PackLeaf == i || p.ReviewLeaf == i) {
			return true, nil
		}
	}
	return false, nil
}

// exportAudit streams the audit trail as JSON lines: everything for an
// admin, the records of their cases for a reviewer.
func (s *server) exportAudit(w http.ResponseWriter, r *http.Request, u *store.User) error {
	if u.Role != store.RoleAdmin && u.Role != store.RoleReviewer {
		return cellsite.Errorf(cellsite.Forbidden, "audit", "a %s may not read the audit trail", u.Role)
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	return s.streamAudit(w, r, u, "", after)
}

// caseAudit streams one case's audit records.
func (s *server) caseAudit(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canReview)
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	return s.streamAudit(w, r, u, c.Ref, after)
}

func (s *server) streamAudit(w http.ResponseWriter, r *http.Request, u *store.User, caseRef string, after int64) error {
	var mine map[string]bool
	if u.Role != store.RoleAdmin {
		if err := s.db.View(r.Context(), func(tx *store.Tx) error {
			var err error
			mine, err = tx.MemberCases(r.Context(), u.Name)
			return err
		}); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		return tx.Audit(r.Context(), caseRef, after, func(rec store.AuditRecord) error {
			if mine != nil && !mine[rec.Case] {
				return nil
			}
			return enc.Encode(rec)
		})
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
