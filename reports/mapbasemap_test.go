package reports_test

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
)

// mapWKB builds well-known binary, little-endian.
type mapWKB struct{ bytes.Buffer }

func (w *mapWKB) u32(v uint32) { binary.Write(&w.Buffer, binary.LittleEndian, v) }
func (w *mapWKB) f64(v float64) {
	binary.Write(&w.Buffer, binary.LittleEndian, math.Float64bits(v))
}
func (w *mapWKB) head(typ uint32) { w.WriteByte(1); w.u32(typ) }
func (w *mapWKB) pts(pts [][2]float64) {
	w.u32(uint32(len(pts)))
	for _, p := range pts {
		w.f64(p[0])
		w.f64(p[1])
	}
}

// mapGP wraps WKB in a GeoPackage geometry header, with an envelope when
// env is set.
func mapGP(srs int32, wkb []byte, env []float64) []byte {
	var b bytes.Buffer
	flags := byte(1)
	if env != nil {
		flags |= 1 << 1
	}
	b.Write([]byte{'G', 'P', 0, flags})
	binary.Write(&b, binary.LittleEndian, srs)
	for _, v := range env {
		binary.Write(&b, binary.LittleEndian, math.Float64bits(v))
	}
	b.Write(wkb)
	return b.Bytes()
}

func mapRect(e0, n0, e1, n1 float64) [][2]float64 {
	return [][2]float64{{e0, n0}, {e1, n0}, {e1, n1}, {e0, n1}, {e0, n0}}
}

// mapMakeGPKG writes a small GeoPackage: water (an area with a hole), a
// building, local roads with a spatial index, a point layer of names, and
// woodland in WGS84, which is not drawn.
func mapMakeGPKG(t *testing.T, path string, water [4]float64, onlyWGS84 bool) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
		organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`)
	exec(`INSERT INTO gpkg_spatial_ref_sys VALUES ('British National Grid', 27700, 'EPSG', 27700, 'PROJCS["OSGB36"]', NULL),
		('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84"]', NULL)`)
	exec(`CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT,
		last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)`)
	exec(`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
		srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)`)
	layer := func(name, gtype string, srs int) {
		exec(`CREATE TABLE "` + name + `" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, name TEXT)`)
		exec(`INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES (?, 'features', ?)`, name, srs)
		exec(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)`, name, gtype, srs)
	}
	layer("woodland", "MULTIPOLYGON", 4326)
	var w mapWKB
	w.head(3)
	w.u32(1)
	w.pts(mapRect(-0.2, 50.8, -0.1, 50.9))
	exec(`INSERT INTO woodland (geom) VALUES (?)`, mapGP(4326, w.Bytes(), nil))
	if onlyWGS84 {
		return
	}

	layer("surfacewater", "POLYGON", 27700)
	w.Reset()
	w.head(3)
	w.u32(2)
	e0, n0, e1, n1 := water[0], water[1], water[2], water[3]
	w.pts(mapRect(e0, n0, e1, n1))
	w.pts(mapRect(e0+(e1-e0)*0.8, n0+(n1-n0)*0.8, e0+(e1-e0)*0.9, n0+(n1-n0)*0.9)) // a hole
	exec(`INSERT INTO surfacewater (geom) VALUES (?)`, mapGP(27700, w.Bytes(), []float64{e0, e1, n0, n1}))

	layer("local_buildings", "POLYGON", 27700)
	w.Reset()
	w.head(1003) // polygon Z
	w.u32(1)
	w.u32(5)
	for _, p := range mapRect(e1+50, n0, e1+90, n0+30) {
		w.f64(p[0])
		w.f64(p[1])
		w.f64(12)
	}
	exec(`INSERT INTO local_buildings (geom) VALUES (?)`, mapGP(27700, w.Bytes(), nil))

	layer("roads_local", "MULTILINESTRING", 27700)
	exec(`CREATE VIRTUAL TABLE rtree_roads_local_geom USING rtree(id, minx, maxx, miny, maxy)`)
	for i, far := range []float64{0, 1e6} {
		w.Reset()
		w.head(5)
		w.u32(1)
		w.head(2)
		w.pts([][2]float64{{e0 + far, n1 + 40}, {e1 + far, n1 + 80}})
		exec(`INSERT INTO roads_local (fid, geom) VALUES (?, ?)`, i+1, mapGP(27700, w.Bytes(), nil))
		exec(`INSERT INTO rtree_roads_local_geom VALUES (?, ?, ?, ?, ?)`, i+1, e0+far, e1+far, n1+40, n1+80)
	}

	layer("names", "POINT", 27700)
	w.Reset()
	w.head(1)
	w.f64(e0)
	w.f64(n0)
	exec(`INSERT INTO names (geom, name) VALUES (?, 'Hove')`, mapGP(27700, w.Bytes(), nil))
}

