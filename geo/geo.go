package geo

import (
	"errors"
	"fmt"
	"math"
)

// LatLon is a geodetic position in decimal degrees on ETRS89, positive
// north and east. For display and for GPS-derived inputs it may be treated
// as WGS84.
type LatLon struct{ Lat, Lon float64 }

// EN is a position on the Ordnance Survey National Grid: OSGB36 eastings
// and northings in metres from the grid's false origin.
type EN struct{ E, N float64 }

// String returns the position as "lat,lon" with nine decimal places
// (about 0.1 mm).
func (p LatLon) String() string { return fmt.Sprintf("%.9f,%.9f", p.Lat, p.Lon) }

// String returns the position as "E,N" in metres with three decimal places.
func (g EN) String() string { return fmt.Sprintf("%.3f,%.3f", g.E, g.N) }

// ErrOutsideGrid reports a position that the OSTN15 transformation does not
// cover. Errors returned by [ToGrid] and [FromGrid] wrap it together with the
// offending position; test for it with errors.Is.
var ErrOutsideGrid = errors.New("outside the OSTN15 transformation grid")

// ErrInvalidCoordinate reports a coordinate that is not a number, is
// infinite, or (for a latitude) lies beyond the poles. Errors returned by
// [ToGrid] and [FromGrid] wrap it together with the offending position.
var ErrInvalidCoordinate = errors.New("invalid coordinate")

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// normDeg returns x reduced to [0, 360), or NaN if x is not finite.
func normDeg(x float64) float64 {
	if !finite(x) {
		return math.NaN()
	}
	m := math.Mod(x, 360)
	if m < 0 {
		m += 360
	}
	if m >= 360 { // a tiny negative remainder rounds up to 360
		m = 0
	}
	return m
}

// normLon returns x reduced exactly to [-180, 180).
func normLon(x float64) float64 {
	if x >= -180 && x < 180 {
		return x
	}
	r := math.Remainder(x, 360) // exact, in [-180, 180]
	if r == 180 {
		r = -180
	}
	return r
}

const (
	deg = math.Pi / 180
	rad = 180 / math.Pi
)
