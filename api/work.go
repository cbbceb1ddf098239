package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

type analysisRequest struct {
	Kind    string          `json:"kind" validate:"required,max=32"`
	Targets []string        `json:"targets" validate:"max=50,dive,max=32"`
	Params  json.RawMessage `json:"params"`
}

// runAnalysis checks the parameters and starts an analysis job.
func (s *server) runAnalysis(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canWrite)
	if err != nil {
		return err
	}
	var req analysisRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	if _, ok := casework.Kinds[req.Kind]; !ok {
		return invalidFields("unknown kind", map[string]string{"kind": "one of " + strings.Join(casework.KindNames(), ", ")})
	}
	if _, err := casework.ParseParams(req.Kind, req.Params); err != nil {
		return invalidFields("bad parameters", map[string]string{"params": err.Error()})
	}
	job, err := s.deps.Runner.Submit(r.Context(), c.Ref, "analysis", u.Name, analysisJob{Actor: actorOf(u), analysisRequest: req})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"job": jobView(job)})
	return nil
}

// analysisView is a stored analysis without its result document.
type analysisView struct {
	ID        int64           `json:"id"`
	Case      string          `json:"case"`
	Kind      string          `json:"kind"`
	Params    json.RawMessage `json:"params"`
	ResultSHA cellsite.Hash   `json:"result_sha256"`
	Leaf      int64           `json:"leaf"`
	CreatedAt time.Time       `json:"created_at"`
	CreatedBy string          `json:"created_by"`
}

func viewAnalysis(a store.Analysis) analysisView {
	return analysisView{ID: a.ID, Case: a.Case, Kind: a.Kind, Params: json.RawMessage(a.Params), ResultSHA: a.ResultSHA,
		Leaf: a.Leaf, CreatedAt: a.CreatedAt, CreatedBy: a.CreatedBy}
}

func (s *server) listAnalyses(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	out := []analysisView{}
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		as, err := tx.Analyses(r.Context(), c.Ref)
		for _, a := range as {
			out = append(out, viewAnalysis(a))
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"analyses": out})
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(pathVar(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return 0, cellsite.Errorf(cellsite.NotFound, "request", "no such item %q", pathVar(r, "id"))
	}
	return id, nil
}

// getAnalysis returns the stored result document, byte for byte as hashed.
func (s *server) getAnalysis(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var a store.Analysis
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		a, err = tx.Analysis(r.Context(), c.Ref, id)
		return err
	})
	if err != nil {
		return err
	}
	if cellsite.Sum(a.Result) != a.ResultSHA {
		return cellsite.Errorf(cellsite.Integrity, "analysis", "analysis %d: stored result does not match its recorded hash", id)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Digest", "sha-256="+b64(a.ResultSHA))
	_, err = w.Write(a.Result)
	return err
}

type packRequest struct {
	Exhibit     string   `json:"exhibit" validate:"max=64"`
	Templates   []string `json:"templates" validate:"max=30,dive,max=64"`
	GeneratedAt string   `json:"generated_at" validate:"omitempty,datetime=2006-01-02T15:04:05Z07:00"`
}

// requestPack starts a job that renders the case's pack into the outbox.
func (s *server) requestPack(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canWrite)
	if err != nil {
		return err
	}
	var req packRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	job, err := s.deps.Runner.Submit(r.Context(), c.Ref, "pack", u.Name, packJob{Actor: actorOf(u), packRequest: req})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"job": jobView(job)})
	return nil
}

// RenderPack renders a case's pack into the outbox and stores it as a
// draft awaiting review. Triggers call it too.
func (s *server) renderPack(ctx context.Context, actor provenance.Actor, caseRef, exhibit string, templates []string, at time.Time, trigger int64, p casework.Progress) (store.Pack, error) {
	return RenderPack(ctx, s.svc, s.deps.Outbox, s.deps.TemplateDir, actor, caseRef, exhibit, templates, at, trigger, p)
}

// RenderPack renders a case's pack into outbox and stores it as a draft
// awaiting review.
func RenderPack(ctx context.Context, svc *casework.Service, outbox, templateDir string, actor provenance.Actor, caseRef, exhibit string, templates []string, at time.Time, trigger int64, p casework.Progress) (store.Pack, error) {
	return renderPackNote(ctx, svc, outbox, templateDir, actor, caseRef, exhibit, templates, at, trigger, "", p)
}

