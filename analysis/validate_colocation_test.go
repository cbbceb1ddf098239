package analysis_test

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/synth"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The validation corpus of co-location and tower dumps: synthetic
// scenarios with planted meetings (see docs/validation/colocation.md and
// docs/validation/towerdump.md).
var validationCorpus = []struct {
	scenario string
	seed     uint64
	// maxFalse bounds the "together" episodes, with default parameters,
	// that overlap no planted meeting of both phones. They are mostly
	// real co-locations of the synthetic people (neighbours, shared
	// haunts), not errors: the bound, the measured count plus a margin,
	// guards against a change of method that would multiply them.
	maxFalse int
	// missed lists the planted meetings (by number from 1) and pairs of
	// phones that default parameters do not find, each explained in
	// docs/validation/colocation.md: the test fails if one is found as
	// well as if another is missed, so that the record stays true.
	missed []string
	// dumpExtra lists the numbers a tower dump of every cell within
	// dumpRadiusM of a meeting place sees there although they did not
	// attend, as "meeting number": explained in docs/validation/towerdump.md.
	dumpExtra []string
}{
	{"meeting", 1, 2, nil, nil},
	{"meeting", 2, 2, nil, nil},
	{"meeting", 3, 2, nil, nil},
	// Meeting 3: +447700900451 (Three) was served throughout by a mast
	// 1.4 km from the meeting place, 1.36 km and 2.07 km from the masts
	// that served +447700900428 (O2) and +447700900209 (EE).
	// Meeting 2 took place near the home of +447700900380.
	{"gang", 1, 100, []string{"3 +447700900209 +447700900451", "3 +447700900428 +447700900451"}, []string{"2 +447700900380"}},
	{"gang", 2, 30, nil, nil},
	{"gang", 3, 10, nil, nil},
}

// dumpRadiusM is the radius around a meeting place within which every
// listed cell, of every network, is taken into the scene of
// TestValidateTowerDumpRadius.
const dumpRadiusM = 1500

// wideDistanceM is the nearby distance with which every planted meeting of
// the corpus is found (TestValidateColocationWide).
const wideDistanceM = 2500

// locatedScenario returns a scenario's events resolved against its cell
// lists, and its truth.
func locatedScenario(t testing.TB, scenario string, seed uint64) ([]analysis.Located, synth.Truth) {
	t.Helper()
	events, cells, truth := loadScenario(t, scenario, seed)
	located, unresolved := analysis.Resolve(events, analysis.NewCellIndex(cells))
	if len(unresolved) != 0 {
		t.Errorf("%s seed %d: %d cells did not resolve, e.g. %+v", scenario, seed, len(unresolved), unresolved[0])
	}
	return located, truth
}

func phonesOf(truth synth.Truth) []string {
	var out []string
	for _, p := range truth.Phones {
		out = append(out, p.MSISDN)
	}
	return out
}

func overlaps(ep analysis.ColocationEpisode, from, to time.Time) bool {
	return !ep.Start.After(to) && !ep.End.Before(from)
}

func pairKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + " " + b
}

// meetingPairs returns, for each planted meeting, each pair of its
// phones as "n a b" (n the meeting's number from 1, a before b).
func meetingPairs(truth synth.Truth) []string {
	var out []string
	for n, m := range truth.Meetings {
		for x, a := range m.Phones {
			for _, b := range m.Phones[x+1:] {
				out = append(out, fmt.Sprintf("%d %s", n+1, pairKey(a, b)))
			}
		}
	}
	return out
}

// score returns the meeting pairs that no "together" episode of the pair
// overlaps, and the episodes that overlap no planted meeting of both
// their phones.
func score(truth synth.Truth, r analysis.Colocation) (missed []string, unplanted []analysis.ColocationEpisode) {
	for n, m := range truth.Meetings {
		for x, a := range m.Phones {
			for _, b := range m.Phones[x+1:] {
				if !slices.ContainsFunc(r.Together, func(ep analysis.ColocationEpisode) bool {
					return pairKey(ep.A, ep.B) == pairKey(a, b) && overlaps(ep, m.Start, m.End)
				}) {
					missed = append(missed, fmt.Sprintf("%d %s", n+1, pairKey(a, b)))
				}
			}
		}
	}
	for _, ep := range r.Together {
		if !slices.ContainsFunc(truth.Meetings, func(m synth.Meeting) bool {
			return slices.Contains(m.Phones, ep.A) && slices.Contains(m.Phones, ep.B) && overlaps(ep, m.Start, m.End)
		}) {
			unplanted = append(unplanted, ep)
		}
	}
	slices.Sort(missed)
	return missed, unplanted
}

