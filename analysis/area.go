package analysis

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// ServiceArea is the modelled service area of a cell (basis
// "service-area"): a circular sector about the mast, RadiusM in radius,
// pointing along the cell's azimuth (a true-north bearing) and WidthDeg
// wide, or a full circle of RadiusM for an omni cell; joined with a disc
// of BackRadiusM about the mast, for phones served from behind or beside
// the sector close to the mast.
type ServiceArea struct {
	Mast       geo.LatLon
	AzimuthDeg float64 // ignored when Omni
	// Omni: the area is a full circle (an omni cell, a cell whose azimuth
	// is not a finite number, or a width of 360° or more).
	Omni        bool
	WidthDeg    float64
	RadiusM     float64
	BackRadiusM float64
}

// ServiceAreasOverlap reports whether two modelled service areas share a
// point. They do not when their masts are further apart, on the WGS84
// ellipsoid, than the sum of their radii. Otherwise the two areas are
// compared exactly, as circles, sectors and discs, on a local flat
// (equirectangular) projection in metres about the midpoint of the two
// masts, with the WGS84 radii of curvature there; touching counts.
func ServiceAreasOverlap(a, b ServiceArea) bool {
	// Bounds on the distance from the masts' spherical angle decide most
	// pairs without measuring it.
	sum, lb, ub := a.RadiusM+b.RadiusM, math.Inf(-1), math.Inf(1)
	if coValidPos(a.Mast.Lat, a.Mast.Lon) && coValidPos(b.Mast.Lat, b.Mast.Lon) {
		ax, ay, az := coUnit(a.Mast)
		bx, by, bz := coUnit(b.Mast)
		if c2 := (ax-bx)*(ax-bx) + (ay-by)*(ay-by) + (az-bz)*(az-bz); c2 < coNearChord2 {
			lb, ub = coBounds(a.Mast, b.Mast, c2)
		}
	}
	if lb > sum || ub > sum && geo.Distance(a.Mast, b.Mast) > sum {
		return false
	}
	lat0 := (a.Mast.Lat + b.Mast.Lat) / 2
	lon0 := a.Mast.Lon + sectorWrap(b.Mast.Lon-a.Mast.Lon)/2
	sin, cos := math.Sincos(lat0 * math.Pi / 180)
	w := 1 - coWGS84E2*sin*sin
	ky := coWGS84A * (1 - coWGS84E2) / (w * math.Sqrt(w)) * math.Pi / 180
	kx := coWGS84A / math.Sqrt(w) * cos * math.Pi / 180
	pa := areaPlaneOf(a, sectorXY{sectorWrap(a.Mast.Lon-lon0) * kx, (a.Mast.Lat - lat0) * ky})
	pb := areaPlaneOf(b, sectorXY{sectorWrap(b.Mast.Lon-lon0) * kx, (b.Mast.Lat - lat0) * ky})
	return pa.overlaps(&pb)
}

// areaPlane is a service area on the plane.
type areaPlane struct {
	o      sectorXY // the mast
	r      float64  // the sector's (or circle's) radius
	back   float64  // the disc's radius
	full   bool     // the sector is a full circle
	u      sectorXY // unit vector along the azimuth
	cosH   float64  // cosine of half the width
	e1, e2 sectorXY // the ends of the sector's arc
}

func areaPlaneOf(a ServiceArea, o sectorXY) areaPlane {
	p := areaPlane{o: o, r: a.RadiusM, back: a.BackRadiusM,
		full: a.Omni || math.IsNaN(a.AzimuthDeg) || math.IsInf(a.AzimuthDeg, 0) || a.WidthDeg >= 360}
	if p.full {
		return p
	}
	dir := func(deg float64) sectorXY {
		s, c := math.Sincos(deg * math.Pi / 180)
		return sectorXY{s, c}
	}
	p.u = dir(a.AzimuthDeg)
	p.cosH = math.Cos(a.WidthDeg / 2 * math.Pi / 180)
	d1, d2 := dir(a.AzimuthDeg-a.WidthDeg/2), dir(a.AzimuthDeg+a.WidthDeg/2)
	p.e1 = sectorXY{o.x + p.r*d1.x, o.y + p.r*d1.y}
	p.e2 = sectorXY{o.x + p.r*d2.x, o.y + p.r*d2.y}
	return p
}

