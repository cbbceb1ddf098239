package casework

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/reports"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/templates"
)

// PackOptions are the choices of one pack.
type PackOptions struct {
	Case        string
	Out         string
	Templates   []string // schedule templates, in order
	TemplateDir string
	Exhibit     string
	ProducedBy  string
	GeneratedAt time.Time
	MapFrom     time.Time
	MapTo       time.Time
	Basemap     string // an OS Open data GeoPackage drawn under the maps
	Note        string // recorded on the pack leaf, e.g. the trigger that asked for it
}

// PackResult is what a pack recorded.
type PackResult struct {
	Manifest   *reports.Manifest
	Size       int64
	SHA256     cellsite.Hash
	RenderLeaf int64
	Reused     bool // the render leaf recorded the same outputs before
	PackLeaf   int64
	Checkpoint int64 // size of the checkpoint the receipts lead to
}

// caseRecords is what a pack reads from the store.
type caseRecords struct {
	c         cellsite.Case
	sources   []cellsite.Source
	cells     []cellsite.Cell
	analyses  map[string]store.Analysis // latest of each kind
	leaves    []provenance.Leaf         // every leaf of the case
	hashes    map[int64]cellsite.Hash
	summaries map[int64]ingest.Summary // by source ID
}

func readCase(ctx context.Context, s *Service, ref string) (*caseRecords, error) {
	r := &caseRecords{analyses: map[string]store.Analysis{}, hashes: map[int64]cellsite.Hash{}, summaries: map[int64]ingest.Summary{}}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if r.c, err = tx.Case(ctx, ref); err != nil {
			return err
		}
		if r.sources, err = tx.Sources(ctx, ref); err != nil {
			return err
		}
		if r.cells, err = tx.Cells(ctx, ref); err != nil {
			return err
		}
		as, err := tx.Analyses(ctx, ref)
		if err != nil {
			return err
		}
		for _, an := range as {
			r.analyses[an.Kind] = an // in order made: the latest wins
		}
		idx, err := tx.LeafIndexes(ctx, ref)
		if err != nil {
			return err
		}
		for _, i := range idx {
			lf, data, err := provenance.Get(ctx, tx, i)
			if err != nil {
				return err
			}
			r.leaves = append(r.leaves, lf)
			r.hashes[i] = provenance.LeafHash(data)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range r.sources {
		var sum ingest.Summary
		if err := json.Unmarshal(s.Summary, &sum); err != nil {
			return nil, cellsite.Errorf(cellsite.Integrity, "pack", "source %s: stored summary: %v", s.Name, err)
		}
		r.summaries[s.ID] = sum
	}
	return r, nil
}

// packKinds are the analyses a pack draws on, in order.
var packKinds = []string{"colocation", "pattern", "contacts", "attribution"}

func (s *Service) Pack(ctx context.Context, actor provenance.Actor, o PackOptions, progress Progress) (*PackResult, error) {
	const op = "pack"
	if o.GeneratedAt.IsZero() {
		o.GeneratedAt = s.now().Truncate(time.Second)
	}
	if o.ProducedBy == "" {
		o.ProducedBy = actor.User
	}
	if len(o.Templates) == 0 {
		o.Templates = reports.StandardSchedules
	}
	ts, err := reports.LoadTemplates(templates.Schedules(), "built-in")
	if err != nil {
		return nil, err
	}
	if o.TemplateDir != "" {
		extra, err := reports.LoadTemplates(os.DirFS(o.TemplateDir), o.TemplateDir)
		if err != nil {
			return nil, err
		}
		ts.Override(extra)
	}
	var chosen []*reports.Template
	for _, name := range o.Templates {
		t, err := ts.Get(name)
		if err != nil {
			return nil, err
		}
		chosen = append(chosen, t)
	}
	if len(chosen) == 0 {
		return nil, cellsite.Errorf(cellsite.Invalid, op, "no schedule templates chosen")
	}

	progress.report("read case", 0, 0)
	cr, err := readCase(ctx, s, o.Case)
	if err != nil {
		return nil, err
	}
	if len(cr.sources) == 0 {
		return nil, cellsite.Errorf(cellsite.Invalid, op, "case %s has no sources: ingest operators' files first", o.Case)
	}

	// The leaves the pack rests on: the case, its ingests and the analyses
	// used; its checkpoint is the first signed when the last of them was.
	rest := map[int64]bool{}
	for _, lf := range cr.leaves {
		if lf.Type == provenance.CaseOpened {
			rest[lf.Index] = true
		}
	}
	for _, s := range cr.sources {
		rest[s.Leaf] = true
	}
	in := reports.Input{MapFrom: o.MapFrom, MapTo: o.MapTo}
	var analysisFiles []reports.PackFile
	for _, k := range packKinds {
		an, ok := cr.analyses[k]
		if !ok {
			continue
		}
		if err := decodeResult(an, &in); err != nil {
			return nil, err
		}
		rest[an.Leaf] = true
		leaf := an.Leaf
		analysisFiles = append(analysisFiles, reports.BytesFile(fmt.Sprintf("analyses/%s-%d.json", an.Kind, an.ID), "analysis", &leaf, an.Result))
	}
	var restOn []int64
	for i := range rest {
		restOn = append(restOn, i)
	}
	sort.Slice(restOn, func(i, j int) bool { return restOn[i] < restOn[j] })
	asOf, err := checkpointAt(ctx, s, restOn[len(restOn)-1]+1)
	if err != nil {
		return nil, err
	}
	byIndex := map[int64]provenance.Leaf{}
	for _, lf := range cr.leaves {
		byIndex[lf.Index] = lf
	}
	for _, i := range restOn {
		in.Leaves = append(in.Leaves, reports.LeafRow{Leaf: byIndex[i], Hash: cr.hashes[i]})
	}

	fp, err := provenance.Fingerprint(s.VerifierKey)
	if err != nil {
		return nil, err
	}
	in.Header = reports.Header{
		Case: cr.c.Ref, CaseTitle: cr.c.Title, Exhibit: o.Exhibit, ProducedBy: o.ProducedBy, ProducedAt: o.GeneratedAt,
		Software:    "Cellsite " + cellsite.Build().Version,
		Checkpoint:  reports.CheckpointRef{Size: asOf.Size, Root: asOf.Root, Note: asOf.Note},
		Fingerprint: fp,
	}
	var bases []string
	originals := make([]reports.PackFile, 0, len(cr.sources))
	for i, src := range cr.sources {
		sum := cr.summaries[src.ID]
		name := fmt.Sprintf("originals/%02d-%s", i+1, safeName(src.Name))
		in.Exhibits = append(in.Exhibits, reports.Exhibit{N: i + 1, Source: src, PackPath: name,
			Read: sum.Read, Accepted: sum.Accepted, Duplicates: sum.Duplicates, Rejected: sum.Rejected, First: sum.First, Last: sum.Last})
		if src.Kind == "cells" {
			in.Header.CellLists = append(in.Header.CellLists, reports.CellListRef{Name: src.Name, SHA256: src.SHA256})
		} else if b := basisName(sum.TimeBasis); !contains(bases, b) {
			bases = append(bases, b)
		}
		leaf, blob := src.Leaf, src.SHA256
		originals = append(originals, reports.PackFile{Path: name, Kind: "original", Leaf: &leaf, Open: func() (io.ReadCloser, error) { return s.DB.Blobs.Open(blob) }})
	}
	in.Header.TimeBasis = strings.Join(bases, "; ")
	in.Events = caseEvents(s, o.Case, cr.cells)

	progress.report("number events", 0, 0)
	prep, err := reports.Prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	art, err := renderArtefacts(ctx, s, prep, chosen, o.Basemap, progress)
	if err != nil {
		return nil, err
	}
	defer art.cleanup()

	// The render leaf: reused when these exact outputs were recorded
	// before, so that the same pack comes out the same bytes.
	var extraRefs []provenance.Reference
	if o.Basemap != "" {
		h, err := hashFile(o.Basemap)
		if err != nil {
			return nil, cellsite.Errorf(cellsite.Invalid, op, "--basemap: %v", err)
		}
		extraRefs = append(extraRefs, provenance.Reference{Kind: "basemap", Name: filepath.Base(o.Basemap), SHA256: h})
	}
	renderLeaf, reused, err := recordRender(ctx, s, actor, o, cr, art.outputs, restOn, chosen, fp, extraRefs)
	if err != nil {
		return nil, err
	}
	cp, err := checkpointAt(ctx, s, renderLeaf+1)
	if err != nil {
		return nil, err
	}
	files := append([]reports.PackFile{}, art.files(renderLeaf)...)
	files = append(files, analysisFiles...)
	files = append(files, originals...)
	receipts := map[int64]provenance.Receipt{}
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		for _, f := range files {
			if f.Leaf == nil || receipts[*f.Leaf].Format != "" {
				continue
			}
			rc, err := s.Log.ReceiptAt(ctx, tx, *f.Leaf, cp)
			if err != nil {
				return err
			}
			receipts[*f.Leaf] = rc
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	hdr := in.Header
	hdr.Checkpoint = reports.CheckpointRef{Size: cp.Size, Root: cp.Root, Note: cp.Note}

	progress.report("write pack", 0, 0)
	m, sha, size, err := writeFileAtomic(o.Out, func(w io.Writer) (*reports.Manifest, error) {
		return reports.WritePack(ctx, w, reports.Pack{Header: hdr, Software: cellsite.Build(), Files: files, Receipts: receipts, Key: s.VerifierKey})
	})
	if err != nil {
		return nil, err
	}

	// The pack leaf records who issued which pack when.
	started := s.now()
	var inputs []cellsite.Artefact
	for _, f := range m.Files {
		inputs = append(inputs, cellsite.Artefact{Name: f.Path, SHA256: f.SHA256, Size: f.Size})
	}
	var packLeaf int64
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		ls, _, err := s.Log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Pack, Case: o.Case, Started: started, Ended: s.now(), Actor: actor, Software: cellsite.Build(),
			Inputs: inputs, Outputs: []cellsite.Artefact{{Name: filepath.Base(o.Out), SHA256: sha, Size: size}},
			Params: []provenance.Param{{Key: "render_leaf", Value: fmt.Sprint(renderLeaf)}, {Key: "checkpoint_size", Value: fmt.Sprint(cp.Size)},
				{Key: "generated_at", Value: o.GeneratedAt.Format(time.RFC3339)}, {Key: "exhibit", Value: o.Exhibit}},
			Note: o.Note,
		})
		if err != nil {
			return err
		}
		packLeaf = ls[0].Index
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pack written to %s but not recorded: %w", o.Out, err)
	}
	return &PackResult{Manifest: m, Size: size, SHA256: sha, RenderLeaf: renderLeaf, Reused: reused, PackLeaf: packLeaf, Checkpoint: cp.Size}, nil
}

