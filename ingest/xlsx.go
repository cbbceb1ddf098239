package ingest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cellsite/cellsite"
)

// How an XLSX workbook is read
//
// The workbook is read straight from its zip parts, and each worksheet is
// streamed: it is never held in memory whole, whatever its size. Only the
// workbook's list of sheets, its relationships and the shared-string table
// are held (each bounded by MaxSheetXMLBytes). The XML is read by a small
// strict reader (below) that refuses anything that is not well formed,
// rather than guessing.
//
//   - Values are the raw stored values, never formatted: numbers as their
//     stored text ("447700900123", "4.47700900123E+11"), dates as Excel
//     serial numbers (see Workbook.Date1904), shared and inline strings as
//     their text (with Excel's _xHHHH_ escapes decoded; phonetic runs are
//     not part of the text), booleans as "TRUE" or "FALSE", error values as
//     stored ("#N/A"), formulas as their cached value (never evaluated; a
//     formula without one is an empty cell).
//   - Number is the row number recorded in the sheet, so numbers jump where
//     Excel has empty rows. A row with no value is not returned; hidden rows
//     are returned like any other.
//   - Fields[i] is column i+1 (A is Fields[0]); columns without a value are
//     "", and Fields ends at the last column holding a value.
//   - Row faults, for cells that could otherwise be silently lost or
//     misplaced: a shared-string index outside the table (or no table), a
//     cell reference that is invalid, past column XFD, in another row, out
//     of order or repeating a column, a boolean other than 0 or 1, an
//     unknown cell type, an inline string in a cell of another type. The
//     value of a cell past XFD or repeating a column is quoted in the fault.
//   - Fatal errors: rows out of order or repeated, a row number past
//     1048576, a value in a column past MaxFields, an element where the
//     worksheet schema has none (inside sheetData, a row, a cell or a
//     value, or rows outside sheetData), XML that is not well formed, a
//     token longer than 2×MaxRecordBytes+64 KiB, corrupt compressed data or
//     a zip checksum mismatch (each sheet is read to its end, so its
//     checksum is always verified), parts larger than the limits.

const opXLSX = "read xlsx"

// SheetInfo describes one sheet of a workbook.
type SheetInfo struct {
	Name      string
	Hidden    bool // hidden or "very hidden" in Excel
	Worksheet bool // holds cells; false for chart and dialog sheets
	Read      bool // read by this reader
}

// Workbook is implemented by the RowReader that NewXLSXReader returns.
type Workbook interface {
	// Date1904 reports whether the workbook's serial dates count from
	// 1904-01-01 (the date system of early Excel for Mac) instead of
	// 1899-12-30: the same serial number is then 1,462 days later.
	Date1904() bool
	// SheetList returns every sheet of the workbook in workbook order, so
	// that callers can report the sheets they did not read.
	SheetList() []SheetInfo
}

// maxXMLDepth bounds element nesting: spreadsheet XML nests a few levels.
const maxXMLDepth = 64

// NewXLSXReader returns a reader of the rows of the workbook of the given
// size in r (see ReadOptions for the sheets read and the limits, and the
// rules above). The reader also implements Workbook. Errors for what is not
// a readable workbook (an OLE2 file, a corrupt or truncated zip, a missing
// workbook part, no sheets, a missing requested sheet) have kind Invalid.
func NewXLSXReader(r io.ReaderAt, size int64, opt ReadOptions) (RowReader, error) {
	opt, err := opt.withDefaults(opXLSX)
	if err != nil {
		return nil, err
	}
	if r == nil || size < 0 {
		return nil, cellsite.Errorf(cellsite.Invalid, opXLSX, "no input")
	}
	head := make([]byte, 8)
	n, _ := r.ReadAt(head, 0)
	if SniffFileType(head[:n]) == "xls" {
		return nil, cellsite.Errorf(cellsite.Invalid, opXLSX, "an OLE2 compound file (a legacy .xls workbook, or a password-protected workbook) cannot be read: save it as an unprotected .xlsx workbook")
	}
	in := &readerAt{r: r}
	zr, err := zip.NewReader(in, size)
	if err != nil {
		if in.err != nil {
			return nil, cellsite.Errorf(cellsite.Internal, opXLSX, "reading the input: %w", in.err)
		}
		return nil, cellsite.Errorf(cellsite.Invalid, opXLSX, "not a readable XLSX workbook: corrupt or truncated zip (%v)", err)
	}
	x := &xlsxReader{
		in:         in,
		opt:        opt,
		parts:      make(map[string]*zip.File, len(zr.File)),
		tokenLimit: 2*int64(opt.MaxRecordBytes) + 64<<10,
		sheet:      -1,
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(opt.MaxUnzippedBytes) || f.UncompressedSize64 > uint64(opt.MaxUnzippedBytes) {
			return nil, cellsite.Errorf(cellsite.Invalid, opXLSX, "the workbook inflates to more than the %d-byte limit (part %s alone is %d bytes): refusing a possible zip bomb", opt.MaxUnzippedBytes, f.Name, f.UncompressedSize64)
		}
		name := partName(f.Name)
		if _, dup := x.parts[name]; dup {
			return nil, cellsite.Errorf(cellsite.Invalid, opXLSX, "the zip holds part %s twice", f.Name)
		}
		x.parts[name] = f
	}
	if err := x.readStructure(); err != nil {
		return nil, err
	}
	return x, nil
}

// partName normalises a zip entry name: part names compare ignoring case.
func partName(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "/"))
}

type xlsxSheet struct {
	SheetInfo
	part *zip.File
}

type xlsxReader struct {
	in         *readerAt
	opt        ReadOptions
	parts      map[string]*zip.File
	tokenLimit int64
	sheets     []xlsxSheet // every sheet, workbook order
	order      []int       // indexes into sheets of those read, in reading order
	sst        []string
	hasSST     bool
	date1904   bool

	sheet   int        // index into order of the sheet being read; -1 before the first
	cur     *xmlStream // the open sheet; nil between sheets
	where   int        // beforeData, inData or afterData
	lastRow int        // number of the last row element of the sheet
	rows    int        // rows returned
	fields  []string
	filled  []bool         // columns of fields holding a value
	pending []pendingValue // values of the row that are in rowText
	rowText []byte
	inline  bool   // the value of the cell being read is an inline string (<is>)
	ref     []byte // the reference of the cell being read
	typ     []byte // its type when unknown
	buf     []byte // text of the element being read
	bufLen  int    // its full length, past what buf keeps
	err     error  // sticky: io.EOF or a fatal error
}

