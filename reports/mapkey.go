package reports

import (
	"math"
	"strconv"
	"strings"

	"github.com/phpdave11/gofpdf"
)

// key draws the panel right of the map: what each symbol means, the north
// arrow and scale bar, events not on the map, the cell lists and the
// caveats.
func (d *mapDrawer) key() {
	pdf, l, p := d.pdf, d.l, d.l.p
	x0, x1 := mapPanelX0, mapPanelX1
	tx := x0 + 11 // text after a symbol
	y := mapFrameY0 + 3.2
	d.font("B", 8.5)
	d.ink(mapBlack)
	pdf.Text(x0, y, "Key")
	y += 5

	// Text stops short of the north arrow and scale bar; a key that
	// would run into them ends with "…".
	limit := mapScaleTop - 2
	full := false
	text := func(x, w float64, s string, pt float64) {
		d.font("", pt)
		for _, ln := range d.wrap(s, w) {
			if full {
				return
			}
			if y+pt*25.4/72*1.22 > limit {
				ln, full = "…", true
			}
			pdf.Text(x, y, ln)
			y += pt * 25.4 / 72 * 1.22
		}
	}

	// Targets.
	for t, target := range p.targets {
		col := mapColour(t)
		d.pen(col, mapRouteMM)
		d.dash(mapDash(t))
		pdf.Line(x0, y-1, x0+9, y-1)
		d.dash(nil)
		d.fill(col)
		pdf.Polygon(mapArrowhead(x0+4.5, y-1, 1, 0, 2.4), "F")
		events := 0
		for _, e := range p.events {
			if e.target == t {
				events++
			}
		}
		lx := tx
		if len(p.targets) > 1 {
			d.ink(col)
			d.font("B", mapKeyPt)
			letter := mapTargetLetter(t)
			pdf.Text(tx, y, letter)
			lx += pdf.GetStringWidth(letter) + 1.2
		}
		d.ink(mapBlack)
		text(lx, x1-lx, target+" ("+mapCount(events, "event")+")", mapKeyPt)
		y += 0.6
	}
	d.ink(mapBlack)
	text(x0, x1-x0, "Lines join the masts of successive serving cells in time order; they are not the path travelled.", mapSmallPt)
	y += 1.8

	// Masts.
	d.pen(mapWhite, 0.25)
	d.fill(mapBlack)
	d.triangle(x0+4.5, y-1, mapMarkerMM, "FD")
	text(tx, x1-tx, "Mast of a cell that served an event", mapKeyPt)
	y += 0.6
	if mapOtherMasts(p) {
		d.pen(mapGrey, 0.2)
		d.fill(mapWhite)
		d.triangle(x0+4.5, y-1, mapMarkerMM*0.8, "DF")
		text(tx, x1-tx, "Other mast in the cell list", mapKeyPt)
		y += 0.6
	}

	// Wedges.
	// A wedge pointing right, split between the targets when there are
	// several.
	swatch := func(dashed bool, targets int) {
		mx, my, r := x0+1.2, y-1, 7.8
		pdf.SetAlpha(mapWedgeAlpha, "Normal")
		for t := range targets {
			d.fill(mapColour(t))
			pdf.Polygon(mapSectorPage(mx, my, r, 72+36*float64(t)/float64(targets), 36/float64(targets)), "F")
		}
		pdf.SetAlpha(1, "Normal")
		d.pen(mapEdge, 0.22)
		if dashed {
			d.dash([]float64{1.1, 0.8})
		}
		pdf.Polygon(mapSectorPage(mx, my, r, 72, 36), "D")
		d.dash(nil)
	}
	swatch(false, len(p.targets))
	serving := "Serving cell: its azimuth ± half its beamwidth"
	if len(p.targets) > 1 {
		serving += ", in the colour of the target it served (split between them when it served several)"
	}
	text(tx, x1-tx, serving, mapKeyPt)
	y += 0.6
	if p.assumed > 0 {
		swatch(true, 1)
		text(tx, x1-tx, "Beamwidth not given: "+mapDeg(p.beamwidth)+" assumed", mapKeyPt)
		y += 1.4
	}
	if mapOmniServed(p) {
		d.pen(mapEdge, 0.22)
		d.fill(mapColour(0))
		pdf.SetAlpha(mapWedgeAlpha, "Normal")
		pdf.Circle(x0+4.5, y-1, 2.2, "F")
		pdf.SetAlpha(1, "Normal")
		pdf.Circle(x0+4.5, y-1, 2.2, "D")
		text(tx, x1-tx, "Omni cell (no azimuth)", mapKeyPt)
		y += 0.6
	}
	text(x0, x1-x0, mapWedgeNote(p), mapSmallPt)
	y += 1.8

	// Labels.
	d.font("", mapLabelPt)
	sample := "3, 5–9"
	sw := pdf.GetStringWidth(sample) + 1.4
	d.fill(mapWhite)
	d.pen(mapGrey, 0.12)
	pdf.Rect(x0, y-2.6, sw, 3.4, "FD")
	d.ink(mapColour(0))
	pdf.Text(x0+0.7, y-0.2, sample)
	d.ink(mapBlack)
	schedule := "the schedule"
	if p.m.Schedule != "" {
		schedule = "the " + p.m.Schedule
	}
	what := "Rows of " + schedule + " served by the cell"
	if len(p.targets) > 1 {
		what += ", after the target's letter"
	}
	text(x0+sw+1.5, x1-x0-sw-1.5, what, mapKeyPt)
	y += 2

	// Events not on the map.
	for _, n := range []struct {
		rows []int
		what string
	}{
		{p.noCell, mapNoCell},
		{p.noRecord, mapNoRecord},
		{p.noPosition, mapNoPosition},
		{l.noGrid, mapNoGrid},
	} {
		if len(n.rows) == 0 {
			continue
		}
		d.ink(mapBlack)
		rows := "rows "
		if len(n.rows) == 1 {
			rows = "row "
		}
		text(x0, x1-x0, "Not on the map ("+n.what+"): "+rows+mapClip(RowList(n.rows), 160), mapSmallPt)
		y += 0.8
	}

	// Cell lists.
	for _, c := range p.m.CellLists {
		s := "Cell list: " + c.Name
		if c.Date != "" {
			s += ", " + c.Date
		}
		s += ", SHA-256 " + c.SHA256.String()[:16] + "…"
		text(x0, x1-x0, s, mapSmallPt)
		y += 0.8
	}
	if d.base != nil {
		credit := d.opt.BasemapCredit
		if credit == "" {
			credit = mapBasemapCredit
		}
		s := "Basemap: " + d.base.name + ". " + credit + "."
		if d.baseCut {
			s += " Basemap detail beyond " + mapThousands(mapBasemapMaxPoints) + " points left out."
		}
		text(x0, x1-x0, s, mapSmallPt)
		y += 0.8
	}
	y += 1
	d.ink(mapTextGrey)
	text(x0, x1-x0, "A serving cell shows that the phone was in the area the cell served, which may be large, not that it was at the mast. "+
		"A data session record shows the cell used at or before the time recorded.", mapSmallPt)
	d.ink(mapBlack)

	if l.drawn {
		d.scaleAndNorth()
	}
}

