package geo

import "math"

// The National Grid projection applied to ETRS89 coordinates on the GRS80
// ellipsoid, with the constants and series of the Ordnance Survey's "A guide
// to coordinate systems in Great Britain", annex C. OSTN15 is defined as
// this projection followed by its grid of shifts, so the same formulae are
// used here to reproduce its results exactly.
const (
	tmA    = 6378137.000  // GRS80 semi-major axis, metres
	tmB    = 6356752.3141 // GRS80 semi-minor axis, metres (as the OS guide gives it)
	tmF0   = 0.9996012717 // scale factor on the central meridian
	tmLat0 = 49 * deg     // true origin latitude
	tmLon0 = -2 * deg     // true origin longitude (the central meridian)
	tmE0   = 400000.0     // easting of the true origin, metres
	tmN0   = -100000.0    // northing of the true origin, metres

	centralMeridian = -2.0 // degrees east
)

var (
	tmE2 = (tmA*tmA - tmB*tmB) / (tmA * tmA) // first eccentricity squared
	tmN  = (tmA - tmB) / (tmA + tmB)
)

// meridianArc returns the developed meridian arc M from the true origin's
// latitude to lat (radians), scaled by F0.
func meridianArc(lat float64) float64 {
	n, n2, n3 := tmN, tmN*tmN, tmN*tmN*tmN
	dp, sp := lat-tmLat0, lat+tmLat0
	return tmB * tmF0 * ((1+n+1.25*n2+1.25*n3)*dp -
		(3*n+3*n2+21.0/8*n3)*math.Sin(dp)*math.Cos(sp) +
		(15.0/8*n2+15.0/8*n3)*math.Sin(2*dp)*math.Cos(2*sp) -
		35.0/24*n3*math.Sin(3*dp)*math.Cos(3*sp))
}

// project maps ETRS89 latitude and longitude (radians) to the National Grid
// projection on GRS80, before the OSTN15 shift.
func project(lat, lon float64) (e, n float64) {
	sinP, cosP := math.Sincos(lat)
	tanP := sinP / cosP
	t2 := tanP * tanP
	t4 := t2 * t2
	w := 1 - tmE2*sinP*sinP
	nu := tmA * tmF0 / math.Sqrt(w)
	rho := tmA * tmF0 * (1 - tmE2) / (w * math.Sqrt(w))
	eta2 := nu/rho - 1
	c3 := cosP * cosP * cosP
	c5 := c3 * cosP * cosP

	i := meridianArc(lat) + tmN0
	ii := nu / 2 * sinP * cosP
	iii := nu / 24 * sinP * c3 * (5 - t2 + 9*eta2)
	iiia := nu / 720 * sinP * c5 * (61 - 58*t2 + t4)
	iv := nu * cosP
	v := nu / 6 * c3 * (nu/rho - t2)
	vi := nu / 120 * c5 * (5 - 18*t2 + t4 + 14*eta2 - 58*t2*eta2)

	l := lon - tmLon0
	l2 := l * l
	n = i + l2*(ii+l2*(iii+l2*iiia))
	e = tmE0 + l*(iv+l2*(v+l2*vi))
	return e, n
}

// unproject is the inverse of project: it maps projected eastings and
// northings on GRS80 to ETRS89 latitude and longitude in radians.
func unproject(e, n float64) (lat, lon float64) {
	p := (n-tmN0)/(tmA*tmF0) + tmLat0
	m := meridianArc(p)
	// The correction shrinks a hundredfold or more a step, so a handful of
	// steps reaches the 0.01 mm the OS guide asks for; the bound is only a
	// guard.
	for k := 0; k < 20 && math.Abs(n-tmN0-m) >= 1e-5; k++ {
		p += (n - tmN0 - m) / (tmA * tmF0)
		m = meridianArc(p)
	}

	sinP, cosP := math.Sincos(p)
	tanP := sinP / cosP
	t2 := tanP * tanP
	t4 := t2 * t2
	t6 := t4 * t2
	secP := 1 / cosP
	w := 1 - tmE2*sinP*sinP
	nu := tmA * tmF0 / math.Sqrt(w)
	rho := tmA * tmF0 * (1 - tmE2) / (w * math.Sqrt(w))
	eta2 := nu/rho - 1
	nu3 := nu * nu * nu
	nu5 := nu3 * nu * nu
	nu7 := nu5 * nu * nu

	vii := tanP / (2 * rho * nu)
	viii := tanP / (24 * rho * nu3) * (5 + 3*t2 + eta2 - 9*t2*eta2)
	ix := tanP / (720 * rho * nu5) * (61 + 90*t2 + 45*t4)
	x := secP / nu
	xi := secP / (6 * nu3) * (nu/rho + 2*t2)
	xii := secP / (120 * nu5) * (5 + 28*t2 + 24*t4)
	xiia := secP / (5040 * nu7) * (61 + 662*t2 + 1320*t4 + 720*t6)

	d := e - tmE0
	d2 := d * d
	lat = p - d2*(vii-d2*(viii-d2*ix))
	lon = tmLon0 + d*(x-d2*(xi-d2*(xii-d2*xiia)))
	return lat, lon
}

