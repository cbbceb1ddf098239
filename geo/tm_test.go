package geo_test

import (
	"math"
	"testing"

	"github.com/cellsite/cellsite/geo"
)

// Reference convergence and scale factor of the National Grid projection on
// GRS80 (true origin 49°N 2°W, scale 0.9996012717), computed with
// GeographicLib 2.1.2's exact transverse Mercator:
//
//	TransverseMercatorProj -k 0.9996012717 -l -2 -e 6378137 0.003352810681 -p 9
var tmReference = []struct {
	name        string
	p           geo.LatLon
	gamma, k    float64
	approxGamma float64 // rounded, to show the sign at a glance
}{
	{"central meridian", geo.LatLon{Lat: 51.5, Lon: -2}, 0, 0.9996012717, 0},
	{"London", geo.LatLon{Lat: 51.5, Lon: -0.1276}, 1.465559255747933, 0.999808648301013, 1.47},
	{"Suffolk coast", geo.LatLon{Lat: 51.5, Lon: 1.75}, 2.936417490133173, 1.000432961843705, 2.94},
	{"St Kilda", geo.LatLon{Lat: 57.8135, Lon: -8.5785}, -5.574486307300992, 1.001471329989481, -5.57},
	{"Shetland", geo.LatLon{Lat: 60.15, Lon: -1.15}, 0.737245182490328, 0.999628567072744, 0.74},
	{"Scilly", geo.LatLon{Lat: 49.9, Lon: -6.3}, -3.291746327737365, 1.000772330484671, -3.29},
	{"Edinburgh", geo.LatLon{Lat: 55.95, Lon: -3.19}, -0.986018358671539, 0.999669002976002, -0.99},
	{"Channel, 2°E", geo.LatLon{Lat: 50, Lon: 2}, 3.066252300014665, 1.000610428926567, 3.07},
	{"Pembrokeshire", geo.LatLon{Lat: 52, Lon: -5}, -2.364857471101332, 1.000121896073338, -2.36},
	{"Caithness", geo.LatLon{Lat: 58.5, Lon: -3}, -0.852663930453098, 0.999642910936388, -0.85},
	{"north of Unst", geo.LatLon{Lat: 60.8, Lon: -0.8}, 1.047543121152107, 0.999653531772421, 1.05},
}

func TestConvergence(t *testing.T) {
	for _, tc := range tmReference {
		t.Run(tc.name, func(t *testing.T) {
			got := geo.Convergence(tc.p)
			if math.Abs(got-tc.gamma) > 1e-9 {
				t.Errorf("Convergence(%v) = %.10f; want %.10f", tc.p, got, tc.gamma)
			}
			if math.Abs(got-tc.approxGamma) > 0.005 {
				t.Errorf("Convergence(%v) = %.4f; want about %.2f", tc.p, got, tc.approxGamma)
			}
		})
	}
}

// Convergence agrees with the textbook spherical formula
// γ = atan(tan Δλ · sin φ), from which the ellipsoid departs by well under
// 0.001° in Great Britain.
func TestConvergenceSphericalFormula(t *testing.T) {
	for lat := 49.5; lat <= 61; lat += 0.5 {
		for lon := -9.0; lon <= 2.5; lon += 0.5 {
			p := geo.LatLon{Lat: lat, Lon: lon}
			dl := (lon + 2) * math.Pi / 180
			want := math.Atan(math.Tan(dl)*math.Sin(lat*math.Pi/180)) * 180 / math.Pi
			if got := geo.Convergence(p); math.Abs(got-want) > 0.001 {
				t.Errorf("Convergence(%v) = %.6f; spherical formula gives %.6f", p, got, want)
			}
		}
	}
}

// Convergence is the angle between true north and grid north as drawn by
// ToGrid: a short step due north from p lands at grid bearing -γ. OSTN15's
// own slight twist of the grid is within the tolerance.
func TestConvergenceMatchesGrid(t *testing.T) {
	for _, tc := range tmReference {
		t.Run(tc.name, func(t *testing.T) {
			a, err := geo.ToGrid(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			b, err := geo.ToGrid(geo.LatLon{Lat: tc.p.Lat + 0.001, Lon: tc.p.Lon})
			if err != nil {
				t.Fatal(err)
			}
			gridBearing := math.Atan2(b.E-a.E, b.N-a.N) * 180 / math.Pi
			if got := geo.Convergence(tc.p); math.Abs(got+gridBearing) > 0.005 {
				t.Errorf("Convergence(%v) = %.5f; true north runs at grid bearing %.5f", tc.p, got, gridBearing)
			}
		})
	}
}

func TestConvergenceSign(t *testing.T) {
	tests := []struct {
		name string
		p    geo.LatLon
		sign float64
	}{
		{"west of 2°W", geo.LatLon{Lat: 53, Lon: -4}, -1},
		{"east of 2°W", geo.LatLon{Lat: 53, Lon: 0}, 1},
		{"on 2°W", geo.LatLon{Lat: 53, Lon: -2}, 0},
		{"on 2°W in the far north", geo.LatLon{Lat: 60.5, Lon: -2}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := geo.Convergence(tc.p)
			switch {
			case tc.sign == 0 && got != 0,
				tc.sign > 0 && !(got > 0),
				tc.sign < 0 && !(got < 0):
				t.Errorf("Convergence(%v) = %v; want sign %v", tc.p, got, tc.sign)
			}
		})
	}
}

