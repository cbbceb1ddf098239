package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/synth"
)

// synthCase makes a data directory holding case OP-TEST with the meeting
// scenario ingested, and returns the directory and the scenario's truth.
func synthCase(t *testing.T) (string, map[string]any) {
	t.Helper()
	return synthCaseOf(t, "--seed", "3", "--scenario", "meeting")
}

// synthCaseOf makes a data directory holding case OP-TEST with the
// scenario that cellsite synth writes with the given arguments ingested,
// and returns the directory and the scenario's truth.
func synthCaseOf(t *testing.T, synthArgs ...string) (string, map[string]any) {
	t.Helper()
	d := newCase(t)
	out := filepath.Join(t.TempDir(), "synth")
	if code, _, errs := cli(t, nil, append([]string{"synth", "--out", out}, synthArgs...)...); code != 0 {
		t.Fatal(errs)
	}
	for _, kind := range []string{"cells", "cdr"} {
		files, _ := filepath.Glob(filepath.Join(out, kind, "*"))
		args := append([]string{"ingest", "--data", d, "--case", "OP-TEST", "--kind", kind}, files...)
		if code, _, errs := cli(t, nil, args...); code != 0 {
			t.Fatal(errs)
		}
	}
	var truth map[string]any
	b := mustRead(t, filepath.Join(out, "truth.json"))
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	return d, truth
}

