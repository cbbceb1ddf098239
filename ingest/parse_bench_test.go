package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/cellsite/cellsite/ingest"
)

// canonicalCDR returns n rows in the canonical layout.
func canonicalCDR(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Target,Other Party,Event Type,Direction,Start (UTC),Duration (s),First Cell,Last Cell,IMEI,IMSI,APN,Bytes,Charging ID\n")
	for i := range n {
		fmt.Fprintf(&b, "+447700900123,+4477009%05d,voice,out,2026-03-%02dT%02d:%02d:%02dZ,%d,234-30-%d,234-30-%d,35123456789012%d,2343012345%05d,,,\n",
			i%100000, 1+i/86400%28, i/3600%24, i/60%60, i%60, i%600, 129097582+i%300, 129097582+(i+7)%300, i%10, i%100000)
	}
	return b.Bytes()
}

// BenchmarkParse measures reading and cleansing alone (no storage).
func BenchmarkParse(b *testing.B) {
	ps := builtin(b)
	p, _ := ps.Get("cellsite-cdr")
	const n = 200_000
	data := canonicalCDR(n)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		rr, err := ingest.NewCSVReader(bytes.NewReader(data), ingest.ReadOptions{Delimiter: ','})
		if err != nil {
			b.Fatal(err)
		}
		lay, err := p.Locate("bench.csv", []ingest.Row{{Number: 1, Fields: []string{"Target", "Other Party", "Event Type", "Direction", "Start (UTC)", "Duration (s)", "First Cell", "Last Cell", "IMEI", "IMSI", "APN", "Bytes", "Charging ID"}}})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := ingest.Parse(context.Background(), rr, lay, ingest.Options{File: "bench.csv"}, func(ingest.Batch) error { return nil })
		if err != nil || sum.Accepted+sum.Duplicates != n {
			b.Fatalf("%+v %v", sum, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
