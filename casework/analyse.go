package casework

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// Input is what every kind of analysis receives.
type Input struct {
	Events     []cellsite.Event   // the case's events, repeats excluded, in time order
	Located    []analysis.Located // the same, with cells resolved
	Unresolved []analysis.Unresolved
	Cells      *analysis.CellIndex
	Targets    []string // E.164, sorted
}

// Kind is one kind of analysis.
type Kind struct {
	Summary   string
	NewParams func() any                                         // a pointer to the kind's parameters with defaults applied
	Defaults  func(params any)                                   // fills parameters left unset after decoding
	Validate  func(params any) error                             // nil, or checks the parameters (Invalid errors)
	Run       func(in Input, params any) (any, map[string]int64) // result and counts for provenance
}

// Kinds are the analyses Cellsite runs, by name.
var Kinds map[string]Kind

// KindNames returns the kinds' names, sorted.
func KindNames() []string {
	var ks []string
	for k := range Kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// ResultFormat names version 1 of the stored analysis result document.
const ResultFormat = "cellsite-analysis/v1"

// ResultDoc is the stored and hashed result of an analysis run.
type ResultDoc struct {
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

// AnalyseRequest asks for one analysis of a case.
type AnalyseRequest struct {
	Case    string
	Kind    string
	Targets []string        // MSISDNs as given; empty: every target of the case
	Params  json.RawMessage // a JSON object; unset parameters take their defaults
}

// Analysis is a stored analysis run with its decoded result.
type Analysis struct {
	store.Analysis
	Targets    []string
	Events     int
	Unresolved int
	Params     any // the parameters as used
	Result     any // the kind's result type
}

// ParseParams decodes and checks a kind's parameters. Unknown fields are
// refused.
func ParseParams(kind string, raw json.RawMessage) (any, error) {
	k, ok := Kinds[kind]
	if !ok {
		return nil, cellsite.Errorf(cellsite.Invalid, "analyse", "kind %q: want one of %s", kind, strings.Join(KindNames(), ", "))
	}
	params := k.NewParams()
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(params); err != nil {
			return nil, cellsite.Errorf(cellsite.Invalid, "analyse", "parameters: %v", err)
		}
		k.Defaults(params)
	}
	if k.Validate != nil {
		if err := k.Validate(params); err != nil {
			return nil, cellsite.Errorf(cellsite.Invalid, "analyse", "parameters: %v", err)
		}
	}
	return params, nil
}

// Analyse runs an analysis over a case's events, stores its result and
// records it (an analyse leaf: inputs are the canonical hashes of the
// events and cell lists used, the output is the result document's hash).
func (s *Service) Analyse(ctx context.Context, actor provenance.Actor, req AnalyseRequest) (*Analysis, error) {
	params, err := ParseParams(req.Kind, req.Params)
	if err != nil {
		return nil, err
	}
	k := Kinds[req.Kind]
	started := s.now()
	var in Input
	var eventsDigest, cellsDigest cellsite.Artefact
	var refs []provenance.Reference
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.Case(ctx, req.Case); err != nil {
			return err
		}
		d := cellsite.NewEventDigest()
		if err := tx.Events(ctx, store.EventFilter{Case: req.Case}, func(ev cellsite.Event, _ int64) error {
			d.AddEvent(&ev)
			in.Events = append(in.Events, ev)
			return nil
		}); err != nil {
			return err
		}
		eventsDigest = d.Sum()
		eventsDigest.Name = "events of case " + req.Case
		cells, err := tx.Cells(ctx, req.Case)
		if err != nil {
			return err
		}
		cd := cellsite.NewCellDigest()
		for i := range cells {
			cd.AddCell(&cells[i])
		}
		cellsDigest = cd.Sum()
		cellsDigest.Name = "cell lists of case " + req.Case
		in.Cells = analysis.NewCellIndex(cells)
		srcs, err := tx.Sources(ctx, req.Case)
		if err != nil {
			return err
		}
		for _, src := range srcs {
			if src.Kind == "cells" {
				refs = append(refs, provenance.Reference{Kind: "cell-list", Name: src.Name, Version: src.IngestedAt.Format("2006-01-02"), SHA256: src.SHA256})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	in.Located, in.Unresolved = analysis.Resolve(in.Events, in.Cells)
	in.Targets, err = ChooseTargets(req.Targets, in.Events)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	result, counts := k.Run(in, params)

	doc := ResultDoc{Format: ResultFormat, Case: req.Case, Kind: req.Kind, Targets: in.Targets, Params: params,
		Inputs: []cellsite.Artefact{eventsDigest, cellsDigest}, Events: len(in.Located), Unresolved: in.Unresolved, Result: result}
	if doc.Unresolved == nil {
		doc.Unresolved = []analysis.Unresolved{}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Internal, "analyse", "encode result: %v", err)
	}
	paramsJSON, _ := json.Marshal(params)
	out := cellsite.Artefact{Name: req.Kind + " result (JSON)", SHA256: cellsite.Sum(body), Size: int64(len(body))}
	pc := []provenance.Count{{Key: "events", N: int64(len(in.Located))}, {Key: "unresolved_cells", N: int64(len(in.Unresolved))}}
	ck := make([]string, 0, len(counts))
	for c := range counts {
		ck = append(ck, c)
	}
	sort.Strings(ck)
	for _, c := range ck {
		pc = append(pc, provenance.Count{Key: c, N: counts[c]})
	}
	a := &Analysis{Targets: in.Targets, Events: len(in.Located), Unresolved: len(in.Unresolved), Params: params, Result: result}
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		leaves, _, err := s.Log.Append(ctx, tx, provenance.Leaf{
			Type: provenance.Analyse, Case: req.Case, Started: started, Ended: s.now(), Actor: actor, Software: cellsite.Build(),
			Inputs: []cellsite.Artefact{eventsDigest, cellsDigest}, Outputs: []cellsite.Artefact{out}, References: refs,
			Params: []provenance.Param{{Key: "kind", Value: req.Kind}, {Key: "targets", Value: strings.Join(in.Targets, ",")}, {Key: "params", Value: string(paramsJSON)}},
			Counts: pc,
		})
		if err != nil {
			return err
		}
		a.Analysis = store.Analysis{Case: req.Case, Kind: req.Kind, Params: string(paramsJSON), Result: body,
			ResultSHA: out.SHA256, Leaf: leaves[0].Index, CreatedAt: started, CreatedBy: actor.User}
		a.ID, err = tx.AddAnalysis(ctx, a.Analysis)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// ChooseTargets normalises a list of targets, or takes every target of the
// events; each must have events.
func ChooseTargets(list []string, events []cellsite.Event) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	if len(list) == 0 {
		for _, ev := range events {
			if !seen[ev.Target] {
				seen[ev.Target] = true
				out = append(out, ev.Target)
			}
		}
	} else {
		for _, raw := range list {
			t, err := ingest.MSISDN(strings.TrimSpace(raw), "GB")
			if err != nil {
				return nil, cellsite.Errorf(cellsite.Invalid, "analyse", "target %q: %v", raw, err)
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
