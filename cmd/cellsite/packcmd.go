package main

import (
	"context"
	"encoding/json"
	"fmt"
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

// packOptions are the choices of one pack.
type packOptions struct {
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
}

func runPack(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "pack", "--case REF --out PACK.zip [--template NAME,...] [--exhibit REF] [--generated-at TIME]")
	data := dataFlag(fs, e)
	caseRef := fs.String("case", "", "case reference (required)")
	out := fs.String("out", "", "the pack to write, e.g. OP-LANTERN-01.zip (required)")
	tmpl := fs.String("template", strings.Join(reports.StandardSchedules, ","), "schedule `templates` to include, in order")
	tdir := fs.String("templates", e.getenv("CELLSITE_TEMPLATES"), "a `DIR` of schedule templates that add to or override the built-in ones (default $CELLSITE_TEMPLATES)")
	exhibit := fs.String("exhibit", "", "the producing officer's exhibit `reference`, e.g. ABC/1")
	by := fs.String("produced-by", "", "the analyst's `name` as it should appear (default: the user)")
	at := fs.String("generated-at", "", "the production `time` stated on every output, RFC 3339 (default: now); the same case, version and time give the same bytes")
	from := fs.String("map-from", "", "draw target maps from this `time` (RFC 3339)")
	to := fs.String("map-to", "", "draw target maps up to this `time` (RFC 3339)")
	basemap := fs.String("basemap", e.getenv("CELLSITE_BASEMAP"), "an Ordnance Survey Open data GeoPackage `FILE` drawn under the maps (default $CELLSITE_BASEMAP; none: a clean grid)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *caseRef == "" || *out == "" {
		return usageError{"pack: --case and --out are required"}
	}
	o := packOptions{Case: *caseRef, Out: *out, TemplateDir: *tdir, Exhibit: *exhibit, ProducedBy: *by, Basemap: *basemap}
	for _, t := range strings.Split(*tmpl, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.Templates = append(o.Templates, t)
		}
	}
	for _, tv := range []struct {
		flag, val string
		dst       *time.Time
	}{{"--generated-at", *at, &o.GeneratedAt}, {"--map-from", *from, &o.MapFrom}, {"--map-to", *to, &o.MapTo}} {
		if tv.val == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, tv.val)
		if err != nil {
			return usageError{fmt.Sprintf("pack: %s %q: want RFC 3339, e.g. 2026-11-27T14:00:00Z", tv.flag, tv.val)}
		}
		*tv.dst = t.UTC()
	}
	a, err := openApp(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if o.GeneratedAt.IsZero() {
		o.GeneratedAt = a.now().Truncate(time.Second)
	}
	if o.ProducedBy == "" {
		o.ProducedBy = strings.TrimPrefix(a.actor.User, "local:")
	}
	res, err := buildPack(ctx, a, o, newProgress(e.stderr, "pack"))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d files, %d bytes, sha256 %s\n", o.Out, len(res.manifest.Files)+1, res.size, res.sha)
	fmt.Fprintf(e.stdout, "render leaf %d%s, pack leaf %d; proofs against checkpoint of size %d\n", res.renderLeaf, res.reused, res.packLeaf, res.checkpoint)
	fmt.Fprintf(e.stdout, "check it anywhere with: cellsite verify %s --fingerprint %s\n", o.Out, res.manifest.Fingerprint)
	return nil
}

