package analysis

import (
	"math"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// SectorBeamwidthDeg is the beamwidth in degrees taken for a directional
// cell whose beamwidth is not given (basis "sector").
const SectorBeamwidthDeg = 120.0

// sectorStepDeg is the greatest angle in degrees between neighbouring
// points of a sector's arc.
const sectorStepDeg = 5.0

// sectorShape is the modelled service area of a cell: a polygon of the
// mast and points of its arc (a sector), or of points of a circle (an
// omni cell), as latitudes and longitudes, in order around it.
type sectorShape struct {
	mast geo.LatLon
	pts  []geo.LatLon
}

// sectorKey identifies the service area model of a cell: cells with the
// same mast, azimuth and beamwidth have the same shape.
type sectorKey struct {
	lat, lon, az, bw float64
}

// sectorKeyOf returns the key of a cell's modelled service area: a full
// circle (bw 360, az 0) for an omni cell, a cell whose azimuth is not a
// finite number, or one whose beamwidth is 360° or more; a beamwidth that
// is not a positive finite number is taken as SectorBeamwidthDeg.
func sectorKeyOf(c *cellsite.Cell) sectorKey {
	k := sectorKey{lat: c.Lat, lon: c.Lon, az: c.AzimuthDeg, bw: c.BeamwidthDeg}
	if !(k.bw > 0) || math.IsInf(k.bw, 0) {
		k.bw = SectorBeamwidthDeg
	}
	if c.Omni || math.IsNaN(k.az) || math.IsInf(k.az, 0) || k.bw >= 360 {
		k.az, k.bw = 0, 360
	}
	return k
}

// newSectorShape returns the polygon of a cell's modelled service area of
// radius radiusM: for a sector, the mast and its arc from azimuth less
// half the beamwidth to azimuth plus half, with points at most
// sectorStepDeg apart; for a full circle, points every sectorStepDeg.
// Arc points are at geodesic distance radiusM from the mast on the WGS84
// ellipsoid.
func newSectorShape(k sectorKey, radiusM float64) sectorShape {
	mast := geo.LatLon{Lat: k.lat, Lon: k.lon}
	s := sectorShape{mast: mast}
	if k.bw >= 360 {
		n := int(math.Ceil(360 / sectorStepDeg))
		s.pts = make([]geo.LatLon, n)
		for i := range n {
			s.pts[i] = geo.Destination(mast, 360*float64(i)/float64(n), radiusM)
		}
		return s
	}
	n := max(1, int(math.Ceil(k.bw/sectorStepDeg)))
	s.pts = make([]geo.LatLon, 0, n+2)
	s.pts = append(s.pts, mast)
	from := k.az - k.bw/2
	for i := range n + 1 {
		s.pts = append(s.pts, geo.Destination(mast, from+k.bw*float64(i)/float64(n), radiusM))
	}
	return s
}

// SectorsOverlap reports whether the modelled service areas of two cells,
// each of radius radiusM, overlap (basis "sector"). Each area is a
// circular sector centred on the cell's mast, pointing along its azimuth
// (a true-north bearing) and as wide as its beamwidth (SectorBeamwidthDeg
// when none is given), or a full circle for an omni cell; its arc is
// approximated by points every 5 degrees. The two polygons are compared
// on a local flat (equirectangular) projection about the midpoint of the
// two masts: they overlap when an edge of one meets an edge of the other
// (touching counts), or when one lies inside the other.
func SectorsOverlap(a, b *cellsite.Cell, radiusM float64) bool {
	sa := newSectorShape(sectorKeyOf(a), radiusM)
	sb := newSectorShape(sectorKeyOf(b), radiusM)
	return sectorShapesOverlap(&sa, &sb)
}

// sectorShapesOverlap reports whether two sector polygons overlap, as
// SectorsOverlap describes.
func sectorShapesOverlap(a, b *sectorShape) bool {
	lat0 := (a.mast.Lat + b.mast.Lat) / 2
	lon0 := a.mast.Lon + sectorWrap(b.mast.Lon-a.mast.Lon)/2
	// Metres per degree north and east at lat0 on WGS84: the meridian and
	// prime-vertical radii of curvature.
	sin, cos := math.Sincos(lat0 * math.Pi / 180)
	w := 1 - coWGS84E2*sin*sin
	ky := coWGS84A * (1 - coWGS84E2) / (w * math.Sqrt(w)) * math.Pi / 180
	kx := coWGS84A / math.Sqrt(w) * cos * math.Pi / 180
	pa := sectorProject(a.pts, lat0, lon0, kx, ky)
	pb := sectorProject(b.pts, lat0, lon0, kx, ky)
	if !sectorBoxesMeet(pa, pb) {
		return false
	}
	for i := range pa {
		p, q := pa[i], pa[(i+1)%len(pa)]
		for j := range pb {
			if sectorSegmentsMeet(p, q, pb[j], pb[(j+1)%len(pb)]) {
				return true
			}
		}
	}
	// No edges meet: either one polygon lies wholly inside the other or
	// they are disjoint.
	return sectorInside(pa[0], pb) || sectorInside(pb[0], pa)
}

// sectorWrap returns a longitude difference in degrees in [-180, 180).
func sectorWrap(d float64) float64 {
	d = math.Mod(d+180, 360)
	if d < 0 {
		d += 360
	}
	return d - 180
}

type sectorXY struct{ x, y float64 }

func sectorProject(pts []geo.LatLon, lat0, lon0, kx, ky float64) []sectorXY {
	out := make([]sectorXY, len(pts))
	for i, p := range pts {
		out[i] = sectorXY{sectorWrap(p.Lon-lon0) * kx, (p.Lat - lat0) * ky}
	}
	return out
}

// sectorBoxesMeet reports whether the bounding boxes of two polygons meet.
func sectorBoxesMeet(a, b []sectorXY) bool {
	box := func(ps []sectorXY) (lo, hi sectorXY) {
		lo, hi = ps[0], ps[0]
		for _, p := range ps[1:] {
			lo.x, lo.y = min(lo.x, p.x), min(lo.y, p.y)
			hi.x, hi.y = max(hi.x, p.x), max(hi.y, p.y)
		}
		return lo, hi
	}
	alo, ahi := box(a)
	blo, bhi := box(b)
	return alo.x <= bhi.x && blo.x <= ahi.x && alo.y <= bhi.y && blo.y <= ahi.y
}

// sectorOrient returns the sign of the cross product (q-p)×(r-p): 1 if r
// is to the left of p→q, -1 to the right, 0 on its line.
func sectorOrient(p, q, r sectorXY) int {
	v := (q.x-p.x)*(r.y-p.y) - (q.y-p.y)*(r.x-p.x)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// sectorOnSegment reports whether r, on the line of p→q, lies within the
// segment's bounding box.
func sectorOnSegment(p, q, r sectorXY) bool {
	return min(p.x, q.x) <= r.x && r.x <= max(p.x, q.x) && min(p.y, q.y) <= r.y && r.y <= max(p.y, q.y)
}

// sectorSegmentsMeet reports whether segments p1p2 and q1q2 have a point
// in common.
func sectorSegmentsMeet(p1, p2, q1, q2 sectorXY) bool {
	d1 := sectorOrient(q1, q2, p1)
	d2 := sectorOrient(q1, q2, p2)
	d3 := sectorOrient(p1, p2, q1)
	d4 := sectorOrient(p1, p2, q2)
	if d1*d2 < 0 && d3*d4 < 0 {
		return true
	}
	return d1 == 0 && sectorOnSegment(q1, q2, p1) ||
		d2 == 0 && sectorOnSegment(q1, q2, p2) ||
		d3 == 0 && sectorOnSegment(p1, p2, q1) ||
		d4 == 0 && sectorOnSegment(p1, p2, q2)
}

// sectorInside reports whether p is inside the polygon (crossing number).
func sectorInside(p sectorXY, poly []sectorXY) bool {
	in := false
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		if (a.y > p.y) != (b.y > p.y) && p.x < a.x+(p.y-a.y)*(b.x-a.x)/(b.y-a.y) {
			in = !in
		}
	}
	return in
}

// coSectors is the sector model of one analysis (basis "sector"): the
// shape of each distinct cell placing an event, computed once, and the
// squared chord beyond which two masts are too far apart for their
// sectors to overlap.
type coSectors struct {
	shapes []sectorShape
	far2   float64
}

// newCoSectors gives each distinct cell model of the targets' events an
// index into the shapes, which it computes once each, in parallel.
func newCoSectors(ts []*coTarget, radiusM float64) *coSectors {
	ids := map[sectorKey]int32{}
	var keys []sectorKey
	for _, t := range ts {
		t.sec = make([]int32, len(t.skey))
		for n, k := range t.skey {
			id, ok := ids[k]
			if !ok {
				id = int32(len(keys))
				ids[k] = id
				keys = append(keys, k)
			}
			t.sec[n] = id
		}
	}
	s := &coSectors{shapes: make([]sectorShape, len(keys)), far2: math.Inf(1)}
	coParallel(len(keys), func(i int) { s.shapes[i] = newSectorShape(keys[i], radiusM) })
	// Two sectors can overlap only if their masts are within twice the
	// radius on the projection, which is within 1% of the geodesic
	// distance at any distance where the sectors could meet; the spherical
	// bound then gives a squared chord beyond which they surely do not.
	if c, ok := coChord2((2*radiusM*1.01 + coSlackM) / (1 - coEps)); ok {
		s.far2 = c
	}
	return s
}

// overlap reports whether the shapes i and j overlap, remembering the
// answer in memo.
func (s *coSectors) overlap(i, j int32, memo map[uint64]bool) bool {
	k := uint64(uint32(i))<<32 | uint64(uint32(j))
	if v, ok := memo[k]; ok {
		return v
	}
	v := sectorShapesOverlap(&s.shapes[i], &s.shapes[j])
	memo[k] = v
	return v
}
