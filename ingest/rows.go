package ingest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/cellsite/cellsite"
)

// Row is one physical record of a source file.
//
// The Fields slice handed out by a RowReader is reused by its next call to
// Next (the strings themselves stay valid): use Clone to keep a row.
type Row struct {
	Sheet  string   // sheet name for XLSX; "" for CSV
	Number int      // 1-based: CSV line number where the record starts; XLSX sheet row number
	Fields []string // cell texts; for XLSX the raw stored value (numbers as stored digits, e.g. "447700900123" or "4.47700900123E+11", dates as Excel serial numbers), never a formatted display value
	Fault  string   // non-empty when the row could not be read cleanly (e.g. "invalid UTF-8 in column 3", "NUL byte in column 2", "unterminated quoted field", "record of 1048577 bytes exceeds the 1048576-byte limit"); Fields may then be partial or nil
}

// Clone returns a copy of r whose Fields does not share memory with r's.
func (r Row) Clone() Row {
	r.Fields = slices.Clone(r.Fields)
	return r
}

// The defaults of ReadOptions.
const (
	DefaultMaxRecordBytes   = 1 << 20   // 1 MiB
	DefaultMaxFields        = 1024      // columns per record
	DefaultMaxUnzippedBytes = 1 << 30   // 1 GiB
	DefaultMaxSheetXMLBytes = 256 << 20 // 256 MiB
)

// ExcelMaxRows and ExcelMaxColumns are the size of an Excel worksheet:
// row 1048576 and column XFD are the last ones.
const (
	ExcelMaxRows    = 1048576
	ExcelMaxColumns = 16384
)

// ReadOptions control a reader. Zero values get the defaults in brackets.
type ReadOptions struct {
	// Delimiter separates CSV fields: ',' ';' '\t' or '|'. 0 detects it
	// from the start of the file: of the four, the one that splits the most
	// records into the same number (more than one) of fields; ',' when none
	// does (a one-column file).
	Delimiter rune
	// Encoding of a CSV file: "utf-8" [default], "windows-1252" (also
	// "cp1252") or "latin-1" (also "iso-8859-1": bytes 0x80-0x9F are the C1
	// control characters, where windows-1252 has € ‘ ’ “ ” and others; the
	// five bytes windows-1252 leaves undefined decode to the C1 control of
	// the same value, so no byte is lost). A UTF-8 byte-order mark at the
	// start of the file is removed; a UTF-16 byte-order mark (little or big
	// endian) switches to UTF-16. A byte-order mark in a file declared as
	// windows-1252 or latin-1 is an error: the declaration is wrong.
	Encoding string
	// MaxRecordBytes [1 MiB] is the longest record accepted (CSV: the
	// record's bytes, line breaks inside quoted fields included, its final
	// line break excluded; XLSX: the total length of a row's values). A
	// longer record is returned as a row fault with nil Fields, and reading
	// continues after it.
	MaxRecordBytes int
	// MaxFields [1024]: a record with more fields (CSV) or a value in a
	// later column (XLSX) is a fatal error naming the line or row.
	MaxFields int
	// MaxRows [0 = unlimited]: a file holding more rows than this ends with
	// a fatal error instead of its next row. Blank CSV lines count.
	MaxRows int

	// XLSX only.

	// MaxUnzippedBytes [1 GiB] bounds the total uncompressed size of the
	// workbook's zip parts, as recorded in the zip directory (and enforced
	// while inflating, so a directory that understates a size is caught
	// too). It is the same check as excelize's Options.UnzipSizeLimit.
	MaxUnzippedBytes int64
	// MaxSheetXMLBytes [256 MiB] bounds each XML part that is held in
	// memory: the workbook, its relationships and the shared-string table
	// (excelize's Options.UnzipXMLSizeLimit plays this role). Worksheets are
	// streamed, never held, so only MaxUnzippedBytes bounds them.
	MaxSheetXMLBytes int64
	// Sheets names the sheets to read, in this order (names compare as
	// Excel compares them, ignoring case). nil reads every visible
	// worksheet in workbook order; a hidden sheet is read only when named.
	Sheets []string
}

// withDefaults validates opt and fills in the defaults.
func (opt ReadOptions) withDefaults(op string) (ReadOptions, error) {
	switch opt.Delimiter {
	case 0, ',', ';', '\t', '|':
	default:
		return opt, cellsite.Errorf(cellsite.Invalid, op, "delimiter %q is not one of , ; tab |", opt.Delimiter)
	}
	if _, err := encodingOf(opt.Encoding); err != nil {
		return opt, cellsite.Errorf(cellsite.Invalid, op, "%v", err)
	}
	if opt.MaxRecordBytes < 0 || opt.MaxFields < 0 || opt.MaxRows < 0 || opt.MaxUnzippedBytes < 0 || opt.MaxSheetXMLBytes < 0 {
		return opt, cellsite.Errorf(cellsite.Invalid, op, "negative limit in read options")
	}
	if opt.MaxRecordBytes == 0 {
		opt.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if opt.MaxFields == 0 {
		opt.MaxFields = DefaultMaxFields
	}
	if opt.MaxUnzippedBytes == 0 {
		opt.MaxUnzippedBytes = DefaultMaxUnzippedBytes
	}
	if opt.MaxSheetXMLBytes == 0 {
		opt.MaxSheetXMLBytes = DefaultMaxSheetXMLBytes
	}
	return opt, nil
}

// RowReader yields rows in file order.
type RowReader interface {
	// Next returns the next row, or io.EOF at the end. A non-nil error other than io.EOF is fatal for the file (it names the line or sheet and row).
	Next() (Row, error)
	Close() error
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0}
)

// SniffFileType names the type of a file from its first bytes: "xlsx" for a
// zip archive (local file header PK\x03\x04), "xls" for an OLE2 compound
// file (legacy Excel 97-2003 workbooks, and also password-protected XLSX
// workbooks, which Excel wraps in OLE2; neither can be read: callers give a
// clear error), and "csv" for anything else.
func SniffFileType(head []byte) string {
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return "xlsx"
	case bytes.HasPrefix(head, oleMagic):
		return "xls"
	default:
		return "csv"
	}
}

// faults collects the reasons a row could not be read cleanly.
type faults []string

func (f *faults) add(format string, args ...any) {
	if len(*f) < maxFaultsPerRow {
		*f = append(*f, fmt.Sprintf(format, args...))
	} else if len(*f) == maxFaultsPerRow {
		*f = append(*f, "more faults")
	}
}

func (f faults) String() string { return strings.Join(f, "; ") }

const maxFaultsPerRow = 8

// columnList writes "column 3" or "columns 2, 5" for the 1-based columns.
func columnList(cols []int) string {
	if len(cols) == 1 {
		return fmt.Sprintf("column %d", cols[0])
	}
	var b strings.Builder
	b.WriteString("columns ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == maxFaultsPerRow {
			fmt.Fprintf(&b, "and %d more", len(cols)-i)
			break
		}
		fmt.Fprintf(&b, "%d", c)
	}
	return b.String()
}

// excerpt quotes the start of a value for a fault message.
func excerpt(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}
