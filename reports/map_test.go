package reports_test

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/reports"
)

func init() {
	// Golden files are rewritten with -update; another test file of the
	// package may declare the flag first.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

// mapGolden compares got with the golden file name in the maps' test data,
// rewriting it with -update. A missing golden file fails.
func mapGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(mapTestdata, name)
	if flag.Lookup("update").Value.String() == "true" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func TestRowList(t *testing.T) {
	for _, tc := range []struct {
		rows []int
		want string
	}{
		{nil, ""},
		{[]int{7}, "7"},
		{[]int{3, 4}, "3, 4"},
		{[]int{3, 5, 6, 7, 8, 9, 12}, "3, 5–9, 12"},
		{[]int{1, 2, 3, 10, 11, 20}, "1–3, 10, 11, 20"},
	} {
		if got := reports.RowList(tc.rows); got != tc.want {
			t.Errorf("RowList(%v) = %q, want %q", tc.rows, got, tc.want)
		}
	}
}

// mapCell returns a directional cell at p.
func mapTestCell(t testing.TB, key string, p geo.LatLon, azimuth, beamwidth float64) cellsite.Cell {
	c := cellsite.Cell{Key: key, Site: "Site " + key, Lat: p.Lat, Lon: p.Lon, AzimuthDeg: azimuth, BeamwidthDeg: beamwidth}
	mapSetGrid(t, &c)
	return c
}

// mapOneCell returns a map of one event on one cell.
func mapOneCell(c cellsite.Cell, radiusM float64) reports.Map {
	return reports.Map{
		Title:        "One cell",
		Events:       []reports.MapEvent{{N: 1, Target: "+447700900101", Time: mapT0, Cell: c.Key}},
		Cells:        []cellsite.Cell{c},
		WedgeRadiusM: radiusM,
	}
}

// TestMapWedgeBearing checks that a wedge points along the cell's
// azimuth turned to grid north: on the page, east of the central meridian
// (Brighton) and west of it (Penzance), it meets the point that lies at
// the wedge's length along the true azimuth on the ellipsoid.
func TestMapWedgeBearing(t *testing.T) {
	for _, place := range []struct {
		name string
		at   geo.LatLon
	}{
		{"Brighton", geo.LatLon{Lat: 50.8225, Lon: -0.1372}},
		{"Leeds", geo.LatLon{Lat: 53.7997, Lon: -1.5492}},
		{"Penzance", geo.LatLon{Lat: 50.1188, Lon: -5.5371}},
	} {
		conv := geo.Convergence(place.at)
		for _, az := range []float64{0, 45, 90, 180, 270, 359} {
			c := mapTestCell(t, "234-10-1", place.at, az, 60)
			g := reports.MapGeometry(mapOneCell(c, 1000))
			if len(g.Wedges) != 1 {
				t.Fatalf("%s az %v: %d wedges", place.name, az, len(g.Wedges))
			}
			w := g.Wedges[0]
			want := math.Mod(az-conv+360, 360)
			if d := mapAngleDiff(w.BearingDeg, want); d > 1e-9 {
				t.Errorf("%s az %v: grid bearing %v, want %v", place.name, az, w.BearingDeg, want)
			}
			// The arc's middle point, seen from the mast on the page
			// (y grows downwards).
			mid := w.Points[1+(len(w.Points)-1)/2]
			dx, dy := mid[0]-w.X, mid[1]-w.Y
			if d := mapAngleDiff(math.Atan2(dx, -dy)*180/math.Pi, want); d > 1e-6 {
				t.Errorf("%s az %v: wedge drawn towards %v°, want %v°", place.name, az, math.Atan2(dx, -dy)*180/math.Pi, want)
			}
			// Independently: the point 1000 m along the true azimuth.
			tip, err := geo.ToGrid(geo.Destination(place.at, az, 1000))
			if err != nil {
				t.Fatal(err)
			}
			tx := w.X + (tip.E-c.Easting)*g.MMPerM
			ty := w.Y - (tip.N-c.Northing)*g.MMPerM
			if d := math.Hypot(tx-mid[0], ty-mid[1]) / g.MMPerM; d > 0.5 {
				t.Errorf("%s az %v: wedge tip %.2f m from the true bearing's point", place.name, az, d)
			}
		}
		// Which way the page turns: azimuth 0 points up, 90 right.
		g0 := reports.MapGeometry(mapOneCell(mapTestCell(t, "k", place.at, 0, 30), 1000)).Wedges[0]
		g90 := reports.MapGeometry(mapOneCell(mapTestCell(t, "k", place.at, 90, 30), 1000)).Wedges[0]
		if mid := g0.Points[len(g0.Points)/2]; !(mid[1] < g0.Y-5) {
			t.Errorf("%s: azimuth 0 is not drawn upwards: mast %v,%v, arc %v", place.name, g0.X, g0.Y, mid)
		}
		if mid := g90.Points[len(g90.Points)/2]; !(mid[0] > g90.X+5) {
			t.Errorf("%s: azimuth 90 is not drawn to the right: mast %v,%v, arc %v", place.name, g90.X, g90.Y, mid)
		}
	}
}

func mapAngleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	return min(d, 360-d)
}