func basisName(b string) string {
	switch b {
	case "uk-local":
		return "UK local (Europe/London)"
	case "utc":
		return "UTC"
	case "offset":
		return "UTC offset stated per record"
	}
	return b
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// safeName keeps a received file's name readable in the pack without
// letting it name a directory.
func safeName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	return strings.Map(func(r rune) rune {
		if r < 32 || r == '/' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|' {
			return '_'
		}
		return r
	}, name)
}

func decodeResult(an store.Analysis, in *reports.Input) error {
	var doc struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(an.Result, &doc); err != nil {
		return cellsite.Errorf(cellsite.Integrity, "pack", "analysis %d: %v", an.ID, err)
	}
	var err error
	switch an.Kind {
	case "colocation":
		in.Colocation = &analysis.Colocation{}
		err = json.Unmarshal(doc.Result, in.Colocation)
	case "pattern":
		err = json.Unmarshal(doc.Result, &in.Patterns)
	case "contacts":
		in.Contacts = &analysis.ContactResult{}
		err = json.Unmarshal(doc.Result, in.Contacts)
	case "attribution":
		in.Attribution = &analysis.AttributionResult{}
		err = json.Unmarshal(doc.Result, in.Attribution)
	}
	if err != nil {
		return cellsite.Errorf(cellsite.Integrity, "pack", "analysis %d (%s): %v", an.ID, an.Kind, err)
	}
	return nil
}

