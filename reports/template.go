package reports

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/cellsite/cellsite"
)

// Template describes one schedule: where its rows come from, which columns
// it shows and how, and the caveats printed with it. Templates are data
// (TOML files under templates/schedules, see docs/TEMPLATES.md); a force
// adds or overrides one with a file in its own directory.
type Template struct {
	Name        string           `toml:"name"`        // unique, e.g. "call-schedule"
	Version     string           `toml:"version"`     // the template's own version
	Title       string           `toml:"title"`       // shown above the table
	Sheet       string           `toml:"sheet"`       // sheet name in the workbook (at most 31 characters)
	Source      string           `toml:"source"`      // the rows: events, cells, colocation, pattern, contacts, attribution, exhibits, provenance
	Description string           `toml:"description"` // what the schedule shows, for the contents page
	Sort        []string         `toml:"sort"`        // fields to order rows by; "-field" for descending
	Group       string           `toml:"group"`       // field whose value starts a new section in the PDF
	Header      []string         `toml:"header"`      // header-block items, in order (HeaderItems)
	Caveats     []string         `toml:"caveats"`     // printed with the schedule
	PDFRows     int              `toml:"pdf_rows"`    // rows shown in the PDF report before pointing to the workbook [200]
	Columns     []TemplateColumn `toml:"columns"`

	File   string        `toml:"-"` // file name within its origin
	Origin string        `toml:"-"` // "built-in" or the directory it came from
	Hash   cellsite.Hash `toml:"-"` // SHA-256 of the file's bytes
}

// TemplateColumn is one column of a template.
type TemplateColumn struct {
	Header   string  `toml:"header"`
	Field    string  `toml:"field"`    // a field of the template's source (docs/TEMPLATES.md)
	Width    float64 `toml:"width"`    // Excel character widths [from the field]
	Decimals *int    `toml:"decimals"` // decimal fields: places [from the field]
	Zone     string  `toml:"zone"`     // time fields: utc or uk-local [utc]
	// When limits the column to some cases: "local-basis" shows it only
	// when a source stated its times in UK local time, "service-area"
	// only when the co-location analysis used basis service-area.
	When string `toml:"when"`
	// PDF: false leaves the column out of the PDF report (the workbook
	// always has every column) [true].
	PDF *bool `toml:"pdf"`
}

// HeaderItems are the items a template's header block may list.
var HeaderItems = []string{"case", "exhibit", "produced_by", "produced_at", "time_basis", "cell_lists", "software", "checkpoint", "fingerprint"}

// Templates is a set of schedule templates by name.
type Templates struct {
	byName map[string]*Template
}

// DefaultPDFRows is how many rows of a schedule the PDF report shows when
// the template does not say.
const DefaultPDFRows = 200

