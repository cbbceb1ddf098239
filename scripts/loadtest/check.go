package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"time"
)

// check accounts for every accepted upload in the case's sources, its
// provenance and the audit trail, then has the server verify its log.
func (r *session) check(ctx context.Context, rep *Report) {
	byCase := map[string][]*upload{}
	succeeded := 0
	for _, u := range r.uploads {
		byCase[u.caseRef] = append(byCase[u.caseRef], u)
		if u.state == "succeeded" {
			succeeded++
		}
	}
	if succeeded == len(r.uploads) {
		rep.note("jobs: %d of %d uploads ingested, none failed", succeeded, len(r.uploads))
	} else {
		rep.problem("jobs: %d of %d uploads ingested", succeeded, len(r.uploads))
		for i, u := range r.uploads {
			if u.state != "succeeded" && i < 5 {
				rep.problem("  upload %d (%s, job %s): %s %s", u.n, u.caseRef, u.jobID, u.state, u.jobError)
			}
		}
	}
	if len(r.uploads) == 0 {
		rep.problem("no upload was accepted")
	}

	var srcFound, srcMissing, srcExtra, leafFound, leafMissing, leafExtra int
	for _, ref := range r.cases {
		ups := byCase[ref]
		var sources struct {
			Sources []struct {
				ID     int64  `json:"id"`
				SHA256 string `json:"sha256"`
				Leaf   int64  `json:"leaf"`
			} `json:"sources"`
		}
		if _, err := r.api.do(ctx, request{kind: kindCheck, method: "GET", path: "/cases/" + ref + "/sources", token: r.admin, want: 200, out: &sources}); err != nil {
			rep.problem("sources of %s: %v", ref, err)
			continue
		}
		var prov struct {
			Leaves []struct {
				Index  int64  `json:"index"`
				Type   string `json:"type"`
				Inputs []struct {
					SHA256 string `json:"sha256"`
				} `json:"inputs"`
			} `json:"leaves"`
		}
		if _, err := r.api.do(ctx, request{kind: kindCheck, method: "GET", path: "/cases/" + ref + "/provenance", token: r.admin, want: 200, out: &prov}); err != nil {
			rep.problem("provenance of %s: %v", ref, err)
			continue
		}
		mine := map[string]*upload{}
		for _, u := range ups {
			mine[u.sha256] = u
		}
		srcOf := map[string][]int64{} // sha256 → source IDs
		for _, s := range sources.Sources {
			u := mine[s.SHA256]
			if u == nil {
				srcExtra++
				rep.problem("%s: source %d (sha256 %s) is no upload of this run", ref, s.ID, s.SHA256)
				continue
			}
			srcOf[s.SHA256] = append(srcOf[s.SHA256], s.ID)
			if s.ID != u.source || s.Leaf != u.leaf {
				rep.problem("%s: upload %d is source %d with leaf %d; its job said source %d, leaf %d", ref, u.n, s.ID, s.Leaf, u.source, u.leaf)
			}
		}
		leafOf := map[string][]int64{} // sha256 → ingest leaves with it among their inputs
		for _, l := range prov.Leaves {
			if l.Type != "ingest" {
				continue
			}
			ours := false
			for _, in := range l.Inputs {
				if mine[in.SHA256] != nil {
					leafOf[in.SHA256] = append(leafOf[in.SHA256], l.Index)
					ours = true
				}
			}
			if !ours {
				leafExtra++
				rep.problem("%s: ingest leaf %d has no upload of this run among its inputs", ref, l.Index)
			}
		}
		for _, u := range ups {
			switch s := srcOf[u.sha256]; len(s) {
			case 1:
				srcFound++
			case 0:
				srcMissing++
				rep.problem("%s: upload %d (sha256 %s) has no source", ref, u.n, u.sha256)
			default:
				srcExtra += len(s) - 1
				rep.problem("%s: upload %d (sha256 %s) is %d sources: %v", ref, u.n, u.sha256, len(s), s)
			}
			switch l := leafOf[u.sha256]; {
			case len(l) == 1 && l[0] == u.leaf:
				leafFound++
			case len(l) == 0:
				leafMissing++
				rep.problem("%s: upload %d (sha256 %s) has no ingest leaf", ref, u.n, u.sha256)
			default:
				leafExtra += max(len(l)-1, 0)
				rep.problem("%s: upload %d (sha256 %s) is in ingest leaves %v; its job said %d", ref, u.n, u.sha256, l, u.leaf)
			}
		}
	}
	say := rep.note
	if srcFound != len(r.uploads) || srcExtra > 0 {
		say = rep.problem
	}
	say("sources: %d of %d uploads are exactly one source each (%d missing, %d extra)", srcFound, len(r.uploads), srcMissing, srcExtra)
	say = rep.note
	if leafFound != len(r.uploads) || leafExtra > 0 {
		say = rep.problem
	}
	say("provenance: %d of %d uploads are exactly one ingest leaf each, with the upload's sha256 among its inputs (%d missing, %d extra)",
		leafFound, len(r.uploads), leafMissing, leafExtra)

	r.checkAudit(ctx, rep)
	r.verifyOnline(ctx, rep)
}

