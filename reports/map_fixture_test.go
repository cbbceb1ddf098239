package reports_test

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/reports"
)

// mapTestdata is the folder of the maps' test data and golden files.
const mapTestdata = "../testdata/reports/maps"

// mapBrightonCells reads the real O2 LTE cells of Brighton and Hove kept in
// the test data (see its README), as an ingested cell list would hold them.
func mapBrightonCells(t testing.TB) []cellsite.Cell {
	t.Helper()
	f, err := os.Open(mapTestdata + "/o2-brighton-cells.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	src := cellsite.Hash{0xb1}
	var cells []cellsite.Cell
	for i, r := range recs[1:] {
		lon, _ := strconv.ParseFloat(r[2], 64)
		lat, _ := strconv.ParseFloat(r[3], 64)
		az, _ := strconv.ParseFloat(r[6], 64)
		parts := strings.Split(r[1], ", ")
		c := cellsite.Cell{
			Source: src, Row: i + 2, Key: "234-10-" + r[0], KeyRaw: r[0], Radio: "LTE",
			Site: parts[0], Address: strings.Join(parts[:len(parts)-1], ", "), Postcode: parts[len(parts)-1],
			Lat: lat, Lon: lon, AzimuthDeg: math.Mod(az, 360), Band: "EARFCN " + r[5],
		}
		mapSetGrid(t, &c)
		cells = append(cells, c)
	}
	return cells
}

func mapSetGrid(t testing.TB, c *cellsite.Cell) {
	g, err := geo.ToGrid(geo.LatLon{Lat: c.Lat, Lon: c.Lon})
	if err != nil {
		t.Fatal(err)
	}
	c.Easting, c.Northing = g.E, g.N
}

// mapSites groups cells by mast position, sites ordered west to east.
func mapSites(cells []cellsite.Cell) [][]cellsite.Cell {
	at := map[[2]float64]int{}
	var sites [][]cellsite.Cell
	for _, c := range cells {
		k := [2]float64{c.Lat, c.Lon}
		i, ok := at[k]
		if !ok {
			i = len(sites)
			at[k] = i
			sites = append(sites, nil)
		}
		sites[i] = append(sites[i], c)
	}
	slices.SortStableFunc(sites, func(a, b []cellsite.Cell) int { return cmp.Compare(a[0].Lon, b[0].Lon) })
	return sites
}

// mapLeedsCells synthesises a cell list around Leeds: three-sector sites
// about a kilometre apart, most with a stated beamwidth of 65°, some
// without one, and one omni cell.
func mapLeedsCells(t testing.TB) []cellsite.Cell {
	rng := rand.New(rand.NewPCG(5, 3))
	src := cellsite.Hash{0x1e}
	var cells []cellsite.Cell
	origin := geo.LatLon{Lat: 53.79, Lon: -1.60}
	for j := range 4 {
		for i := range 6 {
			p := geo.Destination(origin, 90, float64(i)*1050+rng.Float64()*300)
			p = geo.Destination(p, 0, float64(j)*950+rng.Float64()*300)
			site := fmt.Sprintf("LDS%02d", j*6+i)
			rot := float64(rng.IntN(60))
			for s := range 3 {
				c := cellsite.Cell{
					Source: src, Row: len(cells) + 2, Key: fmt.Sprintf("234-30-%d", (100+j*6+i)<<8|s),
					Radio: "LTE", Site: site, Address: site + " Road, Leeds", Postcode: "LS1 1AA",
					Lat: p.Lat, Lon: p.Lon, AzimuthDeg: math.Mod(rot+120*float64(s), 360), BeamwidthDeg: 65,
				}
				if (j*6+i)%5 == 3 {
					c.BeamwidthDeg = 0
				}
				mapSetGrid(t, &c)
				cells = append(cells, c)
			}
		}
	}
	omni := cellsite.Cell{Source: src, Row: len(cells) + 2, Key: "234-30-99-1", Radio: "GSM", Site: "LDS-OMNI",
		Address: "Omni Street, Leeds", Postcode: "LS2 2BB", Omni: true}
	p := geo.Destination(origin, 60, 2500)
	omni.Lat, omni.Lon = p.Lat, p.Lon
	mapSetGrid(t, &omni)
	return append(cells, omni)
}

var mapT0 = time.Date(2024, 3, 30, 22, 15, 0, 0, time.UTC) // the night before BST began

// mapFixture returns the maps drawn by the tests: a single target's route
// across Brighton and Hove; a co-location episode of two targets on
// overlapping cells; and, around Leeds, a target with many events on one
// cell, an omni cell, a cell without a beamwidth and events no cell places.
func mapFixture(t testing.TB) []reports.Map {
	brighton := mapBrightonCells(t)
	bsites := mapSites(brighton)
	lists := []reports.CellListRef{{Name: "o2-brighton-cells.csv", Date: "2022-06", SHA256: cellsite.Hash{0xb1, 0x2c}}}

	// 1: a route west to east, two or three events per site.
	var route reports.Map
	route.Title = "Timeline of +447700900101"
	route.Subtitle = "Call schedule rows 1–40, cells resolved against the O2 cell list"
	route.Schedule = "call schedule"
	route.Targets = []string{"+447700900101"}
	route.CellLists = lists
	n := 0
	for i := 0; i < len(bsites); i += 2 {
		s := bsites[i]
		for k := range 1 + i%3 {
			n++
			route.Events = append(route.Events, reports.MapEvent{N: n, Target: "+447700900101",
				Time: mapT0.Add(time.Duration(n) * 7 * time.Minute), Type: []string{"voice", "sms", "data"}[n%3],
				Cell: s[(k*2+i)%len(s)].Key})
		}
	}
	route.Cells = brighton

	// 2: two targets on the same and neighbouring cells within an hour.
	var co reports.Map
	co.Title = "Co-location episode 1: +447700900101 and +447700900202"
	co.Subtitle = "Basis: masts within 1,000 m, events within 15 minutes"
	co.Schedule = "co-location schedule"
	co.Targets = []string{"+447700900101", "+447700900202"}
	co.CellLists = lists
	mid := bsites[len(bsites)/2]
	near := bsites[len(bsites)/2+1]
	for k := range 14 {
		target, cell := co.Targets[k%2], mid[k%3].Key
		if k%5 == 4 {
			cell = near[0].Key
		}
		co.Events = append(co.Events, reports.MapEvent{N: 101 + k, Target: target,
			Time: mapT0.Add(time.Duration(k) * 4 * time.Minute), Type: "voice", Cell: cell})
	}
	co.Cells = brighton

	// 3: many events on one cell.
	leeds := mapLeedsCells(t)
	var many reports.Map
	many.Title = "Timeline of +447700900303"
	many.Schedule = "call schedule"
	many.Targets = []string{"+447700900303"}
	many.CellLists = []reports.CellListRef{{Name: "ee-leeds-cells.xlsx", Date: "2024-01-15", SHA256: cellsite.Hash{0x1e}}}
	home := leeds[3*8+1].Key
	for k := range 160 {
		cell := home
		switch {
		case k%7 == 3:
			cell = leeds[3*9].Key
		case k%11 == 5:
			cell = leeds[3*15+2].Key
		case k == 40:
			cell = ""
		case k == 41:
			cell = "234-30-424242"
		case k%23 == 9:
			cell = leeds[len(leeds)-1].Key // the omni cell
		case k%13 == 12:
			cell = leeds[3*10].Key // no beamwidth given
		}
		many.Events = append(many.Events, reports.MapEvent{N: k + 1, Target: "+447700900303",
			Time: mapT0.Add(time.Duration(k) * 9 * time.Minute), Type: "sms", Cell: cell})
	}
	many.Cells = leeds
	return []reports.Map{route, co, many}
}
