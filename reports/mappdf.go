package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/phpdave11/gofpdf"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/templates"
)

// MapOptions are the settings of WriteMapsPDF.
type MapOptions struct {
	// GeneratedAt is recorded as the PDF's creation and modification date,
	// so that the same maps give the same bytes. Required.
	GeneratedAt time.Time
	// Zone is the zone the time window is shown in: ZoneUTC (the default
	// when empty) or ZoneUKLocal (Europe/London, GMT or BST).
	Zone string
	// Exhibit, when set, heads every page: "Exhibit ABC/1".
	Exhibit string
	// Creator is recorded as the PDF's creator, e.g. "Cellsite v1.2.3".
	Creator string
	// Basemap, when set, names an Ordnance Survey Open data GeoPackage
	// (OS Open Zoomstack, OS OpenMap Local, ...) drawn faintly under every
	// map; otherwise the maps show a clean grid. Its feature layers in
	// British National Grid (EPSG:27700) are drawn: areas filled, then
	// lines, styled by layer name (water, woodland and green space,
	// buildings, roads, railways; anything else in light grey). Point
	// layers and layers of contours, boundaries and names are left out, as
	// are buildings at scales smaller than 1:25 000 and minor roads at
	// scales smaller than 1:50 000. The file is read, never written.
	Basemap string
	// BasemapCredit is the basemap's attribution, stated in the key;
	// empty means Ordnance Survey's: "Contains OS data © Crown copyright
	// and database right".
	BasemapCredit string
}

// Page layout of a map, in millimetres from the top left of an A4
// landscape page. The bottom MapFooterMM of the page is left empty for the
// report's "Page x of y" footer.
const (
	MapFooterMM = 12.0

	mapPageW   = 297.0
	mapPageH   = 210.0
	mapMargin  = 10.0
	mapFrameX0 = 24.0 // the map itself
	mapFrameY0 = 31.0
	mapFrameX1 = 214.0
	mapFrameY1 = 189.0
	mapPanelX0 = 220.0 // the key
	mapPanelX1 = mapPageW - mapMargin
	mapBottom  = mapPageH - MapFooterMM - 1 // nothing is drawn below
)

// Sizes of the drawing, in millimetres unless named otherwise.
const (
	mapFont        = "DejaVu"
	mapLabelPt     = 6.5  // event labels, grid labels
	mapKeyPt       = 7.0  // the key
	mapSmallPt     = 6.2  // notes and caveats in the key
	mapLabelMaxW   = 46.0 // widest event label before it wraps
	mapLabelLines  = 3    // lines per target in one label before the rows are elided
	mapPadMM       = 9.0  // space kept round the mapped features inside the frame
	mapMinExtentM  = 500.0
	mapMarkerMM    = 2.6 // side of a mast marker
	mapArcStepDeg  = 5.0
	mapRouteMM     = 0.55
	mapRouteGapMM  = 0.9 // between the routes of different targets along the same masts
	mapScaleBarMax = 42.0
	mapWedgeAlpha  = 0.2
)

// Map scales offered, as the denominators' leading digits: 1:10 000,
// 1:12 500, 1:15 000, ... .
var mapScaleSteps = []float64{1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5}

// Grid intervals and scale bar lengths, metres.
var mapRoundM = []float64{50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000, 100000}

// Target colours (Okabe and Ito's palette, told apart by people with
// colour-blind vision) and line patterns (told apart in greyscale).
var (
	mapColours = [][3]int{
		{0, 114, 178}, {213, 94, 0}, {0, 158, 115}, {204, 121, 167},
		{230, 159, 0}, {86, 180, 233}, {0, 0, 0}, {120, 94, 240},
	}
	mapDashes = [][]float64{nil, {2.4, 1.2}, {0.7, 0.9}, {2.6, 1, 0.7, 1}}
)

func mapColour(t int) [3]int  { return mapColours[t%len(mapColours)] }
func mapDash(t int) []float64 { return mapDashes[(t+t/len(mapColours))%len(mapDashes)] }