func TestScaleFactor(t *testing.T) {
	for _, tc := range tmReference {
		t.Run(tc.name, func(t *testing.T) {
			if got := geo.ScaleFactor(tc.p); math.Abs(got-tc.k) > 1e-12 {
				t.Errorf("ScaleFactor(%v) = %.12f; want %.12f", tc.p, got, tc.k)
			}
		})
	}
}

// The scale factor is the ratio of grid to ground distance over a short
// line; OSTN15's own stretch of the grid is within the tolerance.
func TestScaleFactorMatchesGrid(t *testing.T) {
	for _, tc := range tmReference {
		t.Run(tc.name, func(t *testing.T) {
			q := geo.Destination(tc.p, 45, 200)
			a, err := geo.ToGrid(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			b, err := geo.ToGrid(q)
			if err != nil {
				t.Fatal(err)
			}
			ratio := geo.GridDistance(a, b) / 200
			if got := geo.ScaleFactor(tc.p); math.Abs(got-ratio) > 1e-4 {
				t.Errorf("ScaleFactor(%v) = %.7f; grid/ground ratio %.7f", tc.p, got, ratio)
			}
		})
	}
}

func TestTrueToGridBearing(t *testing.T) {
	london := geo.LatLon{Lat: 51.5, Lon: -0.1276} // convergence +1.4656°
	stKilda := geo.LatLon{Lat: 57.8135, Lon: -8.5785}
	tests := []struct {
		name    string
		p       geo.LatLon
		trueDeg float64
		want    float64
	}{
		{"central meridian unchanged", geo.LatLon{Lat: 52, Lon: -2}, 123.25, 123.25},
		{"east: true north is west of grid north", london, 0, 360 - 1.465559255747933},
		{"east: due east", london, 90, 90 - 1.465559255747933},
		{"west: due north", stKilda, 0, 5.574486307300992},
		{"west: wraps past 360", stKilda, 358, 3.574486307300992},
		{"input 360 is north", london, 360, 360 - 1.465559255747933},
		{"negative input", london, -90, 270 - 1.465559255747933},
		{"large input", london, 720 + 10, 10 - 1.465559255747933},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := geo.TrueToGridBearing(tc.p, tc.trueDeg)
			if math.Abs(got-tc.want) > 1e-7 {
				t.Errorf("TrueToGridBearing(%v, %v) = %.9f; want %.9f", tc.p, tc.trueDeg, got, tc.want)
			}
			if !(got >= 0 && got < 360) {
				t.Errorf("TrueToGridBearing(%v, %v) = %v; want it in [0, 360)", tc.p, tc.trueDeg, got)
			}
		})
	}
	// On the central meridian a bearing of exactly 0 stays 0, not 360.
	if got := geo.TrueToGridBearing(geo.LatLon{Lat: 52, Lon: -2}, 0); got != 0 {
		t.Errorf("TrueToGridBearing on 2°W of 0 = %v; want 0", got)
	}
	// A tiny negative result wraps into range rather than to 360.
	if got := geo.TrueToGridBearing(geo.LatLon{Lat: 52, Lon: -1.9999999}, 0); !(got >= 0 && got < 360) {
		t.Errorf("TrueToGridBearing just east of 2°W = %v; want it in [0, 360)", got)
	}
}

func TestProjectionNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, p := range []geo.LatLon{{Lat: nan, Lon: 0}, {Lat: 52, Lon: nan}, {Lat: inf, Lon: 0}, {Lat: 52, Lon: -inf}} {
		if got := geo.Convergence(p); !math.IsNaN(got) {
			t.Errorf("Convergence(%v) = %v; want NaN", p, got)
		}
		if got := geo.ScaleFactor(p); !math.IsNaN(got) {
			t.Errorf("ScaleFactor(%v) = %v; want NaN", p, got)
		}
		if got := geo.TrueToGridBearing(p, 10); !math.IsNaN(got) {
			t.Errorf("TrueToGridBearing(%v, 10) = %v; want NaN", p, got)
		}
	}
	if got := geo.TrueToGridBearing(geo.LatLon{Lat: 52, Lon: -1}, nan); !math.IsNaN(got) {
		t.Errorf("TrueToGridBearing(_, NaN) = %v; want NaN", got)
	}
}
