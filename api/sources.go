package api

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// uploadFields are the form fields of an upload, before the file part.
type uploadFields struct {
	Kind      string `json:"kind" validate:"required,oneof=cdr cells"`
	Profile   string `json:"profile" validate:"max=64"`
	TimeBasis string `json:"time_basis" validate:"omitempty,oneof=utc uk-local offset"`
	Target    string `json:"target" validate:"max=32"`
	Network   string `json:"network" validate:"max=16"`
	ValidFrom string `json:"valid_from" validate:"omitempty,datetime=2006-01-02"`
	ValidTo   string `json:"valid_to" validate:"omitempty,datetime=2006-01-02"`
}

// uploadResponse answers an upload: the original is stored and hashed; a
// job ingests it.
type uploadResponse struct {
	Job    jobJSON       `json:"job"` // as GET /jobs/{id} shows it
	Name   string        `json:"name"`
	SHA256 cellsite.Hash `json:"sha256"`
	Size   int64         `json:"size"`
}

// safeFileName refuses names that are paths, or empty.
func safeFileName(n string) (string, error) {
	if n == "" || strings.ContainsAny(n, "/\\\x00") || n == "." || n == ".." || strings.HasPrefix(n, "..") || path.Clean(n) != n || len(n) > 255 {
		return "", invalidFields("bad file name", map[string]string{"file": "a plain file name, without directories"})
	}
	return n, nil
}

// uploadSource streams a multipart upload into the blob store, hashing it
// as it is written, and starts an ingest job. Form fields (kind, profile,
// time_basis, target, network, valid_from, valid_to) come before the part
// named "file".
func (s *server) uploadSource(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canWrite)
	if err != nil {
		return err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return invalidFields("send multipart/form-data with the file in a part named file", nil)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return invalidFields("bad multipart body: "+err.Error(), nil)
	}
	form := map[string]string{}
	var f uploadFields
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return invalidFields("no file part", map[string]string{"file": "required"})
		}
		if err != nil {
			return invalidFields("bad multipart body: "+err.Error(), nil)
		}
		if part.FormName() != "file" {
			b, err := io.ReadAll(io.LimitReader(part, 4097))
			if err != nil || len(b) > 4096 {
				return invalidFields("form field too long", map[string]string{part.FormName(): "at most 4096 bytes"})
			}
			form[part.FormName()] = string(b)
			continue
		}
		if err := s.fillUpload(form, &f); err != nil {
			return err
		}
		name, err := safeFileName(rawFileName(part))
		if err != nil {
			return err
		}
		if _, _, err := s.ingestOptions(f); err != nil {
			return err
		}
		o, err := s.svc.PutOriginal(r.Context(), &capReader{r: part, left: s.cfg.MaxUpload, limit: s.cfg.MaxUpload}, s.cfg.MaxUpload)
		if err != nil {
			return err
		}
		h, size := o.SHA256, o.Size
		job, err := s.deps.Runner.Submit(r.Context(), c.Ref, "ingest", u.Name,
			ingestJob{Actor: actorOf(u), File: name, SHA256: h, Size: size, Hold: o.Hold, Fields: f})
		if err != nil {
			if derr := s.db.DiscardBlob(context.WithoutCancel(r.Context()), h, o.Hold); derr != nil {
				err = errors.Join(err, derr)
			}
			return err
		}
		s.log.InfoContext(r.Context(), "upload", "case", c.Ref, "sha256", h.String(), "size", size, "job", job.ID)
		writeJSON(w, http.StatusAccepted, uploadResponse{Job: jobView(job), Name: name, SHA256: h, Size: size})
		return nil
	}
}

// capReader fails with an *http.MaxBytesError (413) once more than left
// bytes are read.
type capReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, &http.MaxBytesError{Limit: c.limit}
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, &http.MaxBytesError{Limit: c.limit}
	}
	return n, err
}

// rawFileName is the file name of a part as the client sent it.
// (multipart.Part.FileName drops any directories, which would hide a
// name such as "../x.csv" from safeFileName.)
func rawFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

func (s *server) fillUpload(form map[string]string, f *uploadFields) error {
	b, _ := json.Marshal(form)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return decodeError(err)
	}
	return check(f)
}

func (s *server) ingestOptions(f uploadFields) (ingest.Options, *ingest.Profile, error) {
	opt := ingest.Options{TimeBasis: ingest.TimeBasis(f.TimeBasis), Network: f.Network}
	if f.Target != "" {
		t, err := ingest.MSISDN(f.Target, "GB")
		if err != nil {
			return opt, nil, invalidFields("bad target", map[string]string{"target": err.Error()})
		}
		opt.Target = t
	}
	for _, d := range []struct {
		s   string
		dst *time.Time
	}{{f.ValidFrom, &opt.ValidFrom}, {f.ValidTo, &opt.ValidTo}} {
		if d.s != "" {
			*d.dst, _ = time.Parse("2006-01-02", d.s) // checked by the validator
		}
	}
	var prof *ingest.Profile
	if f.Profile != "" && f.Profile != "auto" {
		p, err := s.deps.Profiles.Get(f.Profile)
		if err != nil {
			return opt, nil, invalidFields("unknown profile", map[string]string{"profile": err.Error()})
		}
		if p.Kind != f.Kind {
			return opt, nil, invalidFields("profile of another kind", map[string]string{"profile": "profile " + p.Name + " is for " + p.Kind})
		}
		prof = p
	}
	return opt, prof, nil
}

