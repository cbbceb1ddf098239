package reports_test

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/reports"
)

var mapPNG = flag.String("map-png", "", "also render the test maps to PNG files in this folder (needs pdftoppm)")

var mapAt = time.Date(2024, 4, 2, 9, 30, 0, 0, time.UTC)

var mapOpt = reports.MapOptions{GeneratedAt: mapAt, Zone: reports.ZoneUKLocal, Exhibit: "ABC/1", Creator: "Cellsite test"}

func mapRender(t testing.TB, maps []reports.Map, opt reports.MapOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	pages, err := reports.WriteMapsPDF(&buf, maps, opt)
	if err != nil {
		t.Fatal(err)
	}
	if pages != len(maps) {
		t.Fatalf("pages = %d, want %d", pages, len(maps))
	}
	return buf.Bytes()
}

// mapTool runs a command-line tool, skipping the test when it is not
// installed.
func mapTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func mapWritePDF(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "maps.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMapsPDFSameBytes(t *testing.T) {
	maps := mapFixture(t)
	a := mapRender(t, maps, mapOpt)
	b := mapRender(t, maps, mapOpt)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same maps differ")
	}
	later := mapOpt
	later.GeneratedAt = mapAt.Add(time.Second)
	if bytes.Equal(a, mapRender(t, maps, later)) {
		t.Error("the generation time is not recorded")
	}
}

// TestMapsPDFTools checks the PDF with real PDF tools: its structure
// (qpdf), pages (pdfinfo), text (pdftotext), and that the strip left for
// the report's footer is blank (pdftoppm).
func TestMapsPDFTools(t *testing.T) {
	maps := mapFixture(t)
	path := mapWritePDF(t, mapRender(t, maps, mapOpt))

	if out := mapTool(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	info := mapTool(t, "pdfinfo", path)
	for _, want := range []string{"Pages:           3", "841.89 x 595.28 pts (A4)", "Creator:         Cellsite test", "Tue Apr  2 09:30:00 2024"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}

	for page, wants := range [][]string{
		{
			"Timeline of +447700900101", "Exhibit ABC/1 · Map 1 of 3",
			"30/03/2024 22:22:00 GMT to 31/03/2024 03:13:00 BST",
			"Scale 1:25 000 on A4", "1000 m", "500", "530000 E", "531000 E", "Grid north",
			"True north 1.4° west of grid north", "Beamwidth not given: 120° assumed",
			"8–10", "20–22", "Cell list: o2-brighton-cells.csv, 2022-06",
			"not that it was at the mast",
		},
		{
			"Co-location episode 1: +447700900101 and +447700900202",
			"Targets: A +447700900101, B +447700900202",
			"A 101, 107, 113", "B 102, 108, 114", "Map 2 of 3",
		},
		{
			"Timeline of +447700900303", "Omni cell (no azimuth)", "(106 rows)",
			"Not on the map (no cell): row 41", "True north 0.4° west of grid north",
		},
	} {
		text := mapTool(t, "pdftotext", "-layout", "-f", strconv.Itoa(page+1), "-l", strconv.Itoa(page+1), path, "-")
		text = strings.ReplaceAll(text, "\u2009", " ")
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("page %d lacks %q:\n%s", page+1, want, text)
			}
		}
	}
	// Northings run up the left edge, where pdftotext breaks them at the
	// space.
	raw := mapTool(t, "pdftotext", "-raw", "-f", "1", "-l", "1", path, "-")
	for _, want := range []string{"104000\nN", "105000\nN", "106000\nN"} {
		if !strings.Contains(raw, want) {
			t.Errorf("page 1 lacks the northing %q:\n%s", want, raw)
		}
	}

	// The footer strip: MapFooterMM at the foot of each page, blank.
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed")
	}
	const dpi = 100
	strip := int(math.Floor(reports.MapFooterMM / 25.4 * dpi))
	full := int(math.Floor(210 / 25.4 * dpi))
	dir := t.TempDir()
	mapTool(t, "pdftoppm", "-png", "-r", strconv.Itoa(dpi), "-y", strconv.Itoa(full-strip), "-H", strconv.Itoa(strip),
		"-W", strconv.Itoa(int(math.Floor(297/25.4*dpi))), path, filepath.Join(dir, "foot"))
	for i := range maps {
		name := filepath.Join(dir, fmt.Sprintf("foot-%d.png", i+1))
		if !mapBlank(t, name) {
			t.Errorf("page %d draws in the footer strip", i+1)
		}
	}
}

