package api

import (
	"net/http"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/store"
)

type caseRequest struct {
	Ref   string `json:"ref" validate:"required,max=64"`
	Title string `json:"title" validate:"required,max=200"`
}

// caseView is a case with the caller's view of it.
type caseView struct {
	cellsite.Case
	Members []store.Member `json:"members,omitempty"`
}

func (s *server) listCases(w http.ResponseWriter, r *http.Request, u *store.User) error {
	var out []cellsite.Case
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		all, err := tx.Cases(r.Context())
		if err != nil {
			return err
		}
		mine, err := tx.MemberCases(r.Context(), u.Name)
		if err != nil {
			return err
		}
		for _, c := range all {
			if u.Role == store.RoleAdmin || mine[c.Ref] {
				out = append(out, c)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": nonNil(out)})
	return nil
}

func (s *server) createCase(w http.ResponseWriter, r *http.Request, u *store.User) error {
	if !allowed(u.Role, canWrite) {
		return cellsite.Errorf(cellsite.Forbidden, "create case", "a %s may not create cases", u.Role)
	}
	var req caseRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	infoOf(r.Context()).caseRef = req.Ref // for the audit record
	if err := casework.ValidRef(req.Ref); err != nil {
		return invalidFields("bad case reference", map[string]string{"ref": "1 to 64 letters, digits, '-', '_', '.' or '/', without '..' or a leading '/'"})
	}
	c, err := s.svc.CreateCase(r.Context(), actorOf(u), req.Ref, req.Title)
	if err != nil {
		return err
	}
	if err := s.db.Update(r.Context(), func(tx *store.Tx) error { return tx.AddMember(r.Context(), c.Ref, u.Name, u.Name, s.now()) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *server) getCase(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canPackets)
	if err != nil {
		return err
	}
	v := caseView{Case: c}
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		v.Members, err = tx.Members(r.Context(), c.Ref)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *server) listMembers(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	var ms []store.Member
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		ms, err = tx.Members(r.Context(), c.Ref)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": nonNil(ms)})
	return nil
}

type memberRequest struct {
	User string `json:"user" validate:"required,max=64"`
}

func (s *server) addMember(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canWrite)
	if err != nil {
		return err
	}
	var req memberRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	err = s.db.Update(r.Context(), func(tx *store.Tx) error {
		if _, err := tx.User(r.Context(), req.User); err != nil {
			return invalidFields("no such user", map[string]string{"user": "no user " + req.User})
		}
		return tx.AddMember(r.Context(), c.Ref, req.User, u.Name, s.now())
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"case": c.Ref, "user": req.User})
	return nil
}

func (s *server) removeMember(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canWrite)
	if err != nil {
		return err
	}
	if err := s.db.Update(r.Context(), func(tx *store.Tx) error { return tx.RemoveMember(r.Context(), c.Ref, pathVar(r, "user")) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
