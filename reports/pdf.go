package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/cellsite/cellsite/templates"
	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	mtext "github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/johnfercher/maroto/v2/pkg/repository"
	pdfapi "github.com/pdfcpu/pdfcpu/pkg/api"
	pdffont "github.com/pdfcpu/pdfcpu/pkg/font"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	pdfmodel "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	pdftypes "github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/phpdave11/gofpdf"
)

// Report is the content of the PDF report.
type Report struct {
	Header   Header
	Title    string       // e.g. "Cell site analysis"
	Period   [2]time.Time // first and last event covered
	Counts   [][2]string  // cover figures: label, value
	Findings []string     // summary of findings, one paragraph each
	// Maps are map pages already drawn (WriteMapsPDF), placed after the
	// summary; MapTitles name each page for the contents.
	Maps      []byte
	MapTitles []string
	Schedules []ReportSchedule
	Caveats   []string // general caveats, before each schedule's own
	Leaves    []LeafRow
	Workbook  string // the workbook's file name in the pack, e.g. "schedules.xlsx"
}

// ReportSchedule is a schedule as the report shows it: its first Limit
// rows, pointing to the workbook for the rest.
type ReportSchedule struct {
	Schedule    Schedule
	Description string
	Limit       int
	Group       string // field whose change starts a new section
}

const (
	fontFamily = "dejavu"
	gridSize   = 1000
)

var (
	fontsOnce sync.Once
	fontsErr  error
	fontList  []*entity.CustomFont

	// gofpdfDefaults guards gofpdf's package-level defaults, which make
	// maroto's output deterministic and are shared by every render.
	gofpdfDefaults sync.Mutex
	pdfcpuOnce     sync.Once
)

func loadFonts() ([]*entity.CustomFont, error) {
	fontsOnce.Do(func() {
		regular, err := templates.Font("DejaVuSans.ttf")
		if err != nil {
			fontsErr = err
			return
		}
		bold, err := templates.Font("DejaVuSans-Bold.ttf")
		if err != nil {
			fontsErr = err
			return
		}
		fontList, fontsErr = repository.New().
			AddUTF8FontFromBytes(fontFamily, fontstyle.Normal, regular).
			AddUTF8FontFromBytes(fontFamily, fontstyle.Bold, bold).
			AddUTF8FontFromBytes(fontFamily, fontstyle.Italic, regular).
			AddUTF8FontFromBytes(fontFamily, fontstyle.BoldItalic, bold).
			Load()
	})
	return fontList, fontsErr
}

// pdfcpuConfig returns pdfcpu's configuration without touching the
// user's configuration directory.
func pdfcpuConfig() *pdfmodel.Configuration {
	pdfcpuOnce.Do(func() { pdfmodel.ConfigPath = "disable" })
	conf := pdfmodel.NewDefaultConfiguration()
	conf.WriteXRefStream = false
	conf.WriteObjectStream = false
	conf.ValidationMode = pdfmodel.ValidationRelaxed
	conf.CreateBookmarks = false
	return conf
}

var (
	grey      = &props.Color{Red: 90, Green: 90, Blue: 90}
	headFill  = &props.Color{Red: 225, Green: 230, Blue: 238}
	groupFill = &props.Color{Red: 245, Green: 245, Blue: 245}
	navy      = &props.Color{Red: 20, Green: 40, Blue: 90}
)

// section is one part of the report rendered on its own pages.
type section struct {
	title string
	pdf   []byte
	pages int
	// entries are the contents lines it contributes, with page offsets
	// within the section.
	entries []contentsEntry
}

type contentsEntry struct {
	title  string
	offset int
	level  int
}

