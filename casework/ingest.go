package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/templates"
)

// MaxOriginal is the largest original file accepted.
const MaxOriginal = 4 << 30

// LoadProfiles returns the built-in format profiles, overridden by those
// in dir when it is not "".
func LoadProfiles(dir string) (*ingest.Profiles, error) {
	ps, err := ingest.LoadProfiles(templates.Profiles(), "built-in")
	if err != nil {
		return nil, err
	}
	if dir != "" {
		extra, err := ingest.LoadProfiles(os.DirFS(dir), dir)
		if err != nil {
			return nil, err
		}
		ps.Override(extra)
	}
	return ps, nil
}

// IngestRequest asks for one original to be ingested into a case.
type IngestRequest struct {
	Case     string
	Kind     string // cdr or cells
	Name     string // the file's name as received (no directories)
	Body     io.Reader
	Profiles *ingest.Profiles
	Profile  *ingest.Profile // nil: detect from the header
	Options  ingest.Options
	MaxSize  int64 // 0: MaxOriginal
	Progress Progress
}

// IngestResult is what an ingest recorded.
type IngestResult struct {
	Source   int64          `json:"source"`
	Leaf     int64          `json:"leaf"`
	SHA256   cellsite.Hash  `json:"sha256"`
	Size     int64          `json:"size"`
	FileType string         `json:"file_type"`
	Detected bool           `json:"detected"`
	Summary  ingest.Summary `json:"summary"`
}

// countingReader reports progress while a file is read.
type countingReader struct {
	r        io.Reader
	n        int64
	total    int64
	stage    string
	progress Progress
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.progress.report(c.stage, c.n, c.total)
	return n, err
}

// Ingest stores an original byte for byte (hashing it as it is written),
// then parses and cleanses it with its profile, stores the events or cells
// and rejected rows, and records one ingest leaf, in one transaction: a
// failure leaves no source, rows or leaf, and the stored original is
// discarded unless another source holds the same bytes.
func (s *Service) Ingest(ctx context.Context, actor provenance.Actor, req IngestRequest) (IngestResult, error) {
	if req.Kind != "cdr" && req.Kind != "cells" {
		return IngestResult{}, cellsite.Errorf(cellsite.Invalid, "ingest", "kind %q: want cdr or cells", req.Kind)
	}
	if req.Profile != nil && req.Profile.Kind != req.Kind {
		return IngestResult{}, cellsite.Errorf(cellsite.Invalid, "ingest", "profile %s is for %s, not %s", req.Profile.Name, req.Profile.Kind, req.Kind)
	}
	if req.Profiles == nil {
		ps, err := LoadProfiles("")
		if err != nil {
			return IngestResult{}, err
		}
		req.Profiles = ps
	}
	if err := s.DB.View(ctx, func(tx *store.Tx) error { _, err := tx.Case(ctx, req.Case); return err }); err != nil {
		return IngestResult{}, err
	}
	started := s.now()
	req.Progress.report("store "+req.Name, 0, 0)
	// The original is stored byte for byte, and hashed, before it is parsed.
	o, err := s.PutOriginal(ctx, req.Body, req.MaxSize)
	if err != nil {
		return IngestResult{}, err
	}
	return s.ingestStored(ctx, actor, req, o, started)
}

// IngestStored ingests an original already in the blob store (an upload
// stored while it was received): as Ingest, after the storing. It releases
// o when it is done.
func (s *Service) IngestStored(ctx context.Context, actor provenance.Actor, req IngestRequest, o *Original) (IngestResult, error) {
	if req.Kind != "cdr" && req.Kind != "cells" {
		o.Release()
		return IngestResult{}, cellsite.Errorf(cellsite.Invalid, "ingest", "kind %q: want cdr or cells", req.Kind)
	}
	if req.Profiles == nil {
		ps, err := LoadProfiles("")
		if err != nil {
			o.Release()
			return IngestResult{}, err
		}
		req.Profiles = ps
	}
	return s.ingestStored(ctx, actor, req, o, s.now())
}

