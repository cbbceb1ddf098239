package reports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cellsite/cellsite"
	"github.com/xuri/excelize/v2"
)

// Workbook is an Excel workbook of schedules: one sheet per schedule, each
// under the same header block, for serving on the prosecution.
type Workbook struct {
	Header    Header
	Schedules []Schedule

	// Document properties. Title "" gives "Schedules, case <Case>";
	// Subject "" gives "Cell site analysis".
	Title    string
	Subject  string
	Keywords string
}

// xlsxMaxRows is the most rows a sheet holds.
const xlsxMaxRows = 1_048_576

// WriteWorkbook writes wb as an .xlsx workbook to w, one sheet per schedule,
// streaming the rows so that memory stays bounded whatever their number.
// The same Workbook gives the same bytes from the same build (another Go or
// excelize version may compress or lay out differently): parts in name
// order, every zip entry and the document's created and modified dates
// stamped with Header.ProducedAt (which is required). Nothing is written to w unless the
// whole workbook is made. Errors are *cellsite.Error: Invalid for a
// schedule or value the workbook cannot show faithfully (named by sheet,
// row and column: text that XML cannot carry or longer than a cell holds,
// whole numbers over 15 digits, times outside 1900-03-01 to 9999-12-31,
// fewer or more rows than RowCount); a schedule's own Rows error keeps its
// kind.
//
// Each sheet, top to bottom:
//
//   - the header block: the schedule's title, then one line each for the
//     case, exhibit, producer, production time, time basis, every cell list
//     (name, date and SHA-256), software, provenance checkpoint (size and
//     root), key fingerprint, row count and where the caveats are. Each line
//     is merged across the table's width and wraps, so it prints whole;
//   - a blank row, then the column header row, then the rows;
//   - a blank row, then the caveats, numbered, each merged across the
//     table's width. They sit below the table so that the frozen region at
//     the top stays small on screen; the header block says which row they
//     start on, and they print on the schedule's last page.
//
// Panes are frozen below the column header row; the auto-filter spans the
// column header row and the rows. Printing is A4 landscape, fitted to the
// page width (as many pages down as needed), with the column header row
// repeated on every page, the schedule's title at the top left of every
// page and "Exhibit <ref>", "Page x of y" and "Case <ref>" at the foot.
//
// Cells: text is always written as a string (an identifier, or text that
// looks like a formula, is never a number or a formula); times are real
// Excel date-times, the instant's wall clock in the column's zone, shown as
// dd/mm/yyyy hh:mm:ss; durations are real Excel durations (seconds/86,400)
// shown as [h]:mm:ss, so they sort, filter and add up, and calls longer than
// a day read 25:00:00 rather than wrapping; whole numbers show no
// separators; decimals keep the 15 significant digits Excel keeps, rounded.
//
// Protection: every sheet is protected without a password, against
// accidental edits only (the evidential pack's hashes, not a password,
// guard the content). Selecting cells, filtering and formatting columns
// (widths) stay allowed, and sorting is allowed in the protection settings;
// Excel itself sorts locked cells only once the sheet is unprotected
// (Review, Unprotect Sheet: one click, no password), a deliberate step. The
// workbook's structure is locked the same way so that sheets are not
// deleted or renamed by accident.
func WriteWorkbook(ctx context.Context, w io.Writer, wb Workbook) error {
	const op = "write workbook"
	zones, err := xlsxCheckWorkbook(wb)
	if err != nil {
		return &cellsite.Error{Op: op, Kind: cellsite.Invalid, Err: err}
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f)
	if err != nil {
		return &cellsite.Error{Op: op, Kind: cellsite.Internal, Err: err}
	}
	for i, s := range wb.Schedules {
		if err := ctx.Err(); err != nil {
			return &cellsite.Error{Op: op, Err: err}
		}
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.Name)
		} else {
			_, err = f.NewSheet(s.Name)
		}
		if err != nil {
			return &cellsite.Error{Op: op, Kind: cellsite.Internal, Err: fmt.Errorf("sheet %q: %w", s.Name, err)}
		}
		if err := xlsxWriteSheet(ctx, f, st, wb.Header, s, zones[i]); err != nil {
			return &cellsite.Error{Op: op, Err: fmt.Errorf("sheet %q: %w", s.Name, err)}
		}
	}
	if err := xlsxSetProperties(f, wb); err != nil {
		return &cellsite.Error{Op: op, Kind: cellsite.Internal, Err: err}
	}
	z := newXLSXZip(w, wb.Header.ProducedAt.UTC(), "")
	defer z.cleanup()
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	buf, err := f.WriteToBuffer()
	if err == nil && buf.Len() != 0 {
		err = errors.New("workbook bytes bypassed the zip writer")
	}
	if err == nil {
		err = z.emit()
	}
	if err != nil {
		return &cellsite.Error{Op: op, Kind: cellsite.Internal, Err: err}
	}
	return nil
}

