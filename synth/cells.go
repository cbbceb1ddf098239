package synth

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed cells/*.csv cells/LICENSE.nsg-cell-database
var cellFiles embed.FS

// operatorInfo is what the generator knows of a UK network beyond its cells.
type operatorInfo struct {
	name string // as people name it
	apn  string // a plausible data APN
}

// operators names the networks of the embedded cell lists.
var operators = map[string]operatorInfo{
	"234-10": {"O2", "mobile.o2.co.uk"},
	"234-15": {"Vodafone", "pp.vodafone.co.uk"},
	"234-20": {"Three", "three.co.uk"},
	"234-30": {"EE", "everywhere"},
}

// cell is one real LTE cell of the embedded lists, with the GSM-style
// identity the generator derives from it for layouts that only know LAC and
// CI.
type cell struct {
	net      string // MCC-MNC
	mcc, mnc string
	eci      int64
	key      string // canonical ECGI key, MCC-MNC-ECI
	enb      int64
	sector   int64
	tac      int64 // tracking area code, derived
	lac, ci  int64 // GSM-style identity, derived
	gsmKey   string
	lat, lon float64
	latRaw   string // coordinates as written in the source list
	lonRaw   string
	azimuth  float64 // 360 read as 0
	azRaw    string
	name     string // CellName as in the source list
	street   string
	town     string
	postcode string
	pci      string
	earfcn   string
	site     *site
}

// site is the cells of one eNodeB of one network.
type site struct {
	net      string
	enb      int64
	lat, lon float64
	x, y     float64 // local plane, metres
	cells    []*cell
}

// network is the cells and sites of one MCC-MNC.
type network struct {
	id    string
	cells []*cell // in the order of the source list
	sites []*site // by eNodeB
	byKey map[string]*cell
}

// The local plane used to rank distances: an equirectangular projection
// about the centre of the data, accurate to well under 1% over 50 km.
const (
	planeLat0 = 51.0
	planeLon0 = -0.12
	mPerDegY  = 111_194.9
)

var mPerDegX = mPerDegY * math.Cos(planeLat0*math.Pi/180)

func toPlane(lat, lon float64) (x, y float64) {
	return (lon - planeLon0) * mPerDegX, (lat - planeLat0) * mPerDegY
}

// loadNetworks reads the embedded cell lists once.
var loadNetworks = sync.OnceValues(func() ([]*network, error) {
	names, err := fs.Glob(cellFiles, "cells/nsg_*_eutra.csv")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var nets []*network
	for _, name := range names {
		b, err := cellFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("synth: reading %s: %w", name, err)
		}
		n, err := parseCellList(path.Base(name), b)
		if err != nil {
			return nil, err
		}
		nets = append(nets, n)
	}
	if len(nets) == 0 {
		return nil, fmt.Errorf("synth: no embedded cell lists")
	}
	return nets, nil
})

func parseCellList(name string, b []byte) (*network, error) {
	digits := strings.TrimSuffix(strings.TrimPrefix(name, "nsg_"), "_eutra.csv")
	if len(digits) != 5 {
		return nil, fmt.Errorf("synth: cell list %s: cannot tell its network", name)
	}
	n := &network{id: digits[:3] + "-" + digits[3:], byKey: map[string]*cell{}}
	r := csv.NewReader(bytes.NewReader(b))
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("synth: cell list %s: %w", name, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("synth: cell list %s is empty", name)
	}
	sites := map[int64]*site{}
	for i, row := range rows[1:] {
		if len(row) != 7 {
			return nil, fmt.Errorf("synth: cell list %s line %d: %d fields, want 7", name, i+2, len(row))
		}
		eci, err1 := strconv.ParseInt(row[0], 10, 64)
		lon, err2 := strconv.ParseFloat(row[2], 64)
		lat, err3 := strconv.ParseFloat(row[3], 64)
		az, err4 := strconv.ParseFloat(row[6], 64)
		if err := firstErr(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("synth: cell list %s line %d: %w", name, i+2, err)
		}
		c := &cell{
			net: n.id, mcc: n.id[:3], mnc: n.id[4:], eci: eci, key: n.id + "-" + row[0],
			enb: eci >> 8, sector: eci & 0xFF, lat: lat, lon: lon, latRaw: row[3], lonRaw: row[2],
			azimuth: math.Mod(az, 360), azRaw: row[6], name: row[1], pci: row[4], earfcn: row[5],
		}
		c.street, c.town, c.postcode = splitCellName(row[1])
		// Derived identities: one tracking/location area per 16 eNodeBs,
		// and a CI that keeps the eNodeB's low bits and the sector, so
		// that every LTE cell has exactly one GSM-style twin.
		c.tac = c.enb>>4 + 1
		c.lac = c.tac
		c.ci = (c.enb&0xF)<<8 | c.sector + 1
		c.gsmKey = fmt.Sprintf("%s-%d-%d", n.id, c.lac, c.ci)
		if _, dup := n.byKey[c.key]; dup {
			return nil, fmt.Errorf("synth: cell list %s line %d: cell %s listed twice", name, i+2, c.key)
		}
		n.byKey[c.key] = c
		s := sites[c.enb]
		if s == nil {
			s = &site{net: n.id, enb: c.enb, lat: lat, lon: lon}
			s.x, s.y = toPlane(lat, lon)
			sites[c.enb] = s
			n.sites = append(n.sites, s)
		}
		c.site = s
		s.cells = append(s.cells, c)
		n.cells = append(n.cells, c)
	}
	sort.Slice(n.sites, func(i, j int) bool { return n.sites[i].enb < n.sites[j].enb })
	for _, s := range n.sites {
		sort.Slice(s.cells, func(i, j int) bool { return s.cells[i].eci < s.cells[j].eci })
	}
	return n, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// splitCellName splits "street | town | POSTCODE" (or the same with commas).
func splitCellName(s string) (street, town, postcode string) {
	sep := " | "
	if !strings.Contains(s, sep) {
		sep = ", "
	}
	parts := strings.Split(s, sep)
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	switch len(parts) {
	case 0:
		return "", "", ""
	case 1:
		return parts[0], "", ""
	case 2:
		return parts[0], "", parts[1]
	}
	last := len(parts) - 1
	return strings.Join(parts[:last-1], ", "), parts[last-1], parts[last]
}

// address returns the cell's address as an operator's list would write it.
func (c *cell) address() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{c.street, c.town, c.postcode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// band names the LTE band of the cell's EARFCN.
func (c *cell) band() string {
	n, err := strconv.Atoi(c.earfcn)
	if err != nil {
		return ""
	}
	switch {
	case n < 600:
		return "LTE 2100 (B1)"
	case n >= 1200 && n < 1950:
		return "LTE 1800 (B3)"
	case n >= 2750 && n < 3450:
		return "LTE 2600 (B7)"
	case n >= 3450 && n < 3800:
		return "LTE 900 (B8)"
	case n >= 6150 && n < 6450:
		return "LTE 800 (B20)"
	case n >= 9210 && n < 9660:
		return "LTE 700 (B28)"
	case n >= 9870 && n < 10360:
		return "LTE 1500 (B32)"
	case n >= 37750 && n < 38250:
		return "LTE 2600 TDD (B38)"
	case n >= 38650 && n < 39650:
		return "LTE 2300 TDD (B40)"
	}
	return "EARFCN " + c.earfcn
}

// maxNearest is the most sites nearestSites returns.
const maxNearest = 64

// nearestSites returns up to k (at most maxNearest) sites of n nearest to
// (x, y), nearest first, with their distances in metres.
func (n *network) nearestSites(x, y float64, k int) ([]*site, []float64) {
	k = min(k, maxNearest)
	var bestA [maxNearest]*site
	var distA [maxNearest]float64
	best, dist := bestA[:0], distA[:0]
	for _, s := range n.sites {
		dx, dy := s.x-x, s.y-y
		d := dx*dx + dy*dy
		if len(best) == k && d >= dist[k-1] {
			continue
		}
		i := len(dist)
		for i > 0 && dist[i-1] > d {
			i--
		}
		if len(best) < k {
			best, dist = append(best, nil), append(dist, 0)
		}
		copy(best[i+1:], best[i:len(best)-1])
		copy(dist[i+1:], dist[i:len(dist)-1])
		best[i], dist[i] = s, d
	}
	outS := make([]*site, len(best))
	outD := make([]float64, len(dist))
	copy(outS, best)
	for i, d := range dist {
		outD[i] = math.Sqrt(d)
	}
	return outS, outD
}

// angleDiff returns the absolute difference of two bearings, 0 to 180.
func angleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	if d > 180 {
		d = 360 - d
	}
	return d
}

// bearing returns the bearing in degrees from site s to (x, y) on the plane.
func (s *site) bearing(x, y float64) float64 {
	b := math.Atan2(x-s.x, y-s.y) * 180 / math.Pi
	if b < 0 {
		b += 360
	}
	return b
}

// bestCells returns the cells of s whose azimuth points most nearly towards
// (x, y), within 20 degrees of the best.
func (s *site) bestCells(x, y float64) []*cell {
	b := s.bearing(x, y)
	min := 360.0
	for _, c := range s.cells {
		min = math.Min(min, angleDiff(c.azimuth, b))
	}
	var out []*cell
	for _, c := range s.cells {
		if angleDiff(c.azimuth, b) <= min+20 {
			out = append(out, c)
		}
	}
	return out
}

// serve chooses the cell that serves a phone at (lat, lon): usually the
// best-pointing sector of the nearest site, sometimes a neighbour or another
// sector, as radio conditions do.
func (n *network) serve(rng *rand.Rand, lat, lon float64) *cell {
	x, y := toPlane(lat, lon)
	sites, dist := n.nearestSites(x, y, 4)
	weights := make([]float64, len(sites))
	total := 0.0
	for i, d := range dist {
		w := 1 / math.Pow(math.Max(d, 150), 2.5)
		weights[i] = w
		total += w
	}
	u := rng.Float64() * total
	chosen := len(sites) - 1
	for i, w := range weights {
		if u < w {
			chosen = i
			break
		}
		u -= w
	}
	s := sites[chosen]
	if dist[chosen] < 30 || rng.Float64() < 0.12 {
		return s.cells[rng.IntN(len(s.cells))]
	}
	best := s.bestCells(x, y)
	return best[rng.IntN(len(best))]
}

// bestServer returns the cell most likely to serve (lat, lon), without
// randomness: the best-pointing sector of the nearest site, the lowest ECI
// among equals.
func (n *network) bestServer(lat, lon float64) *cell {
	x, y := toPlane(lat, lon)
	sites, _ := n.nearestSites(x, y, 1)
	s := sites[0]
	b := s.bearing(x, y)
	var best *cell
	for _, c := range s.cells {
		if best == nil || angleDiff(c.azimuth, b) < angleDiff(best.azimuth, b) {
			best = c
		}
	}
	return best
}

// planeDistance returns the distance in metres between two positions on the
// local plane: for ranking and travel times, not for evidence.
func planeDistance(lat1, lon1, lat2, lon2 float64) float64 {
	x1, y1 := toPlane(lat1, lon1)
	x2, y2 := toPlane(lat2, lon2)
	return math.Hypot(x1-x2, y1-y2)
}
