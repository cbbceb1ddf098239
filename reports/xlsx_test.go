package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// The -update flag rewrites golden files. Other test files of package
// reports may register it too; it is registered here only if none has.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func xlsxUpdating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func xlsxWrite(t testing.TB, wb reports.Workbook) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteWorkbook(context.Background(), &buf, wb); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxMany is the sample with every schedule repeated under new names, so
// that the workbook has many streamed sheets.
func xlsxMany() reports.Workbook {
	wb := xlsxSample()
	base := wb.Schedules
	for i := 2; i <= 3; i++ {
		for _, s := range base {
			s.Name = fmt.Sprintf("%s %d", s.Name, i)
			wb.Schedules = append(wb.Schedules, s)
		}
	}
	return wb
}

// TestWriteWorkbookDeterministic writes the same workbooks again and again,
// with one and two threads: the bytes never change. With nine streamed
// sheets excelize hands over the parts in a different order nearly every
// time, so this also tests that the parts are put in a fixed order.
func TestWriteWorkbookDeterministic(t *testing.T) {
	for name, wb := range map[string]reports.Workbook{"sample": xlsxSample(), "nine sheets": xlsxMany()} {
		t.Run(name, func(t *testing.T) {
			want := xlsxWrite(t, wb)
			for i := range 10 {
				procs := 1 + i%2
				prev := runtime.GOMAXPROCS(procs)
				got := xlsxWrite(t, wb)
				runtime.GOMAXPROCS(prev)
				if !bytes.Equal(got, want) {
					t.Fatalf("write %d (GOMAXPROCS=%d) differs from the first", i+2, procs)
				}
			}
			zr, err := zip.NewReader(bytes.NewReader(want), int64(len(want)))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range zr.File {
				names = append(names, f.Name)
				if got, want := f.Modified, time.Date(2025, 3, 1, 14, 0, 0, 0, time.UTC); !got.Equal(want) {
					t.Errorf("%s: modified %s, want %s", f.Name, got, want)
				}
			}
			if !sort.StringsAreSorted(names) || names[0] != "[Content_Types].xml" {
				t.Errorf("parts not in name order: %q", names)
			}
		})
	}
}

// TestWriteWorkbookTextIsInert checks that text which looks like a formula
// is stored as a string: no cell of any sheet has a formula, and excelize
// reads the values back as inline strings.
func TestWriteWorkbookTextIsInert(t *testing.T) {
	data := xlsxWrite(t, xlsxSample())
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		b := xlsxReadPart(t, f)
		if bytes.Contains(b, []byte("<f>")) || bytes.Contains(b, []byte("<f ")) {
			t.Errorf("%s holds a formula", f.Name)
		}
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, tc := range []struct{ cell, want string }{
		{"C17", `=HYPERLINK("http://x","y")`},
		{"C18", "=1+1"},
		{"C19", "-2+3"},
		{"C20", "@SUM(A1)"},
		{"C16", "+447700900456"},
		{"K18", "0123456789012345"},
	} {
		got, err := x.GetCellValue("Calls", tc.cell)
		if err != nil || got != tc.want {
			t.Errorf("%s = %q, %v; want %q", tc.cell, got, err, tc.want)
		}
		if f, err := x.GetCellFormula("Calls", tc.cell); err != nil || f != "" {
			t.Errorf("%s has formula %q, %v", tc.cell, f, err)
		}
		if typ, err := x.GetCellType("Calls", tc.cell); err != nil || typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, %v; want an inline string", tc.cell, typ, err)
		}
	}
}

