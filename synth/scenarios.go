package synth

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/cellsite/cellsite/ingest"
)

// The scenarios' fixed epochs.
var (
	meetingEpoch  = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	gangEpoch     = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC) // a Monday; BST starts on day 20
	dstMarch      = span{time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 23, 0, 0, 0, time.UTC)}
	dstOctober    = span{time.Date(2026, 10, 23, 23, 0, 0, 0, time.UTC), time.Date(2026, 10, 27, 0, 0, 0, 0, time.UTC)}
	profilesEpoch = time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC) // a Monday
	scaleEpoch    = time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC) // a Monday
)

// localDay returns midnight UK time of a date.
func localDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, london()) }

// countryOf is the numbering plan of a profile's phones: the profile's
// country, or the UK's for a profile that names none.
func countryOf(p *ingest.Profile) string {
	if p.Country == "" {
		return "GB"
	}
	return p.Country
}

// newCDRPhone makes a phone on net carried by owner, written in the CDR
// profile of its operator.
func (w *world) newCDRPhone(stem, label string, net *network, owner *person) (*phone, string, error) {
	p, err := w.cdrProfileFor(net.id)
	if err != nil {
		return nil, "", err
	}
	return w.newPhoneIn(stem, label, p, net, owner)
}

// newPhoneIn makes a phone on net written in profile p.
func (w *world) newPhoneIn(stem, label string, p *ingest.Profile, net *network, owner *person) (*phone, string, error) {
	path, err := fileName("cdr", stem+"_"+label, p, net.id)
	if err != nil {
		return nil, "", err
	}
	l, err := phoneLayout(p, path, net)
	if err != nil {
		return nil, "", err
	}
	ph, err := w.newPhone(label, countryOf(p), net, p, owner)
	if err != nil {
		return nil, "", err
	}
	w.layouts[ph] = l
	return ph, path, nil
}

func (ph *phone) can(typ, dir string) bool {
	for _, k := range ph.kinds {
		if k.typ == typ && k.dir == dir {
			return true
		}
	}
	return false
}

// call plans a call (or message) from a to b at the instant at.
func call(a, b *phone, at time.Time, typ string, dur int64) bool {
	if !a.can(typ, "out") || !b.can(typ, "in") || !a.inService(at) || !b.inService(at) {
		return false
	}
	if typ != "voice" {
		dur = 0
	}
	a.forced = append(a.forced, intent{at: at, typ: typ, dir: "out", dur: dur, other: b.msisdn})
	b.forced = append(b.forced, intent{at: at, typ: typ, dir: "in", dur: dur, other: a.msisdn})
	return true
}

// shortCall draws the length of a call between associates.
func shortCall(rng *rand.Rand) int64 {
	return int64(math.Min(1200, math.Max(8, math.Exp(3.8+0.8*rng.NormFloat64()))))
}

// meetingPlace chooses a real site position roughly between the homes, a
// little off the mast.
func meetingPlace(rng *rand.Rand, nets []*network, homes []place) place {
	type cand struct {
		p     place
		score float64
	}
	var cands []cand
	for _, n := range nets {
		for _, s := range n.sites {
			worst := 0.0
			for _, h := range homes {
				worst = math.Max(worst, planeDistance(h.lat, h.lon, s.lat, s.lon))
			}
			cands = append(cands, cand{place{s.lat, s.lon}, worst})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score < cands[j].score })
	c := cands[rng.IntN(min(8, len(cands)))]
	return offset(rng, c.p, 30, 120)
}

// plantMeeting brings the phones' carriers together at q from start to end,
// with a few events of each phone during it.
func (w *world) plantMeeting(rng *rand.Rand, q place, start, end time.Time, phones ...*phone) {
	m := Meeting{Start: start.UTC(), End: end.UTC(), Lat: q.lat, Lon: q.lon}
	for _, ph := range phones {
		ph.carrier(start).meet(q, start, end)
		m.Phones = append(m.Phones, ph.msisdn)
		span := int(end.Sub(start)/time.Second) - 600
		for k := range 3 {
			at := start.Add(time.Duration(300+rng.IntN(span)) * time.Second)
			switch {
			case k == 0 && ph.can("data", ""):
				ph.forced = append(ph.forced, intent{at: at, typ: "data", dur: int64(60 + rng.IntN(240))})
			case ph.can("sms", "out"):
				ph.forced = append(ph.forced, intent{at: at, typ: "sms", dir: "out", dur: 0, other: ph.contacts[rng.IntN(3)]})
			default:
				ph.forced = append(ph.forced, intent{at: at, typ: "voice", dir: "out", dur: 20 + rng.Int64N(60), other: ph.contacts[rng.IntN(3)]})
			}
		}
	}
	w.truth.Meetings = append(w.truth.Meetings, m)
}

