package analysis_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
)

// area returns a service area whose mast is distM metres from base at the
// given bearing.
func area(bearingDeg, distM, azimuthDeg, widthDeg, radiusM, backM float64) analysis.ServiceArea {
	return analysis.ServiceArea{Mast: geo.Destination(base, bearingDeg, distM), AzimuthDeg: azimuthDeg, WidthDeg: widthDeg, RadiusM: radiusM, BackRadiusM: backM}
}

func omni(a analysis.ServiceArea) analysis.ServiceArea {
	a.Omni = true
	return a
}

func TestServiceAreasOverlap(t *testing.T) {
	tests := []struct {
		name string
		a, b analysis.ServiceArea
		want bool
	}{
		{"two circles 1999 m apart, radii 1000 m", omni(area(0, 0, 0, 120, 1000, 10)), omni(area(90, 1999, 0, 120, 1000, 10)), true},
		{"two circles 2001 m apart, radii 1000 m", omni(area(0, 0, 0, 120, 1000, 10)), omni(area(90, 2001, 0, 120, 1000, 10)), false},
		{"facing sectors 3 km apart, radii 1.6 km", area(0, 0, 90, 120, 1600, 10), area(90, 3000, 270, 120, 1600, 10), true},
		{"facing sectors 3 km apart, radii 1.4 km", area(0, 0, 90, 120, 1400, 10), area(90, 3000, 270, 120, 1400, 10), false},
		{"back to back 1 km apart, discs of 200 m", area(0, 0, 270, 120, 2000, 200), area(90, 1000, 90, 120, 2000, 200), false},
		{"back to back 1 km apart, discs of 600 m", area(0, 0, 270, 120, 2000, 600), area(90, 1000, 90, 120, 2000, 600), true},
		// B's disc reaches A's sector, not A's mast: A points north; B,
		// 700 m east, points south, with a disc of 400 m; A's sector, 120°
		// wide, passes 350 m from B's mast (700 m × sin 30°).
		{"a disc meets a sector beside it", area(0, 0, 0, 120, 2000, 10), area(90, 700, 180, 120, 4000, 400), true},
		{"a disc short of a sector beside it", area(0, 0, 0, 120, 2000, 10), area(90, 700, 180, 120, 3000, 300), false},
		// Narrow sectors whose radii cross: A points north; B, 1.5 km east,
		// points north-west; neither contains the other's mast.
		{"narrow sectors that cross", area(0, 0, 0, 20, 3000, 1), area(90, 1500, 315, 20, 3000, 1), true},
		{"narrow sectors that would cross further out", area(0, 0, 0, 20, 1400, 1), area(90, 1500, 315, 20, 1400, 1), false},
		// Only radii cross: A points north, 60° wide, radius 5 km; B, 2 km
		// east and 1 km north, points west, 20° wide: with a radius of 1.8
		// km both its radii cross A's and its arc lies within A's sector;
		// with 1 km it stops short of A's.
		{"only radii cross", area(0, 0, 0, 60, 5000, 1), area(63.434949, 2236.068, 270, 20, 1800, 1), true},
		{"radii short of crossing", area(0, 0, 0, 60, 5000, 1), area(63.434949, 2236.068, 270, 20, 1000, 1), false},
		// A disc just beyond a sector's arc: A points east with radius 1
		// km; B, 1.1 km east, points east with a disc of 150 m (80 m).
		{"a disc beyond an arc", area(0, 0, 90, 120, 1000, 1), area(90, 1100, 90, 120, 3000, 150), true},
		{"a disc short of an arc", area(0, 0, 90, 120, 1000, 1), area(90, 1100, 90, 120, 3000, 80), false},
		// Facing sectors 1.9 km apart, 60° wide, radii 1 km: only the arcs
		// meet (the radii end 1148 m from the other mast).
		{"only the arcs meet", area(0, 0, 90, 60, 1000, 1), area(90, 1900, 270, 60, 1000, 1), true},
		// A's radii cross B's arc only: A points north, 2° wide, radius 3
		// km; B, 1 km east and 1.5 km north, points west, 90° wide: with a
		// radius of 1.1 km its arc reaches 100 m west of A's line, with
		// 970 m it stays 30 m east of it (where A's sector is 26 m wide).
		{"a radius crosses an arc", area(0, 0, 0, 2, 3000, 1), area(33.690068, 1802.7756, 270, 90, 1100, 1), true},
		{"a radius short of an arc", area(0, 0, 0, 2, 3000, 1), area(33.690068, 1802.7756, 270, 90, 970, 1), false},
		// The same, 1 km further north, with A's radius 3.5 km: the
		// crossings are beyond half A's radius.
		{"a radius crosses an arc far out", area(0, 0, 0, 2, 3500, 1), area(21.801409, 2692.582, 270, 90, 1100, 1), true},
		// A small circle just within, and just beyond, the edge of a 120°
		// sector pointing north.
		{"just within a sector's edge", area(0, 0, 0, 120, 2000, 1), omni(area(59.5, 1000, 0, 120, 1, 1)), true},
		{"just beyond a sector's edge", area(0, 0, 0, 120, 2000, 1), omni(area(60.5, 1000, 0, 120, 1, 1)), false},
		{"a circle and a sector pointing away 1 km off", omni(area(0, 0, 0, 120, 3000, 1)), area(90, 1000, 90, 120, 3000, 1), true},
		{"a circle and a sector pointing away 3.5 km off", omni(area(0, 0, 0, 120, 3000, 1)), area(90, 3500, 90, 120, 3000, 400), false},
		{"a width of 360 is a circle", area(0, 0, 270, 360, 3000, 1), area(90, 1000, 90, 60, 3000, 1), true},
		{"an azimuth that is not a number is a circle", area(0, 0, math.NaN(), 60, 3000, 1), area(90, 1000, 90, 60, 3000, 1), true},
		{"the same mast, opposite azimuths", area(0, 0, 0, 60, 1000, 1), area(0, 0, 180, 60, 1000, 1), true},
		{"across the antimeridian",
			analysis.ServiceArea{Mast: geo.LatLon{Lat: 0, Lon: 179.99}, AzimuthDeg: 90, WidthDeg: 60, RadiusM: 1500, BackRadiusM: 1},
			analysis.ServiceArea{Mast: geo.LatLon{Lat: 0, Lon: -179.99}, AzimuthDeg: 270, WidthDeg: 60, RadiusM: 1500, BackRadiusM: 1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := analysis.ServiceAreasOverlap(tc.a, tc.b); got != tc.want {
				t.Errorf("ServiceAreasOverlap(a, b) = %v, want %v", got, tc.want)
			}
			if got := analysis.ServiceAreasOverlap(tc.b, tc.a); got != tc.want {
				t.Errorf("ServiceAreasOverlap(b, a) = %v, want %v", got, tc.want)
			}
		})
	}
}