// TestMapScale checks the page scale against the stated ratio, the scale
// bar and the grid interval.
func TestMapScale(t *testing.T) {
	for _, m := range mapFixture(t) {
		g := reports.MapGeometry(m)
		if !g.Drawn {
			t.Fatalf("%s: not drawn", m.Title)
		}
		// 1:D means one metre on the ground is 1000/D mm on the page.
		if got, want := g.MMPerM, 1000/g.Denominator; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: %v mm per metre at 1:%v, want %v", m.Title, got, g.Denominator, want)
		}
		if got, want := g.BarMM, g.BarM*g.MMPerM; math.Abs(got-want) > 1e-9 || got < 15 || got > 45 {
			t.Errorf("%s: scale bar %v mm for %v m at 1:%v", m.Title, got, g.BarM, g.Denominator)
		}
		if n := len(g.GridEastings); n < 3 || n > 9 {
			t.Errorf("%s: %d grid lines across (every %v m)", m.Title, n, g.GridM)
		}
		for _, e := range g.GridEastings {
			if math.Mod(e, g.GridM) != 0 {
				t.Errorf("%s: grid line at %v, interval %v", m.Title, e, g.GridM)
			}
		}
		for _, w := range g.Wedges {
			if got, want := w.RadiusMM, w.RadiusM*g.MMPerM; math.Abs(got-want) > 0.002*want {
				t.Errorf("%s: wedge %s %v mm for %v m", m.Title, w.Cell, got, w.RadiusM)
			}
			for _, p := range w.Points {
				if f := reports.MapFrame; p[0] < f[0] || p[0] > f[2] || p[1] < f[1] || p[1] > f[3] {
					t.Errorf("%s: wedge %s leaves the frame at %v", m.Title, w.Cell, p)
				}
			}
		}
	}
}

// TestMapWedgeLength checks the automatic wedge length: a share of the
// distance to the nearest other mast, within bounds.
func TestMapWedgeLength(t *testing.T) {
	at := geo.LatLon{Lat: 53.8, Lon: -1.55}
	for _, tc := range []struct {
		name   string
		otherM float64 // distance east to a second site; 0: none
		fixed  float64
		want   float64
	}{
		{"alone", 0, 0, reports.WedgeLoneM},
		{"1 km", 1000, 0, 600},
		{"near", 200, 0, reports.WedgeMinM},
		{"same site", 30, 0, reports.WedgeLoneM},
		{"far", 20000, 0, reports.WedgeMaxM},
		{"fixed", 1000, 800, 800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mapOneCell(mapTestCell(t, "a", at, 90, 65), tc.fixed)
			if tc.otherM > 0 {
				m.Cells = append(m.Cells, mapTestCell(t, "b", geo.Destination(at, 90, tc.otherM), 0, 65))
			}
			g := reports.MapGeometry(m)
			if got := g.Wedges[0].RadiusM; math.Abs(got-tc.want) > 10 {
				t.Errorf("wedge length %v m, want %v", got, tc.want)
			}
		})
	}
}

// TestMapCellValidity checks that an event is placed by the record of its
// cell that was valid at its time, and that events with no such record,
// or no cell, are listed rather than placed.
func TestMapCellValidity(t *testing.T) {
	switchAt := mapT0.Add(time.Hour)
	oldSite := mapTestCell(t, "234-10-7", geo.LatLon{Lat: 53.80, Lon: -1.55}, 0, 65)
	oldSite.ValidTo = switchAt
	newSite := mapTestCell(t, "234-10-7", geo.LatLon{Lat: 53.81, Lon: -1.50}, 180, 65)
	newSite.ValidFrom = switchAt
	gone := mapTestCell(t, "234-10-8", geo.LatLon{Lat: 53.80, Lon: -1.52}, 90, 65)
	gone.ValidTo = mapT0
	m := reports.Map{
		Title: "Re-planned cell",
		Events: []reports.MapEvent{
			{N: 1, Target: "+447700900101", Time: mapT0, Cell: "234-10-7"},
			{N: 2, Target: "+447700900101", Time: switchAt.Add(time.Minute), Cell: "234-10-7"},
			{N: 3, Target: "+447700900101", Time: switchAt.Add(2 * time.Minute), Cell: "234-10-8"},
			{N: 4, Target: "+447700900101", Time: switchAt.Add(3 * time.Minute), Cell: ""},
			{N: 5, Target: "+447700900101", Time: switchAt.Add(4 * time.Minute), Cell: "234-10-9"},
		},
		Cells: []cellsite.Cell{oldSite, newSite, gone},
	}
	fc := mapParseGeoJSON(t, []reports.Map{m})
	got := map[float64][]any{}
	for _, f := range fc.Features {
		if f.Properties["kind"] != "event" {
			continue
		}
		n := f.Properties["n"].(float64)
		if f.Geometry == nil {
			got[n] = []any{f.Properties["reason"]}
			continue
		}
		got[n] = []any{math.Round(f.Geometry.Coordinates.point()[1]*100) / 100}
	}
	want := map[float64][]any{
		1: {53.80},
		2: {53.81},
		3: {"cell not in the cell list at the time"},
		4: {"no cell"},
		5: {"cell not in the cell list at the time"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