// trackKey names one event row of a target.
type trackKey struct {
	target string
	row    int
}

// truePositions returns where each target truly was at each of its rows,
// from the scenario's track.
func truePositions(truth synth.Truth) map[trackKey]geo.LatLon {
	targetOf := map[string]string{}
	for _, f := range truth.Files {
		targetOf[f.Path] = f.Target
	}
	where := map[trackKey]geo.LatLon{}
	for _, tp := range truth.Track {
		where[trackKey{targetOf[tp.File], tp.Row}] = geo.LatLon{Lat: tp.Lat, Lon: tp.Lon}
	}
	return where
}

// trueSeparation returns the least true distance, from the positions of
// truePositions, between the two phones at any two of an episode's events
// within the window of each other.
func trueSeparation(where map[trackKey]geo.LatLon, located []analysis.Located, ep analysis.ColocationEpisode) float64 {
	best := math.Inf(1)
	for _, a := range ep.EventsA {
		for _, b := range ep.EventsB {
			if d := a.Start.Sub(b.Start); d < -time.Duration(ep.Params.WindowS)*time.Second || d > time.Duration(ep.Params.WindowS)*time.Second {
				continue
			}
			pa, oka := where[trackKey{ep.A, located[a.Index].Row}]
			pb, okb := where[trackKey{ep.B, located[b.Index].Row}]
			if oka && okb {
				best = math.Min(best, geo.Distance(pa, pb))
			}
		}
	}
	return best
}

// precision is the share of together episodes that overlap a planted
// meeting of both their phones.
func precision(together, unplanted int) string {
	if together == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(together-unplanted)/float64(together))
}

// TestValidateColocation checks Colocate with default parameters against
// the planted meetings: every meeting is found between every pair of its
// phones (recall), save the misses the corpus records; the episodes that
// overlap no planted meeting stay within the corpus's bound; and no pair
// of a meeting's phones is found apart during it.
func TestValidateColocation(t *testing.T) {
	for _, c := range validationCorpus {
		t.Run(fmt.Sprintf("%s/%d", c.scenario, c.seed), func(t *testing.T) {
			located, truth := locatedScenario(t, c.scenario, c.seed)
			if len(truth.Meetings) == 0 {
				t.Fatal("the scenario plants no meeting")
			}
			start := time.Now()
			got := analysis.Colocate(located, phonesOf(truth), analysis.ColocationParams{})
			elapsed := time.Since(start)

			missed, unplanted := score(truth, got)
			if diff := cmp.Diff(c.missed, missed, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("planted meetings not found (-recorded +now):\n%s", diff)
			}
			var within500, within1000, within2000, beyond int
			where := truePositions(truth)
			for _, ep := range unplanted {
				switch d := trueSeparation(where, located, ep); {
				case d < 500:
					within500++
				case d < 1000:
					within1000++
				case d < 2000:
					within2000++
				default:
					beyond++
				}
			}
			pairs := len(meetingPairs(truth))
			t.Logf("recall %d/%d; together episodes %d, overlapping no planted meeting %d (bound %d), precision %s: phones truly <0.5 km apart %d, 0.5-1 km %d, 1-2 km %d, >=2 km %d; apart episodes %d; %v",
				pairs-len(missed), pairs, len(got.Together), len(unplanted), c.maxFalse, precision(len(got.Together), len(unplanted)),
				within500, within1000, within2000, beyond, len(got.Apart), elapsed)
			if len(unplanted) > c.maxFalse {
				t.Errorf("%d episodes overlap no planted meeting: more than the bound %d", len(unplanted), c.maxFalse)
			}
			for _, m := range truth.Meetings {
				for _, ep := range got.Apart {
					if slices.Contains(m.Phones, ep.A) && slices.Contains(m.Phones, ep.B) && overlaps(ep, m.Start, m.End) {
						t.Errorf("%s and %s found apart during their meeting: %v-%v", ep.A, ep.B, ep.Start, ep.End)
					}
				}
			}
		})
	}
}