// WriteReportPDF renders the report: cover, contents, summary, maps,
// schedules, caveats and the provenance appendix, with "Page x of y" on
// every page. The same report gives the same bytes.
func WriteReportPDF(ctx context.Context, w io.Writer, r Report) (pages int, err error) {
	fonts, err := loadFonts()
	if err != nil {
		return 0, fmt.Errorf("report: fonts: %w", err)
	}
	gofpdfDefaults.Lock()
	defer gofpdfDefaults.Unlock()
	at := r.Header.ProducedAt.UTC()
	gofpdf.SetDefaultCreationDate(at)
	gofpdf.SetDefaultModificationDate(at)
	gofpdf.SetDefaultCatalogSort(true)

	gen := func(build func(m core.Maroto)) ([]byte, int, error) {
		m := maroto.New(docConfig(r, fonts, at))
		build(m)
		doc, err := m.Generate()
		if err != nil {
			return nil, 0, err
		}
		b := doc.GetBytes()
		n, err := countPages(b)
		return b, n, err
	}

	var body []section
	add := func(title string, build func(m core.Maroto) []contentsEntry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var entries []contentsEntry
		b, n, err := gen(func(m core.Maroto) { entries = build(m) })
		if err != nil {
			return fmt.Errorf("report: %s: %w", title, err)
		}
		body = append(body, section{title: title, pdf: b, pages: n, entries: entries})
		return nil
	}
	if err := add("Summary of findings", func(m core.Maroto) []contentsEntry { summaryPage(m, r); return nil }); err != nil {
		return 0, err
	}
	if len(r.Maps) > 0 {
		n, err := countPages(r.Maps)
		if err != nil {
			return 0, fmt.Errorf("report: maps: %w", err)
		}
		var entries []contentsEntry
		for i, t := range r.MapTitles {
			entries = append(entries, contentsEntry{t, i, 1})
		}
		body = append(body, section{title: "Maps", pdf: r.Maps, pages: n, entries: entries})
	}
	for _, s := range r.Schedules {
		s := s
		if err := add(s.Schedule.Title, func(m core.Maroto) []contentsEntry { return scheduleSection(m, r, s) }); err != nil {
			return 0, err
		}
	}
	if err := add("Caveats", func(m core.Maroto) []contentsEntry { caveatsSection(m, r); return nil }); err != nil {
		return 0, err
	}
	if err := add("Provenance appendix", func(m core.Maroto) []contentsEntry { appendixSection(m, r); return nil }); err != nil {
		return 0, err
	}

	cover, coverPages, err := gen(func(m core.Maroto) { coverPage(m, r) })
	if err != nil {
		return 0, fmt.Errorf("report: cover: %w", err)
	}
	// The contents page lists page numbers, which depend on its own
	// length: render it until the count is stable.
	contentsPages := 1
	var contents []byte
	for range 3 {
		start := coverPages + contentsPages + 1
		var lines []contentsEntry
		for _, s := range body {
			lines = append(lines, contentsEntry{s.title, start, 0})
			for _, e := range s.entries {
				lines = append(lines, contentsEntry{e.title, start + e.offset, e.level})
			}
			start += s.pages
		}
		var n int
		contents, n, err = gen(func(m core.Maroto) { contentsPage(m, lines) })
		if err != nil {
			return 0, fmt.Errorf("report: contents: %w", err)
		}
		if n == contentsPages {
			break
		}
		contentsPages = n
	}

	parts := [][]byte{cover, contents}
	for _, s := range body {
		parts = append(parts, s.pdf)
	}
	stamped, err := assemblePDF(parts, footerText(r.Header))
	if err != nil {
		return 0, fmt.Errorf("report: assemble: %w", err)
	}
	total, err := countPages(stamped)
	if err != nil {
		return 0, err
	}
	out := normalisePDF(stamped, at)
	if _, err := w.Write(out); err != nil {
		return 0, err
	}
	return total, nil
}