// WriteMapsPDF draws each map on one A4 landscape page of a vector PDF and
// writes it to w, returning the number of pages. Each page shows the
// National Grid (OSGB36) with labelled grid lines; the masts of the cells
// in the map; each serving cell as a wedge along its azimuth, turned from
// true north to grid north by the grid convergence; the schedule row
// numbers of the events beside the cells that served them; each target's
// route from mast to mast in time order; a scale bar, a north arrow, a key
// with the caveats, and a title with the targets and time window. Nothing is
// drawn in the bottom MapFooterMM millimetres of the page.
//
// The same maps and options give the same bytes.
func WriteMapsPDF(w io.Writer, maps []Map, opt MapOptions) (pages int, err error) {
	const op = "maps pdf"
	if len(maps) == 0 {
		return 0, cellsite.Errorf(cellsite.Invalid, op, "no maps")
	}
	if opt.GeneratedAt.IsZero() {
		return 0, cellsite.Errorf(cellsite.Invalid, op, "no generation time")
	}
	zone, err := mapZone(opt.Zone)
	if err != nil {
		return 0, &cellsite.Error{Op: op, Kind: cellsite.Invalid, Err: err}
	}
	regular, err := templates.Font("DejaVuSans.ttf")
	if err != nil {
		return 0, cellsite.Errorf(cellsite.Internal, op, "font: %w", err)
	}
	bold, err := templates.Font("DejaVuSans-Bold.ttf")
	if err != nil {
		return 0, cellsite.Errorf(cellsite.Internal, op, "font: %w", err)
	}

	pdf := gofpdf.New("L", "mm", "A4", "")
	pdf.SetCreationDate(opt.GeneratedAt.UTC())
	pdf.SetModificationDate(opt.GeneratedAt.UTC())
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.AddUTF8FontFromBytes(mapFont, "", regular)
	pdf.AddUTF8FontFromBytes(mapFont, "B", bold)
	pdf.SetTitle("Maps", true)
	if opt.Creator != "" {
		pdf.SetCreator(opt.Creator, true)
	}
	var base *mapBasemap
	if opt.Basemap != "" {
		base, err = openMapBasemap(opt.Basemap)
		if err != nil {
			return 0, cellsite.Errorf(cellsite.Invalid, op, "basemap %s: %w", opt.Basemap, err)
		}
		defer base.close()
	}
	for i := range maps {
		d := &mapDrawer{pdf: pdf, l: layoutMap(planMap(&maps[i])), zone: zone, opt: &opt, base: base, index: i, count: len(maps)}
		if err := d.page(); err != nil {
			return 0, cellsite.Errorf(cellsite.Invalid, op, "map %d: basemap %s: %w", i+1, opt.Basemap, err)
		}
		if err := pdf.Error(); err != nil {
			return 0, cellsite.Errorf(cellsite.Internal, op, "map %d: %w", i+1, err)
		}
	}
	if err := pdf.Output(w); err != nil {
		return 0, cellsite.Errorf(cellsite.Internal, op, "write: %w", err)
	}
	return len(maps), nil
}

// mapTimeZone is how times are shown on a map.
type mapTimeZone struct {
	loc  *time.Location
	name string // as said after the times on the page, "" for none
}

func mapZone(z string) (mapTimeZone, error) {
	switch z {
	case "", ZoneUTC:
		return mapTimeZone{time.UTC, ""}, nil // each time says UTC
	case ZoneUKLocal:
		return mapTimeZone{London, "UK local time"}, nil
	}
	return mapTimeZone{}, fmt.Errorf("zone %q: want %q or %q", z, ZoneUTC, ZoneUKLocal)
}

// format shows t to the second with its zone's abbreviation:
// "01/03/2024 14:05:09 GMT".
func (z mapTimeZone) format(t time.Time) string {
	return t.In(z.loc).Format("02/01/2006 15:04:05 MST")
}

// mapLayout is a planned map fitted to the page.
type mapLayout struct {
	p       *mapPlan
	drawn   bool    // there is something on the grid to draw
	cE, cN  float64 // grid position at the frame's centre
	s       float64 // millimetres of page per metre of grid
	denom   float64 // the scale is 1:denom
	gridM   float64 // grid line interval
	barM    float64 // scale bar length
	convDeg float64 // grid convergence at the centre (true north to grid north, clockwise)
	wedges  []mapWedge
	noGrid  []int // rows placed by cells off the National Grid
}

// mapWedge is a served cell's wedge (or circle) on the page.
type mapWedge struct {
	cell       int
	x, y       float64 // mast
	bearingDeg float64 // grid bearing of the azimuth
	rMM        float64
	pts        []gofpdf.PointType // the outline: mast, then the arc (or the circle)
	// slices divide the wedge between the targets it served, in target
	// order: one slice per target.
	slices  [][]gofpdf.PointType
	targets []int
}