// Convergence returns the grid convergence at p, in degrees: the angle from
// true north clockwise to grid north on the National Grid projection. It is
// zero on the central meridian (2°W), positive east of it and negative west
// of it: about +3° in East Anglia and −5.6° on St Kilda. A true bearing
// becomes a grid bearing by subtracting it; see [TrueToGridBearing].
//
// The OSTN15 shift turns grid north by a further few thousandths of a
// degree at most; that local distortion is not included. Convergence
// returns NaN if p is not finite.
func Convergence(p LatLon) float64 {
	if !finite(p.Lat) || !finite(p.Lon) {
		return math.NaN()
	}
	g, _ := kruger(p)
	return g * rad
}

// TrueToGridBearing converts a bearing measured clockwise from true north at
// p (as cell azimuths are given) to the same direction measured clockwise
// from grid north on the National Grid, normalised to [0, 360). It returns
// NaN if any input is not finite.
func TrueToGridBearing(p LatLon, trueDeg float64) float64 {
	return normDeg(trueDeg - Convergence(p))
}

// ScaleFactor returns the National Grid projection's point scale factor at
// p: a short grid distance near p divided by the same distance on the
// ellipsoid. It is 0.9996012717 on the central meridian and rises to about
// 1.0016 at the west edge of the grid. It returns NaN if p is not finite.
func ScaleFactor(p LatLon) float64 {
	if !finite(p.Lat) || !finite(p.Lon) {
		return math.NaN()
	}
	_, k := kruger(p)
	return k
}

// Coefficients of Krüger's series for the transverse Mercator projection,
// in powers of the third flattening n.
var krugerAlpha = func() [4]float64 {
	n := tmN
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	return [4]float64{
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180,
		13*n2/48 - 3*n3/5 + 557*n4/1440,
		61*n3/240 - 103*n4/140,
		49561 * n4 / 161280,
	}
}()

// kruger returns the convergence (radians) and point scale factor of the
// National Grid projection at p, from Krüger's series as given by Karney
// ("Transverse Mercator with an accuracy of a few nanometers", 2011), which
// are exact to far better than a nanoradian across the grid.
func kruger(p LatLon) (gamma, k float64) {
	e := math.Sqrt(tmE2)
	tau := math.Tan(p.Lat * deg)
	sig := math.Sinh(e * math.Atanh(e*tau/math.Hypot(1, tau)))
	tauC := tau*math.Hypot(1, sig) - sig*math.Hypot(1, tau) // conformal latitude's tangent
	sinL, cosL := math.Sincos(normLon(p.Lon-centralMeridian) * deg)
	xi := math.Atan2(tauC, cosL)
	eta := math.Asinh(sinL / math.Hypot(tauC, cosL))

	pp, qq := 1.0, 0.0
	for j, a := range krugerAlpha {
		f := 2 * float64(j+1)
		pp += f * a * math.Cos(f*xi) * math.Cosh(f*eta)
		qq += f * a * math.Sin(f*xi) * math.Sinh(f*eta)
	}
	gamma = math.Atan2(tauC*sinL, math.Hypot(1, tauC)*cosL) + math.Atan2(qq, pp)
	aRatio := (1 + tmN*tmN/4 + tmN*tmN*tmN*tmN/64) / (1 + tmN)
	k = tmF0 * aRatio * math.Sqrt(1+(1-tmE2)*tau*tau) / math.Hypot(tauC, cosL) * math.Hypot(pp, qq)
	return gamma, k
}