// xlsxCheckWorkbook checks what the workbook needs before anything is
// written, and returns each schedule's column zones.
func xlsxCheckWorkbook(wb Workbook) ([][]*time.Location, error) {
	if wb.Header.ProducedAt.IsZero() {
		return nil, errors.New("header: no production time (the workbook states it and is stamped with it)")
	}
	if len(wb.Schedules) == 0 {
		return nil, errors.New("no schedules")
	}
	zones := make([][]*time.Location, len(wb.Schedules))
	for i, s := range wb.Schedules {
		if err := xlsxCheckSheetName(s.Name); err != nil {
			return nil, fmt.Errorf("schedule %d: %w", i+1, err)
		}
		for _, prev := range wb.Schedules[:i] {
			if strings.EqualFold(prev.Name, s.Name) {
				return nil, fmt.Errorf("schedule %d: sheet name %q is used twice (Excel ignores case)", i+1, s.Name)
			}
		}
		z, err := xlsxCheckColumns(s.Columns)
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", s.Name, err)
		}
		zones[i] = z
		if s.Rows == nil && s.RowCount != 0 {
			return nil, fmt.Errorf("sheet %q: %d rows declared but no rows function", s.Name, s.RowCount)
		}
		if s.RowCount < 0 {
			return nil, fmt.Errorf("sheet %q: negative row count", s.Name)
		}
		if last := xlsxLayoutOf(wb.Header, s).last; last > xlsxMaxRows {
			return nil, fmt.Errorf("sheet %q: %d rows with header block and caveats: a sheet holds at most %d", s.Name, last, xlsxMaxRows)
		}
		for _, t := range append([]string{s.Title}, s.Caveats...) {
			if err := xlsxCheckText(t); err != nil {
				return nil, fmt.Errorf("sheet %q: title or caveat: %w", s.Name, err)
			}
		}
	}
	for _, t := range xlsxHeaderTexts(wb.Header) {
		if err := xlsxCheckText(t); err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
	}
	return zones, nil
}

