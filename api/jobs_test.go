package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// TestFailedIngest: an ingest that fails leaves a failed job with its
// reason, and no source, events, rejects, leaf or stored original.
func TestFailedIngest(t *testing.T) {
	e := newEnv(t, envOptions{})
	const ref = "OP-FAIL"
	ana := e.newUser("ana", store.RoleAnalyst)
	ana.must("POST", "/cases", map[string]string{"ref": ref, "title": "Failed ingests"}, http.StatusCreated, nil)
	before := caseLeaves(t, ana, ref)

	// A workbook cut short: its zip directory is missing.
	var xlsx bytes.Buffer
	zw := zip.NewWriter(&xlsx)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write(bytes.Repeat([]byte("<workbook/>"), 500))
	zw.Close()
	truncated := xlsx.Bytes()[:xlsx.Len()/2]

	tests := []struct {
		name    string
		fields  []formField
		file    string
		content []byte
		reason  string
	}{
		{"unknown layout", []formField{{"kind", "cdr"}}, "export.csv", []byte("Colour,Shape,Size\nred,round,3\nblue,square,4\n"), "no profile fits"},
		{"truncated XLSX", []formField{{"kind", "cdr"}, {"profile", "ee-cdr"}}, "export.xlsx", truncated, "zip"},
		{"cell list as records", []formField{{"kind", "cdr"}}, "cells.csv", meetingScenario(t).read(t, meetingScenario(t).files("cells")[0]), "no profile fits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ana.upload(ref, tc.fields, tc.file, tc.content)
			j := startedJob(t, r)
			e.audited(r, "ana", ref, "sources.upload", "ok")
			got := ana.wait(j.ID)
			if got.State != store.JobFailed || !strings.Contains(got.Error, tc.reason) {
				t.Errorf("job: %s %q, want failed with %q", got.State, got.Error, tc.reason)
			}
			if string(got.Result) != "null" || got.Finished.IsZero() {
				t.Errorf("failed job: result %s, finished %v", got.Result, got.Finished)
			}
			if _, err := os.Stat(e.svc.DB.Blobs.Path(cellsite.Sum(tc.content))); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the original of the failed ingest is still stored (%v)", err)
			}
		})
	}
	var sv struct{ Sources []sourceView }
	ana.must("GET", "/cases/"+ref+"/sources", nil, http.StatusOK, &sv)
	var rj struct{ Rejects []store.Reject }
	ana.must("GET", "/cases/"+ref+"/rejects", nil, http.StatusOK, &rj)
	evs := allEvents(t, ana, ref, "repeats=true")
	if len(sv.Sources) != 0 || len(rj.Rejects) != 0 || len(evs) != 0 {
		t.Errorf("failed ingests left %d sources, %d rejects, %d events", len(sv.Sources), len(rj.Rejects), len(evs))
	}
	if after := caseLeaves(t, ana, ref); len(after) != len(before) {
		t.Errorf("failed ingests left %d leaves", len(after)-len(before))
	}
}

