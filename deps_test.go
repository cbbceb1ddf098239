package cellsite_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/cellsite/cellsite"

// allowed is the import table of the architecture: which project packages
// each package may import (outside its tests). "" is the root package.
// geo is a leaf package of coordinate arithmetic shared by ingest (cell
// lists), analysis (distances) and reports (maps on the National Grid).
// synth writes synthetic operator exports in the shipped profiles' layouts,
// with their ground truth, for tests, demonstrations and benchmarks.
// casework carries out the recorded steps (ingest, analyse, pack) for both
// the command line and the API, so that neither holds business logic the
// other lacks. scripts/loadtest is a client of the HTTP API that starts
// its own server; it uses synth only to make the files it uploads. web
// holds the browser interface's files (HTML, CSS, JavaScript, Leaflet),
// which api serves. scripts/pgbench loads and queries events at a force's
// volumes through the store's own bulk load and queries.
var allowed = map[string][]string{
	"":                 {},
	"geo":              {},
	"templates":        {},
	"ingest":           {"", "geo"},
	"analysis":         {"", "geo"},
	"provenance":       {""},
	"store":            {""},
	"store/storetest":  {"store"},
	"reports":          {"", "analysis", "provenance", "templates", "geo"},
	"casework":         {"", "ingest", "analysis", "reports", "provenance", "store", "geo", "templates"},
	"api":              {"", "casework", "ingest", "analysis", "reports", "provenance", "store", "geo", "templates", "synth", "web"},
	"web":              {},
	"synth":            {"", "geo", "ingest", "templates"},
	"cmd/cellsite":     nil, // anything
	"scripts/loadtest": {"synth"},
	"scripts/pgbench":  {"", "store"},
}

// TestImportTable fails on any import edge between project packages that the
// table above does not allow, and on any package the table does not list.
func TestImportTable(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := rel(fields[0])
		seen[pkg] = true
		allow, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %q is not in the import table: add it to deps_test.go and the architecture docs", pkg)
			continue
		}
		if allow == nil {
			continue
		}
		for _, imp := range fields[1:] {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := rel(imp)
			if !contains(allow, dep) {
				t.Errorf("%s imports %s: not allowed (may import %s)", show(pkg), show(dep), list(allow))
			}
		}
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("package %q in the table does not exist", pkg)
		}
	}
}

func rel(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }

func show(p string) string {
	if p == "" {
		return "the root package"
	}
	return p
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "nothing"
	}
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = show(x)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
