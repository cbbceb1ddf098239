package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	randv2 "math/rand/v2"
	"mime/multipart"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Config is one load run. Zero fields get the defaults in brackets.
type Config struct {
	Bin      string        // the cellsite binary. Required.
	Clients  int           // concurrent clients [50]
	Duration time.Duration // how long clients start new uploads [60 s]
	Cases    int           // cases the clients share [one per client]
	Users    int           // analysts the clients sign in as [5, at most one per client]
	Events   int           // events in the synthetic CDR each upload is a variant of [200]
	Workers  int           // the server's job workers [2]
	Timeout  time.Duration // bound on each request [30 s]
	Drain    time.Duration // bound on waiting for the last uploads' jobs [2 min]
	Keep     bool          // keep the data directory and the server log
	Log      io.Writer     // progress lines [none]
}

func (c *Config) defaults() {
	if c.Clients <= 0 {
		c.Clients = 50
	}
	if c.Duration <= 0 {
		c.Duration = 60 * time.Second
	}
	if c.Cases <= 0 || c.Cases > c.Clients {
		c.Cases = c.Clients
	}
	if c.Users <= 0 {
		c.Users = 5
	}
	c.Users = min(c.Users, c.Clients)
	if c.Events <= 0 {
		c.Events = 200
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Drain <= 0 {
		c.Drain = 2 * time.Minute
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// setupLimit and checkLimit bound the phases before and after the load.
const (
	setupLimit = 3 * time.Minute
	checkLimit = 5 * time.Minute
)

// user is an analyst the clients sign in as.
type user struct {
	name, token string
}

// upload is one upload and what became of it.
type upload struct {
	n        int
	client   int
	caseRef  string
	user     string
	name     string
	sha256   string
	size     int64
	jobID    string
	state    string // the job's last state seen
	jobError string
	source   int64
	leaf     int64
	accepted int
	took     time.Duration // from sending the upload to seeing its job succeed
}

// jobView is what GET /jobs/{id} answers.
type jobView struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Error  string `json:"error"`
	Result struct {
		Source  int64  `json:"source"`
		Leaf    int64  `json:"leaf"`
		SHA256  string `json:"sha256"`
		Summary struct {
			Accepted int `json:"accepted"`
			Rejected int `json:"rejected"`
		} `json:"summary"`
		OK           bool  `json:"ok"`
		Leaves       int64 `json:"leaves"`
		BlobsChecked int64 `json:"blobs_checked"`
	} `json:"result"`
}

func terminal(state string) bool {
	return state == "succeeded" || state == "failed" || state == "cancelled"
}

// session is the state of one load run.
type session struct {
	cfg    Config
	api    *api
	rec    *recorder
	corpus *corpus
	admin  string
	users  []user
	cases  []string
	rows   []atomic.Int64 // events visible in each case, as far as the clients know

	next        atomic.Int64 // upload numbers
	stopping    atomic.Bool  // no new uploads
	interrupted atomic.Bool  // stopped before the duration was over
	elapsed     time.Duration
	serverCPU   time.Duration // CPU the server used during the load
	clientCPU   time.Duration // CPU this program used during the load
	mu          sync.Mutex
	uploads     []*upload
}

// Run starts a server, puts it under load until cfg.Duration has passed or
// stop is closed, and checks what it recorded. An error means the run
// could not be carried out; what went wrong under load is in the report.
func Run(ctx context.Context, cfg Config, stop <-chan struct{}) (*Report, error) {
	cfg.defaults()
	if cfg.Bin == "" {
		return nil, errors.New("no cellsite binary given")
	}
	work, err := os.MkdirTemp("", "cellsite-load-")
	if err != nil {
		return nil, err
	}
	if cfg.Keep {
		fmt.Fprintf(cfg.Log, "data directory and server log kept in %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	data := filepath.Join(work, "data")
	rep := &Report{Config: cfg}

	fmt.Fprintf(cfg.Log, "starting %s serve\n", cfg.Bin)
	srv, err := startServer(ctx, cfg.Bin, data, filepath.Join(work, "server.log"), cfg.Workers)
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_, _, _ = srv.shutdown(30 * time.Second)
		}
	}()
	rep.Server = srv.base

	rec := newRecorder()
	r := &session{cfg: cfg, rec: rec, api: newAPI(srv.base, cfg.Clients+1, cfg.Timeout, rec), admin: srv.token}
	if r.corpus, err = newCorpus(ctx, cfg.Events); err != nil {
		return nil, err
	}
	rep.FileBytes, rep.FileRows = len(r.corpus.variant(0)), r.corpus.accepted+1

	sctx, cancel := context.WithTimeout(ctx, setupLimit)
	err = r.setup(sctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}

	fmt.Fprintf(cfg.Log, "load: %d clients for %v on %s\n", cfg.Clients, cfg.Duration, srv.base)
	r.load(ctx, stop, srv)
	rep.collect(r)

	cctx, cancel := context.WithTimeout(ctx, checkLimit)
	defer cancel()
	if ctx.Err() != nil {
		rep.problem("abandoned: nothing was checked")
	} else {
		fmt.Fprintf(cfg.Log, "checking %d uploads\n", len(r.uploads))
		r.check(cctx, rep)
	}
	if peak, cur, err := srv.memory(); err != nil {
		rep.problem("server memory: %v", err)
	} else {
		rep.PeakRSS, rep.EndRSS = peak, cur
	}

	fmt.Fprintln(cfg.Log, "stopping the server")
	stopped = true
	took, cpu, err := srv.shutdown(60 * time.Second)
	rep.ShutdownTook, rep.ServerCPU = took, cpu
	if err != nil {
		rep.problem("shutdown: %v", err)
	}
	errs, warns, err := logProblems(srv.logPath)
	if err != nil {
		rep.problem("server log: %v", err)
	}
	rep.LogWarnings = warns
	for i, e := range errs {
		if i == 5 {
			rep.problem("server log: %d more errors", len(errs)-i)
			break
		}
		rep.problem("server log: %s", e)
	}
	if err == nil && len(errs) == 0 {
		rep.note("server log: no errors (%d warnings)", warns)
	}
	if ctx.Err() == nil {
		r.verifyOffline(cctx, data, rep)
	}
	return rep, nil
}

// setup creates the analysts, signs them in, and creates the cases, each
// with the analysts of its clients as members.
func (r *session) setup(ctx context.Context) error {
	var secret [12]byte
	_, _ = rand.Read(secret[:])
	password := "load-" + hex.EncodeToString(secret[:])
	r.users = make([]user, r.cfg.Users)
	var wg sync.WaitGroup
	errs := make([]error, len(r.users))
	for i := range r.users {
		wg.Add(1)
		go func() { // bcrypt makes each of these take a while: in parallel
			defer wg.Done()
			name := fmt.Sprintf("load%02d", i+1)
			_, err := r.api.do(ctx, request{kind: kindSetup, method: "POST", path: "/users", token: r.admin, ctype: "application/json",
				body: jsonBody(map[string]string{"name": name, "display": "Load client " + name, "role": "analyst", "password": password}), want: 201})
			if err != nil {
				errs[i] = err
				return
			}
			var tok struct {
				Token string `json:"token"`
			}
			_, err = r.api.do(ctx, request{kind: kindSetup, method: "POST", path: "/login", ctype: "application/json",
				body: jsonBody(map[string]string{"user": name, "password": password}), want: 200, out: &tok})
			r.users[i], errs[i] = user{name: name, token: tok.Token}, err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	r.cases = make([]string, r.cfg.Cases)
	r.rows = make([]atomic.Int64, r.cfg.Cases)
	for c := range r.cases {
		ref := fmt.Sprintf("LOAD-%03d", c+1)
		var members []user // the users of the clients of this case, creator first
		seen := map[string]bool{}
		for i := c; i < r.cfg.Clients; i += r.cfg.Cases {
			if u := r.userOf(i); !seen[u.name] {
				seen[u.name] = true
				members = append(members, u)
			}
		}
		if _, err := r.api.do(ctx, request{kind: kindSetup, method: "POST", path: "/cases", token: members[0].token, ctype: "application/json",
			body: jsonBody(map[string]string{"ref": ref, "title": "Load test case " + ref + " (synthetic data)"}), want: 201}); err != nil {
			return err
		}
		for _, u := range members[1:] {
			if _, err := r.api.do(ctx, request{kind: kindSetup, method: "POST", path: "/cases/" + ref + "/members", token: members[0].token,
				ctype: "application/json", body: jsonBody(map[string]string{"user": u.name}), want: 201}); err != nil {
				return err
			}
		}
		r.cases[c] = ref
	}
	return nil
}

func (r *session) userOf(client int) user { return r.users[client%len(r.users)] }
func (r *session) caseOf(client int) int  { return client % len(r.cases) }

func (r *session) addUpload(u *upload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.uploads = append(r.uploads, u)
}

// load runs the clients until the duration is over or stop is closed, then
// waits (at most cfg.Drain) for their last uploads' jobs.
func (r *session) load(ctx context.Context, stop <-chan struct{}, srv *server) {
	work, abandon := context.WithCancel(ctx)
	defer abandon()
	done := make(chan struct{})
	cpu0, cpuErr := srv.cpu()
	self0 := selfCPU()
	start := time.Now()
	go func() {
		timer := time.NewTimer(r.cfg.Duration)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-stop:
			r.interrupted.Store(true)
		case <-srv.exited:
			r.rec.problem("server", errors.New("the server exited during the load"))
		case <-done:
			return
		}
		r.stopping.Store(true)
		drain := time.NewTimer(r.cfg.Drain)
		defer drain.Stop()
		select {
		case <-drain.C:
			r.rec.problem("drain", fmt.Errorf("the last uploads' jobs did not finish within %v", r.cfg.Drain))
			abandon()
		case <-done:
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < r.cfg.Clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.client(work, i)
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	r.clientCPU = selfCPU() - self0
	if cpu1, err := srv.cpu(); err == nil && cpuErr == nil {
		r.serverCPU = cpu1 - cpu0
	}
	close(done)
}

// client uploads, waits for the ingest while reading the case, and again,
// until the run stops. It gives up after 10 errors in a row (a dead server).
func (r *session) client(ctx context.Context, i int) {
	rng := randv2.New(randv2.NewPCG(uint64(i), 0x10ad))
	reads := rng.IntN(3)
	for failures := 0; !r.stopping.Load() && ctx.Err() == nil && failures < 10; {
		if r.uploadOne(ctx, i, rng, &reads) {
			failures = 0
		} else {
			failures++
		}
	}
}

// uploadOne uploads a variant of the corpus and waits for its ingest,
// reading the case meanwhile. It reports whether all went well.
func (r *session) uploadOne(ctx context.Context, client int, rng *randv2.Rand, reads *int) bool {
	n := int(r.next.Add(1))
	u := r.userOf(client)
	c := r.caseOf(client)
	file := r.corpus.variant(n)
	up := &upload{n: n, client: client, caseRef: r.cases[c], user: u.name, name: fmt.Sprintf("load-%06d.csv", n), sha256: sha256Hex(file), size: int64(len(file))}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range [][2]string{{"kind", "cdr"}, {"profile", "cellsite-cdr"}, {"target", r.corpus.target}} {
		_ = mw.WriteField(f[0], f[1]) // to memory
	}
	fw, _ := mw.CreateFormFile("file", up.name)
	_, _ = fw.Write(file)
	_ = mw.Close()

	var resp struct {
		Job struct {
			ID string `json:"id"`
		} `json:"job"`
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	}
	start := time.Now()
	if _, err := r.api.do(ctx, request{kind: kindUpload, method: "POST", path: "/cases/" + up.caseRef + "/sources", token: u.token,
		ctype: mw.FormDataContentType(), body: body.Bytes(), want: 202, out: &resp, caseRef: up.caseRef, user: u.name}); err != nil {
		return false
	}
	ok := true
	up.jobID = resp.Job.ID
	r.addUpload(up)
	if resp.SHA256 != up.sha256 || resp.Size != up.size {
		r.rec.problem(kindUpload, fmt.Errorf("upload %d: the server stored sha256 %s, %d bytes; sent %s, %d bytes", n, resp.SHA256, resp.Size, up.sha256, up.size))
		ok = false
	}
	for {
		var j jobView
		if _, err := r.api.do(ctx, request{kind: kindJob, method: "GET", path: "/jobs/" + up.jobID, token: u.token, want: 200, out: &j}); err != nil {
			return false
		}
		up.state = j.State
		if terminal(j.State) {
			up.jobError = j.Error
			up.source, up.leaf, up.accepted = j.Result.Source, j.Result.Leaf, j.Result.Summary.Accepted
			up.took = time.Since(start)
			wantAccepted, wantRejected := r.corpus.accepted+1, r.corpus.rejected
			switch {
			case j.State != "succeeded":
				r.rec.problem("ingest", fmt.Errorf("upload %d (%s): job %s %s: %s", n, up.caseRef, up.jobID, j.State, j.Error))
				return false
			case j.Result.SHA256 != up.sha256 || j.Result.Summary.Accepted != wantAccepted || j.Result.Summary.Rejected != wantRejected:
				r.rec.problem("ingest", fmt.Errorf("upload %d: job %s ingested sha256 %s, %d rows accepted, %d rejected; want %s, %d, %d",
					n, up.jobID, j.Result.SHA256, j.Result.Summary.Accepted, j.Result.Summary.Rejected, up.sha256, wantAccepted, wantRejected))
				return false
			}
			r.rows[c].Add(int64(up.accepted))
			return ok
		}
		// While the job is queued or running, read the case.
		if err := r.read(ctx, u, c, rng, *reads); err != nil {
			ok = false
		}
		*reads++
	}
}

// pageSize is the events page the clients read.
const pageSize = 100

// read makes one read of a case: a page of events, its sources, or its
// provenance leaves, in turn.
func (r *session) read(ctx context.Context, u user, c int, rng *randv2.Rand, which int) error {
	ref := r.cases[c]
	switch which % 3 {
	case 0:
		rows := r.rows[c].Load()
		page := 1 + rng.Int64N(max(1, rows/pageSize))
		var ev struct {
			Events []json.RawMessage `json:"events"`
		}
		_, err := r.api.do(ctx, request{kind: kindEvents, method: "GET", path: fmt.Sprintf("/cases/%s/events?page=%d&limit=%d", ref, page, pageSize),
			token: u.token, want: 200, out: &ev, caseRef: ref, user: u.name})
		if err == nil && page*pageSize <= rows && len(ev.Events) != pageSize {
			err = fmt.Errorf("%s page %d of %d events held %d events, want %d", ref, page, rows, len(ev.Events), pageSize)
			r.rec.problem(kindEvents, err)
		}
		return err
	case 1:
		_, err := r.api.do(ctx, request{kind: kindSources, method: "GET", path: "/cases/" + ref + "/sources", token: u.token, want: 200, caseRef: ref, user: u.name})
		return err
	default:
		_, err := r.api.do(ctx, request{kind: kindProvenance, method: "GET", path: "/cases/" + ref + "/provenance", token: u.token, want: 200, caseRef: ref, user: u.name})
		return err
	}
}
