package casework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
	"github.com/robfig/cron/v3"
)

// DefaultZone is the zone of a trigger that names none.
const DefaultZone = "Europe/London"

// ParseTrigger checks a trigger's cron spec (five fields: minute, hour,
// day of month, month, day of week; or a descriptor such as @daily) and
// time zone, and returns its schedule in that zone.
func ParseTrigger(spec, zone string) (cron.Schedule, error) {
	if zone == "" {
		zone = DefaultZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Invalid, "trigger", "zone %q: %v", zone, err)
	}
	if strings.HasPrefix(strings.TrimSpace(spec), "CRON_TZ=") || strings.HasPrefix(strings.TrimSpace(spec), "TZ=") {
		return nil, cellsite.Errorf(cellsite.Invalid, "trigger", "spec %q: give the zone separately", spec)
	}
	sched, err := cron.ParseStandard("CRON_TZ=" + loc.String() + " " + spec)
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Invalid, "trigger", "spec %q: %v", spec, err)
	}
	return sched, nil
}

// TriggerRun is one run of a trigger: the due time it ran for and the due
// times missed before it (while the service was down).
type TriggerRun struct {
	Trigger store.Trigger
	Due     time.Time
	Missed  []time.Time // the latest missed due times, oldest first
	// Unlisted counts missed due times older than those in Missed.
	Unlisted int
}

// DueTriggers returns the runs due at now: for each trigger whose next due
// time after its last (or after its creation) is at or before now, one run
// for the latest due time, listing earlier ones as missed. At most
// maxMissed missed times are listed; older ones are counted.
func (s *Service) DueTriggers(ctx context.Context, now time.Time) ([]TriggerRun, error) {
	const maxMissed = 100
	var ts []store.Trigger
	if err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		ts, err = tx.Triggers(ctx, "")
		return err
	}); err != nil {
		return nil, err
	}
	var runs []TriggerRun
	for _, t := range ts {
		sched, err := ParseTrigger(t.Spec, t.Zone)
		if err != nil {
			continue // refused when stored; a zone database change could make it fail
		}
		from := t.LastDue
		if from.IsZero() {
			from = t.CreatedAt
		}
		var due []time.Time
		unlisted := 0
		for next := sched.Next(from); !next.IsZero() && !next.After(now); next = sched.Next(next) {
			due = append(due, next)
			if len(due) > maxMissed+1 {
				due = due[1:]
				unlisted++
			}
		}
		if len(due) == 0 {
			continue
		}
		runs = append(runs, TriggerRun{Trigger: t, Due: due[len(due)-1], Missed: due[:len(due)-1], Unlisted: unlisted})
	}
	return runs, nil
}

// MarkTriggerRun records that a trigger has run for a due time.
func (s *Service) MarkTriggerRun(ctx context.Context, id int64, due time.Time) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error { return tx.SetTriggerDue(ctx, id, due) })
}

// Note describes a run for its pack leaf.
func (r TriggerRun) Note() string {
	n := fmt.Sprintf("trigger %d (%s, %s) due %s", r.Trigger.ID, r.Trigger.Spec, r.Trigger.Zone, r.Due.UTC().Format(time.RFC3339))
	if len(r.Missed) > 0 {
		ms := make([]string, len(r.Missed))
		for i, m := range r.Missed {
			ms[i] = m.UTC().Format(time.RFC3339)
		}
		n += fmt.Sprintf("; %d earlier due time(s) missed while the service was not running", len(r.Missed)+r.Unlisted)
		if r.Unlisted > 0 {
			n += fmt.Sprintf(" (%d older ones not listed)", r.Unlisted)
		}
		n += ": " + strings.Join(ms, ", ")
	}
	return n
}