func (s *server) listSources(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	type sourceView struct {
		cellsite.Source
		Summary json.RawMessage `json:"summary"`
	}
	var out []sourceView
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		srcs, err := tx.Sources(r.Context(), c.Ref)
		for _, src := range srcs {
			out = append(out, sourceView{Source: src, Summary: src.Summary})
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": nonNil(out)})
	return nil
}

func (s *server) listRejects(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	var out []store.Reject
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		out, err = tx.Rejects(r.Context(), c.Ref)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rejects": nonNil(out)})
	return nil
}

var errPageFull = errors.New("page full")

// listEvents returns a case's events, filtered by target, time range and
// cell, a page at a time, as JSON or (format=csv) as CSV. A CSV export is
// recorded on the provenance log (an export leaf).
func (s *server) listEvents(w http.ResponseWriter, r *http.Request, u *store.User) error {
	c, err := s.caseFor(r.Context(), u, pathVar(r, "case"), canRead)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.EventFilter{Case: c.Ref, IncludeRepeated: q.Get("repeats") == "true"}
	fields := map[string]string{}
	if t := q.Get("target"); t != "" {
		if f.Target, err = ingest.MSISDN(t, "GB"); err != nil {
			fields["target"] = err.Error()
		}
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fields[p.name] = "an RFC 3339 time, e.g. 2026-03-01T00:00:00Z"
			} else {
				*p.dst = t.UnixNano()
			}
		}
	}
	limit, page := 100, 1
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 10000 {
			fields["limit"] = "1 to 10000"
		}
	}
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			fields["page"] = "1 or more"
		}
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		fields["format"] = "json or csv"
	}
	if len(fields) > 0 {
		return invalidFields("bad query parameters", fields)
	}
	cell := q.Get("cell")
	skip := (page - 1) * limit
	var events []cellsite.Event
	more := false
	err = s.db.View(r.Context(), func(tx *store.Tx) error {
		return tx.Events(r.Context(), f, func(ev cellsite.Event, _ int64) error {
			if cell != "" && ev.FirstCell != cell && ev.LastCell != cell {
				return nil
			}
			if skip > 0 {
				skip--
				return nil
			}
			if len(events) == limit {
				more = true
				return errPageFull
			}
			events = append(events, ev)
			return nil
		})
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return err
	}
	if format != "csv" {
		writeJSON(w, http.StatusOK, map[string]any{"events": nonNil(events), "page": page, "limit": limit, "more": more})
		return nil
	}
	var buf strings.Builder
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"target", "start_utc", "type", "direction", "other", "duration_s", "first_cell", "last_cell", "imei", "imsi", "source_sha256", "sheet", "row", "start_raw", "time_basis", "time_flag"})
	for _, ev := range events {
		_ = cw.Write(neutraliseAll([]string{ev.Target, ev.Start.UTC().Format(time.RFC3339), ev.Type, ev.Direction, ev.Other, strconv.FormatInt(ev.DurationS, 10),
			ev.FirstCell, ev.LastCell, ev.IMEI, ev.IMSI, ev.Source.String(), ev.Sheet, strconv.Itoa(ev.Row), ev.StartRaw, ev.TimeBasis, ev.TimeFlag}))
	}
	cw.Flush()
	body := []byte(buf.String())
	name := "events-" + strings.ReplaceAll(c.Ref, "/", "_") + "-page" + strconv.Itoa(page) + ".csv"
	if err := s.recordExport(r.Context(), u, c.Ref, name, body, map[string]string{"query": r.URL.RawQuery}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Digest", "sha-256="+b64(cellsite.Sum(body)))
	_, err = w.Write(body)
	return err
}

// recordExport appends an export leaf: who took which bytes out of the
// service.
func (s *server) recordExport(ctx context.Context, u *store.User, caseRef, name string, body []byte, params map[string]string) error {
	now := s.now()
	var ps []provenance.Param
	for _, k := range sortedKeys(params) {
		ps = append(ps, provenance.Param{Key: k, Value: params[k]})
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		_, _, err := s.svc.Log.Append(ctx, tx, provenance.Leaf{Type: provenance.Export, Case: caseRef, Started: now, Ended: now,
			Actor: actorOf(u), Software: cellsite.Build(), Outputs: []cellsite.Artefact{{Name: name, SHA256: cellsite.Sum(body), Size: int64(len(body))}}, Params: ps})
		return err
	})
}
