package analysis_test

import (
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
)

func TestCellIndexLookup(t *testing.T) {
	d := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	cells := []cellsite.Cell{
		{Key: "234-30-100", Site: "OLD MAST", Lat: 51, Lon: -0.1, ValidTo: d(2024, 1)},
		{Key: "234-30-100", Site: "NEW MAST", Lat: 51.01, Lon: -0.1, ValidFrom: d(2024, 1)},
		{Key: "234-30-200", Site: "A", Lat: 51, Lon: -0.2, ValidFrom: d(2020, 1), ValidTo: d(2021, 1)},
		{Key: "234-30-300", Site: "X", Lat: 51, Lon: -0.3, Row: 1},
		{Key: "234-30-300", Site: "Y", Lat: 51.2, Lon: -0.3, Row: 2},
		{Key: "234-30-400", Site: "SAME", Lat: 51, Lon: -0.4, AzimuthDeg: 90, Row: 1},
		{Key: "234-30-400", Site: "SAME", Lat: 51, Lon: -0.4, AzimuthDeg: 90, Row: 2},
	}
	ix := analysis.NewCellIndex(cells)
	tests := []struct {
		name string
		key  string
		at   time.Time
		site string
		res  analysis.Resolution
	}{
		{"before re-plan", "234-30-100", d(2023, 6), "OLD MAST", analysis.Resolved},
		{"at re-plan", "234-30-100", d(2024, 1), "NEW MAST", analysis.Resolved},
		{"after re-plan", "234-30-100", d(2026, 3), "NEW MAST", analysis.Resolved},
		{"outside validity", "234-30-200", d(2022, 1), "", analysis.OutsideValidity},
		{"unknown", "234-30-999", d(2022, 1), "", analysis.UnknownCell},
		{"no cell", "", d(2022, 1), "", analysis.NoCell},
		{"conflicting", "234-30-300", d(2022, 1), "X", analysis.Conflicting},
		{"agreeing repeats", "234-30-400", d(2022, 1), "SAME", analysis.Resolved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, res := ix.Lookup(tt.key, tt.at)
			if res != tt.res || c.Site != tt.site {
				t.Errorf("Lookup(%s, %v) = %q, %s; want %q, %s", tt.key, tt.at, c.Site, res, tt.site, tt.res)
			}
		})
	}
}
