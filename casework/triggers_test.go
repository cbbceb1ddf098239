package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

func TestParseTrigger(t *testing.T) {
	for _, tc := range []struct {
		spec, zone string
		ok         bool
	}{
		{"0 6 * * *", "", true},
		{"30 7 * * 1-5", "Europe/London", true},
		{"@daily", "UTC", true},
		{"0 6 * *", "", false},
		{"61 6 * * *", "", false},
		{"0 6 * * *", "Mars/Olympus", false},
		{"CRON_TZ=UTC 0 6 * * *", "", false},
	} {
		_, err := casework.ParseTrigger(tc.spec, tc.zone)
		if (err == nil) != tc.ok {
			t.Errorf("ParseTrigger(%q, %q): %v", tc.spec, tc.zone, err)
		}
	}
}

// TestDueTriggers drives a daily 06:00 UK-local trigger with a fake clock
// across the spring clock change.
func TestDueTriggers(t *testing.T) {
	s := open(t, nil)
	ctx := context.Background()
	london, _ := time.LoadLocation("Europe/London")
	created := time.Date(2026, 3, 27, 12, 0, 0, 0, london)
	if _, err := s.CreateCase(ctx, provenance.Actor{User: "ann", Role: "analyst"}, "C-1", "Case"); err != nil {
		t.Fatal(err)
	}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.AddTrigger(ctx, store.Trigger{Case: "C-1", Spec: "0 6 * * *", Zone: "Europe/London", CreatedAt: created, CreatedBy: "ann"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, london) }

	if runs, _ := s.DueTriggers(ctx, at(28, 5, 59)); len(runs) != 0 {
		t.Fatalf("before the first due time: %d runs", len(runs))
	}
	runs, err := s.DueTriggers(ctx, at(28, 6, 0))
	if err != nil || len(runs) != 1 || !runs[0].Due.Equal(at(28, 6, 0)) || len(runs[0].Missed) != 0 {
		t.Fatalf("at 06:00 on 28 March: %+v %v", runs, err)
	}
	if err := s.MarkTriggerRun(ctx, runs[0].Trigger.ID, runs[0].Due); err != nil {
		t.Fatal(err)
	}
	if runs, _ := s.DueTriggers(ctx, at(28, 6, 0)); len(runs) != 0 {
		t.Fatalf("the same due time ran twice: %+v", runs)
	}
	// Down from the 28th to the 31st: 29, 30 missed, 31 runs. 06:00 on
	// the 29th is BST (05:00 UTC).
	runs, _ = s.DueTriggers(ctx, at(31, 9, 0))
	if len(runs) != 1 || !runs[0].Due.Equal(at(31, 6, 0)) || len(runs[0].Missed) != 2 {
		t.Fatalf("after the service was down: %+v", runs)
	}
	if got := runs[0].Missed[0].UTC(); !got.Equal(time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("first missed due time %s, want 05:00 UTC (06:00 BST)", got)
	}
	if n := runs[0].Note(); !strings.Contains(n, "2 earlier due time(s) missed") {
		t.Errorf("note: %s", n)
	}
}
