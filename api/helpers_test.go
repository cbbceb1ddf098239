package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cellsite/cellsite/api"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/synth"
	"golang.org/x/crypto/bcrypt"
)

// testEnv is a running service on a loopback port with a fresh data
// directory, and an admin with a token.
type testEnv struct {
	t      *testing.T
	dir    string
	svc    *casework.Service
	runner *casework.Runner
	outbox string
	srv    *httptest.Server
	admin  *client
}

type envOptions struct {
	cfg     api.Config
	now     func() time.Time // the service's clock; nil: the system's
	workers int
	noStart bool // leave the runner stopped (the test starts it)
	// dsn names a PostgreSQL database ("" for SQLite in the directory).
	dsn string
	// replica names the runner [host-pid-random].
	replica string
	// join makes this service another replica of that one's installation
	// (same database and data directory, same admin).
	join *testEnv
}

func newEnv(t *testing.T, o envOptions) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if o.join != nil {
		dir = o.join.dir
	}
	svc, err := casework.Open(ctx, casework.Config{Dir: dir, DSN: o.dsn, Create: o.join == nil, Now: o.now})
	if err != nil {
		t.Fatal(err)
	}
	profiles, err := casework.LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.PasswordCost == 0 {
		o.cfg.PasswordCost = bcrypt.MinCost // the tests' passwords guard nothing
	}
	if o.workers == 0 {
		o.workers = 2
	}
	e := &testEnv{t: t, dir: dir, svc: svc, outbox: filepath.Join(dir, "packs"),
		runner: svc.NewRunner(casework.RunnerConfig{Workers: o.workers, Poll: 20 * time.Millisecond, Replica: o.replica})}
	h := api.NewServer(o.cfg, api.Deps{Service: svc, Runner: e.runner, Profiles: profiles, Outbox: e.outbox})
	if !o.noStart {
		if err := e.runner.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	e.srv = httptest.NewServer(h) // 127.0.0.1, a port of the kernel's choosing
	t.Cleanup(func() {
		e.srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := e.runner.Shutdown(sctx); err != nil {
			t.Errorf("runner shutdown: %v", err)
		}
		svc.Close()
	})
	if o.join != nil {
		e.admin = o.join.admin.on(e)
		return e
	}
	// The first admin, as `cellsite serve` makes it on a first start.
	var tok string
	err = svc.DB.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(ctx, store.User{Name: "admin", Display: "Administrator", Role: store.RoleAdmin, PasswordHash: "-", CreatedAt: svc.Now()}); err != nil {
			return err
		}
		var err error
		tok, _, err = api.IssueToken(ctx, tx, "admin", "first start", svc.Now(), 10*365*24*time.Hour)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.admin = &client{e: e, name: "admin", role: store.RoleAdmin, token: tok}
	return e
}

// waitIdle waits until no job is queued or running.
func (e *testEnv) waitIdle() {
	e.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var n int
		err := e.svc.DB.View(context.Background(), func(tx *store.Tx) error {
			js, err := tx.Jobs(context.Background(), store.JobQueued, store.JobRunning)
			n = len(js)
			return err
		})
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Fatal("jobs still queued or running after 2 minutes")
}

// client calls the API as one user.
type client struct {
	e     *testEnv
	name  string
	role  string
	token string
}

func (e *testEnv) anonymous() *client { return &client{e: e, name: "(anonymous)"} }

// on returns the same user calling another replica's server.
func (c *client) on(e *testEnv) *client {
	c2 := *c
	c2.e = e
	return &c2
}

// reply is a response, read.
type reply struct {
	status int
	header http.Header
	body   []byte
	reqID  string
}

func (r reply) String() string {
	b := r.body
	if len(b) > 600 {
		b = append(b[:600:600], "..."...)
	}
	return fmt.Sprintf("%d %s", r.status, b)
}

// decode decodes the reply's JSON body into v.
func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r, err)
	}
}

// apiError decodes an error reply.
func (r reply) apiError(t *testing.T) api.Error {
	t.Helper()
	var e api.Error
	r.decode(t, &e)
	return e
}

