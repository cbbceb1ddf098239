package analysis

import (
	"sort"
	"time"

	"github.com/cellsite/cellsite"
)

// ContactParams are the thresholds of a contact analysis. A zero field
// takes its default (see Defaults).
type ContactParams struct {
	// WindowS is the longest time, in seconds, from the end of a call
	// A→B to the start of a call B→C for the two to form a chain.
	// Default 3600.
	WindowS int64 `json:"window_s"`
	// MatchS is how far apart, in seconds, the starts recorded by caller
	// and callee may be for their two records to be taken as one call.
	// Default 60; a negative value requires equal starts.
	MatchS int64 `json:"match_s"`
	// ChainTypes are the event types that form chains. Default voice.
	ChainTypes []string `json:"chain_types"`
	// CommonKinds are the kinds of other party (Event.OtherKind) that can
	// be common contacts. Default msisdn and raw: short codes (such as
	// the operator's own services) and alphanumeric sender IDs (banks,
	// couriers) are services, not associates; add "short" and "alpha" to
	// include them. Every kind is listed in each target's own contacts.
	CommonKinds []string `json:"common_kinds"`
}

// Defaults returns p with every zero field set to its default.
func (p ContactParams) Defaults() ContactParams {
	if p.WindowS == 0 {
		p.WindowS = 3600
	}
	if p.MatchS == 0 {
		p.MatchS = 60
	}
	if len(p.ChainTypes) == 0 {
		p.ChainTypes = []string{"voice"}
	} else {
		p.ChainTypes = append([]string(nil), p.ChainTypes...)
	}
	if len(p.CommonKinds) == 0 {
		p.CommonKinds = []string{"msisdn", "raw"}
	} else {
		p.CommonKinds = append([]string(nil), p.CommonKinds...)
	}
	return p
}

// TypeCount is a number of events of one type.
type TypeCount struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// Contact is another party in contact with a target: how often, for how
// long, when first and last, and by which means.
type Contact struct {
	Other     string      `json:"other"` // E.164, short code, sender ID or raw text
	Kind      string      `json:"kind"`  // msisdn, short, alpha or raw (Event.OtherKind)
	IsTarget  bool        `json:"is_target"`
	Count     int         `json:"count"`
	DurationS int64       `json:"duration_s"`
	In        int         `json:"in"`  // events towards the target
	Out       int         `json:"out"` // events from the target
	ByType    []TypeCount `json:"by_type"`
	First     time.Time   `json:"first"` // start of the first event
	Last      time.Time   `json:"last"`  // start of the last event
}

// TargetContacts is the contact summary of one target: the other parties of
// its own records, most contact first.
type TargetContacts struct {
	Target string `json:"target"`
	// Events counts the target's records that have another party by
	// nature (every type but data), identified or not.
	Events   int       `json:"events"`
	Contacts []Contact `json:"contacts"`
	// Withheld counts records whose other party is withheld or empty: they
	// are no contact of anyone.
	Withheld       int         `json:"withheld"`
	WithheldByType []TypeCount `json:"withheld_by_type"`
}

// CommonTarget is one target's contact with a common contact.
type CommonTarget struct {
	Target    string    `json:"target"`
	Count     int       `json:"count"`
	DurationS int64     `json:"duration_s"`
	First     time.Time `json:"first"`
	Last      time.Time `json:"last"`
}

// CommonContact is another party in contact with two or more targets.
type CommonContact struct {
	Other    string         `json:"other"`
	Kind     string         `json:"kind"`
	IsTarget bool           `json:"is_target"`
	Count    int            `json:"count"` // over all its targets
	Targets  []CommonTarget `json:"targets"`
}

// ChainLink is one call of a call chain, with the records of it held.
type ChainLink struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	Type      string    `json:"type"`
	Start     time.Time `json:"start"` // as recorded by the caller when held, else by the callee
	DurationS int64     `json:"duration_s"`
	// After lists the links of the chain (by index) that this call
	// followed: calls to From, not from To, that began before it and
	// ended at most WindowS before it began. The latest of them is always
	// in the chain; earlier ones are listed when they are in it too.
	After []int `json:"after"`
	// Records are the records of the call: the caller's, the callee's,
	// or both.
	Records []EventRef `json:"records"`
}

