package geo

import "math"

// The WGS84 ellipsoid.
const (
	wgsA = 6378137.0
	wgsF = 1 / 298.257223563
	wgsB = wgsA * (1 - wgsF)
)

// Distance returns the length in metres of the shortest path between a and
// b on the WGS84 ellipsoid (the geodesic distance), accurate to well under a
// millimetre. It returns NaN if either position is not finite or has a
// latitude beyond ±90°.
func Distance(a, b LatLon) float64 {
	if !validLatLon(a) || !validLatLon(b) {
		return math.NaN()
	}
	if s, ok := vincentyInverse(a, b); ok {
		return s
	}
	return antipodalInverse(a, b)
}

// Destination returns the position reached by travelling distM metres along
// the geodesic that leaves p on the WGS84 ellipsoid at bearingDeg degrees
// clockwise from true north (a negative distance travels the other way).
// The longitude is normalised to [-180, 180). It returns a LatLon of NaNs if
// any input is not finite or p's latitude is beyond ±90°.
func Destination(p LatLon, bearingDeg, distM float64) LatLon {
	if !validLatLon(p) || !finite(bearingDeg) || !finite(distM) {
		return LatLon{Lat: math.NaN(), Lon: math.NaN()}
	}
	sinA1, cosA1 := math.Sincos(bearingDeg * deg)
	sinU1, cosU1 := reducedLat(p.Lat)
	sigma1 := math.Atan2(sinU1, cosU1*cosA1)
	sinA := cosU1 * sinA1
	cos2A := 1 - sinA*sinA
	bigA, bigB := vincentyAB(cos2A)

	s0 := distM / (wgsB * bigA)
	sigma := s0
	var sinS, cosS, cos2Sm float64
	for k := 0; k < 100; k++ {
		sinS, cosS = math.Sincos(sigma)
		cos2Sm = math.Cos(2*sigma1 + sigma)
		next := s0 + deltaSigma(bigB, sinS, cosS, cos2Sm)
		done := math.Abs(next-sigma) < 1e-13
		sigma = next
		if done {
			break
		}
	}
	sinS, cosS = math.Sincos(sigma)
	cos2Sm = math.Cos(2*sigma1 + sigma)

	t := sinU1*sinS - cosU1*cosS*cosA1
	lat := math.Atan2(sinU1*cosS+cosU1*sinS*cosA1, (1-wgsF)*math.Hypot(sinA, t))
	lam := math.Atan2(sinS*sinA1, cosU1*cosS-sinU1*sinS*cosA1)
	c := wgsF / 16 * cos2A * (4 + wgsF*(4-3*cos2A))
	l := lam - (1-c)*wgsF*sinA*(sigma+c*sinS*(cos2Sm+c*cosS*(-1+2*cos2Sm*cos2Sm)))
	return LatLon{Lat: lat * rad, Lon: normLon(p.Lon + l*rad)}
}

// GridDistance returns the straight-line distance in metres between two
// National Grid positions. Grid distances differ from distances on the
// ellipsoid by the projection's scale factor (see [ScaleFactor]): by up to
// about 0.05% on the British mainland and 0.15% on St Kilda.
func GridDistance(a, b EN) float64 {
	return math.Hypot(b.E-a.E, b.N-a.N)
}

func validLatLon(p LatLon) bool {
	return finite(p.Lat) && finite(p.Lon) && math.Abs(p.Lat) <= 90
}

// reducedLat returns the sine and cosine of the reduced (parametric)
// latitude of a geodetic latitude in degrees.
func reducedLat(latDeg float64) (sinU, cosU float64) {
	s, c := math.Sincos(latDeg * deg)
	s *= 1 - wgsF
	h := math.Hypot(s, c)
	return s / h, c / h
}

// vincentyAB returns Vincenty's series coefficients A and B for a geodesic
// whose equatorial azimuth has squared cosine cos2A.
func vincentyAB(cos2A float64) (bigA, bigB float64) {
	u2 := cos2A * (wgsA*wgsA - wgsB*wgsB) / (wgsB * wgsB)
	bigA = 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
	bigB = u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
	return bigA, bigB
}

func deltaSigma(bigB, sinS, cosS, cos2Sm float64) float64 {
	c2 := cos2Sm * cos2Sm
	return bigB * sinS * (cos2Sm + bigB/4*(cosS*(-1+2*c2)-
		bigB/6*cos2Sm*(-3+4*sinS*sinS)*(-3+4*c2)))
}