// checkpointAt returns the signed checkpoint of the given tree size.
func checkpointAt(ctx context.Context, s *Service, size int64) (provenance.Checkpoint, error) {
	var text []byte
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		text, err = tx.CheckpointAt(ctx, size)
		return err
	})
	if err != nil {
		return provenance.Checkpoint{}, err
	}
	return provenance.OpenCheckpoint(text, s.VerifierKey)
}

// recordRender returns the render leaf of these outputs: an earlier one of
// the case that recorded exactly them, or a new one.
func recordRender(ctx context.Context, s *Service, actor provenance.Actor, o PackOptions, cr *caseRecords, outputs []cellsite.Artefact, restOn []int64, chosen []*reports.Template, fp string, extraRefs []provenance.Reference) (int64, bool, error) {
	for _, lf := range cr.leaves {
		if lf.Type == provenance.Render && sameArtefacts(lf.Outputs, outputs) {
			return lf.Index, true, nil
		}
	}
	var refs []provenance.Reference
	var names []string
	for _, t := range chosen {
		refs = append(refs, provenance.Reference{Kind: "schedule-template", Name: t.Name, Version: t.Version, SHA256: t.Hash})
		names = append(names, t.Name)
	}
	refs = append(refs, extraRefs...)
	var inputs []cellsite.Artefact
	for _, i := range restOn {
		inputs = append(inputs, cellsite.Artefact{Name: fmt.Sprintf("leaf %d", i), SHA256: cr.hashes[i]})
	}
	var idx int64
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		now := s.now()
		ls, _, err := s.Log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Render, Case: o.Case, Started: now, Ended: now, Actor: actor, Software: cellsite.Build(),
			Inputs: inputs, Outputs: outputs, References: refs,
			Params: []provenance.Param{{Key: "templates", Value: strings.Join(names, ",")}, {Key: "generated_at", Value: o.GeneratedAt.Format(time.RFC3339)},
				{Key: "exhibit", Value: o.Exhibit}, {Key: "produced_by", Value: o.ProducedBy}, {Key: "key_fingerprint", Value: fp}},
		})
		if err != nil {
			return err
		}
		idx = ls[0].Index
		return nil
	})
	return idx, false, err
}

