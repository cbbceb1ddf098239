package analysis_test

import (
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/geo"
	"github.com/cellsite/cellsite/synth"
)

// Validation of timeline, pattern of life, contacts, attribution and data
// sessions against the ground truth of the synthetic scenarios meeting and
// gang, seeds 1 to 3. The measurements are logged (go test -v -run
// TestValidation ./analysis) and recorded in docs/validation/.

// lifeCorpus is the scenarios and seeds validated.
var lifeCorpus = []struct {
	scenario string
	seed     uint64
}{{"meeting", 1}, {"meeting", 2}, {"meeting", 3}, {"gang", 1}, {"gang", 2}, {"gang", 3}}

// servingSites is how many masts of a phone's network, nearest a place,
// can serve a phone there in the generator's radio model (synth: one of
// the four nearest sites, weighted towards the nearest).
const servingSites = 4

// gangContacts are the pairs of gang phones (by label) planted to call and
// message each other (synth/scenarios.go, runGang: "Calls and messages
// among them"); calls arranging the meetings and the call chains, which
// the truth records, add to them.
var gangContacts = [][2]string{{"phone1", "phone2"}, {"phone2", "phone3"}, {"phone3", "phone4"}, {"phone1", "phone5"}, {"phone2", "phone4"}, {"phone4", "phone5"}, {"phone1", "phone3"}}

// gangCommon are the gang phones planted to call one common number
// (synth/scenarios.go, runGang: "A number all but one of them call").
var gangCommon = []string{"phone1", "phone2", "phone4", "phone5"}

// placeCheck is how a candidate place compares with the planted one.
type placeCheck struct {
	found bool
	// served: the candidate is one of the cells that served the phone at
	// the place (the truth's served list); top: it is the cell that
	// served most of the phone's events that started there (from the
	// track), one of them on equal counts.
	served, top     bool
	exact, sameSite bool    // the truth's best server of the place, or a cell of its mast
	rank            int     // of the candidate's mast among the masts nearest the place; 0 when not among the first 10
	offM            float64 // from the candidate's mast to the planted cell's mast
	servedCells     int     // cells in the truth's served list
}

func (c placeCheck) String() string {
	if !c.found {
		return "none"
	}
	return fmt.Sprintf("served-there=%v (%d cells) most-served=%v exact=%v same-site=%v rank=%d off=%.0fm",
		c.served, c.servedCells, c.top, c.exact, c.sameSite, c.rank, c.offM)
}

// placeTally counts the outcomes of candidates over the corpus.
type placeTally struct{ served, top, exact, site, nearest outcomeTally }

func (t *placeTally) add(c placeCheck) {
	t.served.add(c.served)
	t.top.add(c.top)
	t.exact.add(c.exact)
	t.site.add(c.sameSite)
	t.nearest.add(c.rank >= 1 && c.rank <= servingSites)
}

func (t placeTally) String() string {
	return fmt.Sprintf("served the phone there %s, the cell that served most events there %s, exact cell %s, same site %s, one of the %d masts nearest the place %s",
		t.served, t.top, t.exact, t.site, servingSites, t.nearest)
}