// EventRef points at one record of an original file.
type EventRef struct {
	Source cellsite.Hash `json:"source"`
	Sheet  string        `json:"sheet,omitempty"`
	Row    int           `json:"row"`
	Target string        `json:"target"` // whose record it is
}

// CallChain is a set of calls linked by succession: A called B, then B,
// a target whose records are held, called C (not A) within WindowS of the
// end of that call, and so on. Each call B→C is joined to the latest call
// B received before it that qualifies (the call that B had just taken), so
// that a busy phone's ordinary traffic does not merge into one chain.
// Links are in time order.
type CallChain struct {
	Links []ChainLink `json:"links"`
}

// ContactResult is the contact analysis of a set of targets.
type ContactResult struct {
	Params  ContactParams    `json:"params"`
	Targets []TargetContacts `json:"targets"`
	Common  []CommonContact  `json:"common"`
	Chains  []CallChain      `json:"chains"`
}

// Contacts summarises the contacts of each target from the target's own
// records: the other parties ranked by number of events, then total
// duration, then number; with counts by type and direction and the first
// and last contact. Withheld or empty other parties are counted apart and
// are no contact; data records have no other party and are not counted.
// Common contacts are the other parties of the kinds CommonKinds in
// contact with two or more of the targets, most targets first, then most
// events, then number. Call chains link a call A→B (recorded by
// either party) to a call B→C (C not A) made by a target B, starting after
// it and at most WindowS after its end; each call B→C is joined to the
// latest such call into B, and each chain is a set of calls so joined, in
// time order (see CallChain). A call recorded by both parties is one call
// when the starts lie within MatchS. Calls with a withheld party or no
// stated direction are not linked.
//
// With no targets, every target of the events is analysed. Exact
// duplicates (DuplicateOf != 0) are left out. Targets are listed in the
// order given (sorted when none is given).
func Contacts(events []cellsite.Event, targets []string, p ContactParams) ContactResult {
	p = p.Defaults()
	if len(targets) == 0 {
		seen := map[string]bool{}
		for i := range events {
			if !seen[events[i].Target] && events[i].DuplicateOf == 0 {
				seen[events[i].Target] = true
				targets = append(targets, events[i].Target)
			}
		}
		sort.Strings(targets)
	}
	targets = uniqueTargets(targets)
	isTarget := make(map[string]bool, len(targets))
	for _, t := range targets {
		isTarget[t] = true
	}
	idx := make([]int, 0, len(events))
	for i := range events {
		if events[i].DuplicateOf == 0 {
			idx = append(idx, i)
		}
	}
	sortEventIdx(events, idx)

	res := ContactResult{Params: p, Targets: make([]TargetContacts, 0, len(targets)), Common: []CommonContact{}, Chains: []CallChain{}}
	type pk struct{ target, other string }
	type agg struct {
		c      Contact
		byType map[string]int
	}
	per := map[pk]*agg{}
	withheld := map[string]map[string]int{}
	tc := make(map[string]*TargetContacts, len(targets))
	for _, t := range targets {
		res.Targets = append(res.Targets, TargetContacts{Target: t, Contacts: []Contact{}, WithheldByType: []TypeCount{}})
	}
	for i := range res.Targets {
		tc[res.Targets[i].Target] = &res.Targets[i]
	}
	for _, i := range idx {
		e := &events[i]
		t := tc[e.Target]
		if t == nil || e.Type == "data" {
			continue
		}
		t.Events++
		if e.Other == "" || e.OtherKind == "withheld" {
			t.Withheld++
			if withheld[e.Target] == nil {
				withheld[e.Target] = map[string]int{}
			}
			withheld[e.Target][e.Type]++
			continue
		}
		k := pk{e.Target, e.Other}
		a := per[k]
		if a == nil {
			a = &agg{c: Contact{Other: e.Other, Kind: e.OtherKind, IsTarget: isTarget[e.Other], First: e.Start}, byType: map[string]int{}}
			per[k] = a
		}
		a.c.Count++
		a.c.DurationS += max(e.DurationS, 0)
		switch e.Direction {
		case "in":
			a.c.In++
		case "out":
			a.c.Out++
		}
		a.byType[e.Type]++
		a.c.Last = e.Start
	}
	keys := make([]pk, 0, len(per))
	for k := range per {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].target != keys[j].target {
			return keys[i].target < keys[j].target
		}
		return keys[i].other < keys[j].other
	})
	commons := map[string]*CommonContact{}
	for _, k := range keys {
		a := per[k]
		a.c.ByType = typeCounts(a.byType)
		t := tc[k.target]
		t.Contacts = append(t.Contacts, a.c)
		cc := commons[k.other]
		if cc == nil {
			cc = &CommonContact{Other: k.other, Kind: a.c.Kind, IsTarget: a.c.IsTarget}
			commons[k.other] = cc
		}
		cc.Count += a.c.Count
		cc.Targets = append(cc.Targets, CommonTarget{Target: k.target, Count: a.c.Count, DurationS: a.c.DurationS, First: a.c.First, Last: a.c.Last})
	}
	for i := range res.Targets {
		t := &res.Targets[i]
		t.WithheldByType = typeCounts(withheld[t.Target])
		sort.SliceStable(t.Contacts, func(i, j int) bool {
			a, b := &t.Contacts[i], &t.Contacts[j]
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			if a.DurationS != b.DurationS {
				return a.DurationS > b.DurationS
			}
			return a.Other < b.Other
		})
	}
	commonKind := map[string]bool{}
	for _, k := range p.CommonKinds {
		commonKind[k] = true
	}
	for _, cc := range commons {
		if len(cc.Targets) >= 2 && commonKind[cc.Kind] {
			res.Common = append(res.Common, *cc)
		}
	}
	sort.Slice(res.Common, func(i, j int) bool {
		a, b := &res.Common[i], &res.Common[j]
		if len(a.Targets) != len(b.Targets) {
			return len(a.Targets) > len(b.Targets)
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Other < b.Other
	})
	res.Chains = callChains(events, idx, isTarget, p)
	return res
}

