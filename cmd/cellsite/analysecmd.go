package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// analysisInput is what every analysis kind receives.
type analysisInput struct {
	Events     []cellsite.Event   // the case's events, duplicates excluded, in time order
	Located    []analysis.Located // the same, with cells resolved
	Unresolved []analysis.Unresolved
	Cells      *analysis.CellIndex
	Targets    []string // E.164, sorted
}

// analysisKind runs one kind of analysis from the command line.
type analysisKind struct {
	summary  string
	params   func() any                                                 // a pointer to the kind's parameters with defaults applied
	defaults func(params any)                                           // fills parameters left unset after decoding
	validate func(params any) error                                     // nil, or checks the parameters (Invalid errors)
	run      func(in analysisInput, params any) (any, map[string]int64) // result and counts for provenance
	print    func(w io.Writer, result any)
}

// analysisKinds is filled in analysekinds.go.
var analysisKinds map[string]analysisKind

func kindNames() string {
	var ks []string
	for k := range analysisKinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// resultDoc is the stored and hashed result of an analysis run.
type resultDoc struct {
	Format     string                `json:"format"`
	Case       string                `json:"case"`
	Kind       string                `json:"kind"`
	Targets    []string              `json:"targets"`
	Params     any                   `json:"params"`
	Inputs     []cellsite.Artefact   `json:"inputs"`
	Events     int                   `json:"events"`
	Unresolved []analysis.Unresolved `json:"unresolved"`
	Result     any                   `json:"result"`
}

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
		for _, name := range strings.Split(kindNames(), ", ") {
			fmt.Fprintf(e.stderr, "  %-12s %s\n", name, analysisKinds[name].summary)
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
	k, ok := analysisKinds[*kind]
	switch {
	case *caseRef == "":
		return usageError{"analyse: --case is required"}
	case !ok:
		return usageError{fmt.Sprintf("analyse: --kind %q: want one of %s", *kind, kindNames())}
	}
	params := k.params()
	if *paramJSON != "" {
		dec := json.NewDecoder(strings.NewReader(*paramJSON))
		dec.DisallowUnknownFields()
		if err := dec.Decode(params); err != nil {
			return cellsite.Errorf(cellsite.Invalid, "analyse", "--params: %v", err)
		}
		k.defaults(params)
	}
	if k.validate != nil {
		if err := k.validate(params); err != nil {
			return cellsite.Errorf(cellsite.Invalid, "analyse", "--params: %v", err)
		}
	}
	a, err := openApp(ctx, e, *data, false)
	if err != nil {
		return err
	}
	defer a.Close()

	started := a.now()
	var in analysisInput
	var eventsDigest, cellsDigest cellsite.Artefact
	var refs []provenance.Reference
	err = a.db.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.Case(ctx, *caseRef); err != nil {
			return err
		}
		d := cellsite.NewEventDigest()
		if err := tx.Events(ctx, store.EventFilter{Case: *caseRef}, func(ev cellsite.Event, _ int64) error {
			d.AddEvent(&ev)
			in.Events = append(in.Events, ev)
			return nil
		}); err != nil {
			return err
		}
		eventsDigest = d.Sum()
		eventsDigest.Name = "events of case " + *caseRef
		cells, err := tx.Cells(ctx, *caseRef)
		if err != nil {
			return err
		}
		cd := cellsite.NewCellDigest()
		for i := range cells {
			cd.AddCell(&cells[i])
		}
		cellsDigest = cd.Sum()
		cellsDigest.Name = "cell lists of case " + *caseRef
		in.Cells = analysis.NewCellIndex(cells)
		srcs, err := tx.Sources(ctx, *caseRef)
		if err != nil {
			return err
		}
		for _, s := range srcs {
			if s.Kind == "cells" {
				refs = append(refs, provenance.Reference{Kind: "cell-list", Name: s.Name, Version: s.IngestedAt.Format("2006-01-02"), SHA256: s.SHA256})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	in.Located, in.Unresolved = analysis.Resolve(in.Events, in.Cells)
	in.Targets, err = chooseTargets(*targetList, in.Events)
	if err != nil {
		return err
	}
	result, counts := k.run(in, params)

	doc := resultDoc{Format: "cellsite-analysis/v1", Case: *caseRef, Kind: *kind, Targets: in.Targets, Params: params,
		Inputs: []cellsite.Artefact{eventsDigest, cellsDigest}, Events: len(in.Located), Unresolved: in.Unresolved, Result: result}
	if doc.Unresolved == nil {
		doc.Unresolved = []analysis.Unresolved{}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return cellsite.Errorf(cellsite.Internal, "analyse", "encode result: %v", err)
	}
	paramsJSON, _ := json.Marshal(params)
	out := cellsite.Artefact{Name: *kind + " result (JSON)", SHA256: cellsite.Sum(body), Size: int64(len(body))}
	pc := []provenance.Count{{Key: "events", N: int64(len(in.Located))}, {Key: "unresolved_cells", N: int64(len(in.Unresolved))}}
	for ck, cv := range counts {
		pc = append(pc, provenance.Count{Key: ck, N: cv})
	}
	var id, leafIdx int64
	err = a.db.Update(ctx, func(tx *store.Tx) error {
		leaves, _, err := a.log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Analyse, Case: *caseRef, Started: started, Ended: a.now(), Actor: a.actor, Software: cellsite.Build(),
			Inputs: []cellsite.Artefact{eventsDigest, cellsDigest}, Outputs: []cellsite.Artefact{out}, References: refs,
			Params: []provenance.Param{{Key: "kind", Value: *kind}, {Key: "targets", Value: strings.Join(in.Targets, ",")}, {Key: "params", Value: string(paramsJSON)}},
			Counts: pc,
		})
		if err != nil {
			return err
		}
		leafIdx = leaves[0].Index
		id, err = tx.AddAnalysis(ctx, store.Analysis{Case: *caseRef, Kind: *kind, Params: string(paramsJSON), Result: body,
			ResultSHA: out.SHA256, Leaf: leafIdx, CreatedAt: started, CreatedBy: a.actor.User})
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, body, "", "  "); err != nil {
			return err
		}
		pretty.WriteByte('\n')
		_, err := e.stdout.Write(pretty.Bytes())
		return err
	}
	fmt.Fprintf(e.stdout, "%s of case %s: analysis %d, provenance leaf %d\n", *kind, *caseRef, id, leafIdx)
	fmt.Fprintf(e.stdout, "targets %s; %d events; %d event cells unresolved; parameters %s\n\n", strings.Join(in.Targets, ", "), len(in.Located), len(in.Unresolved), paramsJSON)
	k.print(e.stdout, result)
	return nil
}

// chooseTargets normalises the --targets list, or takes every target of the case.
func chooseTargets(list string, events []cellsite.Event) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	if list == "" {
		for _, ev := range events {
			if !seen[ev.Target] {
				seen[ev.Target] = true
				out = append(out, ev.Target)
			}
		}
	} else {
		for _, raw := range strings.Split(list, ",") {
			t, err := ingest.MSISDN(strings.TrimSpace(raw), "GB")
			if err != nil {
				return nil, cellsite.Errorf(cellsite.Invalid, "analyse", "--targets %q: %v", raw, err)
			}
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
		have := map[string]bool{}
		for _, ev := range events {
			have[ev.Target] = true
		}
		for _, t := range out {
			if !have[t] {
				return nil, cellsite.Errorf(cellsite.NotFound, "analyse", "the case has no events of target %s", t)
			}
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, cellsite.Errorf(cellsite.NotFound, "analyse", "the case has no events: ingest call data records first")
	}
	return out, nil
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
