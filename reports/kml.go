package reports

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// WriteKML writes the data of the maps as a KML 2.2 document, for Google
// Earth and GIS tools: a folder per map, holding folders of sites, wedges,
// routes and events with the same content as WriteGeoJSON (each
// placemark's ExtendedData carries the same properties). Events carry
// their time as a TimeStamp; an event that is not placed is a placemark
// without geometry that says why. Target colours match the PDF maps.
//
// Text is passed through Neutralise and escaped for XML; coordinates have
// seven decimal places. The same maps give the same bytes.
func WriteKML(w io.Writer, maps []Map) error {
	bw := bufio.NewWriter(w)
	k := &mapKML{w: bw}
	k.raw(xml.Header)
	k.raw(`<kml xmlns="http://www.opengis.net/kml/2.2">` + "\n<Document>\n")
	k.elem("name", "Maps")
	xs := make([]*mapExported, len(maps))
	for i := range maps {
		xs[i] = mapExport(&maps[i])
	}
	k.styles(xs)
	for i := range maps {
		m, x := &maps[i], xs[i]
		k.raw("<Folder>\n")
		title := m.Title
		if title == "" {
			title = "Map " + strconv.Itoa(i+1)
		}
		k.elem("name", title)
		if m.Subtitle != "" {
			k.elem("description", m.Subtitle)
		}

		k.folder("Sites")
		for _, s := range x.sites {
			style := "#site-other"
			if s.served {
				style = "#site"
			}
			k.placemark(s.name, style, "")
			k.data("map", strconv.Itoa(i+1), "kind", "site", "site", s.name, "address", s.address,
				"postcode", s.post, "cells", strings.Join(s.cells, " "), "served", strconv.FormatBool(s.served))
			if s.grid {
				k.data("easting", mapFixed(s.en.E, 1), "northing", mapFixed(s.en.N, 1))
			}
			k.raw("</ExtendedData>\n")
			k.point(s.ll)
			k.raw("</Placemark>\n")
		}
		k.raw("</Folder>\n")

		k.folder("Wedges")
		for _, wg := range x.wedges {
			c := wg.c
			style := "#wedge"
			if c.assumed {
				style = "#wedge-assumed"
			}
			k.placemark(c.rec.Key, style, "")
			k.data("map", strconv.Itoa(i+1), "kind", "wedge", "cell", c.rec.Key, "site", c.rec.Site, "omni", strconv.FormatBool(c.omni))
			if !c.omni {
				k.data("azimuth_deg", mapFixed(c.azTrue, 1))
				if c.grid {
					k.data("grid_bearing_deg", mapFixed(c.azGrid, 2))
				}
				k.data("beamwidth_deg", mapFixed(c.beamwidth, 1), "beamwidth_assumed", strconv.FormatBool(c.assumed))
			}
			k.data("radius_m", mapFixed(c.radiusM, 0))
			for j, t := range wg.targets {
				k.data("rows "+t, RowList(wg.rows[j]))
			}
			k.raw("</ExtendedData>\n<Polygon><outerBoundaryIs><LinearRing><coordinates>")
			k.coords(wg.ring)
			k.raw("</coordinates></LinearRing></outerBoundaryIs></Polygon>\n</Placemark>\n")
		}
		k.raw("</Folder>\n")

		k.folder("Routes")
		for _, r := range x.routes {
			k.placemark(r.letter+" "+r.target, "#target-"+strconv.Itoa(mapTargetIndex(x.p, r.target)), "")
			k.data("map", strconv.Itoa(i+1), "kind", "route", "target", r.target, "letter", r.letter, "events", strconv.Itoa(r.events))
			k.raw("</ExtendedData>\n<LineString><tessellate>1</tessellate><coordinates>")
			k.coords(r.pts)
			k.raw("</coordinates></LineString>\n</Placemark>\n")
		}
		k.raw("</Folder>\n")

		k.folder("Events")
		for _, e := range x.events {
			k.placemark(strconv.Itoa(e.N), "#target-"+strconv.Itoa(mapTargetIndex(x.p, e.Target)), mapUTC(e.Time))
			k.data("map", strconv.Itoa(i+1), "kind", "event", "n", strconv.Itoa(e.N), "target", e.Target,
				"time", mapUTC(e.Time), "type", e.Type, "cell", e.Cell, "placed", strconv.FormatBool(e.placed))
			if !e.placed {
				k.data("reason", e.reason)
			}
			k.raw("</ExtendedData>\n")
			if e.placed {
				k.point(e.ll)
			}
			k.raw("</Placemark>\n")
		}
		k.raw("</Folder>\n")
		k.raw("</Folder>\n")
	}
	k.raw("</Document>\n</kml>\n")
	if err := bw.Flush(); err != nil {
		return cellsite.Errorf(cellsite.Internal, "kml", "write: %w", err)
	}
	return nil
}