// TestCancel cancels a running job and a queued ingest through the API:
// both end cancelled with who cancelled them, and the ingest recorded
// nothing.
func TestCancel(t *testing.T) {
	e := newEnv(t, envOptions{workers: 1})
	const ref = "OP-CANCEL"
	ana := e.newUser("ana", store.RoleAnalyst)
	other := e.newUser("other", store.RoleAnalyst)
	ana.must("POST", "/cases", map[string]string{"ref": ref, "title": "Cancelled jobs"}, http.StatusCreated, nil)

	// A job that runs until it is cancelled holds the only worker.
	started := make(chan struct{})
	e.runner.Register("wait", casework.JobKind{Start: func(store.Job) (casework.JobFunc, error) {
		return func(ctx context.Context, p casework.Progress) (any, error) {
			p("waiting", 1, 10)
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}, nil
	}})
	running, err := e.runner.Submit(context.Background(), ref, "wait", "ana", nil)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	var j job
	ana.must("GET", "/jobs/"+running.ID, nil, http.StatusOK, &j)
	if j.State != store.JobRunning || j.Stage != "waiting" || *j.Done != 1 || *j.Total != 10 || *j.Percent != 10 {
		t.Errorf("running job: %+v", j)
	}

	// An upload's ingest waits for the worker.
	sc := meetingScenario(t)
	content := sc.read(t, sc.files("cdr")[0])
	queued := startedJob(t, ana.upload(ref, []formField{{"kind", "cdr"}}, "queued.csv", content))

	// Someone outside the case cannot see or cancel them.
	r := other.do("POST", "/jobs/"+queued.ID+"/cancel", nil)
	if r.status != http.StatusNotFound {
		t.Errorf("non-member cancelling: %s", r)
	}
	e.audited(r, "other", ref, "jobs.cancel", "not-found")

	for _, id := range []string{queued.ID, running.ID} {
		r := ana.must("POST", "/jobs/"+id+"/cancel", nil, http.StatusAccepted, nil)
		e.audited(r, "ana", ref, "jobs.cancel", "ok")
		got := ana.wait(id)
		if got.State != store.JobCancelled || got.Error != "cancelled by ana" {
			t.Errorf("job %s: %s %q, want cancelled by ana", id, got.State, got.Error)
		}
		r = ana.must("POST", "/jobs/"+id+"/cancel", nil, http.StatusConflict, nil)
		e.audited(r, "ana", ref, "jobs.cancel", "refused")
	}
	var sv struct{ Sources []sourceView }
	ana.must("GET", "/cases/"+ref+"/sources", nil, http.StatusOK, &sv)
	if len(sv.Sources) != 0 {
		t.Errorf("the cancelled ingest left %d sources", len(sv.Sources))
	}
	for _, l := range caseLeaves(t, ana, ref) {
		if l.Type == provenance.Ingest {
			t.Errorf("the cancelled ingest left leaf %d", l.Index)
		}
	}
	// The worker is free again.
	var res ingestResult
	ana.succeed(startedJob(t, ana.upload(ref, []formField{{"kind", "cdr"}}, "again.csv", content)).ID, &res)
}

// TestRecover: a job left running by a process that stopped is marked
// failed, with the reason, by the next runner's Recover; a job left queued
// runs when the runner starts.
func TestRecover(t *testing.T) {
	e := newEnv(t, envOptions{noStart: true})
	const ref = "OP-RECOVER"
	ana := e.newUser("ana", store.RoleAnalyst)
	ana.must("POST", "/cases", map[string]string{"ref": ref, "title": "Interrupted jobs"}, http.StatusCreated, nil)
	ctx := context.Background()
	now := time.Now().UTC()
	left := []store.Job{
		{ID: "job_left_running", Case: ref, Kind: "ingest", State: store.JobRunning, Stage: "parse x.csv", Done: 10, Total: 100, Request: "{}", Result: "null", CreatedAt: now, CreatedBy: "ana", StartedAt: now, Owner: "stopped-process"},
		{ID: "job_left_queued", Case: ref, Kind: "verify", State: store.JobQueued, Stage: "queued", Request: `{"actor":{"user":"admin","role":"admin"}}`, Result: "null", CreatedAt: now, CreatedBy: "admin"},
		{ID: "job_done", Case: ref, Kind: "analysis", State: store.JobSucceeded, Stage: "done", Request: "{}", Result: "{}", CreatedAt: now, CreatedBy: "ana", StartedAt: now, FinishedAt: now},
	}
	err := e.svc.DB.Update(ctx, func(tx *store.Tx) error {
		for _, j := range left {
			if err := tx.AddJob(ctx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.NewRunner(casework.RunnerConfig{}).Recover(ctx) // as the next start does
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("Recover marked %d jobs, want 1", n)
	}
	if err := e.runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.waitIdle()
	for _, tc := range []struct{ id, state, reason string }{
		{"job_left_running", store.JobFailed, "interrupted: the service stopped while the job was running"},
		{"job_left_queued", store.JobSucceeded, ""},
		{"job_done", store.JobSucceeded, ""},
	} {
		var j job
		ana.must("GET", "/jobs/"+tc.id, nil, http.StatusOK, &j)
		if j.State != tc.state || !strings.HasPrefix(j.Error, tc.reason) || (tc.reason == "") != (j.Error == "") {
			t.Errorf("job %s: %s %q, want %s %q", tc.id, j.State, j.Error, tc.state, tc.reason)
		}
		if tc.state == store.JobFailed && j.Finished.IsZero() {
			t.Errorf("job %s: no finishing time", tc.id)
		}
	}
	if n, err := e.svc.NewRunner(casework.RunnerConfig{}).Recover(ctx); err != nil || n != 0 {
		t.Errorf("second Recover: %d, %v; want 0", n, err)
	}
}