// typeCounts returns counts by type, sorted by type.
func typeCounts(m map[string]int) []TypeCount {
	out := make([]TypeCount, 0, len(m))
	for t, n := range m {
		out = append(out, TypeCount{Type: t, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// uniqueTargets returns ss without repeats, in first-seen order.
func uniqueTargets(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// chainCall is one call between two identified parties, from one or both
// of its records.
type chainCall struct {
	from, to  string
	typ       string
	start     time.Time
	durationS int64
	caller    int // index of the caller's record in events, or -1
	callee    int // index of the callee's record, or -1
}

func (c *chainCall) end() time.Time { return c.start.Add(time.Duration(c.durationS) * time.Second) }

// callChains finds the call chains among events (idx: the events to use, in
// order).
func callChains(events []cellsite.Event, idx []int, isTarget map[string]bool, p ContactParams) []CallChain {
	chainType := map[string]bool{}
	for _, t := range p.ChainTypes {
		chainType[t] = true
	}
	// Gather the calls, one per record, in event order.
	var calls []chainCall
	for _, i := range idx {
		e := &events[i]
		if !chainType[e.Type] || e.Other == "" || e.OtherKind == "withheld" || e.Target == "" {
			continue
		}
		c := chainCall{typ: e.Type, start: e.Start, durationS: max(e.DurationS, 0), caller: -1, callee: -1}
		switch e.Direction {
		case "out":
			c.from, c.to, c.caller = e.Target, e.Other, i
		case "in":
			c.from, c.to, c.callee = e.Other, e.Target, i
		default:
			continue
		}
		calls = append(calls, c)
	}
	// Merge the caller's and the callee's records of one call: per pair of
	// parties, in time order, a caller's record takes the nearest callee's
	// record not yet taken within MatchS.
	match := time.Duration(max(p.MatchS, 0)) * time.Second
	byPair := map[[3]string][]int{}
	var pairs [][3]string
	for i := range calls {
		k := [3]string{calls[i].from, calls[i].to, calls[i].typ}
		if _, ok := byPair[k]; !ok {
			pairs = append(pairs, k)
		}
		byPair[k] = append(byPair[k], i)
	}
	dead := make([]bool, len(calls))
	for _, k := range pairs {
		is := byPair[k]
		for a, i := range is {
			if calls[i].caller < 0 {
				continue
			}
			best, bestD := -1, time.Duration(0)
			consider := func(j int, d time.Duration) {
				if !dead[j] && calls[j].caller < 0 && (best < 0 || d < bestD) {
					best, bestD = j, d
				}
			}
			for b := a - 1; b >= 0 && calls[i].start.Sub(calls[is[b]].start) <= match; b-- {
				consider(is[b], calls[i].start.Sub(calls[is[b]].start))
			}
			for b := a + 1; b < len(is) && calls[is[b]].start.Sub(calls[i].start) <= match; b++ {
				consider(is[b], calls[is[b]].start.Sub(calls[i].start))
			}
			if best >= 0 {
				calls[i].callee = calls[best].callee
				calls[i].durationS = max(calls[i].durationS, calls[best].durationS)
				dead[best] = true
			}
		}
	}
	live := calls[:0]
	for i := range calls {
		if !dead[i] {
			live = append(live, calls[i])
		}
	}
	calls = live
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].start.Before(calls[j].start) })

	// Successions: a call y B→C made by a target B follows each call x
	// A→B (A not C) that started before it and ended at most WindowS
	// before it began. A chain joins y to the latest such x, the call B
	// had just received; y's other predecessors are listed when they are
	// in the same chain.
	window := time.Duration(p.WindowS) * time.Second
	into := map[string][]int{} // calls to each target, in start order
	var maxDur int64
	for i := range calls {
		if isTarget[calls[i].to] {
			into[calls[i].to] = append(into[calls[i].to], i)
			maxDur = max(maxDur, calls[i].durationS)
		}
	}
	parent := make([]int, len(calls)) // union-find over calls
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// Predecessors of each call, latest first: those of call j are
	// predList[predOff[j]:predOff[j+1]].
	predOff := make([]int, len(calls)+1)
	var predList []int
	linked := make([]bool, len(calls))
	for j := range calls {
		predOff[j] = len(predList)
		y := &calls[j]
		if !isTarget[y.from] {
			continue
		}
		in := into[y.from]
		hi := sort.Search(len(in), func(k int) bool { return !calls[in[k]].start.Before(y.start) })
		earliest := y.start.Add(-window - time.Duration(maxDur)*time.Second)
		for k := hi - 1; k >= 0; k-- {
			x := &calls[in[k]]
			if x.start.Before(earliest) {
				break
			}
			if x.from == y.to || y.start.Sub(x.end()) > window {
				continue
			}
			predList = append(predList, in[k])
		}
		if ps := predList[predOff[j]:]; len(ps) > 0 {
			linked[j], linked[ps[0]] = true, true
			if a, b := find(j), find(ps[0]); a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	predOff[len(calls)] = len(predList)
	// One chain per set of joined calls, in the time order of its first.
	groups := map[int][]int{}
	var roots []int
	for i := range calls {
		if !linked[i] {
			continue
		}
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	chains := []CallChain{}
	pos := make([]int, len(calls)) // position in its chain, plus 1; 0 when not in it
	for _, r := range roots {
		members := groups[r]
		for n, i := range members {
			pos[i] = n + 1
		}
		ch := CallChain{Links: make([]ChainLink, 0, len(members))}
		for _, i := range members {
			c := &calls[i]
			l := ChainLink{From: c.from, To: c.to, Type: c.typ, Start: c.start, DurationS: c.durationS, After: []int{}, Records: []EventRef{}}
			for _, a := range predList[predOff[i]:predOff[i+1]] {
				if pos[a] > 0 {
					l.After = append(l.After, pos[a]-1)
				}
			}
			sort.Ints(l.After)
			for _, e := range []int{c.caller, c.callee} {
				if e >= 0 {
					ev := &events[e]
					l.Records = append(l.Records, EventRef{Source: ev.Source, Sheet: ev.Sheet, Row: ev.Row, Target: ev.Target})
				}
			}
			ch.Links = append(ch.Links, l)
		}
		for _, i := range members {
			pos[i] = 0
		}
		chains = append(chains, ch)
	}
	return chains
}