func TestAnalyse(t *testing.T) {
	d, truth := synthCase(t)
	meeting := truth["meetings"].([]any)[0].(map[string]any)
	mStart, _ := time.Parse(time.RFC3339, meeting["start"].(string))
	mEnd, _ := time.Parse(time.RFC3339, meeting["end"].(string))

	code, out, errs := cli(t, nil, "analyse", "--data", d, "--case", "OP-TEST", "--kind", "colocation", "--json")
	if code != 0 {
		t.Fatalf("analyse: %s", errs)
	}
	var doc struct {
		Format  string              `json:"format"`
		Kind    string              `json:"kind"`
		Targets []string            `json:"targets"`
		Inputs  []cellsite.Artefact `json:"inputs"`
		Result  struct {
			Together []struct {
				Start, End time.Time
			} `json:"together"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, out)
	}
	if doc.Format != "cellsite-analysis/v1" || doc.Kind != "colocation" || len(doc.Targets) != 2 || len(doc.Inputs) != 2 {
		t.Errorf("result document: %+v", doc)
	}
	found := false
	for _, ep := range doc.Result.Together {
		if !ep.End.Before(mStart) && !ep.Start.After(mEnd) {
			found = true
		}
	}
	if !found {
		t.Errorf("the planted meeting %v–%v is not among %d episodes", mStart, mEnd, len(doc.Result.Together))
	}

	// The run is recorded in provenance with its inputs, parameters and output hash.
	code, out, _ = cli(t, nil, "log", "--data", d, "--case", "OP-TEST", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last provenance.Leaf
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || code != 0 {
		t.Fatal(err)
	}
	if last.Type != provenance.Analyse || last.Param("kind") != "colocation" || !strings.Contains(last.Param("params"), `"window_s":900`) ||
		len(last.Inputs) != 2 || len(last.Outputs) != 1 || len(last.References) == 0 {
		t.Errorf("analysis leaf: %+v", last)
	}

	// Every kind runs and prints.
	for _, k := range []string{"timeline", "pattern", "contacts", "attribution", "sessions"} {
		if code, out, errs := cli(t, nil, "analyse", "--data", d, "--case", "OP-TEST", "--kind", k); code != 0 || len(out) < 100 {
			t.Errorf("analyse --kind %s: %d %s %s", k, code, out, errs)
		}
	}
	// Basis "service-area" sizes each cell's area from the case's cell
	// lists, and says so.
	code, out, errs = cli(t, nil, "analyse", "--data", d, "--case", "OP-TEST", "--kind", "colocation", "--params", `{"basis":"service-area"}`)
	if want := "Co-location: overlapping service areas (120° sectors reaching the 2nd nearest other mast of the cell's network, at most 35000 m, with a disc of 0.1 of that radius about the mast)"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("analyse --params basis service-area: %d, want %q in:\n%s%s", code, want, out, errs)
	}
	if code, _, errs := cli(t, nil, "analyse", "-h"); code != 0 || !strings.Contains(errs, "towerdump") || !strings.Contains(errs, "handset") {
		t.Errorf("analyse -h: %d %s", code, errs)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown kind", []string{"--kind", "astrology"}, "want one of"},
		{"unknown parameter", []string{"--kind", "colocation", "--params", `{"windw_s": 60}`}, "unknown field"},
		{"bad JSON", []string{"--kind", "colocation", "--params", `{`}, "--params"},
		{"bad basis", []string{"--kind", "colocation", "--params", `{"basis":"vibes"}`}, "basis"},
		{"bad area width", []string{"--kind", "colocation", "--params", `{"basis":"service-area","area_width_deg":400}`}, "area width"},
		{"negative window", []string{"--kind", "colocation", "--params", `{"window_s":-5}`}, "--params"},
		{"tower dump without scenes", []string{"--kind", "towerdump"}, "give the scenes"},
		{"tower dump scene backwards", []string{"--kind", "towerdump", "--params", `{"scenes":[{"name":"A","cells":["234-30-1"],"from":"2026-03-02T00:00:00Z","to":"2026-03-01T00:00:00Z"}]}`}, "from before to"},
		{"target not in case", []string{"--kind", "timeline", "--targets", "07700900999"}, "no events of target +447700900999"},
		{"bad target", []string{"--kind", "timeline", "--targets", "not-a-number"}, "--targets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := cli(t, nil, append([]string{"analyse", "--data", d, "--case", "OP-TEST"}, tt.args...)...)
			if code == 0 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, %q; want failure containing %q", code, errs, tt.want)
			}
		})
	}
	code, out, _ = cli(t, nil, "analyses", "--data", d, "--case", "OP-TEST")
	if code != 0 || strings.Count(out, "\n") != 8 || !strings.Contains(out, "colocation") || strings.Contains(out, "towerdump") {
		t.Errorf("analyses: %d\n%s", code, out)
	}
	code, out, _ = cli(t, nil, "analyses", "--data", d, "--case", "OP-TEST", "--show", "1")
	if code != 0 || !strings.HasPrefix(out, `{"format":"cellsite-analysis/v1"`) {
		t.Errorf("analyses --show 1: %d %.200s", code, out)
	}
	if code, _, errs := cli(t, nil, "verify", "--data", d); code != 0 {
		t.Errorf("verify: %s", errs)
	}
}

// TestAnalyseFindsPlantedMeetings runs each shipped scenario that plants
// meetings, at the default seed, through ingest and a co-location analysis
// with default parameters, as an analyst would: every pair of phones at
// every planted meeting must be found together during it.
func TestAnalyseFindsPlantedMeetings(t *testing.T) {
	for _, scenario := range []string{"meeting", "gang"} {
		t.Run(scenario, func(t *testing.T) {
			d, raw := synthCaseOf(t, "--scenario", scenario)
			var truth synth.Truth
			b, _ := json.Marshal(raw)
			if err := json.Unmarshal(b, &truth); err != nil {
				t.Fatal(err)
			}
			if truth.Seed != 1 || len(truth.Meetings) == 0 {
				t.Fatalf("scenario %s seed %d: %d meetings; want the default seed 1 and planted meetings", scenario, truth.Seed, len(truth.Meetings))
			}
			code, out, errs := cli(t, nil, "analyse", "--data", d, "--case", "OP-TEST", "--kind", "colocation", "--json")
			if code != 0 {
				t.Fatalf("analyse: %s", errs)
			}
			var doc struct {
				Result analysis.Colocation `json:"result"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("result is not JSON: %v", err)
			}
			if got, want := doc.Result.Params, (analysis.ColocationParams{}).Defaults(); got != want {
				t.Errorf("parameters %+v, want the defaults %+v", got, want)
			}
			pairs, found := 0, 0
			for n, m := range truth.Meetings {
				for x, a := range m.Phones {
					for _, b := range m.Phones[x+1:] {
						pairs++
						if slices.ContainsFunc(doc.Result.Together, func(ep analysis.ColocationEpisode) bool {
							return (ep.A == a && ep.B == b || ep.A == b && ep.B == a) && !ep.Start.After(m.End) && !ep.End.Before(m.Start)
						}) {
							found++
							continue
						}
						t.Errorf("meeting %d (%s to %s): %s and %s not found together", n+1, m.Start.Format(time.RFC3339), m.End.Format(time.RFC3339), a, b)
					}
				}
			}
			t.Logf("%s seed 1: %d of %d planted meeting pairs found; %d together episodes", scenario, found, pairs, len(doc.Result.Together))
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