// mapBlank reports whether every pixel of a PNG is white.
func mapBlank(t *testing.T, name string) bool {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() == 0 || b.Dy() == 0 {
		t.Fatalf("%s: empty image", name)
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r != 0xffff || g != 0xffff || bl != 0xffff {
				return false
			}
		}
	}
	return true
}

// TestMapsPDFScaleBar checks the scale bar as drawn: its four segments,
// read back from the page's content stream, are as long in points as its
// metres at the page's scale.
func TestMapsPDFScaleBar(t *testing.T) {
	maps := mapFixture(t)[:1]
	g := reports.MapGeometry(maps[0])
	path := mapWritePDF(t, mapRender(t, maps, mapOpt))
	qdf := filepath.Join(t.TempDir(), "qdf.pdf")
	mapTool(t, "qpdf", "--qdf", "--object-streams=disable", path, qdf)
	content, err := os.ReadFile(qdf)
	if err != nil {
		t.Fatal(err)
	}
	const pt = 72 / 25.4
	want := g.BarM * g.MMPerM * pt // the bar in points
	seg := strconv.FormatFloat(want/4, 'f', 2, 64)
	height := strconv.FormatFloat(-1.4*pt, 'f', 2, 64)
	re := regexp.MustCompile(`(-?[\d.]+) (-?[\d.]+) ` + regexp.QuoteMeta(seg) + ` ` + regexp.QuoteMeta(height) + ` re`)
	found := re.FindAllStringSubmatch(string(content), -1)
	if len(found) != 4 {
		t.Fatalf("found %d scale bar segments %s pt long, want 4 (bar %v m at 1:%v)", len(found), seg, g.BarM, g.Denominator)
	}
	x0, _ := strconv.ParseFloat(found[0][1], 64)
	x3, _ := strconv.ParseFloat(found[3][1], 64)
	if got := x3 - x0 + want/4; math.Abs(got-want) > 0.03 {
		t.Errorf("scale bar %.2f pt long, want %.2f pt (%v m at 1:%v)", got, want, g.BarM, g.Denominator)
	}
}

func TestMapsPDFErrors(t *testing.T) {
	maps := mapFixture(t)[:1]
	for _, tc := range []struct {
		name string
		maps []reports.Map
		opt  reports.MapOptions
	}{
		{"no maps", nil, mapOpt},
		{"no time", maps, reports.MapOptions{}},
		{"bad zone", maps, reports.MapOptions{GeneratedAt: mapAt, Zone: "CET"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := reports.WriteMapsPDF(&buf, tc.maps, tc.opt)
			if cellsite.KindOf(err) != cellsite.Invalid {
				t.Errorf("error %v, want kind invalid", err)
			}
		})
	}
}

// TestMapsPDFEmpty checks a map with nothing to place: a page saying so.
func TestMapsPDFEmpty(t *testing.T) {
	m := reports.Map{Title: "Timeline of +447700900404", Events: []reports.MapEvent{{N: 1, Target: "+447700900404", Time: mapT0}}}
	path := mapWritePDF(t, mapRender(t, []reports.Map{m}, mapOpt))
	text := mapTool(t, "pdftotext", "-layout", path, "-")
	for _, want := range []string{"Timeline of +447700900404", "No event on this map is placed", "Not on the map (no cell): row 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q:\n%s", want, text)
		}
	}
}

