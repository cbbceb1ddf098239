package api_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/api"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/store/storetest"
)

// TestTwoReplicas runs two replicas of the service (each a service, a
// runner of two workers and an HTTP server on its own loopback port) on
// one PostgreSQL database and one shared data directory, and drives both
// at once: uploads, the same file uploaded to both, analyses, pack
// requests for the same production time, and both replicas' trigger loops
// finding the same due times. Afterwards the log verifies, every leaf is
// there once, every job ran exactly once (on one replica or the other, and
// both did some), every trigger due time fired once, and every pack's file
// is the one its leaf records.
func TestTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("renders packs")
	}
	dsn := storetest.PostgresDSN(t)
	a := newEnv(t, envOptions{dsn: dsn, replica: "a"})
	b := newEnv(t, envOptions{dsn: dsn, replica: "b", join: a})
	ctx := context.Background()
	const ref = "OP-TWO"
	ana := a.newUser("ana", store.RoleAnalyst)
	anaB := ana.on(b)
	ana.must("POST", "/cases", map[string]string{"ref": ref, "title": "Two replicas"}, http.StatusCreated, nil)

	// Every file of the scenario, uploaded to the two replicas in turn, all
	// at once; and one file to both.
	sc := meetingScenario(t)
	type upload struct {
		c    *client
		name string
		body []byte
		kind string
	}
	var uploads []upload
	for i, f := range append(sc.files("cells"), sc.files("cdr")...) {
		c := ana
		if i%2 == 1 {
			c = anaB
		}
		uploads = append(uploads, upload{c, filepath.Base(f.Path), sc.read(t, f), f.Kind})
	}
	dup := uploads[len(uploads)-1]
	dup.c = ana
	if dup.c == uploads[len(uploads)-1].c {
		dup.c = anaB
	}
	uploads = append(uploads, dup)
	ids := concurrently(t, len(uploads), func(i int) (reply, error) {
		u := uploads[i]
		return u.c.tryUpload(ref, []formField{{"kind", u.kind}}, u.name, u.body)
	})
	failed := 0
	for _, id := range ids {
		j := anaB.wait(id) // a replica answers for jobs the other runs
		switch {
		case j.State == store.JobSucceeded:
		case j.State == store.JobFailed && strings.Contains(j.Error, "already in case"):
			failed++
		default:
			t.Errorf("ingest job %s: %s %s", id, j.State, j.Error)
		}
	}
	if failed != 1 {
		t.Errorf("%d ingests of the file sent to both replicas failed, want 1", failed)
	}

	// Analyses and packs on both at once; all packs for the same time.
	var reqs []func() (reply, error)
	for i, kind := range []string{"colocation", "pattern", "contacts", "attribution"} {
		c := []*client{ana, anaB}[i%2]
		reqs = append(reqs, func() (reply, error) {
			return c.try("POST", "/cases/"+ref+"/analyses", map[string]any{"kind": kind})
		})
	}
	ids = concurrently(t, len(reqs), func(i int) (reply, error) { return reqs[i]() })
	for _, id := range ids {
		anaB.succeed(id, nil)
	}
	const at = "2026-03-02T06:00:00Z"
	packIDs := concurrently(t, 4, func(i int) (reply, error) {
		return []*client{ana, anaB}[i%2].try("POST", "/cases/"+ref+"/packs", map[string]any{"exhibit": fmt.Sprintf("TWO/%d", i+1), "generated_at": at})
	})

	// Both replicas' trigger loops, at the same moments.
	var tr store.Trigger
	ana.must("POST", "/cases/"+ref+"/triggers", map[string]string{"spec": "0,15,30,45 * * * *", "zone": "UTC", "exhibit": "TWO/T"}, http.StatusCreated, &tr)
	base := time.Now().UTC().Truncate(time.Hour).Add(2 * time.Hour)
	fired := map[time.Time]int{}
	for _, now := range []time.Time{base, base.Add(15 * time.Minute), base.Add(15 * time.Minute), base.Add(50 * time.Minute), base.Add(55 * time.Minute)} {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, e := range []*testEnv{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs, err := api.RunDueTriggers(ctx, e.svc, e.runner, now)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("triggers at %s on %s: %v", now, e.runner.Replica(), err)
				}
				for _, r := range runs {
					fired[r.Due]++
				}
			}()
		}
		wg.Wait()
	}
	wantDue := []time.Time{base, base.Add(15 * time.Minute), base.Add(45 * time.Minute)}
	for _, d := range wantDue {
		if fired[d] != 1 {
			t.Errorf("due time %s fired %d times, want once", d, fired[d])
		}
	}
	if len(fired) != len(wantDue) {
		t.Errorf("fired %v, want %v", fired, wantDue)
	}
	for _, id := range packIDs {
		anaB.succeed(id, nil)
	}
	a.waitIdle()

	// Every job ran exactly once: each ended, on one replica, and each
	// left its one leaf.
	var jobs []store.Job
	var leaves []provenance.Leaf
	var sum provenance.Summary
	err := a.svc.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if jobs, err = tx.Jobs(ctx); err != nil {
			return err
		}
		if sum, err = provenance.Verify(ctx, tx, a.svc.VerifierKey, nil); err != nil {
			return err
		}
		for i := range sum.Leaves {
			lf, _, err := provenance.Get(ctx, tx, i)
			if err != nil {
				return err
			}
			leaves = append(leaves, lf)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Latest.Size != sum.Leaves || int64(len(leaves)) != sum.Leaves {
		t.Errorf("log: %+v, %d leaves read", sum, len(leaves))
	}
	ran := map[string]int{}    // kind → jobs that succeeded
	owners := map[string]int{} // replica → jobs
	for _, j := range jobs {
		owners[j.Owner]++
		if j.State == store.JobSucceeded {
			ran[j.Kind]++
		} else if !(j.Kind == "ingest" && j.State == store.JobFailed) {
			t.Errorf("job %s (%s): %s %s", j.ID, j.Kind, j.State, j.Error)
		}
	}
	if owners["a"] == 0 || owners["b"] == 0 || owners["a"]+owners["b"] != len(jobs) {
		t.Errorf("jobs per replica: %v", owners)
	}
	recorded := map[provenance.Type]int{}
	triggered := map[string]int{}
	for _, lf := range leaves {
		if lf.Case != ref {
			continue
		}
		recorded[lf.Type]++
		if lf.Type == provenance.Pack && strings.HasPrefix(lf.Note, fmt.Sprintf("trigger %d ", tr.ID)) {
			triggered[lf.Note]++
		}
	}
	for kind, typ := range map[string]provenance.Type{"ingest": provenance.Ingest, "analysis": provenance.Analyse, "pack": provenance.Pack} {
		if ran[kind] != recorded[typ] {
			t.Errorf("%d %s jobs succeeded, %d %s leaves recorded", ran[kind], kind, recorded[typ], typ)
		}
	}
	if want := len(uploads) - 1; ran["ingest"] != want {
		t.Errorf("%d ingests succeeded, want %d", ran["ingest"], want)
	}
	if want := len(packIDs) + len(wantDue); ran["pack"] != want {
		t.Errorf("%d packs rendered, want %d", ran["pack"], want)
	}
	if len(triggered) != len(wantDue) {
		t.Errorf("trigger pack leaves: %v", triggered)
	}
	for note, n := range triggered {
		if n != 1 {
			t.Errorf("%d pack leaves for %q", n, note)
		}
	}

	// Both replicas list the same leaves and packs; every pack downloads,
	// from the replica that did not necessarily render it, as the bytes
	// its leaf records.
	if la, lb := caseLeaves(t, ana, ref), caseLeaves(t, anaB, ref); len(la) != len(lb) || len(la) == 0 {
		t.Errorf("replica a lists %d leaves of the case, b %d", len(la), len(lb))
	}
	var pl struct{ Packs []store.Pack }
	anaB.must("GET", "/cases/"+ref+"/packs", nil, http.StatusOK, &pl)
	if len(pl.Packs) != ran["pack"] {
		t.Errorf("%d packs listed, %d rendered", len(pl.Packs), ran["pack"])
	}
	var stored []store.Pack
	if err := a.svc.DB.View(ctx, func(tx *store.Tx) (err error) { stored, err = tx.Packs(ctx, ref); return err }); err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, p := range stored {
		if paths[p.Path] {
			t.Errorf("two packs written to %s", p.Path)
		}
		paths[p.Path] = true
	}
	for i, p := range pl.Packs {
		c := []*client{ana, anaB}[i%2]
		r := c.must("GET", fmt.Sprintf("/cases/%s/packs/%d/download", ref, p.ID), nil, http.StatusOK, nil)
		if cellsite.Sum(r.body) != p.SHA256 {
			t.Errorf("pack %d (%s) downloads as %s, recorded %s", p.ID, p.Path, cellsite.Sum(r.body), p.SHA256)
		}
	}
	var v struct{ Job job }
	b.admin.must("POST", "/verify", nil, http.StatusAccepted, &v)
	var res struct {
		OK     bool  `json:"ok"`
		Leaves int64 `json:"leaves"`
	}
	b.admin.succeed(v.Job.ID, &res)
	if !res.OK || res.Leaves < sum.Leaves {
		t.Errorf("verify job on replica b: %+v", res)
	}
}

// concurrently makes n requests at once and returns the IDs of the jobs
// they started, in order.
func concurrently(t *testing.T, n int, req func(i int) (reply, error)) []string {
	t.Helper()
	replies := make([]reply, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], errs[i] = req(i)
		}()
	}
	wg.Wait()
	ids := make([]string, n)
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		ids[i] = startedJob(t, replies[i]).ID
	}
	return ids
}
