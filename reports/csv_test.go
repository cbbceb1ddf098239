package reports_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
	"github.com/google/go-cmp/cmp"
)

// TestWriteCSV writes the sample call and cell site schedules: a byte-order
// mark, CRLF lines, headers with zones, times in each column's zone,
// durations as h:mm:ss, and formula-like text neutralised while +44
// numbers stay as they are.
func TestWriteCSV(t *testing.T) {
	wb := xlsxSample()
	for _, tc := range []struct {
		s    reports.Schedule
		want string
	}{
		{wb.Schedules[0], "\ufeff" + strings.Join([]string{
			"Row,Target,Other party,Type,Direction,Start (UTC),Start (UK local),Duration,First cell,Last cell,IMEI,IMSI",
			"1,07700900123,+447700900456,Voice,MO,31/03/2024 00:59:59,31/03/2024 00:59:59,0:01:23,234-15-1201-31021,234-15-1201-31022,356938035643809,234150000000001",
			`2,07700900123,"'=HYPERLINK(""http://x"",""y"")",SMS,MT,31/03/2024 01:00:00,31/03/2024 02:00:00,0:00:00,234-15-1201-31021,,356938035643809,234150000000001`,
			"3,07700900123,'=1+1,Voice,MO,27/10/2024 00:30:00,27/10/2024 01:30:00,25:01:01,0x4D2-0x7A,0x4D2-0x7A,0123456789012345,234150000000001",
			"4,07700900123,'-2+3,Data,,27/10/2024 01:30:00,27/10/2024 01:30:00,0:59:59,234-15-1201-31021,,356938035643809,234150000000001",
			"5,07700900123,'@SUM(A1),Voice,MT,01/07/2024 12:00:00,01/07/2024 13:00:00,0:01:01,Café & Bar_x0041_ ,,,",
			"6,07700900123,,Voice,MO,,,,,,,",
			"",
		}, "\r\n")},
		{wb.Schedules[1], "\ufeff" + strings.Join([]string{
			"Cell,Address,Latitude,Longitude,Azimuth (degrees),Beamwidth (degrees)",
			`234-15-1201-31021,"Corner of High St & Mill Lane, AB1 2CD",51.501009,-0.141588,120,65`,
			`0x4D2-0x7A,"Rooftop, 1 Station Road",51.500000,-0.100000,0,`,
			"",
		}, "\r\n")},
	} {
		t.Run(tc.s.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := reports.WriteCSV(&buf, tc.s); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, buf.String()); diff != "" {
				t.Errorf("CSV (-want +got):\n%s", diff)
			}
			records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
			if err != nil || len(records) != tc.s.RowCount+1 {
				t.Errorf("read back %d records, %v; want %d", len(records), err, tc.s.RowCount+1)
			}
		})
	}
}

// TestWriteCSVInvalid: the CSV refuses what the workbook refuses.
func TestWriteCSVInvalid(t *testing.T) {
	one := func(cols []reports.Column, count int, rows ...[]reports.Value) reports.Schedule {
		r, _ := reports.Rows(rows)
		return reports.Schedule{Name: "S", Columns: cols, Rows: r, RowCount: count}
	}
	text := []reports.Column{{Header: "A"}}
	for _, tc := range []struct {
		name string
		s    reports.Schedule
		want string
	}{
		{"no columns", one(nil, 0), "no columns"},
		{"datetime without zone", one([]reports.Column{{Header: "At", Format: reports.FormatDateTime}}, 0), "unknown zone"},
		{"time in text column", one(text, 1, []reports.Value{reports.Time(time.Now())}), `row 1 column "A": a time`},
		{"negative duration", one([]reports.Column{{Header: "D", Format: reports.FormatDuration}}, 1, []reports.Value{reports.Int(-1)}), "out of range"},
		{"NUL", one(text, 1, []reports.Value{reports.Text("a\x00")}), "control character"},
		{"more rows", one(text, 0, []reports.Value{reports.Text("x")}), "more rows than the 0 declared"},
		{"fewer rows", one(text, 2, []reports.Value{reports.Text("x")}), "1 rows given, 2 declared"},
		{"short row", one([]reports.Column{{Header: "A"}, {Header: "B"}}, 1, []reports.Value{reports.Text("x")}), "row 1 has 1 values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := reports.WriteCSV(&bytes.Buffer{}, tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if k := cellsite.KindOf(err); k != cellsite.Invalid {
				t.Errorf("kind %v, want invalid", k)
			}
		})
	}
}
