package reports

// This file lets the external tests (package reports_test) check the
// geometry of a map page, which the PDF holds only as drawing operators.

// MapPageGeometry is where a map's features fall on its page.
type MapPageGeometry struct {
	Drawn          bool
	Denominator    float64 // the scale is 1:Denominator
	MMPerM         float64 // page millimetres per metre of grid
	GridM          float64 // grid interval
	GridEastings   []float64
	BarM, BarMM    float64 // scale bar length in metres and on the page
	ConvergenceDeg float64
	CentreE        float64
	CentreN        float64
	Wedges         []MapWedgeGeometry
}

// MapWedgeGeometry is one served cell's wedge on the page.
type MapWedgeGeometry struct {
	Cell       string
	X, Y       float64 // the mast, page millimetres from the top left
	BearingDeg float64 // grid bearing of the azimuth
	RadiusM    float64 // wedge length on the ground
	RadiusMM   float64 // on the page
	Points     [][2]float64
	Slices     int
}

// MapGeometry returns the page geometry WriteMapsPDF draws for m.
func MapGeometry(m Map) MapPageGeometry {
	l := layoutMap(planMap(&m))
	g := MapPageGeometry{Drawn: l.drawn, Denominator: l.denom, MMPerM: l.s, GridM: l.gridM,
		BarM: l.barM, BarMM: l.barM * l.s, ConvergenceDeg: l.convDeg, CentreE: l.cE, CentreN: l.cN}
	if l.drawn {
		g.GridEastings, _ = l.gridLines()
	}
	for _, w := range l.wedges {
		c := &l.p.cells[w.cell]
		wg := MapWedgeGeometry{Cell: c.rec.Key, X: w.x, Y: w.y, BearingDeg: w.bearingDeg, RadiusM: c.radiusM, RadiusMM: w.rMM, Slices: len(w.slices)}
		for _, p := range w.pts {
			wg.Points = append(wg.Points, [2]float64{p.X, p.Y})
		}
		g.Wedges = append(g.Wedges, wg)
	}
	return g
}

// MapFrame is the map frame on the page: left, top, right, bottom.
var MapFrame = [4]float64{mapFrameX0, mapFrameY0, mapFrameX1, mapFrameY1}