func renderPackNote(ctx context.Context, svc *casework.Service, outbox, templateDir string, actor provenance.Actor, caseRef, exhibit string, templates []string, at time.Time, trigger int64, note string, p casework.Progress) (store.Pack, error) {
	if at.IsZero() {
		at = svc.Now().Truncate(time.Second)
	}
	dir := filepath.Join(outbox, safeDir(caseRef))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return store.Pack{}, cellsite.Errorf(cellsite.Internal, "pack", "outbox: %v", err)
	}
	out, err := reservePack(dir, fmt.Sprintf("%s-%s", safeDir(caseRef), at.UTC().Format("20060102T150405Z")))
	if err != nil {
		return store.Pack{}, err
	}
	res, err := svc.Pack(ctx, actor, casework.PackOptions{Case: caseRef, Out: out, Templates: templates, TemplateDir: templateDir,
		Exhibit: exhibit, ProducedBy: actor.User, GeneratedAt: at, Note: note}, p)
	if err != nil {
		if fi, serr := os.Stat(out); serr == nil && fi.Size() == 0 {
			os.Remove(out) // the reservation of a pack never written
		}
		return store.Pack{}, err
	}
	rel, err := filepath.Rel(svc.DB.Dir(), out)
	if err != nil {
		rel = out
	}
	pk := store.Pack{Case: caseRef, Path: rel, SHA256: res.SHA256, Size: res.Size, Exhibit: exhibit, RenderLeaf: res.RenderLeaf,
		PackLeaf: res.PackLeaf, CreatedAt: svc.Now(), CreatedBy: actor.User, Trigger: trigger, Status: store.PackDraft}
	err = svc.DB.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		var err error
		pk.ID, err = tx.AddPack(ctx, pk)
		return err
	})
	return pk, err
}

// reservePack takes a new pack file name in dir, name.zip or name-2.zip,
// name-3.zip and so on, by creating it empty: never an earlier pack's name,
// nor one that another worker or replica is writing now. The pack is then
// written beside it and renamed over it.
func reservePack(dir, name string) (string, error) {
	for i := 1; ; i++ {
		p := filepath.Join(dir, name+".zip")
		if i > 1 {
			p = filepath.Join(dir, fmt.Sprintf("%s-%d.zip", name, i))
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			return p, f.Close()
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", cellsite.Errorf(cellsite.Internal, "pack", "outbox: %v", err)
		}
	}
}

func safeDir(ref string) string {
	return strings.NewReplacer("/", "_", "\\", "_", "..", "_").Replace(ref)
}

// visiblePack says whether a user may see a pack: prosecutors see approved
// packs only.
func visiblePack(u *store.User, p store.Pack) bool {
	return u.Role != store.RoleProsecutor || p.Status == store.PackApproved
}

func (s *server) listPacks(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canPackets)
	if err != nil {
		return err
	}
	out := []store.Pack{}
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		ps, err := tx.Packs(r.Context(), c.Ref)
		for _, p := range ps {
			if visiblePack(u, p) {
				out = append(out, p)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"packs": out})
	return nil
}

func (s *server) packOf(r *http.Request, u *store.User, perm int) (store.Pack, error) {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), perm)
	if err != nil {
		return store.Pack{}, err
	}
	id, err := pathID(r)
	if err != nil {
		return store.Pack{}, err
	}
	var p store.Pack
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		p, err = tx.Pack(r.Context(), c.Ref, id)
		return err
	})
	if err != nil {
		return p, err
	}
	if !visiblePack(u, p) {
		return p, cellsite.Errorf(cellsite.NotFound, "pack", "no pack %d in case %s", id, c.Ref)
	}
	return p, nil
}