// mostServedAt returns the cells that served most of a phone's events that
// started at a planted place (first cells, from the track), several on
// equal counts.
func mostServedAt(tr *synth.Truth, msisdn string, pl synth.Place) []string {
	file := map[string]string{}
	for _, f := range tr.Files {
		file[f.Path] = f.Target
	}
	count := map[string]int{}
	most := 0
	for _, tp := range tr.Track {
		if file[tp.File] == msisdn && tp.Lat == pl.Lat && tp.Lon == pl.Lon && tp.Cell != "" && tp.DuplicateOf == 0 {
			count[tp.Cell]++
			most = max(most, count[tp.Cell])
		}
	}
	var out []string
	for c, n := range count {
		if n == most {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// checkPlace compares a phone's candidate with its planted place.
func checkPlace(cells []cellsite.Cell, tr *synth.Truth, ph synth.Phone, pl synth.Place, c analysis.PatternCandidate) placeCheck {
	if !c.Found {
		return placeCheck{servedCells: len(pl.Served)}
	}
	mast := geo.LatLon{Lat: c.Lat, Lon: c.Lon}
	r := placeCheck{found: true, exact: c.Cell == pl.Cell, offM: geo.Distance(mast, geo.LatLon{Lat: pl.SiteLat, Lon: pl.SiteLon}),
		served: slices.Contains(pl.Served, c.Cell), servedCells: len(pl.Served), top: slices.Contains(mostServedAt(tr, ph.MSISDN, pl), c.Cell)}
	r.sameSite = r.offM <= 50
	for i, s := range nearestMasts(cells, ph.Network, geo.LatLon{Lat: pl.Lat, Lon: pl.Lon}, 10) {
		if geo.Distance(s, mast) <= 50 {
			r.rank = i + 1
			break
		}
	}
	return r
}

// nearestMasts returns the k distinct mast positions of a network's cells
// nearest p, nearest first.
func nearestMasts(cells []cellsite.Cell, network string, p geo.LatLon, k int) []geo.LatLon {
	type m struct {
		pos geo.LatLon
		d   float64
	}
	seen := map[geo.LatLon]bool{}
	var ms []m
	for _, c := range cells {
		pos := geo.LatLon{Lat: c.Lat, Lon: c.Lon}
		if !strings.HasPrefix(c.Key, network+"-") || seen[pos] {
			continue
		}
		seen[pos] = true
		ms = append(ms, m{pos, geo.Distance(p, pos)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].d < ms[j].d })
	out := make([]geo.LatLon, 0, k)
	for i := 0; i < k && i < len(ms); i++ {
		out = append(out, ms[i].pos)
	}
	return out
}

// outcomeTally counts outcomes over the corpus.
type outcomeTally struct{ n, ok int }

func (t *outcomeTally) add(ok bool) {
	t.n++
	if ok {
		t.ok++
	}
}

func (t outcomeTally) String() string { return fmt.Sprintf("%d/%d", t.ok, t.n) }

func TestValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests six synthetic scenarios")
	}
	var home, work placeTally
	for _, run := range lifeCorpus {
		name := fmt.Sprintf("%s/seed%d", run.scenario, run.seed)
		t.Run(name, func(t *testing.T) {
			events, cells, truth := loadScenario(t, run.scenario, run.seed)
			located, unresolved := analysis.Resolve(events, analysis.NewCellIndex(cells))
			label := map[string]string{}
			var targets []string
			for _, ph := range truth.Phones {
				label[ph.MSISDN] = ph.Label
				targets = append(targets, ph.MSISDN)
			}
			line := func(format string, args ...any) { t.Log(name + ": " + fmt.Sprintf(format, args...)) }

			t.Run("home and work", func(t *testing.T) {
				checkCandidates(t, located, cells, &truth, &home, &work, line)
			})

			t.Run("handset and SIM swaps", func(t *testing.T) {
				at := analysis.Attribution(events, analysis.AttributionParams{})
				subs := map[string]*analysis.Subscriber{}
				for i := range at.Subscribers {
					subs[at.Subscribers[i].MSISDN] = &at.Subscribers[i]
				}
				explained := 0
				for _, sw := range truth.HandsetSwaps {
					found := false
					for _, c := range subs[sw.MSISDN].HandsetSwaps {
						if sameHandset(c.From, sw.IMEIFrom) && sameHandset(c.To, sw.IMEITo) && c.LastBefore.Before(sw.At) && !c.FirstAfter.Before(sw.At) {
							found = true
							line("handset swap %s found: %s→%s between %s and %s (planted %s)", label[sw.MSISDN], c.From, c.To, c.LastBefore.Format(time.RFC3339), c.FirstAfter.Format(time.RFC3339), sw.At.Format(time.RFC3339))
						}
					}
					if !found {
						t.Errorf("handset swap of %s at %s not found", label[sw.MSISDN], sw.At)
					}
				}
				// Every swap found is planted: a handset swap, or a SIM
				// going into and out of another phone's handset.
				for _, s := range at.Subscribers {
					for _, c := range s.HandsetSwaps {
						ok := false
						for _, sw := range truth.HandsetSwaps {
							ok = ok || s.MSISDN == sw.MSISDN && sameHandset(c.From, sw.IMEIFrom) && sameHandset(c.To, sw.IMEITo)
						}
						for _, sw := range truth.SIMSwaps {
							into := sameHandset(c.To, sw.IMEI) && c.LastBefore.Before(sw.From) && !c.FirstAfter.Before(sw.From)
							out := sameHandset(c.From, sw.IMEI) && c.LastBefore.Before(sw.To) && !c.FirstAfter.Before(sw.To)
							if s.MSISDN == sw.MSISDN && (into || out) {
								ok = true
								explained++
							}
						}
						if !ok {
							t.Errorf("%s: handset swap %s→%s at %s is not planted", label[s.MSISDN], c.From, c.To, c.FirstAfter)
						}
					}
					if len(s.SIMChanges) != 0 {
						t.Errorf("%s: %d SIM changes, none planted", label[s.MSISDN], len(s.SIMChanges))
					}
				}
				for _, sw := range truth.SIMSwaps {
					var shared *analysis.SharedID
					for i := range at.SharedHandsets {
						if sameHandset(at.SharedHandsets[i].ID, sw.IMEI) {
							shared = &at.SharedHandsets[i]
						}
					}
					if shared == nil {
						t.Errorf("SIM swap of %s into %s's handset not found", label[sw.MSISDN], label[sw.Owner])
						continue
					}
					var users []string
					for _, u := range shared.Users {
						users = append(users, label[u.MSISDN])
						if u.MSISDN != sw.MSISDN {
							continue
						}
						if u.First.Before(sw.From) || !u.Last.Before(sw.To) {
							t.Errorf("SIM swap of %s: used %s to %s, planted %s to %s", label[sw.MSISDN], u.First, u.Last, sw.From, sw.To)
						}
						line("SIM swap %s in %s's handset found: used %s to %s (%d events; planted %s to %s)", label[sw.MSISDN], label[sw.Owner],
							u.First.Format(time.RFC3339), u.Last.Format(time.RFC3339), u.Events, sw.From.Format(time.RFC3339), sw.To.Format(time.RFC3339))
					}
					slices.Sort(users)
					want := []string{label[sw.MSISDN], label[sw.Owner]}
					slices.Sort(want)
					if !slices.Equal(users, want) {
						t.Errorf("handset %s shared by %v, want %v", sw.IMEI, users, want)
					}
				}
				if len(at.SharedHandsets) != len(truth.SIMSwaps) || len(at.SharedSIMs) != 0 {
					t.Errorf("%d shared handsets and %d shared SIMs, want %d and 0", len(at.SharedHandsets), len(at.SharedSIMs), len(truth.SIMSwaps))
				}
				bad := 0
				for _, c := range at.CheckDigit {
					bad += c.Events
					if c.Handset == c.IMEI {
						t.Errorf("%s: IMEI %s with a wrong check digit names no known handset", label[c.MSISDN], c.IMEI)
					}
				}
				swaps := func(r analysis.AttributionResult) int {
					n := 0
					for _, s := range r.Subscribers {
						n += len(s.HandsetSwaps)
					}
					return n
				}
				line("attribution: %d handset swaps comparing the first 14 digits of IMEIs, %d comparing whole IMEIs", swaps(at), swaps(analysis.Attribution(events, analysis.AttributionParams{DeviceDigits: 15})))
				planted := 0
				for _, f := range truth.Files {
					planted += f.Warnings[analysis.WarnIMEICheckDigit]
				}
				line("attribution: %d handset swaps and %d SIM swaps planted, all found; %d further handset swaps found, each a SIM going into or out of another phone's handset in a planted SIM swap; %d IMEIs with a wrong check digit on %d events (planted rows, duplicates included: %d), none taken for a handset swap",
					len(truth.HandsetSwaps), len(truth.SIMSwaps), explained, len(at.CheckDigit), bad, planted)
			})

			t.Run("call chains", func(t *testing.T) {
				cr := analysis.Contacts(events, targets, analysis.ContactParams{})
				for _, ch := range truth.CallChains {
					if !chainFound(cr.Chains, ch) {
						t.Errorf("call chain %s not found", chainString(ch, label))
					} else {
						line("call chain %s found", chainString(ch, label))
					}
				}
				short := analysis.Contacts(events, targets, analysis.ContactParams{WindowS: 900})
				for _, ch := range truth.CallChains {
					if !chainFound(short.Chains, ch) {
						t.Errorf("call chain %s not found with WindowS 900", chainString(ch, label))
					}
				}
				line("call chains: %d planted, %d found with WindowS 3600, %d with WindowS 900", len(truth.CallChains), len(cr.Chains), len(short.Chains))
			})

			t.Run("contacts among the phones", func(t *testing.T) {
				cr := analysis.Contacts(events, targets, analysis.ContactParams{})
				byLabel := map[string]string{}
				for _, ph := range truth.Phones {
					byLabel[ph.Label] = ph.MSISDN
				}
				want := map[[2]string]bool{}
				addPair := func(a, b string) {
					if a > b {
						a, b = b, a
					}
					want[[2]string{a, b}] = true
				}
				if run.scenario == "gang" {
					for _, p := range gangContacts {
						addPair(byLabel[p[0]], byLabel[p[1]])
					}
				}
				for _, m := range truth.Meetings {
					addPair(m.Phones[0], m.Phones[1]) // a call arranges each meeting
				}
				for _, ch := range truth.CallChains {
					for _, l := range ch.Links {
						addPair(l.From, l.To)
					}
				}
				contacts := map[[2]string]int{}
				for _, tc := range cr.Targets {
					for _, c := range tc.Contacts {
						contacts[[2]string{tc.Target, c.Other}] = c.Count
					}
				}
				var pairs [][2]string
				for p := range want {
					pairs = append(pairs, p)
				}
				slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
				var counts []string
				for _, p := range pairs {
					ab, ba := contacts[[2]string{p[0], p[1]}], contacts[[2]string{p[1], p[0]}]
					counts = append(counts, fmt.Sprintf("%s-%s %d/%d", label[p[0]], label[p[1]], ab, ba))
					if ab == 0 || ba == 0 {
						t.Errorf("%s and %s: %d and %d contact events, want both in each other's contacts", label[p[0]], label[p[1]], ab, ba)
					}
				}
				line("contacts among the phones: %d planted pairs found both ways (events a→list/b→list): %s", len(pairs), strings.Join(counts, ", "))
				var common []string
				for _, c := range cr.Common {
					if !c.IsTarget {
						var who []string
						for _, ct := range c.Targets {
							who = append(who, label[ct.Target])
						}
						slices.Sort(who)
						common = append(common, fmt.Sprintf("%s (%s) with %v, %d events", c.Other, c.Kind, who, c.Count))
						if run.scenario == "gang" && !slices.Equal(who, gangCommon) {
							t.Errorf("common contact %s with %v, want only the planted one with %v", c.Other, who, gangCommon)
						}
					}
				}
				if run.scenario == "gang" && len(common) != 1 {
					t.Errorf("%d common contacts that are not targets, want 1: %v", len(common), common)
				}
				line("common contacts that are not targets: %v", common)
			})

			t.Run("timeline", func(t *testing.T) {
				line("%d rows ingested, %d events after exact duplicates, %d cells that did not resolve", len(events), len(located), len(unresolved))
				for _, ph := range truth.Phones {
					tl := analysis.Timeline(located, ph.MSISDN, analysis.TimelineParams{})
					tight := analysis.Timeline(located, ph.MSISDN, analysis.TimelineParams{ServiceRadiusM: -1})
					if len(tl.Infeasible) != 0 {
						t.Errorf("%s: %d infeasible movements; the planted journeys are all feasible", ph.Label, len(tl.Infeasible))
					}
					line("%s timeline: %d events, %d unplaced, %d handovers, %d gaps > 6 h, %d infeasible (%d with no service radius)",
						ph.Label, len(tl.Entries), tl.Unplaced, tl.Handovers, len(tl.Gaps), len(tl.Infeasible), len(tight.Infeasible))
				}
				for _, sw := range truth.SIMSwaps {
					tl := analysis.Timeline(located, sw.Owner, analysis.TimelineParams{})
					found := false
					for _, g := range tl.Gaps {
						found = found || !g.From.After(sw.From) && !g.To.Before(sw.To)
					}
					if !found {
						t.Errorf("%s: no gap covers its SIM's time out of service, %s to %s", label[sw.Owner], sw.From, sw.To)
					}
				}
			})

			t.Run("data sessions", func(t *testing.T) {
				sessions := analysis.DataSessions(located)
				data, records, multi, noID := 0, 0, 0, 0
				for _, l := range located {
					if l.Type == "data" {
						data++
					}
				}
				seen := map[[2]string]bool{}
				for _, s := range sessions {
					records += s.Records
					if s.Records > 1 {
						multi++
					}
					if s.ChargingID == "" {
						noID++
						continue
					}
					k := [2]string{s.Target, s.ChargingID}
					if seen[k] {
						t.Errorf("%s: charging ID %s in two sessions", label[s.Target], s.ChargingID)
					}
					seen[k] = true
					if s.CellTime != analysis.CellAtOrBeforeStart {
						t.Errorf("session cell time %q", s.CellTime)
					}
				}
				if records != data {
					t.Errorf("sessions hold %d records, want all %d data records", records, data)
				}
				// Each session's cells, in order, are the planted cells of
				// its rows (each phone has one CDR file here).
				type row struct {
					msisdn string
					row    int
				}
				fileTarget := map[string]string{}
				for _, f := range truth.Files {
					fileTarget[f.Path] = f.Target
				}
				track := map[row]synth.TrackPoint{}
				for _, tp := range truth.Track {
					track[row{fileTarget[tp.File], tp.Row}] = tp
				}
				cellsOK := 0
				for _, s := range sessions {
					var want, got []string
					for _, r := range s.Rows {
						tp := track[row{r.Target, r.Row}]
						for _, c := range []string{tp.Cell, tp.LastCell} {
							if c != "" && (len(want) == 0 || want[len(want)-1] != c) {
								want = append(want, c)
							}
						}
					}
					for _, c := range s.Cells {
						got = append(got, c.Cell)
					}
					if slices.Equal(want, got) {
						cellsOK++
					} else {
						t.Errorf("%s session %q: cells %v, planted %v", label[s.Target], s.ChargingID, got, want)
					}
				}
				line("data sessions: cells in order as planted for %d/%d sessions", cellsOK, len(sessions))
				line("data sessions: %d data records in %d sessions, %d of several records, %d records without a charging ID", data, len(sessions), multi, noID)
			})
		})
	}
	t.Logf("home candidate: %s", home)
	t.Logf("work candidate (phones with an event at the workplace): %s", work)
	// Regression floors, below the rates measured when the method was
	// validated (home 16/21 same site, work 9/16 same site).
	if float64(home.site.ok) < 0.7*float64(home.site.n) {
		t.Errorf("home candidate at the planted home cell's site for %s phones, want at least 70%%", home.site)
	}
	if float64(work.site.ok) < 0.5*float64(work.site.n) {
		t.Errorf("work candidate at the planted work cell's site for %s phones, want at least 50%%", work.site)
	}
}

// checkCandidates checks each phone's home and work candidates, with
// default parameters, against the planted places: each must be a cell
// that served the phone there (the truth's served list) and a cell of one
// of the servingSites masts nearest the place. A workplace where no event
// of the phone happened is not assessable (a person generated as not
// working); a home always is. Outcomes are added to the tallies and
// described to line.
func checkCandidates(t *testing.T, located []analysis.Located, cells []cellsite.Cell, truth *synth.Truth, home, work *placeTally, line func(format string, args ...any)) {
	t.Helper()
	for _, ph := range truth.Phones {
		pat := analysis.PatternOfLife(located, ph.MSISDN, analysis.PatternParams{})
		for _, pc := range []struct {
			name  string
			pl    synth.Place
			c     analysis.PatternCandidate
			tally *placeTally
		}{{"home", ph.Home, pat.Home, home}, {"work", ph.Work, pat.Work, work}} {
			if len(pc.pl.Served) == 0 {
				if pc.name == "home" {
					t.Errorf("%s %s: no cell served the phone at home", truth.Scenario, ph.Label)
				}
				line("%s %s not assessable: no event of the phone took place there", ph.Label, pc.name)
				continue
			}
			o := checkPlace(cells, truth, ph, pc.pl, pc.c)
			line("%s %s %s support %d/%d", ph.Label, pc.name, o, pc.c.Count, pc.c.Of)
			pc.tally.add(o)
			if !o.served {
				t.Errorf("%s seed %d %s: %s candidate %s (%s) never served the phone at the planted %s (served there: %v)",
					truth.Scenario, truth.Seed, ph.Label, pc.name, pc.c.Cell, o, pc.name, pc.pl.Served)
			}
			if !o.found || o.rank < 1 || o.rank > servingSites {
				t.Errorf("%s seed %d %s: %s candidate %s (%s) is not a cell of the %d masts nearest the planted %s",
					truth.Scenario, truth.Seed, ph.Label, pc.name, pc.c.Cell, o, servingSites, pc.name)
			}
		}
	}
}

var patternSweepFlag = flag.Bool("pattern.sweep", false, "measure the home and work candidates over seeds 1-10 of the meeting and gang scenarios")

// TestPatternSweep measures, when run with -pattern.sweep, the home and
// work candidates over a wider corpus (seeds 1 to 10 of both scenarios),
// with the criteria of TestValidation: the figures in
// docs/validation/pattern.md.
func TestPatternSweep(t *testing.T) {
	if !*patternSweepFlag {
		t.Skip("run with -pattern.sweep")
	}
	var home, work placeTally
	for _, sc := range []string{"meeting", "gang"} {
		for seed := uint64(1); seed <= 10; seed++ {
			events, cells, truth := loadScenario(t, sc, seed)
			located, _ := analysis.Resolve(events, analysis.NewCellIndex(cells))
			checkCandidates(t, located, cells, &truth, &home, &work, func(format string, args ...any) {})
		}
	}
	t.Logf("home candidate: %s", home)
	t.Logf("work candidate (phones with an event at the workplace): %s", work)
}

// sameHandset reports whether two IMEIs name one handset (their first 14
// digits agree).
func sameHandset(a, b string) bool {
	return len(a) >= 14 && len(b) >= 14 && a[:14] == b[:14]
}

// chainFound reports whether one chain found holds every link of a planted
// chain, each following the one before.
func chainFound(found []analysis.CallChain, want synth.CallChain) bool {
	const tol = 60 * time.Second
	for _, ch := range found {
		prev := -1
		ok := true
		for k, wl := range want.Links {
			at := -1
			for i, l := range ch.Links {
				d := l.Start.Sub(wl.Start)
				if l.From == wl.From && l.To == wl.To && d <= tol && d >= -tol {
					at = i
					break
				}
			}
			if at < 0 || (k > 0 && !slices.Contains(ch.Links[at].After, prev)) {
				ok = false
				break
			}
			prev = at
		}
		if ok {
			return true
		}
	}
	return false
}

func chainString(ch synth.CallChain, label map[string]string) string {
	var s []string
	for _, l := range ch.Links {
		s = append(s, fmt.Sprintf("%s→%s %s", label[l.From], label[l.To], l.Start.Format("2006-01-02 15:04:05Z")))
	}
	return strings.Join(s, ", ")
}