// mapScaleTop is where the north arrow and scale bar begin, at the foot of
// the key.
const mapScaleTop = mapBottom - 30

// scaleAndNorth draws the north arrow, the scale bar and the grid note at
// the foot of the key.
func (d *mapDrawer) scaleAndNorth() {
	pdf, l := d.pdf, d.l
	x0, x1 := mapPanelX0, mapPanelX1
	y := mapScaleTop

	// North arrow.
	ax, ay := x0+4, y+1
	d.fill(mapBlack)
	d.pen(mapBlack, 0.2)
	pdf.Polygon([]gofpdf.PointType{{X: ax, Y: ay}, {X: ax + 2.6, Y: ay + 8}, {X: ax, Y: ay + 6.4}}, "FD")
	d.fill(mapWhite)
	pdf.Polygon([]gofpdf.PointType{{X: ax, Y: ay}, {X: ax - 2.6, Y: ay + 8}, {X: ax, Y: ay + 6.4}}, "FD")
	d.font("B", mapKeyPt)
	pdf.Text(ax-1.3, ay+11.2, "N")
	d.font("", mapKeyPt)
	pdf.Text(x0+11, y+3, "Grid north")
	d.font("", mapSmallPt)
	pdf.Text(x0+11, y+6, mapConvergenceNote(l.convDeg))
	pdf.Text(x0+11, y+8.6, "(at the centre of the map)")

	// Scale bar: four segments, alternately filled, with ticks labelled
	// in metres.
	y += 15
	barMM := l.barM * l.s
	seg := barMM / 4
	d.pen(mapBlack, 0.2)
	for i := 0; i < 4; i++ {
		if i%2 == 0 {
			d.fill(mapBlack)
		} else {
			d.fill(mapWhite)
		}
		pdf.Rect(x0+float64(i)*seg, y, seg, 1.4, "FD")
	}
	d.font("", mapSmallPt)
	for _, f := range []float64{0, 0.5, 1} {
		s := strconv.FormatFloat(l.barM*f, 'f', -1, 64)
		if f == 1 {
			s += " m"
		}
		x := x0 + barMM*f
		w := pdf.GetStringWidth(s)
		if f == 1 {
			pdf.Text(x-pdf.GetStringWidth(strconv.FormatFloat(l.barM, 'f', -1, 64))/2, y+4.2, s)
		} else {
			pdf.Text(x-w/2, y+4.2, s)
		}
	}
	d.font("", mapKeyPt)
	pdf.Text(x0, y+7.8, "Scale 1:"+mapThousands(l.denom)+" on A4")
	d.font("", mapSmallPt)
	d.ink(mapTextGrey)
	pdf.Text(x0, y+10.6, d.fitText("National Grid (OSGB36), "+mapDistance(l.gridM)+" squares", x1-x0))
	d.ink(mapBlack)
}

