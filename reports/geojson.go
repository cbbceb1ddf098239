package reports

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// WriteGeoJSON writes the data of the maps as one GeoJSON (RFC 7946)
// FeatureCollection in WGS84 longitude and latitude, for GIS tools. Each
// feature's properties say which map it belongs to ("map", from 1, and
// "map_title") and what it is ("kind"):
//
//   - "site": a mast (Point), with its name, address, postcode, cell keys
//     and National Grid position, and whether it served an event;
//   - "wedge": a serving cell's wedge or omni circle (Polygon), as on the
//     PDF map, with its true azimuth, grid bearing, beamwidth (and whether
//     it was assumed), length, and the rows of each target it served;
//   - "route": a target's route from mast to mast in time order
//     (LineString), when it visits more than one mast;
//   - "event": an event (Point at the mast of the cell that placed it),
//     with its row number, target, time (UTC), type and cell; an event
//     that is not placed has no geometry and says why.
//
// Features come in map order, then in the order above, each kind in a
// stable order; coordinates have seven decimal places (about a
// centimetre). Every text property is passed through Neutralise, so the
// export is safe to open in a spreadsheet. The same maps give the same
// bytes.
func WriteGeoJSON(w io.Writer, maps []Map) error { return writeGeoJSON(w, maps, 0, len(maps)) }

// WriteMapGeoJSON writes the features of maps[i] alone, as WriteGeoJSON
// writes them among all the maps (their "map" property is i+1), for a
// viewer that shows one map at a time.
func WriteMapGeoJSON(w io.Writer, maps []Map, i int) error {
	if i < 0 || i >= len(maps) {
		return cellsite.Errorf(cellsite.NotFound, "geojson", "no map %d of %d", i+1, len(maps))
	}
	return writeGeoJSON(w, maps, i, i+1)
}

// writeGeoJSON writes the features of maps[from:to].
func writeGeoJSON(w io.Writer, maps []Map, from, to int) error {
	bw := bufio.NewWriter(w)
	g := &mapGeoJSONWriter{w: bw}
	g.raw(`{"type":"FeatureCollection","features":[`)
	for i := from; i < to; i++ {
		x := mapExport(&maps[i])
		base := `"map":` + strconv.Itoa(i+1) + `,"map_title":` + mapJSONText(maps[i].Title)
		for _, s := range x.sites {
			g.feature(`{"type":"Point","coordinates":`+mapLonLat(s.ll)+`}`, base+`,"kind":"site"`+s.props())
		}
		for _, wg := range x.wedges {
			g.feature(`{"type":"Polygon","coordinates":[`+mapLonLatList(wg.ring)+`]}`, base+`,"kind":"wedge"`+wg.props())
		}
		for _, r := range x.routes {
			g.feature(`{"type":"LineString","coordinates":`+mapLonLatList(r.pts)+`}`, base+`,"kind":"route"`+r.props())
		}
		for _, e := range x.events {
			geom := "null"
			if e.placed {
				geom = `{"type":"Point","coordinates":` + mapLonLat(e.ll) + `}`
			}
			g.feature(geom, base+`,"kind":"event"`+e.props())
		}
	}
	g.raw("\n]}\n")
	if err := bw.Flush(); err != nil {
		return cellsite.Errorf(cellsite.Internal, "geojson", "write: %w", err)
	}
	return nil
}

type mapGeoJSONWriter struct {
	w *bufio.Writer
	n int
}

func (g *mapGeoJSONWriter) raw(s string) { g.w.WriteString(s) }

// feature writes one feature on a line of its own.
func (g *mapGeoJSONWriter) feature(geometry, props string) {
	if g.n > 0 {
		g.raw(",")
	}
	g.n++
	g.raw("\n{\"type\":\"Feature\",\"geometry\":")
	g.raw(geometry)
	g.raw(`,"properties":{`)
	g.raw(props)
	g.raw("}}")
}

// mapExported is a map's features as exported: positions in WGS84.
type mapExported struct {
	p      *mapPlan
	sites  []mapExportSite
	wedges []mapExportWedge
	routes []mapExportRoute
	events []mapExportEvent
}

type mapExportSite struct {
	ll      geo.LatLon
	en      geo.EN
	grid    bool
	name    string
	address string
	post    string
	cells   []string
	served  bool
}

type mapExportWedge struct {
	c       *mapCell
	ring    []geo.LatLon
	targets []string
	rows    [][]int
}

type mapExportRoute struct {
	target string
	letter string
	pts    []geo.LatLon
	events int
}

type mapExportEvent struct {
	MapEvent
	placed bool
	ll     geo.LatLon
	reason string
}