// writePhones generates and writes every phone's records over the world's
// period, then the cell lists of their networks.
func (w *world) writePhones(stem string, phones []*phone, paths []string, perDay float64) error {
	in := newIntensity(w.from, w.to)
	days := w.to.Sub(w.from).Hours() / 24
	for i, ph := range phones {
		n := int(perDay*days) + w.rand("count/"+ph.label).IntN(int(days)+1)
		recs := ph.collect(in, n)
		w.records[ph] = recs
		if err := w.writePhone(paths[i], w.layouts[ph], ph, len(recs), w.from, w.to, slices.Values(recs)); err != nil {
			return err
		}
		w.phoneTruth(ph, w.layouts[ph])
	}
	w.meetingCells(phones)
	var nets []string
	for _, ph := range phones {
		nets = append(nets, ph.net.id)
	}
	return w.writeCellLists(stem, nets)
}

func runMeeting(ctx context.Context, w *world) error {
	w.from, w.to = meetingEpoch, meetingEpoch.AddDate(0, 0, 7)
	rng := w.rand("scenario")
	i := rng.IntN(len(w.nets))
	j := (i + 1 + rng.IntN(len(w.nets)-1)) % len(w.nets)
	netA, netB := w.nets[i], w.nets[j]
	pa := newPerson(w.rand("person/phone1"), netA, w.nets)
	prng := w.rand("person/phone2")
	pb := newPerson(prng, netB, w.nets)
	for try := 0; try < 50 && planeDistance(pa.home.lat, pa.home.lon, pb.home.lat, pb.home.lon) < 8000; try++ {
		pb = newPerson(prng, netB, w.nets)
	}
	pa.plan(w.rand("plan/phone1"), w.from, w.to)
	pb.plan(w.rand("plan/phone2"), w.from, w.to)
	phA, pathA, err := w.newCDRPhone("meeting", "phone1", netA, pa)
	if err != nil {
		return err
	}
	phB, pathB, err := w.newCDRPhone("meeting", "phone2", netB, pb)
	if err != nil {
		return err
	}
	// The meeting: Thursday afternoon, about 45 minutes.
	start := localDay(2026, 3, 5).Add(time.Duration(14*60+rng.IntN(90)) * time.Minute)
	end := start.Add(time.Duration(42+rng.IntN(7)) * time.Minute)
	q := meetingPlace(rng, w.nets, []place{pa.home, pb.home})
	w.plantMeeting(rng, q, start, end, phA, phB)
	// They know each other: a call to arrange it, and a few messages in
	// the week.
	call(phA, phB, start.Add(-time.Duration(40+rng.IntN(50))*time.Minute), "voice", shortCall(rng))
	for _, d := range []int{1, 2, 5} {
		at := localDay(2026, 3, 2+d).Add(time.Duration(9*3600+rng.IntN(12*3600)) * time.Second)
		if rng.IntN(2) == 0 {
			call(phB, phA, at, "sms", 0)
		} else {
			call(phA, phB, at, "sms", 0)
		}
	}
	return w.writePhones("meeting", []*phone{phA, phB}, []string{pathA, pathB}, 18)
}

