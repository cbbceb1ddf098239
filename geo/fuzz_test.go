package geo_test

import (
	"errors"
	"math"
	"testing"

	"github.com/cellsite/cellsite/geo"
)

// Near the grid's edges ToGrid and FromGrid may disagree by up to about
// 11 mm about which side of the edge a position is (see roundTripTol), so a
// position within edgeBand of the edge may convert one way but not back.
const edgeBand = 0.02

func knownError(err error) bool {
	return errors.Is(err, geo.ErrOutsideGrid) || errors.Is(err, geo.ErrInvalidCoordinate)
}

// nearLatLonEdge reports whether ToGrid refuses some position within
// edgeBand of p.
func nearLatLonEdge(p geo.LatLon) bool {
	for _, b := range []float64{0, 90, 180, 270} {
		if _, err := geo.ToGrid(geo.Destination(p, b, edgeBand)); err != nil {
			return true
		}
	}
	return false
}

// nearGridEdge reports whether FromGrid refuses some position within
// edgeBand of g.
func nearGridEdge(g geo.EN) bool {
	for _, d := range []geo.EN{{E: edgeBand}, {E: -edgeBand}, {N: edgeBand}, {N: -edgeBand}} {
		if _, err := geo.FromGrid(geo.EN{E: g.E + d.E, N: g.N + d.N}); err != nil {
			return true
		}
	}
	return false
}

func FuzzToGrid(f *testing.F) {
	for _, s := range [][2]float64{
		{51.48936564950, -0.11992557180},    // TP09
		{57.81351838410, -8.57854456076},    // TP31, far west
		{60.13308091660, -2.07382822798},    // TP40, far north
		{49.92226393730, -6.29977752014},    // TP01, far south-west
		{49.766335923, -7.555798373},        // near the south-west corner
		{61.017288355, 3.554198580},         // near the north-east corner
		{48.8566, 2.3522},                   // outside
		{math.NaN(), 0}, {52, math.Inf(-1)}, // invalid
		{90, 0}, {-90, 180}, {52, 1e300}, {55, 1080}, {52, 1.2698412698412697e+298},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, lat, lon float64) {
		checkToGrid(t, geo.LatLon{Lat: lat, Lon: lon})
		// Most inputs are far from Britain: fold them onto the grid and
		// its surroundings too.
		checkToGrid(t, geo.LatLon{Lat: fold(lat, 49, 62), Lon: fold(lon, -10.5, 4)})
	})
}

// fold maps x onto [lo, hi), leaving non-finite values as they are.
func fold(x, lo, hi float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	return lo + math.Mod(math.Abs(x), hi-lo)
}

func checkToGrid(t *testing.T, p geo.LatLon) {
	t.Helper()
	g, err := geo.ToGrid(p)
	if err != nil {
		if !knownError(err) {
			t.Fatalf("ToGrid(%v): unexpected error %v", p, err)
		}
		return
	}
	if math.IsNaN(g.E) || math.IsNaN(g.N) || math.IsInf(g.E, 0) || math.IsInf(g.N, 0) {
		t.Fatalf("ToGrid(%v) = %v without error", p, g)
	}
	back, err := geo.FromGrid(g)
	if err != nil {
		if errors.Is(err, geo.ErrOutsideGrid) && nearLatLonEdge(p) {
			return
		}
		t.Fatalf("FromGrid(ToGrid(%v)) = FromGrid(%v): %v", p, g, err)
	}
	if d, tol := offsetM(back, p), roundTripTol(g.E); d > tol {
		t.Fatalf("FromGrid(ToGrid(%v)) = %v, %.4f m away (tolerance %.4f m)", p, back, d, tol)
	}
}

func FuzzFromGrid(f *testing.F) {
	for _, s := range [][2]float64{
		{530624.974, 178388.464}, // TP09
		{9587.906, 899449.000},   // TP31, far west
		{395999.668, 1138728.951},
		{100.001, -60.001}, {700100, -60}, {100, 1249940}, {700100, 1249940}, // corners
		{-1000, 5}, {1e300, -1e300}, {0, 0}, {700000, 1250000},
		{math.NaN(), 0}, {0, math.Inf(1)},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, e, n float64) {
		checkFromGrid(t, geo.EN{E: e, N: n})
		checkFromGrid(t, geo.EN{E: fold(e, -500, 700500), N: fold(n, -500, 1250500)})
	})
}

func checkFromGrid(t *testing.T, g geo.EN) {
	t.Helper()
	p, err := geo.FromGrid(g)
	if err != nil {
		if !knownError(err) {
			t.Fatalf("FromGrid(%v): unexpected error %v", g, err)
		}
		return
	}
	if !(math.Abs(p.Lat) <= 90) || !(math.Abs(p.Lon) <= 180) {
		t.Fatalf("FromGrid(%v) = %v without error", g, p)
	}
	back, err := geo.ToGrid(p)
	if err != nil {
		if errors.Is(err, geo.ErrOutsideGrid) && nearGridEdge(g) {
			return
		}
		t.Fatalf("ToGrid(FromGrid(%v)) = ToGrid(%v): %v", g, p, err)
	}
	if d, tol := geo.GridDistance(back, g), roundTripTol(g.E); d > tol {
		t.Fatalf("ToGrid(FromGrid(%v)) = %v, %.4f m away (tolerance %.4f m)", g, back, d, tol)
	}
}
