package reports_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite/reports"
)

func TestReportPDFLook(t *testing.T) {
	in, _ := fixture(t)
	p, err := reports.Prepare(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	r := reports.Report{Header: in.Header, Title: "Cell site analysis", Findings: []string{"Finding one.", "Finding two."}, Schedules: schedulesOf(t, p, builtins(t)), Workbook: "schedules.xlsx"}
	var buf bytes.Buffer
	n, err := reports.WriteReportPDF(context.Background(), &buf, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pages", n)
	if out := os.Getenv("CELLSITE_PDF_OUT"); out != "" {
		os.WriteFile(out, buf.Bytes(), 0o644)
	}
}

func TestReportPDFDeterministic(t *testing.T) {
	in, _ := fixture(t)
	render := func() []byte {
		p, err := reports.Prepare(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		r := reports.Report{Header: in.Header, Title: "Cell site analysis", Schedules: schedulesOf(t, p, builtins(t)), Workbook: "schedules.xlsx"}
		var buf bytes.Buffer
		if _, err := reports.WriteReportPDF(context.Background(), &buf, r); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a := render()
	time.Sleep(1100 * time.Millisecond) // the tools underneath write the current second
	b := render()
	if !bytes.Equal(a, b) {
		for i := range a {
			if i < len(b) && a[i] != b[i] {
				t.Fatalf("two renders differ at byte %d: %q vs %q", i, a[max(0, i-60):min(len(a), i+40)], b[max(0, i-60):min(len(b), i+40)])
			}
		}
		t.Fatalf("two renders differ (%d and %d bytes)", len(a), len(b))
	}
}

// TestReportPDFWithRealReaders checks the report with poppler and qpdf, as
// a court's or defence expert's tools would read it.
func TestReportPDFWithRealReaders(t *testing.T) {
	for _, tool := range []string{"qpdf", "pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian qpdf, poppler-utils; .ci/run installs them)", tool)
		}
	}
	in, _ := fixture(t)
	p, err := reports.Prepare(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	r := reports.Report{Header: in.Header, Title: "Cell site analysis", Findings: reports.Findings(p), Counts: reports.CoverCounts(p),
		Schedules: schedulesOf(t, p, builtins(t)), Workbook: "schedules.xlsx", Caveats: reports.GeneralCaveats}
	var buf bytes.Buffer
	pages, err := reports.WriteReportPDF(context.Background(), &buf, r)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", file).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	info, err := exec.Command("pdfinfo", file).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), fmt.Sprintf("Pages:           %d\n", pages)) {
		t.Errorf("pdfinfo does not give %d pages:\n%s", pages, info)
	}
	for _, want := range []string{"Title:           Cell site analysis – OP-TEST-01", "Author:          A. Analyst", "CreationDate:    Fri Nov 27 12:00:00 2026 UTC"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
	txt, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(txt)
	flat := strings.Join(strings.Fields(text), " ") // headings wrap within their cells
	wants := []string{
		"Contents", "Summary of findings", "Call schedule", "Cell site schedule", "Co-location schedule", "Caveats", "Provenance appendix",
		"Start (UTC)", "02:20:00" /* 01:20 UTC, in BST */, "First cell", "Source", // call schedule headers
		"+447700900001", "234-30-1000011", "356938035643809", // identifiers as written
		"22:00:00",     // first event
		"at or before", // data event wording
		fmt.Sprintf("Page 1 of %d", pages), fmt.Sprintf("Page %d of %d", pages, pages),
		"Exhibit ABC/1",
	}
	for _, w := range wants {
		if !strings.Contains(flat, w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	// Every row of the call schedule is there, in order, with its number.
	for n := 1; n <= p.EventCount; n++ {
		if !strings.Contains(text, fmt.Sprintf("\n%d ", n)) && !strings.Contains(text, fmt.Sprintf(" %d  ", n)) {
			t.Errorf("row %d not found", n)
		}
	}
}

// TestMapNumbersAreScheduleRows checks that every event drawn on a map
// carries the number of its row in the call schedule.
func TestMapNumbersAreScheduleRows(t *testing.T) {
	in, _ := fixture(t)
	ctx := context.Background()
	p, err := reports.Prepare(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	call, err := builtins(t).Get("call-schedule")
	if err != nil {
		t.Fatal(err)
	}
	s := p.Schedule(ctx, call)
	col := map[string]int{}
	for i, c := range s.Columns {
		col[c.Title()] = i
	}
	type key struct {
		target string
		at     time.Time
	}
	rows := map[key]int64{}
	if err := s.Rows(func(v []reports.Value) error {
		rows[key{v[col["Target"]].Text, v[col["Start (UTC)"]].Time}] = v[col["No."]].Int
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	maps := p.Maps()
	if len(maps) < 3 {
		t.Fatalf("%d maps, want a timeline per target and a co-location episode", len(maps))
	}
	for _, m := range maps {
		for _, e := range m.Events {
			if n, ok := rows[key{e.Target, e.Time}]; !ok || int(n) != e.N {
				t.Errorf("%s: event of %s at %s numbered %d, the call schedule's row is %d", m.Title, e.Target, e.Time, e.N, n)
			}
		}
	}
}
