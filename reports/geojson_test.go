package reports_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/reports"
)

type mapFeatureCollection struct {
	Type     string       `json:"type"`
	Features []mapFeature `json:"features"`
}

type mapFeature struct {
	Type     string `json:"type"`
	Geometry *struct {
		Type        string         `json:"type"`
		Coordinates mapCoordinates `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type mapCoordinates json.RawMessage

func (c *mapCoordinates) UnmarshalJSON(b []byte) error {
	*c = append((*c)[:0], b...)
	return nil
}

func (c mapCoordinates) point() []float64 {
	var p []float64
	if err := json.Unmarshal(c, &p); err != nil {
		panic(err)
	}
	return p
}

func (c mapCoordinates) line() [][]float64 {
	var p [][]float64
	if err := json.Unmarshal(c, &p); err != nil {
		panic(err)
	}
	return p
}

func (c mapCoordinates) polygon() [][][]float64 {
	var p [][][]float64
	if err := json.Unmarshal(c, &p); err != nil {
		panic(err)
	}
	return p
}

func mapParseGeoJSON(t *testing.T, maps []reports.Map) mapFeatureCollection {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteGeoJSON(&buf, maps); err != nil {
		t.Fatal(err)
	}
	var fc mapFeatureCollection
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatalf("GeoJSON does not parse: %v", err)
	}
	if fc.Type != "FeatureCollection" {
		t.Fatalf("type %q", fc.Type)
	}
	return fc
}

// mapSmall is a small map for golden files: two targets, a cell with a
// beamwidth, one without, an omni cell, a cell shared by both targets,
// events no cell places, and text that must be neutralised and escaped.
func mapSmall(t testing.TB) reports.Map {
	at := geo.LatLon{Lat: 53.8008, Lon: -1.5491}
	a := mapTestCell(t, "234-30-25856", at, 40, 65)
	a.Address, a.Postcode = "1 Park Row, Leeds", "LS1 5AB"
	b := mapTestCell(t, "234-30-25857", at, 160, 0)
	b.Address, b.Postcode = a.Address, a.Postcode
	o := mapTestCell(t, "234-30-26112", geo.Destination(at, 70, 1200), 0, 0)
	o.Omni, o.Site, o.Address = true, "=HYPERLINK(\"http://x\")", "Quarry Hill & <Mabgate>"
	far := mapTestCell(t, "234-30-26368", geo.Destination(at, 200, 2000), 300, 65)
	const x, y = "+447700900101", "+447700900202"
	return reports.Map{
		Title:    "Co-location episode 2: " + x + " and " + y,
		Subtitle: "@basis nearby",
		Schedule: "co-location schedule",
		Targets:  []string{x, y},
		From:     mapT0, To: mapT0.Add(50 * 60e9),
		Events: []reports.MapEvent{
			{N: 1, Target: x, Time: mapT0, Type: "voice", Cell: a.Key},
			{N: 2, Target: y, Time: mapT0.Add(5 * 60e9), Type: "sms", Cell: a.Key},
			{N: 3, Target: x, Time: mapT0.Add(10 * 60e9), Type: "data", Cell: b.Key},
			{N: 4, Target: y, Time: mapT0.Add(20 * 60e9), Type: "-1+1", Cell: o.Key},
			{N: 5, Target: x, Time: mapT0.Add(30 * 60e9), Type: "voice", Cell: ""},
			{N: 6, Target: x, Time: mapT0.Add(40 * 60e9), Type: "voice", Cell: "234-30-1"},
			{N: 7, Target: y, Time: mapT0.Add(50 * 60e9), Type: "voice", Cell: a.Key},
		},
		Cells:     []cellsite.Cell{a, b, o, far},
		CellLists: []reports.CellListRef{{Name: "ee-cells.csv", Date: "2024-01", SHA256: cellsite.Hash{1, 2, 3}}},
	}
}

func TestGeoJSON(t *testing.T) {
	m := mapSmall(t)
	fc := mapParseGeoJSON(t, []reports.Map{m})

	kinds := map[string]int{}
	for _, f := range fc.Features {
		if f.Type != "Feature" {
			t.Errorf("feature type %q", f.Type)
		}
		if f.Properties["map"] != 1.0 || f.Properties["map_title"] != m.Title {
			t.Errorf("feature of map %v %q", f.Properties["map"], f.Properties["map_title"])
		}
		kind := f.Properties["kind"].(string)
		kinds[kind]++
		switch kind {
		case "site":
			if f.Geometry.Type != "Point" {
				t.Errorf("site geometry %s", f.Geometry.Type)
			}
		case "wedge":
			rings := f.Geometry.Coordinates.polygon()
			if f.Geometry.Type != "Polygon" || len(rings) != 1 {
				t.Fatalf("wedge geometry %s with %d rings", f.Geometry.Type, len(rings))
			}
			ring := rings[0]
			if first, last := ring[0], ring[len(ring)-1]; first[0] != last[0] || first[1] != last[1] {
				t.Errorf("wedge %v: ring not closed", f.Properties["cell"])
			}
			if a := mapRingArea(ring); a <= 0 {
				t.Errorf("wedge %v: ring is clockwise (area %v)", f.Properties["cell"], a)
			}
		case "route":
			if f.Geometry.Type != "LineString" || len(f.Geometry.Coordinates.line()) < 2 {
				t.Errorf("route geometry %s", f.Geometry.Type)
			}
		case "event":
			if f.Geometry == nil && f.Properties["reason"] == nil {
				t.Errorf("event %v: no geometry and no reason", f.Properties["n"])
			}
		}
	}
	// Sites: the shared mast, the omni mast, the far (unused) mast.
	// Wedges: the three serving cells. Routes: B's (mast, omni, mast);
	// A's events placed stay on one mast. Events: all seven.
	want := map[string]int{"site": 3, "wedge": 3, "route": 1, "event": 7}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s features, want %d", kinds[k], k, n)
		}
	}
}

// mapRingArea returns the signed area of a ring in degrees squared:
// positive when anticlockwise.
func mapRingArea(ring [][]float64) float64 {
	a := 0.0
	for i := 0; i+1 < len(ring); i++ {
		a += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
	}
	return a / 2
}

// TestGeoJSONNeutralised checks that text that a spreadsheet would run is
// neutralised, while telephone numbers stay as they are.
func TestGeoJSONNeutralised(t *testing.T) {
	fc := mapParseGeoJSON(t, []reports.Map{mapSmall(t)})
	var seen []string
	for _, f := range fc.Features {
		for _, k := range []string{"site", "type", "target"} {
			if s, ok := f.Properties[k].(string); ok {
				seen = append(seen, s)
			}
		}
	}
	all := "\n" + strings.Join(seen, "\n") + "\n"
	for _, want := range []string{"\n'=HYPERLINK(\"http://x\")\n", "\n'-1+1\n", "\n+447700900202\n"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q among the text properties", strings.TrimSpace(want))
		}
	}
	if strings.Contains(all, "\n=") || strings.Contains(all, "\n-1+1") {
		t.Errorf("formula text left as it was")
	}
}

func TestGeoJSONGolden(t *testing.T) {
	var a, b bytes.Buffer
	maps := []reports.Map{mapSmall(t)}
	if err := reports.WriteGeoJSON(&a, maps); err != nil {
		t.Fatal(err)
	}
	if err := reports.WriteGeoJSON(&b, maps); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two exports of the same maps differ")
	}
	mapGolden(t, "small.geojson", a.Bytes())
}

// TestMapGeoJSON checks that one map's features alone are the lines of
// that map in the export of all the maps, numbered as there.
func TestMapGeoJSON(t *testing.T) {
	a := mapSmall(t)
	b := mapSmall(t)
	b.Title = "Timeline of +447700900101"
	maps := []reports.Map{a, b}
	var all bytes.Buffer
	if err := reports.WriteGeoJSON(&all, maps); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(all.String(), "\n")
	for i := range maps {
		var one bytes.Buffer
		if err := reports.WriteMapGeoJSON(&one, maps, i); err != nil {
			t.Fatal(err)
		}
		var fc mapFeatureCollection
		if err := json.Unmarshal(one.Bytes(), &fc); err != nil {
			t.Fatalf("map %d: GeoJSON does not parse: %v", i+1, err)
		}
		if len(fc.Features) == 0 {
			t.Fatalf("map %d: no features", i+1)
		}
		for _, f := range fc.Features {
			if f.Properties["map"] != float64(i+1) || f.Properties["map_title"] != maps[i].Title {
				t.Errorf("map %d: feature of map %v %q", i+1, f.Properties["map"], f.Properties["map_title"])
			}
		}
		for _, l := range strings.Split(one.String(), "\n")[1:] {
			l = strings.TrimSuffix(l, ",")
			if l == "" || l == "]}" {
				continue
			}
			found := false
			for _, al := range lines {
				if strings.TrimSuffix(al, ",") == l {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("map %d: feature not in the export of all maps: %.120s", i+1, l)
			}
		}
	}
	if err := reports.WriteMapGeoJSON(&bytes.Buffer{}, maps, 2); cellsite.KindOf(err) != cellsite.NotFound {
		t.Errorf("map 3 of 2: %v, want NotFound", err)
	}
}
