package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
)

// Parse cleanses rows on several goroutines; these tests check that what it
// emits, and the summary, are exactly those of ingest.ReferenceParse, the
// one-goroutine parser it replaced, whatever the number of workers, the
// batch size or GOMAXPROCS.

// mutatedFile returns the sample followed by n lines, each a line of the
// sample chosen at random and often altered: kept as it is (an exact
// duplicate), with a character replaced, removed or repeated, cut short, or
// replaced by an empty line. Banners, headers and footers are among the
// lines chosen, so they also turn up in the data.
func mutatedFile(sample []byte, n int, seed uint64, xml bool) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	lines := strings.SplitAfter(string(sample), "\n")
	chars := []string{"0", "1", "9", "+", "-", ":", "/", " ", ",", ";", ".", "T", "Z", "x", "\t", "é", "\u00a0", "\"", "'", "\r", "\x00", "\xff"}
	if xml {
		chars = chars[:len(chars)-4] // no control characters in XML
	}
	var b bytes.Buffer
	b.Write(sample)
	if len(sample) > 0 && sample[len(sample)-1] != '\n' {
		b.WriteByte('\n')
	}
	for range n {
		line := strings.TrimRight(lines[r.IntN(len(lines))], "\r\n")
		switch k := r.IntN(20); {
		case k < 10: // as it is
		case k < 14 && line != "":
			i := r.IntN(len(line))
			line = line[:i] + chars[r.IntN(len(chars))] + line[i+1:]
		case k < 16 && line != "":
			i := r.IntN(len(line))
			line = line[:i] + line[i+1:]
		case k < 18 && line != "":
			i, j := r.IntN(len(line)), r.IntN(len(line))
			line = line[:i] + line[min(i, j):max(i, j)] + line[i:]
		case k < 19 && line != "":
			line = line[:r.IntN(len(line))]
		default:
			line = ""
		}
		b.WriteString(line)
		if r.IntN(10) == 0 {
			b.WriteByte('\r')
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// xlsxOf returns a workbook whose sheets hold the lines of the CSV texts,
// split at delim, as inline strings, and a hidden sheet.
func xlsxOf(t testing.TB, delim string, texts ...[]byte) []byte {
	t.Helper()
	var sheets []testSheet
	for i, text := range texts {
		var b strings.Builder
		for n, line := range strings.Split(strings.TrimRight(string(text), "\n"), "\n") {
			fmt.Fprintf(&b, `<row r="%d">`, n+1)
			for c, v := range strings.Split(strings.TrimRight(line, "\r"), delim) {
				if v = strings.ToValidUTF8(v, "?"); v != "" {
					fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, string(rune('A'+c%26)), n+1, html.EscapeString(v))
				}
			}
			b.WriteString("</row>")
		}
		sheets = append(sheets, testSheet{name: fmt.Sprintf("Sheet %d", i+1), data: b.String()})
	}
	sheets = append(sheets, testSheet{name: "Hidden", state: "hidden", data: `<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>`})
	return buildXLSX(t, nil, sheets...)
}

// parseRun is what one call of a parser did.
type parseRun struct {
	Batches []ingest.Batch
	Summary ingest.Summary
	Err     string
}

// diffRuns is cmp.Diff of two runs, quicker when they are equal.
func diffRuns(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return cmp.Diff(want, got)
}

type parseFunc func(context.Context, ingest.RowReader, ingest.Layout, ingest.Options, func(ingest.Batch) error) (ingest.Summary, error)

// runParse parses data with lay's profile and parse; failAt > 0 makes emit
// fail on that batch.
func runParse(t testing.TB, parse parseFunc, data []byte, lay ingest.Layout, opt ingest.Options, failAt int) parseRun {
	t.Helper()
	var rr ingest.RowReader
	var err error
	if ingest.SniffFileType(data) == "xlsx" {
		rr, err = ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), lay.Profile.ReadOptions())
	} else {
		rr, err = ingest.NewCSVReader(bytes.NewReader(data), lay.Profile.ReadOptions())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var run parseRun
	sum, err := parse(context.Background(), rr, lay, opt, func(b ingest.Batch) error {
		run.Batches = append(run.Batches, b)
		if len(run.Batches) == failAt {
			return errors.New("emit failed")
		}
		return nil
	})
	if err != nil {
		run.Err = err.Error()
	} else {
		run.Summary = sum
	}
	return run
}