// layoutMap chooses the scale, centre, grid interval and scale bar of a
// map and places its wedges on the page.
func layoutMap(p *mapPlan) *mapLayout {
	l := &mapLayout{p: p}
	for i := range p.cells {
		c := &p.cells[i]
		if c.served && !c.grid {
			for _, rows := range c.rows {
				l.noGrid = append(l.noGrid, rows...)
			}
		}
	}
	slices.Sort(l.noGrid)

	// The extent: every served mast with its wedge; failing that, every
	// mast on the grid.
	minE, minN, maxE, maxN := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(e, n float64) {
		minE, maxE = min(minE, e), max(maxE, e)
		minN, maxN = min(minN, n), max(maxN, n)
	}
	for i := range p.cells {
		c := &p.cells[i]
		if !c.served || !c.grid {
			continue
		}
		for _, q := range mapWedgeGrid(c) {
			grow(q.E, q.N)
		}
	}
	if math.IsInf(minE, 1) {
		for i := range p.sites {
			if s := &p.sites[i]; s.grid {
				grow(s.en.E, s.en.N)
			}
		}
	}
	if math.IsInf(minE, 1) {
		return l
	}
	l.drawn = true
	l.cE, l.cN = (minE+maxE)/2, (minN+maxN)/2
	w := max(maxE-minE, mapMinExtentM)
	h := max(maxN-minN, mapMinExtentM)
	s := min((mapFrameX1-mapFrameX0-2*mapPadMM)/w, (mapFrameY1-mapFrameY0-2*mapPadMM)/h)
	l.denom = mapNiceScale(1000 / s)
	l.s = 1000 / l.denom

	frameWM := (mapFrameX1 - mapFrameX0) / l.s
	l.gridM = mapRoundM[len(mapRoundM)-1]
	for _, g := range mapRoundM {
		if g >= 100 && frameWM/g <= 8 {
			l.gridM = g
			break
		}
	}
	l.barM = mapRoundM[0]
	for _, b := range mapRoundM {
		if b*l.s <= mapScaleBarMax {
			l.barM = b
		}
	}

	centre, err := geo.FromGrid(geo.EN{E: l.cE, N: l.cN})
	if err == nil {
		l.convDeg = geo.Convergence(centre)
	}

	for i := range p.cells {
		c := &p.cells[i]
		if !c.served || !c.grid {
			continue
		}
		x, y := l.pt(c.en)
		wg := mapWedge{cell: i, x: x, y: y, bearingDeg: c.azGrid, rMM: mapGridRadius(c) * l.s}
		wg.pts = l.page(mapWedgeGrid(c))
		for t, rows := range c.rows {
			if len(rows) > 0 {
				wg.targets = append(wg.targets, t)
			}
		}
		for _, sl := range mapSlicesGrid(c, len(wg.targets)) {
			wg.slices = append(wg.slices, l.page(sl))
		}
		l.wedges = append(l.wedges, wg)
	}
	return l
}

// mapNiceScale returns the smallest offered scale denominator not less
// than d.
func mapNiceScale(d float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(d)))
	for {
		for _, s := range mapScaleSteps {
			if s*p >= d*(1-1e-9) {
				return s * p
			}
		}
		p *= 10
	}
}

// page returns the page positions of grid positions.
func (l *mapLayout) page(en []geo.EN) []gofpdf.PointType {
	out := make([]gofpdf.PointType, len(en))
	for i, q := range en {
		out[i].X, out[i].Y = l.pt(q)
	}
	return out
}

// pt returns the page position of a grid position.
func (l *mapLayout) pt(en geo.EN) (x, y float64) {
	return (mapFrameX0+mapFrameX1)/2 + (en.E-l.cE)*l.s, (mapFrameY0+mapFrameY1)/2 - (en.N-l.cN)*l.s
}

// mapGridRadius returns a cell's wedge length in grid metres: its length
// on the ground times the projection's scale factor at the mast.
func mapGridRadius(c *mapCell) float64 {
	return c.radiusM * geo.ScaleFactor(c.ll)
}

