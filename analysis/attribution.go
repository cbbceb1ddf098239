package analysis

import (
	"slices"
	"sort"
	"time"

	"github.com/cellsite/cellsite"
)

// WarnIMEICheckDigit is the event warning of an IMEI whose last digit is not
// the check digit of the others.
const WarnIMEICheckDigit = "imei-check-digit"

// AttributionParams choose how identifiers are compared. A zero field takes
// its default (see Defaults).
type AttributionParams struct {
	// DeviceDigits is how many leading digits of an IMEI identify the
	// handset: IMEIs that agree in them are one handset. Default 14 (the
	// type allocation code and serial number; the 15th digit is a check
	// digit computed from them, so an IMEI recorded with a wrong one still
	// names the same handset). 15 or more compares whole IMEIs.
	DeviceDigits int `json:"device_digits"`
}

// Defaults returns p with every zero field set to its default.
func (p AttributionParams) Defaults() AttributionParams {
	if p.DeviceDigits == 0 {
		p.DeviceDigits = 14
	}
	return p
}

// IDUse is an identifier (IMEI or IMSI) as recorded on a subscriber's
// events: how many, first and last seen.
type IDUse struct {
	ID string `json:"id"`
	// Handset is, for an IMEI, the IMEI that stands for its handset (see
	// AttributionResult); "" for an IMSI.
	Handset string    `json:"handset,omitempty"`
	Events  int       `json:"events"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
	// CheckDigit counts the events that carry the imei-check-digit
	// warning with this IMEI.
	CheckDigit int `json:"check_digit,omitempty"`
}

// IDPeriod is an unbroken run of a subscriber's events (in time order,
// events without the identifier aside) with one handset or one IMSI.
type IDPeriod struct {
	ID          string    `json:"id"`
	First       time.Time `json:"first"` // first and last seen
	Last        time.Time `json:"last"`
	Events      int       `json:"events"`
	FirstRecord EventRef  `json:"first_record"`
	LastRecord  EventRef  `json:"last_record"`
}

// IDChange is a change of handset (a handset swap) or of IMSI (a SIM
// replacement) of one subscriber, between two consecutive events that
// name the identifier.
type IDChange struct {
	MSISDN     string    `json:"msisdn"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	LastBefore time.Time `json:"last_before"` // the change happened after this
	FirstAfter time.Time `json:"first_after"` // and at or before this
	Before     EventRef  `json:"before"`
	After      EventRef  `json:"after"`
}

// Subscriber is what the records of one MSISDN say about the handsets and
// SIMs it used.
type Subscriber struct {
	MSISDN string `json:"msisdn"`
	Events int    `json:"events"`
	NoIMEI int    `json:"no_imei"` // events naming no IMEI
	NoIMSI int    `json:"no_imsi"`
	// IMEIs and IMSIs as recorded, in order of first use.
	IMEIs []IDUse `json:"imeis"`
	IMSIs []IDUse `json:"imsis"`
	// Handsets and SIMs are the runs of one handset and of one IMSI, in
	// time order.
	Handsets []IDPeriod `json:"handsets"`
	SIMs     []IDPeriod `json:"sims"`
	// HandsetSwaps and SIMChanges are the changes between runs.
	HandsetSwaps []IDChange `json:"handset_swaps"`
	SIMChanges   []IDChange `json:"sim_changes"`
}

// SharedUser is one MSISDN's use of a shared handset or IMSI.
type SharedUser struct {
	MSISDN  string     `json:"msisdn"`
	Events  int        `json:"events"`
	First   time.Time  `json:"first"`
	Last    time.Time  `json:"last"`
	Periods []IDPeriod `json:"periods"`
}

// SharedID is a handset or an IMSI recorded under two or more MSISDNs,
// with the periods each used it.
type SharedID struct {
	ID    string       `json:"id"`
	Users []SharedUser `json:"users"` // by first use, then MSISDN
}

// CheckDigitIMEI is an IMEI recorded with a wrong check digit.
type CheckDigitIMEI struct {
	IMEI   string    `json:"imei"`
	MSISDN string    `json:"msisdn"`
	Events int       `json:"events"`
	First  time.Time `json:"first"`
	Last   time.Time `json:"last"`
	// Handset is the IMEI that stands for the handset it names, which is
	// another IMEI when one with the same leading DeviceDigits digits and
	// a right check digit was recorded.
	Handset string `json:"handset"`
}

