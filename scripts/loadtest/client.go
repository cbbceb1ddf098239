package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Kinds of request, as the report names them.
const (
	kindUpload     = "upload"     // POST /cases/{case}/sources
	kindJob        = "job"        // GET /jobs/{id}
	kindEvents     = "events"     // GET /cases/{case}/events?page=&limit=
	kindSources    = "sources"    // GET /cases/{case}/sources
	kindProvenance = "provenance" // GET /cases/{case}/provenance
	kindSetup      = "setup"      // users, logins, cases, members
	kindCheck      = "check"      // reads of the accounting, the audit export, verify
)

// auditedKinds are the kinds whose routes write an audit record.
var auditedKinds = map[string]bool{kindUpload: true, kindEvents: true, kindSources: true, kindProvenance: true}

// sent is one request as the audit trail should show it.
type sent struct {
	kind, caseRef, user, requestID string
	status                         int
}

// recorder keeps every request's latency and outcome.
type recorder struct {
	mu      sync.Mutex
	lat     map[string][]time.Duration
	errs    map[string]int
	first   []string // the first few error messages
	audited []sent   // requests to audited routes that got a response
}

func newRecorder() *recorder {
	return &recorder{lat: map[string][]time.Duration{}, errs: map[string]int{}}
}

func (r *recorder) record(kind string, d time.Duration, err error, s *sent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat[kind] = append(r.lat[kind], d)
	if err != nil {
		r.errs[kind]++
		if len(r.first) < 10 {
			r.first = append(r.first, fmt.Sprintf("%s: %v", kind, err))
		}
	}
	if s != nil && s.requestID != "" {
		r.audited = append(r.audited, *s)
	}
}

// problem records an error that is not one request's, e.g. a job that
// failed or a wrong answer.
func (r *recorder) problem(kind string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs[kind]++
	if len(r.first) < 10 {
		r.first = append(r.first, fmt.Sprintf("%s: %v", kind, err))
	}
}

// api is a client of the server's API.
type api struct {
	hc      *http.Client
	base    string
	timeout time.Duration
	rec     *recorder
}

func newAPI(base string, conns int, timeout time.Duration, rec *recorder) *api {
	tr := &http.Transport{
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns, // keep every client's connection alive
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &api{hc: &http.Client{Transport: tr}, base: base, timeout: timeout, rec: rec}
}

// request is one call of the API.
type request struct {
	kind    string
	method  string
	path    string // after /api/v1
	token   string
	ctype   string
	body    []byte
	want    int    // the status expected
	out     any    // decoded from a JSON answer, when not nil
	caseRef string // for the audit check
	user    string
}

// do sends a request, bounded by the timeout, and records its latency
// and outcome. A status other than the one wanted is an error. It returns
// the request ID the server gave.
func (a *api) do(ctx context.Context, q request) (string, error) {
	start := time.Now()
	id, status, err := a.send(ctx, q)
	d := time.Since(start)
	var s *sent
	if auditedKinds[q.kind] && id != "" {
		s = &sent{kind: q.kind, caseRef: q.caseRef, user: q.user, requestID: id, status: status}
	}
	a.rec.record(q.kind, d, err, s)
	return id, err
}

func (a *api) send(ctx context.Context, q request) (id string, status int, err error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var body io.Reader
	if q.body != nil {
		body = bytes.NewReader(q.body)
	}
	req, err := http.NewRequestWithContext(ctx, q.method, a.base+q.path, body)
	if err != nil {
		return "", 0, err
	}
	if q.token != "" {
		req.Header.Set("Authorization", "Bearer "+q.token)
	}
	if q.ctype != "" {
		req.Header.Set("Content-Type", q.ctype)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("%s %s: %w", q.method, q.path, err)
	}
	defer resp.Body.Close()
	id = resp.Header.Get("X-Request-Id")
	if resp.StatusCode != q.want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return id, resp.StatusCode, fmt.Errorf("%s %s: status %d (want %d), request %s: %s", q.method, q.path, resp.StatusCode, q.want, id, strings.TrimSpace(string(b)))
	}
	if q.out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	} else if w, ok := q.out.(io.Writer); ok {
		_, err = io.Copy(w, resp.Body)
	} else {
		err = json.NewDecoder(resp.Body).Decode(q.out)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
		}
	}
	if err != nil {
		return id, resp.StatusCode, fmt.Errorf("%s %s: reading the answer: %w", q.method, q.path, err)
	}
	return id, resp.StatusCode, nil
}

// jsonBody encodes v as a request body.
func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps and structs of strings are encoded
	}
	return b
}

// percentiles returns the p-th percentiles (0-100) of ds, nearest rank.
func percentiles(ds []time.Duration, ps ...float64) []time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	out := make([]time.Duration, len(ps))
	if len(s) == 0 {
		return out
	}
	for i, p := range ps {
		rank := int(math.Ceil(p/100*float64(len(s)))) - 1
		out[i] = s[min(max(rank, 0), len(s)-1)]
	}
	return out
}
