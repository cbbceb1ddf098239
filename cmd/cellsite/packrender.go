package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
)

// hashWriter hashes and counts what passes through it.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func newHashWriter(w io.Writer) *hashWriter { return &hashWriter{w: w, h: sha256.New()} }

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

func (hw *hashWriter) sum() cellsite.Hash {
	var s cellsite.Hash
	copy(s[:], hw.h.Sum(nil))
	return s
}

// rendered holds the outputs of one render in a temporary directory.
type rendered struct {
	dir     string
	paths   []string          // pack paths, in pack order
	files_  map[string]string // pack path → temporary file
	kinds   map[string]string
	outputs []cellsite.Artefact // for the render leaf, in pack order
}

func (r *rendered) cleanup() { os.RemoveAll(r.dir) }

// files returns the outputs as pack files produced by the render leaf.
func (r *rendered) files(leaf int64) []reports.PackFile {
	out := make([]reports.PackFile, 0, len(r.paths))
	for _, p := range r.paths {
		tmp := r.files_[p]
		l := leaf
		out = append(out, reports.PackFile{Path: p, Kind: r.kinds[p], Leaf: &l, Open: func() (io.ReadCloser, error) { return os.Open(tmp) }})
	}
	return out
}

// add writes one output to the temporary directory.
func (r *rendered) add(path, kind string, write func(w io.Writer) error) error {
	tmp := filepath.Join(r.dir, fmt.Sprintf("%02d", len(r.paths)))
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	hw := newHashWriter(f)
	if err := write(hw); err != nil {
		f.Close()
		return fmt.Errorf("render %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	r.paths = append(r.paths, path)
	r.files_[path] = tmp
	r.kinds[path] = kind
	r.outputs = append(r.outputs, cellsite.Artefact{Name: path, SHA256: hw.sum(), Size: hw.n})
	return nil
}

// renderArtefacts renders the workbook, the report and the map data of a
// pack.
func renderArtefacts(ctx context.Context, a *app, prep *reports.Prepared, chosen []*reports.Template, basemap string, bar *progress) (*rendered, error) {
	dir, err := os.MkdirTemp(filepath.Join(a.db.Dir(), "tmp"), "render-")
	if err != nil {
		dir, err = os.MkdirTemp("", "cellsite-render-")
		if err != nil {
			return nil, err
		}
	}
	r := &rendered{dir: dir, files_: map[string]string{}, kinds: map[string]string{}}
	ok := false
	defer func() {
		if !ok {
			r.cleanup()
		}
	}()
	var schedules []reports.ReportSchedule
	for _, t := range chosen {
		schedules = append(schedules, reports.ReportSchedule{Schedule: prep.Schedule(ctx, t), Description: t.Description, Limit: t.PDFRows, Group: t.Group})
	}
	// The workbook: every row of every schedule, streamed.
	var total int64
	for _, s := range schedules {
		total += int64(s.Schedule.RowCount)
	}
	sheets := make([]reports.Schedule, len(schedules))
	var done int64
	for i, s := range schedules {
		sc := s.Schedule
		rows := sc.Rows
		sc.Rows = func(yield func([]reports.Value) error) error {
			return rows(func(v []reports.Value) error {
				done++
				if done%2048 == 0 {
					bar.update(done, total)
				}
				return yield(v)
			})
		}
		sheets[i] = sc
	}
	bar.stage("schedules.xlsx", 0, total)
	if err := r.add("schedules.xlsx", "schedules", func(w io.Writer) error {
		return reports.WriteWorkbook(ctx, w, reports.Workbook{Header: prep.In.Header, Schedules: sheets})
	}); err != nil {
		return nil, err
	}
	bar.stage("maps", 0, 0)
	maps := prep.Maps()
	zone := reports.ZoneUTC
	if prep.LocalBasis {
		zone = reports.ZoneUKLocal
	}
	var mapPDF bytes.Buffer
	var mapTitles []string
	if len(maps) > 0 {
		if _, err := reports.WriteMapsPDF(&mapPDF, maps, reports.MapOptions{GeneratedAt: prep.In.Header.ProducedAt, Zone: zone,
			Exhibit: prep.In.Header.Exhibit, Creator: prep.In.Header.Software, Basemap: basemap}); err != nil {
			return nil, err
		}
		for _, m := range maps {
			mapTitles = append(mapTitles, m.Title)
		}
	}
	bar.stage("report.pdf", 0, 0)
	report := reports.Report{
		Maps: mapPDF.Bytes(), MapTitles: mapTitles,
		Header: prep.In.Header, Title: "Cell site analysis", Period: [2]time.Time{prep.From, prep.To},
		Counts: reports.CoverCounts(prep), Findings: reports.Findings(prep), Schedules: schedules, Workbook: "schedules.xlsx",
		Leaves: prep.In.Leaves, Caveats: reports.GeneralCaveats,
	}
	if err := r.add("report.pdf", "report", func(w io.Writer) error {
		_, err := reports.WriteReportPDF(ctx, w, report)
		return err
	}); err != nil {
		return nil, err
	}
	if err := r.add("maps.geojson", "map-data", func(w io.Writer) error { return reports.WriteGeoJSON(w, maps) }); err != nil {
		return nil, err
	}
	if err := r.add("maps.kml", "map-data", func(w io.Writer) error { return reports.WriteKML(w, maps) }); err != nil {
		return nil, err
	}
	ok = true
	return r, nil
}