// TestValidateColocationWide checks that with the nearby distance widened
// to wideDistanceM every planted meeting of the corpus is found.
func TestValidateColocationWide(t *testing.T) {
	for _, c := range validationCorpus {
		t.Run(fmt.Sprintf("%s/%d", c.scenario, c.seed), func(t *testing.T) {
			located, truth := locatedScenario(t, c.scenario, c.seed)
			got := analysis.Colocate(located, phonesOf(truth), analysis.ColocationParams{DistanceM: wideDistanceM})
			missed, unplanted := score(truth, got)
			if len(missed) > 0 {
				t.Errorf("not found at %v m: %v", wideDistanceM, missed)
			}
			t.Logf("at %v m: recall %d/%d; episodes overlapping no planted meeting %d",
				wideDistanceM, len(meetingPairs(truth))-len(missed), len(meetingPairs(truth)), len(unplanted))
		})
	}
}

// togetherShape returns what a rule's episodes share with Colocate's:
// each together episode's targets, span, pairs and evidential events.
func togetherShape(r analysis.Colocation) []string {
	var out []string
	for _, ep := range r.Together {
		var a, b []int
		for _, e := range ep.EventsA {
			a = append(a, e.Index)
		}
		for _, e := range ep.EventsB {
			b = append(b, e.Index)
		}
		out = append(out, fmt.Sprintf("%s %s %s-%s pairs %d events %v %v", ep.A, ep.B, ep.Start.Format(time.RFC3339), ep.End.Format(time.RFC3339), ep.Pairs, a, b))
	}
	return out
}

var sweepFlag = flag.Bool("colocation.sweep", false, "measure co-location recall, unplanted episodes and precision over seeds 1-10 for several bases, distances and service-area rules")

// sweepSetting is one way of deciding "together" that TestColocationSweep
// measures: a basis of Colocate with its parameters, or (rule set) a
// service-area rule of validate_areas_test.go, built for each scenario's
// cell list.
type sweepSetting struct {
	name   string
	params analysis.ColocationParams
	rule   func(m *mastMap) pairRule
}

// sweepTotal is a setting's outcome over the corpus.
type sweepTotal struct {
	found, pairs, found3, pairs3 int // meeting pairs found, of all; and on seeds 1-3
	together, unplanted, far     int // far: unplanted with the phones truly 2 km or more apart
	unplanted3                   int
}

