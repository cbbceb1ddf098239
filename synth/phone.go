package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/cellsite/cellsite/ingest"
)

// record is one event of a phone as it truly happened: the writer turns it
// into a row of some layout.
type record struct {
	typ, dir   string // voice, sms, mms, data; in, out or ""
	start      time.Time
	dur        int64  // seconds
	other      string // E.164, short code, sender ID, or "" when withheld or none
	otherRaw   string // written instead of other when set ("Withheld")
	lat, lon   float64
	first      *cell // nil when the row names no cell
	last       *cell
	imei, imsi string
	apn        string
	bytes      int64
	charging   string
	stale      bool // planted: the local time was written with the winter offset in summer
}

// intent is an event planned before its position and cells are known.
type intent struct {
	at       time.Time
	typ, dir string
	dur      int64 // -1: drawn at random
	other    string
	otherRaw string
	noCell   bool
	stale    bool
}

type carry struct {
	p        *person
	from, to time.Time
}

type span struct{ from, to time.Time }

func (s span) has(t time.Time) bool { return !t.Before(s.from) && t.Before(s.to) }

// kind is an event type and direction a layout can express.
type kind struct {
	typ, dir string
	weight   float64
}

// phone is one SIM: its number, network, handsets, the person carrying it,
// and the events planned for it.
type phone struct {
	label    string
	msisdn   string
	country  string
	net      *network
	prof     *ingest.Profile
	imsi     string
	imeis    []IMEIPeriod
	owner    *person
	carried  []carry // periods when someone else carries it
	off      []span  // periods when it is out of service
	contacts []string
	kinds    []kind
	rng      *rand.Rand // event details
	cellRng  *rand.Rand // radio conditions
	forced   []intent
	camped   *cell // the cell last served, and where
	campedAt place
	// The cells that served the phone while its carrier was staying at
	// the owner's home and at the owner's workplace.
	servedHome, servedWork map[*cell]bool
}

// noteServed records that c served the phone at instant t, when the
// phone's carrier was then staying at the owner's home or workplace.
func (ph *phone) noteServed(t time.Time, c *cell) {
	pl, staying := ph.carrier(t).where(t)
	if !staying {
		return
	}
	switch pl {
	case ph.owner.home:
		ph.servedHome[c] = true
	case ph.owner.work:
		ph.servedWork[c] = true
	}
}

// serve chooses the serving cell at p: a phone that has hardly moved
// usually stays on the cell it was camped on.
func (ph *phone) serve(p place) *cell {
	if ph.camped != nil && planeDistance(p.lat, p.lon, ph.campedAt.lat, ph.campedAt.lon) < 150 && ph.cellRng.Float64() < 0.6 {
		return ph.camped
	}
	c := ph.net.serve(ph.cellRng, p.lat, p.lon)
	ph.camped, ph.campedAt = c, p
	return c
}

// carrier returns who had the phone at t.
func (ph *phone) carrier(t time.Time) *person {
	for _, c := range ph.carried {
		if (span{c.from, c.to}).has(t) {
			return c.p
		}
	}
	return ph.owner
}

func (ph *phone) inService(t time.Time) bool {
	for _, s := range ph.off {
		if s.has(t) {
			return false
		}
	}
	return true
}

func (ph *phone) imeiAt(t time.Time) string {
	for _, p := range ph.imeis {
		if !t.Before(p.From) && t.Before(p.To) {
			return p.IMEI
		}
	}
	return ph.imeis[len(ph.imeis)-1].IMEI
}

// expressible lists the event types and directions profile p can write, with
// the weights the generator draws them by.
func expressible(p *ingest.Profile) []kind {
	base := []kind{
		{"voice", "out", 0.16}, {"voice", "in", 0.14},
		{"sms", "out", 0.15}, {"sms", "in", 0.15},
		{"data", "", 0.37},
		{"mms", "out", 0.015}, {"mms", "in", 0.015},
	}
	var out []kind
	for _, k := range base {
		if _, _, ok := eventText(p, k.typ, k.dir); ok {
			out = append(out, k)
		}
	}
	return out
}