func (s *Service) ingestStored(ctx context.Context, actor provenance.Actor, req IngestRequest, o *Original, started time.Time) (IngestResult, error) {
	res, err := s.parseAndRecord(ctx, actor, req, o.SHA256, o.Size, started)
	if err != nil {
		if derr := s.discard(context.WithoutCancel(ctx), o); derr != nil {
			err = errors.Join(err, derr)
		}
		return IngestResult{}, err
	}
	o.Release()
	return res, nil
}

func (s *Service) parseAndRecord(ctx context.Context, actor provenance.Actor, req IngestRequest, h cellsite.Hash, size int64, started time.Time) (IngestResult, error) {
	profiles, chosen, caseRef, kind, name, opt := req.Profiles, req.Profile, req.Case, req.Kind, req.Name, req.Options
	blob, err := s.DB.Blobs.Open(h)
	if err != nil {
		return IngestResult{}, err
	}
	defer blob.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(io.NewSectionReader(blob, 0, size), head)
	ftype := ingest.SniffFileType(head[:n])
	if ftype == "xls" {
		return IngestResult{}, cellsite.Errorf(cellsite.Invalid, "read", "legacy Excel 97-2003 (.xls) files are not supported: save it as .xlsx or CSV and ingest that (keep the .xls as the exhibit)")
	}
	open := func(ro ingest.ReadOptions, counted bool) (ingest.RowReader, error) {
		if ftype == "xlsx" {
			return ingest.NewXLSXReader(blob, size, ro)
		}
		var r io.Reader = io.NewSectionReader(blob, 0, size)
		if counted {
			r = &countingReader{r: r, total: size, stage: "parse " + name, progress: req.Progress}
		}
		return ingest.NewCSVReader(r, ro)
	}

	// Find the profile and the header from the first rows.
	rr, err := open(ingest.ReadOptions{}, false)
	if err != nil {
		return IngestResult{}, err
	}
	sample, err := ingest.Sample(rr)
	if err != nil {
		return IngestResult{}, err
	}
	var lay ingest.Layout
	detected := chosen == nil
	if chosen != nil {
		lay, err = chosen.Locate(name, sample)
	} else {
		lay, err = profiles.Detect(name, kind, ftype, sample)
	}
	if err != nil {
		return IngestResult{}, err
	}
	p := lay.Profile
	rr, err = open(p.ReadOptions(), true)
	if err != nil {
		return IngestResult{}, err
	}
	defer rr.Close()
	opt.File, opt.Source = name, h

	res := IngestResult{SHA256: h, Size: size, FileType: ftype, Detected: detected}
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		sid, err := tx.AddSource(ctx, cellsite.Source{Case: caseRef, Kind: kind, Name: name, SHA256: h, Size: size, Profile: p.Name,
			ProfileVersion: p.Version, ProfileSHA256: p.Hash, TimeBasis: string(opt.TimeBasis), Target: opt.Target, Summary: []byte("{}"), Leaf: -1, IngestedAt: started})
		if err != nil {
			return err
		}
		// Parsing and storing overlap: batches pass to a writer goroutine.
		batches := make(chan ingest.Batch, 2)
		stopped := make(chan struct{}) // closed when the writer fails
		written := make(chan error, 1)
		go func() {
			var werr error
			for b := range batches {
				if werr != nil {
					continue // drain after a failure
				}
				if werr = tx.InsertEvents(ctx, sid, caseRef, b.Events); werr == nil {
					if werr = tx.InsertCells(ctx, sid, caseRef, b.Cells); werr == nil {
						werr = tx.InsertRejects(ctx, sid, b.Faults)
					}
				}
				if werr != nil {
					close(stopped)
				}
			}
			written <- werr
		}()
		sum, err := ingest.Parse(ctx, rr, lay, opt, func(b ingest.Batch) error {
			select {
			case batches <- b:
				return nil
			case <-stopped:
				return errors.New("storing rows failed")
			}
		})
		close(batches)
		failed := <-written
		if failed != nil {
			return failed
		}
		if err != nil {
			return err
		}
		if err := tx.RegisterBlob(ctx, h, size); err != nil {
			return err
		}
		leaves, _, err := s.Log.Append(ctx, tx, s.ingestLeaf(actor, caseRef, kind, name, h, size, ftype, detected, started, opt, p, sum))
		if err != nil {
			return err
		}
		js, err := json.Marshal(sum)
		if err != nil {
			return err
		}
		res.Source, res.Leaf, res.Summary = sid, leaves[0].Index, sum
		return tx.SetSourceLeaf(ctx, sid, leaves[0].Index, js)
	})
	if err != nil {
		return IngestResult{}, err
	}
	return res, nil
}

