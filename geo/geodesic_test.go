package geo_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/geo"
)

type geodesic struct {
	kind       string
	p1, p2     geo.LatLon
	azi1, azi2 float64
	s12        float64
}

// geodesics returns the reference lines in testdata/geodsolve.txt.
func geodesics(t testing.TB) []geodesic {
	t.Helper()
	f, err := os.Open("testdata/geodsolve.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []geodesic
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		var g geodesic
		if _, err := fmt.Sscan(line, &g.kind, &g.p1.Lat, &g.p1.Lon, &g.p2.Lat, &g.p2.Lon,
			&g.azi1, &g.azi2, &g.s12); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("only %d reference geodesics", len(out))
	}
	return out
}

// Millimetre agreement everywhere, a tenth of a millimetre in the UK.
func distanceTol(kind string) float64 {
	if kind == "uk" {
		return 1e-4
	}
	return 1e-3
}

func TestDistanceReference(t *testing.T) {
	worst := map[string]float64{}
	for i, g := range geodesics(t) {
		t.Run(fmt.Sprintf("%s_%03d", g.kind, i), func(t *testing.T) {
			got := geo.Distance(g.p1, g.p2)
			d := math.Abs(got - g.s12)
			worst[g.kind] = math.Max(worst[g.kind], d)
			if d > distanceTol(g.kind) {
				t.Errorf("Distance(%v, %v) = %.6f; want %.6f (error %.3g m)", g.p1, g.p2, got, g.s12, d)
			}
			if back := geo.Distance(g.p2, g.p1); math.Abs(back-got) > 1e-6 {
				t.Errorf("Distance(%v, %v) = %.6f; reversed %.6f", g.p1, g.p2, got, back)
			}
		})
	}
	t.Logf("largest error: uk %.3g m, world %.3g m, antipodal %.3g m", worst["uk"], worst["world"], worst["antipodal"])
}

// offsetM returns how far apart two nearby positions are, in metres, using
// a local flat approximation (good to a part in a thousand).
func offsetM(a, b geo.LatLon) float64 {
	dLon := math.Remainder(math.Remainder(a.Lon, 360)-math.Remainder(b.Lon, 360), 360)
	dn := (a.Lat - b.Lat) * mPerDegLat
	de := dLon * mPerDegLon * math.Cos(b.Lat*math.Pi/180)
	return math.Hypot(dn, de)
}

func TestDestinationReference(t *testing.T) {
	worst := 0.0
	for i, g := range geodesics(t) {
		if math.Abs(g.p1.Lat) > 89.9 {
			continue // azimuths at the pole are not meaningful
		}
		t.Run(fmt.Sprintf("%s_%03d", g.kind, i), func(t *testing.T) {
			got := geo.Destination(g.p1, g.azi1, g.s12)
			d := offsetM(got, g.p2)
			worst = math.Max(worst, d)
			if d > 1e-3 {
				t.Errorf("Destination(%v, %.9f, %.6f) = %v; want %v (%.3g m away)", g.p1, g.azi1, g.s12, got, g.p2, d)
			}
		})
	}
	t.Logf("largest error: %.3g m", worst)
}

func TestDestinationDistanceRoundTrip(t *testing.T) {
	starts := []geo.LatLon{
		{Lat: 51.5074, Lon: -0.1278}, {Lat: 57.8135, Lon: -8.5785}, {Lat: 60.8, Lon: -0.8},
		{Lat: 49.9, Lon: -6.3}, {Lat: 0, Lon: 0}, {Lat: -45, Lon: 170},
	}
	for _, p := range starts {
		for _, bearing := range []float64{0, 37.5, 90, 179.9, 180, 250, 359.99} {
			for _, dist := range []float64{0.001, 1, 500, 12345.678, 250e3, 5000e3} {
				name := fmt.Sprintf("%v/%g/%g", p, bearing, dist)
				t.Run(name, func(t *testing.T) {
					q := geo.Destination(p, bearing, dist)
					if got := geo.Distance(p, q); math.Abs(got-dist) > 1e-6 {
						t.Errorf("Distance(p, Destination(p, %g, %g)) = %.9f", bearing, dist, got)
					}
					// Travelling backwards is travelling the reverse bearing.
					back := geo.Destination(p, bearing, -dist)
					rev := geo.Destination(p, bearing+180, dist)
					if d := offsetM(back, rev); d > 1e-6 {
						t.Errorf("Destination(p, %g, -%g) = %v; Destination(p, %g, %g) = %v", bearing, dist, back, bearing+180, dist, rev)
					}
				})
			}
		}
	}
}

