package api

import (
	"net/http"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
)

func (s *server) me(w http.ResponseWriter, r *http.Request, u *store.User) error {
	writeJSON(w, http.StatusOK, u)
	return nil
}

type tokenRequest struct {
	Label string `json:"label" validate:"required,max=64"`
	Days  int    `json:"days" validate:"omitempty,min=1,max=366"`
}

// createToken issues a personal API token to the signed-in user; it is
// shown once and stored only as a hash.
func (s *server) createToken(w http.ResponseWriter, r *http.Request, u *store.User) error {
	var req tokenRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if req.Days == 0 {
		req.Days = 90
	}
	var resp tokenResponse
	err := s.db.Update(r.Context(), func(tx *store.Tx) error {
		tok, t, err := IssueToken(r.Context(), tx, u.Name, req.Label, s.now(), time.Duration(req.Days)*24*time.Hour)
		resp = tokenResponse{Token: tok, ExpiresAt: t.ExpiresAt, User: *u}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

type userRequest struct {
	Name     string `json:"name" validate:"required,max=64"`
	Display  string `json:"display" validate:"required,max=128"`
	Role     string `json:"role" validate:"required,oneof=analyst reviewer prosecutor admin"`
	Password string `json:"password" validate:"required,min=12,max=72"`
}

func (s *server) requireAdmin(u *store.User) error {
	if u.Role != store.RoleAdmin {
		return cellsite.Errorf(cellsite.Forbidden, "users", "only an admin may manage users")
	}
	return nil
}

func (s *server) listUsers(w http.ResponseWriter, r *http.Request, u *store.User) error {
	if err := s.requireAdmin(u); err != nil {
		return err
	}
	var us []store.User
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		us, err = tx.Users(r.Context())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": nonNil(us)})
	return nil
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request, u *store.User) error {
	if err := s.requireAdmin(u); err != nil {
		return err
	}
	var req userRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	infoOf(r.Context()).object = "user " + req.Name // for the audit record
	if err := validUserName(req.Name); err != nil {
		return err
	}
	h, err := hashPassword(req.Password, s.cfg.PasswordCost)
	if err != nil {
		return err
	}
	nu := store.User{Name: req.Name, Display: req.Display, Role: req.Role, PasswordHash: h, CreatedAt: s.now()}
	if err := s.db.Update(r.Context(), func(tx *store.Tx) error { return tx.CreateUser(r.Context(), nu) }); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "user created", "user", nu.Name, "role", nu.Role, "by", u.Name)
	writeJSON(w, http.StatusCreated, nu)
	return nil
}

// validUserName allows letters, digits, '.', '-' and '_'.
func validUserName(n string) error {
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return invalidFields("bad user name", map[string]string{"name": "letters, digits, '.', '-' and '_' only"})
		}
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