// eventText returns the texts that p writes for an event type and
// direction, choosing among aliases deterministically (sorted keys).
func eventText(p *ingest.Profile, typ, dir string) (ev, dirText string, ok bool) {
	_, hasDir := p.Columns["direction"]
	dirKey := ""
	if dir != "" && hasDir {
		for _, k := range sortedKeys(p.Directions) {
			if p.Directions[k] == dir {
				dirKey = k
				break
			}
		}
	}
	keys := sortedKeys(p.EventTypes)
	if dir != "" {
		for _, k := range keys {
			if p.EventTypes[k] == typ+"/"+dir {
				return k, dirKey, true
			}
		}
	}
	for _, k := range keys {
		if p.EventTypes[k] != typ {
			continue
		}
		if dir == "" {
			return k, "", true
		}
		if dirKey != "" {
			return k, dirKey, true
		}
	}
	return "", "", false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// intensity is the relative rate of a phone's activity minute by minute
// over a period, for drawing event times.
type intensity struct {
	from, to time.Time
	cum      []float64 // cumulative weight at the end of each minute
}

// hourWeight is the relative activity in each hour of the local day.
var hourWeight = [24]float64{
	0.15, 0.10, 0.07, 0.06, 0.06, 0.10, 0.30, 0.80, 1.20, 1.25, 1.15, 1.20,
	1.40, 1.30, 1.15, 1.15, 1.25, 1.45, 1.55, 1.50, 1.40, 1.20, 0.85, 0.45,
}

func newIntensity(from, to time.Time) *intensity {
	uk := london()
	n := int(to.Sub(from) / time.Minute)
	in := &intensity{from: from, to: to, cum: make([]float64, n)}
	total := 0.0
	for i := range n {
		t := from.Add(time.Duration(i) * time.Minute).In(uk)
		w := hourWeight[t.Hour()]
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.9
		}
		total += w
		in.cum[i] = total
	}
	return in
}

// sample returns the i-th of n event times spread over the period by
// weight: stratified, so the times come out (almost) in order.
func (in *intensity) sample(rng *rand.Rand, i, n int) time.Time {
	total := in.cum[len(in.cum)-1]
	u := (float64(i) + rng.Float64()) / float64(n) * total
	m := sort.SearchFloat64s(in.cum, u)
	if m >= len(in.cum) {
		m = len(in.cum) - 1
	}
	return in.from.Add(time.Duration(m)*time.Minute + time.Duration(rng.IntN(60))*time.Second)
}

// background draws the kind and other party of an ordinary event.
func (ph *phone) background(at time.Time) intent {
	rng := ph.rng
	total := 0.0
	for _, k := range ph.kinds {
		total += k.weight
	}
	u := rng.Float64() * total
	k := ph.kinds[len(ph.kinds)-1]
	for _, c := range ph.kinds {
		if u < c.weight {
			k = c
			break
		}
		u -= c.weight
	}
	it := intent{at: at, typ: k.typ, dir: k.dir, dur: -1}
	switch {
	case k.typ == "data":
	case k.typ == "sms" && k.dir == "in" && rng.Float64() < 0.1:
		it.other = senderIDs[rng.IntN(len(senderIDs))]
	case k.typ == "voice" && k.dir == "in" && rng.Float64() < 0.05:
		it.otherRaw = "Withheld"
	case k.typ == "voice" && k.dir == "out" && rng.Float64() < 0.03:
		it.other = "150"
	default:
		it.other = ph.contact()
	}
	it.noCell = k.typ == "sms" && rng.Float64() < 0.3
	return it
}

var senderIDs = []string{"HSBC", "AMAZON", "DPD", "ROYALMAIL", "NHS", "Boots"}

// contact picks one of the phone's contacts, the first ones most often.
func (ph *phone) contact() string {
	total := 0.0
	for i := range ph.contacts {
		total += 1 / float64(i+1)
	}
	u := ph.rng.Float64() * total
	for i, c := range ph.contacts {
		w := 1 / float64(i+1)
		if u < w {
			return c
		}
		u -= w
	}
	return ph.contacts[len(ph.contacts)-1]
}

// genState carries what one record's details depend on from the records
// before it.
type genState struct {
	last     time.Time
	dataEnd  time.Time
	charging string
}