// xlsxCheckSheetName applies Excel's rules for sheet names.
func xlsxCheckSheetName(name string) error {
	n := 0
	for _, r := range name {
		if r < 0x20 {
			return fmt.Errorf("sheet name %q holds a control character", name)
		}
		n++
		if r >= 0x10000 {
			n++
		}
	}
	switch {
	case name == "":
		return errors.New("no sheet name")
	case !utf8.ValidString(name):
		return fmt.Errorf("sheet name %q is not valid UTF-8", name)
	case n > 31:
		return fmt.Errorf("sheet name %q is longer than 31 characters", name)
	case strings.ContainsAny(name, `[]:*?/\`):
		return fmt.Errorf(`sheet name %q holds one of [ ] : * ? / \`, name)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return fmt.Errorf("sheet name %q begins or ends with an apostrophe", name)
	case strings.EqualFold(name, "History"):
		return errors.New(`sheet name "History" is reserved by Excel`)
	}
	return nil
}

// xlsxLayout is where things sit on a sheet (1-based row numbers).
type xlsxLayout struct {
	lines   []xlsxLine
	header  int // the column header row
	caveats int // the "Caveats" heading, 0 when there are none
	last    int // the last row used
}

// xlsxLine is one line of the header block: a bold label and its value.
type xlsxLine struct{ label, value string }

func xlsxLayoutOf(h Header, s Schedule) xlsxLayout {
	l := xlsxLayout{lines: xlsxHeaderLines(h, s)}
	if len(s.Caveats) > 0 {
		l.lines = append(l.lines, xlsxLine{label: "Caveats: "})
	}
	l.header = 1 + len(l.lines) + 2 // title, lines, blank row
	l.last = l.header + s.RowCount
	if len(s.Caveats) > 0 {
		l.caveats = l.last + 2
		l.last = l.caveats + len(s.Caveats)
		l.lines[len(l.lines)-1].value = fmt.Sprintf("%d, below the table from row %d; they print on the last page of this schedule.", len(s.Caveats), l.caveats)
	}
	return l
}

// xlsxHeaderLines returns the header block below the title.
func xlsxHeaderLines(h Header, s Schedule) []xlsxLine {
	or := xlsxStated
	caseLine := or(h.Case)
	if h.CaseTitle != "" {
		caseLine += " — " + h.CaseTitle
	}
	lines := []xlsxLine{
		{"Case: ", caseLine},
		{"Exhibit: ", or(h.Exhibit)},
		{"Produced by: ", or(h.ProducedBy)},
		{"Produced at: ", h.ProducedAt.UTC().Format(xlsxTimeLayout) + " UTC"},
		{"Time basis: ", or(h.TimeBasis) + ". Each time column names the zone it is shown in (UK local: Europe/London, GMT or BST)."},
	}
	if len(h.CellLists) == 0 {
		lines = append(lines, xlsxLine{"Cell lists: ", "none"})
	}
	for _, c := range h.CellLists {
		date := c.Date
		if date == "" {
			date = "date not stated"
		} else {
			date = "dated " + date
		}
		hash := "SHA-256 not recorded"
		if !c.SHA256.IsZero() {
			hash = "SHA-256 " + c.SHA256.String()
		}
		lines = append(lines, xlsxLine{"Cell list: ", or(c.Name) + ", " + date + ", " + hash})
	}
	cp := "none"
	if h.Checkpoint.Size > 0 || !h.Checkpoint.Root.IsZero() {
		cp = "size " + strconv.FormatInt(h.Checkpoint.Size, 10) + ", root " + h.Checkpoint.Root.String()
	}
	lines = append(lines,
		xlsxLine{"Software: ", or(h.Software)},
		xlsxLine{"Provenance checkpoint: ", cp},
		xlsxLine{"Key fingerprint: ", or(h.Fingerprint)},
		xlsxLine{"Rows: ", strconv.Itoa(s.RowCount)},
	)
	return lines
}

// xlsxStated returns s, or "not stated" when it is blank.
func xlsxStated(s string) string {
	if strings.TrimSpace(s) == "" {
		return "not stated"
	}
	return s
}

// xlsxHeaderTexts returns the header's free text, for checking.
func xlsxHeaderTexts(h Header) []string {
	t := []string{h.Case, h.CaseTitle, h.Exhibit, h.ProducedBy, h.TimeBasis, h.Software, h.Fingerprint}
	for _, c := range h.CellLists {
		t = append(t, c.Name, c.Date)
	}
	return t
}

// xlsxStyles are the cell styles of a workbook.
type xlsxStyles struct {
	f       *excelize.File
	title   int
	block   int
	heading int // column header row
	bold    *excelize.Font
	columns map[string]int // by format code
}

func newXLSXStyles(f *excelize.File) (*xlsxStyles, error) {
	st := &xlsxStyles{f: f, columns: map[string]int{}, bold: &excelize.Font{Bold: true, Family: "Calibri", Size: 11}}
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	var err error
	add := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	st.title = add(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "Calibri", Size: 14}, Alignment: top})
	st.block = add(&excelize.Style{Alignment: top, NumFmt: 49})
	st.heading = add(&excelize.Style{
		Font:      st.bold,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
		Border:    xlsxBorders,
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		NumFmt:    49,
	})
	return st, err
}

// xlsxBorders draw the table's grid, on screen and on paper.
var xlsxBorders = []excelize.Border{
	{Type: "left", Color: "A6A6A6", Style: 1},
	{Type: "top", Color: "A6A6A6", Style: 1},
	{Type: "right", Color: "A6A6A6", Style: 1},
	{Type: "bottom", Color: "A6A6A6", Style: 1},
}

// Number formats. Slashes are escaped so that they show as slashes
// whatever the reader's locale date separator.
const (
	xlsxFmtDateTime = `dd\/mm\/yyyy hh:mm:ss`
	xlsxFmtDuration = `[h]:mm:ss`
)

// column returns the style of a column's cells.
func (st *xlsxStyles) column(c Column) (int, error) {
	s := &excelize.Style{Border: xlsxBorders, Alignment: &excelize.Alignment{Vertical: "top"}}
	code := ""
	switch c.Format {
	case FormatInteger:
		s.NumFmt, code = 1, "0"
	case FormatDecimal:
		code = "0"
		if c.Decimals > 0 {
			code += "." + strings.Repeat("0", c.Decimals)
		}
		s.CustomNumFmt = &code
	case FormatDateTime:
		code = xlsxFmtDateTime
		s.CustomNumFmt = &code
	case FormatDuration:
		code = xlsxFmtDuration
		s.CustomNumFmt = &code
	default:
		s.NumFmt, code = 49, "@"
	}
	if id, ok := st.columns[code]; ok {
		return id, nil
	}
	id, err := st.f.NewStyle(s)
	if err != nil {
		return 0, err
	}
	st.columns[code] = id
	return id, nil
}

// xlsxSheet writes one schedule's rows.
type xlsxSheet struct {
	cols   []Column
	zones  []*time.Location
	styles []int
	cells  []excelize.Cell
	row    []any
}

func xlsxWriteSheet(ctx context.Context, f *excelize.File, st *xlsxStyles, h Header, s Schedule, zones []*time.Location) error {
	name := s.Name
	ncol := len(s.Columns)
	lastCol, err := excelize.ColumnNumberToName(ncol)
	if err != nil {
		return err
	}
	l := xlsxLayoutOf(h, s)
	// The sheet's properties and dimension are written when the stream
	// starts. The dimension is known beforehand (the rows must number
	// RowCount); readers such as openpyxl in read-only mode rely on it.
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: xlsxPtr(true)}); err != nil {
		return err
	}
	if err := f.SetSheetDimension(name, "A1:"+lastCol+strconv.Itoa(l.last)); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	// Everything else is set before the first row or, at the latest,
	// before Flush: excelize drops what comes later.
	// excelize puts each new width first: setting them from the last
	// column back keeps the <col> elements in ascending order, as Excel
	// expects.
	var widths float64
	for i := ncol - 1; i >= 0; i-- {
		w := s.Columns[i].Width
		if w > 0 {
			if err := sw.SetColWidth(i+1, i+1, w); err != nil {
				return err
			}
		} else {
			w = 8.43
		}
		widths += w
	}
	first := "A" + strconv.Itoa(l.header+1)
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: l.header, TopLeftCell: first, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	if err := xlsxPageSetup(f, h, s, l, lastCol); err != nil {
		return err
	}

	// Header block.
	row := 1
	merge := func(r int) error {
		if ncol == 1 {
			return nil
		}
		return sw.MergeCell("A"+strconv.Itoa(r), lastCol+strconv.Itoa(r))
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: s.Title}},
		excelize.RowOpts{Height: xlsxHeight(s.Title, widths, 1.3)}); err != nil {
		return err
	}
	if err := merge(1); err != nil {
		return err
	}
	for _, line := range l.lines {
		row++
		v := []excelize.RichTextRun{{Text: line.label, Font: st.bold}, {Text: line.value, Font: &excelize.Font{Family: "Calibri", Size: 11}}}
		if err := sw.SetRow("A"+strconv.Itoa(row), []any{excelize.Cell{StyleID: st.block, Value: v}},
			excelize.RowOpts{Height: xlsxHeight(line.label+line.value, widths, 1)}); err != nil {
			return err
		}
		if err := merge(row); err != nil {
			return err
		}
	}

	// Column header row.
	x := &xlsxSheet{cols: s.Columns, zones: zones, styles: make([]int, ncol), cells: make([]excelize.Cell, ncol), row: make([]any, ncol)}
	heading := make([]any, ncol)
	lines := 1
	for i, c := range s.Columns {
		heading[i] = excelize.Cell{StyleID: st.heading, Value: c.Title()}
		w := c.Width
		if w <= 0 {
			w = 8.43
		}
		lines = max(lines, xlsxLines(c.Title(), w))
		if x.styles[i], err = st.column(c); err != nil {
			return err
		}
		x.row[i] = &x.cells[i]
	}
	if err := sw.SetRow("A"+strconv.Itoa(l.header), heading, excelize.RowOpts{Height: xlsxRowHeight(lines)}); err != nil {
		return err
	}

	// Rows.
	n := 0
	var bad error // an error of this writer, as opposed to one of s.Rows
	rows := s.Rows
	if rows == nil {
		rows = func(func([]Value) error) error { return nil }
	}
	err = rows(func(values []Value) error {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				bad = err
				return err
			}
		}
		n++
		if n > s.RowCount {
			bad = cellsite.Errorf(cellsite.Invalid, "", "more rows than the %d declared", s.RowCount)
			return bad
		}
		if bad = x.set(n, values); bad != nil {
			return bad
		}
		bad = sw.SetRow("A"+strconv.Itoa(l.header+n), x.row)
		return bad
	})
	switch {
	case bad != nil:
		return bad
	case err != nil:
		return fmt.Errorf("rows: %w", err)
	case n != s.RowCount:
		return cellsite.Errorf(cellsite.Invalid, "", "%d rows given, %d declared", n, s.RowCount)
	}

	// Caveats.
	if l.caveats > 0 {
		if err := sw.SetRow("A"+strconv.Itoa(l.caveats), []any{excelize.Cell{StyleID: st.block, Value: []excelize.RichTextRun{{Text: "Caveats", Font: st.bold}}}}); err != nil {
			return err
		}
		for i, c := range s.Caveats {
			r := l.caveats + 1 + i
			text := strconv.Itoa(i+1) + ". " + c
			if err := sw.SetRow("A"+strconv.Itoa(r), []any{excelize.Cell{StyleID: st.block, Value: text}},
				excelize.RowOpts{Height: xlsxHeight(text, widths, 1)}); err != nil {
				return err
			}
			if err := merge(r); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

// set fills the row's cells from one schedule row (n from 1).
func (x *xlsxSheet) set(n int, values []Value) error {
	if len(values) != len(x.cols) {
		return cellsite.Errorf(cellsite.Invalid, "", "row %d has %d values for %d columns", n, len(values), len(x.cols))
	}
	for i, v := range values {
		c := &x.cells[i]
		c.StyleID = x.styles[i]
		if err := xlsxCheckValue(x.cols[i], v); err != nil {
			return cellsite.Errorf(cellsite.Invalid, "", "%s: %w", xlsxCellRef(n, x.cols[i]), err)
		}
		switch v.Kind {
		case Empty:
			c.Value = nil
		case TextKind:
			c.Value = v.Text
		case TimeKind:
			wall, err := xlsxWallTime(v.Time, x.zones[i])
			if err != nil {
				return cellsite.Errorf(cellsite.Invalid, "", "%s: %w", xlsxCellRef(n, x.cols[i]), err)
			}
			c.Value = wall
		default:
			switch {
			case x.cols[i].Format == FormatDuration:
				secs, _ := xlsxSeconds(v)
				c.Value = time.Duration(math.Round(secs * 1e9))
			case v.Kind == IntKind:
				c.Value = v.Int
			default:
				c.Value = xlsxFloat(v.Float)
			}
		}
	}
	return nil
}

// xlsxPageSetup sets the auto-filter, print setup and protection of a sheet
// whose stream has started.
func xlsxPageSetup(f *excelize.File, h Header, s Schedule, l xlsxLayout, lastCol string) error {
	name := s.Name
	quoted := "'" + strings.ReplaceAll(name, "'", "''") + "'"
	ref := "A" + strconv.Itoa(l.header) + ":" + lastCol + strconv.Itoa(l.header+s.RowCount)
	if err := f.AutoFilter(name, ref, nil); err != nil {
		return err
	}
	// excelize does not double apostrophes in the filter's defined name.
	idx, err := f.GetSheetIndex(name)
	if err != nil {
		return err
	}
	for i, d := range f.WorkBook.DefinedNames.DefinedName {
		if d.Name == "_xlnm._FilterDatabase" && d.LocalSheetID != nil && *d.LocalSheetID == idx {
			f.WorkBook.DefinedNames.DefinedName[i].Data = quoted + "!" + xlsxAbs(ref)
		}
	}
	hr := strconv.Itoa(l.header)
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoted + "!$" + hr + ":$" + hr, Scope: name}); err != nil {
		return err
	}
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Size: xlsxPtr(9), Orientation: xlsxPtr("landscape"), FitToWidth: xlsxPtr(1), FitToHeight: xlsxPtr(0),
	}); err != nil {
		return err
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "&", "&&") }
	or := xlsxStated
	footer := "&L" + esc("Exhibit "+or(h.Exhibit)) + "&CPage &P of &N&R" + esc("Case "+or(h.Case))
	header := "&L" + esc(s.Title)
	if err := f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddHeader: header, OddFooter: footer}); err != nil {
		return cellsite.Errorf(cellsite.Invalid, "", "page header or footer: %w", err)
	}
	return f.ProtectSheet(name, &excelize.SheetProtectionOptions{
		AutoFilter: true, Sort: true, FormatColumns: true, SelectLockedCells: true, SelectUnlockedCells: true,
	})
}

// xlsxAbs makes a range reference absolute: A14:L20 → $A$14:$L$20.
func xlsxAbs(ref string) string {
	var b strings.Builder
	for i, part := range strings.Split(ref, ":") {
		if i > 0 {
			b.WriteByte(':')
		}
		j := strings.IndexAny(part, "0123456789")
		b.WriteString("$" + part[:j] + "$" + part[j:])
	}
	return b.String()
}

// xlsxSetProperties sets the document properties and locks the structure.
func xlsxSetProperties(f *excelize.File, wb Workbook) error {
	h := wb.Header
	title, subject := wb.Title, wb.Subject
	if title == "" {
		title = "Schedules, case " + h.Case
	}
	if subject == "" {
		subject = "Cell site analysis"
	}
	at := h.ProducedAt.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: title, Subject: subject, Keywords: wb.Keywords,
		Creator: h.Software, Created: at, Modified: at, Language: "en-GB",
	}); err != nil {
		return err
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: h.Software}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.ProtectWorkbook(&excelize.WorkbookProtectionOptions{LockStructure: true})
}

// Row heights, in points, for text that wraps: Excel does not fit the
// height of merged cells itself.

// xlsxLines estimates how many lines text takes when wrapped at width
// (in Excel's character widths), breaking at spaces where it can.
func xlsxLines(text string, width float64) int {
	perLine := max(int(width)-1, 1)
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines++
		col := 0
		for _, word := range strings.Fields(para) {
			n := utf8.RuneCountInString(word)
			switch {
			case col == 0:
			case col+1+n <= perLine:
				col++
			default:
				lines++
				col = 0
			}
			for n > perLine-col {
				n -= perLine - col
				lines++
				col = 0
			}
			col += n
		}
	}
	return lines
}

func xlsxRowHeight(lines int) float64 {
	return min(float64(lines)*15, 409)
}

func xlsxHeight(text string, width, scale float64) float64 {
	return min(xlsxRowHeight(xlsxLines(text, width/scale))*scale, 409)
}

func xlsxPtr[T any](v T) *T { return &v }
