package reports_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/reports"
	"github.com/cellsite/cellsite/store"
)

// bigFixture repeats the fixture's events until there are n, a day apart.
func bigFixture(t testing.TB, n int) reports.Input {
	in, located := fixture(t)
	var all []analysis.Located
	for day := 0; len(all) < n; day++ {
		for _, l := range located {
			l.Start = l.Start.Add(time.Duration(day) * 24 * time.Hour)
			l.Row += day * 100
			all = append(all, l)
			if len(all) == n {
				break
			}
		}
	}
	in.Events = func(ctx context.Context, yield func(*analysis.Located) error) error {
		for i := range all {
			if err := yield(&all[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return in
}

// BenchmarkReportPDF renders a report with 2,000 rows of call schedule in
// the PDF and 10 map pages (goal: at most 3 s).
func BenchmarkReportPDF(b *testing.B) {
	in := bigFixture(b, 2000)
	ctx := context.Background()
	ts := builtins(b)
	call, _ := ts.Get("call-schedule")
	for b.Loop() {
		p, err := reports.Prepare(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		maps := p.Maps()
		for len(maps) < 10 {
			maps = append(maps, maps[len(maps)%2])
		}
		maps = maps[:10]
		var mp bytes.Buffer
		if _, err := reports.WriteMapsPDF(&mp, maps, reports.MapOptions{GeneratedAt: in.Header.ProducedAt}); err != nil {
			b.Fatal(err)
		}
		s := reports.ReportSchedule{Schedule: p.Schedule(ctx, call), Limit: 2000, Group: "target"}
		r := reports.Report{Header: in.Header, Title: "Cell site analysis", Maps: mp.Bytes(), MapTitles: make([]string, 10),
			Schedules: []reports.ReportSchedule{s}, Findings: reports.Findings(p), Workbook: "schedules.xlsx"}
		n, err := reports.WriteReportPDF(ctx, io.Discard, r)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "pages")
	}
}

// BenchmarkVerifyPack checks a pack of about 200 MB (goal: at most 5 s).
func BenchmarkVerifyPack(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, store.Config{Dir: filepath.Join(dir, "data"), Create: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	sk, vk, err := provenance.NewKey("cellsite/bench")
	if err != nil {
		b.Fatal(err)
	}
	lg, err := provenance.New(provenance.Config{SignerKey: sk, VerifierKey: vk})
	if err != nil {
		b.Fatal(err)
	}
	// Four incompressible originals of 50 MB, each received by a leaf.
	var files []reports.PackFile
	var leaves []provenance.Leaf
	originals := make([][]byte, 4)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	leaves = append(leaves, provenance.Leaf{Type: provenance.Genesis, Started: now, Ended: now})
	for i := range originals {
		originals[i] = make([]byte, 50<<20)
		rand.Read(originals[i])
		leaves = append(leaves, provenance.Leaf{Type: provenance.Ingest, Case: "BENCH", Started: now, Ended: now,
			Inputs: []cellsite.Artefact{{Name: "f", SHA256: cellsite.Sum(originals[i]), Size: int64(len(originals[i]))}}})
	}
	var cp provenance.Checkpoint
	receipts := map[int64]provenance.Receipt{}
	err = db.Update(ctx, func(tx *store.Tx) error {
		stored, c, err := lg.Append(ctx, tx, leaves...)
		if err != nil {
			return err
		}
		cp = c
		for i, lf := range stored[1:] {
			idx := lf.Index
			rc, err := lg.ReceiptAt(ctx, tx, idx, cp)
			if err != nil {
				return err
			}
			receipts[idx] = rc
			files = append(files, reports.BytesFile("originals/"+string(rune('a'+i)), "original", &idx, originals[i]))
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	fp, _ := provenance.Fingerprint(vk)
	hdr := reports.Header{Case: "BENCH", ProducedAt: now, Checkpoint: reports.CheckpointRef{Size: cp.Size, Root: cp.Root, Note: cp.Note}, Fingerprint: fp}
	packPath := filepath.Join(dir, "pack.zip")
	f, err := os.Create(packPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := reports.WritePack(ctx, f, reports.Pack{Header: hdr, Files: files, Receipts: receipts, Key: vk}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(packPath)
	b.SetBytes(fi.Size())
	for b.Loop() {
		f, err := os.Open(packPath)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := reports.VerifyPack(ctx, f, fi.Size(), reports.PackCheck{Fingerprint: fp})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if sum.Evidence != 4 {
			b.Fatalf("%d evidence files", sum.Evidence)
		}
	}
}
