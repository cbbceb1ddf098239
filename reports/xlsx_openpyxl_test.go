package reports_test

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/reports"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// xlsxPython is Debian's Python, which has python3-openpyxl (.ci/packages).
const xlsxPython = "/usr/bin/python3"

// xlsxPyBook is what scripts/xlsx_read.py prints.
type xlsxPyBook struct {
	Properties      map[string]*string `json:"properties"`
	StructureLocked bool               `json:"structureLocked"`
	Sheets          []struct {
		Name           string                  `json:"name"`
		Freeze         string                  `json:"freeze"`
		AutoFilter     string                  `json:"autoFilter"`
		PrintTitleRows string                  `json:"printTitleRows"`
		Orientation    string                  `json:"orientation"`
		PaperSize      int                     `json:"paperSize"`
		FitToPage      bool                    `json:"fitToPage"`
		FitToWidth     int                     `json:"fitToWidth"`
		FitToHeight    int                     `json:"fitToHeight"`
		OddHeader      map[string]*string      `json:"oddHeader"`
		OddFooter      map[string]*string      `json:"oddFooter"`
		Protection     map[string]any          `json:"protection"`
		Merged         []string                `json:"merged"`
		Widths         map[string]float64      `json:"widths"`
		MaxRow         int                     `json:"maxRow"`
		Dimension      string                  `json:"readOnlyDimension"`
		Rows           [][]*[3]json.RawMessage `json:"rows"`
	} `json:"sheets"`
}

// xlsxOpenpyxl reads a workbook with openpyxl, or skips the test when
// Debian's Python or its openpyxl is not installed.
func xlsxOpenpyxl(t *testing.T, data []byte) xlsxPyBook {
	t.Helper()
	if err := exec.Command(xlsxPython, "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("needs %s with openpyxl (Debian package python3-openpyxl): %v", xlsxPython, err)
	}
	path := filepath.Join(t.TempDir(), "schedules.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xlsxPython, filepath.Join("..", "scripts", "xlsx_read.py"), path).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("openpyxl: %v\n%s", err, stderr)
	}
	var book xlsxPyBook
	if err := json.Unmarshal(out, &book); err != nil {
		t.Fatalf("openpyxl output: %v\n%s", err, out)
	}
	return book
}

