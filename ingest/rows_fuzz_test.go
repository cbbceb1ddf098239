package ingest_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/cellsite/cellsite/ingest"
)

// refRow is what the reference reader says of a record.
type refRow struct {
	Number int
	Fields []string
	Fault  bool
}

func summarise(rows []ingest.Row) []refRow {
	var out []refRow
	for _, r := range rows {
		out = append(out, refRow{r.Number, r.Fields, r.Fault != ""})
	}
	return out
}

// referenceRows reads UTF-8 CSV with delimiter d byte by byte, by the rules
// NewCSVReader documents, with no limits. It is slow and simple, to check
// the reader's buffered state machine against.
func referenceRows(in []byte, d byte) []refRow {
	in = bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))
	var rows []refRow
	line, i := 1, 0
	crlf := func(i int) bool { return i+1 < len(in) && in[i] == '\r' && in[i+1] == '\n' }
	for i < len(in) {
		start := line
		if in[i] == '\n' || crlf(i) {
			rows = append(rows, refRow{Number: start})
			if in[i] == '\r' {
				i++
			}
			i++
			line++
			continue
		}
		var fields []string
		fault := false
		for {
			var f []byte
			unquoted := true
			if i < len(in) && in[i] == '"' {
				unquoted = false
				i++
				closed := false
				for i < len(in) {
					c := in[i]
					if c == '"' {
						if i+1 < len(in) && in[i+1] == '"' {
							f = append(f, '"')
							i += 2
							continue
						}
						i++
						closed = true
						break
					}
					if c == '\n' {
						line++
					}
					f = append(f, c)
					i++
				}
				if !closed {
					fault = true
				} else if i < len(in) && in[i] != d && in[i] != '\n' && !crlf(i) {
					fault = true
					f = append(f, '"')
					unquoted = true
				}
			}
			if unquoted {
				for i < len(in) && in[i] != d && in[i] != '\n' {
					f = append(f, in[i])
					i++
				}
				if i < len(in) && in[i] == '\n' && len(f) > 0 && f[len(f)-1] == '\r' {
					f = f[:len(f)-1]
				}
			}
			if bytes.IndexByte(f, 0) >= 0 || !utf8.Valid(f) {
				fault = true
			}
			fields = append(fields, string(f))
			if i >= len(in) {
				break
			}
			if in[i] == d {
				i++
				if i >= len(in) {
					fields = append(fields, "")
					break
				}
				continue
			}
			if in[i] == '\r' {
				i++
			}
			i++ // '\n'
			line++
			break
		}
		rows = append(rows, refRow{start, fields, fault})
	}
	return rows
}

func addHostileSeeds(f *testing.F, add func(data []byte)) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "hostile", "*"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			add(data)
		}
	}
}

// FuzzCSVReader reads arbitrary bytes with every delimiter and encoding:
// no panic, no endless loop (a row consumes at least one byte), row
// numbers strictly increasing, clean rows hold valid UTF-8 without NUL,
// and with a known delimiter the rows match the reference reader.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{"", "a,b\n1,2\n", "\"a\"\"b\",\"c\r\nd\"\r\n", "x;\"y\"z;\n\n", "\"open", "\xff\xfea\x00\t\x00b\x00", "a\tb|c;d,e\r\r\n", "\x00\xc3,\xa9\n"} {
		f.Add([]byte(s), uint8(0), uint8(0), uint16(0))
	}
	addHostileSeeds(f, func(data []byte) { f.Add(data, uint8(1), uint8(0), uint16(0)) })
	delims := []rune{0, ',', ';', '\t', '|'}
	encodings := []string{"", "windows-1252", "latin-1"}
	f.Fuzz(func(t *testing.T, data []byte, delim, enc uint8, limit uint16) {
		opt := ingest.ReadOptions{
			Delimiter:      delims[int(delim)%len(delims)],
			Encoding:       encodings[int(enc)%len(encodings)],
			MaxRecordBytes: int(limit%512) * 8, // 0 is the default
			MaxFields:      64,
		}
		if opt.Encoding != "" && (bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF})) {
			opt.Encoding = "" // a byte-order mark in a single-byte file is refused
		}
		rr, err := ingest.NewCSVReader(bytes.NewReader(data), opt)
		if err != nil {
			t.Fatalf("NewCSVReader: %v", err)
		}
		last := 0
		for n := 0; ; n++ {
			if n > len(data)+1 {
				t.Fatalf("more rows (%d) than input bytes (%d)", n, len(data))
			}
			row, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !strings.Contains(err.Error(), "fields exceeds the 64-field limit") {
					t.Fatalf("unexpected error: %v", err)
				}
				break
			}
			if row.Number <= last {
				t.Fatalf("row number %d after %d", row.Number, last)
			}
			last = row.Number
			if row.Fault != "" {
				if strings.TrimSpace(row.Fault) == "" || !utf8.ValidString(row.Fault) {
					t.Fatalf("fault %q", row.Fault)
				}
				continue
			}
			for i, field := range row.Fields {
				if !utf8.ValidString(field) || strings.IndexByte(field, 0) >= 0 {
					t.Fatalf("row %d column %d: %q in a row without fault", row.Number, i+1, field)
				}
			}
		}
		if opt.Delimiter == 0 || opt.Encoding != "" || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
			return
		}
		got, err := csvRows(t, string(data), ingest.ReadOptions{Delimiter: opt.Delimiter, MaxRecordBytes: 1 << 30, MaxFields: 1 << 30})
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if diff := cmp.Diff(referenceRows(data, byte(opt.Delimiter)), summarise(got)); diff != "" {
			t.Fatalf("(-reference +reader):\n%s", diff)
		}
	})
}

