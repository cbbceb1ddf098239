package main

import (
	"context"
	"encoding/json"
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
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/store"
)

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
		if err := casework.ValidRef(ref); err != nil {
			return err
		}
		if strings.TrimSpace(*title) == "" {
			return usageError{"case create: --title is required"}
		}
		a, err := openApp(ctx, e, data, true)
		if err != nil {
			return err
		}
		defer a.Close()
		if _, err := a.svc.CreateCase(ctx, a.actor, ref, *title); err != nil {
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
		a, err := openApp(ctx, e, data, false)
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
	profiles, err := casework.LoadProfiles(*profDir)
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
	a, err := openApp(ctx, e, data, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.db.View(ctx, func(tx *store.Tx) error { _, err := tx.Case(ctx, *caseRef); return err }); err != nil {
		return err
	}
	var results []casework.IngestResult
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

// ingestFile ingests one file from disk, with a progress bar.
func ingestFile(ctx context.Context, e env, a *app, profiles *ingest.Profiles, chosen *ingest.Profile, caseRef, kind, path string, opt ingest.Options) (casework.IngestResult, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return casework.IngestResult{}, cellsite.Errorf(cellsite.Invalid, "open", "%v", err)
	}
	if !fi.Mode().IsRegular() {
		return casework.IngestResult{}, cellsite.Errorf(cellsite.Invalid, "open", "%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return casework.IngestResult{}, cellsite.Errorf(cellsite.Invalid, "open", "%v", err)
	}
	defer f.Close()
	bar := newProgress(e.stderr, "ingest "+filepath.Base(path))
	defer bar.done()
	return a.svc.Ingest(ctx, a.actor, casework.IngestRequest{
		Case: caseRef, Kind: kind, Name: filepath.Base(path), Body: f, Profiles: profiles, Profile: chosen, Options: opt,
		Progress: bar.report,
	})
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

func printSummary(w io.Writer, r casework.IngestResult) {
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
	ps, err := casework.LoadProfiles(*profDir)
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