func docConfig(r Report, fonts []*entity.CustomFont, at time.Time) *entity.Config {
	return config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithOrientation(orientation.Horizontal).
		WithLeftMargin(12).WithRightMargin(12).WithTopMargin(12).WithBottomMargin(16).
		WithMaxGridSize(gridSize).
		WithCustomFonts(fonts).
		WithDefaultFont(&props.Font{Family: fontFamily, Size: 8}).
		WithCreationDate(at).
		WithTitle(r.Title+" – "+r.Header.Case, true).
		WithSubject("Case "+r.Header.Case+", exhibit "+r.Header.Exhibit, true).
		WithAuthor(r.Header.ProducedBy, true).
		WithCreator(r.Header.Software, true).
		WithSequentialMode().
		WithCompression(true).
		Build()
}

func footerText(h Header) string {
	parts := []string{"Case " + h.Case}
	if h.Exhibit != "" {
		parts = append(parts, "Exhibit "+h.Exhibit)
	}
	parts = append(parts, "Page %p of %P")
	return asciiOnly(strings.Join(parts, "   |   "))
}

// asciiOnly replaces characters the stamp font (a PDF core font) cannot
// show.
func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 32 || r > 126 {
			return '?'
		}
		return r
	}, s)
}

// assemblePDF joins the parts in order and stamps the footer (with %p and
// %P for the page number and count) at the foot of every page. It works on
// pdfcpu's in-memory document directly: pdfcpu's merge and stamp commands
// also "optimise" the document and number new objects in an order that
// varies from run to run, and evidence must come out the same every time.
func assemblePDF(parts [][]byte, footerPattern string) ([]byte, error) {
	conf := pdfcpuConfig()
	read := func(b []byte) (*pdfmodel.Context, error) {
		ctx, err := pdfapi.ReadContext(bytes.NewReader(b), conf)
		if err != nil {
			return nil, err
		}
		if err := pdfapi.ValidateContext(ctx); err != nil {
			return nil, err
		}
		return ctx, nil
	}
	dest, err := read(parts[0])
	if err != nil {
		return nil, err
	}
	dest.EnsureVersionForWriting()
	for i, p := range parts[1:] {
		src, err := read(p)
		if err != nil {
			return nil, err
		}
		if err := pdfcpu.MergeXRefTables(fmt.Sprint(i), src, dest, false, false); err != nil {
			return nil, err
		}
	}
	if err := dest.EnsurePageCount(); err != nil {
		return nil, err
	}
	if err := stampFooters(dest, footerPattern); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdfapi.WriteContext(dest, &buf); err != nil {
		return nil, err
	}
	return canonicalPDF(buf.Bytes())
}