func (x *xlsxReader) Date1904() bool { return x.date1904 }

func (x *xlsxReader) SheetList() []SheetInfo {
	list := make([]SheetInfo, len(x.sheets))
	for i, s := range x.sheets {
		list[i] = s.SheetInfo
	}
	return list
}

func invalidf(format string, args ...any) error {
	return cellsite.Errorf(cellsite.Invalid, opXLSX, format, args...)
}

// readerAt keeps the first error, other than io.EOF, that r returns.
type readerAt struct {
	r   io.ReaderAt
	err error
}

func (r *readerAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// readStructure reads the package and workbook relationships, the list of
// sheets and the shared-string table, and chooses the sheets to read.
func (x *xlsxReader) readStructure() error {
	rootRels, err := x.readRels("")
	if err != nil {
		return err
	}
	wbPart := ""
	for _, rel := range rootRels {
		if strings.HasSuffix(rel.typ, "/officeDocument") {
			wbPart = rel.target
			break
		}
	}
	if wbPart == "" {
		wbPart = "xl/workbook.xml"
	}
	if x.parts[wbPart] == nil {
		return invalidf("not an XLSX workbook: no workbook part (%s) in the zip", wbPart)
	}
	type wbSheet struct{ name, state, rid string }
	var listed []wbSheet
	err = x.readXMLPart(wbPart, "workbook", func(s *xmlStream) error {
		switch string(s.local) {
		case "workbookPr":
			v, _ := s.attr("date1904", false)
			x.date1904 = string(v) == "1" || string(v) == "true"
		case "sheet":
			if s.depth() != 3 {
				return nil
			}
			name, _ := s.attr("name", false)
			state, _ := s.attr("state", false)
			rid, _ := s.attr("id", true)
			listed = append(listed, wbSheet{string(name), string(state), string(rid)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(listed) == 0 {
		return invalidf("the workbook has no sheets")
	}
	wbRels, err := x.readRels(wbPart)
	if err != nil {
		return err
	}
	byID := make(map[string]relationship, len(wbRels))
	sstPart := ""
	for _, rel := range wbRels {
		byID[rel.id] = rel
		if strings.HasSuffix(rel.typ, "/sharedStrings") {
			sstPart = rel.target
		}
	}
	seen := make(map[string]bool, len(listed))
	for _, l := range listed {
		if key := strings.ToLower(l.name); seen[key] {
			return invalidf("the workbook names two sheets %q", l.name)
		} else {
			seen[key] = true
		}
		s := xlsxSheet{SheetInfo: SheetInfo{Name: l.name, Hidden: l.state == "hidden" || l.state == "veryHidden"}}
		if rel, ok := byID[l.rid]; ok {
			s.part = x.parts[rel.target]
			// Worksheets and Excel 4 macro sheets hold cells; chart and
			// dialog sheets do not.
			typ := strings.ToLower(rel.typ[strings.LastIndexByte(rel.typ, '/')+1:])
			s.Worksheet = !strings.HasSuffix(typ, "chartsheet") && !strings.HasSuffix(typ, "dialogsheet")
		} else {
			s.Worksheet = true // an unresolvable sheet is an error if it is to be read
		}
		x.sheets = append(x.sheets, s)
	}
	if err := x.chooseSheets(); err != nil {
		return err
	}
	if sstPart == "" && x.parts["xl/sharedstrings.xml"] != nil {
		sstPart = "xl/sharedstrings.xml"
	}
	if sstPart != "" && x.parts[sstPart] != nil {
		if err := x.readSST(sstPart); err != nil {
			return err
		}
	}
	return nil
}

// chooseSheets fills x.order from opt.Sheets (or every visible worksheet).
func (x *xlsxReader) chooseSheets() error {
	names := func() string {
		var q []string
		for i, s := range x.sheets {
			if i == 20 {
				q = append(q, fmt.Sprintf("and %d more", len(x.sheets)-i))
				break
			}
			q = append(q, fmt.Sprintf("%q", s.Name))
		}
		return strings.Join(q, ", ")
	}
	if x.opt.Sheets == nil {
		var hidden []string
		for i, s := range x.sheets {
			switch {
			case !s.Worksheet:
			case s.Hidden:
				hidden = append(hidden, fmt.Sprintf("%q", s.Name))
			default:
				x.order = append(x.order, i)
			}
		}
		if len(x.order) == 0 {
			if len(hidden) > 0 {
				return invalidf("the workbook has no visible worksheet (hidden: %s): name the sheets to read", strings.Join(hidden, ", "))
			}
			return invalidf("the workbook has no worksheet (sheets: %s)", names())
		}
	} else {
		if len(x.opt.Sheets) == 0 {
			return invalidf("no sheets requested")
		}
		for _, want := range x.opt.Sheets {
			found := -1
			for i, s := range x.sheets {
				if strings.EqualFold(s.Name, want) {
					found = i
					break
				}
			}
			switch {
			case found < 0:
				return invalidf("the workbook has no sheet %q (sheets: %s)", want, names())
			case !x.sheets[found].Worksheet:
				return invalidf("sheet %q is a chart or dialog sheet: it holds no cells", x.sheets[found].Name)
			}
			for _, o := range x.order {
				if o == found {
					return invalidf("sheet %q is requested twice", x.sheets[found].Name)
				}
			}
			x.order = append(x.order, found)
		}
	}
	byPart := make(map[*zip.File]string, len(x.order))
	for _, i := range x.order {
		s := &x.sheets[i]
		if s.part == nil {
			return invalidf("sheet %q: its worksheet part is missing from the workbook", s.Name)
		}
		if other, dup := byPart[s.part]; dup {
			return invalidf("sheets %q and %q are the same worksheet part (%s)", other, s.Name, s.part.Name)
		}
		byPart[s.part] = s.Name
		s.Read = true
	}
	return nil
}

type relationship struct{ id, typ, target string }

// readRels reads the relationships of the part source ("" for the
// package), with targets resolved to part names. A missing part has none.
func (x *xlsxReader) readRels(source string) ([]relationship, error) {
	dir, base := path.Split(source)
	relsPart := partName(dir + "_rels/" + base + ".rels")
	if x.parts[relsPart] == nil {
		return nil, nil
	}
	var rels []relationship
	err := x.readXMLPart(relsPart, "relationships", func(s *xmlStream) error {
		if string(s.local) != "Relationship" || s.depth() != 2 {
			return nil
		}
		if mode, _ := s.attr("TargetMode", false); string(mode) == "External" {
			return nil
		}
		id, _ := s.attr("Id", false)
		typ, _ := s.attr("Type", false)
		t, _ := s.attr("Target", false)
		target := string(t)
		if strings.HasPrefix(target, "/") {
			target = target[1:]
		} else {
			target = path.Join(dir, target)
		}
		rels = append(rels, relationship{string(id), string(typ), partName(target)})
		return nil
	})
	return rels, err
}

// readXMLPart streams the whole of a part held in memory (bounded by
// MaxSheetXMLBytes), calling fn at each start tag, and checks the part's
// zip checksum at its end.
func (x *xlsxReader) readXMLPart(name, what string, fn func(*xmlStream) error) error {
	f := x.parts[name]
	if f.UncompressedSize64 > uint64(x.opt.MaxSheetXMLBytes) {
		return invalidf("the %s part (%s) inflates to %d bytes, more than the %d-byte limit", what, f.Name, f.UncompressedSize64, x.opt.MaxSheetXMLBytes)
	}
	s, err := openXML(f, x.tokenLimit)
	if err != nil {
		return x.dataErr(fmt.Errorf("the %s part (%s): %w", what, f.Name, err))
	}
	defer s.close()
	for {
		k, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return x.dataErr(fmt.Errorf("the %s part (%s): %w", what, f.Name, err))
		}
		if k == xmlStart {
			if err := fn(s); err != nil {
				return err
			}
		}
	}
}

// readSST reads the shared-string table.
func (x *xlsxReader) readSST(name string) error {
	x.hasSST = true
	return x.readXMLPart(name, "shared-string", func(s *xmlStream) error {
		if s.depth() != 2 {
			return nil
		}
		switch string(s.local) {
		case "si":
		case "extLst":
			return skip(s)
		default:
			return x.dataErr(fmt.Errorf("the shared-string table (%s): unexpected <%s>", x.parts[name].Name, s.local))
		}
		if err := x.elementText(s, true, x.opt.MaxSheetXMLBytes); err != nil {
			return x.dataErr(fmt.Errorf("the shared-string table (%s): %w", x.parts[name].Name, eofIsUnexpected(err)))
		}
		x.sst = append(x.sst, decodeXString(string(x.buf)))
		return nil
	})
}

// elementText reads the rest of the element just started, into x.buf: its
// direct text, or with inT the text of its <t> child and of the <t> of its
// <r> children (rich text runs), as in <is> and <si>; phonetic runs
// (<rPh>) are not part of the value. x.bufLen counts the full length; buf
// keeps at most limit bytes.
func (x *xlsxReader) elementText(s *xmlStream, inT bool, limit int64) error {
	x.buf, x.bufLen = x.buf[:0], 0
	depth, textDepth, inRun := 1, 1, false
	if inT {
		textDepth = 0
	}
	for depth > 0 {
		k, err := s.next()
		if err != nil {
			return eofIsUnexpected(err)
		}
		switch k {
		case xmlStart:
			depth++
			if !inT || textDepth != 0 {
				return fmt.Errorf("unexpected <%s> in a value", s.local)
			}
			switch {
			case depth == 2 && string(s.local) == "t":
				textDepth = 2
			case depth == 2 && string(s.local) == "r":
				inRun = true
			case depth == 3 && inRun && string(s.local) == "t":
				textDepth = 3
			}
		case xmlEnd:
			if inT {
				switch {
				case depth == textDepth:
					textDepth = 0
				case depth == 2:
					inRun = false
				}
			}
			depth--
		case xmlText:
			if depth == textDepth {
				x.bufLen += len(s.text)
				if int64(x.bufLen) <= limit {
					x.buf = append(x.buf, s.text...)
				}
			}
		}
	}
	return nil
}

// skip reads the rest of the element just started.
func skip(s *xmlStream) error {
	for depth := 1; depth > 0; {
		k, err := s.next()
		if err != nil {
			return eofIsUnexpected(err)
		}
		switch k {
		case xmlStart:
			depth++
		case xmlEnd:
			depth--
		}
	}
	return nil
}

func (x *xlsxReader) Next() (Row, error) {
	if x.err != nil {
		return Row{}, x.err
	}
	row, err := x.next()
	if err != nil {
		x.err = err
		x.closeSheet()
		return Row{}, err
	}
	return row, nil
}

// Close closes the sheet being read; later calls to Next return an error.
// It does not close the io.ReaderAt.
func (x *xlsxReader) Close() error {
	x.closeSheet()
	if x.err == nil || x.err == io.EOF {
		x.err = cellsite.Errorf(cellsite.Internal, opXLSX, "read after Close")
	}
	return nil
}

func (x *xlsxReader) closeSheet() {
	if x.cur != nil {
		x.cur.close()
		x.cur = nil
	}
}

func (x *xlsxReader) sheetName() string { return x.sheets[x.order[x.sheet]].Name }

// fatal is an error of the sheet being read, after its last row.
func (x *xlsxReader) fatal(err error) error {
	return x.dataErr(fmt.Errorf("sheet %q after row %d: %w", x.sheetName(), x.lastRow, eofIsUnexpected(err)))
}

// fatalAt is an error of the sheet being read, in row num.
func (x *xlsxReader) fatalAt(num int, err error) error {
	return x.dataErr(fmt.Errorf("sheet %q row %d: %w", x.sheetName(), num, eofIsUnexpected(err)))
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// dataErr gives err its kind: Internal when reading the input failed,
// Invalid when the input's content is at fault.
func (x *xlsxReader) dataErr(err error) error {
	if x.in.err != nil {
		return cellsite.Errorf(cellsite.Internal, opXLSX, "%v (reading the input: %w)", err, x.in.err)
	}
	return cellsite.Errorf(cellsite.Invalid, opXLSX, "%w", err)
}

// Where a sheet's reading is.
const (
	beforeData = iota // before <sheetData>
	inData
	afterData
)

func (x *xlsxReader) next() (Row, error) {
	for {
		if x.cur == nil {
			if x.sheet+1 >= len(x.order) {
				return Row{}, io.EOF
			}
			x.sheet++
			s, err := openXML(x.sheets[x.order[x.sheet]].part, x.tokenLimit)
			if err != nil {
				return Row{}, x.dataErr(fmt.Errorf("sheet %q: %w", x.sheetName(), err))
			}
			x.cur, x.where, x.lastRow = s, beforeData, 0
		}
		k, err := x.cur.next()
		if err == io.EOF {
			// The whole part has been read, so its zip checksum has been
			// verified. A worksheet without sheetData holds no rows.
			x.closeSheet()
			continue
		}
		if err != nil {
			return Row{}, x.fatal(err)
		}
		switch {
		case k == xmlEnd && x.where == inData: // </sheetData>
			x.where = afterData
		case k != xmlStart:
		case x.where == inData && string(x.cur.local) == "row":
			row, ok, err := x.readRow()
			if err != nil {
				return Row{}, err
			}
			if !ok {
				continue
			}
			if x.opt.MaxRows > 0 && x.rows >= x.opt.MaxRows {
				return Row{}, invalidf("sheet %q row %d: more than %d rows: the limit is %d", row.Sheet, row.Number, x.opt.MaxRows, x.opt.MaxRows)
			}
			x.rows++
			return row, nil
		case x.where == inData:
			return Row{}, x.fatal(fmt.Errorf("unexpected <%s> in sheetData", x.cur.local))
		case x.where == beforeData && string(x.cur.local) == "sheetData" && x.cur.depth() == 2:
			x.where = inData
		case string(x.cur.local) == "sheetData" || string(x.cur.local) == "row" || string(x.cur.local) == "c":
			return Row{}, x.fatal(fmt.Errorf("<%s> outside the worksheet's sheetData", x.cur.local))
		}
	}
}

// cell types
const (
	cellNumber = iota // n, or no t attribute
	cellShared        // s
	cellString        // str (a formula's string result)
	cellInline        // inlineStr
	cellBool          // b
	cellError         // e
	cellDate          // d (ISO 8601 text)
	cellUnknown
)

func cellType(t []byte) int {
	switch string(t) {
	case "", "n":
		return cellNumber
	case "s":
		return cellShared
	case "str":
		return cellString
	case "inlineStr":
		return cellInline
	case "b":
		return cellBool
	case "e":
		return cellError
	case "d":
		return cellDate
	}
	return cellUnknown
}

// pendingValue is a value held in x.rowText until the row ends.
type pendingValue struct{ col, from, to int }

// readRow reads the row element just started. ok is false for a row with
// no value and no fault.
func (x *xlsxReader) readRow() (row Row, ok bool, err error) {
	s := x.cur
	sheet := x.sheetName()
	num := x.lastRow + 1
	if v, has := s.attr("r", false); has {
		n, valid := parseDecimal(v)
		if !valid || n == 0 {
			return row, false, x.dataErr(fmt.Errorf("sheet %q: the row after row %d has an invalid number %s", sheet, x.lastRow, excerpt(string(v))))
		}
		num = n
	}
	switch {
	case num <= x.lastRow:
		return row, false, x.dataErr(fmt.Errorf("sheet %q: row %d comes after row %d (rows out of order or repeated)", sheet, num, x.lastRow))
	case num > ExcelMaxRows:
		return row, false, x.dataErr(fmt.Errorf("sheet %q: row %d is beyond Excel's last row (%d)", sheet, num, ExcelMaxRows))
	}
	x.lastRow = num
	var (
		flt      faults
		fields   = x.fields[:0]
		filled   = x.filled[:0]
		pending  = x.pending[:0]
		prevCol  int
		rowBytes int
	)
	x.rowText = x.rowText[:0]
	defer func() { x.fields, x.filled, x.pending = fields[:0], filled[:0], pending[:0] }()
	for {
		k, err := s.next()
		if err != nil {
			return row, false, x.fatalAt(num, err)
		}
		if k == xmlEnd { // </row>: children are read whole below
			break
		}
		if k != xmlStart {
			continue
		}
		switch string(s.local) {
		case "c":
		case "extLst":
			if err := skip(s); err != nil {
				return row, false, x.fatalAt(num, err)
			}
			continue
		default:
			return row, false, x.fatalAt(num, fmt.Errorf("unexpected <%s> in a row", s.local))
		}
		ref, hasRef := s.attr("r", false)
		x.ref = append(x.ref[:0], ref...)
		t, _ := s.attr("t", false)
		typ := cellType(t)
		if typ == cellUnknown {
			x.typ = append(x.typ[:0], t...)
		}
		col := prevCol + 1
		if hasRef {
			c, r, valid := parseCellRef(x.ref)
			switch {
			case !valid:
				flt.add("invalid cell reference %s (taken as %s)", excerpt(string(x.ref)), cellName(col, num))
				hasRef = false
			case r != num:
				col = c
				flt.add("cell %s is not in row %d", x.ref, num)
			default:
				col = c
			}
		}
		name := func() string {
			if hasRef {
				return string(x.ref)
			}
			return cellName(col, num)
		}
		prev := prevCol
		prevCol = col
		has, err := x.readCell()
		if err != nil {
			return row, false, x.fatalAt(num, err)
		}
		if !has {
			continue
		}
		if x.bufLen > len(x.buf) { // longer than any acceptable row
			rowBytes += x.bufLen
			continue
		}
		// The value: in x.buf (numbers and the like, kept in x.rowText
		// until the row ends) or in v.
		var v string
		inBuf := false
		if x.inline && typ != cellInline {
			flt.add("cell %s holds an inline string but is not of type inlineStr", name())
			typ = cellInline
		}
		switch typ {
		case cellNumber, cellError, cellDate:
			inBuf = true
		case cellShared:
			if len(x.buf) == 0 {
				break
			}
			i, ok := parseDecimal(bytes.TrimSpace(x.buf))
			if !ok || i >= len(x.sst) {
				if !x.hasSST {
					flt.add("cell %s refers to shared string %s but the workbook has no shared-string table", name(), excerpt(string(x.buf)))
				} else {
					flt.add("cell %s refers to shared string %s, outside the table of %d strings", name(), excerpt(string(x.buf)), len(x.sst))
				}
				break
			}
			v = x.sst[i]
		case cellString, cellInline:
			if bytes.Contains(x.buf, []byte("_x")) {
				v = decodeXString(string(x.buf))
			} else {
				inBuf = true
			}
		case cellBool:
			switch string(x.buf) {
			case "1":
				v = "TRUE"
			case "0":
				v = "FALSE"
			case "":
			default:
				flt.add("cell %s holds boolean %s, not 0 or 1", name(), excerpt(string(x.buf)))
				inBuf = true
			}
		default:
			flt.add("cell %s has unknown type %s", name(), excerpt(string(x.typ)))
			inBuf = true
		}
		n := len(v)
		if inBuf {
			n = len(x.buf)
		}
		if n == 0 {
			continue
		}
		rowBytes += n
		switch {
		case col > ExcelMaxColumns:
			if inBuf {
				v = string(x.buf)
			}
			flt.add("cell %s is beyond column XFD (value %s not in Fields)", name(), excerpt(v))
		case col > x.opt.MaxFields:
			return row, false, x.dataErr(fmt.Errorf("sheet %q row %d: cell %s is in column %d, beyond the %d-column limit", sheet, num, cellName(col, num), col, x.opt.MaxFields))
		case col <= len(filled) && filled[col-1]:
			if inBuf {
				v = string(x.buf)
			}
			flt.add("cell %s repeats column %s (value %s not in Fields)", cellName(col, num), columnName(col), excerpt(v))
		default:
			if col <= prev {
				flt.add("cell %s is out of order", cellName(col, num))
			}
			if rowBytes > x.opt.MaxRecordBytes {
				continue
			}
			for len(fields) < col {
				fields = append(fields, "")
				filled = append(filled, false)
			}
			filled[col-1] = true
			if inBuf {
				pending = append(pending, pendingValue{col, len(x.rowText), len(x.rowText) + len(x.buf)})
				x.rowText = append(x.rowText, x.buf...)
			} else {
				fields[col-1] = v
			}
		}
	}
	if rowBytes > x.opt.MaxRecordBytes {
		flt.add("record of %d bytes exceeds the %d-byte limit", rowBytes, x.opt.MaxRecordBytes)
		return Row{Sheet: sheet, Number: num, Fault: flt.String()}, true, nil
	}
	if len(pending) > 0 {
		text := string(x.rowText)
		for _, p := range pending {
			fields[p.col-1] = text[p.from:p.to]
		}
	}
	row = Row{Sheet: sheet, Number: num, Fault: flt.String()}
	if len(fields) > 0 {
		row.Fields = fields
	}
	return row, len(fields) > 0 || len(flt) > 0, nil
}

// readCell reads the cell element just started: the text of its <v>, or
// of its <is> (inline string), into x.buf; has is false for a cell with
// neither. Text longer than MaxRecordBytes is cut short in x.buf, and
// x.bufLen is its full length.
func (x *xlsxReader) readCell() (has bool, err error) {
	s := x.cur
	limit := int64(x.opt.MaxRecordBytes) + 1
	x.buf, x.bufLen = x.buf[:0], 0
	for {
		k, err := s.next()
		if err != nil {
			return false, eofIsUnexpected(err)
		}
		switch k {
		case xmlEnd:
			return has, nil
		case xmlStart:
			switch string(s.local) {
			case "v", "is":
				if has {
					return false, errors.New("a cell with more than one value")
				}
				x.inline = string(s.local) == "is"
				if err := x.elementText(s, x.inline, limit); err != nil {
					return false, err
				}
				has = true
			case "f", "extLst": // a formula's text (its cached value is <v>), extensions
				if err := skip(s); err != nil {
					return false, err
				}
			default:
				return false, fmt.Errorf("unexpected <%s> in a cell", s.local)
			}
		}
	}
}

// cellName names a cell: "B7".
func cellName(col, row int) string {
	if col > ExcelMaxColumns {
		return fmt.Sprintf("column %d row %d", col, row)
	}
	return fmt.Sprintf("%s%d", columnName(col), row)
}

// parseDecimal parses an unsigned decimal number of at most 9 digits.
func parseDecimal(s []byte) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseCellRef parses a cell reference such as "B7". A column past XFD is
// returned as ExcelMaxColumns+1; a row past 999999999 is invalid.
func parseCellRef(ref []byte) (col, row int, ok bool) {
	i := 0
	for i < len(ref) {
		c := ref[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		if col <= ExcelMaxColumns {
			col = col*26 + int(c-'A'+1)
		}
		i++
	}
	if i == 0 {
		return 0, 0, false
	}
	col = min(col, ExcelMaxColumns+1)
	row, ok = parseDecimal(ref[i:])
	return col, row, ok && row > 0
}

// columnName returns the letters of a 1-based column number.
func columnName(col int) string {
	var b []byte
	for ; col > 0; col = (col - 1) / 26 {
		b = append(b, byte('A'+(col-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// decodeXString decodes Excel's escapes of characters XML cannot hold:
// _xHHHH_ is the UTF-16 code unit HHHH (so _x005F_ is an underscore). A
// lone surrogate escape is kept as written.
func decodeXString(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if u, ok := xEscape(s, i); ok {
			switch {
			case u >= 0xD800 && u <= 0xDBFF:
				if v, ok := xEscape(s, i+7); ok && v >= 0xDC00 && v <= 0xDFFF {
					b.WriteRune(0x10000 + (rune(u)-0xD800)<<10 + (rune(v) - 0xDC00))
					i += 14
					continue
				}
			case u >= 0xDC00 && u <= 0xDFFF:
			default:
				b.WriteRune(rune(u))
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// xEscape reports the code unit of an _xHHHH_ escape at s[i:].
func xEscape(s string, i int) (uint16, bool) {
	if i+7 > len(s) || s[i] != '_' || s[i+1] != 'x' || s[i+6] != '_' {
		return 0, false
	}
	var u uint16
	for _, c := range []byte(s[i+2 : i+6]) {
		d, ok := hexDigit(c)
		if !ok {
			return 0, false
		}
		u = u<<4 | uint16(d)
	}
	return u, true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// A small streaming XML reader for the parts of a workbook. It reads
// well-formed XML 1.0 in UTF-8 and refuses the rest: tags must match,
// names and attributes must be well formed, entities must be the five
// predefined ones or character references, characters must be valid XML
// characters, and document type declarations (and so custom entities) are
// not accepted. Line breaks in text and attribute values are normalised as
// XML requires. Memory is bounded: no token (tag, text, comment) may be
// longer than the stream's limit, and elements nest at most maxXMLDepth
// deep.

type xmlKind uint8

const (
	xmlEOF xmlKind = iota
	xmlStart
	xmlEnd
	xmlText
)

type xmlAttr struct {
	name         []byte
	prefixed     bool // the name has a namespace prefix (r:id)
	local, value []byte
}

// xmlStream reads the XML of one zip part token by token. The token's
// local name, attributes and text are valid until the next call to next.
type xmlStream struct {
	rc       io.ReadCloser
	buf      []byte
	pos, end int
	rerr     error // from rc: io.EOF at the end of the part
	limit    int   // the longest token
	started  bool
	names    []byte // qualified names of the open elements, one after another
	nameEnds []int
	closing  bool // the start tag just returned was empty (<c/>): its end comes next
	err      error

	local []byte    // xmlStart, xmlEnd
	attrs []xmlAttr // xmlStart
	text  []byte    // xmlText
	tbuf  []byte
	vbuf  []byte
}

var errTokenTooLong = errors.New("XML token too long")

// maxXMLAttrs bounds the attributes of one element (a row has at most 15).
const maxXMLAttrs = 256

func openXML(f *zip.File, tokenLimit int64) (*xmlStream, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &xmlStream{rc: rc, buf: make([]byte, 32<<10), limit: int(tokenLimit)}, nil
}

func (s *xmlStream) close() { _ = s.rc.Close() }

// depth is the number of open elements (1 inside the root element).
func (s *xmlStream) depth() int { return len(s.nameEnds) }

// attr returns the value of the attribute of the current start tag with
// the given local name, with or without a namespace prefix.
func (s *xmlStream) attr(local string, prefixed bool) ([]byte, bool) {
	for _, a := range s.attrs {
		if a.prefixed == prefixed && string(a.local) == local {
			return a.value, true
		}
	}
	return nil, false
}

// top is the qualified name of the innermost open element.
func (s *xmlStream) top() []byte {
	from := 0
	if n := len(s.nameEnds); n > 1 {
		from = s.nameEnds[n-2]
	}
	return s.names[from:]
}

func (s *xmlStream) push(name []byte) {
	s.names = append(s.names, name...)
	s.nameEnds = append(s.nameEnds, len(s.names))
}

func (s *xmlStream) pop() {
	s.nameEnds = s.nameEnds[:len(s.nameEnds)-1]
	if n := len(s.nameEnds); n > 0 {
		s.names = s.names[:s.nameEnds[n-1]]
	} else {
		s.names = s.names[:0]
	}
}

func syntaxErr(format string, args ...any) error {
	return fmt.Errorf("XML syntax error: "+format, args...)
}

// next returns the next token; io.EOF only at the clean end of the part.
func (s *xmlStream) next() (xmlKind, error) {
	if s.err != nil {
		return xmlEOF, s.err
	}
	k, err := s.scan()
	if err != nil {
		if errors.Is(err, errTokenTooLong) {
			err = fmt.Errorf("an XML token longer than %d bytes", s.limit)
		}
		s.err = err
	}
	return k, err
}

func (s *xmlStream) scan() (xmlKind, error) {
	if s.closing {
		s.closing = false
		s.pop()
		return xmlEnd, nil
	}
	if !s.started {
		s.started = true
		if err := s.prologue(); err != nil {
			return xmlEOF, err
		}
	}
	for {
		if s.pos == s.end {
			if err := s.more(); err != nil {
				if err == io.EOF && s.depth() == 0 {
					return xmlEOF, io.EOF
				}
				return xmlEOF, s.eofIn(err)
			}
			continue
		}
		if s.buf[s.pos] != '<' {
			return s.scanText()
		}
		c, err := s.at(1)
		if err != nil {
			return xmlEOF, err
		}
		switch c {
		case '/':
			return s.scanEnd()
		case '?':
			if err := s.skipPI(); err != nil {
				return xmlEOF, err
			}
		case '!':
			text, err := s.scanBang()
			if err != nil || text {
				return xmlText, err
			}
		default:
			return s.scanStart()
		}
	}
}

// more reads more of the part into buf, keeping buf[pos:end] (moved to
// the start of buf). It returns io.EOF at the end of the part.
func (s *xmlStream) more() error {
	if s.rerr != nil {
		return s.rerr
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) > s.limit {
			return errTokenTooLong
		}
		grown := make([]byte, min(2*len(s.buf), s.limit+1))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	for tries := 0; ; tries++ {
		n, err := s.rc.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
		if tries == maxEmptyReads {
			s.rerr = io.ErrNoProgress
			return s.rerr
		}
	}
}

// eofIn turns the end of the part in the middle of the XML into an error.
func (s *xmlStream) eofIn(err error) error {
	if err != io.EOF {
		return err
	}
	if s.depth() > 0 {
		return syntaxErr("unexpected end of the XML inside <%s>", s.top())
	}
	return syntaxErr("unexpected end of the XML")
}

// at returns the byte i bytes into the token being read.
func (s *xmlStream) at(i int) (byte, error) {
	for s.pos+i >= s.end {
		if i >= s.limit {
			return 0, errTokenTooLong
		}
		if err := s.more(); err != nil {
			return 0, s.eofIn(err)
		}
	}
	return s.buf[s.pos+i], nil
}

// hasPrefix reports whether the input at pos starts with p.
func (s *xmlStream) hasPrefix(p string) (bool, error) {
	for s.end-s.pos < len(p) {
		if err := s.more(); err != nil {
			if err == io.EOF {
				return false, nil
			}
			return false, err
		}
	}
	return string(s.buf[s.pos:s.pos+len(p)]) == p, nil
}

// find returns the offset from pos of the first p at or after from.
func (s *xmlStream) find(from int, p string) (int, error) {
	for {
		if j := bytes.Index(s.buf[s.pos+from:s.end], []byte(p)); j >= 0 {
			return from + j, nil
		}
		from = max(from, s.end-s.pos-len(p)+1)
		if s.end-s.pos > s.limit {
			return 0, errTokenTooLong
		}
		if err := s.more(); err != nil {
			return 0, s.eofIn(err)
		}
	}
}

// prologue skips a UTF-8 byte-order mark and refuses UTF-16.
func (s *xmlStream) prologue() error {
	for s.end-s.pos < 3 {
		if err := s.more(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
	}
	b := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		s.pos += 3
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return errors.New("XML in UTF-16 is not supported")
	}
	return nil
}

// skipPI skips a processing instruction, checking that an XML declaration
// declares UTF-8 (or no encoding).
func (s *xmlStream) skipPI() error {
	j, err := s.find(2, "?>")
	if err != nil {
		return err
	}
	pi := s.buf[s.pos+2 : s.pos+j]
	s.pos += j + 2
	if !bytes.HasPrefix(pi, []byte("xml")) || len(pi) > 3 && !isSpace(pi[3]) {
		return nil
	}
	if i := bytes.Index(pi, []byte("encoding")); i >= 0 {
		rest := bytes.TrimLeft(pi[i+len("encoding"):], " \t\r\n")
		if len(rest) > 0 && rest[0] == '=' {
			rest = bytes.TrimLeft(rest[1:], " \t\r\n")
			if len(rest) > 0 && (rest[0] == '"' || rest[0] == '\'') {
				if k := bytes.IndexByte(rest[1:], rest[0]); k >= 0 {
					enc := string(rest[1 : 1+k])
					if !strings.EqualFold(enc, "utf-8") && !strings.EqualFold(enc, "utf8") {
						return fmt.Errorf("XML encoding %s is not supported", excerpt(enc))
					}
				}
			}
		}
	}
	return nil
}

// scanBang reads <!-- comments --> (skipped) and <![CDATA[sections]]>
// (text). Document type declarations are refused.
func (s *xmlStream) scanBang() (text bool, err error) {
	if ok, err := s.hasPrefix("<!--"); err != nil || ok {
		if err != nil {
			return false, err
		}
		j, err := s.find(4, "-->")
		if err != nil {
			return false, err
		}
		s.pos += j + 3
		return false, nil
	}
	if ok, err := s.hasPrefix("<![CDATA["); err != nil || !ok {
		if err != nil {
			return false, err
		}
		return false, syntaxErr("document type declarations are not accepted")
	}
	j, err := s.find(9, "]]>")
	if err != nil {
		return false, err
	}
	raw := s.buf[s.pos+9 : s.pos+j]
	s.pos += j + 3
	if err := checkChars(raw); err != nil {
		return false, err
	}
	s.text = raw
	if bytes.IndexByte(raw, '\r') >= 0 {
		s.tbuf = normaliseLineBreaks(s.tbuf[:0], raw)
		s.text = s.tbuf
	}
	return true, nil
}

func (s *xmlStream) scanText() (xmlKind, error) {
	searched := 0
	for {
		if j := bytes.IndexByte(s.buf[s.pos+searched:s.end], '<'); j >= 0 {
			raw := s.buf[s.pos : s.pos+searched+j]
			s.pos += searched + j
			return xmlText, s.setText(raw)
		}
		searched = s.end - s.pos
		if searched > s.limit {
			return xmlText, errTokenTooLong
		}
		if err := s.more(); err != nil {
			if err == io.EOF && s.depth() == 0 { // after the root element
				raw := s.buf[s.pos:s.end]
				s.pos = s.end
				return xmlText, s.setText(raw)
			}
			return xmlText, s.eofIn(err)
		}
	}
}

func (s *xmlStream) setText(raw []byte) error {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		s.text = raw
		return checkChars(raw)
	}
	var err error
	s.tbuf, err = decodeXML(s.tbuf[:0], raw, false)
	s.text = s.tbuf
	return err
}

func (s *xmlStream) scanStart() (xmlKind, error) {
	// Find the tag's end: the first '>' outside a quoted value.
	i, q := 1, byte(0)
	for {
		if s.pos+i >= s.end {
			if i >= s.limit {
				return xmlStart, errTokenTooLong
			}
			if err := s.more(); err != nil {
				return xmlStart, s.eofIn(err)
			}
			continue
		}
		c := s.buf[s.pos+i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			goto found
		case c == '<':
			return xmlStart, syntaxErr("'<' inside a tag")
		}
		i++
	}
found:
	tag := s.buf[s.pos+1 : s.pos+i]
	s.pos += i + 1
	empty := len(tag) > 0 && tag[len(tag)-1] == '/'
	if empty {
		tag = tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) {
		n++
	}
	name := tag[:n]
	if err := checkName(name); err != nil {
		return xmlStart, err
	}
	s.local = localName(name)
	s.attrs = s.attrs[:0]
	rest := tag[n:]
	s.vbuf = slices.Grow(s.vbuf[:0], len(rest))
	for {
		trimmed := trimSpace(rest)
		if len(trimmed) == 0 {
			break
		}
		if len(trimmed) == len(rest) {
			return xmlStart, syntaxErr("attributes of <%s> not separated by spaces", name)
		}
		rest = trimmed
		k := 0
		for k < len(rest) && rest[k] != '=' && !isSpace(rest[k]) {
			k++
		}
		aname := rest[:k]
		if err := checkName(aname); err != nil {
			return xmlStart, err
		}
		rest = trimSpace(rest[k:])
		if len(rest) == 0 || rest[0] != '=' {
			return xmlStart, syntaxErr("attribute %s of <%s> has no value", aname, name)
		}
		rest = trimSpace(rest[1:])
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return xmlStart, syntaxErr("attribute %s of <%s> is not quoted", aname, name)
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return xmlStart, syntaxErr("attribute %s of <%s> is not closed", aname, name)
		}
		raw := rest[1 : 1+end]
		rest = rest[2+end:]
		value := raw
		if needsDecoding(raw) {
			from := len(s.vbuf)
			var err error
			if s.vbuf, err = decodeXML(s.vbuf, raw, true); err != nil {
				return xmlStart, err
			}
			value = s.vbuf[from:]
		} else if err := checkChars(raw); err != nil {
			return xmlStart, err
		}
		if len(s.attrs) == maxXMLAttrs {
			return xmlStart, syntaxErr("<%s> has more than %d attributes", name, maxXMLAttrs)
		}
		for _, a := range s.attrs {
			if bytes.Equal(a.name, aname) {
				return xmlStart, syntaxErr("attribute %s of <%s> repeated", aname, name)
			}
		}
		s.attrs = append(s.attrs, xmlAttr{name: aname, prefixed: bytes.IndexByte(aname, ':') >= 0, local: localName(aname), value: value})
	}
	if s.depth() >= maxXMLDepth {
		return xmlStart, fmt.Errorf("XML nested more than %d elements deep", maxXMLDepth)
	}
	s.push(name)
	s.closing = empty
	return xmlStart, nil
}

func (s *xmlStream) scanEnd() (xmlKind, error) {
	j, err := s.find(2, ">")
	if err != nil {
		return xmlEnd, err
	}
	name := trimSpace(s.buf[s.pos+2 : s.pos+j])
	s.pos += j + 1
	if s.depth() == 0 {
		return xmlEnd, syntaxErr("unexpected </%s>", printable(name))
	}
	if top := s.top(); !bytes.Equal(name, top) {
		return xmlEnd, syntaxErr("element <%s> closed by </%s>", top, printable(name))
	}
	s.local = localName(name)
	s.pop()
	return xmlEnd, nil
}

// printable shortens a name for a message.
func printable(name []byte) string {
	if len(name) > 40 {
		name = name[:40]
	}
	return strings.ToValidUTF8(string(name), "\uFFFD")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// trimSpace removes XML white space from both ends of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// needsDecoding reports whether an attribute value holds a reference,
// white space other than spaces, or '<'.
func needsDecoding(b []byte) bool {
	for _, c := range b {
		switch c {
		case '&', '<', '\r', '\n', '\t':
			return true
		}
	}
	return false
}

// localName strips a namespace prefix.
func localName(name []byte) []byte { return name[bytes.LastIndexByte(name, ':')+1:] }

// checkName checks an element or attribute name.
func checkName(name []byte) error {
	ok := len(name) > 0
	for i, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':', c >= 0x80:
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			ok = false
		}
	}
	if !ok || !utf8.Valid(name) {
		return syntaxErr("invalid name %s", excerpt(string(name)))
	}
	return nil
}

// checkChars checks that b holds only characters XML allows.
func checkChars(b []byte) error {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return syntaxErr("character U+%04X is not allowed", c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return syntaxErr("invalid UTF-8")
		}
		if r == 0xFFFE || r == 0xFFFF {
			return syntaxErr("character U+%04X is not allowed", r)
		}
		i += size
	}
	return nil
}

// normaliseLineBreaks appends src to dst with CRLF and CR turned into LF.
func normaliseLineBreaks(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\r' {
			c = '\n'
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// decodeXML appends raw text or, with attr, an attribute value to dst,
// replacing references and normalising line breaks (and, in attribute
// values, white space) as XML requires.
func decodeXML(dst, raw []byte, attr bool) ([]byte, error) {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&':
			j := bytes.IndexByte(raw[i:], ';')
			if j < 0 || j > 12 {
				return dst, syntaxErr("invalid character entity %s", excerpt(string(raw[i:min(len(raw), i+12)])))
			}
			r, ok := entity(raw[i+1 : i+j])
			if !ok {
				return dst, syntaxErr("invalid character entity %s", raw[i:i+j+1])
			}
			dst = utf8.AppendRune(dst, r)
			i += j + 1
		case c == '<':
			return dst, syntaxErr("'<' in an attribute value")
		case c == '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			fallthrough
		case c == '\n' || c == '\t':
			if attr {
				c = ' '
			} else if c == '\r' {
				c = '\n'
			}
			dst = append(dst, c)
			i++
		default:
			j := i + 1
			for j < len(raw) && raw[j] != '&' && raw[j] != '<' && raw[j] != '\r' && raw[j] != '\n' && raw[j] != '\t' {
				j++
			}
			if err := checkChars(raw[i:j]); err != nil {
				return dst, err
			}
			dst = append(dst, raw[i:j]...)
			i = j
		}
	}
	return dst, nil
}

// entity returns the character an entity or character reference (without
// & and ;) stands for.
func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var r rune
	digits := name[1:]
	base := rune(10)
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	for _, c := range digits {
		d, ok := hexDigit(c)
		if !ok || rune(d) >= base {
			return 0, false
		}
		r = r*base + rune(d)
		if r > unicode.MaxRune {
			return 0, false
		}
	}
	ok := r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= unicode.MaxRune
	return r, ok
}