// mapWedgeGrid returns the outline of a cell's wedge on the National Grid:
// the mast, then points of the arc from the azimuth less half the
// beamwidth to the azimuth plus half, at most mapArcStepDeg apart, as grid
// bearings; or, for an omni cell, points of the circle.
func mapWedgeGrid(c *mapCell) []geo.EN {
	if c.omni {
		return mapArcGrid(c, 0, 360, false)
	}
	return mapArcGrid(c, c.azGrid-c.beamwidth/2, c.beamwidth, true)
}

// mapSlicesGrid divides a cell's wedge (or circle) into k equal slices
// side by side, clockwise, one for each target it served.
func mapSlicesGrid(c *mapCell, k int) [][]geo.EN {
	if k <= 1 {
		return [][]geo.EN{mapWedgeGrid(c)}
	}
	from, span := c.azGrid-c.beamwidth/2, c.beamwidth
	if c.omni {
		from, span = 0, 360
	}
	out := make([][]geo.EN, k)
	for j := range out {
		out[j] = mapArcGrid(c, from+span*float64(j)/float64(k), span/float64(k), true)
	}
	return out
}

// mapArcGrid returns points of the arc of a cell's wedge from grid
// bearing fromDeg clockwise through spanDeg, at most mapArcStepDeg apart,
// after the mast when withMast is set. A whole circle without the mast
// does not repeat its first point.
func mapArcGrid(c *mapCell, fromDeg, spanDeg float64, withMast bool) []geo.EN {
	r := mapGridRadius(c)
	n := max(1, int(math.Ceil(spanDeg/mapArcStepDeg-1e-9)))
	pts := make([]geo.EN, 0, n+2)
	if withMast {
		pts = append(pts, c.en)
	}
	last := n
	if !withMast && spanDeg >= 360 {
		last = n - 1
	}
	for i := 0; i <= last; i++ {
		sin, cos := math.Sincos((fromDeg + spanDeg*float64(i)/float64(n)) * math.Pi / 180)
		pts = append(pts, geo.EN{E: c.en.E + r*sin, N: c.en.N + r*cos})
	}
	return pts
}

// mapDrawer draws one map page.
type mapDrawer struct {
	pdf  *gofpdf.Fpdf
	l    *mapLayout
	zone mapTimeZone
	opt  *MapOptions
	base *mapBasemap // nil without a basemap
	// baseCut is set when the basemap's vertex limit left features out.
	baseCut bool
	index   int
	count   int
	boxes   []mapBox // label and marker boxes already on the page
}

func (d *mapDrawer) page() error {
	d.pdf.AddPage() // A4 landscape, as the document was created
	d.pdf.SetLineCapStyle("butt")
	d.pdf.SetLineJoinStyle("miter")
	d.header()
	if err := d.frame(); err != nil {
		return err
	}
	d.key()
	return nil
}

func (d *mapDrawer) font(style string, pt float64) { d.pdf.SetFont(mapFont, style, pt) }
func (d *mapDrawer) ink(c [3]int)                  { d.pdf.SetTextColor(c[0], c[1], c[2]) }
func (d *mapDrawer) pen(c [3]int, w float64) {
	d.pdf.SetDrawColor(c[0], c[1], c[2])
	d.pdf.SetLineWidth(w)
}
func (d *mapDrawer) fill(c [3]int) { d.pdf.SetFillColor(c[0], c[1], c[2]) }
func (d *mapDrawer) dash(p []float64) {
	if p == nil {
		d.pdf.SetDashPattern([]float64{}, 0)
		return
	}
	d.pdf.SetDashPattern(p, 0)
}

var (
	mapBlack    = [3]int{0, 0, 0}
	mapWhite    = [3]int{255, 255, 255}
	mapGrey     = [3]int{110, 110, 110}
	mapGridInk  = [3]int{190, 190, 190}
	mapTextGrey = [3]int{80, 80, 80}
	mapEdge     = [3]int{70, 70, 70}
)

