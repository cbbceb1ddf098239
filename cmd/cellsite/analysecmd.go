package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/store"
)

// flagError names the flag whose value an error is about.
func flagError(flag string, err error) error {
	var ce *cellsite.Error
	if errors.As(err, &ce) {
		return &cellsite.Error{Op: ce.Op, Kind: ce.Kind, Err: fmt.Errorf("%s: %w", flag, ce.Err)}
	}
	return fmt.Errorf("%s: %w", flag, err)
}

func kindNames() string { return strings.Join(casework.KindNames(), ", ") }

func runAnalyse(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "analyse", "--case REF --kind KIND [--targets A,B] [--params JSON] [--json]")
	data := dataFlag(fs, e)
	caseRef := fs.String("case", "", "case reference (required)")
	kind := fs.String("kind", "", "the analysis: "+kindNames())
	targetList := fs.String("targets", "", "comma-separated target `MSISDNs` (default: every target in the case)")
	paramJSON := fs.String("params", "", "parameters as a JSON object; unset ones take their documented defaults (docs/VALIDATION.md)")
	asJSON := fs.Bool("json", false, "print the stored result document as JSON")
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprintln(e.stderr, "\nKinds:")
		for _, name := range casework.KindNames() {
			fmt.Fprintf(e.stderr, "  %-12s %s\n", name, casework.Kinds[name].Summary)
		}
		fmt.Fprintln(e.stderr, "\nParameters and their defaults: docs/VALIDATION.md and docs/validation/.")
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	_, ok := casework.Kinds[*kind]
	switch {
	case *caseRef == "":
		return usageError{"analyse: --case is required"}
	case !ok:
		return usageError{fmt.Sprintf("analyse: --kind %q: want one of %s", *kind, kindNames())}
	}
	// Parameters are checked before the data directory is opened.
	if _, err := casework.ParseParams(*kind, json.RawMessage(*paramJSON)); err != nil {
		return flagError("--params", err)
	}
	var targets []string
	for _, t := range strings.Split(*targetList, ",") {
		if t = strings.TrimSpace(t); t != "" {
			if _, err := ingest.MSISDN(t, "GB"); err != nil {
				return cellsite.Errorf(cellsite.Invalid, "analyse", "--targets %q: %v", t, err)
			}
			targets = append(targets, t)
		}
	}
	a, err := openApp(ctx, e, data, false)
	if err != nil {
		return err
	}
	defer a.Close()
	an, err := a.svc.Analyse(ctx, a.actor, casework.AnalyseRequest{Case: *caseRef, Kind: *kind, Targets: targets, Params: json.RawMessage(*paramJSON)})
	if err != nil {
		return err
	}
	if *asJSON {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, an.Analysis.Result, "", "  "); err != nil {
			return err
		}
		pretty.WriteByte('\n')
		_, err := e.stdout.Write(pretty.Bytes())
		return err
	}
	fmt.Fprintf(e.stdout, "%s of case %s: analysis %d, provenance leaf %d\n", *kind, *caseRef, an.ID, an.Leaf)
	fmt.Fprintf(e.stdout, "targets %s; %d events; %d event cells unresolved; parameters %s\n\n", strings.Join(an.Targets, ", "), an.Events, an.Unresolved, an.Analysis.Params)
	printers[*kind](e.stdout, an.Result)
	return nil
}

func table(w io.Writer, header string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func runAnalyses(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "analyses", "--case REF [--show ID]")
	data := dataFlag(fs, e)
	caseRef := fs.String("case", "", "case reference (required)")
	show := fs.Int64("show", 0, "print the stored result document of analysis `ID` (JSON, byte for byte as hashed)")
	a, err := parseAndOpenCase(ctx, e, fs, args, data, caseRef)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.db.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.Case(ctx, *caseRef); err != nil {
			return err
		}
		if *show != 0 {
			an, err := tx.Analysis(ctx, *caseRef, *show)
			if err != nil {
				return err
			}
			if cellsite.Sum(an.Result) != an.ResultSHA {
				return cellsite.Errorf(cellsite.Integrity, "analyses", "analysis %d: stored result does not match its recorded hash", an.ID)
			}
			_, err = e.stdout.Write(append(an.Result, '\n'))
			return err
		}
		list, err := tx.Analyses(ctx, *caseRef)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, an := range list {
			rows = append(rows, []string{fmt.Sprint(an.ID), an.Kind, an.CreatedAt.Format(utcLayout), an.CreatedBy, fmt.Sprint(an.Leaf), an.ResultSHA.String()[:16], an.Params})
		}
		table(e.stdout, "ID\tKIND\tRUN AT (UTC)\tBY\tLEAF\tRESULT SHA-256\tPARAMETERS", rows)
		return nil
	})
}