// stampFooters adds a content stream to each page, in page order, that
// writes the footer centred 18 points above the bottom edge in Helvetica.
func stampFooters(ctx *pdfmodel.Context, pattern string) error {
	// New objects are numbered from the end of the table, never from the
	// free list, whose order after a merge is not fixed.
	insert := func(o pdftypes.Object) *pdftypes.IndirectRef {
		n, _ := ctx.InsertObject(o) // cannot fail
		return pdftypes.NewIndirectRef(n, 0)
	}
	fontRef := insert(pdftypes.Dict(map[string]pdftypes.Object{
		"Type":     pdftypes.Name("Font"),
		"Subtype":  pdftypes.Name("Type1"),
		"BaseFont": pdftypes.Name("Helvetica"),
		"Encoding": pdftypes.Name("WinAnsiEncoding"),
	}))
	const size = 8
	for p := 1; p <= ctx.PageCount; p++ {
		page, _, inh, err := ctx.PageDict(p, false)
		if err != nil {
			return err
		}
		if page == nil || inh == nil || inh.MediaBox == nil {
			return fmt.Errorf("page %d: no page dictionary or media box", p)
		}
		s := strings.NewReplacer("%p", fmt.Sprint(p), "%P", fmt.Sprint(ctx.PageCount)).Replace(pattern)
		w := pdffont.TextWidth(s, "Helvetica", size)
		box := inh.MediaBox
		x := box.LL.X + (box.Width()-w)/2
		y := box.LL.Y + 18
		esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
		content := fmt.Sprintf("q BT /CellsiteFooter %d Tf 0.25 g %.2f %.2f Td (%s) Tj ET Q", size, x, y, esc)
		sd, err := ctx.NewStreamDictForBuf([]byte(content))
		if err != nil {
			return err
		}
		if err := sd.Encode(); err != nil {
			return err
		}
		ref := insert(*sd)
		switch c := page["Contents"].(type) {
		case pdftypes.IndirectRef:
			// The existing stream may leave the graphics state changed:
			// wrap it so the footer starts from the default state.
			page.Update("Contents", pdftypes.Array{c, *ref})
		case pdftypes.Array:
			page.Update("Contents", append(c, *ref))
		default:
			page.Update("Contents", pdftypes.Array{*ref})
		}
		res := page.DictEntry("Resources")
		if res == nil {
			if ir := page.IndirectRefEntry("Resources"); ir != nil {
				if res, err = ctx.DereferenceDict(*ir); err != nil {
					return err
				}
			} else {
				res = pdftypes.NewDict()
				for k, v := range inh.Resources {
					res.Insert(k, v)
				}
				page.Update("Resources", res)
			}
		}
		fonts := res.DictEntry("Font")
		if fonts == nil {
			if ir := res.IndirectRefEntry("Font"); ir != nil {
				if fonts, err = ctx.DereferenceDict(*ir); err != nil {
					return err
				}
			} else {
				fonts = pdftypes.NewDict()
				res.Update("Font", fonts)
			}
		}
		fonts.Update("CellsiteFooter", *fontRef)
	}
	return nil
}

func countPages(pdf []byte) (int, error) {
	n, err := pdfapi.PageCount(bytes.NewReader(pdf), pdfcpuConfig())
	if err != nil {
		return 0, fmt.Errorf("count pages: %w", err)
	}
	return n, nil
}

var (
	pdfDate = regexp.MustCompile(`/(CreationDate|ModDate) ?\((D:[0-9]{14}[+\-Z][0-9' ]*)\)`)
	pdfID   = regexp.MustCompile(`/ID ?\[ ?<([0-9a-fA-F]+)> ?<([0-9a-fA-F]+)> ?\]`)
)

// normalisePDF makes the final file depend only on its content and the
// stated production time: the tools that assemble the report write the
// current time as the document's dates and into its file identifier. Each
// is replaced in place by a value of the same length (so every offset in
// the file stays valid): the dates by the production time, the identifier
// by a hash of the file with the identifier blanked.
func normalisePDF(pdf []byte, at time.Time) []byte {
	out := bytes.Clone(pdf)
	stamp := []byte(pdftypes.DateString(at.UTC()))
	for _, m := range pdfDate.FindAllSubmatchIndex(out, -1) {
		s, e := m[4], m[5]
		repl := stamp
		if len(repl) != e-s { // a different length would move every later object
			repl = fitDate(stamp, e-s)
		}
		copy(out[s:e], repl)
	}
	ids := pdfID.FindAllSubmatchIndex(out, -1)
	for _, m := range ids {
		for g := 2; g <= 4; g += 2 {
			for i := m[g]; i < m[g+1]; i++ {
				out[i] = '0'
			}
		}
	}
	sum := sha256.Sum256(out)
	id := hex.EncodeToString(sum[:])
	for _, m := range ids {
		for g := 2; g <= 4; g += 2 {
			n := m[g+1] - m[g]
			copy(out[m[g]:m[g+1]], strings.Repeat(id, 1+n/len(id))[:n])
		}
	}
	return out
}

// fitDate pads or cuts a PDF date string to n bytes; a PDF date may stop
// after any component, and trailing spaces are ignored by readers.
func fitDate(d []byte, n int) []byte {
	if len(d) >= n {
		return d[:n]
	}
	return append(bytes.Clone(d), bytes.Repeat([]byte(" "), n-len(d))...)
}

// Page content.

