package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/cellsite/cellsite/synth"
)

// corpus is the synthetic CDR every upload is a variant of.
type corpus struct {
	base     []byte   // the file as synth wrote it
	row      []string // an accepted voice row, copied into each variant
	startCol int      // the row's "Start (UTC)" column
	crlf     bool
	target   string // the phone's MSISDN
	accepted int    // rows of base an ingest accepts
	rejected int    // rows of base an ingest rejects (planted)
}

// variantEpoch is the instant of the first variant's extra row: before
// the synthetic phone's first event, so that no extra row repeats one.
var variantEpoch = time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC)

// newCorpus generates the base CDR: synth's scale scenario, seed 1, in
// Cellsite's canonical layout.
func newCorpus(ctx context.Context, events int) (*corpus, error) {
	sink := synth.NewMemSink()
	tr, err := synth.Generate(ctx, synth.Options{Scenario: "scale", Seed: 1, Events: events}, sink)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(tr.Files, func(f synth.File) bool { return f.Kind == "cdr" })
	if i < 0 {
		return nil, errors.New("synth wrote no CDR")
	}
	f := tr.Files[i]
	c := &corpus{base: sink.Files[f.Path], target: f.Target, accepted: f.Accepted, rejected: len(f.Rejects)}
	if f.Format != "csv" || len(f.Banner) > 0 || f.HeaderRow != 1 || !bytes.HasSuffix(c.base, []byte("\n")) {
		return nil, fmt.Errorf("synth's CDR %s is not a plain CSV with its header on line 1", f.Path)
	}
	c.crlf = bytes.HasSuffix(c.base, []byte("\r\n"))
	skip := map[int]bool{}
	for _, d := range f.Duplicates {
		skip[d.Row], skip[d.Of] = true, true
	}
	for _, r := range f.Rejects {
		skip[r.Row] = true
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.base, []byte("\uFEFF"))))
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("synth's CDR: %w", err)
	}
	typeCol := slices.Index(header, "Event Type")
	c.startCol = slices.Index(header, "Start (UTC)")
	if c.startCol < 0 || typeCol < 0 {
		return nil, fmt.Errorf("synth's CDR has no Start (UTC) or Event Type column: %q", header)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("synth's CDR: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if !skip[line] && rec[typeCol] == "voice" {
			c.row = rec
			break
		}
	}
	if c.row == nil {
		return nil, errors.New("synth's CDR has no accepted voice row to vary")
	}
	return c, nil
}

// variant returns upload n's file: the base with one voice row of its own
// appended, at a start time no other variant has. Every variant is a
// distinct original that ingests with one more accepted row than the base.
func (c *corpus) variant(n int) []byte {
	row := slices.Clone(c.row)
	row[c.startCol] = variantEpoch.Add(time.Duration(n) * time.Second).Format("2006-01-02T15:04:05Z")
	var b bytes.Buffer
	b.Grow(len(c.base) + 256)
	b.Write(c.base)
	w := csv.NewWriter(&b)
	w.UseCRLF = c.crlf
	_ = w.Write(row) // writes to memory
	w.Flush()
	return b.Bytes()
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