// send makes a request to path (below /api/v1) with a body of the given
// content type.
func (c *client) send(method, path, contentType string, body io.Reader) reply {
	c.e.t.Helper()
	r, err := c.trySend(method, path, contentType, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return r
}

// trySend is send for a goroutine other than the test's: it returns what
// went wrong instead of stopping the test.
func (c *client) trySend(method, path, contentType string, body io.Reader) (reply, error) {
	req, err := http.NewRequest(method, c.e.srv.URL+prefix+path, body)
	if err != nil {
		return reply{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.e.srv.Client().Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: reading the body: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b, reqID: resp.Header.Get("X-Request-ID")}, nil
}

// try is do for a goroutine other than the test's.
func (c *client) try(method, path string, v any) (reply, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return reply{}, err
	}
	return c.trySend(method, path, "application/json", bytes.NewReader(b))
}

// do sends v as JSON (a string or []byte is sent as it is; nil sends no
// body).
func (c *client) do(method, path string, v any) reply {
	c.e.t.Helper()
	var body io.Reader
	switch v := v.(type) {
	case nil:
	case string:
		body = strings.NewReader(v)
	case []byte:
		body = bytes.NewReader(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			c.e.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	return c.send(method, path, ct, body)
}

// must makes a request that must answer want, decoding the reply into out
// (when not nil).
func (c *client) must(method, path string, in any, want int, out any) reply {
	c.e.t.Helper()
	r := c.do(method, path, in)
	if r.status != want {
		c.e.t.Fatalf("%s %s as %s: %s, want %d", method, path, c.name, r, want)
	}
	if out != nil {
		r.decode(c.e.t, out)
	}
	return r
}

// formField is a field of a multipart upload.
type formField struct{ name, value string }

// upload posts a multipart upload: the fields, then the file part with
// the given file name and content.
func (c *client) upload(caseRef string, fields []formField, fileName string, content []byte) reply {
	c.e.t.Helper()
	r, err := c.tryUpload(caseRef, fields, fileName, content)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return r
}

// tryUpload is upload for a goroutine other than the test's.
func (c *client) tryUpload(caseRef string, fields []formField, fileName string, content []byte) (reply, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			return reply{}, err
		}
	}
	// Written by hand: CreateFormFile would escape the name but keep any
	// directories in it, which is what the server must refuse.
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, fileName))
	h.Set("Content-Type", "application/octet-stream")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return reply{}, err
	}
	if _, err := pw.Write(content); err != nil {
		return reply{}, err
	}
	if err := mw.Close(); err != nil {
		return reply{}, err
	}
	return c.trySend("POST", "/cases/"+escape(caseRef)+"/sources", mw.FormDataContentType(), &buf)
}

// escape makes a case reference one path segment.
func escape(ref string) string { return strings.ReplaceAll(ref, "/", "%2F") }

// job is a job as GET /jobs/{id} shows it.
type job struct {
	ID       string          `json:"id"`
	Case     string          `json:"case"`
	Kind     string          `json:"kind"`
	State    string          `json:"state"`
	Stage    string          `json:"stage"`
	Done     *int64          `json:"done"`
	Total    *int64          `json:"total"`
	Percent  *float64        `json:"percent"`
	Result   json.RawMessage `json:"result"`
	Error    string          `json:"error"`
	Created  string          `json:"created_by"`
	Finished time.Time       `json:"finished_at"`
}

// startedJob decodes the job of a 202 reply.
func startedJob(t *testing.T, r reply) job {
	t.Helper()
	if r.status != http.StatusAccepted {
		t.Fatalf("starting a job: %s", r)
	}
	var v struct{ Job job }
	r.decode(t, &v)
	if v.Job.ID == "" || v.Job.State != "queued" || string(v.Job.Result) != "null" {
		t.Fatalf("started job: %s", r)
	}
	return v.Job
}