type packResult struct {
	manifest   *reports.Manifest
	size       int64
	sha        cellsite.Hash
	renderLeaf int64
	reused     string
	packLeaf   int64
	checkpoint int64
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

func readCase(ctx context.Context, a *app, ref string) (*caseRecords, error) {
	r := &caseRecords{analyses: map[string]store.Analysis{}, hashes: map[int64]cellsite.Hash{}, summaries: map[int64]ingest.Summary{}}
	err := a.db.View(ctx, func(tx *store.Tx) error {
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

func buildPack(ctx context.Context, a *app, o packOptions, bar *progress) (*packResult, error) {
	const op = "pack"
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

	bar.stage("read case", 0, 0)
	cr, err := readCase(ctx, a, o.Case)
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
	asOf, err := checkpointAt(ctx, a, restOn[len(restOn)-1]+1)
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

	fp, err := provenance.Fingerprint(a.vkey)
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
	for i, s := range cr.sources {
		sum := cr.summaries[s.ID]
		name := fmt.Sprintf("originals/%02d-%s", i+1, safeName(s.Name))
		in.Exhibits = append(in.Exhibits, reports.Exhibit{N: i + 1, Source: s, PackPath: name,
			Read: sum.Read, Accepted: sum.Accepted, Duplicates: sum.Duplicates, Rejected: sum.Rejected, First: sum.First, Last: sum.Last})
		if s.Kind == "cells" {
			in.Header.CellLists = append(in.Header.CellLists, reports.CellListRef{Name: s.Name, SHA256: s.SHA256})
		} else if b := basisName(sum.TimeBasis); !contains(bases, b) {
			bases = append(bases, b)
		}
		leaf, blob := s.Leaf, s.SHA256
		originals = append(originals, reports.PackFile{Path: name, Kind: "original", Leaf: &leaf, Open: func() (io.ReadCloser, error) { return a.db.Blobs.Open(blob) }})
	}
	in.Header.TimeBasis = strings.Join(bases, "; ")
	ix := analysis.NewCellIndex(cr.cells)
	in.Events = func(ctx context.Context, yield func(*analysis.Located) error) error {
		return a.db.View(ctx, func(tx *store.Tx) error {
			var l analysis.Located
			return tx.Events(ctx, store.EventFilter{Case: o.Case, IncludeRepeated: true, ByTarget: true}, func(ev cellsite.Event, _ int64) error {
				l = analysis.Located{Event: ev}
				l.First, l.FirstRes = ix.Lookup(ev.FirstCell, ev.Start)
				l.Last, l.LastRes = ix.Lookup(ev.LastCell, ev.Start)
				return yield(&l)
			})
		})
	}

	bar.stage("number events", 0, 0)
	prep, err := reports.Prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	art, err := renderArtefacts(ctx, a, prep, chosen, o.Basemap, bar)
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
	renderLeaf, reused, err := recordRender(ctx, a, o, cr, art.outputs, restOn, chosen, fp, extraRefs)
	if err != nil {
		return nil, err
	}
	cp, err := checkpointAt(ctx, a, renderLeaf+1)
	if err != nil {
		return nil, err
	}
	files := append([]reports.PackFile{}, art.files(renderLeaf)...)
	files = append(files, analysisFiles...)
	files = append(files, originals...)
	receipts := map[int64]provenance.Receipt{}
	err = a.db.View(ctx, func(tx *store.Tx) error {
		for _, f := range files {
			if f.Leaf == nil || receipts[*f.Leaf].Format != "" {
				continue
			}
			rc, err := a.log.ReceiptAt(ctx, tx, *f.Leaf, cp)
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

	bar.stage("write pack", 0, 0)
	m, sha, size, err := writeFileAtomic(o.Out, func(w io.Writer) (*reports.Manifest, error) {
		return reports.WritePack(ctx, w, reports.Pack{Header: hdr, Software: cellsite.Build(), Files: files, Receipts: receipts, Key: a.vkey})
	})
	if err != nil {
		return nil, err
	}
	bar.done()

	// The pack leaf records who issued which pack when.
	started := a.now()
	var inputs []cellsite.Artefact
	for _, f := range m.Files {
		inputs = append(inputs, cellsite.Artefact{Name: f.Path, SHA256: f.SHA256, Size: f.Size})
	}
	var packLeaf int64
	err = a.db.Update(ctx, func(tx *store.Tx) error {
		ls, _, err := a.log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Pack, Case: o.Case, Started: started, Ended: a.now(), Actor: a.actor, Software: cellsite.Build(),
			Inputs: inputs, Outputs: []cellsite.Artefact{{Name: filepath.Base(o.Out), SHA256: sha, Size: size}},
			Params: []provenance.Param{{Key: "render_leaf", Value: fmt.Sprint(renderLeaf)}, {Key: "checkpoint_size", Value: fmt.Sprint(cp.Size)},
				{Key: "generated_at", Value: o.GeneratedAt.Format(time.RFC3339)}, {Key: "exhibit", Value: o.Exhibit}},
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
	return &packResult{manifest: m, size: size, sha: sha, renderLeaf: renderLeaf, reused: reused, packLeaf: packLeaf, checkpoint: cp.Size}, nil
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
func checkpointAt(ctx context.Context, a *app, size int64) (provenance.Checkpoint, error) {
	var text []byte
	err := a.db.View(ctx, func(tx *store.Tx) error {
		var err error
		text, err = tx.CheckpointAt(ctx, size)
		return err
	})
	if err != nil {
		return provenance.Checkpoint{}, err
	}
	return provenance.OpenCheckpoint(text, a.vkey)
}

// recordRender returns the render leaf of these outputs: an earlier one of
// the case that recorded exactly them, or a new one.
func recordRender(ctx context.Context, a *app, o packOptions, cr *caseRecords, outputs []cellsite.Artefact, restOn []int64, chosen []*reports.Template, fp string, extraRefs []provenance.Reference) (int64, string, error) {
	for _, lf := range cr.leaves {
		if lf.Type == provenance.Render && sameArtefacts(lf.Outputs, outputs) {
			return lf.Index, " (the same outputs were rendered before)", nil
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
	err := a.db.Update(ctx, func(tx *store.Tx) error {
		now := a.now()
		ls, _, err := a.log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Render, Case: o.Case, Started: now, Ended: now, Actor: a.actor, Software: cellsite.Build(),
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
	return idx, "", err
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
