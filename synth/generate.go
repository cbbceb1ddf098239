package synth

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/templates"
)

// Options choose what Generate produces.
type Options struct {
	Scenario string           // a name from Scenarios; "" is "meeting"
	Seed     uint64           // the same seed and scenario give byte-identical files
	Events   int              // scale: the number of events; 0 is 1,000,000
	Profiles *ingest.Profiles // the layouts to write in; nil is the built-in profiles
	// Progress, when set, is called now and then while a CDR file is
	// written, with its events written so far and its total.
	Progress func(done, total int64)
}

// DefaultScaleEvents is the number of events of the scale scenario.
const DefaultScaleEvents = 1_000_000

// ScenarioInfo names a scenario and says what it contains.
type ScenarioInfo struct {
	Name    string
	Summary string
}

type scenario struct {
	ScenarioInfo
	run func(ctx context.Context, w *world) error
}

var scenarios = []scenario{
	{ScenarioInfo{"meeting", "2 phones on different networks over 7 days, with home and work routines and one planted 45-minute meeting"}, runMeeting},
	{ScenarioInfo{"gang", "5 phones over 28 days: 3 planted meetings, a handset swap, a SIM swap, calls, SMS and call chains"}, runGang},
	{ScenarioInfo{"dst", "2 phones on UK-local-time operators over the October 2026 and March 2026 clock changes"}, runDST},
	{ScenarioInfo{"profiles", "one small file for every shipped profile, CDR and cell list: per-profile samples"}, runProfiles},
	{ScenarioInfo{"scale", "one phone, 1,000,000 events (--events N) in the canonical cellsite-cdr layout, for benchmarks"}, runScale},
}

// Scenarios lists the scenarios Generate knows, the default first.
func Scenarios() []ScenarioInfo {
	out := make([]ScenarioInfo, len(scenarios))
	for i, s := range scenarios {
		out[i] = s.ScenarioInfo
	}
	return out
}

// world is the state of one generation.
type world struct {
	ctx      context.Context
	opt      Options
	sink     Sink
	nets     []*network
	netByID  map[string]*network
	profiles []*ingest.Profile // kind, then name
	numbers  *numberPool
	truth    *Truth
	from, to time.Time
	records  map[*phone][]*record
	layouts  map[*phone]*layout
}

// rand returns the random stream of one purpose: every part of a scenario
// draws from its own stream, seeded from the seed and the purpose's label.
func (w *world) rand(label string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(label))
	return rand.New(rand.NewPCG(w.opt.Seed, h.Sum64()))
}