// wait polls a job until it ends (a bounded poll: the only waiting the
// tests do) and checks that its progress fields were there throughout.
func (c *client) wait(id string) job {
	c.e.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var j job
		c.must("GET", "/jobs/"+id, nil, http.StatusOK, &j)
		if j.Done == nil || j.Total == nil || j.Percent == nil || j.Stage == "" {
			c.e.t.Fatalf("job %s: progress fields missing: %+v", id, j)
		}
		switch j.State {
		case store.JobSucceeded, store.JobFailed, store.JobCancelled:
			return j
		case store.JobQueued, store.JobRunning:
		default:
			c.e.t.Fatalf("job %s: state %q", id, j.State)
		}
		if time.Now().After(deadline) {
			c.e.t.Fatalf("job %s still %s at stage %q after 3 minutes", id, j.State, j.Stage)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// succeed waits for a job that must succeed and decodes its result.
func (c *client) succeed(id string, out any) job {
	c.e.t.Helper()
	j := c.wait(id)
	if j.State != store.JobSucceeded {
		c.e.t.Fatalf("job %s (%s): %s: %s", id, j.Kind, j.State, j.Error)
	}
	if j.Percent == nil || *j.Percent != 100 {
		c.e.t.Errorf("job %s succeeded at %v percent", id, j.Percent)
	}
	if out != nil {
		if err := json.Unmarshal(j.Result, out); err != nil {
			c.e.t.Fatalf("job %s result %s: %v", id, j.Result, err)
		}
	}
	return j
}

// newUser has the admin create a user, who then logs in.
func (e *testEnv) newUser(name, role string) *client {
	e.t.Helper()
	pw := "pw-" + name + "-0123456789"
	e.admin.must("POST", "/users", map[string]string{"name": name, "display": strings.ToUpper(name[:1]) + name[1:], "role": role, "password": pw}, http.StatusCreated, nil)
	var tr struct {
		Token string
		User  store.User
	}
	e.anonymous().must("POST", "/login", map[string]string{"user": name, "password": pw}, http.StatusOK, &tr)
	if tr.User.Role != role || !strings.HasPrefix(tr.Token, "cst_") {
		e.t.Fatalf("login %s: %+v", name, tr)
	}
	return &client{e: e, name: name, role: role, token: tr.Token}
}

// audit returns the audit trail as the admin exports it.
func (e *testEnv) audit() []store.AuditRecord {
	e.t.Helper()
	r := e.admin.must("GET", "/audit", nil, http.StatusOK, nil)
	if ct := r.header.Get("Content-Type"); ct != "application/x-ndjson" {
		e.t.Errorf("audit export Content-Type %q", ct)
	}
	var out []store.AuditRecord
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	for sc.Scan() {
		var rec store.AuditRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			e.t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, rec)
	}
	return out
}

// audited checks that the request of reply r left an audit record with
// the user, case, action and outcome given.
func (e *testEnv) audited(r reply, user, caseRef, action, outcome string) {
	e.t.Helper()
	for _, rec := range e.audit() {
		if rec.RequestID != r.reqID {
			continue
		}
		if rec.User != user || rec.Case != caseRef || rec.Action != action || rec.Outcome != outcome || rec.Status != r.status {
			e.t.Errorf("audit record of %s: %+v, want user %s, case %q, action %s, outcome %s, status %d", r.reqID, rec, user, caseRef, action, outcome, r.status)
		}
		return
	}
	e.t.Errorf("no audit record of request %s (%s %s on case %q by %s)", r.reqID, action, outcome, caseRef, user)
}

// scenario is the synthetic meeting scenario, written once for all tests.
type scenario struct {
	truth *synth.Truth
	dir   string
}

var (
	scenarioOnce sync.Once
	scenarioDir  string
	meeting      *synth.Truth
	scenarioErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if scenarioDir != "" {
		os.RemoveAll(scenarioDir)
	}
	os.Exit(code)
}

// meetingScenario writes the synthetic meeting scenario (seed 1) once.
func meetingScenario(t *testing.T) scenario {
	t.Helper()
	scenarioOnce.Do(func() {
		scenarioDir, scenarioErr = os.MkdirTemp("", "cellsite-api-test-")
		if scenarioErr != nil {
			return
		}
		root, err := os.OpenRoot(scenarioDir)
		if err != nil {
			scenarioErr = err
			return
		}
		defer root.Close()
		meeting, scenarioErr = synth.Generate(context.Background(), synth.Options{Scenario: "meeting", Seed: 1}, synth.DirSink{Root: root})
	})
	if scenarioErr != nil {
		t.Fatal(scenarioErr)
	}
	return scenario{truth: meeting, dir: scenarioDir}
}

// read returns a scenario file's bytes.
func (s scenario) read(t *testing.T, f synth.File) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(f.Path)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files returns the scenario's files of a kind.
func (s scenario) files(kind string) []synth.File {
	var out []synth.File
	for _, f := range s.truth.Files {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// seedCase creates a case with the scenario's files ingested directly
// (not through the API), with the given members.
func (e *testEnv) seedCase(ref string, s scenario, members ...string) {
	e.t.Helper()
	ctx := context.Background()
	actor := provenance.Actor{User: "admin", Role: store.RoleAdmin}
	if _, err := e.svc.CreateCase(ctx, actor, ref, "Seeded "+ref); err != nil {
		e.t.Fatal(err)
	}
	for _, kind := range []string{"cells", "cdr"} {
		for _, f := range s.files(kind) {
			_, err := e.svc.Ingest(ctx, actor, casework.IngestRequest{Case: ref, Kind: kind, Name: filepath.Base(f.Path), Body: bytes.NewReader(s.read(e.t, f))})
			if err != nil {
				e.t.Fatal(err)
			}
		}
	}
	err := e.svc.DB.Update(ctx, func(tx *store.Tx) error {
		for _, m := range members {
			if err := tx.AddMember(ctx, ref, m, "admin", e.svc.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}