// mapTargetIndex returns a target's position on a map, which sets its
// colour.
func mapTargetIndex(p *mapPlan, target string) int {
	for i, t := range p.targets {
		if t == target {
			return i
		}
	}
	return 0
}

type mapKML struct{ w *bufio.Writer }

func (k *mapKML) raw(s string) { k.w.WriteString(s) }

// text writes s, neutralised and escaped.
func (k *mapKML) text(s string) { xml.EscapeText(k.w, []byte(Neutralise(s))) }

func (k *mapKML) elem(name, s string) {
	k.raw("<" + name + ">")
	k.text(s)
	k.raw("</" + name + ">\n")
}

func (k *mapKML) folder(name string) {
	k.raw("<Folder>")
	k.elem("name", name)
}

// placemark opens a placemark, with a time stamp unless when is "", and
// its ExtendedData.
func (k *mapKML) placemark(name, style, when string) {
	k.raw("<Placemark>")
	k.elem("name", name)
	if when != "" {
		k.raw("<TimeStamp>")
		k.elem("when", when)
		k.raw("</TimeStamp>")
	}
	k.elem("styleUrl", style)
	k.raw("<ExtendedData>\n")
}

// data writes name, value pairs as ExtendedData.
func (k *mapKML) data(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		k.raw(`<Data name="`)
		k.text(kv[i])
		k.raw(`"><value>`)
		k.text(kv[i+1])
		k.raw("</value></Data>\n")
	}
}

func (k *mapKML) point(p geo.LatLon) {
	k.raw("<Point><coordinates>")
	k.coords([]geo.LatLon{p})
	k.raw("</coordinates></Point>\n")
}

func (k *mapKML) coords(pts []geo.LatLon) {
	for i, p := range pts {
		if i > 0 {
			k.raw(" ")
		}
		k.raw(mapFixed(p.Lon, 7) + "," + mapFixed(p.Lat, 7))
	}
}

// styles writes the shared styles: masts, wedges, and a line and icon
// colour per target position, as many as the widest map needs.
func (k *mapKML) styles(xs []*mapExported) {
	n := 1
	for _, x := range xs {
		n = max(n, len(x.p.targets))
	}
	k.raw(`<Style id="site"><IconStyle><color>ff000000</color><scale>0.8</scale></IconStyle></Style>` + "\n")
	k.raw(`<Style id="site-other"><IconStyle><color>ff808080</color><scale>0.6</scale></IconStyle></Style>` + "\n")
	k.raw(`<Style id="wedge"><LineStyle><color>ff464646</color><width>1</width></LineStyle><PolyStyle><color>33b27200</color></PolyStyle></Style>` + "\n")
	k.raw(`<Style id="wedge-assumed"><LineStyle><color>ff464646</color><width>1</width></LineStyle><PolyStyle><color>1ab27200</color></PolyStyle></Style>` + "\n")
	for t := range n {
		c := mapColour(t)
		abgr := "ff" + mapHex(c[2]) + mapHex(c[1]) + mapHex(c[0])
		k.raw(`<Style id="target-` + strconv.Itoa(t) + `"><IconStyle><color>` + abgr + `</color></IconStyle><LineStyle><color>` +
			abgr + `</color><width>3</width></LineStyle></Style>` + "\n")
	}
}

func mapHex(v int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[v>>4&0xf], digits[v&0xf]})
}
