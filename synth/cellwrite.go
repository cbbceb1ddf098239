package synth

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/ingest"
)

// cellFieldOrder is the order in which a headed cell list's columns are
// written.
var cellFieldOrder = []string{
	"cell", "mcc", "mnc", "lac", "tac", "ci", "eci", "enodeb", "sector", "radio", "site", "address",
	"postcode", "lat", "lon", "easting", "northing", "azimuth", "beamwidth", "band", "earfcn",
	"valid_from", "valid_to",
}

// cellRow is one row of a cell list: an LTE cell, its GSM-style twin, or
// (for site registers) its site.
type cellRow struct {
	c   *cell
	gsm bool
}

// siteRef is the reference a site register gives an eNodeB's site.
func (c *cell) siteRef() string {
	return fmt.Sprintf("%s%06d", strings.ToUpper(operators[c.net].name[:2]), c.enb)
}

// siteName is how an operator's list names the site.
func (c *cell) siteName() string { return fmt.Sprintf("%s site %d", operators[c.net].name, c.enb) }

// validFrom is when the cell came on air: a fixed date derived from its
// eNodeB, years before any scenario.
func (c *cell) validFrom() time.Time {
	return time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(c.enb%1500))
}

// siteRegister reports whether the layout lists sites, not cells.
func (l *layout) siteRegister() bool { return l.p.CellFormat == "site-ref" }

// cellRowKey reports whether the layout can express a row, and the key an
// ingest must derive from it.
func (l *layout) cellRowKey(r cellRow) (string, bool) {
	p, c := l.p, r.c
	if l.siteRegister() {
		return l.network + "-SITE-" + c.siteRef(), l.network != ""
	}
	radioCol := l.has("radio")
	carried := false // the written identity carries its own network
	switch {
	case l.has("cell"):
		switch p.CellFormat {
		case "auto":
			carried = true
		case "cgi":
			carried = true
			if !r.gsm {
				return "", false
			}
		case "ecgi":
			carried = true
			if r.gsm {
				return "", false
			}
		case "lac-ci", "lac-ci-hex":
			if !r.gsm {
				return "", false
			}
		case "eci", "eci-hex", "tac-eci":
			if r.gsm {
				return "", false
			}
		default:
			return "", false
		}
	case l.has("eci"), l.has("enodeb") && l.has("sector"):
		if r.gsm {
			return "", false
		}
	case l.has("ci"):
		if r.gsm && !(radioCol || p.Radio != "LTE") || r.gsm && !l.has("lac") && !l.has("tac") {
			return "", false
		}
		if !r.gsm && !(radioCol || p.Radio == "LTE") {
			return "", false
		}
	default:
		return "", false
	}
	if !carried && !(l.has("mcc") && l.has("mnc")) && l.network != c.net {
		return "", false
	}
	if r.gsm {
		return c.gsmKey, true
	}
	return c.key, true
}

// cellWriter writes one cell list.
type cellWriter struct {
	l       *layout
	out     rowWriter
	file    *File
	checked int
}

// writeCells writes rows as a cell list in layout l at path.
func (w *world) writeCells(path string, l *layout, network string, rows []cellRow) (*File, error) {
	f, err := w.sink.Create(path)
	if err != nil {
		return nil, err
	}
	cw := &cellWriter{l: l}
	cw.file = &File{
		Path: path, Kind: "cells", Profile: l.p.Name, ProfileVersion: l.p.Version, Format: l.format, Network: network,
		BOM: l.bom, Banner: []string{}, Footer: []string{}, Duplicates: []Dup{}, Rejects: []Reject{}, Warnings: map[string]int{},
	}
	if l.format == "xlsx" {
		cw.file.Sheet = "Cells"
		if cw.out, err = newXLSXRows(f, cw.file.Sheet); err != nil {
			f.Close()
			return nil, err
		}
	} else {
		cw.out = newCSVRows(f, l.delim, l.crlf, l.bom, l.single)
	}
	var banner []string
	if l.messy {
		banner = []string{
			l.p.Title,
			"SYNTHETIC TEST DATA - positions are real masts, the list is not an operator's",
			"Network: " + network,
		}
	}
	if err := writePreamble(cw.out, cw.file, banner, l.header); err != nil {
		return nil, err
	}
	rng := w.rand("mess/" + path)
	pl := newPlan(rng, len(rows), false, false)
	_, hasLat := l.p.Columns["lat"]
	_, hasEast := l.p.Columns["easting"]
	for i, r := range rows {
		if i == pl.badTime && (hasLat || hasEast) {
			vals, err := cw.row(r)
			if err != nil {
				return nil, err
			}
			vals = append([]value(nil), vals...)
			for j, f := range l.fields {
				switch f {
				case "lat", "lon", "easting", "northing":
					vals[j] = text("TBC")
				}
			}
			row, err := cw.out.write(vals)
			if err != nil {
				return nil, err
			}
			cw.file.Rows++
			cw.file.Rejects = append(cw.file.Rejects, Reject{Row: row, Code: "bad-position", Reason: "position given as TBC (a planned site)"})
		}
		vals, err := cw.row(r)
		if err != nil {
			return nil, err
		}
		n := 1 + b2i(pl.dups[i])
		first := 0
		for k := range n {
			row, err := cw.out.write(vals)
			if err != nil {
				return nil, err
			}
			cw.file.Rows++
			if r.c.azRaw == "360" && l.has("azimuth") && !l.siteRegister() {
				cw.file.Warnings["azimuth-360"]++
			}
			if k == 0 {
				first = row
				cw.file.Accepted++
			} else {
				cw.file.Duplicates = append(cw.file.Duplicates, Dup{Row: row, Of: first})
			}
		}
	}
	for _, s := range l.footerLines(cw.file.Rows) {
		if _, err := cw.out.write([]value{text(s)}); err != nil {
			return nil, err
		}
		cw.file.Footer = append(cw.file.Footer, s)
	}
	if err := cw.out.close(); err != nil {
		return nil, err
	}
	cw.file.Lines = len(cw.file.Banner) + cw.file.Blank + b2i(cw.file.HeaderRow > 0) + cw.file.Rows + len(cw.file.Footer)
	return cw.file, nil
}

