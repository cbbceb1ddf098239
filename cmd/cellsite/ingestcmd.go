package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/templates"
)

// maxOriginal is the largest original file accepted.
const maxOriginal = 4 << 30

// loadProfiles returns the built-in profiles, overridden by those in dir.
func loadProfiles(dir string) (*ingest.Profiles, error) {
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

func profilesFlag(fs *flag.FlagSet, e env) *string {
	return fs.String("profiles", e.getenv("CELLSITE_PROFILES"), "extra profile `directory` (default $CELLSITE_PROFILES); its files override built-in profiles of the same name")
}

func runCase(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return usageError{"case: want 'case create REF --title T' or 'case list'"}
	}
	switch args[0] {
	case "create":
		fs := newFlags(e, "case create", "REF --title TITLE [--data DIR]")
		data := dataFlag(fs, e)
		title := fs.String("title", "", "the case's title (required)")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageError{"case create: give one case reference"}
		}
		ref := pos[0]
		if err := validRef(ref); err != nil {
			return err
		}
		if strings.TrimSpace(*title) == "" {
			return usageError{"case create: --title is required"}
		}
		a, err := openApp(ctx, e, *data, true)
		if err != nil {
			return err
		}
		defer a.Close()
		now := a.now()
		err = a.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCase(ctx, cellsite.Case{Ref: ref, Title: *title, CreatedAt: now, CreatedBy: a.actor.User}); err != nil {
				return err
			}
			_, _, err := a.log.Append(ctx, tx, provenance.Leaf{Type: provenance.CaseOpened, Case: ref, Started: now, Ended: now, Actor: a.actor,
				Software: cellsite.Build(), Params: []provenance.Param{{Key: "title", Value: *title}}, Note: "case created"})
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created case %s: %s\n", ref, *title)
		return nil
	case "list":
		fs := newFlags(e, "case list", "[--data DIR]")
		data := dataFlag(fs, e)
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if err := noArgs(pos); err != nil {
			return err
		}
		a, err := openApp(ctx, e, *data, false)
		if err != nil {
			return err
		}
		defer a.Close()
		return a.db.View(ctx, func(tx *store.Tx) error {
			cs, err := tx.Cases(ctx)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(w, "CASE\tTITLE\tCREATED (UTC)\tBY")
			for _, c := range cs {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.Ref, c.Title, c.CreatedAt.Format("2006-01-02 15:04:05"), c.CreatedBy)
			}
			return w.Flush()
		})
	default:
		return usageError{fmt.Sprintf("case: unknown subcommand %q", args[0])}
	}
}

// validRef checks a case reference: letters, digits, '-', '_', '.', '/'
// and no path tricks.
func validRef(ref string) error {
	if ref == "" || len(ref) > 64 || strings.Contains(ref, "..") || strings.HasPrefix(ref, "/") {
		return cellsite.Errorf(cellsite.Invalid, "case reference", "%q: use 1 to 64 letters, digits, '-', '_', '.' or '/'", ref)
	}
	for _, r := range ref {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./", r)) {
			return cellsite.Errorf(cellsite.Invalid, "case reference", "%q: use 1 to 64 letters, digits, '-', '_', '.' or '/'", ref)
		}
	}
	return nil
}

