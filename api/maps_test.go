package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/cellsite/cellsite/store"
)

// TestMaps reads a case's maps as the web interface does: the list, then
// one map's GeoJSON, with wedges and numbered events; and the roles that
// may not.
func TestMaps(t *testing.T) {
	e := newEnv(t, envOptions{})
	sc := meetingScenario(t)
	ana := e.newUser("ana", store.RoleAnalyst)
	pros := e.newUser("pros", store.RoleProsecutor)
	other := e.newUser("other", store.RoleAnalyst)
	e.seedCase("OP-MAPS", sc, "ana", "pros")

	type mapList struct {
		Maps []struct {
			ID      int
			Title   string
			Targets []string
			Events  int
		}
		CellLists           []struct{ Name string } `json:"cell_lists"`
		LocalBasis          bool                    `json:"local_basis"`
		Colocation          int64
		DefaultBeamwidthDeg float64 `json:"default_beamwidth_deg"`
	}
	var before mapList
	ana.must("GET", "/cases/OP-MAPS/maps", nil, http.StatusOK, &before)
	targets := len(sc.files("cdr")) // one phone per file
	if len(before.Maps) != targets || before.Colocation != 0 {
		t.Fatalf("before co-location: %d maps (colocation %d), want one per target (%d)", len(before.Maps), before.Colocation, targets)
	}
	if len(before.CellLists) != len(sc.files("cells")) || before.DefaultBeamwidthDeg != 120 {
		t.Errorf("cell lists %v, default beamwidth %v", before.CellLists, before.DefaultBeamwidthDeg)
	}

	j := startedJob(t, ana.do("POST", "/cases/OP-MAPS/analyses", map[string]any{"kind": "colocation"}))
	var an struct{ ID int64 }
	ana.succeed(j.ID, &an)
	var after mapList
	ana.must("GET", "/cases/OP-MAPS/maps", nil, http.StatusOK, &after)
	if after.Colocation != an.ID || len(after.Maps) <= targets {
		t.Fatalf("after co-location %d: %d maps from analysis %d", an.ID, len(after.Maps), after.Colocation)
	}
	for i, m := range after.Maps {
		if m.ID != i+1 || m.Events == 0 || m.Title == "" {
			t.Errorf("map %d: %+v", i+1, m)
		}
	}
	last := after.Maps[len(after.Maps)-1]
	if !strings.HasPrefix(last.Title, "Co-location episode") || len(last.Targets) != 2 {
		t.Errorf("last map %+v: want a co-location episode of two targets", last)
	}

	r := ana.must("GET", "/cases/OP-MAPS/maps/"+strconv.Itoa(last.ID), nil, http.StatusOK, nil)
	if ct := r.header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var fc struct {
		Type     string
		Features []struct {
			Geometry   *struct{ Type string }
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(r.body, &fc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range fc.Features {
		kinds[f.Properties["kind"].(string)]++
		if f.Properties["map"] != float64(last.ID) {
			t.Errorf("feature of map %v in map %d", f.Properties["map"], last.ID)
		}
	}
	if fc.Type != "FeatureCollection" || kinds["wedge"] == 0 || kinds["site"] == 0 || kinds["event"] != last.Events {
		t.Errorf("map %d: %v features, want sites, wedges and %d events", last.ID, kinds, last.Events)
	}

	// Who may not: a prosecutor (a member: 403), a non-member (404), a map
	// that does not exist (404). Each is audited.
	r = pros.do("GET", "/cases/OP-MAPS/maps", nil)
	if r.status != http.StatusForbidden {
		t.Errorf("prosecutor: %s", r)
	}
	e.audited(r, "pros", "OP-MAPS", "maps.read", "denied")
	r = other.do("GET", "/cases/OP-MAPS/maps/1", nil)
	if r.status != http.StatusNotFound {
		t.Errorf("non-member: %s", r)
	}
	e.audited(r, "other", "OP-MAPS", "maps.read", "not-found")
	for _, id := range []string{"0", "999", "x"} {
		if r := ana.do("GET", "/cases/OP-MAPS/maps/"+id, nil); r.status != http.StatusNotFound {
			t.Errorf("map %s: %s", id, r)
		}
	}
}
