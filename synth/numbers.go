package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/London's rules wherever the generator runs
)

// london returns the Europe/London zone.
var london = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return loc
})

// dialPlan is what the generator needs of a national numbering plan to
// write numbers as that country's operators do.
type dialPlan struct {
	cc    string // country calling code
	trunk bool   // national numbers are written with a leading 0
	zone  string // the time zone of the country's clocks
}

// dialPlans are the countries the shipped profiles name.
var dialPlans = map[string]dialPlan{
	"GB": {cc: "44", trunk: true, zone: "Europe/London"},
	"IN": {cc: "91", trunk: true, zone: "Asia/Kolkata"},
	"NO": {cc: "47", trunk: false, zone: "Europe/Oslo"},
	"PK": {cc: "92", trunk: true, zone: "Asia/Karachi"},
	"BD": {cc: "880", trunk: true, zone: "Asia/Dhaka"},
}

// numberPool hands out invented telephone numbers without repeats. UK
// numbers come from Ofcom's ranges reserved for drama (07700 900xxx, 01632
// 960xxx, 020 7946 0xxx), which are never allocated to subscribers.
type numberPool struct {
	rng  *rand.Rand
	used map[string]bool
	gb   []string // shuffled 07700 900xxx
}

func newNumberPool(rng *rand.Rand) *numberPool {
	np := &numberPool{rng: rng, used: map[string]bool{}}
	for i := range 1000 {
		np.gb = append(np.gb, fmt.Sprintf("+447700900%03d", i))
	}
	rng.Shuffle(len(np.gb), func(i, j int) { np.gb[i], np.gb[j] = np.gb[j], np.gb[i] })
	return np
}

// mobile returns a new mobile number (E.164) of the country.
func (np *numberPool) mobile(country string) string {
	for {
		var n string
		switch country {
		case "GB", "":
			if len(np.gb) == 0 {
				panic("synth: out of drama-range mobile numbers")
			}
			n, np.gb = np.gb[0], np.gb[1:]
		case "IN":
			n = fmt.Sprintf("+91%d%09d", 7+np.rng.IntN(3), np.rng.IntN(1_000_000_000))
		case "NO":
			n = fmt.Sprintf("+474%07d", np.rng.IntN(10_000_000))
		case "PK":
			n = fmt.Sprintf("+923%09d", np.rng.IntN(1_000_000_000))
		case "BD":
			n = fmt.Sprintf("+8801%d%08d", 3+np.rng.IntN(7), np.rng.IntN(100_000_000))
		default:
			panic("synth: no numbering plan for " + country)
		}
		if !np.used[n] {
			np.used[n] = true
			return n
		}
	}
}

// landline returns a new fixed-line number (E.164) of the country.
func (np *numberPool) landline(country string) string {
	if country != "GB" && country != "" {
		return np.mobile(country)
	}
	for {
		var n string
		if np.rng.IntN(2) == 0 {
			n = fmt.Sprintf("+441632960%03d", np.rng.IntN(1000))
		} else {
			n = fmt.Sprintf("+442079460%03d", np.rng.IntN(1000))
		}
		if !np.used[n] {
			np.used[n] = true
			return n
		}
	}
}

// formatNumber writes the E.164 number e as an export of country might:
// national form (with or without the trunk 0), international with '+', with
// 00, or the bare country code and number. style picks among them.
func formatNumber(e, country string, style int) string {
	if !strings.HasPrefix(e, "+") {
		return e // short codes, sender IDs, withheld
	}
	digits := e[1:]
	plan, ok := dialPlans[country]
	if !ok || !strings.HasPrefix(digits, plan.cc) {
		if style%2 == 0 {
			return e
		}
		return "00" + digits
	}
	nsn := digits[len(plan.cc):]
	switch style % 4 {
	case 0, 1:
		if plan.trunk {
			return "0" + nsn
		}
		return nsn
	case 2:
		return digits
	default:
		return e
	}
}

// luhn returns the Luhn check digit of digits.
func luhn(digits string) byte {
	sum := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// Type allocation codes of invented handsets (8 digits each).
var tacs = []string{"35332510", "35875911", "35290611", "86891204", "35420409", "35671311", "01326300", "35917406"}

// newIMEI returns a 15-digit IMEI with a correct check digit.
func newIMEI(rng *rand.Rand) string {
	body := tacs[rng.IntN(len(tacs))] + fmt.Sprintf("%06d", rng.IntN(1_000_000))
	return body + string(luhn(body))
}

// badCheckDigit returns imei with its check digit wrong.
func badCheckDigit(imei string) string {
	d := imei[14] - '0'
	return imei[:14] + string('0'+(d+1)%10)
}

// newIMSI returns a 15-digit IMSI of the network MCC-MNC.
func newIMSI(rng *rand.Rand, network string) string {
	mccmnc := strings.ReplaceAll(network, "-", "")
	return mccmnc + fmt.Sprintf("%0*d", 15-len(mccmnc), rng.Int64N(10_000_000_000))
}
