package analysis_test

import (
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
)

// sectorCell returns a cell whose mast is distM metres from base at the
// given bearing, pointing along azimuth with the given beamwidth (0: not
// given).
func sectorCell(key string, bearingDeg, distM, azimuthDeg, beamwidthDeg float64, omni bool) cellsite.Cell {
	p := geo.Destination(base, bearingDeg, distM)
	return cellsite.Cell{Key: key, Lat: p.Lat, Lon: p.Lon, AzimuthDeg: azimuthDeg, BeamwidthDeg: beamwidthDeg, Omni: omni}
}

func TestSectorsOverlap(t *testing.T) {
	// Masts 1 km apart on an east-west line: A at base, B 1 km east.
	tests := []struct {
		name    string
		a, b    cellsite.Cell
		radiusM float64
		want    bool
	}{
		{"facing cells 1 km apart",
			sectorCell("a", 0, 0, 90, 60, false), sectorCell("b", 90, 1000, 270, 60, false), 3000, true},
		{"facing cells 5 km apart, radius 3 km",
			sectorCell("a", 0, 0, 90, 60, false), sectorCell("b", 90, 5000, 270, 60, false), 3000, true},
		{"facing cells 7 km apart, radius 3 km",
			sectorCell("a", 0, 0, 90, 60, false), sectorCell("b", 90, 7000, 270, 60, false), 3000, false},
		{"back-to-back cells 1 km apart",
			sectorCell("a", 0, 0, 270, 60, false), sectorCell("b", 90, 1000, 90, 60, false), 3000, false},
		{"back-to-back cells 1 km apart, default beamwidth",
			sectorCell("a", 0, 0, 270, 0, false), sectorCell("b", 90, 1000, 90, 0, false), 3000, false},
		{"parallel cells 1 km apart",
			sectorCell("a", 0, 0, 0, 60, false), sectorCell("b", 90, 1000, 0, 60, false), 3000, true},
		{"same mast, opposite azimuths (both contain the mast)",
			sectorCell("a", 0, 0, 0, 60, false), sectorCell("b", 0, 0, 180, 60, false), 3000, true},
		{"omni and a cell pointing away 1 km apart",
			sectorCell("a", 0, 0, 0, 0, true), sectorCell("b", 90, 1000, 90, 60, false), 3000, true},
		{"omni and a cell pointing away 3.5 km apart",
			sectorCell("a", 0, 0, 0, 0, true), sectorCell("b", 90, 3500, 90, 60, false), 3000, false},
		{"two omni cells 5.9 km apart",
			sectorCell("a", 0, 0, 0, 0, true), sectorCell("b", 90, 5900, 0, 0, true), 3000, true},
		{"two omni cells 6.1 km apart",
			sectorCell("a", 0, 0, 0, 0, true), sectorCell("b", 90, 6100, 0, 0, true), 3000, false},
		{"beamwidth 360 is a circle",
			sectorCell("a", 0, 0, 270, 360, false), sectorCell("b", 90, 1000, 90, 60, false), 3000, true},
		// B, 800 m from A at a bearing of 50°, points away from A (50°,
		// 20° wide). A points north with radius 1 km: a 120° sector (the
		// default, to 60° east of north) contains B's mast; a 20° sector
		// (to 10° east of north) does not reach B's.
		{"default beamwidth is 120 degrees",
			sectorCell("a", 0, 0, 0, 0, false), sectorCell("b", 50, 800, 50, 20, false), 1000, true},
		{"narrow beamwidth misses",
			sectorCell("a", 0, 0, 0, 20, false), sectorCell("b", 50, 800, 50, 20, false), 1000, false},
		{"explicit 120 degrees as default",
			sectorCell("a", 0, 0, 0, 120, false), sectorCell("b", 50, 800, 50, 20, false), 1000, true},
		{"across the antimeridian",
			cellsite.Cell{Lat: 0, Lon: 179.99, AzimuthDeg: 90, BeamwidthDeg: 60}, cellsite.Cell{Lat: 0, Lon: -179.99, AzimuthDeg: 270, BeamwidthDeg: 60}, 3000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := analysis.SectorsOverlap(&tc.a, &tc.b, tc.radiusM); got != tc.want {
				t.Errorf("SectorsOverlap(a, b) = %v, want %v", got, tc.want)
			}
			if got := analysis.SectorsOverlap(&tc.b, &tc.a, tc.radiusM); got != tc.want {
				t.Errorf("SectorsOverlap(b, a) = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestColocateSector checks basis "sector" end to end: facing cells 1 km
// apart are together, back-to-back cells 1 km apart are not, and an
// overlapping pair is never also apart.
func TestColocateSector(t *testing.T) {
	a := sectorCell("234-10-1", 0, 0, 90, 60, false)
	facing := sectorCell("234-20-1", 90, 1000, 270, 60, false)
	away := sectorCell("234-20-2", 90, 1000, 90, 60, false)
	awayA := sectorCell("234-10-2", 0, 0, 270, 60, false)
	p := analysis.ColocationParams{Basis: analysis.BasisSector}
	for _, tc := range []struct {
		name string
		a, b cellsite.Cell
		want int
	}{
		{"facing", a, facing, 1},
		{"back to back", awayA, away, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events := []analysis.Located{located(phoneA, 1, 0, tc.a, "voice"), located(phoneB, 1, 60, tc.b, "voice")}
			got := analysis.Colocate(events, []string{phoneA, phoneB}, nil, p)
			if len(got.Together) != tc.want || len(got.Apart) != 0 {
				t.Fatalf("together %d (want %d), apart %d", len(got.Together), tc.want, len(got.Apart))
			}
			if tc.want == 1 {
				ep := got.Together[0]
				if ep.Pairs != 1 || !ep.Start.Equal(t0) || !ep.End.Equal(t0.Add(time.Minute)) || ep.ClosestM < 999 || ep.ClosestM > 1001 {
					t.Errorf("episode %+v", ep)
				}
				if ep.Params.SectorRadiusM != 3000 || ep.Params.Basis != analysis.BasisSector {
					t.Errorf("params %+v", ep.Params)
				}
			}
		})
	}
}
