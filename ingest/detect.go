package ingest

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cellsite/cellsite"
)

// Layout is where a profile found its header in a file and which column
// holds each field.
type Layout struct {
	Profile   *Profile
	Sheet     string
	HeaderRow int            // row number of the header; 0 when headerless
	Column    map[string]int // field → 0-based column
	Headers   []string       // the header row as found (nil when headerless)
}

// Candidate is how well one profile fits a file.
type Candidate struct {
	Profile *Profile
	Layout  Layout
	Matched int      // fields found
	Missing []string // required columns not found, as the profile names them
	Score   float64  // fraction of the profile's columns found, 0 to 1
}

// Fits reports whether every required column was found.
func (c Candidate) Fits() bool { return len(c.Missing) == 0 && c.Matched > 0 }

// DetectError explains why no single profile was chosen.
type DetectError struct {
	File       string
	Ambiguous  bool
	Candidates []Candidate // best first
}

func (e *DetectError) Error() string {
	var b strings.Builder
	if e.Ambiguous {
		fmt.Fprintf(&b, "%s fits several profiles equally well:", e.File)
		for _, c := range e.Candidates {
			if c.Fits() && c.Score == e.Candidates[0].Score {
				fmt.Fprintf(&b, " %s", c.Profile.Name)
			}
		}
		b.WriteString("; choose one by name (the profile of an upload, or --profile NAME)")
		return b.String()
	}
	fmt.Fprintf(&b, "no profile fits %s", e.File)
	if len(e.Candidates) > 0 {
		b.WriteString("; best candidates:")
		for i, c := range e.Candidates {
			if i == 3 {
				break
			}
			if i > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " %s (found %d of %d columns", c.Profile.Name, c.Matched, len(c.Profile.Columns))
			if len(c.Missing) > 0 {
				fmt.Fprintf(&b, ", missing %s", quoteList(c.Missing))
			}
			b.WriteString(")")
		}
	}
	b.WriteString(". Choose a profile by name (the profile of an upload, or --profile NAME), or add one for this layout (docs/PROFILES.md)")
	return b.String()
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Match finds where p's header is among sample rows (the first rows of each
// sheet, in file order) and scores the fit.
func (p *Profile) Match(sample []Row) Candidate {
	best := Candidate{Profile: p, Missing: p.requiredNames()}
	if p.Headerless {
		return p.matchHeaderless(sample)
	}
	perSheet := map[string]int{}
	for _, r := range sample {
		if perSheet[r.Sheet] >= p.HeaderSearchRows {
			continue
		}
		perSheet[r.Sheet]++
		if r.Fault != "" || len(r.Fields) == 0 {
			continue
		}
		col := make(map[string]int)
		for i, h := range r.Fields {
			if f, ok := p.headerOf[normHeader(h)]; ok {
				if _, dup := col[f]; !dup {
					col[f] = i
				}
			}
		}
		var missing []string
		for _, f := range p.Required {
			if _, ok := col[f]; !ok {
				missing = append(missing, p.Columns[f][0])
			}
		}
		c := Candidate{
			Profile: p, Matched: len(col), Missing: missing,
			Score:  float64(len(col)) / float64(len(p.Columns)),
			Layout: Layout{Profile: p, Sheet: r.Sheet, HeaderRow: r.Number, Column: col, Headers: append([]string(nil), r.Fields...)},
		}
		if better(c, best) {
			best = c
		}
		if c.Fits() {
			return best // the first header row that fits is the header
		}
	}
	return best
}

func better(a, b Candidate) bool {
	if a.Fits() != b.Fits() {
		return a.Fits()
	}
	if len(a.Missing) != len(b.Missing) {
		return len(a.Missing) < len(b.Missing)
	}
	return a.Matched > b.Matched
}

func (p *Profile) matchHeaderless(sample []Row) Candidate {
	c := Candidate{Profile: p, Layout: Layout{Profile: p, Column: p.positions}}
	maxPos := 0
	for _, i := range p.positions {
		maxPos = max(maxPos, i+1)
	}
	var rows, hits int
	for _, r := range sample {
		if r.Fault != "" || len(r.Fields) == 0 || rows >= p.HeaderSearchRows {
			continue
		}
		rows++
		if len(r.Fields) >= maxPos && p.rowPattern.MatchString(strings.Join(r.Fields, ",")) {
			hits++
			if c.Layout.Sheet == "" {
				c.Layout.Sheet = r.Sheet
			}
		}
	}
	if rows > 0 && hits*5 >= rows*4 { // at least 80% of the sampled rows
		c.Matched = len(p.positions)
		c.Score = float64(hits) / float64(rows)
		return c
	}
	c.Missing = []string{fmt.Sprintf("rows matching %s (%d of %d sampled rows did)", p.RowPattern, hits, rows)}
	c.Matched = 0
	return c
}

func (p *Profile) requiredNames() []string {
	var out []string
	for _, f := range p.Required {
		out = append(out, p.Columns[f][0])
	}
	if len(out) == 0 {
		out = []string{"a header row"}
	}
	return out
}

// Detect chooses the profile of the given kind ("cdr" or "cells") and file
// type ("csv" or "xlsx") that fits the sample rows best. When none fits, or
// several fit equally well, it returns an Invalid error wrapping a
// *DetectError that lists the candidates and what each one missed.
func (ps *Profiles) Detect(file, kind, fileType string, sample []Row) (Layout, error) {
	var cands []Candidate
	for _, p := range ps.List() {
		if p.Kind != kind || !contains(p.FileTypes, fileType) {
			continue
		}
		cands = append(cands, p.Match(sample))
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Fits() != b.Fits() {
			return a.Fits()
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return len(a.Missing) < len(b.Missing)
	})
	if len(cands) == 0 || !cands[0].Fits() {
		return Layout{}, &cellsite.Error{Op: "detect profile", Kind: cellsite.Invalid, Err: &DetectError{File: file, Candidates: cands}}
	}
	if len(cands) > 1 && cands[1].Fits() && cands[1].Score == cands[0].Score {
		return Layout{}, &cellsite.Error{Op: "detect profile", Kind: cellsite.Invalid, Err: &DetectError{File: file, Ambiguous: true, Candidates: cands}}
	}
	return cands[0].Layout, nil
}

// Locate finds p's header in the sample, for a profile chosen by name. A
// file whose header does not fit is an Invalid error naming what is missing.
func (p *Profile) Locate(file string, sample []Row) (Layout, error) {
	c := p.Match(sample)
	if !c.Fits() {
		return Layout{}, &cellsite.Error{Op: "profile " + p.Name, Kind: cellsite.Invalid, Err: &DetectError{File: file, Candidates: []Candidate{c}}}
	}
	return c.Layout, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// SampleRows is how many rows are read from the start of a file to find its
// profile and header.
const SampleRows = 200

// Sample reads up to SampleRows rows from rr, copied so that they outlive
// the reader, and closes rr.
func Sample(rr RowReader) ([]Row, error) {
	defer rr.Close()
	var sample []Row
	for len(sample) < SampleRows {
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		sample = append(sample, row.Clone())
	}
	return sample, nil
}

// ReadOptions returns the reader options for a file laid out as p says:
// its delimiter, encoding and sheets.
func (p *Profile) ReadOptions() ReadOptions {
	ro := ReadOptions{Encoding: p.Encoding, Sheets: p.Sheets}
	if p.Delimiter != "" {
		ro.Delimiter = rune(p.Delimiter[0])
	}
	return ro
}
