package synth

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/cellsite/cellsite/geo"
)

// place is a position a person spends time at.
type place struct {
	lat, lon float64
}

// stay is a period spent at one place: from arrival to departure. Between
// two stays the person travels in a straight line.
type stay struct {
	at       place
	from, to time.Time
}

// person is someone who carries phones: where they live and work, where
// they like to go, and where they were at every instant of the scenario.
type person struct {
	home, work place
	haunts     []place // places visited in the evenings and at weekends
	lunch      place   // near work
	works      bool
	stays      []stay // in time order, not overlapping
}

// travelTime is how long a journey between two places takes.
func travelTime(a, b place) time.Duration {
	d := planeDistance(a.lat, a.lon, b.lat, b.lon)
	if d < 50 {
		return 0
	}
	t := time.Duration(d/11*float64(time.Second)) + 4*time.Minute
	return min(t, 90*time.Minute).Truncate(time.Second)
}

// offset returns a place dist metres from p at a random bearing.
func offset(rng *rand.Rand, p place, minM, maxM float64) place {
	d := minM + rng.Float64()*(maxM-minM)
	q := geo.Destination(geo.LatLon{Lat: p.lat, Lon: p.lon}, rng.Float64()*360, d)
	return place{lat: round6(q.Lat), lon: round6(q.Lon)}
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// siteNear returns the position of a random site of nets between minM and
// maxM metres from p, or of the nearest such site when none is in the ring.
func siteNear(rng *rand.Rand, nets []*network, p place, minM, maxM float64) place {
	var ring, all []*site
	for _, n := range nets {
		for _, s := range n.sites {
			d := planeDistance(p.lat, p.lon, s.lat, s.lon)
			if d >= minM && d <= maxM {
				ring = append(ring, s)
			}
			all = append(all, s)
		}
	}
	if len(ring) > 0 {
		s := ring[rng.IntN(len(ring))]
		return place{lat: s.lat, lon: s.lon}
	}
	sort.SliceStable(all, func(i, j int) bool {
		di := math.Abs(planeDistance(p.lat, p.lon, all[i].lat, all[i].lon) - (minM+maxM)/2)
		dj := math.Abs(planeDistance(p.lat, p.lon, all[j].lat, all[j].lon) - (minM+maxM)/2)
		return di < dj
	})
	s := all[0]
	return place{lat: s.lat, lon: s.lon}
}

// newPerson places a person's home near a site of their network, with work
// and haunts at real sites around it.
func newPerson(rng *rand.Rand, home *network, all []*network) *person {
	s := home.sites[rng.IntN(len(home.sites))]
	return newPersonAt(rng, place{lat: s.lat, lon: s.lon}, all)
}

// newPersonAt is newPerson for a home near the given site position.
func newPersonAt(rng *rand.Rand, homeSite place, all []*network) *person {
	p := &person{works: rng.Float64() < 0.85}
	p.home = offset(rng, homeSite, 150, 900)
	p.work = offset(rng, siteNear(rng, all, p.home, 3000, 25000), 100, 600)
	p.lunch = offset(rng, p.work, 250, 800)
	for range 3 {
		p.haunts = append(p.haunts, offset(rng, siteNear(rng, all, p.home, 500, 6000), 80, 400))
	}
	return p
}

// plan builds the person's stays from from to to (UTC), following a daily
// routine in UK local time.
func (p *person) plan(rng *rand.Rand, from, to time.Time) {
	uk := london()
	day := time.Date(from.In(uk).Year(), from.In(uk).Month(), from.In(uk).Day(), 0, 0, 0, 0, uk)
	p.stays = []stay{{at: p.home, from: from.Add(-24 * time.Hour), to: from}}
	at := func(h, m float64) time.Time {
		return day.Add(time.Duration((h*60 + m) * float64(time.Minute))).Truncate(time.Second)
	}
	uniform := func(h0, h1 float64) float64 { return h0 + rng.Float64()*(h1-h0) }
	for day.Before(to) {
		wd := day.Weekday()
		if p.works && wd != time.Saturday && wd != time.Sunday && rng.Float64() < 0.93 {
			p.goTo(p.work, at(uniform(7, 8.75), 0), at(uniform(16.5, 18.5), 0))
			if rng.Float64() < 0.25 {
				start := at(uniform(12, 13.25), 0)
				p.goTo(p.lunch, start, start.Add(time.Duration(30+rng.IntN(25))*time.Minute))
				p.goTo(p.work, p.last().to.Add(travelTime(p.lunch, p.work)), at(uniform(16.5, 18.5), 0))
			}
		} else {
			if rng.Float64() < 0.6 {
				start := at(uniform(9.5, 12), 0)
				p.goTo(p.haunts[rng.IntN(len(p.haunts))], start, start.Add(time.Duration(60+rng.IntN(150))*time.Minute))
			}
			if rng.Float64() < 0.4 {
				start := at(uniform(14, 16.5), 0)
				p.goTo(p.haunts[rng.IntN(len(p.haunts))], start, start.Add(time.Duration(45+rng.IntN(120))*time.Minute))
			}
		}
		if rng.Float64() < 0.33 {
			start := at(uniform(19, 20.5), 0)
			p.goTo(p.haunts[rng.IntN(len(p.haunts))], start, start.Add(time.Duration(60+rng.IntN(120))*time.Minute))
		}
		p.goTo(p.home, p.last().to, day.AddDate(0, 0, 1))
		day = day.AddDate(0, 0, 1)
	}
	p.goTo(p.home, p.last().to, to.Add(24*time.Hour))
}

func (p *person) last() *stay { return &p.stays[len(p.stays)-1] }

// goTo ends the current stay no later than needed to arrive at q by arrive
// (or leaves as soon as possible), and stays at q until leave.
func (p *person) goTo(q place, arrive, leave time.Time) {
	cur := p.last()
	if cur.at == q {
		if leave.After(cur.to) {
			cur.to = leave
		}
		return
	}
	tt := travelTime(cur.at, q)
	depart := arrive.Add(-tt)
	if depart.Before(cur.from) {
		depart = cur.from
	}
	cur.to = depart
	arrive = depart.Add(tt)
	if !leave.After(arrive) {
		leave = arrive
	}
	p.stays = append(p.stays, stay{at: q, from: arrive, to: leave})
}

// meet makes the person be at q from start to end, travelling there from
// wherever they would have been and back to where they would have been next.
func (p *person) meet(q place, start, end time.Time) {
	i := sort.Search(len(p.stays), func(i int) bool { return p.stays[i].to.After(start) })
	if i == len(p.stays) {
		return
	}
	// The stay in progress before the meeting is cut short for the journey.
	var before []stay
	before = append(before, p.stays[:i]...)
	if p.stays[i].from.Before(start) {
		before = append(before, p.stays[i])
	}
	if len(before) > 0 {
		l := &before[len(before)-1]
		if need := start.Add(-travelTime(l.at, q)); l.to.After(need) {
			l.to = need
			if l.to.Before(l.from) {
				l.to = l.from
			}
		}
	}
	// The first stay that would have lasted beyond the meeting is resumed
	// on arrival.
	j := sort.Search(len(p.stays), func(j int) bool { return p.stays[j].to.After(end) })
	var after []stay
	if j < len(p.stays) {
		next := p.stays[j]
		arrive := end.Add(travelTime(q, next.at))
		if next.from.Before(arrive) {
			next.from = arrive
		}
		if next.to.Before(next.from) {
			next.to = next.from
		}
		after = append(after, next)
		after = append(after, p.stays[j+1:]...)
	}
	out := append(before, stay{at: q, from: start, to: end})
	p.stays = append(out, after...)
}

// at returns where the person was at instant t.
func (p *person) at(t time.Time) place {
	pl, _ := p.where(t)
	return pl
}

// where returns where the person was at instant t, and whether they were
// staying there (from arrival to departure, both included) rather than
// travelling.
func (p *person) where(t time.Time) (pl place, staying bool) {
	i := sort.Search(len(p.stays), func(i int) bool { return p.stays[i].to.After(t) || p.stays[i].to.Equal(t) })
	if i == len(p.stays) {
		return p.stays[len(p.stays)-1].at, true
	}
	s := p.stays[i]
	if !t.Before(s.from) || i == 0 {
		return s.at, true
	}
	// Travelling from stay i-1 to stay i.
	a, b := p.stays[i-1], s
	span := b.from.Sub(a.to)
	if span <= 0 {
		return b.at, true
	}
	f := float64(t.Sub(a.to)) / float64(span)
	return place{lat: a.at.lat + f*(b.at.lat-a.at.lat), lon: a.at.lon + f*(b.at.lon-a.at.lon)}, false
}