func runGang(ctx context.Context, w *world) error {
	w.from, w.to = gangEpoch, gangEpoch.AddDate(0, 0, 28)
	rng := w.rand("scenario")
	first := rng.IntN(len(w.nets))
	var people []*person
	var phones []*phone
	var paths []string
	for i := range 5 {
		label := fmt.Sprintf("phone%d", i+1)
		net := w.nets[(first+i)%len(w.nets)]
		prng := w.rand("person/" + label)
		var p *person
		if i == 0 {
			p = newPerson(prng, net, w.nets)
		} else {
			p = newPersonAt(prng, siteNear(prng, []*network{net}, people[0].home, 1500, 14000), w.nets)
		}
		p.plan(w.rand("plan/"+label), w.from, w.to)
		people = append(people, p)
		ph, path, err := w.newCDRPhone("gang", label, net, p)
		if err != nil {
			return err
		}
		phones = append(phones, ph)
		paths = append(paths, path)
	}
	// A number all but one of them call: a common contact.
	common := w.numbers.mobile("GB")
	for _, k := range []int{0, 1, 3, 4} {
		phones[k].contacts = slices.Insert(phones[k].contacts, 1, common)
	}

	// Handset swap: phone2 moves to a new handset.
	p2 := phones[1]
	swapAt := localDay(2026, 3, 22).Add(time.Duration(10*3600+rng.IntN(3600)) * time.Second).UTC()
	newHandset := newIMEI(w.rand("ids/phone2/new"))
	w.truth.HandsetSwaps = append(w.truth.HandsetSwaps, HandsetSwap{MSISDN: p2.msisdn, IMEIFrom: p2.imeis[0].IMEI, IMEITo: newHandset, At: swapAt})
	p2.imeis = []IMEIPeriod{{IMEI: p2.imeis[0].IMEI, From: w.from, To: swapAt}, {IMEI: newHandset, From: swapAt, To: w.to}}

	// SIM swap: phone5's SIM goes into phone1's handset, carried by
	// phone1's owner, whose own SIM is out meanwhile.
	p1, p5 := phones[0], phones[4]
	simFrom := localDay(2026, 3, 25).Add(9 * time.Hour).UTC()
	simTo := localDay(2026, 3, 28).Add(18 * time.Hour).UTC()
	h1, h5 := p1.imeis[0].IMEI, p5.imeis[0].IMEI
	p5.imeis = []IMEIPeriod{{IMEI: h5, From: w.from, To: simFrom}, {IMEI: h1, From: simFrom, To: simTo}, {IMEI: h5, From: simTo, To: w.to}}
	p5.carried = append(p5.carried, carry{p: p1.owner, from: simFrom, to: simTo})
	p1.off = append(p1.off, span{simFrom, simTo})
	w.truth.SIMSwaps = append(w.truth.SIMSwaps, SIMSwap{MSISDN: p5.msisdn, IMEI: h1, Owner: p1.msisdn, From: simFrom, To: simTo})

	// Three meetings among different members.
	for _, m := range []struct {
		day, month, hour int
		who              []int
	}{{13, 3, 20, []int{0, 1, 2}}, {20, 3, 13, []int{1, 3}}, {2, 4, 11, []int{0, 2, 3, 4}}} {
		start := localDay(2026, time.Month(m.month), m.day).Add(time.Duration(m.hour*60+rng.IntN(60)) * time.Minute)
		end := start.Add(time.Duration(40+rng.IntN(11)) * time.Minute)
		var who []*phone
		var homes []place
		for _, k := range m.who {
			who = append(who, phones[k])
			homes = append(homes, phones[k].owner.home)
		}
		q := meetingPlace(rng, w.nets, homes)
		w.plantMeeting(rng, q, start, end, who...)
		call(who[0], who[1], start.Add(-time.Duration(20+rng.IntN(60))*time.Minute), "voice", shortCall(rng))
	}

	// Calls and messages among them.
	in := newIntensity(w.from, w.to)
	for _, pair := range []struct {
		a, b   int
		perDay float64
	}{{0, 1, 2}, {1, 2, 1}, {2, 3, 0.7}, {0, 4, 0.5}, {1, 3, 0.5}, {3, 4, 0.3}, {0, 2, 0.4}} {
		a, b := phones[pair.a], phones[pair.b]
		prng := w.rand(fmt.Sprintf("contact/%d-%d", pair.a, pair.b))
		n := int(pair.perDay * 28)
		for i := range n {
			at := in.sample(prng, i, n)
			if prng.IntN(2) == 1 {
				a, b = b, a
			}
			if prng.Float64() < 0.55 {
				call(a, b, at, "voice", shortCall(prng))
			} else {
				call(a, b, at, "sms", 0)
			}
		}
	}

	// Call chains: each call made minutes after the one before, by the
	// phone just called.
	for _, ch := range []struct {
		day, month, hour, min int
		who                   []int
	}{{12, 3, 19, 10, []int{0, 1, 2}}, {19, 3, 21, 40, []int{3, 1, 0}}, {26, 3, 16, 5, []int{4, 2, 3}}, {1, 4, 20, 20, []int{0, 3, 4, 1}}} {
		at := localDay(2026, time.Month(ch.month), ch.day).Add(time.Duration(ch.hour*60+ch.min) * time.Minute)
		var chain CallChain
		for k := 0; k+1 < len(ch.who); k++ {
			a, b := phones[ch.who[k]], phones[ch.who[k+1]]
			dur := 25 + rng.Int64N(120)
			if call(a, b, at, "voice", dur) {
				chain.Links = append(chain.Links, CallLink{From: a.msisdn, To: b.msisdn, Start: at.UTC()})
			}
			at = at.Add(time.Duration(dur)*time.Second + time.Duration(60+rng.IntN(420))*time.Second)
		}
		if len(chain.Links) > 1 {
			w.truth.CallChains = append(w.truth.CallChains, chain)
		}
	}
	return w.writePhones("gang", phones, paths, 16)
}