func (s *Service) ingestLeaf(actor provenance.Actor, caseRef, kind, name string, h cellsite.Hash, size int64, ftype string, detected bool, started time.Time, opt ingest.Options, p *ingest.Profile, sum ingest.Summary) provenance.Leaf {
	params := []provenance.Param{
		{Key: "kind", Value: kind},
		{Key: "file_type", Value: ftype},
		{Key: "profile", Value: p.Name},
		{Key: "profile_version", Value: p.Version},
		{Key: "profile_origin", Value: p.Origin},
		{Key: "profile_detected", Value: fmt.Sprint(detected)},
	}
	if kind == "cdr" {
		params = append(params, provenance.Param{Key: "time_basis", Value: sum.TimeBasis})
	}
	if opt.Target != "" {
		params = append(params, provenance.Param{Key: "target", Value: opt.Target})
	}
	if opt.Network != "" {
		params = append(params, provenance.Param{Key: "network", Value: opt.Network})
	}
	if !opt.ValidFrom.IsZero() {
		params = append(params, provenance.Param{Key: "valid_from", Value: opt.ValidFrom.Format(time.RFC3339)})
	}
	if !opt.ValidTo.IsZero() {
		params = append(params, provenance.Param{Key: "valid_to", Value: opt.ValidTo.Format(time.RFC3339)})
	}
	counts := []provenance.Count{
		{Key: "lines", N: int64(sum.Lines)}, {Key: "banner", N: int64(sum.Banner)}, {Key: "headers", N: int64(sum.Headers)},
		{Key: "blank", N: int64(sum.Blank)}, {Key: "footer", N: int64(sum.Footer)}, {Key: "read", N: int64(sum.Read)},
		{Key: "accepted", N: int64(sum.Accepted)}, {Key: "duplicates", N: int64(sum.Duplicates)}, {Key: "rejected", N: int64(sum.Rejected)},
	}
	for k, v := range sum.RejectedBy {
		counts = append(counts, provenance.Count{Key: "rejected." + k, N: int64(v)})
	}
	for k, v := range sum.Warnings {
		counts = append(counts, provenance.Count{Key: "warning." + k, N: int64(v)})
	}
	var warnings []string
	if p.Status != "documented" && p.Status != "verified" {
		warnings = append(warnings, fmt.Sprintf("profile %s %s status: %s", p.Name, p.Version, p.Status))
	}
	for _, k := range sortedKeysInt(sum.Warnings) {
		warnings = append(warnings, fmt.Sprintf("%s: %d rows", k, sum.Warnings[k]))
	}
	out := sum.Output
	out.Name = kind + " (canonical encoding)"
	return provenance.Leaf{
		Type: provenance.Ingest, Case: caseRef, Started: started, Ended: s.now(), Actor: actor, Software: cellsite.Build(),
		Inputs:     []cellsite.Artefact{{Name: name, SHA256: h, Size: size}},
		Outputs:    []cellsite.Artefact{out},
		References: []provenance.Reference{{Kind: "profile", Name: p.Name, Version: p.Version, SHA256: p.Hash}},
		Params:     params, Counts: counts, Warnings: warnings,
	}
}

func sortedKeysInt(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
