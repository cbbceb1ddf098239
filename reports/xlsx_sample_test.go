package reports_test

import (
	"fmt"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
)

// xlsxCallColumns are the twelve columns of the call schedule used by the
// tests and benchmarks.
func xlsxCallColumns() []reports.Column {
	return []reports.Column{
		{Header: "Row", Field: "row", Width: 7, Format: reports.FormatInteger},
		{Header: "Target", Field: "target", Width: 15, Format: reports.FormatText},
		{Header: "Other party", Field: "other", Width: 22, Format: reports.FormatText},
		{Header: "Type", Field: "type", Width: 8, Format: reports.FormatText},
		{Header: "Direction", Field: "direction", Width: 10, Format: reports.FormatText},
		{Header: "Start", Field: "start", Width: 20, Format: reports.FormatDateTime, Zone: reports.ZoneUTC},
		{Header: "Start", Field: "start", Width: 20, Format: reports.FormatDateTime, Zone: reports.ZoneUKLocal},
		{Header: "Duration", Field: "duration", Width: 10, Format: reports.FormatDuration},
		{Header: "First cell", Field: "first_cell", Width: 18, Format: reports.FormatText},
		{Header: "Last cell", Field: "last_cell", Width: 18, Format: reports.FormatText},
		{Header: "IMEI", Field: "imei", Width: 17, Format: reports.FormatText},
		{Header: "IMSI", Field: "imsi", Width: 17, Format: reports.FormatText},
	}
}

// xlsxCallRow is one call schedule row.
func xlsxCallRow(n int, target, other, typ, dir string, start time.Time, secs int64, first, last, imei, imsi string) []reports.Value {
	return []reports.Value{
		reports.Int(int64(n)), reports.Text(target), reports.Text(other), reports.Text(typ), reports.Text(dir),
		reports.Time(start), reports.Time(start), reports.Int(secs),
		reports.Text(first), reports.Text(last), reports.Text(imei), reports.Text(imsi),
	}
}

