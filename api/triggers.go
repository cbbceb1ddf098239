package api

import (
	"context"
	"net/http"
	"time"

	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

type triggerRequest struct {
	Spec    string `json:"spec" validate:"required,max=100"`
	Zone    string `json:"zone" validate:"max=64"`
	Exhibit string `json:"exhibit" validate:"max=64"`
}

func (s *server) listTriggers(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	var ts []store.Trigger
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		ts, err = tx.Triggers(r.Context(), c.Ref)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"triggers": nonNil(ts)})
	return nil
}

func (s *server) createTrigger(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canWrite)
	if err != nil {
		return err
	}
	var req triggerRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if req.Zone == "" {
		req.Zone = casework.DefaultZone
	}
	if _, err := time.LoadLocation(req.Zone); err != nil || req.Zone == "Local" {
		return invalidFields("bad trigger", map[string]string{"zone": "an IANA time zone such as " + casework.DefaultZone})
	}
	if _, err := casework.ParseTrigger(req.Spec, req.Zone); err != nil {
		return invalidFields("bad trigger", map[string]string{"spec": err.Error()})
	}
	t := store.Trigger{Case: c.Ref, Spec: req.Spec, Zone: req.Zone, Exhibit: req.Exhibit, CreatedAt: s.now(), CreatedBy: u.Name}
	err = s.db.Update(r.Context(), func(tx *store.Tx) error {
		t.ID, err = tx.AddTrigger(r.Context(), t)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *server) deleteTrigger(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canWrite)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.db.Update(r.Context(), func(tx *store.Tx) error { return tx.DeleteTrigger(r.Context(), c.Ref, id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// triggerActor begins the name a trigger's work is recorded under, before
// the name of who made the trigger.
const triggerActor = "trigger:"

// RunDueTriggers starts a pack job for every trigger due at now and
// returns the runs it started. Each replica of the service calls it every
// minute; a due time is claimed together with its job's submission (a
// compare-and-set on the trigger's last due time), so that whichever
// replicas find it due, it fires once. Tests call it with a fake clock.
func RunDueTriggers(ctx context.Context, svc *casework.Service, runner *casework.Runner, now time.Time) ([]casework.TriggerRun, error) {
	runs, err := svc.DueTriggers(ctx, now)
	if err != nil {
		return nil, err
	}
	var fired []casework.TriggerRun
	for _, run := range runs {
		actor := provenance.Actor{User: triggerActor + run.Trigger.CreatedBy, Role: "trigger"}
		_, ok, err := runner.SubmitIf(ctx, func(tx *store.Tx) (bool, error) {
			return tx.ClaimTriggerDue(ctx, run.Trigger.ID, run.Trigger.LastDue, run.Due)
		}, run.Trigger.Case, "pack", actor.User, packJob{Actor: actor, Trigger: run.Trigger.ID, Due: run.Due, Missed: run.Missed, Unlisted: run.Unlisted})
		if err != nil {
			return fired, err
		}
		if ok {
			fired = append(fired, run)
		}
	}
	return fired, nil
}

func renderTriggered(ctx context.Context, svc *casework.Service, outbox, templateDir string, actor provenance.Actor, run casework.TriggerRun, p casework.Progress) (store.Pack, error) {
	return renderPackNote(ctx, svc, outbox, templateDir, actor, run.Trigger.Case, run.Trigger.Exhibit, nil, run.Due.Truncate(time.Second), run.Trigger.ID, run.Note(), p)
}