func xlsxReadPart(t testing.TB, f *zip.File) []byte {
	t.Helper()
	r, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWriteWorkbookInvalid: what a workbook cannot show faithfully is an
// Invalid error naming the place, and nothing is written.
func TestWriteWorkbookInvalid(t *testing.T) {
	one := func(cols []reports.Column, rows ...[]reports.Value) reports.Workbook {
		wb := xlsxSample()
		r, n := reports.Rows(rows)
		wb.Schedules = []reports.Schedule{{Name: "S", Title: "T", Columns: cols, Rows: r, RowCount: n}}
		return wb
	}
	text := []reports.Column{{Header: "A"}}
	utc := []reports.Column{{Header: "At", Format: reports.FormatDateTime, Zone: reports.ZoneUTC}}
	num := []reports.Column{{Header: "N", Format: reports.FormatInteger}}
	named := func(names ...string) reports.Workbook {
		wb := xlsxSample()
		wb.Schedules = nil
		for _, n := range names {
			wb.Schedules = append(wb.Schedules, reports.Schedule{Name: n, Columns: text})
		}
		return wb
	}
	for _, tc := range []struct {
		name string
		wb   reports.Workbook
		want string
	}{
		{"no production time", func() reports.Workbook { wb := xlsxSample(); wb.Header.ProducedAt = time.Time{}; return wb }(), "no production time"},
		{"no schedules", func() reports.Workbook { wb := xlsxSample(); wb.Schedules = nil; return wb }(), "no schedules"},
		{"empty name", named(""), "no sheet name"},
		{"long name", named(strings.Repeat("x", 32)), "longer than 31"},
		{"slash", named("Calls 01/02"), "holds one of"},
		{"bracket", named("[Calls]"), "holds one of"},
		{"apostrophe", named("'Calls"), "apostrophe"},
		{"History", named("history"), "reserved"},
		{"duplicate", named("Calls", "CALLS"), "used twice"},
		{"no columns", one(nil), "no columns"},
		{"unknown format", one([]reports.Column{{Header: "A", Format: "money"}}), `unknown format "money"`},
		{"datetime without zone", one([]reports.Column{{Header: "At", Format: reports.FormatDateTime}}), "unknown zone"},
		{"negative width", one([]reports.Column{{Header: "A", Width: -1}}), "width"},
		{"time in text column", one(text, []reports.Value{reports.Time(time.Now())}), `row 1 column "A": a time in a column`},
		{"number in datetime column", one(utc, []reports.Value{reports.Int(1)}), "datetime column"},
		{"time before 1900-03-01", one(utc, []reports.Value{reports.Time(time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC))}), "outside the dates"},
		{"16 digits", one(num, []reports.Value{reports.Int(1234567890123456)}), "more than 15 digits"},
		{"NUL", one(text, []reports.Value{reports.Text("a\x00b")}), "control character U+0000"},
		{"invalid UTF-8", one(text, []reports.Value{reports.Text("a\xffb")}), "not valid UTF-8"},
		{"too long", one(text, []reports.Value{reports.Text(strings.Repeat("x", 32768))}), "at most 32767"},
		{"short row", one([]reports.Column{{Header: "A"}, {Header: "B"}}, []reports.Value{reports.Text("x")}), "row 1 has 1 values for 2 columns"},
		{"more rows than declared", func() reports.Workbook {
			wb := one(text, []reports.Value{reports.Text("x")}, []reports.Value{reports.Text("y")})
			wb.Schedules[0].RowCount = 1
			return wb
		}(), "more rows than the 1 declared"},
		{"fewer rows than declared", func() reports.Workbook {
			wb := one(text, []reports.Value{reports.Text("x")})
			wb.Schedules[0].RowCount = 2
			return wb
		}(), "1 rows given, 2 declared"},
		{"too many rows", func() reports.Workbook {
			wb := one(text)
			wb.Schedules[0].RowCount = 1_048_575
			return wb
		}(), "a sheet holds at most"},
		{"control character in header", func() reports.Workbook { wb := xlsxSample(); wb.Header.ProducedBy = "DC\x07"; return wb }(), "header: text holds control character"},
		{"footer too long", func() reports.Workbook { wb := xlsxSample(); wb.Header.Exhibit = strings.Repeat("x", 300); return wb }(), "page header or footer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := reports.WriteWorkbook(context.Background(), &buf, tc.wb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if k := cellsite.KindOf(err); k != cellsite.Invalid {
				t.Errorf("kind %v, want invalid (%v)", k, err)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written", buf.Len())
			}
		})
	}
}

// TestWriteWorkbookRowsError: a schedule's own failure keeps its kind.
func TestWriteWorkbookRowsError(t *testing.T) {
	wb := xlsxSample()
	cause := cellsite.Errorf(cellsite.NotFound, "events", "case gone")
	wb.Schedules[1].Rows = func(yield func([]reports.Value) error) error { return cause }
	var buf bytes.Buffer
	err := reports.WriteWorkbook(context.Background(), &buf, wb)
	if !errors.Is(err, cause) || cellsite.KindOf(err) != cellsite.NotFound {
		t.Fatalf("error %v (kind %v), want the schedule's own", err, cellsite.KindOf(err))
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written", buf.Len())
	}
}

// TestWriteWorkbookCanceled: a cancelled context stops the rows.
func TestWriteWorkbookCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wb := xlsxSample()
	s := xlsxCallSchedule(5000)
	rows := s.Rows
	s.Rows = func(yield func([]reports.Value) error) error {
		n := 0
		return rows(func(r []reports.Value) error {
			if n++; n == 2000 {
				cancel()
			}
			return yield(r)
		})
	}
	wb.Schedules = []reports.Schedule{s}
	var buf bytes.Buffer
	if err := reports.WriteWorkbook(ctx, &buf, wb); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written", buf.Len())
	}
}