// wrap splits s into lines no wider than w at the current font, breaking
// at spaces.
func (d *mapDrawer) wrap(s string, w float64) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if cur != "" && d.pdf.GetStringWidth(cur+" "+word) > w {
			lines = append(lines, cur)
			cur = ""
		}
		if cur == "" {
			cur = word
		} else {
			cur += " " + word
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func mapOtherMasts(p *mapPlan) bool {
	for i := range p.sites {
		if !p.sites[i].served && p.sites[i].grid {
			return true
		}
	}
	return false
}

func mapOmniServed(p *mapPlan) bool {
	for i := range p.cells {
		if p.cells[i].served && p.cells[i].omni {
			return true
		}
	}
	return false
}

// mapWedgeNote says how long the wedges are drawn, and that they show
// direction, not coverage.
func mapWedgeNote(p *mapPlan) string {
	if r := p.m.WedgeRadiusM; r > 0 && mapFinite(r) {
		return "Wedges and circles are drawn " + mapDistance(r) + " long. They show which way a cell points, not the area it served."
	}
	return "Wedges and circles are drawn " + strconv.FormatFloat(WedgeSiteFraction*100, 'f', -1, 64) +
		"% of the distance to the nearest other mast (" + mapDistance(WedgeMinM) + " to " + mapDistance(WedgeMaxM) +
		"; " + mapDistance(WedgeLoneM) + " with none). They show which way a cell points, not the area it served."
}

// mapConvergenceNote says how true north lies from grid north, given the
// convergence (clockwise from true north to grid north).
func mapConvergenceNote(c float64) string {
	a := strconv.FormatFloat(math.Abs(c), 'f', 1, 64)
	switch {
	case a == "0.0":
		return "True north within 0.05° of grid north"
	case c > 0:
		return "True north " + a + "° west of grid north"
	default:
		return "True north " + a + "° east of grid north"
	}
}

func mapDeg(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) + "°" }

// mapDistance writes metres as "750 m" or "1.5 km".
func mapDistance(m float64) string {
	if m >= 1000 {
		return strconv.FormatFloat(m/1000, 'f', -1, 64) + " km"
	}
	return strconv.FormatFloat(m, 'f', 0, 64) + " m"
}

// mapThousands writes a whole number with thin spaces between groups of
// three digits, as "25 000".
func mapThousands(x float64) string {
	s := strconv.FormatFloat(x, 'f', 0, 64)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u2009")
		}
		b.WriteRune(r)
	}
	return b.String()
}

func mapCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// mapClip shortens s to at most n runes, ending at a comma with "…".
func mapClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, ","); i > 0 {
		cut = cut[:i]
	}
	return cut + ", … (see the schedule)"
}
