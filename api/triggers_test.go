package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/api"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/store"
	"github.com/google/go-cmp/cmp"
)

// fakeClock is a clock the test sets.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestTriggers drives a trigger with a fake clock: it fires once per due
// time, reports the due times missed while the service was down, follows
// its zone's clock changes, puts each pack in the outbox and in the case's
// packs with its trigger, and stops when deleted.
func TestTriggers(t *testing.T) {
	if testing.Short() {
		t.Skip("renders packs")
	}
	clock := &fakeClock{t: at("2026-03-02T05:00:00Z")} // a Monday, GMT
	e := newEnv(t, envOptions{now: clock.Now})
	sc := meetingScenario(t)
	const ref = "OP-TRIG"
	e.seedCase(ref, sc)
	ctx := context.Background()

	var tr store.Trigger
	e.admin.must("POST", "/cases/"+ref+"/triggers", map[string]string{"spec": "0 6 * * *", "exhibit": "TRIG/1"}, http.StatusCreated, &tr)
	if tr.Zone != casework.DefaultZone || tr.ID == 0 {
		t.Fatalf("trigger: %+v", tr)
	}
	// Refused: bad specs and zones.
	checkRefusal(t, e.admin.do("POST", "/cases/"+ref+"/triggers", map[string]string{"spec": "0 25 * * *"}), 400, "spec")
	checkRefusal(t, e.admin.do("POST", "/cases/"+ref+"/triggers", map[string]string{"spec": "@fortnightly"}), 400, "spec")
	checkRefusal(t, e.admin.do("POST", "/cases/"+ref+"/triggers", map[string]string{"spec": "0 6 * * *", "zone": "Europe/Atlantis"}), 400, "zone")

	run := func(now string) []casework.TriggerRun {
		t.Helper()
		clock.set(at(now))
		runs, err := api.RunDueTriggers(ctx, e.svc, e.runner, at(now))
		if err != nil {
			t.Fatal(err)
		}
		e.waitIdle()
		return runs
	}
	type want struct {
		due    string
		missed []string
	}
	check := func(now string, w []want) {
		t.Helper()
		runs := run(now)
		var got []want
		for _, r := range runs {
			g := want{due: r.Due.UTC().Format(time.RFC3339)}
			for _, m := range r.Missed {
				g.missed = append(g.missed, m.UTC().Format(time.RFC3339))
			}
			if r.Unlisted != 0 {
				t.Errorf("run at %s: %d unlisted", now, r.Unlisted)
			}
			got = append(got, g)
		}
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
			t.Errorf("runs at %s (-want +got):\n%s", now, diff)
		}
	}

	check("2026-03-02T05:59:59Z", nil)
	check("2026-03-02T06:00:00Z", []want{{due: "2026-03-02T06:00:00Z"}})
	check("2026-03-02T06:00:00Z", nil) // the same time again: no second run
	check("2026-03-02T12:00:00Z", nil)
	// Down from Monday noon to Thursday 07:00: Tuesday's and Wednesday's
	// runs were missed.
	check("2026-03-05T07:00:00Z", []want{{due: "2026-03-05T06:00:00Z", missed: []string{"2026-03-03T06:00:00Z", "2026-03-04T06:00:00Z"}}})
	// British Summer Time from 29 March: 06:00 in London is 05:00 UTC.
	var missed []string
	for d := 6; d <= 29; d++ {
		hour := 6
		if d == 29 {
			hour = 5
		}
		missed = append(missed, fmt.Sprintf("2026-03-%02dT%02d:00:00Z", d, hour))
	}
	check("2026-03-30T05:00:00Z", []want{{due: "2026-03-30T05:00:00Z", missed: missed}})

	// Each run's pack is in the case's packs with its trigger, and in the
	// outbox.
	var pl struct{ Packs []store.Pack }
	e.admin.must("GET", "/cases/"+ref+"/packs", nil, http.StatusOK, &pl)
	if len(pl.Packs) != 3 {
		t.Fatalf("%d packs, want 3", len(pl.Packs))
	}
	leaves := caseLeaves(t, e.admin, ref)
	for i, due := range []string{"20260302T060000Z", "20260305T060000Z", "20260330T050000Z"} {
		p := pl.Packs[i]
		if p.Trigger != tr.ID || p.CreatedBy != "trigger:admin" || p.Status != store.PackDraft || p.Exhibit != "TRIG/1" {
			t.Errorf("pack %d: %+v", p.ID, p)
		}
		file := filepath.Join(e.outbox, ref, ref+"-"+due+".zip")
		b, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("pack %d not in the outbox: %v", p.ID, err)
		} else if cellsite.Sum(b) != p.SHA256 {
			t.Errorf("outbox %s: sha256 %s, recorded %s", file, cellsite.Sum(b), p.SHA256)
		}
		l, ok := leafAt(leaves, p.PackLeaf)
		if !ok {
			t.Fatalf("pack %d: no pack leaf %d", p.ID, p.PackLeaf)
		}
		if !strings.HasPrefix(l.Note, fmt.Sprintf("trigger %d (0 6 * * *, Europe/London) due ", tr.ID)) || l.Actor.User != "trigger:admin" {
			t.Errorf("pack %d leaf: note %q by %s", p.ID, l.Note, l.Actor.User)
		}
		switch i {
		case 0:
			if strings.Contains(l.Note, "missed") {
				t.Errorf("first run's note reports missed runs: %q", l.Note)
			}
		case 1:
			if !strings.Contains(l.Note, "2 earlier due time(s) missed while the service was not running: 2026-03-03T06:00:00Z, 2026-03-04T06:00:00Z") {
				t.Errorf("second run's note: %q", l.Note)
			}
		case 2:
			if !strings.Contains(l.Note, "24 earlier due time(s) missed") {
				t.Errorf("third run's note: %q", l.Note)
			}
		}
	}
	var ts struct{ Triggers []store.Trigger }
	e.admin.must("GET", "/cases/"+ref+"/triggers", nil, http.StatusOK, &ts)
	if len(ts.Triggers) != 1 || !ts.Triggers[0].LastDue.Equal(at("2026-03-30T05:00:00Z")) {
		t.Errorf("triggers: %+v", ts.Triggers)
	}

	// Whoever made the trigger made its packs: they may not review them.
	r := e.admin.must("POST", fmt.Sprintf("/cases/%s/packs/%d/review", ref, pl.Packs[0].ID), map[string]string{"decision": "approved", "comment": "mine"}, http.StatusForbidden, nil)
	e.audited(r, "admin", ref, "packs.review", "denied")
	rev := e.newUser("rev", store.RoleReviewer)
	e.admin.must("POST", "/cases/"+ref+"/members", map[string]string{"user": "rev"}, http.StatusCreated, nil)
	rev.must("POST", fmt.Sprintf("/cases/%s/packs/%d/review", ref, pl.Packs[0].ID), map[string]string{"decision": "approved", "comment": "checked"}, http.StatusOK, nil)

	// A deleted trigger does not fire.
	e.admin.must("DELETE", fmt.Sprintf("/cases/%s/triggers/%d", ref, tr.ID), nil, http.StatusNoContent, nil)
	check("2026-04-02T06:00:00Z", nil)
	e.admin.must("DELETE", fmt.Sprintf("/cases/%s/triggers/%d", ref, tr.ID), nil, http.StatusNotFound, nil)
}