func TestDistanceSpecialCases(t *testing.T) {
	p := geo.LatLon{Lat: 52.2, Lon: 0.12}
	tests := []struct {
		name string
		a, b geo.LatLon
		want float64
		tol  float64
	}{
		{"same point", p, p, 0, 0},
		{"same point, longitude wrapped", p, geo.LatLon{Lat: 52.2, Lon: 360.12}, 0, 1e-6},
		{"across the antimeridian", geo.LatLon{Lat: 0, Lon: 179.9995}, geo.LatLon{Lat: 0, Lon: -179.9995}, 111.319491, 1e-6},
		{"pole to pole", geo.LatLon{Lat: 90, Lon: 0}, geo.LatLon{Lat: -90, Lon: 0}, 20003931.458625, 1e-5},
		// On the equator, exactly opposite: the shortest way is over a pole.
		{"equatorial antipodes", geo.LatLon{Lat: 0, Lon: 0}, geo.LatLon{Lat: 0, Lon: 180}, 20003931.458625, 1e-3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := geo.Distance(tc.a, tc.b); math.Abs(got-tc.want) > tc.tol {
				t.Errorf("Distance(%v, %v) = %.6f; want %.6f", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestDestinationSpecialCases(t *testing.T) {
	p := geo.LatLon{Lat: 52.2, Lon: 0.12}
	if got := geo.Destination(p, 77, 0); offsetM(got, p) > 1e-9 {
		t.Errorf("Destination(p, 77, 0) = %v; want %v", got, p)
	}
	got := geo.Destination(geo.LatLon{Lat: 0, Lon: 179.9995}, 90, 111.319491)
	if d := offsetM(got, geo.LatLon{Lat: 0, Lon: -179.9995}); d > 1e-5 || got.Lon >= 180 || got.Lon < -180 {
		t.Errorf("Destination across the antimeridian = %v", got)
	}
}

func TestGeodesicNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	ok := geo.LatLon{Lat: 52, Lon: -1}
	bad := []geo.LatLon{{Lat: nan, Lon: 0}, {Lat: 52, Lon: nan}, {Lat: inf, Lon: 0}, {Lat: 52, Lon: -inf}, {Lat: 90.001, Lon: 0}}
	for _, p := range bad {
		t.Run(p.String(), func(t *testing.T) {
			if got := geo.Distance(p, ok); !math.IsNaN(got) {
				t.Errorf("Distance(%v, %v) = %v; want NaN", p, ok, got)
			}
			if got := geo.Distance(ok, p); !math.IsNaN(got) {
				t.Errorf("Distance(%v, %v) = %v; want NaN", ok, p, got)
			}
			if got := geo.Destination(p, 10, 100); !math.IsNaN(got.Lat) || !math.IsNaN(got.Lon) {
				t.Errorf("Destination(%v, 10, 100) = %v; want NaN", p, got)
			}
		})
	}
	for _, tc := range []struct{ bearing, dist float64 }{{nan, 100}, {10, nan}, {inf, 100}, {10, -inf}} {
		if got := geo.Destination(ok, tc.bearing, tc.dist); !math.IsNaN(got.Lat) || !math.IsNaN(got.Lon) {
			t.Errorf("Destination(%v, %v, %v) = %v; want NaN", ok, tc.bearing, tc.dist, got)
		}
	}
	if got := geo.GridDistance(geo.EN{E: nan, N: 0}, geo.EN{}); !math.IsNaN(got) {
		t.Errorf("GridDistance with NaN = %v; want NaN", got)
	}
}

func TestGridDistance(t *testing.T) {
	tests := []struct {
		a, b geo.EN
		want float64
	}{
		{geo.EN{E: 0, N: 0}, geo.EN{E: 3, N: 4}, 5},
		{geo.EN{E: 530000, N: 180000}, geo.EN{E: 530000, N: 180000}, 0},
		{geo.EN{E: 400000, N: 100000}, geo.EN{E: 401000, N: 99000}, math.Sqrt2 * 1000},
	}
	for _, tc := range tests {
		if got := geo.GridDistance(tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("GridDistance(%v, %v) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func BenchmarkDistance(b *testing.B) {
	p, q := geo.LatLon{Lat: 51.5074, Lon: -0.1278}, geo.LatLon{Lat: 53.4808, Lon: -2.2426}
	for b.Loop() {
		geo.Distance(p, q)
	}
}