// xlsxSample is a small workbook that exercises every kind of value and the
// awkward cases: text that looks like a formula or a number, times either
// side of both 2024 clock changes (including the repeated hour), durations
// over a day, empty cells, a sheet name with an apostrophe.
func xlsxSample() reports.Workbook {
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	calls := [][]reports.Value{
		xlsxCallRow(1, "07700900123", "+447700900456", "Voice", "MO", utc("2024-03-31T00:59:59Z"), 83, "234-15-1201-31021", "234-15-1201-31022", "356938035643809", "234150000000001"),
		xlsxCallRow(2, "07700900123", "=HYPERLINK(\"http://x\",\"y\")", "SMS", "MT", utc("2024-03-31T01:00:00Z"), 0, "234-15-1201-31021", "", "356938035643809", "234150000000001"),
		xlsxCallRow(3, "07700900123", "=1+1", "Voice", "MO", utc("2024-10-27T00:30:00Z"), 90061, "0x4D2-0x7A", "0x4D2-0x7A", "0123456789012345", "234150000000001"),
		xlsxCallRow(4, "07700900123", "-2+3", "Data", "", utc("2024-10-27T01:30:00Z"), 3599, "234-15-1201-31021", "", "356938035643809", "234150000000001"),
		xlsxCallRow(5, "07700900123", "@SUM(A1)", "Voice", "MT", utc("2024-07-01T12:00:00Z"), 61, "Café & Bar_x0041_ ", "", "", ""),
		{reports.Int(6), reports.Text("07700900123"), {}, reports.Text("Voice"), reports.Text("MO"), {}, {}, {}, {}, {}, {}, {}},
	}
	callRows, callCount := reports.Rows(calls)
	cells := [][]reports.Value{
		{reports.Text("234-15-1201-31021"), reports.Text("Corner of High St & Mill Lane, AB1 2CD"), reports.Float(51.501009), reports.Float(-0.141588), reports.Int(120), reports.Float(65)},
		{reports.Text("0x4D2-0x7A"), reports.Text("Rooftop, 1 Station Road"), reports.Float(51.5), reports.Float(-0.1), reports.Int(0), {}},
	}
	cellRows, cellCount := reports.Rows(cells)
	var h1, h2, root cellsite.Hash
	for i := range h1 {
		h1[i], h2[i], root[i] = byte(i), byte(255-i), byte(i*7)
	}
	exhibits := [][]reports.Value{
		{reports.Text("ABC/1"), reports.Text("vodafone_0123.csv"), reports.Text(h1.String()), reports.Int(126_000_000)},
		{reports.Text("ABC/2"), reports.Text("cells.xlsx"), reports.Text(h2.String()), reports.Int(42)},
	}
	exRows, exCount := reports.Rows(exhibits)
	return reports.Workbook{
		Header: reports.Header{
			Case:       "23/0001",
			CaseTitle:  "Operation Example",
			Exhibit:    "ABC/3",
			ProducedBy: "DC 1234 Example",
			ProducedAt: utc("2025-03-01T14:00:00Z"),
			TimeBasis:  "UK local (Europe/London)",
			CellLists: []reports.CellListRef{
				{Name: "vodafone-cells-2024-01.csv", Date: "01/01/2024", SHA256: h1},
				{Name: "ee-cells.csv", SHA256: h2},
			},
			Software:    "Cellsite v1.0.0",
			Checkpoint:  reports.CheckpointRef{Size: 1234, Root: root},
			Fingerprint: "cellsite-log+1a2b3c4d+AbCdEf",
		},
		Schedules: []reports.Schedule{
			{
				Name: "Calls", Title: "Call schedule: 07700900123", Columns: xlsxCallColumns(),
				Rows: callRows, RowCount: callCount,
				Caveats: []string{
					"A serving cell shows that the phone was within that cell's service area, not at the mast.",
					"For data sessions the record means the phone used the cell at or before the start time.",
				},
			},
			{
				Name: "Cell sites", Title: "Cell site schedule",
				Columns: []reports.Column{
					{Header: "Cell", Width: 18, Format: reports.FormatText},
					{Header: "Address", Width: 40, Format: reports.FormatText},
					{Header: "Latitude", Width: 11, Format: reports.FormatDecimal, Decimals: 6},
					{Header: "Longitude", Width: 11, Format: reports.FormatDecimal, Decimals: 6},
					{Header: "Azimuth (degrees)", Width: 10, Format: reports.FormatInteger},
					{Header: "Beamwidth (degrees)", Width: 11, Format: reports.FormatDecimal},
				},
				Rows: cellRows, RowCount: cellCount,
				Caveats: []string{"Positions are as stated in the cell list named above."},
			},
			{
				Name: "Officer's exhibits", Title: "Exhibits schedule",
				Columns: []reports.Column{
					{Header: "Exhibit", Width: 10},
					{Header: "File", Width: 24},
					{Header: "SHA-256", Width: 66},
					{Header: "Size (bytes)", Width: 12, Format: reports.FormatInteger},
				},
				Rows: exRows, RowCount: exCount,
			},
			{
				Name: "Attribution", Title: "Attribution schedule (no entries)",
				Columns: []reports.Column{{Header: "Finding", Width: 60}},
			},
		},
		Title:    "Schedules, case 23/0001, exhibit ABC/3",
		Subject:  "Cell site analysis",
		Keywords: "23/0001; ABC/3",
	}
}

// xlsxCallSchedule is a generated call schedule of n rows, for benchmarks.
func xlsxCallSchedule(n int) reports.Schedule {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return reports.Schedule{
		Name: "Calls", Title: "Call schedule", Columns: xlsxCallColumns(), RowCount: n,
		Rows: func(yield func([]reports.Value) error) error {
			row := make([]reports.Value, 12)
			others := [...]string{"07700900001", "07700900002", "+447700900003", "07700900004"}
			for i := 0; i < n; i++ {
				t := start.Add(time.Duration(i) * 97 * time.Second)
				row[0] = reports.Int(int64(i + 1))
				row[1] = reports.Text("07700900123")
				row[2] = reports.Text(others[i%len(others)])
				row[3] = reports.Text([...]string{"Voice", "SMS", "Data"}[i%3])
				row[4] = reports.Text([...]string{"MO", "MT"}[i%2])
				row[5] = reports.Time(t)
				row[6] = reports.Time(t)
				row[7] = reports.Int(int64(i % 3600))
				row[8] = reports.Text(fmt.Sprintf("234-15-1201-%d", 31000+i%500))
				row[9] = reports.Text(fmt.Sprintf("234-15-1201-%d", 31000+(i+1)%500))
				row[10] = reports.Text("356938035643809")
				row[11] = reports.Text("234150000000001")
				if err := yield(row); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