func areaSub(a, b sectorXY) sectorXY { return sectorXY{a.x - b.x, a.y - b.y} }
func areaDot(a, b sectorXY) float64  { return a.x*b.x + a.y*b.y }
func areaDist(a, b sectorXY) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }
func areaLerp(a, b sectorXY, t float64) sectorXY {
	return sectorXY{a.x + t*(b.x-a.x), a.y + t*(b.y-a.y)}
}

// inDirection reports whether the direction of v from the mast lies
// within the sector's width (any direction for a full circle or v zero).
func (p *areaPlane) inDirection(v sectorXY) bool {
	if p.full {
		return true
	}
	n := math.Hypot(v.x, v.y)
	return n == 0 || areaDot(v, p.u) >= n*p.cosH-1e-12*n
}

// inSector reports whether x lies in the sector (or circle).
func (p *areaPlane) inSector(x sectorXY) bool {
	v := areaSub(x, p.o)
	return math.Hypot(v.x, v.y) <= p.r && p.inDirection(v)
}

// sectorDist returns the distance from x to the sector (0 inside it).
func (p *areaPlane) sectorDist(x sectorXY) float64 {
	v := areaSub(x, p.o)
	n := math.Hypot(v.x, v.y)
	if p.full {
		return max(0, n-p.r)
	}
	if n <= p.r && p.inDirection(v) {
		return 0
	}
	d := min(areaSegmentDist(x, p.o, p.e1), areaSegmentDist(x, p.o, p.e2))
	if p.inDirection(v) {
		d = min(d, math.Abs(n-p.r))
	}
	return d
}

// areaSegmentDist returns the distance from x to the segment ab.
func areaSegmentDist(x, a, b sectorXY) float64 {
	ab := areaSub(b, a)
	l2 := areaDot(ab, ab)
	if l2 == 0 {
		return areaDist(x, a)
	}
	t := min(1, max(0, areaDot(areaSub(x, a), ab)/l2))
	return areaDist(x, areaLerp(a, b, t))
}

// onArc reports whether x, a point of the sector's circle, lies on its
// arc.
func (p *areaPlane) onArc(x sectorXY) bool { return p.inDirection(areaSub(x, p.o)) }

// segmentMeetsArc reports whether the segment ab has a point on p's arc.
func (p *areaPlane) segmentMeetsArc(a, b sectorXY) bool {
	d, f := areaSub(b, a), areaSub(a, p.o)
	qa, qb, qc := areaDot(d, d), 2*areaDot(f, d), areaDot(f, f)-p.r*p.r
	disc := qb*qb - 4*qa*qc
	if qa == 0 || disc < 0 {
		return false
	}
	s := math.Sqrt(disc)
	for _, t := range [2]float64{(-qb - s) / (2 * qa), (-qb + s) / (2 * qa)} {
		if t >= 0 && t <= 1 && p.onArc(areaLerp(a, b, t)) {
			return true
		}
	}
	return false
}

// arcsMeet reports whether the arcs of p and q have a point in common
// (concentric arcs are left to the caller: each contains the other's
// mast).
func (p *areaPlane) arcsMeet(q *areaPlane) bool {
	d := areaDist(p.o, q.o)
	if d == 0 || d > p.r+q.r || d < math.Abs(p.r-q.r) {
		return false
	}
	a := (p.r*p.r - q.r*q.r + d*d) / (2 * d)
	h := math.Sqrt(max(0, p.r*p.r-a*a))
	ux, uy := (q.o.x-p.o.x)/d, (q.o.y-p.o.y)/d
	mx, my := p.o.x+a*ux, p.o.y+a*uy
	for _, s := range [2]float64{-h, h} {
		x := sectorXY{mx - s*uy, my + s*ux}
		if p.onArc(x) && q.onArc(x) {
			return true
		}
	}
	return false
}