// TestWriteWorkbookGolden compares a text dump of the sample workbook
// (parts, properties, defined names; for each sheet its settings, merges,
// widths, row heights and every cell with its type, stored value, number
// format and the value as excelize displays it) with testdata/reports/xlsx/sample.txt.
// Run with -update to rewrite it.
func TestWriteWorkbookGolden(t *testing.T) {
	got := xlsxDump(t, xlsxWrite(t, xlsxSample()))
	golden := filepath.Join("..", "testdata", "reports", "xlsx", "sample.txt")
	if xlsxUpdating() {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("missing golden file (run with -update): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("workbook dump changed (-golden +got):\n%s", diff)
	}
}

// xlsxDump describes a workbook as text.
func xlsxDump(t testing.TB, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var b strings.Builder
	parts := map[string][]byte{}
	b.WriteString("parts:\n")
	for _, f := range zr.File {
		parts[f.Name] = xlsxReadPart(t, f)
		fmt.Fprintf(&b, "  %s %s %d bytes\n", f.Name, f.Modified.Format(time.DateTime), f.UncompressedSize64)
	}
	for _, name := range []string{"docProps/core.xml", "docProps/app.xml", "xl/workbook.xml"} {
		fmt.Fprintf(&b, "%s:\n%s", name, xlsxElements(parts[name], ""))
	}
	for i, sheet := range x.GetSheetList() {
		path := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		fmt.Fprintf(&b, "\nsheet %q (%s):\n%s", sheet, path, xlsxElements(parts[path], "sheetData"))
		var ws struct {
			Rows []struct {
				R     int    `xml:"r,attr"`
				Ht    string `xml:"ht,attr"`
				Cells []struct {
					R  string  `xml:"r,attr"`
					S  int     `xml:"s,attr"`
					T  string  `xml:"t,attr"`
					V  string  `xml:"v"`
					F  *string `xml:"f"`
					IS *struct {
						T *string `xml:"t"`
						R []struct {
							Bold *struct{} `xml:"rPr>b"`
							T    string    `xml:"t"`
						} `xml:"r"`
					} `xml:"is"`
				} `xml:"c"`
			} `xml:"sheetData>row"`
		}
		if err := xml.Unmarshal(parts[path], &ws); err != nil {
			t.Fatal(err)
		}
		for _, r := range ws.Rows {
			fmt.Fprintf(&b, "  row %d height %q\n", r.R, r.Ht)
			for _, c := range r.Cells {
				st, err := x.GetStyle(c.S)
				if err != nil {
					t.Fatal(err)
				}
				format, ok := map[int]string{0: "General", 1: "0", 49: "@"}[st.NumFmt]
				if !ok {
					format = "builtin " + strconv.Itoa(st.NumFmt)
				}
				if st.CustomNumFmt != nil {
					format = *st.CustomNumFmt
				}
				value := c.V
				if c.IS != nil && c.IS.T != nil {
					value = *c.IS.T
				}
				if c.IS != nil && len(c.IS.R) > 0 {
					value = ""
					for _, r := range c.IS.R {
						if r.Bold != nil {
							value += "**" + r.T + "**"
						} else {
							value += r.T
						}
					}
					c.T += " (rich text, bold in **)"
				}
				if c.F != nil {
					value += " FORMULA " + *c.F
				}
				shown, err := x.GetCellValue(sheet, c.R)
				if err != nil {
					t.Fatal(err)
				}
				typ := c.T
				if typ == "" {
					typ = "n"
				}
				if value == "" && c.IS == nil {
					typ = "empty"
				}
				fmt.Fprintf(&b, "    %s %s %q fmt %q shown %q\n", c.R, typ, value, format, shown)
			}
		}
	}
	return b.String()
}

// xlsxElements lists a part's XML elements one per line, without the
// namespace declarations and without the content of the element skip.
func xlsxElements(part []byte, skip string) string {
	s := string(part)
	if skip != "" {
		s = regexp.MustCompile(`(?s)<`+skip+`>.*</`+skip+`>`).ReplaceAllString(s, "<"+skip+">…</"+skip+">")
	}
	s = regexp.MustCompile(`\s+xmlns(:\w+)?="[^"]*"`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`\s+mc:Ignorable="[^"]*"`).ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "><", ">\n<")
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "<?xml") {
			continue
		}
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}