func heading(m core.Maroto, s string) {
	m.AddRow(11, mtext.NewCol(gridSize, s, props.Text{Size: 15, Style: fontstyle.Bold, Color: navy}))
}

func para(m core.Maroto, s string, size float64) {
	m.AddAutoRow(mtext.NewCol(gridSize, s, props.Text{Size: size, Bottom: 1.5}))
}

func labelled(m core.Maroto, label, value string) {
	m.AddAutoRow(
		mtext.NewCol(250, label, props.Text{Size: 9, Style: fontstyle.Bold, Bottom: 1}),
		mtext.NewCol(750, value, props.Text{Size: 9, Bottom: 1}),
	)
}

func coverPage(m core.Maroto, r Report) {
	h := r.Header
	m.AddRow(20)
	m.AddRow(14, mtext.NewCol(gridSize, r.Title, props.Text{Size: 22, Style: fontstyle.Bold, Color: navy}))
	m.AddRow(10, mtext.NewCol(gridSize, "Case "+h.Case+joinNonEmpty("", prefixIf(" – ", h.CaseTitle)), props.Text{Size: 14}))
	m.AddRow(6)
	labelled(m, "Exhibit reference", orNone(h.Exhibit))
	labelled(m, "Produced by", orNone(h.ProducedBy))
	labelled(m, "Produced at", FormatInstant(h.ProducedAt, ZoneUTC)+"  ("+FormatInstant(h.ProducedAt, ZoneUKLocal)+")")
	if !r.Period[0].IsZero() {
		labelled(m, "Period of the records", FormatInstant(r.Period[0], ZoneUTC)+" to "+FormatInstant(r.Period[1], ZoneUTC))
	}
	labelled(m, "Time basis of the sources", orNone(h.TimeBasis))
	for _, c := range r.Counts {
		labelled(m, c[0], c[1])
	}
	labelled(m, "Software", h.Software)
	labelled(m, "Provenance checkpoint", fmt.Sprintf("tree size %d, root %s", h.Checkpoint.Size, h.Checkpoint.Root))
	labelled(m, "Log key fingerprint", orNone(h.Fingerprint))
	m.AddRow(8)
	para(m, "This report and the workbook "+r.Workbook+" were produced together from the same records. Every figure in them can be traced to the operator's original rows: the schedules give the original file and row of each event, and the provenance appendix lists every recorded step, each of which can be checked against the signed checkpoint above with `cellsite verify`.", 9)
}