// fitText returns s shortened with "…" to fit width w at the current font.
func (d *mapDrawer) fitText(s string, w float64) string {
	if d.pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// header draws the title, the targets and the time window.
func (d *mapDrawer) header() {
	m := d.l.p.m
	right := "Map " + strconv.Itoa(d.index+1) + " of " + strconv.Itoa(d.count)
	if d.opt.Exhibit != "" {
		right = "Exhibit " + d.opt.Exhibit + " · " + right
	}
	d.font("", 8.5)
	d.ink(mapTextGrey)
	rw := d.pdf.GetStringWidth(right)
	d.pdf.Text(mapPageW-mapMargin-rw, 15, right)

	title := m.Title
	if title == "" {
		title = "Map " + strconv.Itoa(d.index+1)
	}
	d.font("B", 13)
	d.ink(mapBlack)
	d.pdf.Text(mapMargin, 15.5, d.fitText(title, mapPageW-2*mapMargin-rw-6))

	d.font("", 8.5)
	y := 21.0
	if m.Subtitle != "" {
		d.pdf.Text(mapMargin, y, d.fitText(m.Subtitle, mapPageW-2*mapMargin))
		y += 4.2
	}
	from, to := d.window()
	targets := d.l.p.targets
	if len(targets) > 1 {
		targets = make([]string, len(d.l.p.targets))
		for i, t := range d.l.p.targets {
			targets[i] = mapTargetLetter(i) + " " + t
		}
	}
	line := "Targets: " + strings.Join(targets, ", ")
	if !from.IsZero() {
		line += "   ·   " + d.zone.format(from) + " to " + d.zone.format(to)
		if d.zone.name != "" {
			line += " (" + d.zone.name + ")"
		}
	}
	d.pdf.Text(mapMargin, y, d.fitText(line, mapPageW-2*mapMargin))
}

// window returns the map's time window: as given, or from its events.
func (d *mapDrawer) window() (from, to time.Time) {
	m := d.l.p.m
	from, to = m.From, m.To
	for _, e := range m.Events {
		if e.Time.IsZero() {
			continue
		}
		if m.From.IsZero() && (from.IsZero() || e.Time.Before(from)) {
			from = e.Time
		}
		if m.To.IsZero() && (to.IsZero() || e.Time.After(to)) {
			to = e.Time
		}
	}
	return from, to
}

// frame draws the map: basemap, grid, masts, wedges, routes and labels,
// clipped to the frame, then the frame and the grid labels.
func (d *mapDrawer) frame() error {
	pdf, l := d.pdf, d.l
	fw, fh := mapFrameX1-mapFrameX0, mapFrameY1-mapFrameY0
	if !l.drawn {
		d.pen(mapBlack, 0.3)
		pdf.Rect(mapFrameX0, mapFrameY0, fw, fh, "D")
		d.font("", 10)
		d.ink(mapTextGrey)
		msg := "No event on this map is placed by a cell with a position on the National Grid."
		pdf.Text((mapFrameX0+mapFrameX1)/2-pdf.GetStringWidth(msg)/2, (mapFrameY0+mapFrameY1)/2, msg)
		return nil
	}
	pdf.ClipRect(mapFrameX0, mapFrameY0, fw, fh, false)
	if err := d.basemap(); err != nil {
		pdf.ClipEnd()
		return err
	}
	d.grid()
	d.wedges()
	d.otherMasts()
	d.routes()
	d.servedMasts()
	pdf.ClipEnd()
	d.labels()
	d.dash(nil)
	d.pen(mapBlack, 0.3)
	pdf.Rect(mapFrameX0, mapFrameY0, fw, fh, "D")
	d.gridLabels()
	return nil
}

// basemap draws the basemap's features inside the frame: areas, then
// lines, leaving out vertices closer than 0.1 mm to the last one drawn.
func (d *mapDrawer) basemap() error {
	if d.base == nil {
		return nil
	}
	l, pdf := d.l, d.pdf
	halfW := (mapFrameX1 - mapFrameX0) / 2 / l.s
	halfH := (mapFrameY1 - mapFrameY0) / 2 / l.s
	feats, cut, err := d.base.features(l.cE-halfW, l.cN-halfH, l.cE+halfW, l.cN+halfH, l.denom)
	if err != nil {
		return err
	}
	d.baseCut = cut
	path := func(pts []geo.EN, closed bool) bool {
		drawn := 0
		var lx, ly float64
		for i, q := range pts {
			x, y := l.pt(q)
			if i > 0 && i < len(pts)-1 && math.Abs(x-lx) < 0.1 && math.Abs(y-ly) < 0.1 {
				continue
			}
			if drawn == 0 {
				pdf.MoveTo(x, y)
			} else {
				pdf.LineTo(x, y)
			}
			lx, ly = x, y
			drawn++
		}
		if closed && drawn > 0 {
			pdf.ClosePath()
		}
		return drawn > 1
	}
	for _, f := range feats {
		if len(f.areas) == 0 || f.style.fill == ([3]int{}) {
			continue
		}
		d.fill(f.style.fill)
		for _, a := range f.areas {
			some := false
			for _, r := range a {
				some = path(r, true) || some
			}
			if some {
				pdf.DrawPath("F*")
			}
		}
	}
	for _, f := range feats {
		if len(f.lines) == 0 || f.style.width == 0 {
			continue
		}
		d.pen(f.style.line, f.style.width)
		d.dash(f.style.dash)
		for _, ln := range f.lines {
			if path(ln, false) {
				pdf.DrawPath("D")
			}
		}
	}
	d.dash(nil)
	return nil
}

// gridLines returns the grid values of the lines crossing the frame.
func (l *mapLayout) gridLines() (es, ns []float64) {
	halfW := (mapFrameX1 - mapFrameX0) / 2 / l.s
	halfH := (mapFrameY1 - mapFrameY0) / 2 / l.s
	for e := math.Ceil((l.cE-halfW)/l.gridM) * l.gridM; e <= l.cE+halfW; e += l.gridM {
		es = append(es, e)
	}
	for n := math.Ceil((l.cN-halfH)/l.gridM) * l.gridM; n <= l.cN+halfH; n += l.gridM {
		ns = append(ns, n)
	}
	return es, ns
}

func (d *mapDrawer) grid() {
	es, ns := d.l.gridLines()
	d.pen(mapGridInk, 0.15)
	for _, e := range es {
		x, _ := d.l.pt(geo.EN{E: e, N: d.l.cN})
		d.pdf.Line(x, mapFrameY0, x, mapFrameY1)
	}
	for _, n := range ns {
		_, y := d.l.pt(geo.EN{E: d.l.cE, N: n})
		d.pdf.Line(mapFrameX0, y, mapFrameX1, y)
	}
}

// gridLabels labels the grid lines in metres: eastings below the frame,
// northings up its left side.
func (d *mapDrawer) gridLabels() {
	pdf := d.pdf
	es, ns := d.l.gridLines()
	d.font("", mapLabelPt)
	d.ink(mapTextGrey)
	last := math.Inf(-1)
	for _, e := range es {
		x, _ := d.l.pt(geo.EN{E: e, N: d.l.cN})
		s := strconv.FormatFloat(e, 'f', 0, 64) + " E"
		w := pdf.GetStringWidth(s)
		if x-w/2 < max(last+2, mapFrameX0-4) || x+w/2 > mapFrameX1+4 {
			continue
		}
		pdf.Text(x-w/2, mapFrameY1+3.4, s)
		last = x + w/2
	}
	last = math.Inf(1)
	for _, n := range ns {
		_, y := d.l.pt(geo.EN{E: d.l.cE, N: n})
		s := strconv.FormatFloat(n, 'f', 0, 64) + " N"
		w := pdf.GetStringWidth(s)
		if y+w/2 > last-2 || y-w/2 < mapFrameY0-2 {
			continue
		}
		x := mapFrameX0 - 1.6
		pdf.TransformBegin()
		pdf.TransformRotate(90, x, y)
		pdf.Text(x-w/2, y, s)
		pdf.TransformEnd()
		last = y - w/2
	}
}

// triangle draws a mast marker centred on (x, y).
func (d *mapDrawer) triangle(x, y, side float64, style string) {
	h := side * math.Sqrt(3) / 2
	d.pdf.Polygon([]gofpdf.PointType{{X: x, Y: y - h*2/3}, {X: x + side/2, Y: y + h/3}, {X: x - side/2, Y: y + h/3}}, style)
}

// otherMasts draws the masts of cells that served no event on the map.
func (d *mapDrawer) otherMasts() {
	p := d.l.p
	d.pen(mapGrey, 0.2)
	d.fill(mapWhite)
	for i := range p.sites {
		s := &p.sites[i]
		if s.served || !s.grid {
			continue
		}
		x, y := d.l.pt(s.en)
		if !mapInFrame(x, y, 2) {
			continue
		}
		d.triangle(x, y, mapMarkerMM*0.8, "DF")
		d.boxes = append(d.boxes, mapBox{x - 1.1, y - 1.1, x + 1.1, y + 1.1})
	}
}

// wedges fills each served cell's wedge in the colour of the target it
// served (divided into side-by-side slices, one per target, when it served
// several), then outlines it: solid when the beamwidth is given, dashed
// when the default is drawn.
func (d *mapDrawer) wedges() {
	pdf, p := d.pdf, d.l.p
	pdf.SetAlpha(mapWedgeAlpha, "Normal")
	for _, wg := range d.l.wedges {
		for j, t := range wg.targets {
			d.fill(mapColour(t))
			pdf.Polygon(wg.slices[j], "F")
		}
	}
	pdf.SetAlpha(1, "Normal")
	for _, wg := range d.l.wedges {
		c := &p.cells[wg.cell]
		d.pen(mapEdge, 0.22)
		if c.assumed {
			d.dash([]float64{1.1, 0.8})
		} else {
			d.dash(nil)
		}
		pdf.Polygon(wg.pts, "D")
	}
	d.dash(nil)
}

// routes draws each target's route from mast to mast in time order, with
// an arrowhead midway along each leg. Routes of different targets are set
// side by side so that shared legs stay visible.
func (d *mapDrawer) routes() {
	pdf, p := d.pdf, d.l.p
	n := float64(len(p.targets))
	for t, route := range p.routes {
		off := (float64(t) - (n-1)/2) * mapRouteGapMM
		col := mapColour(t)
		for i := 1; i < len(route); i++ {
			a, b := &p.sites[route[i-1]], &p.sites[route[i]]
			if !a.grid || !b.grid {
				continue
			}
			x0, y0 := d.l.pt(a.en)
			x1, y1 := d.l.pt(b.en)
			dx, dy := x1-x0, y1-y0
			length := math.Hypot(dx, dy)
			if length < 0.5 {
				continue
			}
			ux, uy := dx/length, dy/length
			nx, ny := -uy*off, ux*off
			d.pen(col, mapRouteMM)
			d.dash(mapDash(t))
			pdf.Line(x0+nx, y0+ny, x1+nx, y1+ny)
			if length >= 7 {
				mx, my := (x0+x1)/2+nx, (y0+y1)/2+ny
				d.dash(nil)
				d.fill(col)
				pdf.Polygon(mapArrowhead(mx, my, ux, uy, 2.4), "F")
			}
		}
	}
	d.dash(nil)
}

// mapSectorPage returns a sector on the page: the centre, then points of
// the arc of radius r from bearing fromDeg clockwise through spanDeg.
func mapSectorPage(x, y, r, fromDeg, spanDeg float64) []gofpdf.PointType {
	n := max(1, int(math.Ceil(spanDeg/mapArcStepDeg)))
	pts := []gofpdf.PointType{{X: x, Y: y}}
	for i := 0; i <= n; i++ {
		sin, cos := math.Sincos((fromDeg + spanDeg*float64(i)/float64(n)) * math.Pi / 180)
		pts = append(pts, gofpdf.PointType{X: x + r*sin, Y: y - r*cos})
	}
	return pts
}

// mapArrowhead returns an arrowhead of the given length centred on
// (x, y), pointing along the unit vector (ux, uy).
func mapArrowhead(x, y, ux, uy, length float64) []gofpdf.PointType {
	half := length / 2
	wing := length * 0.45
	return []gofpdf.PointType{
		{X: x + ux*half, Y: y + uy*half},
		{X: x - ux*half - uy*wing, Y: y - uy*half + ux*wing},
		{X: x - ux*half*0.4, Y: y - uy*half*0.4},
		{X: x - ux*half + uy*wing, Y: y - uy*half - ux*wing},
	}
}

// servedMasts draws the masts of the cells that served events.
func (d *mapDrawer) servedMasts() {
	p := d.l.p
	d.pen(mapWhite, 0.25)
	d.fill(mapBlack)
	for i := range p.sites {
		s := &p.sites[i]
		if !s.served || !s.grid {
			continue
		}
		x, y := d.l.pt(s.en)
		d.triangle(x, y, mapMarkerMM, "FD")
		d.boxes = append(d.boxes, mapBox{x - 1.5, y - 1.6, x + 1.5, y + 1.3})
	}
}

func mapInFrame(x, y, inset float64) bool {
	return x >= mapFrameX0+inset && x <= mapFrameX1-inset && y >= mapFrameY0+inset && y <= mapFrameY1-inset
}