// sectorsMeet reports whether the sectors (or circles) of p and q share a
// point: one contains the other's mast, or their boundaries (two radii and
// an arc each, or a circle) meet. Two connected closed shapes that share a
// point either have boundaries that meet or one lies within the other, and
// then contains its mast.
func (p *areaPlane) sectorsMeet(q *areaPlane) bool {
	if areaDist(p.o, q.o) > p.r+q.r {
		return false
	}
	if p.inSector(q.o) || q.inSector(p.o) {
		return true
	}
	if p.arcsMeet(q) {
		return true
	}
	radii := func(p *areaPlane) [][2]sectorXY {
		if p.full {
			return nil
		}
		return [][2]sectorXY{{p.o, p.e1}, {p.o, p.e2}}
	}
	for _, s := range radii(p) {
		if q.segmentMeetsArc(s[0], s[1]) {
			return true
		}
		for _, t := range radii(q) {
			if sectorSegmentsMeet(s[0], s[1], t[0], t[1]) {
				return true
			}
		}
	}
	for _, t := range radii(q) {
		if p.segmentMeetsArc(t[0], t[1]) {
			return true
		}
	}
	return false
}

// overlaps reports whether the service areas p and q share a point: the
// union of each one's sector and disc.
func (p *areaPlane) overlaps(q *areaPlane) bool {
	d := areaDist(p.o, q.o)
	switch {
	case d > max(p.r, p.back)+max(q.r, q.back):
		return false
	case d <= p.back+q.back:
		return true
	case q.sectorDist(p.o) <= p.back, p.sectorDist(q.o) <= q.back:
		return true
	}
	return p.sectorsMeet(q)
}

// areaNetwork returns the network of a canonical cell key: its MCC and MNC,
// the first two of its dash-separated fields (the whole key if it has
// fewer).
func areaNetwork(key string) string {
	i := strings.IndexByte(key, '-')
	if i < 0 {
		return key
	}
	j := strings.IndexByte(key[i+1:], '-')
	if j < 0 {
		return key
	}
	return key[:i+1+j]
}

// areaValidOverlap reports whether the validity periods [f1, t1) and
// [f2, t2) (a zero end: unbounded) share an instant.
func areaValidOverlap(f1, t1, f2, t2 time.Time) bool {
	empty := func(f, t time.Time) bool { return !t.IsZero() && !f.Before(t) }
	if empty(f1, t1) || empty(f2, t2) {
		return false
	}
	return (t2.IsZero() || f1.Before(t2)) && (t1.IsZero() || f2.Before(t1))
}

// areaSite is one mast position of a network, with the validity of the
// records that place it there.
type areaSite struct {
	pos      geo.LatLon
	x, y, z  float64
	from, to time.Time
}

// areaGridM is the side, in metres on the unit sphere scaled to the mean
// Earth radius, of the cubes in which masts are indexed.
const areaGridM = 2000.0

// areaGrid indexes the masts of one network by cubes of the unit-vector
// space: two masts whose cubes are r apart in some axis are more than
// (r-1) cube sides apart as a chord.
type areaGrid struct {
	sites []areaSite
	cubes map[[3]int32][]int32
}

func areaCube(x, y, z float64) [3]int32 {
	s := areaGridM / coR
	return [3]int32{int32(math.Floor(x / s)), int32(math.Floor(y / s)), int32(math.Floor(z / s))}
}

// areaCellKey is what a cell's service radius depends on: its network, its
// mast and its validity.
type areaCellKey struct {
	net      string
	pos      geo.LatLon
	from, to time.Time
}

// areaRadii finds service radii: for a cell, the geodesic distance from
// its mast to the k-th nearest distinct mast position of its network more
// than SameSiteM away whose records were valid at some time when the
// cell's was, at most maxM; maxM when there are fewer than k.
type areaRadii struct {
	grids map[string]*areaGrid
	k     int
	maxM  float64
}

