package reports_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
)

var update = flag.Bool("update", false, "rewrite golden files and generated documentation")

func TestBuiltinTemplates(t *testing.T) {
	ts := builtins(t)
	for _, name := range reports.StandardSchedules {
		tp, err := ts.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if tp.Origin != "built-in" || tp.Hash.IsZero() || tp.Description == "" || len(tp.Caveats) == 0 {
			t.Errorf("%s: origin %q, hash %s, description %q, %d caveats", name, tp.Origin, tp.Hash, tp.Description, len(tp.Caveats))
		}
	}
	if got, want := len(ts.List()), len(reports.StandardSchedules); got != want {
		t.Errorf("%d built-in templates, %d standard", got, want)
	}
}

func TestTemplateErrors(t *testing.T) {
	base := `name = "x"
version = "1"
title = "X"
source = "events"
`
	col := "\n[[columns]]\nheader = \"No.\"\nfield = \"row\"\n"
	for _, tc := range []struct{ name, body, want string }{
		{"no name", strings.Replace(base, `name = "x"`, "", 1) + col, "name is required"},
		{"unknown key", base + "colour = \"red\"\n" + col, "unknown keys: colour"},
		{"bad source", strings.Replace(base, `"events"`, `"everything"`, 1) + col, `source "everything": want one of`},
		{"no columns", base, "no columns"},
		{"bad field", base + "\n[[columns]]\nheader = \"X\"\nfield = \"colour\"\n", `column 1 ("X"): source events has no field "colour"`},
		{"zone on text", base + "\n[[columns]]\nheader = \"T\"\nfield = \"target\"\nzone = \"utc\"\n", "zone applies to time fields only"},
		{"bad zone", base + "\n[[columns]]\nheader = \"S\"\nfield = \"start\"\nzone = \"bst\"\n", `zone "bst"`},
		{"bad when", base + "\n[[columns]]\nheader = \"S\"\nfield = \"start\"\nwhen = \"always\"\n", `when "always": want local-basis or service-area`},
		{"sort fixed", base + "sort = [\"target\"]\n" + col, "rows of source events always come by target"},
		{"bad sheet", strings.Replace(base, `title = "X"`, `title = "X"`+"\nsheet = \"a/b\"", 1) + col, `sheet name "a/b"`},
		{"long sheet", strings.Replace(base, `title = "X"`, `title = "X"`+"\nsheet = \""+strings.Repeat("s", 32)+"\"", 1) + col, "at most 31 characters"},
		{"bad header item", base + "header = [\"weather\"]\n" + col, `header item "weather"`},
		{"bad toml", base + "name = \n", "x.toml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reports.ParseTemplate("x.toml", []byte(tc.body))
			if err == nil {
				t.Fatalf("no error")
			}
			if cellsite.KindOf(err) != cellsite.Invalid || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "x.toml") {
				t.Errorf("got %v (kind %v), want an Invalid error naming x.toml and containing %q", err, cellsite.KindOf(err), tc.want)
			}
		})
	}
}

func TestTemplateOverride(t *testing.T) {
	ts := builtins(t)
	force := fstest.MapFS{"call-schedule.toml": {Data: []byte(`name = "call-schedule"
version = "force-2"
title = "Call schedule (force style)"
sheet = "Calls"
source = "events"

[[columns]]
header = "Ref"
field = "row"

[[columns]]
header = "When"
field = "start"
zone = "uk-local"
`)}}
	extra, err := reports.LoadTemplates(force, "/etc/cellsite/templates")
	if err != nil {
		t.Fatal(err)
	}
	ts.Override(extra)
	tp, err := ts.Get("call-schedule")
	if err != nil {
		t.Fatal(err)
	}
	if tp.Version != "force-2" || tp.Origin != "/etc/cellsite/templates" || tp.PDFRows != reports.DefaultPDFRows {
		t.Errorf("override: %+v", tp)
	}
	if _, err := ts.Get("nope"); cellsite.KindOf(err) != cellsite.NotFound || !strings.Contains(err.Error(), "call-schedule") {
		t.Errorf("missing template: %v", err)
	}
}

// TestTemplateDocs keeps docs/TEMPLATES.md's list of sources and fields
// the same as the code's (-update rewrites it).
func TestTemplateDocs(t *testing.T) {
	const path = "../docs/TEMPLATES.md"
	const begin, end = "<!-- fields:begin -->\n", "<!-- fields:end -->"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", path, begin, end)
	}
	var gen strings.Builder
	for _, s := range reports.Sources() {
		fmt.Fprintf(&gen, "### Source `%s`\n\n%s.", s.Name, strings.ToUpper(s.Doc[:1])+s.Doc[1:])
		if s.Sorted {
			fmt.Fprintf(&gen, " Rows come %s unless the template sorts them.", s.Order)
		} else {
			fmt.Fprintf(&gen, " Rows come %s (streamed: `sort` is not accepted).", s.Order)
		}
		gen.WriteString("\n\n| field | format | meaning |\n|---|---|---|\n")
		for _, f := range s.Fields {
			fmt.Fprintf(&gen, "| `%s` | %s | %s |\n", f.Name, f.Format, strings.ReplaceAll(f.Doc, "|", `\|`))
		}
		gen.WriteString("\n")
	}
	want := doc[:i+len(begin)] + gen.String() + doc[j:]
	if want == doc {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with the sources' fields: run go test ./reports -run TestTemplateDocs -update", path)
}
