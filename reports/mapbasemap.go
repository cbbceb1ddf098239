package reports

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/url"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // reads GeoPackage basemaps

	"github.com/cellsite/cellsite/geo"
)

// mapBasemapMaxPoints bounds the vertices drawn from a basemap on one map;
// features past it are left out, and the key says so.
const mapBasemapMaxPoints = 400000

// mapBasemapCredit is the attribution OS Open data asks for.
const mapBasemapCredit = "Contains OS data © Crown copyright and database right"

// mapBasemap is an open GeoPackage.
type mapBasemap struct {
	db     *sql.DB
	name   string // the file's base name, as stated on the maps
	layers []mapBasemapLayer
}

// mapBasemapLayer is a feature table of a GeoPackage that can be drawn.
type mapBasemapLayer struct {
	table, geom, pk string
	rtree           string // the spatial index table, "" when none
	style           mapBasemapStyle
}

// mapBasemapStyle is how a layer is drawn.
type mapBasemapStyle struct {
	fill     [3]int
	line     [3]int
	width    float64 // mm; 0: lines not drawn
	dash     []float64
	maxDenom float64 // drawn at scales 1:maxDenom and larger; 0: always
}

var (
	mapBaseWater    = mapBasemapStyle{fill: [3]int{214, 232, 246}, line: [3]int{150, 190, 222}, width: 0.2}
	mapBaseGreen    = mapBasemapStyle{fill: [3]int{226, 240, 220}, line: [3]int{196, 222, 188}, width: 0.1}
	mapBaseBuilding = mapBasemapStyle{fill: [3]int{224, 224, 224}, maxDenom: 25000}
	mapBaseRoad     = mapBasemapStyle{fill: [3]int{246, 246, 246}, line: [3]int{180, 180, 180}, width: 0.3}
	mapBaseMinor    = mapBasemapStyle{fill: [3]int{246, 246, 246}, line: [3]int{198, 198, 198}, width: 0.18, maxDenom: 50000}
	mapBaseRail     = mapBasemapStyle{line: [3]int{140, 140, 140}, width: 0.2, dash: []float64{1.2, 0.6}}
	mapBaseOther    = mapBasemapStyle{fill: [3]int{242, 242, 242}, line: [3]int{205, 205, 205}, width: 0.12}
)

// mapBasemapStyleOf returns the style of a layer by its name, and false
// for layers that are left out.
func mapBasemapStyleOf(name string) (mapBasemapStyle, bool) {
	n := strings.ToLower(name)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(n, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("contour", "boundar", "name", "label", "text", "spot", "height", "admin"):
		return mapBasemapStyle{}, false
	case has("water", "sea", "river", "lake", "foreshore", "tidal", "coast"):
		return mapBaseWater, true
	case has("wood", "forest", "green", "park"):
		return mapBaseGreen, true
	case has("building"):
		return mapBaseBuilding, true
	case has("rail"):
		return mapBaseRail, true
	case has("local", "minor", "restricted", "street"):
		return mapBaseMinor, true
	case has("road"):
		return mapBaseRoad, true
	}
	return mapBaseOther, true
}

// openMapBasemap opens a GeoPackage read-only and lists its drawable
// layers, in table name order.
func openMapBasemap(path string) (*mapBasemap, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: "mode=ro"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	b := &mapBasemap{db: db, name: filepath.Base(path)}
	if err := b.listLayers(); err != nil {
		db.Close()
		return nil, err
	}
	return b, nil
}

func (b *mapBasemap) close() error { return b.db.Close() }

