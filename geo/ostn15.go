package geo

import (
	_ "embed"
	"fmt"
	"math"
)

// The OSTN15 shift grid: one node a kilometre from 0 to 700 km east and 0 to
// 1250 km north, each node a little-endian uint16 that is the shift in
// millimetres less a fixed base. See ostn15/README.md.
var (
	//go:embed ostn15/ostn_east_shift_82140
	ostnEast string
	//go:embed ostn15/ostn_north_shift_-84180
	ostnNorth string
)

const (
	gridCols      = 701 // nodes per row, 0 to 700 km east
	gridRows      = 1251
	gridMaxE      = 700000.0 // metres
	gridMaxN      = 1250000.0
	eastBase      = 82140  // millimetres added to every east value
	northBase     = -84180 // millimetres added to every north value
	fromGridStop  = 1e-7   // metres: iteration stops below 0.0001 mm change
	fromGridSteps = 50     // never reached: each step gains about four digits
	edgeSlack     = 1e-6   // metres: rounding allowed at the grid's edges
)

// node returns the shift in metres stored at index i of a grid.
func node(grid string, i int, base float64) float64 {
	v := uint16(grid[2*i]) | uint16(grid[2*i+1])<<8
	return (base + float64(v)) / 1000
}

// shift returns the OSTN15 east and north shifts in metres at projected
// ETRS89 position (e, n), interpolated bilinearly between the four
// surrounding nodes, and false if the position is outside the grid.
func shift(e, n float64) (se, sn float64, ok bool) {
	// Written so that NaN fails the test.
	if !(e >= 0 && e <= gridMaxE && n >= 0 && n <= gridMaxN) {
		return 0, 0, false
	}
	ix, iy := int(e/1000), int(n/1000)
	// On the far edges use the last cell, at its far side.
	if ix >= gridCols-1 {
		ix = gridCols - 2
	}
	if iy >= gridRows-1 {
		iy = gridRows - 2
	}
	t := (e - float64(ix)*1000) / 1000
	u := (n - float64(iy)*1000) / 1000
	w0, w1, w2, w3 := (1-t)*(1-u), t*(1-u), t*u, (1-t)*u
	k0 := ix + iy*gridCols // south-west node, then clockwise from the east
	k1, k2, k3 := k0+1, k0+gridCols+1, k0+gridCols
	se = w0*node(ostnEast, k0, eastBase) + w1*node(ostnEast, k1, eastBase) +
		w2*node(ostnEast, k2, eastBase) + w3*node(ostnEast, k3, eastBase)
	sn = w0*node(ostnNorth, k0, northBase) + w1*node(ostnNorth, k1, northBase) +
		w2*node(ostnNorth, k2, northBase) + w3*node(ostnNorth, k3, northBase)
	return se, sn, true
}

// ToGrid converts an ETRS89 position to OSGB36 National Grid eastings and
// northings with the OSTN15 transformation. It reproduces the Ordnance
// Survey's published OSTN15 test results to the millimetre. Longitudes are
// taken modulo 360°.
//
// It returns an error wrapping [ErrInvalidCoordinate] if p is not finite or
// its latitude is beyond ±90°, and one wrapping [ErrOutsideGrid] if p is
// outside the OSTN15 grid.
func ToGrid(p LatLon) (EN, error) {
	if !finite(p.Lat) || !finite(p.Lon) || math.Abs(p.Lat) > 90 {
		return EN{}, fmt.Errorf("geo: ETRS89 %v: %w", p, ErrInvalidCoordinate)
	}
	// The grid lies within these bounds by a wide margin; far beyond them
	// the projection's series lose their meaning.
	if p.Lat < 40 || p.Lat > 70 || math.Abs(normLon(p.Lon-centralMeridian)) > 20 {
		return EN{}, fmt.Errorf("geo: ETRS89 %v: %w", p, ErrOutsideGrid)
	}
	e, n := project(p.Lat*deg, normLon(p.Lon)*deg)
	se, sn, ok := shift(e, n)
	if !ok {
		return EN{}, fmt.Errorf("geo: ETRS89 %v: %w", p, ErrOutsideGrid)
	}
	return EN{E: e + se, N: n + sn}, nil
}

// FromGrid converts OSGB36 National Grid eastings and northings to an
// ETRS89 position with the OSTN15 transformation, solving for the grid shift
// to better than 0.0001 mm. It reproduces the Ordnance Survey's published
// OSTN15 test results to the millimetre. The returned longitude is in
// [-180, 180).
//
// It returns an error wrapping [ErrInvalidCoordinate] if g is not finite,
// and one wrapping [ErrOutsideGrid] if no position inside the OSTN15 grid
// maps to g.
func FromGrid(g EN) (LatLon, error) {
	if !finite(g.E) || !finite(g.N) {
		return LatLon{}, fmt.Errorf("geo: OSGB36 %v: %w", g, ErrInvalidCoordinate)
	}
	// Solve e + shift(e) = g by fixed-point iteration, starting from g
	// itself. The shift varies so slowly that each step gains about four
	// digits. Iterates are held on the grid while they settle, so that a
	// solution just inside an edge is not lost to an early overshoot; the
	// solution itself must lie on the grid.
	e, n := g.E, g.N
	converged := false
	for k := 0; k < fromGridSteps && !converged; k++ {
		se, sn, _ := shift(clamp(e, 0, gridMaxE), clamp(n, 0, gridMaxN))
		ne, nn := g.E-se, g.N-sn
		converged = math.Abs(ne-e) < fromGridStop && math.Abs(nn-n) < fromGridStop
		e, n = ne, nn
	}
	if !converged {
		return LatLon{}, fmt.Errorf("geo: OSGB36 %v: OSTN15 inversion did not converge", g)
	}
	if !(e >= -edgeSlack && e <= gridMaxE+edgeSlack && n >= -edgeSlack && n <= gridMaxN+edgeSlack) {
		return LatLon{}, fmt.Errorf("geo: OSGB36 %v: %w", g, ErrOutsideGrid)
	}
	lat, lon := unproject(e, n)
	return LatLon{Lat: lat * rad, Lon: lon * rad}, nil
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