func (s *server) getPack(w http.ResponseWriter, r *http.Request, u *store.User) error {
	p, err := s.packOf(r, u, canPackets)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// downloadPack sends the pack zip with its SHA-256 (the one its pack leaf
// records) and records the download (an export leaf).
func (s *server) downloadPack(w http.ResponseWriter, r *http.Request, u *store.User) error {
	p, err := s.packOf(r, u, canPackets)
	if err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(s.db.Dir(), p.Path))
	if err != nil {
		return cellsite.Errorf(cellsite.Integrity, "pack", "pack %d's file is missing: %v", p.ID, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != p.Size {
		return cellsite.Errorf(cellsite.Integrity, "pack", "pack %d's file is %d bytes, %d were recorded", p.ID, fi.Size(), p.Size)
	}
	now := s.now()
	err = s.db.Update(r.Context(), func(tx *store.Tx) error {
		_, _, err := s.svc.Log.Append(r.Context(), tx, provenance.Leaf{Type: provenance.Export, Case: p.Case, Started: now, Ended: now,
			Actor: actorOf(u), Software: cellsite.Build(), Outputs: []cellsite.Artefact{{Name: filepath.Base(p.Path), SHA256: p.SHA256, Size: p.Size}},
			Params: []provenance.Param{{Key: "pack", Value: strconv.FormatInt(p.ID, 10)}, {Key: "status", Value: p.Status}, {Key: "pack_leaf", Value: strconv.FormatInt(p.PackLeaf, 10)}}})
		return err
	})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Length", strconv.FormatInt(p.Size, 10))
	h.Set("Content-Disposition", `attachment; filename="`+filepath.Base(p.Path)+`"`)
	h.Set("Digest", "sha-256="+b64(p.SHA256))
	h.Set("X-Content-SHA256", p.SHA256.String())
	_, err = io.Copy(w, f)
	return err
}

type reviewRequest struct {
	Decision string `json:"decision" validate:"required,oneof=approved rejected"`
	Comment  string `json:"comment" validate:"required,max=2000"`
}

// reviewPack records a reviewer's decision on a draft pack (a review
// leaf). The reviewer may not be who produced it: the second person's
// check.
func (s *server) reviewPack(w http.ResponseWriter, r *http.Request, u *store.User) error {
	p, err := s.packOf(r, u, canReview)
	if err != nil {
		return err
	}
	var req reviewRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	// A pack a trigger made was produced by whoever made the trigger.
	if strings.TrimPrefix(p.CreatedBy, triggerActor) == u.Name {
		return cellsite.Errorf(cellsite.Forbidden, "review", "%s produced pack %d and may not review it", u.Name, p.ID)
	}
	now := s.now()
	err = s.db.Update(r.Context(), func(tx *store.Tx) error {
		ls, _, err := s.svc.Log.Append(r.Context(), tx, provenance.Leaf{Type: provenance.Review, Case: p.Case, Started: now, Ended: now,
			Actor: actorOf(u), Software: cellsite.Build(), Inputs: []cellsite.Artefact{{Name: filepath.Base(p.Path), SHA256: p.SHA256, Size: p.Size}},
			Params: []provenance.Param{{Key: "pack", Value: strconv.FormatInt(p.ID, 10)}, {Key: "decision", Value: req.Decision}, {Key: "produced_by", Value: p.CreatedBy}},
			Note:   req.Comment})
		if err != nil {
			return err
		}
		return tx.ReviewPack(r.Context(), p.ID, req.Decision, u.Name, req.Comment, now, ls[0].Index)
	})
	if err != nil {
		return err
	}
	p.Status, p.ReviewedBy, p.ReviewedAt, p.ReviewComment = req.Decision, u.Name, now, req.Comment
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *server) getJob(w http.ResponseWriter, r *http.Request, u *store.User) error {
	j, err := s.deps.Runner.Job(r.Context(), pathVar(r, "id"))
	if err != nil {
		return err
	}
	infoOf(r.Context()).caseRef = j.Case // for the audit record
	if _, err := s.caseFor(r.Context(), u, j.Case, canRead); err != nil && u.Name != j.CreatedBy {
		return cellsite.Errorf(cellsite.NotFound, "job", "no job %q", j.ID)
	}
	writeJSON(w, http.StatusOK, jobView(j))
	return nil
}

// jobJSON is a job as the API shows it: with its percentage, its result
// as JSON, and no times it has not reached.
type jobJSON struct {
	ID         string          `json:"id"`
	Case       string          `json:"case"`
	Kind       string          `json:"kind"`
	State      string          `json:"state"`
	Stage      string          `json:"stage"`
	Done       int64           `json:"done"`
	Total      int64           `json:"total"`
	Percent    float64         `json:"percent"`
	Result     json.RawMessage `json:"result"`
	Error      string          `json:"error"`
	CreatedAt  time.Time       `json:"created_at"`
	CreatedBy  string          `json:"created_by"`
	StartedAt  time.Time       `json:"started_at,omitzero"`
	FinishedAt time.Time       `json:"finished_at,omitzero"`
}

func jobView(j store.Job) jobJSON {
	pct := 0.0
	switch {
	case j.State == store.JobSucceeded:
		pct = 100
	case j.Total > 0:
		pct = float64(j.Done) * 100 / float64(j.Total)
	}
	res := json.RawMessage(j.Result)
	if len(res) == 0 {
		res = json.RawMessage("null")
	}
	return jobJSON{ID: j.ID, Case: j.Case, Kind: j.Kind, State: j.State, Stage: j.Stage, Done: j.Done, Total: j.Total, Percent: pct,
		Result: res, Error: j.Error, CreatedAt: j.CreatedAt, CreatedBy: j.CreatedBy, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
}

func (s *server) cancelJob(w http.ResponseWriter, r *http.Request, u *store.User) error {
	j, err := s.deps.Runner.Job(r.Context(), pathVar(r, "id"))
	if err != nil {
		return err
	}
	infoOf(r.Context()).caseRef = j.Case // for the audit record
	if _, err := s.caseFor(r.Context(), u, j.Case, canWrite); err != nil && u.Name != j.CreatedBy {
		return cellsite.Errorf(cellsite.NotFound, "job", "no job %q", j.ID)
	}
	if err := s.deps.Runner.Cancel(r.Context(), j.ID, u.Name); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": j.ID, "state": "cancelling"})
	return nil
}
