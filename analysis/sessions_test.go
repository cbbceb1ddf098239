package analysis_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
)

// fxData is a data record of target at start, for durS seconds, with a
// charging ID and a volume (-1: not given).
func fxData(target string, row int, start, charging string, durS, bytes int64, first, last *cellsite.Cell) analysis.Located {
	l := fxLoc(target, row, start, first, last)
	l.Type, l.Direction, l.ChargingID, l.DurationS, l.Bytes, l.APN = "data", "", charging, durS, bytes, "everywhere"
	return l
}

func TestDataSessions(t *testing.T) {
	const a, b = "+447700900001", "+447700900002"
	c1, c2, c3 := fxCell("234-30-1", 51, 0), fxCell("234-30-2", 51.01, 0), fxCell("234-30-3", 51.02, 0)
	ref := func(target string, row int) analysis.EventRef { return analysis.EventRef{Target: target, Row: row} }
	cell := func(c *cellsite.Cell, at string, n int) analysis.SessionCell {
		return analysis.SessionCell{Cell: c.Key, Resolution: analysis.Resolved, Site: c.Site, Lat: c.Lat, Lon: c.Lon, At: fxAt(at), Records: n}
	}
	unknown := fxData(a, 6, "2026-03-02T10:40:00Z", "77", 60, 10, nil, nil)
	unknown.FirstCell, unknown.FirstRes = "234-30-999", analysis.UnknownCell
	dup := fxData(a, 9, "2026-03-02T10:00:00Z", "77", 60, 1000, &c1, nil)
	dup.DuplicateOf = 2
	voice := fxLoc(a, 10, "2026-03-02T10:05:00Z", &c3, nil)
	events := []analysis.Located{
		fxData(a, 4, "2026-03-02T10:30:00Z", "77", 120, -1, &c2, &c3),
		fxData(a, 2, "2026-03-02T10:00:00Z", "77", 60, 1000, &c1, &c1),
		fxData(b, 2, "2026-03-02T10:10:00Z", "77", 30, 5, &c1, nil), // same charging ID, other target
		fxData(a, 3, "2026-03-02T10:20:00Z", "77", 60, 500, &c1, &c2),
		fxData(a, 5, "2026-03-02T10:35:00Z", "", 10, 7, &c3, nil), // no charging ID: a session of one
		unknown,
		dup,
		voice,
	}
	want := []analysis.Session{
		{
			Target: a, ChargingID: "77", Records: 4,
			First: fxAt("2026-03-02T10:00:00Z"), Last: fxAt("2026-03-02T10:40:00Z"), End: fxAt("2026-03-02T10:41:00Z"), DurationS: 300,
			Bytes: 1510, BytesUnknown: 1, APNs: []string{"everywhere"},
			Cells: []analysis.SessionCell{
				cell(&c1, "2026-03-02T10:00:00Z", 2),
				cell(&c2, "2026-03-02T10:20:00Z", 2),
				cell(&c3, "2026-03-02T10:30:00Z", 1),
				{Cell: "234-30-999", Resolution: analysis.UnknownCell, At: fxAt("2026-03-02T10:40:00Z"), Records: 1},
			},
			CellTime: analysis.CellAtOrBeforeStart,
			Rows:     []analysis.EventRef{ref(a, 2), ref(a, 3), ref(a, 4), ref(a, 6)},
		},
		{
			Target: b, ChargingID: "77", Records: 1,
			First: fxAt("2026-03-02T10:10:00Z"), Last: fxAt("2026-03-02T10:10:00Z"), End: fxAt("2026-03-02T10:10:30Z"), DurationS: 30,
			Bytes: 5, APNs: []string{"everywhere"}, Cells: []analysis.SessionCell{cell(&c1, "2026-03-02T10:10:00Z", 1)},
			CellTime: analysis.CellAtOrBeforeStart, Rows: []analysis.EventRef{ref(b, 2)},
		},
		{
			Target: a, Records: 1,
			First: fxAt("2026-03-02T10:35:00Z"), Last: fxAt("2026-03-02T10:35:00Z"), End: fxAt("2026-03-02T10:35:10Z"), DurationS: 10,
			Bytes: 7, APNs: []string{"everywhere"}, Cells: []analysis.SessionCell{cell(&c3, "2026-03-02T10:35:00Z", 1)},
			CellTime: analysis.CellAtOrBeforeStart, Rows: []analysis.EventRef{ref(a, 5)},
		},
	}
	tests := []struct {
		name   string
		events []analysis.Located
		want   []analysis.Session
	}{
		{"empty input", nil, []analysis.Session{}},
		{"no data records", []analysis.Located{voice}, []analysis.Session{}},
		{"sessions by target and charging ID", events, want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := analysis.DataSessions(tt.events)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DataSessions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
