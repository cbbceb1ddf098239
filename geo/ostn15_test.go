package geo_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/geo"
)

// The Ordnance Survey's published OSTN15 test files.
const osTestDir = "../testdata/ostn15"

// Metres per degree of latitude, and of longitude at the equator, rounded up
// so that converting an angular error to metres never understates it.
const (
	mPerDegLat = 111700.0
	mPerDegLon = 111400.0
)

// readCSV returns the comma-separated records of an OS test file, without
// its header line, blank lines or surrounding white space.
func readCSV(t testing.TB, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(osTestDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if header {
			header = false
			continue
		}
		if line == "" {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func num(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

// osPoint is one OS test point: its input, the expected output, and whether
// the OS marks it as outside the transformation (datum flag 0).
type osPoint struct {
	id      string
	ll      geo.LatLon
	en      geo.EN
	outside bool
}

// etrsToOSGB pairs TestInput_ETRStoOSGB with TestOutput_ETRStoOSGB.
func etrsToOSGB(t testing.TB) []osPoint {
	t.Helper()
	in := readCSV(t, "OSTN15_OSGM15_TestInput_ETRStoOSGB.txt")
	out := map[string][]string{}
	for _, r := range readCSV(t, "OSTN15_OSGM15_TestOutput_ETRStoOSGB.txt") {
		out[r[0]] = r // PointID,OSGBEast,OSGBNorth,ODNHeight,OSGBDatumFlag,...
	}
	var pts []osPoint
	for _, r := range in { // PointID,Lat,Lon,Height
		o, ok := out[r[0]]
		if !ok {
			t.Fatalf("%s: no expected result", r[0])
		}
		pts = append(pts, osPoint{
			id:      r[0],
			ll:      geo.LatLon{Lat: num(t, r[1]), Lon: num(t, r[2])},
			en:      geo.EN{E: num(t, o[1]), N: num(t, o[2])},
			outside: o[4] == "0",
		})
	}
	return pts
}

// osgbToETRS pairs TestInput_OSGBtoETRS with the RESULT lines of
// TestOutput_OSGBtoETRS (the other lines are the OS's iteration steps).
func osgbToETRS(t testing.TB) []osPoint {
	t.Helper()
	in := readCSV(t, "OSTN15_OSGM15_TestInput_OSGBtoETRS.txt")
	out := map[string][]string{}
	for _, r := range readCSV(t, "OSTN15_OSGM15_TestOutput_OSGBtoETRS.txt") {
		if r[1] == "RESULT" { // PointID,RESULT,Lat,Lon,Height,OSGBDatumFlag,...
			out[r[0]] = r
		}
	}
	var pts []osPoint
	for _, r := range in { // PointID,E,N,Height
		o, ok := out[r[0]]
		if !ok {
			t.Fatalf("%s: no expected result", r[0])
		}
		pts = append(pts, osPoint{
			id:      r[0],
			en:      geo.EN{E: num(t, r[1]), N: num(t, r[2])},
			ll:      geo.LatLon{Lat: num(t, o[2]), Lon: num(t, o[3])},
			outside: o[5] == "0",
		})
	}
	return pts
}

// llErrM returns the north and east components, in metres, of the
// difference between two nearby positions.
func llErrM(got, want geo.LatLon) (dn, de float64) {
	dn = math.Abs(got.Lat-want.Lat) * mPerDegLat
	de = math.Abs(got.Lon-want.Lon) * mPerDegLon * math.Cos(want.Lat*math.Pi/180)
	return dn, de
}

func TestToGridOSTestPoints(t *testing.T) {
	pts := etrsToOSGB(t)
	if len(pts) != 40 {
		t.Fatalf("got %d test points, want 40", len(pts))
	}
	var maxE, maxN float64
	for _, tc := range pts {
		t.Run(tc.id, func(t *testing.T) {
			got, err := geo.ToGrid(tc.ll)
			if tc.outside {
				if !errors.Is(err, geo.ErrOutsideGrid) {
					t.Fatalf("ToGrid(%v) = %v, %v; want ErrOutsideGrid", tc.ll, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ToGrid(%v): %v", tc.ll, err)
			}
			de, dn := math.Abs(got.E-tc.en.E), math.Abs(got.N-tc.en.N)
			maxE, maxN = math.Max(maxE, de), math.Max(maxN, dn)
			if de > 0.001 || dn > 0.001 {
				t.Errorf("ToGrid(%v) = %.4f,%.4f; want %v (error E %.4f m, N %.4f m)",
					tc.ll, got.E, got.N, tc.en, de, dn)
			}
		})
	}
	t.Logf("largest error over %d points: E %.2f mm, N %.2f mm", len(pts), maxE*1000, maxN*1000)
}

func TestFromGridOSTestPoints(t *testing.T) {
	pts := osgbToETRS(t)
	if len(pts) != 40 {
		t.Fatalf("got %d test points, want 40", len(pts))
	}
	var maxN, maxE float64
	for _, tc := range pts {
		t.Run(tc.id, func(t *testing.T) {
			got, err := geo.FromGrid(tc.en)
			if tc.outside {
				if !errors.Is(err, geo.ErrOutsideGrid) {
					t.Fatalf("FromGrid(%v) = %v, %v; want ErrOutsideGrid", tc.en, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromGrid(%v): %v", tc.en, err)
			}
			dn, de := llErrM(got, tc.ll)
			maxN, maxE = math.Max(maxN, dn), math.Max(maxE, de)
			if dn > 0.001 || de > 0.001 {
				t.Errorf("FromGrid(%v) = %v; want %v (error N %.4f m, E %.4f m)", tc.en, got, tc.ll, dn, de)
			}
		})
	}
	t.Logf("largest error over %d points: N %.3f mm, E %.3f mm", len(pts), maxN*1000, maxE*1000)
}

// roundTripTol returns, in metres, how closely ToGrid and FromGrid invert
// each other at easting e. Both use the Ordnance Survey's projection series,
// which are truncated: within about 270 km of the central meridian
// (eastings 130 to 670 km) they agree to 1 mm, but towards the grid's west
// edge they drift apart by up to about 11 mm. The OS's own test data shows
// the same: TP31 (St Kilda) comes from 9587.906,899449.000 in one direction
// and goes to 9587.909,899448.996 in the other.
func roundTripTol(e float64) float64 {
	d := math.Abs(e-400000) / 280000
	return math.Max(0.001, 0.0012*math.Pow(d, 7))
}

// The OS test points, sent there and back, return to where they started.
func TestGridRoundTrip(t *testing.T) {
	for _, tc := range etrsToOSGB(t) {
		t.Run(tc.id, func(t *testing.T) {
			g, err := geo.ToGrid(tc.ll)
			if err != nil {
				t.Fatal(err)
			}
			got, err := geo.FromGrid(g)
			if err != nil {
				t.Fatal(err)
			}
			tol := roundTripTol(g.E)
			if dn, de := llErrM(got, tc.ll); math.Hypot(dn, de) > tol {
				t.Errorf("FromGrid(ToGrid(%v)) = %v (error N %.4f m, E %.4f m; tolerance %.4f m)",
					tc.ll, got, dn, de, tol)
			}
		})
	}
}

// Every 10 km across the grid, both ways round.
func TestGridRoundTripSweep(t *testing.T) {
	var worst, worstNear float64
	for e := 1000.0; e <= 700000; e += 10000 {
		for n := 1000.0; n <= 1250000; n += 10000 {
			g := geo.EN{E: e, N: n}
			p, err := geo.FromGrid(g)
			if err != nil {
				t.Fatalf("FromGrid(%v): %v", g, err)
			}
			back, err := geo.ToGrid(p)
			if err != nil {
				t.Fatalf("ToGrid(FromGrid(%v)) = ToGrid(%v): %v", g, p, err)
			}
			d := geo.GridDistance(g, back)
			if tol := roundTripTol(e); d > tol {
				t.Errorf("ToGrid(FromGrid(%v)) = %v, %.4f m away (tolerance %.4f m)", g, back, d, tol)
			}
			worst = math.Max(worst, d)
			if math.Abs(e-400000) <= 270000 {
				worstNear = math.Max(worstNear, d)
			}
		}
	}
	t.Logf("largest round-trip error: %.2f mm within 270 km of the central meridian, %.2f mm overall",
		worstNear*1000, worst*1000)
}

func TestToGridErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		p    geo.LatLon
		want error
	}{
		{"NaN latitude", geo.LatLon{Lat: nan, Lon: -1}, geo.ErrInvalidCoordinate},
		{"NaN longitude", geo.LatLon{Lat: 52, Lon: nan}, geo.ErrInvalidCoordinate},
		{"infinite latitude", geo.LatLon{Lat: inf, Lon: -1}, geo.ErrInvalidCoordinate},
		{"infinite longitude", geo.LatLon{Lat: 52, Lon: -inf}, geo.ErrInvalidCoordinate},
		{"beyond the pole", geo.LatLon{Lat: 90.5, Lon: -1}, geo.ErrInvalidCoordinate},
		{"Paris", geo.LatLon{Lat: 48.8566, Lon: 2.3522}, geo.ErrOutsideGrid},
		{"Brittany, south of the grid", geo.LatLon{Lat: 48.5, Lon: -4}, geo.ErrOutsideGrid},
		{"Atlantic, west of the grid", geo.LatLon{Lat: 54, Lon: -9}, geo.ErrOutsideGrid},
		{"Norway, east of the grid", geo.LatLon{Lat: 60, Lon: 6}, geo.ErrOutsideGrid},
		{"Faroes, north of the grid", geo.LatLon{Lat: 62, Lon: -7}, geo.ErrOutsideGrid},
		{"antipodes of London", geo.LatLon{Lat: -51.5, Lon: 179.9}, geo.ErrOutsideGrid},
		{"Sydney", geo.LatLon{Lat: -33.87, Lon: 151.21}, geo.ErrOutsideGrid},
		{"north pole", geo.LatLon{Lat: 90, Lon: 0}, geo.ErrOutsideGrid},
		{"London, longitude wrapped", geo.LatLon{Lat: 51.5, Lon: 359.9}, nil},
		{"London", geo.LatLon{Lat: 51.5, Lon: -0.1}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := geo.ToGrid(tc.p)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("ToGrid(%v) = %v, %v; want error %v", tc.p, got, err, tc.want)
			}
			if err == nil && (math.IsNaN(got.E) || math.IsNaN(got.N)) {
				t.Fatalf("ToGrid(%v) = %v without error", tc.p, got)
			}
		})
	}
	// Longitude 359.9 is 0.1°W.
	a, _ := geo.ToGrid(geo.LatLon{Lat: 51.5, Lon: 359.9})
	b, _ := geo.ToGrid(geo.LatLon{Lat: 51.5, Lon: -0.1})
	if geo.GridDistance(a, b) > 1e-6 {
		t.Errorf("ToGrid at 359.9°E = %v; at 0.1°W = %v", a, b)
	}
}

func TestFromGridErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		g    geo.EN
		want error
	}{
		{"NaN easting", geo.EN{E: nan, N: 100000}, geo.ErrInvalidCoordinate},
		{"NaN northing", geo.EN{E: 100000, N: nan}, geo.ErrInvalidCoordinate},
		{"infinite easting", geo.EN{E: inf, N: 100000}, geo.ErrInvalidCoordinate},
		{"infinite northing", geo.EN{E: 100000, N: -inf}, geo.ErrInvalidCoordinate},
		{"negative easting", geo.EN{E: -1000, N: 100000}, geo.ErrOutsideGrid},
		{"negative northing", geo.EN{E: 400000, N: -1000}, geo.ErrOutsideGrid},
		{"far east", geo.EN{E: 800000, N: 100000}, geo.ErrOutsideGrid},
		{"far north", geo.EN{E: 400000, N: 1300000}, geo.ErrOutsideGrid},
		{"huge", geo.EN{E: 1e300, N: -1e300}, geo.ErrOutsideGrid},
		// The east shift is at least 82 m, so the ETRS89 position of a
		// point 50 m east of the false origin is off the grid.
		{"west edge, off the grid in ETRS89", geo.EN{E: 50, N: 100000}, geo.ErrOutsideGrid},
		// The east shift is positive, so this point just beyond the grid's
		// east edge comes from an ETRS89 position on it.
		{"just beyond the east edge", geo.EN{E: 700050, N: 600000}, nil},
		{"Trafalgar Square", geo.EN{E: 530034, N: 180381}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := geo.FromGrid(tc.g)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("FromGrid(%v) = %v, %v; want error %v", tc.g, got, err, tc.want)
			}
		})
	}
}