// mapExport resolves a map and lays out its features for export.
func mapExport(m *Map) *mapExported {
	p := planMap(m)
	x := &mapExported{p: p}
	for i := range p.sites {
		s := &p.sites[i]
		es := mapExportSite{ll: s.ll, en: s.en, grid: s.grid, served: s.served}
		for _, ci := range s.cells {
			rec := p.cells[ci].rec
			if es.name == "" {
				es.name, es.address, es.post = rec.Site, rec.Address, rec.Postcode
			}
			es.cells = append(es.cells, rec.Key)
		}
		x.sites = append(x.sites, es)
	}
	for i := range p.cells {
		c := &p.cells[i]
		if !c.served {
			continue
		}
		wg := mapExportWedge{c: c, ring: mapWedgeRing(c)}
		for t, rows := range c.rows {
			if len(rows) > 0 {
				wg.targets = append(wg.targets, p.targets[t])
				wg.rows = append(wg.rows, rows)
			}
		}
		x.wedges = append(x.wedges, wg)
	}
	for t, route := range p.routes {
		if len(route) < 2 {
			continue
		}
		r := mapExportRoute{target: p.targets[t], letter: mapTargetLetter(t)}
		for _, s := range route {
			r.pts = append(r.pts, p.sites[s].ll)
		}
		for _, e := range p.events {
			if e.target == t && e.cell >= 0 {
				r.events++
			}
		}
		x.routes = append(x.routes, r)
	}
	for _, e := range p.events {
		ee := mapExportEvent{MapEvent: e.MapEvent, placed: e.cell >= 0, reason: e.reason}
		if ee.placed {
			ee.ll = p.cells[e.cell].ll
		}
		x.events = append(x.events, ee)
	}
	return x
}

// mapWedgeRing returns a served cell's wedge (or omni circle) as a closed
// ring of WGS84 positions, anticlockwise as RFC 7946 asks: from the mast,
// points of the arc at mapArcStepDeg or less, each at the wedge's length
// from the mast on the ellipsoid along a true bearing, and back.
func mapWedgeRing(c *mapCell) []geo.LatLon {
	var pts []geo.LatLon
	if c.omni {
		n := int(360 / mapArcStepDeg)
		for i := n; i >= 0; i-- { // the first point again last
			pts = append(pts, geo.Destination(c.ll, 360*float64(i%n)/float64(n), c.radiusM))
		}
		return pts
	}
	// Bearings grow clockwise: walk them backwards.
	n := max(1, int(math.Ceil(c.beamwidth/mapArcStepDeg)))
	pts = append(pts, c.ll)
	from := c.azTrue - c.beamwidth/2
	for i := n; i >= 0; i-- {
		pts = append(pts, geo.Destination(c.ll, from+c.beamwidth*float64(i)/float64(n), c.radiusM))
	}
	return append(pts, c.ll)
}

func (s *mapExportSite) props() string {
	b := `,"site":` + mapJSONText(s.name) + `,"address":` + mapJSONText(s.address) + `,"postcode":` + mapJSONText(s.post) + `,"cells":[`
	for i, k := range s.cells {
		if i > 0 {
			b += ","
		}
		b += mapJSONText(k)
	}
	b += `],"served":` + strconv.FormatBool(s.served)
	if s.grid {
		b += `,"easting":` + mapFixed(s.en.E, 1) + `,"northing":` + mapFixed(s.en.N, 1)
	}
	return b
}

func (wg *mapExportWedge) props() string {
	c := wg.c
	b := `,"cell":` + mapJSONText(c.rec.Key) + `,"site":` + mapJSONText(c.rec.Site) + `,"omni":` + strconv.FormatBool(c.omni)
	if !c.omni {
		b += `,"azimuth_deg":` + mapFixed(c.azTrue, 1)
		if c.grid {
			b += `,"grid_bearing_deg":` + mapFixed(c.azGrid, 2)
		}
		b += `,"beamwidth_deg":` + mapFixed(c.beamwidth, 1) + `,"beamwidth_assumed":` + strconv.FormatBool(c.assumed)
	}
	b += `,"radius_m":` + mapFixed(c.radiusM, 0) + `,"events":[`
	for i, t := range wg.targets {
		if i > 0 {
			b += ","
		}
		b += `{"target":` + mapJSONText(t) + `,"rows":[`
		for j, n := range wg.rows[i] {
			if j > 0 {
				b += ","
			}
			b += strconv.Itoa(n)
		}
		b += `],"label":` + mapJSONText(RowList(wg.rows[i])) + `}`
	}
	return b + "]"
}

func (r *mapExportRoute) props() string {
	return `,"target":` + mapJSONText(r.target) + `,"letter":` + mapJSONText(r.letter) + `,"events":` + strconv.Itoa(r.events)
}

func (e *mapExportEvent) props() string {
	b := `,"n":` + strconv.Itoa(e.N) + `,"target":` + mapJSONText(e.Target) + `,"time":` + mapJSONText(mapUTC(e.Time)) +
		`,"type":` + mapJSONText(e.Type) + `,"cell":` + mapJSONText(e.Cell) + `,"placed":` + strconv.FormatBool(e.placed)
	if !e.placed {
		b += `,"reason":` + mapJSONText(e.reason)
	}
	return b
}

// mapUTC writes an instant as RFC 3339 in UTC, "" for the zero time.
func mapUTC(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// mapJSONText returns s, neutralised, as a JSON string.
func mapJSONText(s string) string {
	b, _ := json.Marshal(Neutralise(s)) // a string always marshals
	return string(b)
}

func mapFixed(x float64, places int) string { return strconv.FormatFloat(x, 'f', places, 64) }

// mapLonLat writes a position as a GeoJSON position: [longitude,latitude].
func mapLonLat(p geo.LatLon) string { return "[" + mapFixed(p.Lon, 7) + "," + mapFixed(p.Lat, 7) + "]" }

func mapLonLatList(pts []geo.LatLon) string {
	b := "["
	for i, p := range pts {
		if i > 0 {
			b += ","
		}
		b += mapLonLat(p)
	}
	return b + "]"
}