// planeArea is a service area on a flat projection about base, for
// TestServiceAreasOverlapSampled: its own geometry, sharing no code with
// the package's.
type planeArea struct {
	x, y, r, back, az, half float64
	full                    bool
}

// dist returns the distance from (px, py) to the area (0 inside).
func (a planeArea) dist(px, py float64) float64 {
	dx, dy := px-a.x, py-a.y
	n := math.Hypot(dx, dy)
	disc := math.Max(0, n-a.back)
	if a.full {
		return math.Min(disc, math.Max(0, n-a.r))
	}
	off := math.Abs(math.Mod(math.Atan2(dx, dy)*180/math.Pi-a.az+540, 360) - 180) // 0 to 180
	if off <= a.half || n == 0 {
		return math.Min(disc, math.Max(0, n-a.r))
	}
	// Outside the width: the nearest point is on one of the two radii.
	seg := func(bearing float64) float64 {
		ux, uy := math.Sin(bearing*math.Pi/180), math.Cos(bearing*math.Pi/180)
		t := math.Min(a.r, math.Max(0, dx*ux+dy*uy))
		return math.Hypot(dx-t*ux, dy-t*uy)
	}
	return math.Min(disc, math.Min(seg(a.az-a.half), seg(a.az+a.half)))
}

// TestServiceAreasOverlapSampled compares ServiceAreasOverlap with a grid
// of points on random pairs of areas within a few kilometres of each
// other. The grid's own flat projection differs from the function's by
// well under 0.5%, so a pair is decided only with a margin: it surely
// overlaps if a point of the grid lies in both areas shrunk by 1% (and
// 1° narrower); it surely does not if no point of the grid lies within
// one grid step of both areas grown by 1% (and 2° wider).
func TestServiceAreasOverlapSampled(t *testing.T) {
	cases := 300
	if testing.Short() {
		cases = 60
	}
	const step = 20.0
	sin, cos := math.Sincos(base.Lat * math.Pi / 180)
	w := 1 - 6.69437999014e-3*sin*sin
	ky := 6378137 * (1 - 6.69437999014e-3) / (w * math.Sqrt(w)) * math.Pi / 180
	kx := 6378137 / math.Sqrt(w) * cos * math.Pi / 180
	rng := rand.New(rand.NewPCG(3, 4))
	var yes, no int
	for n := range cases {
		var as [2]analysis.ServiceArea
		var ps [2]planeArea
		for k := range as {
			r := 200 + 2800*rng.Float64()
			a := analysis.ServiceArea{Mast: geo.Destination(base, 360*rng.Float64(), 3000*rng.Float64()),
				AzimuthDeg: 360 * rng.Float64(), WidthDeg: []float64{20, 65, 120, 180, 240, 359, 360}[rng.IntN(7)],
				RadiusM: r, BackRadiusM: r * []float64{0.01, 0.1, 0.3, 1}[rng.IntN(4)], Omni: rng.IntN(6) == 0}
			as[k] = a
			ps[k] = planeArea{x: (a.Mast.Lon - base.Lon) * kx, y: (a.Mast.Lat - base.Lat) * ky, r: a.RadiusM, back: a.BackRadiusM,
				az: a.AzimuthDeg, half: a.WidthDeg / 2, full: a.Omni || a.WidthDeg >= 360}
		}
		scale := func(p planeArea, f, dHalf float64) planeArea {
			p.r, p.back, p.half = p.r*f, p.back*f, math.Max(0, p.half+dHalf)
			return p
		}
		shrunk := [2]planeArea{scale(ps[0], 0.99, -0.5), scale(ps[1], 0.99, -0.5)}
		grown := [2]planeArea{scale(ps[0], 1.01, 1), scale(ps[1], 1.01, 1)}
		x0, x1 := math.Max(ps[0].x-ps[0].r, ps[1].x-ps[1].r)-2*step, math.Min(ps[0].x+ps[0].r, ps[1].x+ps[1].r)+2*step
		y0, y1 := math.Max(ps[0].y-ps[0].r, ps[1].y-ps[1].r)-2*step, math.Min(ps[0].y+ps[0].r, ps[1].y+ps[1].r)+2*step
		surely, near := false, false
		for x := x0; x <= x1 && !surely; x += step {
			for y := y0; y <= y1; y += step {
				if shrunk[0].dist(x, y) == 0 && shrunk[1].dist(x, y) == 0 {
					surely = true
					break
				}
				if grown[0].dist(x, y) <= step && grown[1].dist(x, y) <= step {
					near = true
				}
			}
		}
		got, back := analysis.ServiceAreasOverlap(as[0], as[1]), analysis.ServiceAreasOverlap(as[1], as[0])
		if got != back {
			t.Fatalf("case %d: not symmetric: %v one way, %v the other (%+v, %+v)", n, got, back, as[0], as[1])
		}
		switch {
		case surely:
			yes++
			if !got {
				t.Errorf("case %d: a point lies in both areas, yet no overlap: %+v, %+v", n, as[0], as[1])
			}
		case !near:
			no++
			if got {
				t.Errorf("case %d: no point near both areas, yet an overlap: %+v, %+v", n, as[0], as[1])
			}
		}
	}
	t.Logf("decided %d overlapping, %d apart of %d", yes, no, cases)
	if yes < cases/5 || no < cases/5 {
		t.Errorf("decided %d overlapping and %d apart of %d cases: the cases test too little", yes, no, cases)
	}
}