// row renders one cell row.
func (cw *cellWriter) row(r cellRow) ([]value, error) {
	l, p, c := cw.l, cw.l.p, r.c
	key, ok := l.cellRowKey(r)
	if !ok {
		return nil, fmt.Errorf("profile %s cannot write cell %s", p.Name, c.key)
	}
	radio := "LTE"
	if r.gsm {
		radio = "GSM"
	}
	vals := make([]value, len(l.fields))
	for i, f := range l.fields {
		var v value
		switch f {
		case "cell":
			switch {
			case l.siteRegister():
				v = text(c.siteRef())
			case r.gsm:
				v = text(c.gsmKey)
				if p.CellFormat == "lac-ci" {
					v = text(fmt.Sprintf("%d-%d", c.lac, c.ci))
				} else if p.CellFormat == "lac-ci-hex" {
					v = text(fmt.Sprintf("%X-%X", c.lac, c.ci))
				}
			default:
				raw, _, _, err := l.cellText(c, 0)
				if err != nil {
					return nil, err
				}
				v = text(raw)
			}
		case "mcc":
			v = text(c.mcc)
		case "mnc":
			v = text(c.mnc)
		case "lac", "tac":
			if r.gsm {
				v = text(strconv.FormatInt(c.lac, 10))
			} else {
				v = text(strconv.FormatInt(c.tac, 10))
			}
		case "ci":
			if r.gsm {
				v = text(strconv.FormatInt(c.ci, 10))
			} else {
				v = text(strconv.FormatInt(c.eci, 10))
			}
		case "eci":
			v = text(strconv.FormatInt(c.eci, 10))
		case "enodeb":
			v = text(strconv.FormatInt(c.enb, 10))
		case "sector":
			v = text(strconv.FormatInt(c.sector, 10))
		case "radio":
			v = text(radio)
		case "site":
			v = text(c.siteName())
			if l.siteRegister() {
				v = text(operators[c.net].name)
			}
		case "address":
			if l.has("postcode") {
				v = text(strings.TrimSuffix(strings.TrimSuffix(c.address(), c.postcode), ", "))
			} else {
				v = text(c.name)
			}
		case "postcode":
			v = text(c.postcode)
		case "lat":
			v = num(c.latRaw)
		case "lon":
			v = num(c.lonRaw)
		case "easting", "northing":
			g, err := geo.ToGrid(geo.LatLon{Lat: c.lat, Lon: c.lon})
			if err != nil {
				return nil, fmt.Errorf("cell %s: %w", c.key, err)
			}
			if f == "easting" {
				v = num(strconv.FormatFloat(g.E, 'f', 1, 64))
			} else {
				v = num(strconv.FormatFloat(g.N, 'f', 1, 64))
			}
		case "azimuth":
			if !l.siteRegister() {
				v = num(c.azRaw)
			}
		case "beamwidth":
			v = num("65")
		case "band":
			v = text(c.band())
			if l.siteRegister() {
				v = text(radio)
			}
		case "earfcn":
			v = num(c.earfcn)
		case "valid_from":
			tt, err := cw.validText(c.validFrom())
			if err != nil {
				return nil, err
			}
			v = tt
		}
		vals[i] = v
	}
	if cw.checked < selfChecks {
		cw.checked++
		if err := cw.check(vals, key, r); err != nil {
			return nil, fmt.Errorf("profile %s cannot be written: %w", p.Name, err)
		}
	}
	return vals, nil
}

// validText writes a validity date in the list's first time format, at
// midnight of the list's clock.
func (cw *cellWriter) validText(d time.Time) (value, error) {
	p := cw.l.p
	if len(p.TimeFormats) == 0 {
		return value{}, fmt.Errorf("profile %s maps validity dates but gives no time format", p.Name)
	}
	zone := time.UTC
	if p.TimeBasis == string(ingest.UKLocal) {
		zone = london()
	}
	local := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone)
	tt, err := cw.l.renderWith(p.TimeFormats[0], local)
	if err != nil {
		return value{}, err
	}
	return value{s: tt.start, num: tt.num}, nil
}

// check reads a rendered row's key back with the ingest package and, for
// a headerless list, checks the row is one detection recognises.
func (cw *cellWriter) check(vals []value, key string, r cellRow) error {
	l, p := cw.l, cw.l.p
	if l.rowPat != nil {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.s
		}
		if joined := strings.Join(parts, ","); !l.rowPat.MatchString(joined) {
			return fmt.Errorf("row %q does not match the row pattern %s", joined, p.RowPattern)
		}
	}
	if !l.has("cell") || l.siteRegister() {
		return nil
	}
	for i, f := range l.fields {
		if f != "cell" {
			continue
		}
		network := l.network
		if l.has("mcc") && l.has("mnc") {
			network = r.c.mcc + "-" + r.c.mnc
		}
		got, err := ingest.CellKey(vals[i].s, p.CellFormat, network)
		if err != nil || got != key {
			return fmt.Errorf("cell %q reads back as %q (%v), want %q", vals[i].s, got, err, key)
		}
	}
	return nil
}
