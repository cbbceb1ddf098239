package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/store"
	"github.com/gorilla/mux"
)

// Config is the service's configuration; zero fields get defaults.
type Config struct {
	// MaxUpload bounds an uploaded original [4 GiB].
	MaxUpload int64
	// MaxBody bounds a JSON request body [1 MiB].
	MaxBody int64
	// TokenTTL is how long a login token lives [12 h].
	TokenTTL time.Duration
	// Now is the clock [the service's].
	Now func() time.Time
	// PasswordCost is the bcrypt cost new passwords are hashed at
	// [DefaultPasswordCost]; tests lower it to run fast.
	PasswordCost int
	// TileURL is a map tile server's URL template for the web interface's
	// map, e.g. https://tiles.example.org/{z}/{x}/{y}.png ["": none; the
	// map shows the cells on a plain background]. Its origin is the only
	// outside address the content security policy allows (TileOrigin).
	TileURL string
	// TileAttribution is the credit the tile server asks to be shown.
	TileAttribution string
}

// Deps are what the handlers work with.
type Deps struct {
	Service *casework.Service
	// Runner runs the jobs the API submits; NewServer registers their
	// kinds with it. Start it once the server is made.
	Runner   *casework.Runner
	Profiles *ingest.Profiles
	Log      *slog.Logger
	// TemplateDir is a directory of schedule templates that add to or
	// override the built-in ones ("" for none).
	TemplateDir string
	// Outbox is the directory packs are written to, within the data
	// directory [DATA/packs].
	Outbox string
}

// server holds what every handler needs.
type server struct {
	cfg  Config
	csp  string // the Content-Security-Policy header
	maps mapsCache
	deps Deps
	svc  *casework.Service
	db   *store.DB
	log  *slog.Logger
	now  func() time.Time
}

// NewServer returns the HTTP API.
func NewServer(cfg Config, deps Deps) http.Handler {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = casework.MaxOriginal
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.PasswordCost <= 0 {
		cfg.PasswordCost = DefaultPasswordCost
	}
	if cfg.Now == nil {
		cfg.Now = deps.Service.Now
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{cfg: cfg, deps: deps, svc: deps.Service, db: deps.Service.DB, log: deps.Log, now: cfg.Now}
	tileOrigin := ""
	if cfg.TileURL != "" {
		var err error
		if tileOrigin, err = TileOrigin(cfg.TileURL); err != nil {
			// The command checks the flag; a bad URL here draws no tiles.
			s.cfg.TileURL = ""
			deps.Log.Error("tiles", "err", err.Error())
		}
	}
	s.csp = contentSecurityPolicy(tileOrigin)
	r := mux.NewRouter().UseEncodedPath()
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.log, cellsite.Errorf(cellsite.NotFound, "route", "no route %s %s", r.Method, r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, Error{Code: "method-not-allowed", Message: r.Method + " is not allowed on " + r.URL.Path})
	})
	s.routes(r)
	s.registerJobs(deps.Runner)
	r.Use(s.withRequestID, s.withRecovery, s.withHeaders)
	return r
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyInfo
)

// reqInfo is filled in as a request is handled, for the audit record.
type reqInfo struct {
	user    *store.User
	caseRef string // when the case is not in the path (a case being created, a job's case)
	object  string // when the object is not in the path (a user being created)
}

func infoOf(ctx context.Context) *reqInfo {
	if i, ok := ctx.Value(keyInfo).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

func routeName(r *http.Request) string {
	if rt := mux.CurrentRoute(r); rt != nil {
		if n := rt.GetName(); n != "" {
			return n
		}
		if t, err := rt.GetPathTemplate(); err == nil {
			return t
		}
	}
	return r.URL.Path
}

func (s *server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := "req_" + hex.EncodeToString(b[:])
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		ctx = context.WithValue(ctx, keyInfo, &reqInfo{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *server) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				writeError(w, r, s.log, cellsite.Errorf(cellsite.Internal, "handler", "panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *server) withHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the request's remote address without the port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func outcomeOf(status int) string {
	switch {
	case status < 400:
		return "ok"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "denied"
	case status == http.StatusNotFound:
		return "not-found"
	case status == statusClientClosed:
		return "abandoned"
	case status < 500:
		return "refused"
	}
	return "error"
}

// audited records every request of a case route in the audit trail, after
// the handler ran: who, what, on which case and object, and the outcome.
func (s *server) audited(action string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		info := infoOf(r.Context())
		u := info.user
		caseRef := pathVar(r, "case")
		if caseRef == "" {
			caseRef = info.caseRef
		}
		obj := objectOf(r)
		if obj == "" {
			obj = info.object
		}
		rec := store.AuditRecord{
			At: s.now(), Case: caseRef, Action: action, Object: obj,
			Status: sw.status, Outcome: outcomeOf(sw.status), Client: clientAddr(r), RequestID: requestID(r.Context()),
		}
		if u != nil {
			rec.User, rec.Role = u.Name, u.Role
		} else {
			rec.User, rec.Role = "(anonymous)", ""
		}
		// Written even when the client has gone: the attempt is what is audited.
		ctx := context.WithoutCancel(r.Context())
		err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.AddAudit(ctx, rec) })
		if err != nil {
			s.log.ErrorContext(r.Context(), "audit record not written", "request_id", rec.RequestID, "err", err.Error())
		}
	})
}

// objectOf names what a request was about: the route's variables other
// than the case, e.g. "pack 3".
func objectOf(r *http.Request) string {
	vars := mux.Vars(r)
	var parts []string
	for _, k := range []string{"id", "leaf", "user"} {
		if _, ok := vars[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", k, pathVar(r, k)))
		}
	}
	return strings.Join(parts, ", ")
}