// Generate writes the files of a scenario and its truth.json to sink and
// returns the truth.
func Generate(ctx context.Context, opt Options, sink Sink) (*Truth, error) {
	if opt.Scenario == "" {
		opt.Scenario = scenarios[0].Name
	}
	var sc *scenario
	for i := range scenarios {
		if scenarios[i].Name == opt.Scenario {
			sc = &scenarios[i]
		}
	}
	if sc == nil {
		names := make([]string, len(scenarios))
		for i, s := range scenarios {
			names[i] = s.Name
		}
		return nil, cellsite.Errorf(cellsite.Invalid, "synth", "no scenario %q (scenarios: %s)", opt.Scenario, strings.Join(names, ", "))
	}
	if opt.Events < 0 {
		return nil, cellsite.Errorf(cellsite.Invalid, "synth", "events %d: want a positive number", opt.Events)
	}
	if opt.Events == 0 {
		opt.Events = DefaultScaleEvents
	}
	nets, err := loadNetworks()
	if err != nil {
		return nil, err
	}
	ps := opt.Profiles
	if ps == nil {
		if ps, err = ingest.LoadProfiles(templates.Profiles(), "built-in"); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	w := &world{
		ctx: ctx, opt: opt, sink: sink, nets: nets, netByID: map[string]*network{}, profiles: ps.List(),
		records: map[*phone][]*record{}, layouts: map[*phone]*layout{},
		truth: &Truth{Scenario: opt.Scenario, Seed: opt.Seed, Phones: []Phone{}, Meetings: []Meeting{},
			HandsetSwaps: []HandsetSwap{}, SIMSwaps: []SIMSwap{}, CallChains: []CallChain{}, Files: []File{}, Track: []TrackPoint{}},
	}
	for _, n := range nets {
		w.netByID[n.id] = n
	}
	w.numbers = newNumberPool(w.rand("numbers"))
	if err := sc.run(ctx, w); err != nil {
		return nil, err
	}
	w.truth.Epoch, w.truth.End = w.from.UTC(), w.to.UTC()
	f, err := sink.Create("truth.json")
	if err != nil {
		return nil, fmt.Errorf("synth: writing truth.json: %w", err)
	}
	if err := writeTruth(f, w.truth); err != nil {
		f.Close()
		return nil, fmt.Errorf("synth: writing truth.json: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("synth: writing truth.json: %w", err)
	}
	return w.truth, nil
}

// cdrProfileFor returns the CDR profile of an operator network: the first,
// by name, whose network is net.
func (w *world) cdrProfileFor(net string) (*ingest.Profile, error) {
	for _, p := range w.profiles {
		if p.Kind == "cdr" && p.Network == net {
			return p, nil
		}
	}
	return nil, fmt.Errorf("synth: no CDR profile has network %s", net)
}

// cellListProfiles returns the cell-list profiles that resolve cells (not
// site registers): operators' layouts first, then the documented ones.
func (w *world) cellListProfiles() []*ingest.Profile {
	var ops, docs []*ingest.Profile
	for _, p := range w.profiles {
		if p.Kind != "cells" || p.CellFormat == "site-ref" {
			continue
		}
		if p.Status == "documented" || p.Status == "verified" {
			docs = append(docs, p)
		} else {
			ops = append(ops, p)
		}
	}
	return append(ops, docs...)
}

// fileName returns the name of a file of profile p for network net: stem
// and the profile's name, or a name the profile's network_from_name
// recognises as naming net.
func fileName(dir, stem string, p *ingest.Profile, net string) (string, error) {
	ext := p.FileTypes[0]
	if p.NetworkFromName == "" {
		return fmt.Sprintf("%s/%s_%s.%s", dir, stem, p.Name, ext), nil
	}
	re, err := regexp.Compile(p.NetworkFromName)
	if err != nil {
		return "", fmt.Errorf("synth: profile %s: network_from_name: %w", p.Name, err)
	}
	mcc, mnc, _ := strings.Cut(net, "-")
	prefix, _, _ := strings.Cut(p.Name, "-")
	for _, name := range []string{
		fmt.Sprintf("%s_%s%s_synth.%s", prefix, mcc, mnc, ext),
		fmt.Sprintf("%s_%s%s_%s.%s", p.Name, mcc, mnc, stem, ext),
		fmt.Sprintf("%s%s_%s.%s", mcc, mnc, stem, ext),
		fmt.Sprintf("%s-%s_%s.%s", mcc, mnc, stem, ext),
	} {
		if m := re.FindStringSubmatch(name); m != nil && m[1] == mcc && m[2] == mnc {
			return dir + "/" + name, nil
		}
	}
	return "", fmt.Errorf("synth: profile %s: no file name found that network_from_name %q reads as %s", p.Name, p.NetworkFromName, net)
}

// layoutFor derives the layout of p for a file, with a clear error.
func layoutFor(p *ingest.Profile, path string) (*layout, error) {
	l, err := newLayout(p, path[strings.LastIndexByte(path, '/')+1:])
	if err != nil {
		return nil, fmt.Errorf("synth: profile %s cannot be written: %w", p.Name, err)
	}
	return l, nil
}

// phoneProfileNetwork checks that a phone on net can be written with p.
func phoneLayout(p *ingest.Profile, path string, net *network) (*layout, error) {
	l, err := layoutFor(p, path)
	if err != nil {
		return nil, err
	}
	if _, _, _, err := l.cellText(net.cells[0], 0); err != nil {
		return nil, fmt.Errorf("synth: profile %s cannot be written for network %s: %w", p.Name, net.id, err)
	}
	return l, nil
}

// writePhone writes a phone's records from recs (n of them) as one CDR file.
func (w *world) writePhone(path string, l *layout, ph *phone, n int, from, to time.Time, recs func(yield func(*record) bool)) error {
	cw, err := w.newCDRWriter(path, l, ph, n, from, to)
	if err != nil {
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	var ferr error
	count := 0
	recs(func(r *record) bool {
		if count%4096 == 0 {
			if err := w.ctx.Err(); err != nil {
				ferr = err
				return false
			}
			if w.opt.Progress != nil && n > 0 {
				w.opt.Progress(int64(count), int64(n))
			}
		}
		count++
		if err := cw.add(r); err != nil {
			ferr = err
			return false
		}
		return true
	})
	if ferr != nil {
		cw.out.close()
		return fmt.Errorf("synth: writing %s: %w", path, ferr)
	}
	if w.opt.Progress != nil && n > 0 {
		w.opt.Progress(int64(n), int64(n))
	}
	f, err := cw.close()
	if err != nil {
		return err
	}
	w.truth.Files = append(w.truth.Files, *f)
	return nil
}

// phoneTruth records a phone in the truth, once its records are made.
func (w *world) phoneTruth(ph *phone, l *layout) {
	key := func(c *cell) string {
		if l.gsm {
			return c.gsmKey
		}
		return c.key
	}
	place := func(p place, served map[*cell]bool) Place {
		c := ph.net.bestServer(p.lat, p.lon)
		keys := []string{}
		for s := range served {
			keys = append(keys, key(s))
		}
		sort.Strings(keys)
		return Place{Lat: p.lat, Lon: p.lon, Cell: key(c), SiteLat: round6(c.lat), SiteLon: round6(c.lon), Served: keys}
	}
	w.truth.Phones = append(w.truth.Phones, Phone{
		Label: ph.label, MSISDN: ph.msisdn, Network: ph.net.id, Profile: l.p.Name, IMSI: ph.imsi,
		IMEIs: slices.Clone(ph.imeis), Home: place(ph.owner.home, ph.servedHome), Work: place(ph.owner.work, ph.servedWork),
	})
}

// writeCellList writes the whole cell list of each network, each in one of
// the cell-list profiles in turn.
func (w *world) writeCellLists(stem string, netIDs []string) error {
	profs := w.cellListProfiles()
	if len(profs) == 0 {
		return fmt.Errorf("synth: no cell-list profile resolves cells")
	}
	ids := slices.Clone(netIDs)
	sort.Strings(ids)
	ids = slices.Compact(ids)
	for i, id := range ids {
		p := profs[i%len(profs)]
		path, err := fileName("cells", stem+"_"+id, p, id)
		if err != nil {
			return err
		}
		l, err := layoutFor(p, path)
		if err != nil {
			return err
		}
		var rows []cellRow
		for _, c := range w.netByID[id].cells {
			rows = append(rows, cellRow{c: c})
		}
		f, err := w.writeCells(path, l, id, rows)
		if err != nil {
			return fmt.Errorf("synth: writing %s: %w", path, err)
		}
		w.truth.Files = append(w.truth.Files, *f)
	}
	return nil
}

// meetingCells records, for each meeting, the cells each phone's records
// named during it.
func (w *world) meetingCells(phones []*phone) {
	for mi := range w.truth.Meetings {
		m := &w.truth.Meetings[mi]
		m.Cells = []MeetingCells{}
		for _, msisdn := range m.Phones {
			for _, ph := range phones {
				if ph.msisdn != msisdn {
					continue
				}
				l := w.layouts[ph]
				var keys []string
				for _, r := range w.records[ph] {
					if r.start.Before(m.Start) || !r.start.Before(m.End) || r.first == nil {
						continue
					}
					if l.gsm {
						keys = append(keys, r.first.gsmKey)
					} else {
						keys = append(keys, r.first.key)
					}
				}
				sort.Strings(keys)
				m.Cells = append(m.Cells, MeetingCells{MSISDN: msisdn, Cells: slices.Compact(keys)})
			}
		}
	}
}