// build turns an intent into a record: where the carrier was, which cells
// served, the handset, and the data session it belongs to.
func (ph *phone) build(it intent, st *genState) *record {
	rng := ph.rng
	r := &record{typ: it.typ, dir: it.dir, start: it.at, dur: it.dur, other: it.other, otherRaw: it.otherRaw, stale: it.stale}
	if r.dur < 0 {
		switch r.typ {
		case "voice":
			if rng.Float64() < 0.12 {
				r.dur = 0
			} else {
				r.dur = int64(math.Min(3600, math.Max(3, math.Exp(4.3+rng.NormFloat64()))))
			}
		case "data":
			r.dur = int64(60 + rng.IntN(1740))
		default:
			r.dur = 0
		}
	}
	pos := ph.carrier(r.start).at(r.start)
	r.lat, r.lon = round6(pos.lat), round6(pos.lon)
	if !it.noCell {
		r.first = ph.serve(place{r.lat, r.lon})
		ph.noteServed(r.start, r.first)
		switch {
		case r.typ != "voice" && r.typ != "data":
		case r.dur == 0:
			r.last = r.first
		default:
			end := r.start.Add(time.Duration(r.dur) * time.Second)
			q := ph.carrier(end).at(end)
			r.last = ph.serve(q)
			ph.noteServed(end, r.last)
		}
	}
	r.imei, r.imsi = ph.imeiAt(r.start), ph.imsi
	if r.typ == "data" {
		r.apn = operators[ph.net.id].apn
		r.bytes = r.dur * int64(400+rng.IntN(60000))
		gap := r.start.Sub(st.dataEnd)
		if st.charging == "" || gap < 0 || gap > 90*time.Minute || rng.Float64() > 0.65 {
			st.charging = strconv.FormatUint(uint64(rng.Uint32()|1<<31), 10)
		}
		r.charging = st.charging
		st.dataEnd = r.start.Add(time.Duration(r.dur) * time.Second)
	}
	return r
}

// events yields the phone's records over in's period: n background events
// drawn by in, merged with the planned ones of the period, in time order
// with distinct seconds, none while the SIM is out of service.
func (ph *phone) events(in *intensity, n int, yield func(*record) bool) {
	var forced []intent
	for _, it := range ph.forced {
		if (span{in.from, in.to}).has(it.at) {
			forced = append(forced, it)
		}
	}
	sort.SliceStable(forced, func(i, j int) bool { return forced[i].at.Before(forced[j].at) })
	st := &genState{}
	fi := 0
	emit := func(it intent) bool {
		if !ph.inService(it.at) {
			return true
		}
		if !it.at.After(st.last) && !st.last.IsZero() {
			it.at = st.last.Add(time.Second)
		}
		st.last = it.at
		return yield(ph.build(it, st))
	}
	for i := 0; i < n; i++ {
		at := in.sample(ph.rng, i, n)
		for fi < len(forced) && !forced[fi].at.After(at) {
			if !emit(forced[fi]) {
				return
			}
			fi++
		}
		if !emit(ph.background(at)) {
			return
		}
	}
	for ; fi < len(forced); fi++ {
		if !emit(forced[fi]) {
			return
		}
	}
}

// collect returns the phone's records as a slice.
func (ph *phone) collect(in *intensity, n int) []*record {
	var out []*record
	ph.events(in, n, func(r *record) bool { out = append(out, r); return true })
	return out
}

// newPhone makes a phone with its own random streams.
func (w *world) newPhone(label, country string, net *network, prof *ingest.Profile, owner *person) (*phone, error) {
	ph := &phone{
		label: label, country: country, net: net, prof: prof, owner: owner,
		rng: w.rand("events/" + label), cellRng: w.rand("radio/" + label),
		servedHome: map[*cell]bool{}, servedWork: map[*cell]bool{},
	}
	ph.kinds = expressible(prof)
	if len(ph.kinds) == 0 {
		return nil, fmt.Errorf("synth: profile %s maps no event type the generator writes", prof.Name)
	}
	ids := w.rand("ids/" + label)
	ph.msisdn = w.numbers.mobile(country)
	ph.imsi = newIMSI(ids, net.id)
	ph.imeis = []IMEIPeriod{{IMEI: newIMEI(ids), From: w.from, To: w.to}}
	for i := range 10 {
		if i%3 == 2 {
			ph.contacts = append(ph.contacts, w.numbers.landline(country))
		} else {
			ph.contacts = append(ph.contacts, w.numbers.mobile(country))
		}
	}
	return ph, nil
}