// TestMapsPDFBasemap draws a map over a GeoPackage and finds its water
// where it should be, its credit in the key, and the same bytes twice.
func TestMapsPDFBasemap(t *testing.T) {
	maps := mapFixture(t)[:1]
	g := reports.MapGeometry(maps[0])
	f := reports.MapFrame
	// Water over the frame's bottom-left corner, 30 mm square, where the
	// route map has no wedges.
	grid := func(x, y float64) (e, n float64) {
		return g.CentreE + (x-(f[0]+f[2])/2)/g.MMPerM, g.CentreN - (y-(f[1]+f[3])/2)/g.MMPerM
	}
	e0, n0 := grid(f[0]-5, f[3]+5)
	e1, n1 := grid(f[0]+30, f[3]-30)
	dir := t.TempDir()
	gpkg := filepath.Join(dir, "test.gpkg")
	mapMakeGPKG(t, gpkg, [4]float64{e0, n0, e1, n1}, false)

	opt := mapOpt
	opt.Basemap = gpkg
	pdf := mapRender(t, maps, opt)
	if !bytes.Equal(pdf, mapRender(t, maps, opt)) {
		t.Error("two renders with the basemap differ")
	}
	path := mapWritePDF(t, pdf)
	mapTool(t, "qpdf", "--check", path)
	// The key, alone: the panel right of the map.
	key := mapTool(t, "pdftotext", "-x", "620", "-y", "0", "-W", "222", "-H", "595", path, "-")
	text := strings.Join(strings.Fields(key), " ")
	if want := "Basemap: test.gpkg. Contains OS data © Crown copyright and database right."; !strings.Contains(text, want) {
		t.Errorf("key lacks %q:\n%s", want, text)
	}

	// The pixel 15 mm into the corner is water; 40 mm in, it is not.
	const dpi = 50
	mapTool(t, "pdftoppm", "-png", "-r", "50", path, filepath.Join(dir, "page"))
	file, err := os.Open(filepath.Join(dir, "page-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	img, err := png.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	px := func(x, y float64) (r, g, b uint32) {
		r, g, b, _ = img.At(int(x/25.4*dpi), int(y/25.4*dpi)).RGBA()
		return r >> 8, g >> 8, b >> 8
	}
	if r, _, b := px(f[0]+13, f[3]-13); !(b > r+20) {
		t.Errorf("no water in the bottom-left corner: rgb %d,?,%d", r, b)
	}
	if r, gr, b := px(f[0]+45, f[3]-45); r != 255 || gr != 255 || b != 255 {
		t.Errorf("basemap drawn outside its water: rgb %d,%d,%d", r, gr, b)
	}
}

func TestMapsPDFBasemapErrors(t *testing.T) {
	dir := t.TempDir()
	wgs := filepath.Join(dir, "wgs84.gpkg")
	mapMakeGPKG(t, wgs, [4]float64{}, true)
	text := filepath.Join(dir, "not.gpkg")
	if err := os.WriteFile(text, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "missing.gpkg"), "missing.gpkg"},
		{"not sqlite", text, "not.gpkg"},
		{"wrong grid", wgs, "EPSG:27700"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := mapOpt
			opt.Basemap = tc.path
			var buf bytes.Buffer
			_, err := reports.WriteMapsPDF(&buf, mapFixture(t)[:1], opt)
			if cellsite.KindOf(err) != cellsite.Invalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want kind invalid naming %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "missing.gpkg")); err == nil {
				t.Error("opening the basemap created a file")
			}
		})
	}
}

// mapMakeTownGPKG writes a GeoPackage of a made-up town over a grid box,
// for looking at: sea to the south, a park, a street grid with buildings,
// two main roads and a railway.
func mapMakeTownGPKG(t *testing.T, path string, e0, n0, e1, n1 float64) {
	t.Helper()
	mapMakeGPKG(t, path, [4]float64{e0, n0 - 2000, e1, n0 + (n1-n0)*0.12}, false)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	layer := func(name, gtype string) {
		exec(`CREATE TABLE "` + name + `" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB)`)
		exec(`INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES (?, 'features', 27700)`, name)
		exec(`INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 27700, 0, 0)`, name, gtype)
	}
	line := func(table string, pts [][2]float64) {
		var w mapWKB
		w.head(2)
		w.pts(pts)
		exec(`INSERT INTO "`+table+`" (geom) VALUES (?)`, mapGP(27700, w.Bytes(), nil))
	}
	area := func(table string, ring [][2]float64) {
		var w mapWKB
		w.head(3)
		w.u32(1)
		w.pts(ring)
		exec(`INSERT INTO "`+table+`" (geom) VALUES (?)`, mapGP(27700, w.Bytes(), nil))
	}
	layer("greenspace", "POLYGON")
	area("greenspace", mapRect(e0+(e1-e0)*0.55, n0+(n1-n0)*0.6, e0+(e1-e0)*0.7, n0+(n1-n0)*0.75))
	layer("roads_minor", "LINESTRING")
	layer("district_buildings", "POLYGON")
	for e := math.Ceil(e0/150) * 150; e < e1; e += 150 {
		line("roads_minor", [][2]float64{{e, n0 + (n1-n0)*0.12}, {e, n1}})
		for n := math.Ceil((n0+(n1-n0)*0.15)/150) * 150; n < n1; n += 150 {
			area("district_buildings", mapRect(e+20, n+20, e+60, n+50))
			area("district_buildings", mapRect(e+80, n+20, e+125, n+60))
		}
	}
	for n := math.Ceil((n0+(n1-n0)*0.12)/150) * 150; n < n1; n += 150 {
		line("roads_minor", [][2]float64{{e0, n}, {e1, n}})
	}
	layer("roads_national", "LINESTRING")
	line("roads_national", [][2]float64{{e0, n0 + (n1-n0)*0.3}, {e1, n0 + (n1-n0)*0.55}})
	line("roads_national", [][2]float64{{e0 + (e1-e0)*0.4, n1}, {e0 + (e1-e0)*0.45, n0 + (n1-n0)*0.12}})
	layer("rail", "LINESTRING")
	line("rail", [][2]float64{{e0, n0 + (n1-n0)*0.8}, {e1, n0 + (n1-n0)*0.7}})
}
