package analysis_test

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/synth"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// colocationBounds is what the validation expects of one basis on one
// run of the corpus.
type colocationBounds struct {
	// maxFalse bounds the "together" episodes that overlap no planted
	// meeting of both phones, and maxFar those of them with the phones
	// truly 2 km or more apart at every pair of their evidential events.
	// Most unplanted episodes are real co-locations of the synthetic
	// people (neighbours, shared haunts), not errors: the bounds, the
	// measured counts plus a margin, guard against a change of method
	// that would multiply them.
	maxFalse, maxFar int
	// missed lists the planted meetings (by number from 1) and pairs of
	// phones that the basis does not find, each explained in
	// docs/validation/colocation.md: the test fails if one is found as
	// well as if another is missed, so that the record stays true.
	missed []string
}

// The validation corpus of co-location and tower dumps: synthetic
// scenarios with planted meetings (see docs/validation/colocation.md and
// docs/validation/towerdump.md).
var validationCorpus = []struct {
	scenario string
	seed     uint64
	// nearby: with basis "nearby" at its defaults (1000 m).
	nearby colocationBounds
	// area: with default parameters (basis "service-area").
	area colocationBounds
	// dumpExtra lists the numbers a tower dump of every cell within
	// dumpRadiusM of a meeting place sees there although they did not
	// attend, as "meeting number": explained in docs/validation/towerdump.md.
	dumpExtra []string
}{
	{"meeting", 1, colocationBounds{2, 1, nil}, colocationBounds{2, 1, nil}, nil},
	{"meeting", 2, colocationBounds{2, 1, nil}, colocationBounds{2, 1, nil}, nil},
	{"meeting", 3, colocationBounds{2, 1, nil}, colocationBounds{2, 1, nil}, nil},
	// Meeting 3: +447700900451 (Three) was served throughout by a mast
	// 1.4 km from the meeting place, 1.36 km and 2.07 km from the masts
	// that served +447700900428 (O2) and +447700900209 (EE).
	// Meeting 2 took place near the home of +447700900380.
	{"gang", 1, colocationBounds{100, 5, []string{"3 +447700900209 +447700900451", "3 +447700900428 +447700900451"}},
		colocationBounds{230, 30, nil}, []string{"2 +447700900380"}},
	{"gang", 2, colocationBounds{30, 10, nil}, colocationBounds{200, 85, nil}, nil},
	{"gang", 3, colocationBounds{10, 3, nil}, colocationBounds{25, 5, nil}, nil},
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

// scenarioCells returns the index of a scenario's cell lists.
func scenarioCells(t testing.TB, scenario string, seed uint64) *analysis.CellIndex {
	t.Helper()
	_, cells, _ := loadScenario(t, scenario, seed)
	return analysis.NewCellIndex(cells)
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

// TestValidateColocation checks Colocate against the planted meetings,
// with default parameters (basis "service-area") and with basis "nearby"
// at its defaults (1000 m): every meeting is found between every pair of
// its phones (recall), save the misses the corpus records (none with
// default parameters); the episodes that overlap no planted meeting, and
// those of them with the phones truly 2 km or more apart, stay within the
// corpus's bounds; and no pair of a meeting's phones is found apart
// during it.
func TestValidateColocation(t *testing.T) {
	for _, c := range validationCorpus {
		if c.area.missed != nil {
			t.Errorf("%s/%d: misses recorded for the default parameters, which must find every planted meeting", c.scenario, c.seed)
		}
	}
	for _, basis := range []struct {
		name   string
		params analysis.ColocationParams
		bounds func(c int) colocationBounds
	}{
		{"defaults", analysis.ColocationParams{}, func(c int) colocationBounds { return validationCorpus[c].area }},
		{"nearby", analysis.ColocationParams{Basis: analysis.BasisNearby}, func(c int) colocationBounds { return validationCorpus[c].nearby }},
	} {
		for n, c := range validationCorpus {
			t.Run(fmt.Sprintf("%s/%s/%d", basis.name, c.scenario, c.seed), func(t *testing.T) {
				want := basis.bounds(n)
				located, truth := locatedScenario(t, c.scenario, c.seed)
				if len(truth.Meetings) == 0 {
					t.Fatal("the scenario plants no meeting")
				}
				start := time.Now()
				got := analysis.Colocate(located, phonesOf(truth), scenarioCells(t, c.scenario, c.seed), basis.params)
				elapsed := time.Since(start)

				missed, unplanted := score(truth, got)
				if diff := cmp.Diff(want.missed, missed, cmpopts.EquateEmpty()); diff != "" {
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
				t.Logf("recall %d/%d; together episodes %d, overlapping no planted meeting %d (bound %d), precision %s: phones truly <0.5 km apart %d, 0.5-1 km %d, 1-2 km %d, >=2 km %d (bound %d); apart episodes %d; %v",
					pairs-len(missed), pairs, len(got.Together), len(unplanted), want.maxFalse, precision(len(got.Together), len(unplanted)),
					within500, within1000, within2000, beyond, want.maxFar, len(got.Apart), elapsed)
				if len(unplanted) > want.maxFalse {
					t.Errorf("%d episodes overlap no planted meeting: more than the bound %d", len(unplanted), want.maxFalse)
				}
				if beyond > want.maxFar {
					t.Errorf("%d episodes overlap no planted meeting with the phones truly 2 km or more apart: more than the bound %d", beyond, want.maxFar)
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
}

// TestValidateColocationWide checks that with the nearby distance widened
// to wideDistanceM every planted meeting of the corpus is found.
func TestValidateColocationWide(t *testing.T) {
	for _, c := range validationCorpus {
		t.Run(fmt.Sprintf("%s/%d", c.scenario, c.seed), func(t *testing.T) {
			located, truth := locatedScenario(t, c.scenario, c.seed)
			got := analysis.Colocate(located, phonesOf(truth), nil, analysis.ColocationParams{Basis: analysis.BasisNearby, DistanceM: wideDistanceM})
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

var (
	sweepFlag  = flag.Bool("colocation.sweep", false, "measure co-location recall, unplanted episodes and precision over many seeds for several bases, distances and service-area rules")
	sweepSeeds = flag.String("colocation.seeds", "1-10", "with -colocation.sweep, the seeds to measure, as FIRST-LAST")
)

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
	found, pairs        int // meeting pairs found, of all
	together, unplanted int
	far                 int      // unplanted with the phones truly 2 km or more apart
	pairDays            float64  // pairs of targets times days of the scenarios
	missed              []string // "scenario seed: meeting pair"
	why                 []string // for each miss, the evidence there was
	byScenario          map[string]*sweepTotal
}

// add adds one run's outcome.
func (tot *sweepTotal) add(found, pairs, together, unplanted, far int, days float64) {
	tot.found += found
	tot.pairs += pairs
	tot.together += together
	tot.unplanted += unplanted
	tot.far += far
	tot.pairDays += days
}

// row returns the totals as a row of the sweep's table.
func (tot *sweepTotal) row(name string) string {
	return fmt.Sprintf("| %s | %d/%d | %d | %d | %s | %d | %s, %s |", name, tot.found, tot.pairs, tot.together, tot.unplanted,
		precision(tot.together, tot.unplanted), tot.far, perHundred(tot.unplanted, tot.pairDays), perHundred(tot.far, tot.pairDays))
}

// targetPairDays returns the number of pairs of a scenario's phones times
// the days of its period.
func targetPairDays(truth synth.Truth) float64 {
	n := float64(len(truth.Phones))
	return n * (n - 1) / 2 * truth.End.Sub(truth.Epoch).Hours() / 24
}

// perHundred returns n per 100 of d, as text.
func perHundred(n int, d float64) string { return fmt.Sprintf("%.1f", 100*float64(n)/d) }

// TestColocationSweep measures, when run with -colocation.sweep, recall,
// unplanted episodes and precision over a wider corpus (the seeds of
// -colocation.seeds, 1 to 10 unless told, of both scenarios with planted
// meetings) for each basis, several nearby distances and sector radii,
// basis "service-area" with its defaults, and the service-area rules
// investigated (validate_areas_test.go): the tables of
// docs/validation/colocation.md §5. The rules are checked against
// Colocate on basis "nearby" first.
func TestColocationSweep(t *testing.T) {
	if !*sweepFlag {
		t.Skip("run with -colocation.sweep")
	}
	var first, last uint64
	if _, err := fmt.Sscanf(*sweepSeeds, "%d-%d", &first, &last); err != nil || first < 1 || last < first {
		t.Fatalf("-colocation.seeds %q: want FIRST-LAST", *sweepSeeds)
	}
	settings := []sweepSetting{{name: "cell", params: analysis.ColocationParams{Basis: analysis.BasisCell}}, {name: "site", params: analysis.ColocationParams{Basis: analysis.BasisSite}}}
	for _, d := range []float64{500, 1000, 1500, 2000, 2500, 3000, 4000} {
		settings = append(settings, sweepSetting{name: fmt.Sprintf("nearby %.0f m", d), params: analysis.ColocationParams{Basis: analysis.BasisNearby, DistanceM: d, ApartM: 10000}})
	}
	for _, r := range []float64{2000, 3000, 4000} {
		settings = append(settings, sweepSetting{name: fmt.Sprintf("sector %.0f m", r), params: analysis.ColocationParams{Basis: analysis.BasisSector, SectorRadiusM: r, ApartM: 10000}})
	}
	settings = append(settings, sweepSetting{name: "service-area (its defaults)", params: analysis.ColocationParams{Basis: analysis.BasisServiceArea}})
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
	var withPairs sweepTotal // meeting pairs with a pair of placed events within 15 minutes that meets the meeting
	header := "| run |"
	for _, s := range settings[:perRun] {
		header += " " + s.name + " |"
	}
	t.Log(header)
	for _, sc := range []string{"meeting", "gang"} {
		for seed := first; seed <= last; seed++ {
			_, cells, _ := loadScenario(t, sc, seed)
			located, truth := locatedScenario(t, sc, seed)
			ix := analysis.NewCellIndex(cells)
			masts := newMastMap(cells)
			where := truePositions(truth)
			pairs := len(meetingPairs(truth))
			days := targetPairDays(truth)
			line := fmt.Sprintf("| %s %d |", sc, seed)
			for n, s := range settings {
				var got analysis.Colocation
				if s.rule == nil {
					got = analysis.Colocate(located, phonesOf(truth), ix, s.params)
				} else {
					got = ruleColocate(located, phonesOf(truth), 900, s.rule(masts))
				}
				missed, unplanted := score(truth, got)
				tot := &totals[n]
				for _, m := range missed {
					tot.missed = append(tot.missed, fmt.Sprintf("%s %d: %s", sc, seed, m))
					tot.why = append(tot.why, fmt.Sprintf("%s %d: %s: %s", sc, seed, m, explainMiss(located, truth, masts, m)))
				}
				far := 0
				for _, ep := range unplanted {
					if trueSeparation(where, located, ep) >= 2000 {
						far++
					}
				}
				tot.add(pairs-len(missed), pairs, len(got.Together), len(unplanted), far, days)
				if tot.byScenario == nil {
					tot.byScenario = map[string]*sweepTotal{}
				}
				if tot.byScenario[sc] == nil {
					tot.byScenario[sc] = &sweepTotal{}
				}
				tot.byScenario[sc].add(pairs-len(missed), pairs, len(got.Together), len(unplanted), far, days)
				if n < perRun {
					line += fmt.Sprintf(" %d/%d, %d |", pairs-len(missed), pairs, len(unplanted))
				}
			}
			t.Log(line)
			for _, m := range meetingPairs(truth) {
				withPairs.pairs++
				if !strings.Contains(explainMiss(located, truth, masts, m), "; 0 pairs within") {
					withPairs.found++
				}
			}
			// The rules' episodes are built as Colocate's are: on basis
			// "nearby", written as a rule, they are the same.
			want := analysis.Colocate(located, phonesOf(truth), nil, analysis.ColocationParams{Basis: analysis.BasisNearby})
			got := ruleColocate(located, phonesOf(truth), 900, func(a, b *cellsite.Cell) bool {
				return geo.Distance(geo.LatLon{Lat: a.Lat, Lon: a.Lon}, geo.LatLon{Lat: b.Lat, Lon: b.Lon}) <= 1000
			})
			if diff := cmp.Diff(togetherShape(want), togetherShape(got)); diff != "" {
				t.Errorf("%s %d: the rule harness differs from Colocate (-Colocate +rule):\n%s", sc, seed, diff)
			}
		}
	}
	t.Logf("Totals over seeds %d-%d of meeting and gang:", first, last)
	t.Logf("Meeting pairs with at least one pair of placed events within 15 minutes whose span meets the meeting: %d/%d", withPairs.found, withPairs.pairs)
	t.Log("| setting | meeting pairs found | together episodes | unplanted | precision | unplanted, phones truly >= 2 km apart | per 100 target-pair-days: unplanted, >= 2 km apart |")
	for n, s := range settings {
		t.Log(totals[n].row(s.name))
	}
	t.Log("By scenario:")
	for n, s := range settings {
		if s.rule == nil && (s.params.Basis == analysis.BasisServiceArea || s.params.DistanceM == 1000) {
			for _, sc := range []string{"meeting", "gang"} {
				t.Log(totals[n].byScenario[sc].row(s.name + ", " + sc))
			}
		}
	}
	for n, s := range settings {
		if s.rule == nil && (s.params.Basis == analysis.BasisServiceArea || s.params.DistanceM == 1000) {
			t.Logf("%s: %d meeting pairs not found:", s.name, len(totals[n].missed))
			for _, w := range totals[n].why {
				t.Log("  " + w)
			}
		}
	}
}

// explainMiss describes the evidence of a meeting pair ("n a b", as
// meetingPairs gives them) that was not found: the pairs of the two
// phones' placed events within 15 minutes of each other whose span meets
// the meeting, and for the closest of them (by mast distance), each
// cell's mast distance from the meeting place, its bearing to the place
// off the cell's azimuth, and its service radius (2nd nearest other mast
// of its network).
func explainMiss(located []analysis.Located, truth synth.Truth, masts *mastMap, miss string) string {
	var n int
	var a, b string
	if _, err := fmt.Sscanf(miss, "%d %s %s", &n, &a, &b); err != nil {
		return err.Error()
	}
	m := truth.Meetings[n-1]
	place := geo.LatLon{Lat: m.Lat, Lon: m.Lon}
	const window = 900 * time.Second
	type pair struct {
		ca, cb cellsite.Cell
		d      float64
	}
	var ps []pair
	during := func(target string) (k int) {
		for i := range located {
			if located[i].Target == target && located[i].DuplicateOf == 0 && !located[i].Start.Before(m.Start) && !located[i].Start.After(m.End) {
				k++
			}
		}
		return k
	}
	for i := range located {
		ca, ok := located[i].Where()
		if located[i].Target != a || !ok || located[i].DuplicateOf != 0 {
			continue
		}
		for j := range located {
			cb, ok := located[j].Where()
			if located[j].Target != b || !ok || located[j].DuplicateOf != 0 {
				continue
			}
			ti, tj := located[i].Start, located[j].Start
			if d := tj.Sub(ti); d < -window || d > window {
				continue
			}
			s, e := ti, tj
			if e.Before(s) {
				s, e = e, s
			}
			if s.After(m.End) || e.Before(m.Start) {
				continue
			}
			ps = append(ps, pair{ca, cb, geo.Distance(geo.LatLon{Lat: ca.Lat, Lon: ca.Lon}, geo.LatLon{Lat: cb.Lat, Lon: cb.Lon})})
		}
	}
	out := fmt.Sprintf("events during the meeting %d and %d; %d pairs within 15 min", during(a), during(b), len(ps))
	if len(ps) == 0 {
		return out
	}
	sort.SliceStable(ps, func(x, y int) bool { return ps[x].d < ps[y].d })
	cell := func(c cellsite.Cell) string {
		mast := geo.LatLon{Lat: c.Lat, Lon: c.Lon}
		o, q := toXY(c.Lat, c.Lon), toXY(place.Lat, place.Lon)
		off := math.Mod(math.Abs(math.Atan2(q.x-o.x, q.y-o.y)*180/math.Pi-c.AzimuthDeg), 360)
		off = math.Min(off, 360-off)
		return fmt.Sprintf("%s %.2f km from the place, %.0f° off its azimuth, radius %.2f km", c.Key, geo.Distance(mast, place)/1000, off, masts.radius(&c, 2, 1)/1000)
	}
	return fmt.Sprintf("%s; closest masts %.2f km apart: %s; %s", out, ps[0].d/1000, cell(ps[0].ca), cell(ps[0].cb))
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