// vincentyInverse solves the inverse problem by Vincenty's iteration on the
// longitude difference. It reports false for nearly antipodal points, where
// that iteration fails to converge.
func vincentyInverse(p1, p2 LatLon) (float64, bool) {
	l := normLon(p2.Lon-p1.Lon) * deg
	sinU1, cosU1 := reducedLat(p1.Lat)
	sinU2, cosU2 := reducedLat(p2.Lat)

	lam := l
	var sinS, cosS, sigma, cos2A, cos2Sm float64
	converged := false
	for k := 0; k < 200; k++ {
		sinL, cosL := math.Sincos(lam)
		x := cosU2 * sinL
		y := cosU1*sinU2 - sinU1*cosU2*cosL
		sinS = math.Hypot(x, y)
		cosS = sinU1*sinU2 + cosU1*cosU2*cosL
		if sinS == 0 {
			if cosS > 0 {
				return 0, true // the same point
			}
			return 0, false
		}
		sigma = math.Atan2(sinS, cosS)
		sinA := cosU1 * cosU2 * sinL / sinS
		cos2A = 1 - sinA*sinA
		cos2Sm = 0 // on the equator
		if cos2A != 0 {
			cos2Sm = cosS - 2*sinU1*sinU2/cos2A
		}
		c := wgsF / 16 * cos2A * (4 + wgsF*(4-3*cos2A))
		prev := lam
		lam = l + (1-c)*wgsF*sinA*(sigma+c*sinS*(cos2Sm+c*cosS*(-1+2*cos2Sm*cos2Sm)))
		if math.Abs(lam) > math.Pi {
			return 0, false
		}
		if math.Abs(lam-prev) < 1e-13 {
			converged = true
			break
		}
	}
	if !converged {
		return 0, false
	}
	bigA, bigB := vincentyAB(cos2A)
	return wgsB * bigA * (sigma - deltaSigma(bigB, sinS, cosS, cos2Sm)), true
}

// antipodalInverse solves the inverse problem for any pair of points, and is
// used where Vincenty's iteration fails. After reducing the problem by
// symmetry to a standard arrangement (the first point in the southern
// hemisphere and at least as far from the equator as the second, the second
// east of the first), the longitude difference reached by the geodesic that
// leaves the first point at azimuth α1 and meets the second point's latitude
// rises steadily from 0 to 180° as α1 goes from 0 to 180°, so α1 is found by
// bisection and the distance follows from Vincenty's series. Two points on
// the equator are joined along it unless they are so nearly opposite that
// the way over a pole is shorter.
func antipodalInverse(p1, p2 LatLon) float64 {
	lat1, lat2 := p1.Lat, p2.Lat
	if math.Abs(lat1) < math.Abs(lat2) {
		lat1, lat2 = lat2, lat1
	}
	if lat1 > 0 {
		lat1, lat2 = -lat1, -lat2
	}
	target := math.Abs(normLon(p2.Lon-p1.Lon)) * deg
	if lat1 == 0 && lat2 == 0 && target <= (1-wgsF)*math.Pi {
		return wgsA * target // along the equator
	}
	sb1, cb1 := reducedLat(lat1)
	sb2, cb2 := reducedLat(lat2)

	// solve returns the longitude difference and length of the geodesic
	// leaving the first point at azimuth alp1 (radians).
	solve := func(alp1 float64) (lam12, s12 float64) {
		sa1, ca1 := math.Sincos(alp1)
		sa0 := sa1 * cb1
		ca0 := math.Hypot(ca1, sa1*sb1)

		// Azimuth at the second point, heading away from the equator.
		ca2 := math.Abs(ca1)
		if cb2 != cb1 || math.Abs(sb2) != -sb1 {
			var d float64
			if cb1 < -sb1 {
				d = (cb2 - cb1) * (cb1 + cb2)
			} else {
				d = (sb1 - sb2) * (sb1 + sb2)
			}
			ca2 = math.Sqrt(ca1*cb1*ca1*cb1+d) / cb2
		}

		// Arc lengths σ and longitudes ω on the auxiliary sphere, measured
		// from the geodesic's northward equator crossing.
		ss1, cs1 := unit(sb1, ca1*cb1)
		so1, co1 := unit(sa0*sb1, ca1*cb1)
		ss2, cs2 := unit(sb2, ca2*cb2)
		so2, co2 := unit(sa0*sb2, ca2*cb2)
		sig12 := math.Atan2(math.Max(0, cs1*ss2-ss1*cs2), cs1*cs2+ss1*ss2)
		omg12 := math.Atan2(math.Max(0, co1*so2-so1*co2), co1*co2+so1*so2)

		cos2A := ca0 * ca0
		cos2Sm := cs1*cs2 - ss1*ss2 // cos(σ1 + σ2)
		sinS, cosS := math.Sincos(sig12)
		c := wgsF / 16 * cos2A * (4 + wgsF*(4-3*cos2A))
		lam12 = omg12 - (1-c)*wgsF*sa0*(sig12+c*sinS*(cos2Sm+c*cosS*(-1+2*cos2Sm*cos2Sm)))
		bigA, bigB := vincentyAB(cos2A)
		s12 = wgsB * bigA * (sig12 - deltaSigma(bigB, sinS, cosS, cos2Sm))
		return lam12, s12
	}

	lo, hi := 0.0, math.Pi
	for k := 0; k < 200; k++ {
		mid := (lo + hi) / 2
		if mid <= lo || mid >= hi {
			break
		}
		if lam, _ := solve(mid); lam < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	_, s := solve((lo + hi) / 2)
	return s
}

// unit scales (y, x) to unit length; a zero vector becomes (0, 1).
func unit(y, x float64) (float64, float64) {
	h := math.Hypot(y, x)
	if h == 0 {
		return 0, 1
	}
	return y / h, x / h
}
