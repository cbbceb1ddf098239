package reports

import (
	"math"
	"strconv"
)

// mapBox is a rectangle on the page.
type mapBox struct{ x0, y0, x1, y1 float64 }

func (a mapBox) overlap(b mapBox) float64 {
	w := min(a.x1, b.x1) - max(a.x0, b.x0)
	h := min(a.y1, b.y1) - max(a.y0, b.y0)
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// mapLabelLine is one line of an event label: the rows of one target.
type mapLabelLine struct {
	target int
	prefix string // the target's letter on maps of several targets, else ""
	text   string
}

// labelLines writes the rows each target has on a cell as label lines of
// at most mapLabelMaxW, eliding the middle of a target's rows beyond
// mapLabelLines lines: "3, 5–9, 12, … 187 (142 rows)".
func (d *mapDrawer) labelLines(c *mapCell) []mapLabelLine {
	var out []mapLabelLine
	multi := len(d.l.p.targets) > 1
	for t, rows := range c.rows {
		if len(rows) == 0 {
			continue
		}
		prefix := ""
		if multi {
			prefix = mapTargetLetter(t) + " "
		}
		avail := mapLabelMaxW - d.pdf.GetStringWidth(prefix)
		for i, s := range d.wrapRows(mapRowRanges(rows), len(rows), avail) {
			l := mapLabelLine{target: t, text: s}
			if i == 0 {
				l.prefix = prefix
			}
			out = append(out, l)
		}
	}
	return out
}

// wrapRows fills lines of width w with row ranges, joined by ", ".
func (d *mapDrawer) wrapRows(tokens []string, count int, w float64) []string {
	fits := func(s string) bool { return d.pdf.GetStringWidth(s) <= w }
	var lines []string
	cur := ""
	for _, tok := range tokens {
		switch {
		case cur == "":
			cur = tok
		case fits(cur + ", " + tok):
			cur += ", " + tok
		default:
			lines = append(lines, cur+",")
			cur = tok
		}
	}
	lines = append(lines, cur)
	if len(lines) <= mapLabelLines {
		return lines
	}
	// Too many: fill all but the tail, then end with the last range and
	// the count.
	tail := "… " + tokens[len(tokens)-1] + " (" + strconv.Itoa(count) + " rows)"
	lines = lines[:0]
	cur = ""
	for _, tok := range tokens[:len(tokens)-1] {
		last := len(lines) == mapLabelLines-1
		next := tok
		if cur != "" {
			next = cur + ", " + tok
		}
		if last && !fits(next+", "+tail) || !last && !fits(next) {
			if last {
				break
			}
			lines = append(lines, cur+",")
			cur = tok
			continue
		}
		cur = next
	}
	if cur == "" {
		cur = tail
	} else {
		cur += ", " + tail
	}
	return append(lines, cur)
}

// labels writes each served cell's rows beside its wedge, in a box placed
// clear of masts, of other labels and of the other wedges' anchors where
// the frame allows, with a leader line to the wedge when the box stands
// apart from it. All boxes are placed first, then the leader lines drawn,
// then the boxes, so that no line crosses a label.
func (d *mapDrawer) labels() {
	pdf, l := d.pdf, d.l
	d.font("", mapLabelPt)
	fs := mapLabelPt * 25.4 / 72
	lineH := fs * 1.2
	const pad = 0.7
	type label struct {
		lines  []mapLabelLine
		prefix float64 // width of the target letters
		w, h   float64
		ax, ay float64 // the anchor
		box    mapBox
	}
	labels := make([]label, len(l.wedges))
	anchors := make([]mapBox, len(l.wedges))
	for i, wg := range l.wedges {
		c := &l.p.cells[wg.cell]
		lb := &labels[i]
		lb.lines = d.labelLines(c)
		for _, ln := range lb.lines {
			lb.w = max(lb.w, pdf.GetStringWidth(ln.prefix)+pdf.GetStringWidth(ln.text))
		}
		if len(lb.lines) > 0 && lb.lines[0].prefix != "" {
			lb.prefix = pdf.GetStringWidth(lb.lines[0].prefix)
		}
		lb.w += 2 * pad
		lb.h = float64(len(lb.lines))*lineH + 2*pad - (lineH - fs)
		// The anchor is on the wedge's axis (for an omni cell, towards
		// the north-east), 60% of the way out.
		bearing := wg.bearingDeg
		if c.omni {
			bearing = 45
		}
		sin, cos := math.Sincos(bearing * math.Pi / 180)
		lb.ax, lb.ay = wg.x+0.6*wg.rMM*sin, wg.y-0.6*wg.rMM*cos
		anchors[i] = mapBox{lb.ax - 0.8, lb.ay - 0.8, lb.ax + 0.8, lb.ay + 0.8}
	}
	for i, wg := range l.wedges {
		lb := &labels[i]
		if len(lb.lines) == 0 {
			continue
		}
		// On the anchor when the wedge is large enough to hold the label
		// and still show, else beyond the wedge's tip.
		bearing := wg.bearingDeg
		if l.p.cells[wg.cell].omni {
			bearing = 45
		}
		sin, cos := math.Sincos(bearing * math.Pi / 180)
		tx, ty := wg.x+wg.rMM*sin, wg.y-wg.rMM*cos
		lb.box = d.placeLabel(lb.ax, lb.ay, tx, ty, bearing, lb.w, lb.h, max(lb.w, lb.h) <= 0.45*wg.rMM, anchors, i)
		d.boxes = append(d.boxes, lb.box)
	}

	d.pen(mapEdge, 0.18)
	d.fill(mapEdge)
	for _, lb := range labels {
		b := lb.box
		if len(lb.lines) == 0 || lb.ax >= b.x0 && lb.ax <= b.x1 && lb.ay >= b.y0 && lb.ay <= b.y1 {
			continue
		}
		pdf.Line(lb.ax, lb.ay, min(max(lb.ax, b.x0), b.x1), min(max(lb.ay, b.y0), b.y1))
		pdf.Circle(lb.ax, lb.ay, 0.35, "F")
	}

	for _, lb := range labels {
		if len(lb.lines) == 0 {
			continue
		}
		d.fill(mapWhite)
		d.pen(mapGrey, 0.12)
		pdf.SetAlpha(0.88, "Normal")
		pdf.Rect(lb.box.x0, lb.box.y0, lb.w, lb.h, "FD")
		pdf.SetAlpha(1, "Normal")
		for i, ln := range lb.lines {
			y := lb.box.y0 + pad + fs*0.8 + float64(i)*lineH
			x := lb.box.x0 + pad
			d.ink(mapColour(ln.target))
			if ln.prefix != "" {
				d.font("B", mapLabelPt)
				pdf.Text(x, y, ln.prefix)
				d.font("", mapLabelPt)
			}
			pdf.Text(x+lb.prefix, y, ln.text)
		}
	}
	d.ink(mapBlack)
}

// placeLabel chooses where a label box of w by h goes: on the anchor
// (ax, ay) when allowed and clear, else beside the point (ox, oy), trying
// directions from the given bearing outwards in growing rings, and taking
// the first position inside the frame that is clear of masts, other
// labels and the anchors of other labels (all but anchors[self]), or,
// failing that, the least crowded.
func (d *mapDrawer) placeLabel(ax, ay, ox, oy, bearing, w, h float64, onAnchor bool, anchors []mapBox, self int) mapBox {
	best, bestCost := mapBox{}, math.Inf(1)
	try := func(cx, cy float64) bool {
		b := mapBox{cx - w/2, cy - h/2, cx + w/2, cy + h/2}
		cost := 0.0
		const in = 0.8
		if b.x0 < mapFrameX0+in || b.x1 > mapFrameX1-in || b.y0 < mapFrameY0+in || b.y1 > mapFrameY1-in {
			cost += 1e6
		}
		g := mapBox{b.x0 - 0.4, b.y0 - 0.4, b.x1 + 0.4, b.y1 + 0.4}
		// Stop counting once the position is no better than the best.
		for _, o := range d.boxes {
			if cost += g.overlap(o); cost >= bestCost {
				return false
			}
		}
		for i, o := range anchors {
			if i != self {
				if cost += 4 * b.overlap(o); cost >= bestCost {
					return false
				}
			}
		}
		if cost < bestCost {
			best, bestCost = b, cost
		}
		return cost == 0
	}
	if onAnchor && try(ax, ay) {
		return best
	}
	for ring := 0; ring < 12; ring++ {
		gap := 0.8 + 2.6*float64(ring)
		for j := 0; j < 16; j++ {
			step := (j + 1) / 2
			if j%2 == 0 {
				step = -step
			}
			th := (bearing + 22.5*float64(step)) * math.Pi / 180
			sin, cos := math.Sincos(th)
			// Beside the point in direction th: the box's edge, not its
			// centre, is gap away.
			cx := ox + sin*(w/2+gap)
			cy := oy - cos*(h/2+gap)
			if try(cx, cy) {
				return best
			}
		}
	}
	return best
}