func sameArtefacts(a, b []cellsite.Artefact) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, synced and renamed into place, so that a failure leaves no
// partial file. It returns what write returns and the file's hash and size.
func writeFileAtomic(name string, write func(io.Writer) (*reports.Manifest, error)) (*reports.Manifest, cellsite.Hash, int64, error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return nil, cellsite.Hash{}, 0, err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	hw := newHashWriter(f)
	m, err := write(hw)
	if err != nil {
		return nil, cellsite.Hash{}, 0, err
	}
	if err := f.Sync(); err != nil {
		return nil, cellsite.Hash{}, 0, err
	}
	if err := f.Close(); err != nil {
		return nil, cellsite.Hash{}, 0, err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return nil, cellsite.Hash{}, 0, err
	}
	if err := os.Rename(tmp, name); err != nil {
		return nil, cellsite.Hash{}, 0, err
	}
	ok = true
	return m, hw.sum(), hw.n, nil
}

func hashFile(name string) (cellsite.Hash, error) {
	f, err := os.Open(name)
	if err != nil {
		return cellsite.Hash{}, err
	}
	defer f.Close()
	hw := newHashWriter(io.Discard)
	if _, err := io.Copy(hw, f); err != nil {
		return cellsite.Hash{}, err
	}
	return hw.sum(), nil
}

// hashWriter hashes and counts what passes through it.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func newHashWriter(w io.Writer) *hashWriter { return &hashWriter{w: w, h: sha256.New()} }

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

func (hw *hashWriter) sum() cellsite.Hash {
	var s cellsite.Hash
	copy(s[:], hw.h.Sum(nil))
	return s
}

// rendered holds the outputs of one render in a temporary directory.
type rendered struct {
	dir     string
	paths   []string          // pack paths, in pack order
	files_  map[string]string // pack path → temporary file
	kinds   map[string]string
	outputs []cellsite.Artefact // for the render leaf, in pack order
}

func (r *rendered) cleanup() { os.RemoveAll(r.dir) }

// files returns the outputs as pack files produced by the render leaf.
func (r *rendered) files(leaf int64) []reports.PackFile {
	out := make([]reports.PackFile, 0, len(r.paths))
	for _, p := range r.paths {
		tmp := r.files_[p]
		l := leaf
		out = append(out, reports.PackFile{Path: p, Kind: r.kinds[p], Leaf: &l, Open: func() (io.ReadCloser, error) { return os.Open(tmp) }})
	}
	return out
}