// checkAudit finds an audit record, with the status the client saw, for
// every request the clients sent to an audited route.
func (r *session) checkAudit(ctx context.Context, rep *Report) {
	type record struct {
		User      string `json:"user"`
		Case      string `json:"case"`
		Action    string `json:"action"`
		Status    int    `json:"status"`
		RequestID string `json:"request_id"`
	}
	pr, pw := io.Pipe()
	got := map[string][]record{}
	decoded := make(chan error, 1)
	go func() {
		dec := json.NewDecoder(bufio.NewReader(pr))
		for {
			var rec record
			if err := dec.Decode(&rec); err == io.EOF {
				decoded <- nil
				break
			} else if err != nil {
				decoded <- err
				break
			}
			got[rec.RequestID] = append(got[rec.RequestID], rec)
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	_, err := r.api.do(ctx, request{kind: kindCheck, method: "GET", path: "/audit", token: r.admin, want: 200, out: pw})
	pw.CloseWithError(err)
	if derr := <-decoded; err == nil {
		err = derr
	}
	if err != nil {
		rep.problem("audit export: %v", err)
		return
	}
	action := map[string]string{kindUpload: "sources.upload", kindEvents: "events.read", kindSources: "sources.read", kindProvenance: "provenance.read"}
	found, uploads, uploadsFound, wrong := 0, 0, 0, 0
	for _, s := range r.rec.audited {
		recs := got[s.requestID]
		ok := len(recs) == 1 && recs[0].Action == action[s.kind] && recs[0].Case == s.caseRef && recs[0].User == s.user && recs[0].Status == s.status
		if ok {
			found++
		} else if wrong++; wrong <= 5 {
			rep.problem("audit: request %s (%s %s by %s, status %d) has records %+v", s.requestID, s.kind, s.caseRef, s.user, s.status, recs)
		}
		if s.kind == kindUpload {
			uploads++
			if ok {
				uploadsFound++
			}
		}
	}
	if wrong > 0 {
		rep.problem("audit: %d of %d audited requests have no record, or a wrong one", wrong, len(r.rec.audited))
	}
	rep.note("audit: %d of %d audited requests recorded as the client saw them (uploads: %d of %d)", found, len(r.rec.audited), uploadsFound, uploads)
}

// verifyOnline has the server verify its whole log and every original
// (POST /verify) and waits for the job.
func (r *session) verifyOnline(ctx context.Context, rep *Report) {
	var resp struct {
		Job struct {
			ID string `json:"id"`
		} `json:"job"`
	}
	if _, err := r.api.do(ctx, request{kind: kindCheck, method: "POST", path: "/verify", token: r.admin, want: 202, out: &resp}); err != nil {
		rep.problem("verify: %v", err)
		return
	}
	for {
		var j jobView
		if _, err := r.api.do(ctx, request{kind: kindCheck, method: "GET", path: "/jobs/" + resp.Job.ID, token: r.admin, want: 200, out: &j}); err != nil {
			rep.problem("verify: %v", err)
			return
		}
		if terminal(j.State) {
			if j.State != "succeeded" || !j.Result.OK {
				rep.problem("verify (POST /api/v1/verify): job %s %s: %s", j.ID, j.State, j.Error)
				return
			}
			rep.note("verify (POST /api/v1/verify): ok, %d leaves, %d originals", j.Result.Leaves, j.Result.BlobsChecked)
			if j.Result.BlobsChecked < int64(len(r.uploads)) {
				rep.problem("verify: %d originals checked, fewer than the %d uploads", j.Result.BlobsChecked, len(r.uploads))
			}
			return
		}
		select {
		case <-ctx.Done():
			rep.problem("verify: %v", ctx.Err())
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// verifyOffline runs `cellsite verify` on the data directory once the
// server has stopped.
func (r *session) verifyOffline(ctx context.Context, data string, rep *Report) {
	cmd := exec.CommandContext(ctx, r.cfg.Bin, "verify", "--data", data, "--json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		rep.problem("cellsite verify --data: %v: %s", err, strings.TrimSpace(lastLine(stderr.String())))
		return
	}
	var sum struct {
		OK                bool  `json:"ok"`
		Leaves            int64 `json:"leaves"`
		BlobsChecked      int64 `json:"blobs_checked"`
		BlobsUnregistered int64 `json:"blobs_unregistered"`
	}
	if err := json.Unmarshal(out, &sum); err != nil || !sum.OK {
		rep.problem("cellsite verify --data: %q", out)
		return
	}
	rep.note("cellsite verify --data (server stopped): ok, %d leaves, %d originals, %d unregistered", sum.Leaves, sum.BlobsChecked, sum.BlobsUnregistered)
	if sum.BlobsUnregistered > 0 {
		rep.problem("cellsite verify --data: %d stored originals belong to no source", sum.BlobsUnregistered)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