// The errors name the position they refuse.
func TestErrorNamesPoint(t *testing.T) {
	_, err := geo.ToGrid(geo.LatLon{Lat: 48.8566, Lon: 2.3522})
	if err == nil || !strings.Contains(err.Error(), "48.856600000,2.352200000") {
		t.Errorf("ToGrid error = %v; want it to name the position", err)
	}
	_, err = geo.FromGrid(geo.EN{E: -1000, N: 5})
	if err == nil || !strings.Contains(err.Error(), "-1000.000,5.000") {
		t.Errorf("FromGrid error = %v; want it to name the position", err)
	}
}

// The grid covers the whole rectangle, corners included, in both
// directions.
func TestGridCorners(t *testing.T) {
	for _, tc := range []struct {
		name string
		e, n float64
	}{
		{"south-west", 0, 0},
		{"south-east", 700000, 0},
		{"north-west", 0, 1250000},
		{"north-east", 700000, 1250000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Walk a little into the grid from the corner until ToGrid
			// accepts the point, so as to test ToGrid at the very edge.
			var p geo.LatLon
			for _, in := range []float64{0, 0.001, 1, 10, 200} {
				e := tc.e + in*sign(350000-tc.e)
				n := tc.n + in*sign(625000-tc.n)
				var err error
				p, err = geo.FromGrid(geo.EN{E: e + 100, N: n - 60})
				if err == nil {
					break
				}
			}
			g, err := geo.ToGrid(p)
			if err != nil {
				t.Fatalf("ToGrid(%v) near the %s corner: %v", p, tc.name, err)
			}
			back, err := geo.FromGrid(g)
			if err != nil {
				t.Fatalf("FromGrid(%v): %v", g, err)
			}
			if dn, de := llErrM(back, p); math.Hypot(dn, de) > roundTripTol(g.E) {
				t.Errorf("round trip %v -> %v -> %v", p, g, back)
			}
		})
	}
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// The embedded grid files are the ones the README names, byte for byte.
func TestGridDataIntegrity(t *testing.T) {
	for _, tc := range []struct{ file, sha256 string }{
		{"ostn_east_shift_82140", "2f19f318b3c72569983a43e9e19a83011d39edad68f506d7ac268370ef448b96"},
		{"ostn_north_shift_-84180", "dc1d2c94a15cca4493013072a8c8fbc2b6a054e11337671b9f972782a7450e7f"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("ostn15", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != 701*1251*2 {
				t.Errorf("size %d bytes; want %d", len(b), 701*1251*2)
			}
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != tc.sha256 {
				t.Errorf("SHA-256 %s; want %s", got, tc.sha256)
			}
			readme, err := os.ReadFile(filepath.Join("ostn15", "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(readme), tc.sha256) {
				t.Errorf("ostn15/README.md does not record SHA-256 %s", tc.sha256)
			}
		})
	}
}

func BenchmarkToGrid(b *testing.B) {
	p := geo.LatLon{Lat: 51.48936564950, Lon: -0.11992557180}
	for b.Loop() {
		if _, err := geo.ToGrid(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromGrid(b *testing.B) {
	g := geo.EN{E: 530624.974, N: 178388.464}
	for b.Loop() {
		if _, err := geo.FromGrid(g); err != nil {
			b.Fatal(err)
		}
	}
}