func runIngest(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "ingest", "--case REF --kind cdr|cells [--profile NAME|auto] [--target MSISDN] [--time-basis utc|uk-local|offset] [--network MCC-MNC] [--json] FILE...")
	data := dataFlag(fs, e)
	profDir := profilesFlag(fs, e)
	caseRef := fs.String("case", "", "case reference (required)")
	kind := fs.String("kind", "", "cdr or cells (required)")
	profile := fs.String("profile", "auto", "format profile `NAME`, or auto to detect")
	target := fs.String("target", "", "target `MSISDN` for exports that do not name it in each row")
	basis := fs.String("time-basis", "", "override the profile's time basis: utc, uk-local or offset")
	network := fs.String("network", "", "default `MCC-MNC` for cell IDs that carry none (e.g. 234-30)")
	validFrom := fs.String("valid-from", "", "cells: the list is valid from this `date` (YYYY-MM-DD, UTC) when it has no validity columns")
	validTo := fs.String("valid-to", "", "cells: the list is valid until this `date` (exclusive)")
	asJSON := fs.Bool("json", false, "print the summaries as JSON")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *caseRef == "":
		return usageError{"ingest: --case is required"}
	case *kind != "cdr" && *kind != "cells":
		return usageError{"ingest: --kind must be cdr or cells"}
	case len(files) == 0:
		return usageError{"ingest: give at least one FILE"}
	}
	switch *basis {
	case "", "utc", "uk-local", "offset":
	default:
		return usageError{fmt.Sprintf("ingest: --time-basis %q: want utc, uk-local or offset", *basis)}
	}
	opt := ingest.Options{TimeBasis: ingest.TimeBasis(*basis), Network: *network}
	if *target != "" {
		if opt.Target, err = ingest.MSISDN(*target, "GB"); err != nil {
			return cellsite.Errorf(cellsite.Invalid, "ingest", "--target: %v", err)
		}
	}
	for _, v := range []struct {
		s   string
		dst *time.Time
	}{{*validFrom, &opt.ValidFrom}, {*validTo, &opt.ValidTo}} {
		if v.s == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", v.s)
		if err != nil {
			return usageError{fmt.Sprintf("ingest: validity date %q: want YYYY-MM-DD", v.s)}
		}
		*v.dst = t
	}
	profiles, err := loadProfiles(*profDir)
	if err != nil {
		return err
	}
	var chosen *ingest.Profile
	if *profile != "auto" {
		if chosen, err = profiles.Get(*profile); err != nil {
			return err
		}
		if chosen.Kind != *kind {
			return cellsite.Errorf(cellsite.Invalid, "ingest", "profile %s is for %s, not %s", chosen.Name, chosen.Kind, *kind)
		}
	}
	a, err := openApp(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.db.View(ctx, func(tx *store.Tx) error { _, err := tx.Case(ctx, *caseRef); return err }); err != nil {
		return err
	}
	var results []ingestResult
	var failed []string
	for _, f := range files {
		res, err := ingestFile(ctx, e, a, profiles, chosen, *caseRef, *kind, f, opt)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("ingest %s: cancelled; nothing was recorded for it", f)
			}
			fmt.Fprintf(e.stderr, "cellsite: ingest %s: %v\n", f, err)
			failed = append(failed, f)
			continue
		}
		results = append(results, res)
		if !*asJSON {
			printSummary(e.stdout, res)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return cellsite.Errorf(cellsite.Invalid, "ingest", "%d of %d files not ingested: %s (nothing was recorded for them)", len(failed), len(files), strings.Join(failed, ", "))
	}
	return nil
}

type ingestResult struct {
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
	r     io.Reader
	n     int64
	total int64
	bar   *progress
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.bar.update(c.n, c.total)
	return n, err
}