// AttributionResult says which handsets and SIMs each MSISDN used, when,
// and which handsets and SIMs were shared.
//
// A handset is the set of IMEIs that agree in their first DeviceDigits
// digits; it is named by the one of them recorded on most events without a
// check-digit warning (then by the most events, then the lowest).
type AttributionResult struct {
	Params      AttributionParams `json:"params"`
	Subscribers []Subscriber      `json:"subscribers"` // by MSISDN
	// SharedHandsets are handsets recorded under two or more MSISDNs: a SIM
	// swap or a shared handset.
	SharedHandsets []SharedID `json:"shared_handsets"`
	// SharedSIMs are IMSIs recorded under two or more MSISDNs.
	SharedSIMs []SharedID `json:"shared_sims"`
	// CheckDigit lists the IMEIs recorded with the imei-check-digit
	// warning, per MSISDN.
	CheckDigit []CheckDigitIMEI `json:"check_digit"`
}

// Attribution returns, per MSISDN (the events' target), the IMEIs and IMSIs
// recorded with their first and last use and counts; the unbroken periods
// of one handset and of one IMSI, in time order, and the changes between
// them (handset swaps, SIM replacements); the handsets and IMSIs recorded
// under two or more MSISDNs with the periods each used them; and the IMEIs
// that carry the imei-check-digit warning. Empty identifiers are ignored,
// as are exact duplicates (DuplicateOf != 0). Events are taken in time
// order, then source, sheet and row.
func Attribution(events []cellsite.Event, p AttributionParams) AttributionResult {
	p = p.Defaults()
	res := AttributionResult{Params: p, Subscribers: []Subscriber{}, SharedHandsets: []SharedID{}, SharedSIMs: []SharedID{}, CheckDigit: []CheckDigitIMEI{}}
	idx := make([]int, 0, len(events))
	for i := range events {
		if events[i].DuplicateOf == 0 && events[i].Target != "" {
			idx = append(idx, i)
		}
	}
	sortEventIdx(events, idx)

	device := func(imei string) string {
		if len(imei) > p.DeviceDigits && imeiDigitsOnly(imei) {
			return imei[:p.DeviceDigits]
		}
		return imei
	}
	// The IMEI that names each handset.
	type imeiTally struct{ clean, all int }
	tallies := map[string]*imeiTally{}
	for _, i := range idx {
		e := &events[i]
		if e.IMEI == "" {
			continue
		}
		t := tallies[e.IMEI]
		if t == nil {
			t = &imeiTally{}
			tallies[e.IMEI] = t
		}
		t.all++
		if !slices.Contains(e.Warnings, WarnIMEICheckDigit) {
			t.clean++
		}
	}
	imeis := make([]string, 0, len(tallies))
	for s := range tallies {
		imeis = append(imeis, s)
	}
	sort.Strings(imeis)
	handset := map[string]string{} // device → naming IMEI
	for _, s := range imeis {
		d := device(s)
		cur, ok := handset[d]
		if !ok {
			handset[d] = s
			continue
		}
		a, b := tallies[s], tallies[cur]
		if a.clean > b.clean || a.clean == b.clean && a.all > b.all {
			handset[d] = s
		}
	}
	handsetOf := func(imei string) string { return handset[device(imei)] }

	// Per subscriber.
	bySub := map[string][]int{}
	var subs []string
	for _, i := range idx {
		t := events[i].Target
		if _, ok := bySub[t]; !ok {
			subs = append(subs, t)
		}
		bySub[t] = append(bySub[t], i)
	}
	sort.Strings(subs)
	sharedH := map[string]map[string][]IDPeriod{} // handset → MSISDN → periods
	sharedS := map[string]map[string][]IDPeriod{}
	for _, msisdn := range subs {
		is := bySub[msisdn]
		s := Subscriber{MSISDN: msisdn, Events: len(is)}
		imeiUse := newIDUses()
		imsiUse := newIDUses()
		var hRuns, sRuns idRuns
		for _, i := range is {
			e := &events[i]
			ref := EventRef{Source: e.Source, Sheet: e.Sheet, Row: e.Row, Target: e.Target}
			if e.IMEI == "" {
				s.NoIMEI++
			} else {
				u := imeiUse.add(e.IMEI, e.Start)
				u.Handset = handsetOf(e.IMEI)
				if slices.Contains(e.Warnings, WarnIMEICheckDigit) {
					u.CheckDigit++
				}
				hRuns.add(u.Handset, e.Start, ref)
			}
			if e.IMSI == "" {
				s.NoIMSI++
			} else {
				imsiUse.add(e.IMSI, e.Start)
				sRuns.add(e.IMSI, e.Start, ref)
			}
		}
		s.IMEIs, s.IMSIs = imeiUse.list(), imsiUse.list()
		s.Handsets, s.SIMs = hRuns.periods, sRuns.periods
		s.HandsetSwaps, s.SIMChanges = idChanges(msisdn, s.Handsets), idChanges(msisdn, s.SIMs)
		for _, u := range s.IMEIs {
			if u.CheckDigit > 0 {
				res.CheckDigit = append(res.CheckDigit, CheckDigitIMEI{IMEI: u.ID, MSISDN: msisdn, Events: u.CheckDigit, First: u.First, Last: u.Last, Handset: u.Handset})
			}
		}
		for _, per := range s.Handsets {
			addShared(sharedH, per, msisdn)
		}
		for _, per := range s.SIMs {
			addShared(sharedS, per, msisdn)
		}
		res.Subscribers = append(res.Subscribers, s)
	}
	res.SharedHandsets = sharedList(sharedH)
	res.SharedSIMs = sharedList(sharedS)
	return res
}

func imeiDigitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// idUses tallies identifiers in order of first use.
type idUses struct {
	order []string
	by    map[string]*IDUse
}

func newIDUses() *idUses { return &idUses{by: map[string]*IDUse{}} }

func (u *idUses) add(id string, at time.Time) *IDUse {
	x := u.by[id]
	if x == nil {
		x = &IDUse{ID: id, First: at}
		u.by[id] = x
		u.order = append(u.order, id)
	}
	x.Events++
	x.Last = at
	return x
}

func (u *idUses) list() []IDUse {
	out := make([]IDUse, 0, len(u.order))
	for _, id := range u.order {
		out = append(out, *u.by[id])
	}
	return out
}

// idRuns builds the unbroken runs of one identifier.
type idRuns struct{ periods []IDPeriod }

func (r *idRuns) add(id string, at time.Time, ref EventRef) {
	if n := len(r.periods); n > 0 && r.periods[n-1].ID == id {
		p := &r.periods[n-1]
		p.Last, p.LastRecord = at, ref
		p.Events++
		return
	}
	r.periods = append(r.periods, IDPeriod{ID: id, First: at, Last: at, Events: 1, FirstRecord: ref, LastRecord: ref})
}

// idChanges returns the changes between consecutive periods.
func idChanges(msisdn string, ps []IDPeriod) []IDChange {
	out := []IDChange{}
	for k := 1; k < len(ps); k++ {
		a, b := &ps[k-1], &ps[k]
		out = append(out, IDChange{MSISDN: msisdn, From: a.ID, To: b.ID, LastBefore: a.Last, FirstAfter: b.First, Before: a.LastRecord, After: b.FirstRecord})
	}
	return out
}

func addShared(m map[string]map[string][]IDPeriod, per IDPeriod, msisdn string) {
	if m[per.ID] == nil {
		m[per.ID] = map[string][]IDPeriod{}
	}
	m[per.ID][msisdn] = append(m[per.ID][msisdn], per)
}

// sharedList returns the identifiers used by two or more MSISDNs, sorted by
// identifier, each with its users by first use.
func sharedList(m map[string]map[string][]IDPeriod) []SharedID {
	out := []SharedID{}
	ids := make([]string, 0, len(m))
	for id, users := range m {
		if len(users) >= 2 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := SharedID{ID: id}
		for msisdn, ps := range m[id] {
			u := SharedUser{MSISDN: msisdn, First: ps[0].First, Last: ps[len(ps)-1].Last, Periods: ps}
			for _, p := range ps {
				u.Events += p.Events
			}
			s.Users = append(s.Users, u)
		}
		sort.Slice(s.Users, func(i, j int) bool {
			a, b := &s.Users[i], &s.Users[j]
			if !a.First.Equal(b.First) {
				return a.First.Before(b.First)
			}
			return a.MSISDN < b.MSISDN
		})
		out = append(out, s)
	}
	return out
}