func detectLayout(t testing.TB, ps *ingest.Profiles, kind, name string, data []byte) ingest.Layout {
	t.Helper()
	var rr ingest.RowReader
	var err error
	ftype := ingest.SniffFileType(data)
	if ftype == "xlsx" {
		rr, err = ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ingest.ReadOptions{})
	} else {
		rr, err = ingest.NewCSVReader(bytes.NewReader(data), ingest.ReadOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	sample, err := ingest.Sample(rr)
	if err != nil {
		t.Fatal(err)
	}
	lay, err := ps.Detect(name, kind, ftype, sample)
	if err != nil {
		t.Fatal(err)
	}
	return lay
}

// TestParseMatchesReference parses altered copies of every shipped
// profile's sample, as CSV and as a workbook of several sheets, with
// several batch sizes, numbers of workers and options, and compares every
// batch emitted and the summary with ReferenceParse's.
func TestParseMatchesReference(t *testing.T) {
	ps := builtin(t)
	n := 1200
	if testing.Short() || raceEnabled {
		n = 300
	}
	for _, kind := range []string{"cdr", "cells"} {
		files, err := filepath.Glob(filepath.Join("..", "testdata", "synth", "profiles", kind, "*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no samples: %v", err)
		}
		for fi, path := range files {
			name := filepath.Base(path)
			t.Run(name, func(t *testing.T) {
				sample, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				type input struct {
					what string
					data []byte
				}
				// The layout is found in the sample as shipped: altered
				// lines can mislead detection.
				lay := detectLayout(t, ps, kind, name, sample)
				var inputs []input
				if ingest.SniffFileType(sample) == "xlsx" {
					inputs = append(inputs, input{"as shipped", sample})
				} else {
					inputs = append(inputs, input{"csv", mutatedFile(sample, n, uint64(fi), false)})
					delim := ","
					if lay.Profile.Delimiter != "" {
						delim = lay.Profile.Delimiter
					}
					inputs = append(inputs, input{"xlsx", xlsxOf(t, delim,
						mutatedFile(sample, n/3, uint64(fi)+100, true),
						nil, // an empty sheet
						[]byte(strings.Join(strings.Split(string(mutatedFile(sample, n/3, uint64(fi)+300, true)), "\n")[8:], "\n")), // no header
						mutatedFile(sample, n/3, uint64(fi)+400, true))})
				}
				options := []ingest.Options{{}, {Target: "07700900123", Network: "234-15"}}
				if kind == "cdr" {
					options = append(options, ingest.Options{TimeBasis: ingest.UKLocal}, ingest.Options{TimeBasis: ingest.Offset})
				} else {
					options = append(options, ingest.Options{ValidFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
				}
				for _, in := range inputs {
					for oi, opt := range options {
						// Every batch size with the default options, one
						// with each of the others.
						sizes := []int{1, 7, 100, 4096}
						if oi > 0 {
							sizes = sizes[oi%len(sizes):][:1]
						}
						opt.File, opt.Source = name, cellsite.Sum(in.data)
						for _, size := range sizes {
							opt.BatchSize = size
							want := runParse(t, ingest.ReferenceParse, in.data, lay, opt, 0)
							if want.Err != "" {
								t.Fatalf("%s: reference: %s", in.what, want.Err)
							}
							for _, workers := range []int{1, 3} {
								opt.Workers = workers
								got := runParse(t, ingest.Parse, in.data, lay, opt, 0)
								if diff := diffRuns(want, got); diff != "" {
									t.Fatalf("%s, options %d, batch size %d, %d workers: Parse differs from ReferenceParse (-want +got):\n%s", in.what, oi, size, workers, diff)
								}
							}
							opt.Workers = 0
						}
					}
				}
			})
		}
	}
}

// TestParseWorkersAndProcs parses one file with 1 to 8 workers under
// GOMAXPROCS 1 and 4 and compares everything emitted, and the summary.
func TestParseWorkersAndProcs(t *testing.T) {
	ps := builtin(t)
	sample, err := os.ReadFile(filepath.Join("..", "testdata", "synth", "profiles", "cdr", "profiles_ee-cdr.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := 20000
	if raceEnabled {
		rows = 5000 // still several chunks
	}
	data := mutatedFile(sample, rows, 1, false)
	lay := detectLayout(t, ps, "cdr", "ee.csv", sample)
	opt := ingest.Options{File: "ee.csv", Source: cellsite.Sum(data), BatchSize: 1000}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	opt.Workers = 1
	want := runParse(t, ingest.Parse, data, lay, opt, 0)
	if want.Err != "" || want.Summary.Read < rows/2 || want.Summary.Duplicates == 0 || want.Summary.Rejected == 0 || want.Summary.SplitCount == 0 {
		t.Fatalf("the file does not exercise the parser: %+v %s", want.Summary, want.Err)
	}
	for _, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		for _, workers := range []int{0, 1, 2, 3, 8} {
			opt.Workers = workers
			if diff := diffRuns(want, runParse(t, ingest.Parse, data, lay, opt, 0)); diff != "" {
				t.Fatalf("GOMAXPROCS %d, %d workers: output differs from GOMAXPROCS 1, 1 worker (-want +got):\n%s", procs, workers, diff)
			}
		}
	}
}

// TestParseEmitError checks that Parse stops at the first error from emit,
// having emitted what ReferenceParse emits.
func TestParseEmitError(t *testing.T) {
	ps := builtin(t)
	sample, err := os.ReadFile(filepath.Join("..", "testdata", "synth", "profiles", "cdr", "profiles_o2-cdr.csv"))
	if err != nil {
		t.Fatal(err)
	}
	data := mutatedFile(sample, 5000, 2, false)
	lay := detectLayout(t, ps, "cdr", "o2.csv", sample)
	for _, failAt := range []int{1, 3, 40} {
		opt := ingest.Options{File: "o2.csv", BatchSize: 100}
		want := runParse(t, ingest.ReferenceParse, data, lay, opt, failAt)
		for _, workers := range []int{1, 4} {
			opt.Workers = workers
			got := runParse(t, ingest.Parse, data, lay, opt, failAt)
			if got.Err != "emit failed" || len(got.Batches) != failAt {
				t.Fatalf("emit failing at batch %d: %d batches, error %q", failAt, len(got.Batches), got.Err)
			}
			if diff := diffRuns(want.Batches, got.Batches); diff != "" {
				t.Fatalf("emit failing at batch %d: batches differ (-want +got):\n%s", failAt, diff)
			}
		}
	}
}

// stallingReader yields rows of a CSV text, and records any call to Next
// made after done is set.
type stallingReader struct {
	ingest.RowReader
	rows    atomic.Int64
	done    atomic.Bool
	late    atomic.Bool
	failAt  int64 // Next fails on this row
	panicAt int64 // Next panics on this row
	pause   time.Duration
}

func (r *stallingReader) Next() (ingest.Row, error) {
	if r.done.Load() {
		r.late.Store(true)
	}
	n := r.rows.Add(1)
	switch {
	case n == r.failAt:
		return ingest.Row{}, errors.New("disk on fire")
	case n == r.panicAt:
		panic("reader exploded")
	}
	if r.pause > 0 {
		time.Sleep(r.pause)
	}
	return r.RowReader.Next()
}

func stallingCDR(t *testing.T, rows int) (*stallingReader, ingest.Layout) {
	t.Helper()
	ps := builtin(t)
	p, _ := ps.Get("cellsite-cdr")
	var b strings.Builder
	b.WriteString("Target,Other Party,Event Type,Direction,Start (UTC),Duration (s)\n")
	for i := range rows {
		fmt.Fprintf(&b, "+447700900123,+4477009%05d,voice,out,2026-03-01T10:%02d:%02dZ,%d\n", i%100000, i/60%60, i%60, i%600)
	}
	rr, err := ingest.NewCSVReader(strings.NewReader(b.String()), ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lay, err := p.Locate("c.csv", []ingest.Row{{Number: 1, Fields: []string{"Target", "Other Party", "Event Type", "Direction", "Start (UTC)", "Duration (s)"}}})
	if err != nil {
		t.Fatal(err)
	}
	return &stallingReader{RowReader: rr}, lay
}

// settled waits for the goroutines Parse started to end.
func settled(t *testing.T, before int) {
	t.Helper()
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 200 {
			t.Fatalf("%d goroutines left running after Parse returned (%d before)", runtime.NumGoroutine()-before, before)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestParseCancel checks that Parse stops when ctx is cancelled, returns
// the context's error, leaves no goroutine behind and does not read after
// returning.
func TestParseCancel(t *testing.T) {
	for _, workers := range []int{1, 4} {
		before := runtime.NumGoroutine()
		rr, lay := stallingCDR(t, 200000)
		rr.pause = time.Microsecond
		ctx, cancel := context.WithCancel(context.Background())
		batches := 0
		_, err := ingest.Parse(ctx, rr, lay, ingest.Options{File: "c.csv", BatchSize: 500, Workers: workers}, func(b ingest.Batch) error {
			if batches++; batches == 2 {
				cancel()
			}
			return nil
		})
		rr.done.Store(true)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%d workers: error %v, want context.Canceled", workers, err)
		}
		if rr.rows.Load() >= 200000 {
			t.Errorf("%d workers: read all %d rows after the cancel", workers, rr.rows.Load())
		}
		settled(t, before)
		if rr.late.Load() {
			t.Errorf("%d workers: the reader was used after Parse returned", workers)
		}
		cancel()
	}
}

// TestParseReaderFailure checks that a fatal error of the reader ends Parse
// with that error, and a panic in it reaches Parse's caller.
func TestParseReaderFailure(t *testing.T) {
	before := runtime.NumGoroutine()
	rr, lay := stallingCDR(t, 50000)
	rr.failAt = 30000
	_, err := ingest.Parse(context.Background(), rr, lay, ingest.Options{File: "c.csv"}, func(ingest.Batch) error { return nil })
	if err == nil || err.Error() != "disk on fire" {
		t.Fatalf("error %v, want the reader's", err)
	}
	settled(t, before)

	rr, lay = stallingCDR(t, 50000)
	rr.panicAt = 30000
	func() {
		defer func() {
			if r := recover(); r != "reader exploded" {
				t.Fatalf("recovered %v, want the reader's panic", r)
			}
		}()
		_, _ = ingest.Parse(context.Background(), rr, lay, ingest.Options{File: "c.csv"}, func(ingest.Batch) error { return nil })
		t.Fatal("Parse returned")
	}()
	settled(t, before)
}

// TestParseDuplicatesAcrossLayouts: a row repeated exactly on a sheet whose
// columns come in another order is cleansed into another event, but it is
// still an exact duplicate of the first.
func TestParseDuplicatesAcrossLayouts(t *testing.T) {
	ps := builtin(t)
	p, _ := ps.Get("cellsite-cdr")
	rows := func(header string, lines ...string) []byte {
		return []byte(header + "\n" + strings.Join(lines, "\n") + "\n")
	}
	var a, b []string
	for i := range 3000 {
		a = append(a, fmt.Sprintf("+447700900123,+4477009%05d,voice,out,2026-03-01T10:%02d:%02dZ", i, i/60%60, i%60))
	}
	b = append(b, a[5], a[2999], a[1],
		"+447700900002,+447700900123,voice,out,2026-03-01T10:00:02Z") // a[2]'s event, in other cells: a split record
	data := xlsxOf(t, ",",
		rows("Target,Other Party,Event Type,Direction,Start (UTC)", a...),
		rows("Other Party,Target,Event Type,Direction,Start (UTC)", b...))
	lay, err := p.Locate("x.xlsx", []ingest.Row{{Number: 1, Fields: []string{"Target", "Other Party", "Event Type", "Direction", "Start (UTC)"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := runParse(t, ingest.ReferenceParse, data, lay, ingest.Options{File: "x.xlsx"}, 0)
	if want.Err != "" || want.Summary.Duplicates != 3 || want.Summary.SplitCount != 1 {
		t.Fatalf("reference: %d duplicates, %d split records, error %q; want 3 and 1", want.Summary.Duplicates, want.Summary.SplitCount, want.Err)
	}
	for _, workers := range []int{1, 3} {
		got := runParse(t, ingest.Parse, data, lay, ingest.Options{File: "x.xlsx", Workers: workers}, 0)
		if diff := diffRuns(want, got); diff != "" {
			t.Fatalf("%d workers: Parse differs from ReferenceParse (-want +got):\n%s", workers, diff)
		}
	}
}

// TestCellListBatchSize checks that a cell list's cells, conflict check and
// digest do not depend on how often rejected rows are handed over: a
// small BatchSize once sent the cells read so far out early, leaving them
// out of both.
func TestCellListBatchSize(t *testing.T) {
	ps := builtin(t)
	data, err := os.ReadFile("../testdata/synth/profiles/cells/profiles_operator-cells-osgb.csv")
	if err != nil {
		t.Fatal(err)
	}
	// Every third data row gets an impossible easting: many rejects.
	lines := bytes.Split(data, []byte("\n"))
	lay := detectLayout(t, ps, "cells", "cells.csv", data)
	for i := lay.HeaderRow + 1; i < len(lines); i += 3 {
		if f := bytes.Split(lines[i], []byte(",")); len(f) > 3 {
			lines[i] = append(lines[i], []byte(",x,y,z")...)
		}
	}
	data = bytes.Join(lines, []byte("\n"))
	whole := runParse(t, ingest.Parse, data, lay, ingest.Options{File: "cells.csv"}, 0)
	small := runParse(t, ingest.Parse, data, lay, ingest.Options{File: "cells.csv", BatchSize: 1}, 0)
	if whole.Err != "" || small.Err != "" {
		t.Fatal(whole.Err, small.Err)
	}
	if whole.Summary.Rejected == 0 {
		t.Fatal("no rejected rows: the test needs some")
	}
	count := func(r parseRun) (cells, faults int) {
		for _, b := range r.Batches {
			cells += len(b.Cells)
			faults += len(b.Faults)
		}
		return
	}
	wc, wf := count(whole)
	sc, sf := count(small)
	if wc != sc || wf != sf || whole.Summary.Output != small.Summary.Output || whole.Summary.Conflicts != small.Summary.Conflicts {
		t.Errorf("BatchSize 1: %d cells, %d faults, output %v, %d conflicts; default: %d, %d, %v, %d",
			sc, sf, small.Summary.Output, small.Summary.Conflicts, wc, wf, whole.Summary.Output, whole.Summary.Conflicts)
	}
}