// xlsxUnescape decodes the _xHHHH_ escapes of OOXML strings, which Excel
// decodes and openpyxl 3.0 leaves as they are ("_x005F_" is "_").
func xlsxUnescape(s string) string {
	return regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`).ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[2:6], 16, 32)
		return string(rune(n))
	})
}

// TestWriteWorkbookOpenpyxl reads the sample workbook back with openpyxl, an
// independent reader, and compares it with the schedules it was made from:
// sheet names, header block, column header row, every value (identifiers
// and formula-like text as strings; times equal to the UTC instant in the
// column's zone; durations in seconds), caveats, frozen panes,
// auto-filter, print titles, page setup, footer, protection and document
// properties.
func TestWriteWorkbookOpenpyxl(t *testing.T) {
	wb := xlsxSample()
	book := xlsxOpenpyxl(t, xlsxWrite(t, wb))
	h := wb.Header

	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	props := map[string]string{}
	for k, v := range book.Properties {
		props[k] = str(v)
	}
	if diff := cmp.Diff(map[string]string{
		"title": wb.Title, "subject": wb.Subject, "keywords": wb.Keywords, "creator": h.Software,
		"created": "2025-03-01T14:00:00", "modified": "2025-03-01T14:00:00", "lastModifiedBy": "",
	}, props); diff != "" {
		t.Errorf("document properties (-want +got):\n%s", diff)
	}
	if !book.StructureLocked {
		t.Error("workbook structure not locked")
	}
	if len(book.Sheets) != len(wb.Schedules) {
		t.Fatalf("%d sheets, want %d", len(book.Sheets), len(wb.Schedules))
	}

	for i, s := range wb.Schedules {
		sh := book.Sheets[i]
		t.Run(s.Name, func(t *testing.T) {
			if sh.Name != s.Name {
				t.Errorf("sheet name %q, want %q", sh.Name, s.Name)
			}
			// The cell of each row's first column, and of the whole row.
			text := func(c *[3]json.RawMessage) (typ, val string) {
				if c == nil {
					return "", ""
				}
				_ = json.Unmarshal(c[0], &typ)
				if err := json.Unmarshal(c[1], &val); err != nil {
					val = string(c[1])
				}
				return typ, val
			}
			ncol := len(s.Columns)
			lastCol, _ := excelize.ColumnNumberToName(ncol)

			// Column header row: the first row holding the column titles.
			header := -1
			for r, row := range sh.Rows {
				if len(row) < ncol {
					continue
				}
				match := true
				for c, col := range s.Columns {
					typ, v := text(row[c])
					match = match && typ == "s" && v == col.Title()
				}
				if match {
					header = r
					break
				}
			}
			if header < 0 {
				t.Fatalf("no column header row %q", xlsxTitles(s.Columns))
			}
			hr := strconv.Itoa(header + 1)

			// Header block: title first, then every field of the header.
			if typ, v := text(sh.Rows[0][0]); typ != "s" || v != s.Title {
				t.Errorf("A1 = %s %q, want the title %q", typ, v, s.Title)
			}
			var block strings.Builder
			for _, row := range sh.Rows[1:header] {
				_, v := text(row[0])
				block.WriteString(v + "\n")
			}
			want := []string{
				"Case: " + h.Case + " — " + h.CaseTitle, "Exhibit: " + h.Exhibit, "Produced by: " + h.ProducedBy,
				"Produced at: 01/03/2025 14:00:00 UTC", "Time basis: " + h.TimeBasis, "Software: " + h.Software,
				"Provenance checkpoint: size 1234, root " + h.Checkpoint.Root.String(),
				"Key fingerprint: " + h.Fingerprint, "Rows: " + strconv.Itoa(s.RowCount),
			}
			for _, c := range h.CellLists {
				want = append(want, c.Name, c.Date, "SHA-256 "+c.SHA256.String())
			}
			for _, w := range want {
				if !strings.Contains(block.String(), w) {
					t.Errorf("header block lacks %q:\n%s", w, block.String())
				}
			}

			// Rows.
			n := 0
			if s.Rows != nil {
				err := s.Rows(func(values []reports.Value) error {
					n++
					row := sh.Rows[header+n]
					for c, v := range values {
						col := s.Columns[c]
						got := row[c]
						where := col.Title() + " row " + strconv.Itoa(n)
						if v.Kind == reports.Empty {
							if got != nil {
								t.Errorf("%s: %s, want empty", where, got[1])
							}
							continue
						}
						if got == nil {
							t.Errorf("%s: empty", where)
							continue
						}
						typ, val := text(got)
						var format string
						_ = json.Unmarshal(got[2], &format)
						switch {
						case v.Kind == reports.TextKind:
							if typ != "s" || xlsxUnescape(val) != v.Text {
								t.Errorf("%s: %s %q, want string %q", where, typ, val, v.Text)
							}
						case v.Kind == reports.TimeKind:
							loc := reports.London
							if col.Zone == reports.ZoneUTC {
								loc = nil
							}
							wt := v.Time.UTC()
							if loc != nil {
								wt = v.Time.In(loc)
							}
							if w := wt.Format("2006-01-02T15:04:05"); typ != "d" || val != w {
								t.Errorf("%s: %s %s, want date-time %s", where, typ, val, w)
							}
							if format != `dd\/mm\/yyyy hh:mm:ss` {
								t.Errorf("%s: number format %q", where, format)
							}
						case col.Format == reports.FormatDuration:
							if w := strconv.FormatFloat(float64(v.Int), 'f', 1, 64); typ != "d" || val != w {
								t.Errorf("%s: %s %s, want a duration of %s s", where, typ, val, w)
							}
							if format != "[h]:mm:ss" {
								t.Errorf("%s: number format %q", where, format)
							}
						default:
							f, err := strconv.ParseFloat(val, 64)
							w := v.Float
							if v.Kind == reports.IntKind {
								w = float64(v.Int)
							}
							if typ != "n" || err != nil || math.Abs(f-w) > 1e-12*math.Abs(w) {
								t.Errorf("%s: %s %s, want number %v", where, typ, val, w)
							}
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}

			// Caveats, below the table after a blank row.
			if len(s.Caveats) > 0 {
				if _, v := text(sh.Rows[header+n+2][0]); v != "Caveats" {
					t.Errorf("row %d = %q, want the caveats heading", header+n+3, v)
				}
				for i, c := range s.Caveats {
					if _, v := text(sh.Rows[header+n+3+i][0]); v != strconv.Itoa(i+1)+". "+c {
						t.Errorf("caveat %d = %q", i+1, v)
					}
				}
			}
			if want := header + n + 1 + map[bool]int{true: 2 + len(s.Caveats)}[len(s.Caveats) > 0]; sh.MaxRow != want {
				t.Errorf("last row %d, want %d", sh.MaxRow, want)
			}

			// Sheet settings.
			got := map[string]any{
				"freeze": sh.Freeze, "autoFilter": strings.ReplaceAll(sh.AutoFilter, "$", ""),
				"printTitleRows": sh.PrintTitleRows, "orientation": sh.Orientation, "paperSize": sh.PaperSize,
				"fitToPage": sh.FitToPage, "fitToWidth": sh.FitToWidth, "fitToHeight": sh.FitToHeight,
				"header":     str(sh.OddHeader["left"]),
				"footer":     []string{str(sh.OddFooter["left"]), str(sh.OddFooter["center"]), str(sh.OddFooter["right"])},
				"protection": sh.Protection,
				"dimension":  sh.Dimension,
			}
			wantSettings := map[string]any{
				"freeze": "A" + strconv.Itoa(header+2), "autoFilter": "A" + hr + ":" + lastCol + strconv.Itoa(header+1+n),
				"printTitleRows": "$" + hr + ":$" + hr, "orientation": "landscape", "paperSize": 9,
				"fitToPage": true, "fitToWidth": 1, "fitToHeight": 0,
				"header": s.Title,
				"footer": []string{"Exhibit " + h.Exhibit, "Page &P of &N", "Case " + h.Case},
				"protection": map[string]any{
					"sheet": true, "password": nil, "autoFilter": false, "sort": false, "formatColumns": false,
					"selectLockedCells": false, "selectUnlockedCells": false,
				},
				"dimension": "A1:" + lastCol + strconv.Itoa(sh.MaxRow),
			}
			if diff := cmp.Diff(wantSettings, got); diff != "" {
				t.Errorf("sheet settings (-want +got):\n%s", diff)
			}
			widths := map[string]float64{}
			for c, col := range s.Columns {
				if col.Width > 0 {
					name, _ := excelize.ColumnNumberToName(c + 1)
					widths[name] = col.Width
				}
			}
			if diff := cmp.Diff(widths, sh.Widths); diff != "" {
				t.Errorf("column widths (-want +got):\n%s", diff)
			}
			if ncol > 1 && (len(sh.Merged) == 0 || !slices.Contains(sh.Merged, "A1:"+lastCol+"1")) {
				t.Errorf("title not merged across the table: %q", sh.Merged)
			}
		})
	}
}

func xlsxTitles(cols []reports.Column) []string {
	var t []string
	for _, c := range cols {
		t = append(t, c.Title())
	}
	return t
}
