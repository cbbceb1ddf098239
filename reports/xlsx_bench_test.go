package reports_test

import (
	"context"
	"io"
	"testing"

	"github.com/cellsite/cellsite/reports"
)

// xlsxBenchmark writes a workbook with one call schedule of n rows (12
// columns) to io.Discard.
func xlsxBenchmark(b *testing.B, n int) {
	wb := xlsxSample()
	wb.Schedules = []reports.Schedule{xlsxCallSchedule(n)}
	b.ReportAllocs()
	for b.Loop() {
		var w xlsxCountWriter
		if err := reports.WriteWorkbook(context.Background(), &w, wb); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w), "bytes/workbook")
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

type xlsxCountWriter int64

func (c *xlsxCountWriter) Write(p []byte) (int, error) {
	*c += xlsxCountWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*xlsxCountWriter)(nil)

// BenchmarkWorkbook100k is the 100,000-row call schedule (goal: at most 3 s).
func BenchmarkWorkbook100k(b *testing.B) { xlsxBenchmark(b, 100_000) }

// BenchmarkWorkbook1M is the 1,000,000-row call schedule (goal: at most 20 s
// and 500 MB peak).
func BenchmarkWorkbook1M(b *testing.B) { xlsxBenchmark(b, 1_000_000) }