func prefixIf(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func orNone(s string) string {
	if s == "" {
		return "(not stated)"
	}
	return s
}

func contentsPage(m core.Maroto, lines []contentsEntry) {
	heading(m, "Contents")
	m.AddRow(3)
	for _, l := range lines {
		size, style, indent := 10.0, fontstyle.Bold, 0
		if l.level > 0 {
			size, style, indent = 8.5, fontstyle.Normal, 40
		}
		cols := []core.Col{}
		if indent > 0 {
			cols = append(cols, col.New(indent))
		}
		cols = append(cols,
			mtext.NewCol(880-indent, l.title, props.Text{Size: size, Style: style}),
			mtext.NewCol(120, fmt.Sprintf("%d", l.offset), props.Text{Size: size, Style: style, Align: align.Right}),
		)
		m.AddRow(size*0.62, cols...)
	}
}

func summaryPage(m core.Maroto, r Report) {
	heading(m, "Summary of findings")
	m.AddRow(2)
	if len(r.Findings) == 0 {
		para(m, "No findings were recorded.", 10)
	}
	for _, f := range r.Findings {
		m.AddAutoRow(
			mtext.NewCol(25, "•", props.Text{Size: 10}),
			mtext.NewCol(975, f, props.Text{Size: 10, Bottom: 2}),
		)
	}
}

// scheduleSection draws a schedule's first rows as a table.
func scheduleSection(m core.Maroto, r Report, rs ReportSchedule) []contentsEntry {
	s := rs.Schedule
	heading(m, s.Title)
	if rs.Description != "" {
		para(m, rs.Description, 9)
	}
	shown := min(rs.Limit, s.RowCount)
	note := fmt.Sprintf("%d rows.", s.RowCount)
	if shown < s.RowCount {
		note = fmt.Sprintf("The first %d of %d rows are shown; every row is in %s, sheet %q.", shown, s.RowCount, r.Workbook, s.Name)
	} else if r.Workbook != "" {
		note += fmt.Sprintf(" The same rows are in %s, sheet %q.", r.Workbook, s.Name)
	}
	para(m, note, 8)
	// The PDF shows the columns not marked pdf = false, with a font
	// small enough for their widths to fit the page.
	var show []int
	var cols []Column
	for i, c := range s.Columns {
		if !c.NoPDF {
			show = append(show, i)
			cols = append(cols, c)
		}
	}
	sizes, fontSize := pdfColumns(cols)
	cellText := props.Text{Size: fontSize, Left: 0.6, Right: 0.6, Top: 0.5, Bottom: 0.5}
	headText := cellText
	headText.Style = fontstyle.Bold
	headerCells := make([]core.Col, len(cols))
	for i, c := range cols {
		headerCells[i] = mtext.NewCol(sizes[i], c.Title(), headText)
	}
	m.AddAutoRow(headerCells...).WithStyle(&props.Cell{BackgroundColor: headFill, BorderType: border.Full, BorderColor: grey, BorderThickness: 0.1})
	group := -1
	for i, c := range s.Columns {
		if c.Field == rs.Group {
			group = i
			break
		}
	}
	if s.RowCount == 0 {
		para(m, "(no rows)", 8)
		return nil
	}
	n := 0
	last := ""
	errStop := fmt.Errorf("enough rows")
	_ = s.Rows(func(vals []Value) error {
		if n >= shown {
			return errStop
		}
		n++
		if group >= 0 {
			g := FormatValue(vals[group], s.Columns[group])
			if g != last {
				m.AddRow(5, mtext.NewCol(gridSize, s.Columns[group].Title()+": "+g, props.Text{Size: 7, Style: fontstyle.Bold, Top: 1, Left: 0.6})).
					WithStyle(&props.Cell{BackgroundColor: groupFill})
				last = g
			}
		}
		cells := make([]core.Col, len(show))
		for j, i := range show {
			cells[j] = mtext.NewCol(sizes[j], FormatValue(vals[i], s.Columns[i]), cellText)
		}
		m.AddAutoRow(cells...).WithStyle(&props.Cell{BorderType: border.Bottom, BorderColor: grey, BorderThickness: 0.05})
		return nil
	})
	return nil
}

// pdfColumns shares the page width among columns in proportion to their
// widths in characters (a time column takes two lines, date over time)
// and returns the font size at which those characters fit.
func pdfColumns(cols []Column) ([]int, float64) {
	widths := make([]float64, len(cols))
	total := 0.0
	for i, c := range cols {
		w := max(c.Width, 4)
		if c.Format == FormatDateTime {
			w = 12.5
		}
		widths[i] = w
		total += w
	}
	// DejaVu Sans's digits are 0.636 em wide, and most text is narrower;
	// 1 pt is 0.3528 mm; the page is 273 mm wide inside the margins.
	size := min(7.5, 273/(total*0.64*0.3528))
	return columnSizes(widths), size
}

// columnSizes shares the grid among columns in proportion to their widths.
func columnSizes(widths []float64) []int {
	total := 0.0
	for _, w := range widths {
		total += w
	}
	sizes := make([]int, len(widths))
	used := 0
	for i, w := range widths {
		sizes[i] = int(w / total * gridSize)
		used += sizes[i]
	}
	sizes[len(sizes)-1] += gridSize - used
	return sizes
}

func caveatsSection(m core.Maroto, r Report) {
	heading(m, "Caveats")
	general := make(map[string]bool)
	bullet := func(s string) {
		m.AddAutoRow(
			mtext.NewCol(25, "•", props.Text{Size: 9}),
			mtext.NewCol(975, s, props.Text{Size: 9, Bottom: 2}),
		)
	}
	for _, c := range r.Caveats {
		general[c] = true
		bullet(c)
	}
	for _, s := range r.Schedules {
		var own []string
		for _, c := range s.Schedule.Caveats {
			if !general[c] {
				own = append(own, c)
			}
		}
		if len(own) == 0 {
			continue
		}
		m.AddRow(3)
		m.AddRow(6, mtext.NewCol(gridSize, s.Schedule.Title, props.Text{Size: 10, Style: fontstyle.Bold, Color: navy}))
		for _, c := range own {
			bullet(c)
		}
	}
	m.AddRow(4)
	m.AddRow(7, mtext.NewCol(gridSize, "Cell lists used", props.Text{Size: 11, Style: fontstyle.Bold, Color: navy}))
	if len(r.Header.CellLists) == 0 {
		para(m, "No cell list was used: events are not placed on the maps.", 9)
	}
	for _, cl := range r.Header.CellLists {
		m.AddAutoRow(mtext.NewCol(gridSize, cl.Name, props.Text{Size: 9, Style: fontstyle.Bold}))
		m.AddAutoRow(mtext.NewCol(gridSize, joinNonEmpty(", ", cl.Date, "SHA-256 "+cl.SHA256.String()), props.Text{Size: 8.5, Left: 6, Bottom: 1.5}))
	}
}

func appendixSection(m core.Maroto, r Report) {
	h := r.Header
	heading(m, "Provenance appendix")
	para(m, "Every step that produced these outputs is a leaf of Cellsite's provenance log: a hash-chained Merkle tree whose signed checkpoints fix its size and root. The leaves below are those the outputs rest on; the evidential pack holds an inclusion proof for each artefact. To check them: cellsite verify PACK.zip --fingerprint "+orNone(h.Fingerprint), 9)
	labelled(m, "Log key fingerprint", orNone(h.Fingerprint))
	labelled(m, "Checkpoint", fmt.Sprintf("tree size %d, root %s", h.Checkpoint.Size, h.Checkpoint.Root))
	if h.Checkpoint.Note != "" {
		m.AddRow(2)
		m.AddAutoRow(mtext.NewCol(gridSize, h.Checkpoint.Note, props.Text{Size: 7.5, Left: 2, Top: 1, Bottom: 1})).
			WithStyle(&props.Cell{BackgroundColor: groupFill})
	}
	m.AddRow(4)
	titles := []string{"Leaf", "Step", "Started (UTC)", "Actor", "Outputs", "Leaf hash"}
	sizes := columnSizes([]float64{6, 9, 17, 14, 38, 47})
	head := make([]core.Col, len(titles))
	for i, c := range titles {
		head[i] = mtext.NewCol(sizes[i], c, props.Text{Size: 7, Style: fontstyle.Bold, Left: 0.6, Top: 0.6, Bottom: 0.6})
	}
	m.AddAutoRow(head...).WithStyle(&props.Cell{BackgroundColor: headFill})
	for _, l := range r.Leaves {
		vals := []string{
			fmt.Sprint(l.Leaf.Index), string(l.Leaf.Type), l.Leaf.Started.UTC().Format(DateTimeLayout),
			l.Leaf.Actor.User, artefacts(l.Leaf.Outputs), l.Hash.String(),
		}
		cells := make([]core.Col, len(vals))
		for i, v := range vals {
			cells[i] = mtext.NewCol(sizes[i], v, props.Text{Size: 6.5, Left: 0.6, Right: 0.6, Top: 0.5, Bottom: 0.5})
		}
		m.AddAutoRow(cells...).WithStyle(&props.Cell{BorderType: border.Bottom, BorderColor: grey, BorderThickness: 0.05})
	}
}