// add writes one output to the temporary directory.
func (r *rendered) add(path, kind string, write func(w io.Writer) error) error {
	tmp := filepath.Join(r.dir, fmt.Sprintf("%02d", len(r.paths)))
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	hw := newHashWriter(f)
	if err := write(hw); err != nil {
		f.Close()
		return fmt.Errorf("render %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	r.paths = append(r.paths, path)
	r.files_[path] = tmp
	r.kinds[path] = kind
	r.outputs = append(r.outputs, cellsite.Artefact{Name: path, SHA256: hw.sum(), Size: hw.n})
	return nil
}

// renderArtefacts renders the workbook, the report and the map data of a
// pack.
func renderArtefacts(ctx context.Context, s *Service, prep *reports.Prepared, chosen []*reports.Template, basemap string, progress Progress) (*rendered, error) {
	dir, err := os.MkdirTemp(filepath.Join(s.DB.Dir(), "tmp"), "render-")
	if err != nil {
		dir, err = os.MkdirTemp("", "cellsite-render-")
		if err != nil {
			return nil, err
		}
	}
	r := &rendered{dir: dir, files_: map[string]string{}, kinds: map[string]string{}}
	ok := false
	defer func() {
		if !ok {
			r.cleanup()
		}
	}()
	var schedules []reports.ReportSchedule
	for _, t := range chosen {
		schedules = append(schedules, reports.ReportSchedule{Schedule: prep.Schedule(ctx, t), Description: t.Description, Limit: t.PDFRows, Group: t.Group})
	}
	// The workbook: every row of every schedule, streamed.
	var total int64
	for _, s := range schedules {
		total += int64(s.Schedule.RowCount)
	}
	sheets := make([]reports.Schedule, len(schedules))
	var done int64
	for i, s := range schedules {
		sc := s.Schedule
		rows := sc.Rows
		sc.Rows = func(yield func([]reports.Value) error) error {
			return rows(func(v []reports.Value) error {
				done++
				if done%2048 == 0 {
					progress.report("schedules.xlsx", done, total)
				}
				return yield(v)
			})
		}
		sheets[i] = sc
	}
	progress.report("schedules.xlsx", 0, total)
	if err := r.add("schedules.xlsx", "schedules", func(w io.Writer) error {
		return reports.WriteWorkbook(ctx, w, reports.Workbook{Header: prep.In.Header, Schedules: sheets})
	}); err != nil {
		return nil, err
	}
	progress.report("maps", 0, 0)
	maps := prep.Maps()
	zone := reports.ZoneUTC
	if prep.LocalBasis {
		zone = reports.ZoneUKLocal
	}
	var mapPDF bytes.Buffer
	var mapTitles []string
	if len(maps) > 0 {
		if _, err := reports.WriteMapsPDF(&mapPDF, maps, reports.MapOptions{GeneratedAt: prep.In.Header.ProducedAt, Zone: zone,
			Exhibit: prep.In.Header.Exhibit, Creator: prep.In.Header.Software, Basemap: basemap}); err != nil {
			return nil, err
		}
		for _, m := range maps {
			mapTitles = append(mapTitles, m.Title)
		}
	}
	progress.report("report.pdf", 0, 0)
	report := reports.Report{
		Maps: mapPDF.Bytes(), MapTitles: mapTitles,
		Header: prep.In.Header, Title: "Cell site analysis", Period: [2]time.Time{prep.From, prep.To},
		Counts: reports.CoverCounts(prep), Findings: reports.Findings(prep), Schedules: schedules, Workbook: "schedules.xlsx",
		Leaves: prep.In.Leaves, Caveats: reports.GeneralCaveats,
	}
	if err := r.add("report.pdf", "report", func(w io.Writer) error {
		_, err := reports.WriteReportPDF(ctx, w, report)
		return err
	}); err != nil {
		return nil, err
	}
	if err := r.add("maps.geojson", "map-data", func(w io.Writer) error { return reports.WriteGeoJSON(w, maps) }); err != nil {
		return nil, err
	}
	if err := r.add("maps.kml", "map-data", func(w io.Writer) error { return reports.WriteKML(w, maps) }); err != nil {
		return nil, err
	}
	ok = true
	return r, nil
}