// TestColocationSweep measures, when run with -colocation.sweep, recall,
// unplanted episodes and precision over a wider corpus (seeds 1 to 10 of
// both scenarios) for each basis, several nearby distances and sector
// radii, and the service-area rules investigated (validate_areas_test.go):
// the tables of docs/validation/colocation.md §5.2 and §5.3. The rules
// are checked against Colocate on its own basis first.
func TestColocationSweep(t *testing.T) {
	if !*sweepFlag {
		t.Skip("run with -colocation.sweep")
	}
	settings := []sweepSetting{{name: "cell", params: analysis.ColocationParams{Basis: analysis.BasisCell}}, {name: "site", params: analysis.ColocationParams{Basis: analysis.BasisSite}}}
	for _, d := range []float64{500, 1000, 1500, 2000, 2500, 3000, 4000} {
		settings = append(settings, sweepSetting{name: fmt.Sprintf("nearby %.0f m", d), params: analysis.ColocationParams{Basis: analysis.BasisNearby, DistanceM: d, ApartM: 10000}})
	}
	for _, r := range []float64{2000, 3000, 4000} {
		settings = append(settings, sweepSetting{name: fmt.Sprintf("sector %.0f m", r), params: analysis.ColocationParams{Basis: analysis.BasisSector, SectorRadiusM: r, ApartM: 10000}})
	}
	perRun := len(settings) // the per-run table has the bases only
	for _, d := range []struct {
		k int
		f float64
	}{{1, 0.5}, {1, 1}, {2, 0.5}, {2, 1}, {3, 1}} {
		settings = append(settings, sweepSetting{name: fmt.Sprintf("discs, %.2g × distance to neighbour %d", d.f, d.k), rule: func(m *mastMap) pairRule { return discRule(m, d.k, d.f) }})
	}
	for _, s := range []struct {
		width, back float64
	}{{120, 0}, {120, 0.1}, {120, 0.25}, {180, 0.25}} {
		settings = append(settings, sweepSetting{name: fmt.Sprintf("sectors %.0f°, back disc %.2g, 1 × distance to neighbour 2", s.width, s.back), rule: func(m *mastMap) pairRule { return sectorAreaRule(m, 2, 1, s.width, s.back) }})
	}
	for _, k := range []int{1, 2, 4} {
		settings = append(settings, sweepSetting{name: fmt.Sprintf("serving areas: among the %d nearest masts", k), rule: func(m *mastMap) pairRule { return servingRule(m, k) }})
	}
	totals := make([]sweepTotal, len(settings))
	for _, sc := range []string{"meeting", "gang"} {
		for seed := uint64(1); seed <= 10; seed++ {
			_, cells, _ := loadScenario(t, sc, seed)
			located, truth := locatedScenario(t, sc, seed)
			masts := newMastMap(cells)
			where := truePositions(truth)
			pairs := len(meetingPairs(truth))
			line := fmt.Sprintf("| %s %d |", sc, seed)
			for n, s := range settings {
				var got analysis.Colocation
				if s.rule == nil {
					got = analysis.Colocate(located, phonesOf(truth), s.params)
				} else {
					got = ruleColocate(located, phonesOf(truth), 900, s.rule(masts))
				}
				missed, unplanted := score(truth, got)
				tot := &totals[n]
				tot.found += pairs - len(missed)
				tot.pairs += pairs
				tot.together += len(got.Together)
				tot.unplanted += len(unplanted)
				if seed <= 3 {
					tot.found3 += pairs - len(missed)
					tot.pairs3 += pairs
					tot.unplanted3 += len(unplanted)
				}
				for _, ep := range unplanted {
					if trueSeparation(where, located, ep) >= 2000 {
						tot.far++
					}
				}
				if n < perRun {
					line += fmt.Sprintf(" %d/%d, %d |", pairs-len(missed), pairs, len(unplanted))
				}
			}
			t.Log(line)
			// The rules' episodes are built as Colocate's are: on its
			// default basis, written as a rule, they are the same.
			want := analysis.Colocate(located, phonesOf(truth), analysis.ColocationParams{})
			got := ruleColocate(located, phonesOf(truth), 900, func(a, b *cellsite.Cell) bool {
				return geo.Distance(geo.LatLon{Lat: a.Lat, Lon: a.Lon}, geo.LatLon{Lat: b.Lat, Lon: b.Lon}) <= 1000
			})
			if diff := cmp.Diff(togetherShape(want), togetherShape(got)); diff != "" {
				t.Errorf("%s %d: the rule harness differs from Colocate (-Colocate +rule):\n%s", sc, seed, diff)
			}
		}
	}
	t.Log("| setting | meeting pairs found (seeds 1-10) | together episodes | unplanted | precision | unplanted, phones truly >= 2 km apart | seeds 1-3: found, unplanted |")
	for n, s := range settings {
		tot := totals[n]
		t.Logf("| %s | %d/%d | %d | %d | %s | %d | %d/%d, %d |", s.name, tot.found, tot.pairs, tot.together, tot.unplanted,
			precision(tot.together, tot.unplanted), tot.far, tot.found3, tot.pairs3, tot.unplanted3)
	}
}