func ingestFile(ctx context.Context, e env, a *app, profiles *ingest.Profiles, chosen *ingest.Profile, caseRef, kind, path string, opt ingest.Options) (ingestResult, error) {
	started := a.now()
	name := filepath.Base(path)
	fi, err := os.Stat(path)
	if err != nil {
		return ingestResult{}, cellsite.Errorf(cellsite.Invalid, "open", "%v", err)
	}
	if !fi.Mode().IsRegular() {
		return ingestResult{}, cellsite.Errorf(cellsite.Invalid, "open", "%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return ingestResult{}, cellsite.Errorf(cellsite.Invalid, "open", "%v", err)
	}
	// The original is stored byte for byte, and hashed, before it is parsed.
	h, size, err := a.db.Blobs.Put(ctx, f, maxOriginal)
	f.Close()
	if err != nil {
		return ingestResult{}, err
	}
	res, err := parseAndRecord(ctx, e, a, profiles, chosen, caseRef, kind, name, h, size, started, opt)
	if err != nil {
		if derr := a.db.DiscardBlob(context.WithoutCancel(ctx), h); derr != nil {
			err = errors.Join(err, derr)
		}
		return ingestResult{}, err
	}
	return res, nil
}

func parseAndRecord(ctx context.Context, e env, a *app, profiles *ingest.Profiles, chosen *ingest.Profile, caseRef, kind, name string, h cellsite.Hash, size int64, started time.Time, opt ingest.Options) (ingestResult, error) {
	blob, err := a.db.Blobs.Open(h)
	if err != nil {
		return ingestResult{}, err
	}
	defer blob.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(io.NewSectionReader(blob, 0, size), head)
	ftype := ingest.SniffFileType(head[:n])
	if ftype == "xls" {
		return ingestResult{}, cellsite.Errorf(cellsite.Invalid, "read", "legacy Excel 97-2003 (.xls) files are not supported: save it as .xlsx or CSV and ingest that (keep the .xls as the exhibit)")
	}
	open := func(ro ingest.ReadOptions, bar *progress) (ingest.RowReader, error) {
		if ftype == "xlsx" {
			return ingest.NewXLSXReader(blob, size, ro)
		}
		var r io.Reader = io.NewSectionReader(blob, 0, size)
		if bar != nil {
			r = &countingReader{r: r, total: size, bar: bar}
		}
		return ingest.NewCSVReader(r, ro)
	}

	// Find the profile and the header from the first rows.
	rr, err := open(ingest.ReadOptions{}, nil)
	if err != nil {
		return ingestResult{}, err
	}
	sample, err := ingest.Sample(rr)
	if err != nil {
		return ingestResult{}, err
	}
	var lay ingest.Layout
	detected := chosen == nil
	if chosen != nil {
		lay, err = chosen.Locate(name, sample)
	} else {
		lay, err = profiles.Detect(name, kind, ftype, sample)
	}
	if err != nil {
		return ingestResult{}, err
	}
	p := lay.Profile
	bar := newProgress(e.stderr, "ingest "+name)
	rr, err = open(p.ReadOptions(), bar)
	if err != nil {
		return ingestResult{}, err
	}
	defer rr.Close()
	opt.File, opt.Source = name, h

	res := ingestResult{SHA256: h, Size: size, FileType: ftype, Detected: detected}
	err = a.db.Update(ctx, func(tx *store.Tx) error {
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
		bar.done()
		if failed != nil {
			return failed
		}
		if err != nil {
			return err
		}
		if err := tx.RegisterBlob(ctx, h, size); err != nil {
			return err
		}
		leaves, _, err := a.log.Append(ctx, tx, ingestLeaf(a, caseRef, kind, name, h, size, ftype, detected, started, opt, p, sum))
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
		return ingestResult{}, err
	}
	return res, nil
}

func ingestLeaf(a *app, caseRef, kind, name string, h cellsite.Hash, size int64, ftype string, detected bool, started time.Time, opt ingest.Options, p *ingest.Profile, sum ingest.Summary) provenance.Leaf {
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
		Type: provenance.Ingest, Case: caseRef, Started: started, Ended: a.now(), Actor: a.actor, Software: cellsite.Build(),
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

func countList(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeysInt(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func printSummary(w io.Writer, r ingestResult) {
	s := r.Summary
	how := "detected"
	if !r.Detected {
		how = "chosen"
	}
	fmt.Fprintf(w, "ingested %s as source %d (provenance leaf %d)\n", s.File, r.Source, r.Leaf)
	fmt.Fprintf(w, "  original    sha256 %s, %d bytes, %s\n", r.SHA256, r.Size, r.FileType)
	fmt.Fprintf(w, "  profile     %s %s (%s), %s\n", s.Profile, s.ProfileVersion, s.ProfileStatus, how)
	if s.Kind == "cdr" {
		fmt.Fprintf(w, "  time basis  %s\n", s.TimeBasis)
	}
	fmt.Fprintf(w, "  lines       %d = %d banner + %d header + %d blank + %d footer + %d data rows\n", s.Lines, s.Banner, s.Headers, s.Blank, s.Footer, s.Read)
	fmt.Fprintf(w, "  data rows   %d = %d accepted + %d duplicates + %d rejected\n", s.Read, s.Accepted, s.Duplicates, s.Rejected)
	fmt.Fprintf(w, "  rejected    %s\n", countList(s.RejectedBy))
	fmt.Fprintf(w, "  warnings    %s\n", countList(s.Warnings))
	if s.Kind == "cdr" && !s.First.IsZero() {
		fmt.Fprintf(w, "  events      %s to %s (UTC)\n", s.First.Format("2006-01-02 15:04:05"), s.Last.Format("2006-01-02 15:04:05"))
	}
	if s.SplitCount > 0 {
		fmt.Fprintf(w, "  split?      %d pairs of rows look like one event recorded twice (see --json)\n", s.SplitCount)
	}
	if s.Conflicts > 0 {
		fmt.Fprintf(w, "  conflicts   %d cell records disagree with another record of the same cell and period\n", s.Conflicts)
	}
}

func runRejects(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "rejects", "--case REF [--json]")
	data := dataFlag(fs, e)
	caseRef := fs.String("case", "", "case reference (required)")
	asJSON := fs.Bool("json", false, "print JSON lines")
	a, err := parseAndOpenCase(ctx, e, fs, args, data, caseRef)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.db.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.Case(ctx, *caseRef); err != nil {
			return err
		}
		rs, err := tx.Rejects(ctx, *caseRef)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			for _, r := range rs {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			return nil
		}
		if len(rs) == 0 {
			fmt.Fprintf(e.stdout, "no rejected rows in case %s\n", *caseRef)
			return nil
		}
		w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SOURCE\tFILE\tSHEET\tROW\tCOLUMN\tCODE\tREASON")
		for _, r := range rs {
			sheet := r.Sheet
			if sheet == "" {
				sheet = "-"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", r.SourceID, r.Source, sheet, r.Row, r.Column, r.Code, r.Reason)
		}
		return w.Flush()
	})
}

func runProfiles(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "profiles", "[--profiles DIR] [--json]")
	profDir := profilesFlag(fs, e)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	ps, err := loadProfiles(*profDir)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ps.List())
	}
	w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tKIND\tVERSION\tSTATUS\tFILES\tTIME BASIS\tTITLE")
	for _, p := range ps.List() {
		basis := p.TimeBasis
		if basis == "" {
			basis = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Kind, p.Version, p.Status, strings.Join(p.FileTypes, ","), basis, p.Title)
	}
	return w.Flush()
}
