package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordCost is the bcrypt cost passwords are hashed at.
const DefaultPasswordCost = 12

// HashPassword returns the bcrypt hash of a password at the default cost.
func HashPassword(pw string) (string, error) { return hashPassword(pw, DefaultPasswordCost) }

func hashPassword(pw string, cost int) (string, error) {
	if len(pw) < 12 {
		return "", invalidFields("the password is too short", map[string]string{"password": "at least 12 characters"})
	}
	if len(pw) > 72 {
		return "", invalidFields("the password is too long", map[string]string{"password": "at most 72 bytes"})
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", cellsite.Errorf(cellsite.Internal, "hash password", "%v", err)
	}
	return string(h), nil
}

// tokenPrefix begins every API token, so that a leaked one is easy to
// recognise (and to scan for).
const tokenPrefix = "cst_"

// NewToken returns a new random API token and the hash that is stored.
func NewToken() (string, cellsite.Hash) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	t := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return t, TokenHash(t)
}

// TokenHash is the stored form of a token.
func TokenHash(t string) cellsite.Hash { return sha256.Sum256([]byte(t)) }

// IssueToken stores a new token of a user and returns it; the token
// itself is not kept.
func IssueToken(ctx context.Context, tx *store.Tx, user, label string, now time.Time, ttl time.Duration) (string, store.Token, error) {
	tok, h := NewToken()
	t := store.Token{Hash: h, User: user, Label: label, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	return tok, t, tx.AddToken(ctx, t)
}

// authenticate returns the user of the request's bearer token.
func (s *server) authenticate(r *http.Request) (*store.User, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || !strings.HasPrefix(tok, tokenPrefix) {
		return nil, errUnauthorized
	}
	var u store.User
	err := s.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		u, err = tx.TokenUser(r.Context(), TokenHash(strings.TrimSpace(tok)), s.now())
		return err
	})
	if cellsite.KindOf(err) == cellsite.NotFound {
		return nil, errUnauthorized
	}
	if err != nil {
		return nil, err
	}
	infoOf(r.Context()).user = &u
	return &u, nil
}

// handlerFunc is a handler of a signed-in user that returns its error.
type handlerFunc func(w http.ResponseWriter, r *http.Request, u *store.User) error

// authed signs the request in, then runs h, writing any error.
func (s *server) authed(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authenticate(r)
		if err == nil {
			err = h(w, r, u)
		}
		if err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// Permissions of the roles.
const (
	canRead    = iota // see the case's records, analyses, packs and provenance
	canWrite          // upload, analyse, request packs, add members, triggers
	canReview         // approve or reject packs
	canPackets        // see approved packs (prosecutors: only this)
)

func allowed(role string, p int) bool {
	switch role {
	case store.RoleAdmin:
		return true
	case store.RoleAnalyst:
		return p == canRead || p == canWrite || p == canPackets
	case store.RoleReviewer:
		return p == canRead || p == canReview || p == canPackets
	case store.RoleProsecutor:
		return p == canPackets
	}
	return false
}

// caseFor checks that u may act on the case with permission p. A case the
// user does not belong to does not exist for them (NotFound), whatever
// they asked; a member without the permission is Forbidden.
func (s *server) caseFor(ctx context.Context, u *store.User, ref string, p int) (cellsite.Case, error) {
	var c cellsite.Case
	err := s.db.View(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.Case(ctx, ref)
		if err != nil {
			return cellsite.Errorf(cellsite.NotFound, "case", "no case %q", ref)
		}
		if u.Role == store.RoleAdmin {
			return nil
		}
		ok, err := tx.IsMember(ctx, ref, u.Name)
		if err != nil {
			return err
		}
		if !ok {
			return cellsite.Errorf(cellsite.NotFound, "case", "no case %q", ref)
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if !allowed(u.Role, p) {
		return c, cellsite.Errorf(cellsite.Forbidden, "case", "a %s may not do this", u.Role)
	}
	return c, nil
}

type loginRequest struct {
	User     string `json:"user" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=72"`
}

type tokenResponse struct {
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expires_at"`
	User      store.User `json:"user"`
}

// handleLogin exchanges a user's name and password for a token.
func (s *server) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req loginRequest
		if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		var resp tokenResponse
		err := s.db.Update(r.Context(), func(tx *store.Tx) error {
			u, err := tx.User(r.Context(), req.User)
			if err != nil || u.Disabled || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(req.Password)) != nil {
				return errUnauthorized
			}
			tok, t, err := IssueToken(r.Context(), tx, u.Name, "login", s.now(), s.cfg.TokenTTL)
			if err != nil {
				return err
			}
			resp = tokenResponse{Token: tok, ExpiresAt: t.ExpiresAt, User: u}
			infoOf(r.Context()).user = &resp.User // for the audit record
			return nil
		})
		if err != nil {
			if err == errUnauthorized {
				err = cellsite.Errorf(cellsite.Invalid, "login", "unknown user or wrong password")
				writeJSON(w, http.StatusUnauthorized, Error{Code: "unauthorized", Message: err.Error()})
				return
			}
			writeError(w, r, s.log, err)
			return
		}
		s.log.InfoContext(r.Context(), "login", "user", resp.User.Name, "request_id", requestID(r.Context()))
		writeJSON(w, http.StatusOK, resp)
	})
}

func actorOf(u *store.User) provenance.Actor { return provenance.Actor{User: u.Name, Role: u.Role} }