// TestMapsPDFImages renders the test maps to PNG for a person to look at:
// go test ./reports -run MapsPDFImages -map-png DIR.
func TestMapsPDFImages(t *testing.T) {
	if *mapPNG == "" {
		t.Skip("no -map-png folder")
	}
	path := filepath.Join(*mapPNG, "maps.pdf")
	if err := os.WriteFile(path, mapRender(t, mapFixture(t), mapOpt), 0o644); err != nil {
		t.Fatal(err)
	}
	mapTool(t, "pdftoppm", "-png", "-r", "80", path, filepath.Join(*mapPNG, "map"))
	path = filepath.Join(*mapPNG, "crowded.pdf")
	if err := os.WriteFile(path, mapRender(t, mapCrowded(t)[:1], mapOpt), 0o644); err != nil {
		t.Fatal(err)
	}
	mapTool(t, "pdftoppm", "-png", "-r", "80", path, filepath.Join(*mapPNG, "crowded"))
	maps := mapFixture(t)[:1]
	g := reports.MapGeometry(maps[0])
	half := func(mm float64) float64 { return mm / 2 / g.MMPerM }
	f := reports.MapFrame
	gpkg := filepath.Join(t.TempDir(), "town.gpkg")
	mapMakeTownGPKG(t, gpkg, g.CentreE-half(f[2]-f[0]), g.CentreN-half(f[3]-f[1]), g.CentreE+half(f[2]-f[0]), g.CentreN+half(f[3]-f[1]))
	opt := mapOpt
	opt.Basemap = gpkg
	path = filepath.Join(*mapPNG, "basemap.pdf")
	if err := os.WriteFile(path, mapRender(t, maps, opt), 0o644); err != nil {
		t.Fatal(err)
	}
	mapTool(t, "pdftoppm", "-png", "-r", "80", path, filepath.Join(*mapPNG, "basemap"))
}

// BenchmarkMapsPDF renders ten maps of 200 events each (2,000 schedule
// rows) on the real cells of Brighton and Hove.
func BenchmarkMapsPDF(b *testing.B) {
	maps := mapCrowded(b)
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		if _, err := reports.WriteMapsPDF(&buf, maps, mapOpt); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}

// mapCrowded returns ten maps of 200 events each, every map spread over
// the 34 masts of Brighton and Hove in the test data.
func mapCrowded(t testing.TB) []reports.Map {
	cells := mapBrightonCells(t)
	sites := mapSites(cells)
	maps := make([]reports.Map, 10)
	for i := range maps {
		target := fmt.Sprintf("+4477009%05d", i)
		m := reports.Map{Title: "Timeline of " + target, Schedule: "call schedule", Targets: []string{target}, Cells: cells}
		for k := range 200 {
			s := sites[(k*7+i*3)%len(sites)]
			m.Events = append(m.Events, reports.MapEvent{N: i*200 + k + 1, Target: target,
				Time: mapT0.Add(time.Duration(k) * time.Minute), Type: "voice", Cell: s[k%len(s)].Key})
		}
		maps[i] = m
	}
	return maps
}

// TestMapsPDFOffGrid checks a map with an event on a cell outside the
// National Grid (Jersey): the page lists it, the GeoJSON still places it,
// and times in UTC say so.
func TestMapsPDFOffGrid(t *testing.T) {
	leeds := mapTestCell(t, "234-30-1", geo.LatLon{Lat: 53.80, Lon: -1.55}, 90, 65)
	jersey := cellsite.Cell{Key: "234-50-2", Site: "St Helier", Lat: 49.186, Lon: -2.107, AzimuthDeg: 180, BeamwidthDeg: 65}
	m := reports.Map{
		Title: "Timeline of +447700900505",
		Events: []reports.MapEvent{
			{N: 1, Target: "+447700900505", Time: mapT0, Cell: leeds.Key},
			{N: 2, Target: "+447700900505", Time: mapT0.Add(time.Hour), Cell: jersey.Key},
		},
		Cells: []cellsite.Cell{leeds, jersey},
	}
	opt := mapOpt
	opt.Zone = reports.ZoneUTC
	path := mapWritePDF(t, mapRender(t, []reports.Map{m}, opt))
	text := strings.Join(strings.Fields(mapTool(t, "pdftotext", "-x", "620", "-y", "0", "-W", "222", "-H", "595", path, "-")), " ")
	if want := "Not on the map (cell off the National Grid): row 2"; !strings.Contains(text, want) {
		t.Errorf("key lacks %q:\n%s", want, text)
	}
	head := mapTool(t, "pdftotext", "-layout", "-y", "0", "-H", "80", "-x", "0", "-W", "842", path, "-")
	if want := "30/03/2024 22:15:00 UTC to 30/03/2024 23:15:00 UTC"; !strings.Contains(head, want) {
		t.Errorf("title lacks %q:\n%s", want, head)
	}
	for _, f := range mapParseGeoJSON(t, []reports.Map{m}).Features {
		if f.Properties["kind"] == "event" && f.Properties["n"] == 2.0 {
			if f.Geometry == nil || math.Abs(f.Geometry.Coordinates.point()[1]-49.186) > 1e-6 {
				t.Errorf("event 2 not placed in Jersey: %+v", f.Geometry)
			}
		}
	}
}