// FuzzXLSXReader reads arbitrary bytes as a workbook: no panic, no endless
// loop, row numbers increasing within a sheet and inside Excel's grid. A
// zip is read as it is; anything else is first put in a workbook as the
// XML of its only sheet (with a shared-string table), so that the sheet
// parser is explored beyond the zip checksums. When such a sheet reads
// cleanly (no error, no fault), its values must be the ones excelize reads.
func FuzzXLSXReader(f *testing.F) {
	f.Add(excelizeWorkbook(f))
	f.Add(buildXLSX(f, []string{"<t>a</t>"}, testSheet{name: "S", data: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`}))
	f.Add(writeBomb(f, 50))
	for _, s := range []string{
		`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row><row r="3"><c r="C3" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row><c r="XFE1"><v>1</v></c><c t="b"><v>1</v></c><c t="str"><f>A1</f><v>_x000D_</v></c></row><row r="1048577"/></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>2</v></c></row><row r="1"/></sheetData></worksheet>`,
		`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="inlineStr"><is><r><t>a&amp;</t></r><r><t><![CDATA[b]]></t></r><rPh><t>c</t></rPh></is></c><!-- c --><c r="D1" t="e"><v>#N/A</v></c></row></sheetData></worksheet>`,
	} {
		f.Add([]byte(s))
	}
	addHostileSeeds(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		sheetOnly := !bytes.HasPrefix(data, []byte("PK"))
		if sheetOnly {
			parts := workbookParts([]string{"<t>a</t>", "<r><t>b</t></r>"}, "", testSheet{name: "S"})
			parts[len(parts)-1].body = string(data)
			data = zipParts(t, parts...)
		}
		opt := ingest.ReadOptions{MaxUnzippedBytes: 16 << 20, MaxSheetXMLBytes: 1 << 20, MaxRecordBytes: 4096, MaxFields: 64, MaxRows: 100_000}
		rr, err := ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), opt)
		if err != nil {
			return
		}
		defer rr.Close()
		var rows []ingest.Row
		clean := true
		sheet, last := "", 0
		for n := 0; ; n++ {
			if n > opt.MaxRows+1 {
				t.Fatal("runaway reader")
			}
			row, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				clean = false
				break
			}
			if row.Sheet != sheet {
				sheet, last = row.Sheet, 0
			}
			if row.Number <= last || row.Number > ingest.ExcelMaxRows {
				t.Fatalf("sheet %q: row number %d after %d", row.Sheet, row.Number, last)
			}
			last = row.Number
			if len(row.Fields) > opt.MaxFields {
				t.Fatalf("row of %d fields", len(row.Fields))
			}
			if row.Fault == "" && len(row.Fields) == 0 {
				t.Fatalf("row %d with neither fields nor fault", row.Number)
			}
			if row.Fault != "" {
				clean = false
			}
			rows = append(rows, row.Clone())
		}
		if sheetOnly && clean && !bytes.Contains(data, []byte("_x")) {
			compareWithExcelize(t, data, rows)
		}
	})
}

// compareWithExcelize checks rows, read cleanly from the one-sheet
// workbook data, against excelize's raw values. excelize writes booleans
// as 1 and 0, and gives formula cells without a cached value as "".
func compareWithExcelize(t *testing.T, data []byte, rows []ingest.Row) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize cannot open what the reader read: %v", err)
	}
	defer f.Close()
	grid, err := f.GetRows("S", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	var theirs []ingest.Row
	for i, fields := range grid {
		for len(fields) > 0 && fields[len(fields)-1] == "" {
			fields = fields[:len(fields)-1]
		}
		if len(fields) > 0 {
			theirs = append(theirs, ingest.Row{Sheet: "S", Number: i + 1, Fields: fields})
		}
	}
	var ours []ingest.Row
	for _, r := range rows {
		r = r.Clone()
		for j, v := range r.Fields {
			switch v {
			case "TRUE":
				r.Fields[j] = "1"
			case "FALSE":
				r.Fields[j] = "0"
			}
		}
		ours = append(ours, r)
	}
	if diff := cmp.Diff(theirs, ours); diff != "" {
		t.Fatalf("(-excelize +reader):\n%s", diff)
	}
}