// newAreaRadii indexes the masts of the given networks: every record of
// the cell list and every given cell with a valid position.
func newAreaRadii(ix *CellIndex, used []*cellsite.Cell, nets map[string]bool, k int, maxM float64) *areaRadii {
	ar := &areaRadii{grids: map[string]*areaGrid{}, k: k, maxM: maxM}
	seen := map[areaCellKey]bool{}
	add := func(c *cellsite.Cell) {
		if !coValidSite(c) {
			return
		}
		net := areaNetwork(c.Key)
		if !nets[net] {
			return
		}
		key := areaCellKey{net, geo.LatLon{Lat: c.Lat, Lon: c.Lon}, c.ValidFrom, c.ValidTo}
		if seen[key] {
			return
		}
		seen[key] = true
		g := ar.grids[net]
		if g == nil {
			g = &areaGrid{cubes: map[[3]int32][]int32{}}
			ar.grids[net] = g
		}
		x, y, z := coUnit(key.pos)
		cube := areaCube(x, y, z)
		g.cubes[cube] = append(g.cubes[cube], int32(len(g.sites)))
		g.sites = append(g.sites, areaSite{pos: key.pos, x: x, y: y, z: z, from: c.ValidFrom, to: c.ValidTo})
	}
	// The order in which masts are added does not change any radius.
	if ix != nil {
		for _, rs := range ix.byKey {
			for i := range rs {
				add(&rs[i])
			}
		}
	}
	for _, c := range used {
		add(c)
	}
	return ar
}