func runDST(ctx context.Context, w *world) error {
	w.from, w.to = dstMarch.from, dstOctober.to
	// Two phones on different networks whose operators export UK local time.
	var chosen []*ingest.Profile
	var nets []*network
	for _, p := range w.profiles {
		n := w.netByID[p.Network]
		if p.Kind != "cdr" || p.TimeBasis != string(ingest.UKLocal) || n == nil || slices.Contains(nets, n) {
			continue
		}
		chosen, nets = append(chosen, p), append(nets, n)
		if len(chosen) == 2 {
			break
		}
	}
	if len(chosen) < 2 {
		return fmt.Errorf("synth: scenario dst needs two CDR profiles of UK networks with time basis uk-local; found %d", len(chosen))
	}
	var phones []*phone
	for i, p := range chosen {
		label := fmt.Sprintf("phone%d", i+1)
		owner := newPerson(w.rand("person/"+label), nets[i], w.nets)
		owner.plan(w.rand("plan/"+label), w.from, w.to)
		ph, _, err := w.newPhoneIn("dst", label, p, nets[i], owner)
		if err != nil {
			return err
		}
		phones = append(phones, ph)
		// Night-time events in the hour repeated on 25 October: three in
		// its first occurrence (BST) and three in its second (GMT).
		night := func(at time.Time) intent {
			if ph.can("data", "") {
				return intent{at: at, typ: "data", dur: 30 + int64(i)}
			}
			return intent{at: at, typ: "sms", dir: "in", other: ph.contacts[0]}
		}
		base := time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)
		for k, m := range []int{5, 20, 40} {
			ph.forced = append(ph.forced, night(base.Add(time.Duration(m+i)*time.Minute+time.Duration(7+10*i+k)*time.Second)))
		}
		for k, m := range []int{12, 33, 51} {
			ph.forced = append(ph.forced, night(base.Add(time.Hour+time.Duration(m+i)*time.Minute+time.Duration(3+10*i+k)*time.Second)))
		}
		// Around the hour skipped on 29 March, and one row whose clock was
		// not moved to BST: its local time falls in the skipped hour.
		base = time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)
		ph.forced = append(ph.forced, night(base.Add(time.Duration(30+i)*time.Minute)))
		ph.forced = append(ph.forced, night(base.Add(time.Hour+time.Duration(10+i)*time.Minute)))
		stale := night(base.Add(time.Hour + time.Duration(25+i)*time.Minute))
		stale.stale = true
		ph.forced = append(ph.forced, stale)
	}
	call(phones[0], phones[1], time.Date(2026, 10, 25, 0, 48, 0, 0, time.UTC), "sms", 0)
	for i, ph := range phones {
		l := w.layouts[ph]
		for _, period := range []span{dstMarch, dstOctober} {
			path, err := fileName("cdr", fmt.Sprintf("dst_%s_%s", ph.label, period.from.In(london()).Format("2006-01")), l.p, ph.net.id)
			if err != nil {
				return err
			}
			in := newIntensity(period.from, period.to)
			n := int(20*period.to.Sub(period.from).Hours()/24) + i
			recs := ph.collect(in, n)
			w.records[ph] = append(w.records[ph], recs...)
			if err := w.writePhone(path, l, ph, len(recs), period.from, period.to, slices.Values(recs)); err != nil {
				return err
			}
		}
		w.phoneTruth(ph, l)
	}
	return w.writeCellLists("dst", []string{nets[0].id, nets[1].id})
}

