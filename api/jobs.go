package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// The jobs the API submits are data, so that any replica of the service
// can run them: each kind's request below is stored with the job as JSON,
// and the kind's Start turns it back into work.

// ingestJob is the request of an ingest job: the stored original, the
// hold that keeps it until the ingest ends, and the upload's form fields.
type ingestJob struct {
	Actor  provenance.Actor `json:"actor"`
	File   string           `json:"file"`
	SHA256 cellsite.Hash    `json:"sha256"`
	Size   int64            `json:"size"`
	Hold   string           `json:"hold"`
	Fields uploadFields     `json:"fields"`
}

// analysisJob is the request of an analysis job.
type analysisJob struct {
	Actor provenance.Actor `json:"actor"`
	analysisRequest
}

// packJob is the request of a pack job: asked for by a user, or by a
// trigger for one of its due times.
type packJob struct {
	Actor provenance.Actor `json:"actor"`
	packRequest
	Trigger  int64       `json:"trigger,omitempty"`
	Due      time.Time   `json:"due,omitzero"`
	Missed   []time.Time `json:"missed,omitempty"`
	Unlisted int         `json:"unlisted,omitempty"`
}

// verifyJob is the request of a job that verifies the whole log.
type verifyJob struct {
	Actor provenance.Actor `json:"actor"`
}

// registerJobs tells the runner how to run the jobs the API submits.
func (s *server) registerJobs(r *casework.Runner) {
	r.Register("ingest", casework.JobKind{Start: s.startIngest, Abandon: s.abandonIngest})
	r.Register("analysis", casework.JobKind{Start: s.startAnalysis})
	r.Register("pack", casework.JobKind{Start: s.startPack})
	r.Register("verify", casework.JobKind{Start: s.startVerify})
}

// decodeJob reads a job's request; every request names its actor.
func decodeJob(j store.Job, req any, actor *provenance.Actor) error {
	if err := json.Unmarshal([]byte(j.Request), req); err != nil {
		return cellsite.Errorf(cellsite.Invalid, "job", "%s job %s: request: %v", j.Kind, j.ID, err)
	}
	if actor.User == "" {
		return cellsite.Errorf(cellsite.Invalid, "job", "%s job %s: the request names no actor", j.Kind, j.ID)
	}
	return nil
}

func (s *server) startIngest(j store.Job) (casework.JobFunc, error) {
	var req ingestJob
	if err := decodeJob(j, &req, &req.Actor); err != nil {
		return nil, err
	}
	opt, prof, err := s.ingestOptions(req.Fields)
	if err != nil {
		return nil, err
	}
	o := s.svc.HeldOriginal(req.SHA256, req.Size, req.Hold)
	ir := casework.IngestRequest{Case: j.Case, Kind: req.Fields.Kind, Name: req.File, Profiles: s.deps.Profiles, Profile: prof, Options: opt}
	return func(ctx context.Context, p casework.Progress) (any, error) {
		ir.Progress = p
		return s.svc.IngestStored(ctx, req.Actor, ir, o)
	}, nil
}

// abandonIngest discards the original of an ingest that will not run,
// unless a record registers it or another ingest holds it.
func (s *server) abandonIngest(ctx context.Context, j store.Job) error {
	var req ingestJob
	if err := json.Unmarshal([]byte(j.Request), &req); err != nil || req.Hold == "" {
		return nil // nothing held that we can name
	}
	return s.svc.DB.DiscardBlob(ctx, req.SHA256, req.Hold)
}

func (s *server) startAnalysis(j store.Job) (casework.JobFunc, error) {
	var req analysisJob
	if err := decodeJob(j, &req, &req.Actor); err != nil {
		return nil, err
	}
	return func(ctx context.Context, p casework.Progress) (any, error) {
		p("analyse "+req.Kind, 0, 0)
		a, err := s.svc.Analyse(ctx, req.Actor, casework.AnalyseRequest{Case: j.Case, Kind: req.Kind, Targets: req.Targets, Params: req.Params})
		if err != nil {
			return nil, err
		}
		return viewAnalysis(a.Analysis), nil
	}, nil
}

func (s *server) startPack(j store.Job) (casework.JobFunc, error) {
	var req packJob
	if err := decodeJob(j, &req, &req.Actor); err != nil {
		return nil, err
	}
	if req.Trigger != 0 {
		return func(ctx context.Context, p casework.Progress) (any, error) {
			var t store.Trigger
			if err := s.db.View(ctx, func(tx *store.Tx) error {
				var err error
				t, err = tx.Trigger(ctx, req.Trigger)
				return err
			}); err != nil {
				return nil, err
			}
			run := casework.TriggerRun{Trigger: t, Due: req.Due, Missed: req.Missed, Unlisted: req.Unlisted}
			return renderTriggered(ctx, s.svc, s.deps.Outbox, s.deps.TemplateDir, req.Actor, run, p)
		}, nil
	}
	var at time.Time
	if req.GeneratedAt != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, req.GeneratedAt); err != nil {
			return nil, cellsite.Errorf(cellsite.Invalid, "job", "pack job %s: generated_at: %v", j.ID, err)
		}
	}
	return func(ctx context.Context, p casework.Progress) (any, error) {
		return s.renderPack(ctx, req.Actor, j.Case, req.Exhibit, req.Templates, at, 0, p)
	}, nil
}

func (s *server) startVerify(j store.Job) (casework.JobFunc, error) {
	var req verifyJob
	if err := decodeJob(j, &req, &req.Actor); err != nil {
		return nil, err
	}
	return func(ctx context.Context, p casework.Progress) (any, error) {
		var sum provenance.Summary
		var blobs store.BlobReport
		err := s.db.View(ctx, func(tx *store.Tx) error {
			var err error
			sum, err = provenance.Verify(ctx, tx, s.svc.VerifierKey, func(d, t int64) { p("verify leaves", d, t) })
			if err != nil {
				return err
			}
			reg, err := tx.RegisteredBlobs(ctx)
			if err != nil {
				return err
			}
			blobs, err = s.db.Blobs.Verify(ctx, reg, func(d, t int) { p("verify originals", int64(d), int64(t)) })
			return err
		})
		if err != nil {
			return nil, err
		}
		return map[string]any{"ok": true, "leaves": sum.Leaves, "checkpoints": sum.Checkpoints, "checkpoint_size": sum.Latest.Size,
			"root": sum.Latest.Root, "fingerprint": sum.Fingerprint, "blobs_checked": blobs.Checked, "blob_bytes": blobs.Bytes}, nil
	}, nil
}