// radius returns the service radius of a cell of the given key.
func (ar *areaRadii) radius(key areaCellKey) float64 {
	g := ar.grids[key.net]
	if g == nil {
		return ar.maxM
	}
	type cand struct {
		pos geo.LatLon
		d   float64
	}
	var cands []cand
	x, y, z := coUnit(key.pos)
	q := areaCube(x, y, z)
	side := areaGridM / coR
	// kth returns the k-th least distance among distinct positions found,
	// or +Inf.
	kth := func() float64 {
		slices.SortFunc(cands, func(a, b cand) int {
			if c := cmpFloat(a.d, b.d); c != 0 {
				return c
			}
			if c := cmpFloat(a.pos.Lat, b.pos.Lat); c != 0 {
				return c
			}
			return cmpFloat(a.pos.Lon, b.pos.Lon)
		})
		cands = slices.CompactFunc(cands, func(a, b cand) bool { return a.pos == b.pos })
		if len(cands) < ar.k {
			return math.Inf(1)
		}
		return cands[ar.k-1].d
	}
	// Masts further than maxM never count; beyond the chord of a bound,
	// no mast is within it (the spherical bound of coEps).
	bound := func(m float64) float64 {
		c2, ok := coChord2((m + coSlackM) / (1 - coEps))
		if !ok {
			return math.Inf(1)
		}
		return c2
	}
	lim2 := bound(ar.maxM)
	need := lim2 // no mast beyond this squared chord can count
	visit := func(n int32) {
		s := &g.sites[n]
		if !areaValidOverlap(key.from, key.to, s.from, s.to) {
			return
		}
		ex, ey, ez := s.x-x, s.y-y, s.z-z
		if ex*ex+ey*ey+ez*ez > need {
			return
		}
		if d := geo.Distance(key.pos, s.pos); d > SameSiteM && d <= ar.maxM {
			cands = append(cands, cand{s.pos, d})
		}
	}
	// The cubes at distance r from q in the greatest of the three axes
	// are visited for r = 0, 1, 2...; when more cubes than masts would be
	// visited, every mast is, instead.
	cubes := 0
	for r := int32(0); ; r++ {
		if w := 2*r + 1; cubes+int(w)*int(w)*int(w) > 4*len(g.sites)+64 {
			cands = cands[:0]
			for n := range g.sites {
				visit(int32(n))
			}
			break
		}
		for dx := -r; dx <= r; dx++ {
			for dy := -r; dy <= r; dy++ {
				step := 2 * r // on the faces dz = ±r only
				if abs32(dx) == r || abs32(dy) == r {
					step = 1
				}
				for dz := -r; dz <= r; dz += max(step, 1) {
					cubes++
					for _, n := range g.cubes[[3]int32{q[0] + dx, q[1] + dy, q[2] + dz}] {
						visit(n)
					}
				}
			}
		}
		// Masts not yet visited are more than r sides away as a chord.
		if d := kth(); !math.IsInf(d, 1) {
			need = min(need, bound(d))
		}
		if reach := float64(r) * side; reach*reach > need {
			break
		}
	}
	if d := kth(); d < ar.maxM {
		return d
	}
	return ar.maxM
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// coAreas is the service-area model of one analysis (basis
// "service-area"): the distinct service areas of the cells placing the
// targets' events (each event's is in its target's coTarget.aref).
type coAreas struct {
	areas []ServiceArea
}

// areaShapeKey identifies a service area.
type areaShapeKey struct {
	pos     geo.LatLon
	az      float64
	full    bool
	radiusM float64
}

// coAreaRef is what the sweep reads of an event's service area: the
// area's index in coAreas.areas and its reach, the service radius as an
// angle on the unit sphere, rounded up: two areas can meet only if the
// chord between their masts is at most the sum of their reaches.
type coAreaRef struct {
	area  int32
	reach float32
}

// coAreaMatch is what a cell's service area depends on: its key (for its
// network), mast, validity and azimuth (0 and omni true for a cell
// without a finite azimuth). Cells are told apart by these.
type coAreaMatch struct {
	key          string
	lat, lon, az float64
	from, to     time.Time
	omni         bool
}

// coAreaAzimuth returns the azimuth and omni flag by which cell c is told
// apart: 0 and true for a cell without a finite azimuth.
func coAreaAzimuth(c *cellsite.Cell) (float64, bool) {
	if c.Omni || math.IsNaN(c.AzimuthDeg) || math.IsInf(c.AzimuthDeg, 0) {
		return 0, true // a NaN would never equal itself
	}
	return c.AzimuthDeg, false
}

// coAreaHash returns a hash of a position and azimuth.
func coAreaHash(lat, lon, az float64) uint64 {
	h := math.Float64bits(lat)*0x9e3779b97f4a7c15 ^ math.Float64bits(lon)
	h = (h^h>>29)*0xbf58476d1ce4e5b9 ^ math.Float64bits(az)
	h = (h ^ h>>32) * 0x94d049bb133111eb
	return h ^ h>>29
}

// coAreaCells numbers the distinct cells of one target's events, in an
// open-addressed table of their numbers.
type coAreaCells struct {
	slots []int32 // a cell's number + 1, or 0 for an empty slot
	match []coAreaMatch
	cells []*cellsite.Cell // by number: the cell as on its first event
}

// id returns the number of cell c, numbering it if it is new.
func (cs *coAreaCells) id(c *cellsite.Cell) int32 {
	az, omni := coAreaAzimuth(c)
	if 2*len(cs.cells) >= len(cs.slots) {
		cs.grow()
	}
	mask := uint64(len(cs.slots) - 1)
	for at := coAreaHash(c.Lat, c.Lon, az) & mask; ; at = (at + 1) & mask {
		n := cs.slots[at]
		if n == 0 {
			cs.slots[at] = int32(len(cs.cells) + 1)
			cs.match = append(cs.match, coAreaMatch{key: c.Key, lat: c.Lat, lon: c.Lon, az: az, from: c.ValidFrom, to: c.ValidTo, omni: omni})
			cs.cells = append(cs.cells, c)
			return int32(len(cs.cells) - 1)
		}
		if o := &cs.match[n-1]; o.lat == c.Lat && o.lon == c.Lon && o.az == az && o.omni == omni &&
			o.from == c.ValidFrom && o.to == c.ValidTo && o.key == c.Key {
			return n - 1
		}
	}
}

// grow doubles the table (making it if need be).
func (cs *coAreaCells) grow() {
	cs.slots = make([]int32, max(1024, 2*len(cs.slots)))
	mask := uint64(len(cs.slots) - 1)
	for n := range cs.match {
		m := &cs.match[n]
		at := coAreaHash(m.lat, m.lon, m.az) & mask
		for cs.slots[at] != 0 {
			at = (at + 1) & mask
		}
		cs.slots[at] = int32(n + 1)
	}
}

// newCoAreas gives each target's events their service areas: the
// targets' distinct cells (numbered by newCoTarget) are given their radii
// and areas, and each event the index of its area in the model and its
// reach.
func newCoAreas(ts []*coTarget, ix *CellIndex, p ColocationParams) *coAreas {
	// A cell's radius depends on its areaCellKey, its area on that and
	// its azimuth.
	var used []*cellsite.Cell
	nets := map[string]bool{}
	ids := map[areaCellKey]int32{}
	var keys []areaCellKey
	local := make([][]int32, len(ts)) // per target, per cell: index into keys
	for k, t := range ts {
		used = append(used, t.cells...)
		local[k] = make([]int32, len(t.cells))
		for c, cell := range t.cells {
			key := areaCellKey{areaNetwork(cell.Key), geo.LatLon{Lat: cell.Lat, Lon: cell.Lon}, cell.ValidFrom, cell.ValidTo}
			nets[key.net] = true
			id, ok := ids[key]
			if !ok {
				id = int32(len(keys))
				ids[key] = id
				keys = append(keys, key)
			}
			local[k][c] = id
		}
	}
	ar := newAreaRadii(ix, used, nets, p.AreaNeighbour, p.AreaMaxRadiusM)
	radii := make([]float64, len(keys))
	coParallel(len(keys), func(n int) { radii[n] = ar.radius(keys[n]) })

	m := &coAreas{}
	shapes := map[areaShapeKey]int32{}
	refs := make([][]coAreaRef, len(ts)) // per target, per cell
	for k, t := range ts {
		refs[k] = make([]coAreaRef, len(t.cells))
		for c, cell := range t.cells {
			key := keys[local[k][c]]
			r := radii[local[k][c]]
			a := ServiceArea{Mast: key.pos, AzimuthDeg: cell.AzimuthDeg, WidthDeg: p.AreaWidthDeg,
				RadiusM: r, BackRadiusM: p.AreaBackFraction * r}
			a.Omni = cell.Omni || math.IsNaN(a.AzimuthDeg) || math.IsInf(a.AzimuthDeg, 0) || a.WidthDeg >= 360
			if a.Omni {
				a.AzimuthDeg = 0
			}
			sk := areaShapeKey{key.pos, a.AzimuthDeg, a.Omni, r}
			id, ok := shapes[sk]
			if !ok {
				id = int32(len(m.areas))
				shapes[sk] = id
				m.areas = append(m.areas, a)
			}
			// Two areas can meet only if the masts are within the sum
			// of the radii (geodesic): on the sphere, within an angle of
			// that over (1-coEps) times the mean radius, whose chord is
			// shorter still.
			reach := (r + coSlackM/2) / ((1 - coEps) * coR)
			r32 := float32(reach)
			if float64(r32) < reach {
				r32 = math.Nextafter32(r32, float32(math.Inf(1)))
			}
			refs[k][c] = coAreaRef{id, r32}
		}
	}
	coParallel(len(ts), func(k int) {
		t := ts[k]
		t.cellKey = make([]string, len(t.cells))
		t.cellRadius = make([]float32, len(t.cells))
		for c, cell := range t.cells {
			t.cellKey[c] = cell.Key
			t.cellRadius[c] = float32(radii[local[k][c]])
			t.maxReach = max(t.maxReach, float64(refs[k][c].reach))
		}
		for n, c := range t.cid {
			t.aref[n] = refs[k][c]
		}
	})
	return m
}

// overlap reports whether the areas i and j overlap, remembering the
// answer in memo.
func (m *coAreas) overlap(i, j int32, memo map[uint64]bool) bool {
	k := uint64(uint32(i))<<32 | uint64(uint32(j))
	if v, ok := memo[k]; ok {
		return v
	}
	v := ServiceAreasOverlap(m.areas[i], m.areas[j])
	memo[k] = v
	return v
}