func runProfiles(ctx context.Context, w *world) error {
	w.from, w.to = profilesEpoch, profilesEpoch.AddDate(0, 0, 2)
	in := newIntensity(w.from, w.to)
	const events = 36
	var phones []*phone
	k := 0
	for _, p := range w.profiles {
		if p.Kind != "cdr" {
			continue
		}
		k++
		label := fmt.Sprintf("phone%d", k)
		net := w.netByID[p.Network]
		if net == nil {
			net = w.nets[(k-1)%len(w.nets)]
		}
		owner := newPerson(w.rand("person/"+label), net, w.nets)
		owner.plan(w.rand("plan/"+label), w.from, w.to)
		path, err := fileName("cdr", "profiles", p, net.id)
		if err != nil {
			return err
		}
		l, err := phoneLayout(p, path, net)
		if err != nil {
			return err
		}
		ph, err := w.newPhone(label, countryOf(p), net, p, owner)
		if err != nil {
			return err
		}
		w.layouts[ph] = l
		recs := ph.collect(in, events)
		w.records[ph] = recs
		if err := w.writePhone(path, l, ph, len(recs), w.from, w.to, slices.Values(recs)); err != nil {
			return err
		}
		w.phoneTruth(ph, l)
		phones = append(phones, ph)
	}

	// The cells the samples used, per network, as each layout wrote them.
	used := map[string][]cellRow{}
	for _, ph := range phones {
		gsm := w.layouts[ph].gsm
		for _, r := range w.records[ph] {
			for _, c := range []*cell{r.first, r.last} {
				if c != nil {
					used[c.net] = append(used[c.net], cellRow{c: c, gsm: gsm})
				}
			}
		}
	}
	for id, rows := range used {
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].gsm != rows[j].gsm {
				return !rows[i].gsm
			}
			return rows[i].c.eci < rows[j].c.eci
		})
		used[id] = slices.CompactFunc(rows, func(a, b cellRow) bool { return a == b })
	}

	const listRows = 40
	k = 0
	for _, p := range w.profiles {
		if p.Kind != "cells" {
			continue
		}
		k++
		net := w.netByID[p.Network]
		if net == nil {
			net = w.nets[(k-1)%len(w.nets)]
		}
		path, err := fileName("cells", "profiles", p, net.id)
		if err != nil {
			return err
		}
		l, err := layoutFor(p, path)
		if err != nil {
			return err
		}
		var rows []cellRow
		network := net.id
		if l.siteRegister() {
			// A site register lists the masts of every network.
			network = l.network
			for _, n := range w.nets {
				for _, s := range nearestSites(n, phones[0].owner.home, listRows/len(w.nets)) {
					rows = append(rows, cellRow{c: s.cells[0]})
				}
			}
		} else {
			have := map[cellRow]bool{}
			add := func(r cellRow) {
				if _, ok := l.cellRowKey(r); ok && !have[r] && len(rows) < listRows {
					have[r] = true
					rows = append(rows, r)
				}
			}
			for _, r := range used[net.id] {
				if len(rows) < listRows*3/4 {
					add(r)
				}
			}
			centre := phones[0].owner.home
			if len(rows) > 0 {
				centre = place{rows[0].c.lat, rows[0].c.lon}
			}
			for _, s := range nearestSites(net, centre, listRows) {
				for _, c := range s.cells {
					add(cellRow{c: c})
				}
			}
		}
		if len(rows) == 0 {
			return fmt.Errorf("synth: profile %s cannot be written: it can express none of the cells of %s", p.Name, net.id)
		}
		f, err := w.writeCells(path, l, network, rows)
		if err != nil {
			return fmt.Errorf("synth: writing %s: %w", path, err)
		}
		w.truth.Files = append(w.truth.Files, *f)
	}
	return nil
}

// nearestSites returns the k sites of n nearest to p.
func nearestSites(n *network, p place, k int) []*site {
	x, y := toPlane(p.lat, p.lon)
	sites, _ := n.nearestSites(x, y, k)
	return sites
}

func runScale(ctx context.Context, w *world) error {
	n := w.opt.Events
	days := min(max((n+2699)/2700, 1), 366)
	w.from, w.to = scaleEpoch, scaleEpoch.AddDate(0, 0, days)
	var p *ingest.Profile
	for _, q := range w.profiles {
		if q.Name == "cellsite-cdr" {
			p = q
		}
	}
	if p == nil {
		return fmt.Errorf("synth: scenario scale needs the cellsite-cdr profile")
	}
	net := w.nets[w.rand("scenario").IntN(len(w.nets))]
	owner := newPerson(w.rand("person/phone1"), net, w.nets)
	owner.plan(w.rand("plan/phone1"), w.from, w.to)
	ph, path, err := w.newPhoneIn("scale", "phone1", p, net, owner)
	if err != nil {
		return err
	}
	in := newIntensity(w.from, w.to)
	if err := w.writePhone(path, w.layouts[ph], ph, n, w.from, w.to, func(yield func(*record) bool) { ph.events(in, n, yield) }); err != nil {
		return err
	}
	w.phoneTruth(ph, w.layouts[ph])
	return w.writeCellLists("scale", []string{net.id})
}
