package reports_test

import (
	"bytes"
	"context"
	"os"
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