func (b *mapBasemap) listLayers() error {
	rows, err := b.db.Query(`SELECT g.table_name, g.column_name, upper(g.geometry_type_name), upper(s.organization), s.organization_coordsys_id
		FROM gpkg_contents c
		JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
		JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id
		WHERE c.data_type = 'features'
		ORDER BY g.table_name`)
	if err != nil {
		return fmt.Errorf("not a GeoPackage of features: %w", err)
	}
	defer rows.Close()
	var other []string
	for rows.Next() {
		var l mapBasemapLayer
		var gtype, org string
		var code int
		if err := rows.Scan(&l.table, &l.geom, &gtype, &org, &code); err != nil {
			return err
		}
		if org != "EPSG" || code != 27700 {
			other = append(other, l.table)
			continue
		}
		if strings.HasSuffix(gtype, "POINT") {
			continue
		}
		style, ok := mapBasemapStyleOf(l.table)
		if !ok {
			continue
		}
		l.style = style
		b.layers = append(b.layers, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(b.layers) == 0 {
		if len(other) > 0 {
			return fmt.Errorf("no layer in British National Grid (EPSG:27700); %s are not", strings.Join(other, ", "))
		}
		return errors.New("no layer of lines or areas to draw")
	}
	for i := range b.layers {
		l := &b.layers[i]
		if err := b.describe(l); err != nil {
			return fmt.Errorf("layer %s: %w", l.table, err)
		}
	}
	return nil
}

// describe finds a layer's primary key and spatial index.
func (b *mapBasemap) describe(l *mapBasemapLayer) error {
	rows, err := b.db.Query(`SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, l.table)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		var pk int
		if err := rows.Scan(&name, &pk); err != nil {
			rows.Close()
			return err
		}
		if pk == 1 {
			l.pk = name
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if l.pk == "" {
		l.pk = "rowid"
	}
	rtree := "rtree_" + l.table + "_" + l.geom
	var n int
	if err := b.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ?`, rtree).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		l.rtree = rtree
	}
	return nil
}

// mapBaseFeature is one basemap geometry: areas (rings) or lines, on the
// grid.
type mapBaseFeature struct {
	style *mapBasemapStyle
	areas [][][]geo.EN // polygons: outer ring, then holes
	lines [][]geo.EN
}

// features returns the features of the layers drawn at scale 1:denom
// whose envelopes meet the box, in layer then key order, and whether the
// vertex limit cut them short.
func (b *mapBasemap) features(minE, minN, maxE, maxN, denom float64) ([]mapBaseFeature, bool, error) {
	var out []mapBaseFeature
	points := 0
	for i := range b.layers {
		l := &b.layers[i]
		if l.style.maxDenom > 0 && denom > l.style.maxDenom {
			continue
		}
		var rows *sql.Rows
		var err error
		if l.rtree != "" {
			rows, err = b.db.Query(`SELECT t.`+mapQuote(l.geom)+` FROM `+mapQuote(l.table)+` t JOIN `+mapQuote(l.rtree)+
				` r ON t.`+mapQuote(l.pk)+` = r.id WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ? ORDER BY r.id`,
				maxE, minE, maxN, minN)
		} else {
			rows, err = b.db.Query(`SELECT ` + mapQuote(l.geom) + ` FROM ` + mapQuote(l.table) + ` ORDER BY ` + mapQuote(l.pk))
		}
		if err != nil {
			return nil, false, fmt.Errorf("layer %s: %w", l.table, err)
		}
		for rows.Next() {
			var blob []byte
			if err := rows.Scan(&blob); err != nil {
				rows.Close()
				return nil, false, fmt.Errorf("layer %s: %w", l.table, err)
			}
			if blob == nil {
				continue
			}
			f := mapBaseFeature{style: &l.style}
			if err := mapParseGPKG(blob, &f); err != nil {
				rows.Close()
				return nil, false, fmt.Errorf("layer %s: %w", l.table, err)
			}
			if !f.meets(minE, minN, maxE, maxN) {
				continue
			}
			n := f.points()
			if points+n > mapBasemapMaxPoints {
				rows.Close()
				return out, true, nil
			}
			points += n
			out = append(out, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, fmt.Errorf("layer %s: %w", l.table, err)
		}
	}
	return out, false, nil
}

func mapQuote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

func (f *mapBaseFeature) points() int {
	n := 0
	for _, a := range f.areas {
		for _, r := range a {
			n += len(r)
		}
	}
	for _, l := range f.lines {
		n += len(l)
	}
	return n
}

// meets reports whether the feature's bounding box meets the box.
func (f *mapBaseFeature) meets(minE, minN, maxE, maxN float64) bool {
	in := func(pts []geo.EN) bool {
		a, b, c, d := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range pts {
			a, c = min(a, p.E), max(c, p.E)
			b, d = min(b, p.N), max(d, p.N)
		}
		return a <= maxE && c >= minE && b <= maxN && d >= minN
	}
	for _, a := range f.areas {
		if len(a) > 0 && in(a[0]) {
			return true
		}
	}
	for _, l := range f.lines {
		if in(l) {
			return true
		}
	}
	return false
}

// mapParseGPKG reads a GeoPackage geometry blob: the "GP" header (with its
// optional envelope) and then the geometry in well-known binary.
func mapParseGPKG(b []byte, f *mapBaseFeature) error {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return errors.New("not a GeoPackage geometry")
	}
	flags := b[3]
	if flags&0x10 != 0 {
		return nil // empty
	}
	env := [...]int{0, 32, 48, 48, 64}
	e := int(flags>>1) & 7
	if e >= len(env) {
		return fmt.Errorf("envelope type %d", e)
	}
	start := 8 + env[e]
	if len(b) < start {
		return errors.New("short geometry")
	}
	w := mapWKB{b: b[start:]}
	w.geometry(f, 0)
	return w.err
}

// mapWKB reads well-known binary geometry (ISO, with Z and M dimensions
// ignored).
type mapWKB struct {
	b   []byte
	err error
}

func (w *mapWKB) fail(format string, a ...any) {
	if w.err == nil {
		w.err = fmt.Errorf("WKB: "+format, a...)
	}
}

func (w *mapWKB) take(n int) []byte {
	if w.err != nil || len(w.b) < n {
		w.fail("short geometry")
		return nil
	}
	p := w.b[:n]
	w.b = w.b[n:]
	return p
}

func (w *mapWKB) uint32(order binary.ByteOrder) uint32 {
	p := w.take(4)
	if p == nil {
		return 0
	}
	return order.Uint32(p)
}

func (w *mapWKB) float(order binary.ByteOrder) float64 {
	p := w.take(8)
	if p == nil {
		return 0
	}
	return math.Float64frombits(order.Uint64(p))
}

// points reads a count and that many points of dims coordinates.
func (w *mapWKB) points(order binary.ByteOrder, dims int) []geo.EN {
	n := int(w.uint32(order))
	if w.err != nil || n < 0 || n > len(w.b)/(8*dims) {
		w.fail("bad point count")
		return nil
	}
	pts := make([]geo.EN, n)
	for i := range pts {
		pts[i].E = w.float(order)
		pts[i].N = w.float(order)
		for range dims - 2 {
			w.float(order)
		}
	}
	return pts
}

func (w *mapWKB) geometry(f *mapBaseFeature, depth int) {
	if depth > 8 {
		w.fail("nested too deep")
		return
	}
	o := w.take(1)
	if o == nil {
		return
	}
	var order binary.ByteOrder = binary.BigEndian
	if o[0] == 1 {
		order = binary.LittleEndian
	}
	t := w.uint32(order)
	dims := 2
	switch t / 1000 {
	case 1, 2:
		dims = 3
	case 3:
		dims = 4
	}
	switch t % 1000 {
	case 1: // point
		w.take(8 * dims)
	case 2: // line string
		f.lines = append(f.lines, w.points(order, dims))
	case 3: // polygon
		n := int(w.uint32(order))
		if n > len(w.b)/4 {
			w.fail("bad ring count")
			return
		}
		rings := make([][]geo.EN, 0, n)
		for range n {
			rings = append(rings, w.points(order, dims))
		}
		f.areas = append(f.areas, rings)
	case 4, 5, 6, 7: // multi-point, -line, -polygon, collection
		n := int(w.uint32(order))
		if n > len(w.b)/5 {
			w.fail("bad part count")
			return
		}
		for range n {
			w.geometry(f, depth+1)
		}
	default:
		w.fail("geometry type %d", t)
	}
}