// TestValidateTowerDump builds one scene per planted meeting of the gang
// scenario (the cells each phone used during it, over the meeting's
// window) and checks that the numbers seen at every scene they attended
// are exactly the meetings' phones, each with exactly its meetings.
func TestValidateTowerDump(t *testing.T) {
	for _, c := range validationCorpus {
		if c.scenario != "gang" {
			continue
		}
		t.Run(fmt.Sprintf("%s/%d", c.scenario, c.seed), func(t *testing.T) {
			located, truth := locatedScenario(t, c.scenario, c.seed)
			var scenes []analysis.Scene
			attended := map[string][]string{}
			for n, m := range truth.Meetings {
				s := analysis.Scene{Name: fmt.Sprintf("meeting %d", n+1), From: m.Start, To: m.End}
				for _, mc := range m.Cells {
					s.Cells = append(s.Cells, mc.Cells...)
				}
				scenes = append(scenes, s)
				for _, p := range m.Phones {
					attended[p] = append(attended[p], s.Name)
				}
			}
			seen := func(k int) map[string][]string {
				out := map[string][]string{}
				for _, cn := range analysis.TowerDump(located, scenes, k) {
					for _, s := range cn.Scenes {
						out[cn.Number] = append(out[cn.Number], s.Name)
					}
				}
				return out
			}
			if diff := cmp.Diff(attended, seen(1)); diff != "" {
				t.Errorf("numbers seen at the scenes (-attended +seen):\n%s", diff)
			}
			for k := 1; k <= len(scenes); k++ {
				want := map[string][]string{}
				for p, ss := range attended {
					if len(ss) >= k {
						want[p] = ss
					}
				}
				if diff := cmp.Diff(want, seen(k)); diff != "" {
					t.Errorf("k=%d (-attended +seen):\n%s", k, diff)
				}
			}
			t.Logf("%d scenes; numbers seen: %v", len(scenes), attended)
		})
	}
}

// TestValidateTowerDumpRadius builds each meeting's scene as a tower dump
// is requested: every cell of every network whose mast is within
// dumpRadiusM of the place, over the meeting's window. Every phone must be
// seen at every meeting it attended; the numbers seen where they were not
// are exactly those the corpus records.
func TestValidateTowerDumpRadius(t *testing.T) {
	for _, c := range validationCorpus {
		t.Run(fmt.Sprintf("%s/%d", c.scenario, c.seed), func(t *testing.T) {
			_, cells, _ := loadScenario(t, c.scenario, c.seed)
			located, truth := locatedScenario(t, c.scenario, c.seed)
			var scenes []analysis.Scene
			for n, m := range truth.Meetings {
				s := analysis.Scene{Name: fmt.Sprint(n + 1), From: m.Start, To: m.End}
				for _, cell := range cells {
					if geo.Distance(geo.LatLon{Lat: m.Lat, Lon: m.Lon}, geo.LatLon{Lat: cell.Lat, Lon: cell.Lon}) <= dumpRadiusM &&
						!slices.Contains(s.Cells, cell.Key) {
						s.Cells = append(s.Cells, cell.Key)
					}
				}
				scenes = append(scenes, s)
			}
			seen := map[string]bool{}
			for _, cn := range analysis.TowerDump(located, scenes, 1) {
				for _, s := range cn.Scenes {
					seen[s.Name+" "+cn.Number] = true
				}
			}
			var missed []string
			for n, m := range truth.Meetings {
				for _, p := range m.Phones {
					k := fmt.Sprintf("%d %s", n+1, p)
					if !seen[k] {
						missed = append(missed, k)
					}
					delete(seen, k)
				}
			}
			var extra []string
			for k := range seen {
				extra = append(extra, k)
			}
			slices.Sort(extra)
			if len(missed) > 0 {
				t.Errorf("attendees not seen at their meeting: %v", missed)
			}
			if diff := cmp.Diff(c.dumpExtra, extra, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("numbers seen at a meeting they did not attend (-recorded +now):\n%s", diff)
			}
			counts := make([]int, len(scenes))
			for n, s := range scenes {
				counts[n] = len(s.Cells)
			}
			t.Logf("cells per scene %v; attendees seen %d; others seen %v", counts, len(meetingAttendance(truth))-len(missed), extra)
		})
	}
}

// meetingAttendance returns "meeting number" for each phone at each
// planted meeting.
func meetingAttendance(truth synth.Truth) []string {
	var out []string
	for n, m := range truth.Meetings {
		for _, p := range m.Phones {
			out = append(out, fmt.Sprintf("%d %s", n+1, p))
		}
	}
	return out
}