// ParseTemplate decodes and checks one template file.
func ParseTemplate(name string, b []byte) (*Template, error) {
	var t Template
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(&t)
	if err != nil {
		return nil, templateErr(name, "%v", err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		keys := make([]string, len(un))
		for i, k := range un {
			keys[i] = k.String()
		}
		return nil, templateErr(name, "unknown keys: %s", strings.Join(keys, ", "))
	}
	t.File, t.Hash = name, cellsite.Sum(b)
	if err := t.check(); err != nil {
		return nil, templateErr(name, "%v", err)
	}
	return &t, nil
}

func templateErr(file, format string, args ...any) error {
	return cellsite.Errorf(cellsite.Invalid, "template", "%s: %s", file, fmt.Sprintf(format, args...))
}

func (t *Template) check() error {
	switch {
	case t.Name == "":
		return fmt.Errorf("name is required")
	case strings.ContainsAny(t.Name, " /\\"):
		return fmt.Errorf("name %q: no spaces or slashes", t.Name)
	case t.Title == "":
		return fmt.Errorf("title is required")
	case t.Version == "":
		return fmt.Errorf("version is required")
	}
	if t.Sheet == "" {
		t.Sheet = t.Title
	}
	if err := checkSheetName(t.Sheet); err != nil {
		return err
	}
	src, ok := sources[t.Source]
	if !ok {
		return fmt.Errorf("source %q: want one of %s", t.Source, strings.Join(sourceNames(), ", "))
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("no columns")
	}
	if t.PDFRows < 0 {
		return fmt.Errorf("pdf_rows %d: must not be negative", t.PDFRows)
	}
	if t.PDFRows == 0 {
		t.PDFRows = DefaultPDFRows
	}
	for i, c := range t.Columns {
		f, ok := src.fields[c.Field]
		where := fmt.Sprintf("column %d (%q)", i+1, c.Header)
		switch {
		case c.Header == "":
			return fmt.Errorf("column %d: header is required", i+1)
		case !ok:
			return fmt.Errorf("%s: source %s has no field %q (fields: %s)", where, t.Source, c.Field, strings.Join(src.names(), ", "))
		case c.Width < 0 || c.Width > 255:
			return fmt.Errorf("%s: width %g: want 0 to 255", where, c.Width)
		case c.Zone != "" && f.format != FormatDateTime:
			return fmt.Errorf("%s: zone applies to time fields only", where)
		case c.Zone != "" && c.Zone != "utc" && c.Zone != "uk-local":
			return fmt.Errorf("%s: zone %q: want utc or uk-local", where, c.Zone)
		case c.Decimals != nil && f.format != FormatDecimal:
			return fmt.Errorf("%s: decimals apply to decimal fields only", where)
		case c.Decimals != nil && (*c.Decimals < 0 || *c.Decimals > 10):
			return fmt.Errorf("%s: decimals %d: want 0 to 10", where, *c.Decimals)
		case c.When != "" && c.When != "local-basis" && c.When != "service-area":
			return fmt.Errorf("%s: when %q: want local-basis or service-area", where, c.When)
		}
	}
	for _, s := range t.Sort {
		if _, ok := src.fields[strings.TrimPrefix(s, "-")]; !ok {
			return fmt.Errorf("sort: source %s has no field %q", t.Source, s)
		}
	}
	if len(t.Sort) > 0 && src.streamed {
		return fmt.Errorf("sort: rows of source %s always come %s", t.Source, src.fixedOrder)
	}
	if t.Group != "" {
		if _, ok := src.fields[t.Group]; !ok {
			return fmt.Errorf("group: source %s has no field %q", t.Source, t.Group)
		}
	}
	for _, h := range t.Header {
		if !contains(HeaderItems, h) {
			return fmt.Errorf("header item %q: want one of %s", h, strings.Join(HeaderItems, ", "))
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkSheetName applies Excel's rules for sheet names.
func checkSheetName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("sheet name is empty")
	case len([]rune(s)) > 31:
		return fmt.Errorf("sheet name %q: at most 31 characters", s)
	case strings.ContainsAny(s, `[]:*?/\`):
		return fmt.Errorf("sheet name %q: none of [ ] : * ? / \\", s)
	case strings.HasPrefix(s, "'") || strings.HasSuffix(s, "'"):
		return fmt.Errorf("sheet name %q: may not begin or end with an apostrophe", s)
	}
	return nil
}

// LoadTemplates reads every *.toml file of fsys as a template. origin names
// where they came from ("built-in" or a directory) in errors and listings.
func LoadTemplates(fsys fs.FS, origin string) (*Templates, error) {
	ts := &Templates{byName: make(map[string]*Template)}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Invalid, "load templates", "%s: %v", origin, err)
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".toml" {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, cellsite.Errorf(cellsite.Invalid, "load templates", "%s/%s: %v", origin, e.Name(), err)
		}
		t, err := ParseTemplate(e.Name(), b)
		if err != nil {
			return nil, err
		}
		t.Origin = origin
		if prev, dup := ts.byName[t.Name]; dup {
			return nil, templateErr(e.Name(), "name %q is also used by %s", t.Name, prev.File)
		}
		ts.byName[t.Name] = t
	}
	return ts, nil
}

// Override adds the templates of o, replacing any of the same name.
func (ts *Templates) Override(o *Templates) {
	for n, t := range o.byName {
		ts.byName[n] = t
	}
}

// Get returns the named template or a NotFound error listing the names.
func (ts *Templates) Get(name string) (*Template, error) {
	if t, ok := ts.byName[name]; ok {
		return t, nil
	}
	return nil, cellsite.Errorf(cellsite.NotFound, "template", "no template %q (templates: %s)", name, strings.Join(ts.names(), ", "))
}

// List returns the templates sorted by name.
func (ts *Templates) List() []*Template {
	out := make([]*Template, 0, len(ts.byName))
	for _, n := range ts.names() {
		out = append(out, ts.byName[n])
	}
	return out
}

func (ts *Templates) names() []string {
	out := make([]string, 0, len(ts.byName))
	for n := range ts.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// StandardSchedules are the built-in schedules of a pack, in order.
var StandardSchedules = []string{
	"call-schedule", "cell-site-schedule", "colocation-schedule", "pattern-schedule",
	"contact-schedule", "attribution-schedule", "exhibits-schedule", "provenance-schedule",
}
