package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/reports"
	"github.com/cellsite/cellsite/store"
)

// sourceView is a source as GET /sources shows it.
type sourceView struct {
	cellsite.Source
	Summary ingest.Summary `json:"summary"`
}

// leafView is a leaf as GET /provenance shows it.
type leafView struct {
	provenance.Leaf
	Hash cellsite.Hash `json:"hash"`
}

// eventPage is a page of GET /events.
type eventPage struct {
	Events []cellsite.Event `json:"events"`
	Page   int              `json:"page"`
	Limit  int              `json:"limit"`
	More   bool             `json:"more"`
}

// ingestResult is the result of an ingest job.
type ingestResult struct {
	Source  int64          `json:"source"`
	Leaf    int64          `json:"leaf"`
	SHA256  cellsite.Hash  `json:"sha256"`
	Summary ingest.Summary `json:"summary"`
}

func digestOf(b []byte) string {
	h := sha256.Sum256(b)
	return "sha-256=" + base64.StdEncoding.EncodeToString(h[:])
}

// TestEndToEnd runs the whole flow against a real server on a loopback
// port: users of each role, a case and its members, uploads, ingest jobs,
// events, an analysis, a pack, its review and its download by a
// prosecutor; and every action each role may not take, each refusal in
// the audit trail.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("renders packs")
	}
	e := newEnv(t, envOptions{})
	sc := meetingScenario(t)
	const ref = "OP-E2E"
	const otherRef = "OP/OTHER/2" // a reference with '/' in it

	// Users of each role, made by the admin; each logs in.
	ana := e.newUser("ana", store.RoleAnalyst)
	rev := e.newUser("rev", store.RoleReviewer)
	pros := e.newUser("pros", store.RoleProsecutor)
	other := e.newUser("other", store.RoleAnalyst) // never a member of OP-E2E
	pros2 := e.newUser("pros2", store.RoleProsecutor)

	// ana opens the case and adds the reviewer and the prosecutor.
	var c cellsite.Case
	ana.must("POST", "/cases", map[string]string{"ref": ref, "title": "End to end"}, http.StatusCreated, &c)
	if c.Ref != ref || c.CreatedBy != "ana" {
		t.Fatalf("created case: %+v", c)
	}
	for _, m := range []string{"rev", "pros"} {
		ana.must("POST", "/cases/"+ref+"/members", map[string]string{"user": m}, http.StatusCreated, nil)
	}
	// other opens a case of their own and shares it with pros2.
	other.must("POST", "/cases", map[string]string{"ref": otherRef, "title": "Another case"}, http.StatusCreated, nil)
	other.must("POST", "/cases/"+escape(otherRef)+"/members", map[string]string{"user": "pros2"}, http.StatusCreated, nil)
	var got cellsite.Case
	pros2.must("GET", "/cases/"+escape(otherRef), nil, http.StatusOK, &got)
	if got.Ref != otherRef {
		t.Errorf("GET %s: case %q", escape(otherRef), got.Ref)
	}

	// Each sees their own cases only.
	for _, tc := range []struct {
		c    *client
		want []string
	}{{ana, []string{ref}}, {pros, []string{ref}}, {other, []string{otherRef}}, {pros2, []string{otherRef}}, {e.admin, []string{ref, otherRef}}} {
		var v struct{ Cases []cellsite.Case }
		tc.c.must("GET", "/cases", nil, http.StatusOK, &v)
		var refs []string
		for _, c := range v.Cases {
			refs = append(refs, c.Ref)
		}
		if strings.Join(refs, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s sees cases %v, want %v", tc.c.name, refs, tc.want)
		}
	}

	// Uploads: cell lists first, then the call data records; each is an
	// ingest job whose progress can be followed.
	uploads := 0
	for _, kind := range []string{"cells", "cdr"} {
		for _, f := range sc.files(kind) {
			content := sc.read(t, f)
			r := ana.upload(ref, []formField{{"kind", kind}}, path.Base(f.Path), content)
			var up struct {
				Job    job
				Name   string
				SHA256 cellsite.Hash
				Size   int64
			}
			if r.status != http.StatusAccepted {
				t.Fatalf("upload %s: %s", f.Path, r)
			}
			r.decode(t, &up)
			if up.SHA256 != cellsite.Sum(content) || up.Size != int64(len(content)) || up.Name != path.Base(f.Path) {
				t.Errorf("upload %s: %+v, want sha256 %s and %d bytes", f.Path, up, cellsite.Sum(content), len(content))
			}
			var res ingestResult
			ana.succeed(up.Job.ID, &res)
			if res.SHA256 != up.SHA256 || res.Summary.Accepted != f.Accepted {
				t.Errorf("ingest of %s: %+v; want %d accepted", f.Path, res, f.Accepted)
			}
			uploads++
		}
	}

	// Every row accounted for, as the scenario planted it.
	var sv struct{ Sources []sourceView }
	ana.must("GET", "/cases/"+ref+"/sources", nil, http.StatusOK, &sv)
	if len(sv.Sources) != uploads {
		t.Fatalf("%d sources, want %d", len(sv.Sources), uploads)
	}
	byName := map[string]sourceView{}
	for _, s := range sv.Sources {
		byName[s.Name] = s
		sum := s.Summary
		if sum.Read != sum.Accepted+sum.Duplicates+sum.Rejected {
			t.Errorf("source %s: read %d != accepted %d + duplicates %d + rejected %d", s.Name, sum.Read, sum.Accepted, sum.Duplicates, sum.Rejected)
		}
	}
	accepted, withRepeats := 0, 0
	perTarget := map[string]int{}
	for _, f := range sc.truth.Files {
		s, ok := byName[path.Base(f.Path)]
		if !ok {
			t.Errorf("no source %s", f.Path)
			continue
		}
		if s.Summary.Read != f.Rows || s.Summary.Accepted != f.Accepted || s.Summary.Duplicates != len(f.Duplicates) || s.Summary.Rejected != len(f.Rejects) {
			t.Errorf("source %s: read %d, accepted %d, duplicates %d, rejected %d; planted %d, %d, %d, %d", s.Name,
				s.Summary.Read, s.Summary.Accepted, s.Summary.Duplicates, s.Summary.Rejected, f.Rows, f.Accepted, len(f.Duplicates), len(f.Rejects))
		}
		if f.Kind == "cdr" {
			accepted += f.Accepted
			withRepeats += f.Accepted + len(f.Duplicates)
			perTarget[f.Target] = f.Accepted
		}
	}
	var rj struct{ Rejects []store.Reject }
	rev.must("GET", "/cases/"+ref+"/rejects", nil, http.StatusOK, &rj)
	planted := 0
	for _, f := range sc.truth.Files {
		planted += len(f.Rejects)
	}
	if len(rj.Rejects) != planted {
		t.Errorf("%d rejects, %d planted", len(rj.Rejects), planted)
	}

	// One ingest leaf per accepted upload, naming its original.
	leaves := caseLeaves(t, ana, ref)
	ingests := 0
	for _, l := range leaves {
		if l.Type == provenance.Ingest {
			ingests++
		}
	}
	if ingests != uploads {
		t.Errorf("%d ingest leaves for %d uploads", ingests, uploads)
	}
	for _, s := range sv.Sources {
		l, ok := leafAt(leaves, s.Leaf)
		if !ok || l.Type != provenance.Ingest || len(l.Inputs) != 1 || l.Inputs[0].SHA256 != s.SHA256 {
			t.Errorf("source %s: leaf %d is not its ingest: %+v", s.Name, s.Leaf, l)
		}
	}

	// Events: pages, filters, repeats, CSV.
	all := allEvents(t, ana, ref, "")
	if len(all) != accepted {
		t.Errorf("%d events, %d accepted", len(all), accepted)
	}
	if n := len(allEvents(t, ana, ref, "repeats=true")); n != withRepeats {
		t.Errorf("%d events with repeats, want %d", n, withRepeats)
	}
	var p1 eventPage
	ana.must("GET", "/cases/"+ref+"/events?limit=50", nil, http.StatusOK, &p1)
	var p2 eventPage
	ana.must("GET", "/cases/"+ref+"/events?limit=50&page=2", nil, http.StatusOK, &p2)
	if len(p1.Events) != 50 || !p1.More || p1.Page != 1 || p1.Limit != 50 || len(p2.Events) != 50 || p2.Page != 2 {
		t.Errorf("pages: %d events (more %v), then %d", len(p1.Events), p1.More, len(p2.Events))
	} else if p2.Events[0].Source != all[50].Source || p2.Events[0].Row != all[50].Row {
		t.Errorf("page 2 does not continue page 1")
	}
	for target, n := range perTarget {
		evs := allEvents(t, ana, ref, "target="+url.QueryEscape(target))
		if len(evs) != n {
			t.Errorf("target %s: %d events, want %d", target, len(evs), n)
		}
		for _, ev := range evs {
			if ev.Target != target {
				t.Fatalf("target filter %s gave an event of %s", target, ev.Target)
			}
		}
	}
	from, to := all[len(all)/4].Start, all[len(all)/2].Start
	window := allEvents(t, ana, ref, "from="+from.Format(time.RFC3339)+"&to="+to.Format(time.RFC3339))
	want := 0
	for _, ev := range all {
		if !ev.Start.Before(from.Truncate(time.Second)) && ev.Start.Before(to.Truncate(time.Second)) {
			want++
		}
	}
	if len(window) != want || want == 0 {
		t.Errorf("time window: %d events, want %d", len(window), want)
	}
	for _, ev := range window {
		if ev.Start.Before(from.Truncate(time.Second)) || !ev.Start.Before(to.Truncate(time.Second)) {
			t.Fatalf("time window [%s, %s) gave an event at %s", from, to, ev.Start)
		}
	}
	r := ana.must("GET", "/cases/"+ref+"/events?format=csv&limit=10000", nil, http.StatusOK, nil)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV Content-Type %q", ct)
	}
	if d := r.header.Get("Digest"); d != digestOf(r.body) {
		t.Errorf("CSV Digest %q, body hashes to %q", d, digestOf(r.body))
	}
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil || len(rows) != accepted+1 || rows[0][0] != "target" {
		t.Errorf("CSV export: %d rows (want %d and a header), %v", len(rows), accepted+1, err)
	}
	exportLeaf := func(sum cellsite.Hash) (leafView, bool) {
		for _, l := range caseLeaves(t, ana, ref) {
			if l.Type == provenance.Export && len(l.Outputs) == 1 && l.Outputs[0].SHA256 == sum {
				return l, true
			}
		}
		return leafView{}, false
	}
	if l, ok := exportLeaf(cellsite.Sum(r.body)); !ok || l.Actor.User != "ana" {
		t.Errorf("no export leaf by ana for the CSV export (%v)", l)
	}

	// Co-location, as a job.
	var an struct {
		ID           int64
		Kind         string
		Leaf         int64
		ResultSHA256 cellsite.Hash `json:"result_sha256"`
	}
	ana.succeed(startedJob(t, ana.do("POST", "/cases/"+ref+"/analyses", map[string]any{"kind": "colocation", "params": map[string]any{"basis": "site"}})).ID, &an)
	if an.Kind != "colocation" || an.ID == 0 {
		t.Fatalf("analysis: %+v", an)
	}
	r = rev.must("GET", fmt.Sprintf("/cases/%s/analyses/%d", ref, an.ID), nil, http.StatusOK, nil)
	if cellsite.Sum(r.body) != an.ResultSHA256 || r.header.Get("Digest") != digestOf(r.body) {
		t.Errorf("analysis result: hash %s, recorded %s, Digest %s", cellsite.Sum(r.body), an.ResultSHA256, r.header.Get("Digest"))
	}
	var doc casework.ResultDoc
	r.decode(t, &doc)
	if doc.Format != casework.ResultFormat || len(doc.Targets) != 2 {
		t.Errorf("result document: format %q, targets %v", doc.Format, doc.Targets)
	}

	// A pack by ana, another by the admin.
	var pack, adminPack store.Pack
	ana.succeed(startedJob(t, ana.do("POST", "/cases/"+ref+"/packs", map[string]string{"exhibit": "E2E/1"})).ID, &pack)
	e.admin.succeed(startedJob(t, e.admin.do("POST", "/cases/"+ref+"/packs", map[string]string{"exhibit": "E2E/2"})).ID, &adminPack)
	if pack.Status != store.PackDraft || pack.CreatedBy != "ana" || pack.ID == 0 || pack.SHA256.IsZero() {
		t.Fatalf("pack: %+v", pack)
	}
	packPath := fmt.Sprintf("/cases/%s/packs/%d", ref, pack.ID)
	adminPackPath := fmt.Sprintf("/cases/%s/packs/%d", ref, adminPack.ID)

	// The prosecutor sees no draft.
	var pl struct{ Packs []store.Pack }
	pros.must("GET", "/cases/"+ref+"/packs", nil, http.StatusOK, &pl)
	if len(pl.Packs) != 0 {
		t.Errorf("prosecutor sees %d draft packs", len(pl.Packs))
	}

	// The producer may not review their own pack; an analyst may not
	// review at all; the reviewer approves.
	review := map[string]string{"decision": "approved", "comment": "Checked against the originals."}
	r = e.admin.must("POST", adminPackPath+"/review", review, http.StatusForbidden, nil)
	if msg := r.apiError(t).Message; !strings.Contains(msg, "produced") {
		t.Errorf("admin reviewing their own pack: %q", msg)
	}
	e.audited(r, "admin", ref, "packs.review", "denied")
	checkRefusal(t, rev.do("POST", packPath+"/review", map[string]string{"decision": "maybe", "comment": "c"}), 400, "decision")
	checkRefusal(t, rev.do("POST", packPath+"/review", map[string]string{"decision": "approved"}), 400, "comment")
	var reviewed store.Pack
	rev.must("POST", packPath+"/review", review, http.StatusOK, &reviewed)
	if reviewed.Status != store.PackApproved || reviewed.ReviewedBy != "rev" {
		t.Errorf("reviewed pack: %+v", reviewed)
	}
	r = rev.must("POST", packPath+"/review", map[string]string{"decision": "rejected", "comment": "again"}, http.StatusConflict, nil)
	e.audited(r, "rev", ref, "packs.review", "refused")
	var afterReview store.Pack
	ana.must("GET", packPath, nil, http.StatusOK, &afterReview)
	if l, ok := leafAt(caseLeaves(t, ana, ref), afterReview.ReviewLeaf); !ok || l.Type != provenance.Review || l.Actor.User != "rev" || l.Param("decision") != "approved" || l.Param("produced_by") != "ana" {
		t.Errorf("review leaf %d: %+v", afterReview.ReviewLeaf, l)
	}

	// The prosecutor downloads the approved pack; it verifies offline.
	pros.must("GET", "/cases/"+ref+"/packs", nil, http.StatusOK, &pl)
	if len(pl.Packs) != 1 || pl.Packs[0].ID != pack.ID {
		t.Fatalf("prosecutor sees packs %+v, want only pack %d", pl.Packs, pack.ID)
	}
	r = pros.must("GET", packPath+"/download", nil, http.StatusOK, nil)
	if got := r.header.Get("Digest"); got != digestOf(r.body) || cellsite.Sum(r.body) != pack.SHA256 || r.header.Get("X-Content-SHA256") != pack.SHA256.String() {
		t.Errorf("download: Digest %q, body %s, recorded %s", got, digestOf(r.body), pack.SHA256)
	}
	var cp struct{ Fingerprint string }
	pros.must("GET", "/checkpoint", nil, http.StatusOK, &cp)
	ps, err := reports.VerifyPack(context.Background(), bytes.NewReader(r.body), int64(len(r.body)), reports.PackCheck{Fingerprint: cp.Fingerprint})
	if err != nil {
		t.Fatalf("downloaded pack: %v", err)
	}
	if ps.Case != ref || ps.Exhibit != "E2E/1" {
		t.Errorf("verified pack: case %q, exhibit %q", ps.Case, ps.Exhibit)
	}
	if l, ok := exportLeaf(pack.SHA256); !ok || l.Actor.User != "pros" || l.Param("pack") != strconv.FormatInt(pack.ID, 10) {
		t.Errorf("no export leaf by pros for the download (%+v)", l)
	}
	// Receipts: the approved pack's own leaves, nothing else, for a
	// prosecutor.
	pros.must("GET", fmt.Sprintf("/cases/%s/provenance/%d/receipt", ref, pack.PackLeaf), nil, http.StatusOK, nil)
	r = pros.must("GET", fmt.Sprintf("/cases/%s/provenance/%d/receipt", ref, sv.Sources[0].Leaf), nil, http.StatusNotFound, nil)
	e.audited(r, "pros", ref, "provenance.receipt", "not-found")
	r = pros.must("GET", fmt.Sprintf("/cases/%s/provenance/%d/receipt", ref, adminPack.PackLeaf), nil, http.StatusNotFound, nil)
	e.audited(r, "pros", ref, "provenance.receipt", "not-found")
	var rc provenance.Receipt
	ana.must("GET", fmt.Sprintf("/cases/%s/provenance/%d/receipt", ref, sv.Sources[0].Leaf), nil, http.StatusOK, &rc)
	if rc.Index != sv.Sources[0].Leaf || rc.Checkpoint == "" {
		t.Errorf("receipt: %+v", rc)
	}

	// Every action each role may not take is refused and audited.
	ingestJob := startedJob(t, ana.upload(ref, []formField{{"kind", "cells"}}, "again.csv", sc.read(t, sc.files("cells")[0])))
	ana.wait(ingestJob.ID) // a repeat of a stored original: refused
	cdr := sc.read(t, sc.files("cdr")[0])
	type attempt struct {
		who     *client
		method  string
		path    string
		body    any
		status  int
		caseRef string
		action  string
	}
	var attempts []attempt
	add := func(who *client, method, path string, body any, status int, caseRef, action string) {
		attempts = append(attempts, attempt{who, method, path, body, status, caseRef, action})
	}
	cp1 := "/cases/" + ref
	// A prosecutor: read-only, approved packs only, own cases only.
	add(pros, "POST", cp1+"/sources", "upload", 403, ref, "sources.upload")
	add(pros, "GET", cp1+"/sources", nil, 403, ref, "sources.read")
	add(pros, "GET", cp1+"/rejects", nil, 403, ref, "rejects.read")
	add(pros, "GET", cp1+"/events", nil, 403, ref, "events.read")
	add(pros, "GET", cp1+"/events?format=csv", nil, 403, ref, "events.read")
	add(pros, "GET", cp1+"/analyses", nil, 403, ref, "analyses.read")
	add(pros, "POST", cp1+"/analyses", map[string]string{"kind": "colocation"}, 403, ref, "analyses.run")
	add(pros, "GET", fmt.Sprintf("%s/analyses/%d", cp1, an.ID), nil, 403, ref, "analyses.read")
	add(pros, "POST", cp1+"/packs", map[string]string{}, 403, ref, "packs.request")
	add(pros, "POST", adminPackPath+"/review", review, 403, ref, "packs.review")
	add(pros, "GET", adminPackPath, nil, 404, ref, "packs.read")
	add(pros, "GET", adminPackPath+"/download", nil, 404, ref, "packs.download")
	add(pros, "GET", cp1+"/provenance", nil, 403, ref, "provenance.read")
	add(pros, "GET", cp1+"/members", nil, 403, ref, "members.read")
	add(pros, "POST", cp1+"/members", map[string]string{"user": "pros2"}, 403, ref, "members.add")
	add(pros, "DELETE", cp1+"/members/rev", nil, 403, ref, "members.remove")
	add(pros, "GET", cp1+"/triggers", nil, 403, ref, "triggers.read")
	add(pros, "POST", cp1+"/triggers", map[string]string{"spec": "@daily"}, 403, ref, "triggers.create")
	add(pros, "GET", cp1+"/audit", nil, 403, ref, "audit.read")
	add(pros, "GET", "/jobs/"+ingestJob.ID, nil, 404, ref, "jobs.read")
	add(pros, "POST", "/cases", map[string]string{"ref": "OP-PROS", "title": "x"}, 403, "", "case.create")
	add(pros, "GET", "/cases/"+escape(otherRef), nil, 404, otherRef, "case.read")
	add(pros, "GET", "/cases/"+escape(otherRef)+"/packs", nil, 404, otherRef, "packs.read")
	add(pros2, "GET", cp1, nil, 404, ref, "case.read")
	add(pros2, "GET", packPath, nil, 404, ref, "packs.read")
	add(pros2, "GET", packPath+"/download", nil, 404, ref, "packs.download")
	// An analyst: no reviews, no users, no global audit or verification.
	add(ana, "POST", adminPackPath+"/review", review, 403, ref, "packs.review")
	add(ana, "GET", cp1+"/audit", nil, 403, ref, "audit.read")
	add(ana, "GET", "/audit", nil, 403, "", "audit.export")
	add(ana, "POST", "/users", map[string]string{"name": "eve", "display": "Eve", "role": "admin", "password": "long-enough-password"}, 403, "", "users.create")
	add(ana, "GET", "/users", nil, 403, "", "users.read")
	add(ana, "POST", "/verify", nil, 403, "", "provenance.verify")
	// A reviewer: no uploads, analyses, packs, cases or users.
	add(rev, "POST", cp1+"/sources", "upload", 403, ref, "sources.upload")
	add(rev, "POST", cp1+"/analyses", map[string]string{"kind": "colocation"}, 403, ref, "analyses.run")
	add(rev, "POST", cp1+"/packs", map[string]string{}, 403, ref, "packs.request")
	add(rev, "POST", cp1+"/triggers", map[string]string{"spec": "@daily"}, 403, ref, "triggers.create")
	add(rev, "POST", cp1+"/members", map[string]string{"user": "pros2"}, 403, ref, "members.add")
	add(rev, "POST", "/cases", map[string]string{"ref": "OP-REV", "title": "x"}, 403, "", "case.create")
	add(rev, "POST", "/users", map[string]string{"name": "eve", "display": "Eve", "role": "admin", "password": "long-enough-password"}, 403, "", "users.create")
	add(rev, "GET", "/users", nil, 403, "", "users.read")
	add(pros, "GET", "/audit", nil, 403, "", "audit.export")
	add(pros, "POST", "/users", map[string]string{"name": "eve", "display": "Eve", "role": "admin", "password": "long-enough-password"}, 403, "", "users.create")
	// No token.
	add(e.anonymous(), "GET", cp1+"/events", nil, 401, ref, "events.read")
	add(e.anonymous(), "GET", packPath+"/download", nil, 401, ref, "packs.download")
	add(&client{e: e, name: "(anonymous)", token: "cst_forged"}, "GET", "/cases", nil, 401, "", "cases.list")
	for _, a := range attempts {
		var r reply
		if a.body == "upload" {
			r = a.who.upload(ref, []formField{{"kind", "cdr"}}, "x.csv", cdr)
		} else {
			r = a.who.do(a.method, a.path, a.body)
		}
		if r.status != a.status {
			t.Errorf("%s %s as %s: %s, want %d", a.method, a.path, a.who.name, r, a.status)
			continue
		}
		if got := r.apiError(t).Code; got != map[int]string{401: "unauthorized", 403: "forbidden", 404: "not-found"}[a.status] {
			t.Errorf("%s %s as %s: code %q", a.method, a.path, a.who.name, got)
		}
		outcome := map[int]string{401: "denied", 403: "denied", 404: "not-found"}[a.status]
		e.audited(r, a.who.name, a.caseRef, a.action, outcome)
	}

	// A non-member gets 404 on every route of the case, whatever it is.
	caseRoutes := 0
	for _, k := range sortedKeys(routes(t)) {
		method, tpl, _ := strings.Cut(k, " ")
		if !strings.Contains(tpl, "{case}") {
			continue
		}
		caseRoutes++
		p := strings.NewReplacer("{case}", ref, "{id}", strconv.FormatInt(pack.ID, 10), "{leaf}", strconv.FormatInt(pack.PackLeaf, 10), "{user}", "rev").Replace(tpl)
		var r reply
		if tpl == "/cases/{case}/sources" && method == "POST" {
			r = other.upload(ref, []formField{{"kind", "cdr"}}, "x.csv", cdr)
		} else {
			r = other.do(method, p, "{}")
		}
		if r.status != http.StatusNotFound {
			t.Errorf("non-member %s %s: %s, want 404", method, p, r)
			continue
		}
		if msg := r.apiError(t).Message; !strings.Contains(msg, "no case") {
			t.Errorf("non-member %s %s: %q does not say there is no such case", method, p, msg)
		}
		var rec *store.AuditRecord
		for _, x := range e.audit() {
			if x.RequestID == r.reqID {
				rec = &x
			}
		}
		if rec == nil || rec.User != "other" || rec.Case != ref || rec.Outcome != "not-found" || rec.Action == "" {
			t.Errorf("non-member %s %s: audit record %+v", method, p, rec)
		}
	}
	if caseRoutes < 20 {
		t.Errorf("only %d case routes tried", caseRoutes)
	}
	r = other.do("GET", "/jobs/"+ingestJob.ID, nil)
	if r.status != http.StatusNotFound {
		t.Errorf("non-member reading a job of the case: %s", r)
	}
	e.audited(r, "other", ref, "jobs.read", "not-found")

	// Nothing refused changed anything: still one source per accepted
	// upload, one ingest leaf each, one pack approved.
	ana.must("GET", "/cases/"+ref+"/sources", nil, http.StatusOK, &sv)
	if len(sv.Sources) != uploads {
		t.Errorf("%d sources after the refusals, want %d", len(sv.Sources), uploads)
	}
	ingests = 0
	for _, l := range caseLeaves(t, ana, ref) {
		if l.Type == provenance.Ingest {
			ingests++
		}
	}
	if ingests != uploads {
		t.Errorf("%d ingest leaves after the refusals, want %d", ingests, uploads)
	}
	// Every upload in the audit trail: the accepted ones, the repeat, and
	// the refused ones.
	okUploads, refusedUploads := 0, 0
	for _, rec := range e.audit() {
		if rec.Action == "sources.upload" && rec.Case == ref {
			if rec.Outcome == "ok" {
				okUploads++
			} else {
				refusedUploads++
			}
		}
	}
	if okUploads != uploads+1 || refusedUploads != 3 {
		t.Errorf("audit: %d uploads ok, %d refused; want %d and 3", okUploads, refusedUploads, uploads+1)
	}
	// The admin reads a reviewer's view of the case's audit records: the
	// reviewer sees the case's records and no others.
	r = rev.must("GET", "/cases/"+ref+"/audit", nil, http.StatusOK, nil)
	for _, line := range strings.Split(strings.TrimSpace(string(r.body)), "\n") {
		if !strings.Contains(line, `"case":"`+ref+`"`) {
			t.Errorf("case audit for %s holds %s", ref, line)
			break
		}
	}

	// The log still verifies, originals included.
	var v struct {
		OK           bool
		Leaves       int64
		BlobsChecked int `json:"blobs_checked"`
	}
	rev.succeed(startedJob(t, rev.do("POST", "/verify", nil)).ID, &v)
	if !v.OK || v.BlobsChecked != uploads || v.Leaves < int64(len(caseLeaves(t, ana, ref))) {
		t.Errorf("verify: %+v", v)
	}
}

// caseLeaves returns a case's provenance leaves.
func caseLeaves(t *testing.T, c *client, ref string) []leafView {
	t.Helper()
	var v struct{ Leaves []leafView }
	c.must("GET", "/cases/"+escape(ref)+"/provenance", nil, http.StatusOK, &v)
	return v.Leaves
}

func leafAt(ls []leafView, i int64) (leafView, bool) {
	for _, l := range ls {
		if l.Index == i {
			return l, true
		}
	}
	return leafView{}, false
}

// allEvents pages through a case's events with the given query.
func allEvents(t *testing.T, c *client, ref, query string) []cellsite.Event {
	t.Helper()
	var out []cellsite.Event
	for page := 1; ; page++ {
		var p eventPage
		c.must("GET", fmt.Sprintf("/cases/%s/events?limit=100&page=%d&%s", escape(ref), page, query), nil, http.StatusOK, &p)
		out = append(out, p.Events...)
		if !p.More {
			return out
		}
		if page > 1000 {
			t.Fatal("more than 1000 pages")
		}
	}
}