// TestColocateServiceArea checks basis "service-area" end to end: each
// cell's radius from its network's masts in the cell list (the k-th
// nearest distinct position more than 50 m away, among records valid when
// the cell's was, at most the maximum), together when the areas overlap,
// never apart when they do.
func TestColocateServiceArea(t *testing.T) {
	// A's cell at base points east; its network's other masts: 30 m away
	// (the same site), 400, 900 (twice: two cells of one mast) and 1500 m
	// away; another network's mast 100 m away does not count, nor a mast
	// 300 m away taken down before A's cell was put up.
	a := sectorCell("234-10-1", 0, 0, 90, 65, false)
	a.ValidFrom = t0.Add(-time.Hour)
	gone := sectorCell("234-10-7", 100, 300, 0, 0, false)
	gone.ValidTo = t0.Add(-24 * time.Hour)
	list := []cellsite.Cell{a, gone,
		sectorCell("234-10-2", 10, 30, 0, 0, false),
		sectorCell("234-10-3", 200, 400, 0, 0, false),
		sectorCell("234-10-4", 300, 900, 0, 0, false),
		sectorCell("234-10-5", 300, 900, 120, 0, false),
		sectorCell("234-10-6", 20, 1500, 0, 0, false),
		sectorCell("234-20-9", 180, 100, 0, 0, false),
	}
	// B's cell, 1.7 km east, points west; its network's other masts are
	// 800 and 1200 m from it, and 1703 m (234-20-9).
	b := sectorCell("234-20-1", 90, 1700, 270, 65, false)
	at := func(key string, bearingDeg, distM float64) cellsite.Cell {
		p := geo.Destination(geo.LatLon{Lat: b.Lat, Lon: b.Lon}, bearingDeg, distM)
		return cellsite.Cell{Key: key, Lat: p.Lat, Lon: p.Lon}
	}
	list = append(list, b, at("234-20-2", 90, 800), at("234-20-3", 0, 1200))
	ix := analysis.NewCellIndex(list)
	events := []analysis.Located{located(phoneA, 1, 0, a, "voice"), located(phoneB, 1, 60, b, "voice")}
	third := geo.Distance(geo.LatLon{Lat: b.Lat, Lon: b.Lon}, geo.Destination(base, 180, 100))
	tests := []struct {
		name     string
		cells    *analysis.CellIndex
		p        analysis.ColocationParams
		together bool
		radiusA  float64
		radiusB  float64
	}{
		// 900 + 1200 ≥ 1700, and the sectors face each other.
		{"second neighbour (default)", ix, analysis.ColocationParams{}, true, 900, 1200},
		// 400 + 800 < 1700.
		{"first neighbour", ix, analysis.ColocationParams{AreaNeighbour: 1}, false, 0, 0},
		{"third neighbour", ix, analysis.ColocationParams{AreaNeighbour: 3}, true, 1500, third},
		{"fewer masts than the neighbour asked for", ix, analysis.ColocationParams{AreaNeighbour: 4}, true, 35000, 35000},
		{"the maximum radius", ix, analysis.ColocationParams{AreaNeighbour: 3, AreaMaxRadiusM: 1000}, true, 1000, 1000},
		// Without a cell list, the only masts are the events' own: one on
		// each network.
		{"no cell list", nil, analysis.ColocationParams{AreaMaxRadiusM: 5000}, true, 5000, 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.Basis = analysis.BasisServiceArea
			got := analysis.Colocate(events, []string{phoneA, phoneB}, tc.cells, tc.p)
			if (len(got.Together) == 1) != tc.together || len(got.Apart) != 0 {
				t.Fatalf("together %d (want %v), apart %d", len(got.Together), tc.together, len(got.Apart))
			}
			if !tc.together {
				return
			}
			ep := got.Together[0]
			if ra, rb := float64(ep.EventsA[0].AreaRadiusM), float64(ep.EventsB[0].AreaRadiusM); math.Abs(ra-tc.radiusA) > 0.01 || math.Abs(rb-tc.radiusB) > 0.01 {
				t.Errorf("radii %.2f and %.2f m, want %.2f and %.2f", ra, rb, tc.radiusA, tc.radiusB)
			}
		})
	}

	t.Run("areas that overlap are not apart", func(t *testing.T) {
		// Alone on its network, the far cell takes the maximum radius.
		far := sectorCell("234-15-5", 90, 12000, 270, 65, false)
		events := []analysis.Located{located(phoneA, 1, 0, a, "voice"), located(phoneB, 1, 60, far, "voice")}
		for _, tc := range []struct {
			maxM            float64
			together, apart int
		}{
			{35000, 1, 0},
			{5000, 0, 1}, // 900 + 5000 < 12000
		} {
			got := analysis.Colocate(events, []string{phoneA, phoneB}, ix, analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaMaxRadiusM: tc.maxM})
			if len(got.Together) != tc.together || len(got.Apart) != tc.apart {
				t.Errorf("maximum %v m: together %d, apart %d; want %d, %d", tc.maxM, len(got.Together), len(got.Apart), tc.together, tc.apart)
			}
		}
	})

	t.Run("back to back, near", func(t *testing.T) {
		// A cell at base points west (radius 400 m: the mast taken down
		// counts for a cell without dates), one 200 m east points east
		// (radius 1500 m): the discs of 0.1 of the radii reach 190 m, not
		// 200; with a back fraction of 0.5 they do.
		awayA := sectorCell("234-10-8", 0, 0, 270, 65, false)
		awayB := sectorCell("234-20-8", 90, 200, 90, 65, false)
		cells := analysis.NewCellIndex(append(slices.Clone(list), awayA, awayB))
		events := []analysis.Located{located(phoneA, 1, 0, awayA, "voice"), located(phoneB, 1, 60, awayB, "voice")}
		for _, tc := range []struct {
			back float64
			want int
		}{{0, 0}, {0.5, 1}} {
			got := analysis.Colocate(events, []string{phoneA, phoneB}, cells, analysis.ColocationParams{Basis: analysis.BasisServiceArea, AreaBackFraction: tc.back})
			if len(got.Together) != tc.want {
				t.Errorf("back fraction %v: together %d, want %d", tc.back, len(got.Together), tc.want)
			}
		}
	})
}

// BenchmarkServiceRadii measures finding the service radius of 2,000
// cells among 20,000 masts of one network, as a national cell list holds.
func BenchmarkServiceRadii(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	var list []cellsite.Cell
	for n := range 20000 {
		p := geo.Destination(ukTowns[n%len(ukTowns)], 360*rng.Float64(), 60000*math.Sqrt(rng.Float64()))
		list = append(list, cellsite.Cell{Key: fmt.Sprintf("234-30-%d", n), Lat: p.Lat, Lon: p.Lon, AzimuthDeg: float64(rng.IntN(360))})
	}
	ix := analysis.NewCellIndex(list)
	var events []analysis.Located
	for n := range 2000 {
		events = append(events, located([]string{phoneA, phoneB}[n%2], n, int64(n)*7200, list[rng.IntN(len(list))], "voice"))
	}
	p := analysis.ColocationParams{Basis: analysis.BasisServiceArea}
	for b.Loop() {
		analysis.Colocate(events, []string{phoneA, phoneB}, ix, p)
	}
}
