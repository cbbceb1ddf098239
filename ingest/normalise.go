package ingest

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cellsite/cellsite"
)

// This file normalises the identifiers and quantities of a call data record:
// telephone numbers, IMEIs, IMSIs, durations and cell identities. Every
// function takes the text exactly as the operator supplied it and returns a
// canonical value or an error of kind cellsite.Invalid that quotes the text;
// none guesses. Identifiers are handled as strings of digits throughout and
// never pass through floating point, so no digit is ever lost or invented.

// invalidInput returns an error of kind cellsite.Invalid.
func invalidInput(op, format string, args ...any) error {
	return cellsite.Errorf(cellsite.Invalid, op, format, args...)
}

func digitByte(c byte) bool { return '0' <= c && c <= '9' }

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !digitByte(s[i]) {
			return false
		}
	}
	return s != ""
}

func quoteRune(r rune) bool {
	switch r {
	case '"', '\'', '\u2018', '\u2019', '\u201C', '\u201D':
		return true
	}
	return false
}

// dashRune reports a Unicode hyphen, dash or minus sign other than '-'.
func dashRune(r rune) bool { return r >= '\u2010' && r <= '\u2015' || r == '\u2212' }

// trimFieldText returns s without surrounding white space, quotes (straight or
// curly), the leading apostrophe a spreadsheet uses to mark text, or the
// ="…" wrapper a spreadsheet writes to keep a number as text.
func trimFieldText(s string) string {
	for {
		t := strings.TrimSpace(s)
		if len(t) >= 2 && t[0] == '=' && t[1] == '"' {
			t = t[1:]
		}
		if r, n := utf8.DecodeRuneInString(t); n > 0 && quoteRune(r) {
			t = t[n:]
		}
		if r, n := utf8.DecodeLastRuneInString(t); n > 0 && quoteRune(r) {
			t = t[:len(t)-n]
		}
		if len(t) == len(s) {
			return t
		}
		s = t
	}
}

// maxExactDigits bounds the length of a number expanded from scientific
// notation.
const maxExactDigits = 64

// ExactDigits returns the decimal digits of the whole number that s denotes,
// when s is a non-negative number written in decimal ("447700900123",
// "447700900123.0") or in scientific notation as spreadsheets write long
// numbers ("3.51234567890123E+14" gives "351234567890123"). ok is false when
// s is not such a number, when its value has a non-zero fractional part
// ("12.5", "1.5E-1"), or when it would expand to more than 64 digits.
//
// The digits come from the text alone, by decimal arithmetic: nothing is
// rounded or passed through floating point. A number written without an
// exponent keeps the leading zeros it was written with ("007.0" gives
// "007"); one written with an exponent gives its value without leading zeros
// ("0E+5" gives "0").
//
// ExactDigits cannot know whether a spreadsheet rounded a number before
// writing it: "3.51235E+14" gives "351235000000000". IMEI, IMSI and MSISDN
// refuse such values (see their documentation).
func ExactDigits(s string) (digits string, ok bool) {
	digits, _, ok = exactDigitsRounded(s)
	return digits, ok
}

// exactDigitsRounded is ExactDigits that also reports a value that was probably
// rounded before it was written: one in scientific notation with at most six
// significant digits (the most a spreadsheet's General format shows) whose
// expansion needs zeros beyond the digits written. Such text says
// "3.51235E+14" where the value was 351234567890123.
func exactDigitsRounded(s string) (digits string, rounded, ok bool) {
	i := 0
	for i < len(s) && digitByte(s[i]) {
		i++
	}
	whole := s[:i]
	var frac string
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && digitByte(s[j]) {
			j++
		}
		frac = s[i+1 : j]
		i = j
	}
	if whole == "" && frac == "" {
		return "", false, false
	}
	if i == len(s) { // no exponent
		for k := 0; k < len(frac); k++ {
			if frac[k] != '0' {
				return "", false, false
			}
		}
		if whole == "" {
			return "0", false, true
		}
		return whole, false, true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return "", false, false
	}
	i++
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i == len(s) {
		return "", false, false
	}
	exp := 0
	for ; i < len(s); i++ {
		if !digitByte(s[i]) {
			return "", false, false
		}
		if exp < 1_000_000 { // saturate: any larger exponent is out of range
			exp = exp*10 + int(s[i]-'0')
		}
	}
	if neg {
		exp = -exp
	}
	m := len(whole) + len(frac)
	at := func(k int) byte {
		if k < len(whole) {
			return whole[k]
		}
		return frac[k-len(whole)]
	}
	first, last := -1, -1
	for k := 0; k < m; k++ {
		if at(k) != '0' {
			if first < 0 {
				first = k
			}
			last = k
		}
	}
	if first < 0 {
		return "0", false, true
	}
	point := len(whole) + exp // digits before the decimal point once shifted
	if last >= point {
		return "", false, false // a non-zero digit after the point
	}
	n := point - first
	if n > maxExactDigits {
		return "", false, false
	}
	var buf [maxExactDigits]byte
	for k := 0; k < n; k++ {
		if first+k < m {
			buf[k] = at(first + k)
		} else {
			buf[k] = '0'
		}
	}
	return string(buf[:n]), point > m && m-first <= 6, true
}

// A numberingPlan is what MSISDN needs to know of a country's national
// numbering plan. Lengths are sets: bit n set means n digits are allowed.
type numberingPlan struct {
	country string // ISO 3166 alpha-2
	cc      string // country calling code
	trunk   bool   // national numbers are dialled with a leading 0
	nsn     uint32 // lengths of a national significant number
	bare    uint32 // lengths read as a national significant number when written with no prefix
}

func planLengths(ns ...int) uint32 {
	var m uint32
	for _, n := range ns {
		m |= 1 << n
	}
	return m
}

func (p *numberingPlan) nsnOK(nsn []byte) bool {
	return len(nsn) < 32 && p.nsn&(1<<len(nsn)) != 0 && nsn[0] != '0'
}

// numberingPlans are the national plans MSISDN knows. nsn is generous
// (short national numbers such as the UK's 0800 1111 exist); bare lists only
// the usual length of a subscriber's number, so that nothing shorter is read
// as national by mistake.
var numberingPlans = [...]numberingPlan{
	{country: "GB", cc: "44", trunk: true, nsn: planLengths(7, 8, 9, 10), bare: planLengths(10)},
	{country: "IN", cc: "91", trunk: true, nsn: planLengths(10), bare: planLengths(10)},
	{country: "NO", cc: "47", trunk: false, nsn: planLengths(8, 12), bare: planLengths(8)},
	{country: "PK", cc: "92", trunk: true, nsn: planLengths(9, 10), bare: planLengths(10)},
	{country: "BD", cc: "880", trunk: true, nsn: planLengths(8, 9, 10), bare: planLengths(10)},
}

// numberingPlanOf returns the plan of an ISO 3166 alpha-2 code (in either
// case), nil for "", and false for a country with no plan here.
func numberingPlanOf(country string) (*numberingPlan, bool) {
	if country == "" {
		return nil, true
	}
	for i := range numberingPlans {
		if strings.EqualFold(numberingPlans[i].country, country) {
			return &numberingPlans[i], true
		}
	}
	return nil, false
}

// MSISDN returns the telephone number raw in E.164 form with a leading '+'
// ("+447700900123"), or a short code unchanged.
//
// country is the ISO 3166 alpha-2 code of the national numbering plan for
// numbers written without an international prefix: "GB" (+44), "IN" (+91),
// "NO" (+47), "PK" (+92) or "BD" (+880), in either case. "" declares that
// every number is international: digits with no prefix are then read as
// country code and number ("447700900123" gives "+447700900123"). Any other
// country is an error.
//
// Surrounding white space and quotes, a leading apostrophe, a ="…" wrapper
// and a "tel:" prefix are removed, as are spaces, dashes, dots and
// parentheses within the number; "+44 (0)7700 900123" drops the (0). Text
// that is a spreadsheet number ("4.47700900123E+11", "447700900123.0") is
// read digit for digit by ExactDigits; one that was visibly rounded
// ("4.47701E+11", six significant digits or fewer with zeros to fill) is an
// error, since its digits are lost.
//
// With the digits in hand:
//   - 3 to 6 digits with no '+' are a short code ("999", "150", "118118"),
//     returned as those digits without '+';
//   - "+CC…" and "00CC…" are international;
//   - a national number with the trunk prefix ("07700900123" for GB) is
//     given the country code;
//   - the country code without '+' followed by a national number of the
//     usual length ("447700900123" for GB) is international;
//   - a national number of the usual length with no prefix ("7700900123",
//     10 digits, for GB; 8 digits for NO) is given the country code.
//
// Anything else is an error, as are letters (an alphanumeric sender ID such
// as "HSBC" is not a number: see OtherParty), fewer than 7 or more than 15
// digits in the international form, a first digit 0 after the '+', and, for
// the countries above, a national part of a length the plan does not use or
// starting with 0 ("+4407700900123").
func MSISDN(raw, country string) (e164 string, err error) {
	if canonicalE164(raw, country) {
		return raw, nil
	}
	return msisdn(raw, country)
}

// msisdn is MSISDN without the shortcut for numbers already in E.164 form.
func msisdn(raw, country string) (e164 string, err error) {
	const op = "msisdn"
	plan, ok := numberingPlanOf(country)
	if !ok {
		return "", invalidInput(op, "no numbering plan for country %q", country)
	}
	s := trimFieldText(raw)
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s = trimFieldText(s[4:])
	}
	if s == "" {
		return "", invalidInput(op, "empty")
	}

	var buf [24]byte
	d := buf[:0]
	plus := false
	// A spreadsheet number never begins with 0: "0161.496" has separators.
	if num, rounded, ok := exactDigitsRounded(s); ok && (s[0] != '0' || num == s) {
		if rounded {
			return "", invalidInput(op, "%q was rounded by a spreadsheet: its digits are lost", raw)
		}
		if len(num) > cap(d) {
			return "", invalidInput(op, "%q has too many digits", raw)
		}
		d = append(d, num...)
	} else {
		d, plus, err = msisdnDigits(s, d, raw)
		if err != nil {
			return "", err
		}
	}

	n := len(d)
	if !plus && 3 <= n && n <= 6 {
		if string(d) == s {
			return s, nil
		}
		return string(d), nil
	}
	if n < 3 {
		return "", invalidInput(op, "%q is too short for a telephone number", raw)
	}

	var out [24]byte
	e := append(out[:0], '+')
	switch {
	case plus:
		e = append(e, d...)
	case d[0] == '0' && d[1] == '0':
		e = append(e, d[2:]...)
	case plan == nil:
		if d[0] == '0' {
			return "", invalidInput(op, "%q is a national number but no country was given", raw)
		}
		e = append(e, d...)
	case plan.trunk && d[0] == '0':
		if !plan.nsnOK(d[1:]) {
			return "", invalidInput(op, "%q is not a national number of %s", raw, plan.country)
		}
		e = append(append(e, plan.cc...), d[1:]...)
	case strings.HasPrefix(string(d), plan.cc) && n-len(plan.cc) < 32 && plan.bare&(1<<(n-len(plan.cc))) != 0 && d[len(plan.cc)] != '0':
		e = append(e, d...)
	case n < 32 && plan.bare&(1<<n) != 0 && d[0] != '0':
		e = append(append(e, plan.cc...), d...)
	default:
		return "", invalidInput(op, "cannot tell whether %q is national or international (country %s)", raw, plan.country)
	}

	intl := e[1:]
	switch {
	case len(intl) < 7:
		return "", invalidInput(op, "%q is too short for an international number", raw)
	case len(intl) > 15:
		return "", invalidInput(op, "%q has more than the 15 digits of an international number", raw)
	case intl[0] == '0':
		return "", invalidInput(op, "%q: a country code cannot start with 0", raw)
	}
	for i := range numberingPlans {
		p := &numberingPlans[i]
		if strings.HasPrefix(string(intl), p.cc) && !p.nsnOK(intl[len(p.cc):]) {
			return "", invalidInput(op, "%q is not a valid number after country code +%s", raw, p.cc)
		}
	}
	if string(e) == s {
		return s, nil
	}
	return string(e), nil
}

// canonicalE164 reports whether raw is a number exactly as MSISDN would
// return it for country: '+' and 7 to 15 digits, the first not 0, with a
// valid national part for any numbering plan its country code is one of.
// MSISDN returns such text unchanged for every country it knows, so it can
// be taken as it is. country must be written as MSISDN's documentation
// lists it (upper case, or "") for the shortcut to apply.
func canonicalE164(raw, country string) bool {
	switch country {
	case "", "GB", "IN", "NO", "PK", "BD":
	default:
		return false
	}
	if len(raw) < 8 || len(raw) > 16 || raw[0] != '+' || raw[1] == '0' {
		return false
	}
	intl := raw[1:]
	if !digitsOnly(intl) {
		return false
	}
	for i := range numberingPlans {
		p := &numberingPlans[i]
		if n := len(intl) - len(p.cc); strings.HasPrefix(intl, p.cc) && !(p.nsn&(1<<n) != 0 && intl[len(p.cc)] != '0') {
			return false
		}
	}
	return true
}

// msisdnDigits appends the digits of the telephone number s to d. It skips
// separators (spaces, dashes, dots, parentheses) and a "(0)" after an
// international prefix, and reports a leading '+'.
func msisdnDigits(s string, d []byte, raw string) ([]byte, bool, error) {
	const op = "msisdn"
	plus := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case digitByte(c):
			if len(d) == cap(d) {
				return d, plus, invalidInput(op, "%q has too many digits", raw)
			}
			d = append(d, c)
			i++
		case c == '+':
			if plus || len(d) > 0 {
				return d, plus, invalidInput(op, "%q has a '+' that does not begin it", raw)
			}
			plus = true
			i++
		case c == '(' && strings.HasPrefix(s[i:], "(0)") &&
			(plus && len(d) > 0 || len(d) > 2 && d[0] == '0' && d[1] == '0'):
			i += 3
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t':
			i++
		case c < utf8.RuneSelf:
			if unicode.IsLetter(rune(c)) {
				return d, plus, invalidInput(op, "%q contains letters: not a telephone number", raw)
			}
			return d, plus, invalidInput(op, "%q contains %q: not a telephone number", raw, c)
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsSpace(r) || dashRune(r):
				i += n
			case unicode.IsLetter(r):
				return d, plus, invalidInput(op, "%q contains letters: not a telephone number", raw)
			default:
				return d, plus, invalidInput(op, "%q contains %q: not a telephone number", raw, r)
			}
		}
	}
	if len(d) == 0 {
		return d, plus, invalidInput(op, "%q has no digits", raw)
	}
	return d, plus, nil
}

// withheldPartyWords are the texts operators write for a party whose number is
// not shown.
var withheldPartyWords = [...]string{"withheld", "private", "unknown", "anonymous", "restricted"}

// alphaSenderID reports whether s is an alphanumeric sender ID: at most 11
// letters, digits, spaces, dashes, dots, ampersands or underscores,
// beginning with a letter or digit and containing at least one letter
// ("HSBC", "VODAFONE", "Royal Mail", "M&S").
func alphaSenderID(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 11 {
		return false
	}
	letter := false
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case '0' <= r && r <= '9':
		case i > 0 && (r == ' ' || r == '-' || r == '.' || r == '&' || r == '_'):
		default:
			return false
		}
	}
	return letter
}

// OtherParty classifies the other party of a call or message, raw as the
// operator gave it, and returns its value and kind:
//
//   - "msisdn": a telephone number; value is its E.164 form (see MSISDN,
//     which reads it by the numbering plan of country);
//   - "short": a short code such as "999" or "150"; value is its digits;
//   - "alpha": an alphanumeric sender ID such as "HSBC" (at most 11
//     letters, digits, spaces, dashes, dots, ampersands or underscores, with
//     a letter); value is the text without surrounding spaces and quotes;
//   - "withheld": empty, or "withheld", "private", "unknown", "anonymous" or
//     "restricted" in any case; value is "";
//   - "raw": anything else, including a number that MSISDN refuses; value is
//     the text without surrounding spaces and quotes, kept as evidence.
func OtherParty(raw, country string) (value string, kind string) {
	if canonicalE164(raw, country) {
		return raw, "msisdn"
	}
	return otherParty(raw, country)
}

// otherParty is OtherParty without the shortcut for numbers already in
// E.164 form.
func otherParty(raw, country string) (value string, kind string) {
	s := trimFieldText(raw)
	if s == "" {
		return "", "withheld"
	}
	for _, w := range withheldPartyWords {
		if strings.EqualFold(s, w) {
			return "", "withheld"
		}
	}
	if v, err := MSISDN(s, country); err == nil {
		if v[0] == '+' {
			return v, "msisdn"
		}
		return v, "short"
	}
	if alphaSenderID(s) {
		return s, "alpha"
	}
	return s, "raw"
}

// identifierDigits appends to d the digits of an identifier (IMEI or IMSI)
// written with spaces, dashes or slashes between them, or written as a
// spreadsheet number ("3.51234567890123E+14"). number reports the latter: a
// number has no leading zeros, so some may have been lost.
func identifierDigits(op, s string, d []byte, raw string) (digits []byte, number bool, err error) {
	if strings.ContainsAny(s, ".eE") {
		num, rounded, ok := exactDigitsRounded(s)
		switch {
		case !ok:
			return d, false, invalidInput(op, "%q is not a whole number", raw)
		case rounded:
			return d, false, invalidInput(op, "%q was rounded by a spreadsheet: its digits are lost", raw)
		case len(num) > cap(d)-len(d):
			return d, false, invalidInput(op, "%q has too many digits", raw)
		}
		return append(d, num...), true, nil
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case digitByte(c):
			if len(d) == cap(d) {
				return d, false, invalidInput(op, "%q has too many digits", raw)
			}
			d = append(d, c)
			i++
		case c == ' ' || c == '-' || c == '/' || c == '\t':
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) && !dashRune(r) {
				return d, false, invalidInput(op, "%q contains %q: not digits", raw, r)
			}
			i += n
		}
	}
	return d, false, nil
}

// luhnCheckDigit returns the Luhn check digit of the digits d.
func luhnCheckDigit[T string | []byte](d T) byte {
	sum := 0
	for i := len(d) - 1; i >= 0; i -= 2 {
		x := int(d[i]-'0') * 2
		if x > 9 {
			x -= 9
		}
		sum += x
		if i > 0 {
			sum += int(d[i-1] - '0')
		}
	}
	return byte('0' + (10-sum%10)%10)
}

// IMEI returns the 15-digit IMEI of raw and whether its check digit is
// right.
//
//   - 15 digits are returned as given, with checkOK reporting whether the
//     last is the Luhn check digit of the first 14. A wrong check digit is
//     not an error: the caller flags it and keeps the value as evidence.
//   - 14 digits (TAC and serial number, as some operators give them, with no
//     check digit) are returned with the computed check digit appended, and
//     checkOK true. The last digit is then computed, not supplied.
//   - 16 digits (an IMEISV: TAC, serial number and a 2-digit software
//     version) are returned as the 14 digits of TAC and serial number with
//     the computed check digit, and checkOK true.
//
// Surrounding spaces and quotes, a leading apostrophe, and spaces, dashes
// and slashes between digits are removed. A spreadsheet number
// ("3.51234567890123E+14") is expanded exactly by ExactDigits; one that was
// visibly rounded ("3.51235E+14") is an error, and so is one of 14 digits,
// which may be a 15-digit IMEI whose leading 0 the spreadsheet dropped. Any
// other length, or any other character, is an error.
func IMEI(raw string) (imei string, checkOK bool, err error) {
	const op = "imei"
	s := trimFieldText(raw)
	if s == "" {
		return "", false, invalidInput(op, "empty")
	}
	var buf [24]byte
	d, number, err := identifierDigits(op, s, buf[:0], raw)
	if err != nil {
		return "", false, err
	}
	switch len(d) {
	case 14:
		if number {
			return "", false, invalidInput(op, "%q is a spreadsheet number of 14 digits: a leading 0 may have been lost", raw)
		}
		return string(append(d, luhnCheckDigit(d))), true, nil
	case 15:
		ok := luhnCheckDigit(d[:14]) == d[14]
		if string(d) == s {
			return s, ok, nil
		}
		return string(d), ok, nil
	case 16:
		return string(append(d[:14], luhnCheckDigit(d[:14]))), true, nil
	}
	return "", false, invalidInput(op, "%q has %d digits: an IMEI has 15 (or 14 without its check digit, or 16 as an IMEISV)", raw, len(d))
}

// threeDigitMNC reports whether the mobile network code that follows mcc is
// three digits long; rest holds the digits after the MCC. Three-digit MNCs
// are used in 302 (Canada), 310–316 (United States), 330 (Puerto Rico), 334
// (Mexico), 338 (Jamaica), 342, 344, 346, 348, 352, 354, 356, 358, 360, 365,
// 366 and 376 (Caribbean), 708 (Honduras), 722 (Argentina), 732 (Colombia)
// and 750 (Falklands). India's 405 mixes both: its MNCs 025–047, 750–756
// and 799–932 have three digits and all others two. Every other MCC,
// including the UK's 234 and 235, uses two.
func threeDigitMNC(mcc, rest string) bool {
	switch mcc {
	case "302", "310", "311", "312", "313", "314", "315", "316", "330", "334",
		"338", "342", "344", "346", "348", "352", "354", "356", "358", "360",
		"365", "366", "376", "708", "722", "732", "750":
		return true
	case "405":
		if len(rest) < 3 || !digitsOnly(rest[:3]) {
			return false
		}
		n := int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
		return 25 <= n && n <= 47 || 750 <= n && n <= 756 || 799 <= n && n <= 932
	}
	return false
}

// IMSI splits the IMSI raw into its mobile country code (3 digits), mobile
// network code (2 or 3 digits) and subscriber number. An IMSI has 15 digits;
// 6 to 15 are accepted, so a partial IMSI gives a short (possibly empty)
// msin. Whether the MNC has 2 or 3 digits depends on the MCC, as listed at
// threeDigitMNC: in short, 3 in North America, parts of the Caribbean and
// Latin America, and India's 405 for MNCs 025–047, 750–756 and 799–932; 2
// elsewhere, including the UK (234, 235).
//
// Surrounding spaces and quotes, a leading apostrophe, and spaces, dashes
// and slashes between digits are removed. A spreadsheet number is expanded
// exactly by ExactDigits; one that was visibly rounded, or that has fewer
// than 15 digits (its leading zeros may have been dropped), is an error.
func IMSI(raw string) (mcc, mnc, msin string, err error) {
	const op = "imsi"
	s := trimFieldText(raw)
	if s == "" {
		return "", "", "", invalidInput(op, "empty")
	}
	var buf [24]byte
	d, number, err := identifierDigits(op, s, buf[:0], raw)
	if err != nil {
		return "", "", "", err
	}
	if len(d) < 6 || len(d) > 15 {
		return "", "", "", invalidInput(op, "%q has %d digits: an IMSI has 6 to 15", raw, len(d))
	}
	if number && len(d) < 15 {
		return "", "", "", invalidInput(op, "%q is a spreadsheet number of %d digits: leading zeros may have been lost", raw, len(d))
	}
	v := s
	if string(d) != s {
		v = string(d)
	}
	k := 5
	if threeDigitMNC(v[:3], v[3:]) {
		k = 6
	}
	return v[:3], v[3:k], v[k:], nil
}

// Duration returns the number of whole seconds in raw, read as format:
//
//   - "seconds": a number of seconds, whole ("42") or decimal ("12.5"); a
//     fraction is rounded to the nearest second, a half upwards ("12.5"
//     gives 13, "12.49" gives 12);
//   - "hms": hours, minutes and seconds as H:MM:SS or HH:MM:SS (hours may
//     exceed 24, minutes and seconds have two digits and are at most 59),
//     or minutes and seconds as M:SS or MM:SS (minutes may exceed 59); the
//     seconds may carry a fraction ("0:01:02.500"), rounded as above;
//   - "auto": "hms" if raw contains ':', otherwise "seconds".
//
// Surrounding spaces and quotes are ignored. Empty text gives 0 and no
// error: whether a duration may be missing is for the caller to decide.
// Negative, non-numeric or malformed text is an error, as is an unknown
// format.
func Duration(raw, format string) (seconds int64, err error) {
	const op = "duration"
	s := trimFieldText(raw)
	switch format {
	case "seconds", "hms", "auto":
	default:
		return 0, invalidInput(op, "unknown duration format %q", format)
	}
	if s == "" {
		return 0, nil
	}
	hms := format == "hms" || format == "auto" && strings.IndexByte(s, ':') >= 0
	if !hms {
		v, ok := durationSeconds(s, -1)
		if !ok {
			return 0, invalidInput(op, "%q is not a number of seconds", raw)
		}
		return v, nil
	}
	var parts [3]string
	n := 0
	for rest := s; ; n++ {
		if n == len(parts) {
			return 0, invalidInput(op, "%q is not H:MM:SS or MM:SS", raw)
		}
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			parts[n] = rest
			n++
			break
		}
		parts[n], rest = rest[:i], rest[i+1:]
	}
	if n < 2 {
		return 0, invalidInput(op, "%q is not H:MM:SS or MM:SS", raw)
	}
	secs, ok := durationSeconds(parts[n-1], 60)
	if !ok {
		return 0, invalidInput(op, "%q has no valid seconds (two digits, 00 to 59)", raw)
	}
	var hours, mins int64
	if n == 3 {
		if hours, ok = boundedDecimal(parts[0], 0, 1<<40); !ok {
			return 0, invalidInput(op, "%q has no valid hours", raw)
		}
		if mins, ok = boundedDecimal(parts[1], 2, 59); !ok {
			return 0, invalidInput(op, "%q has no valid minutes (two digits, 00 to 59)", raw)
		}
	} else if mins, ok = boundedDecimal(parts[0], 0, 1<<40); !ok {
		return 0, invalidInput(op, "%q has no valid minutes", raw)
	}
	return hours*3600 + mins*60 + secs, nil
}

// boundedDecimal parses the decimal digits s as a number no greater than max;
// width, if not 0, is the number of digits s must have.
func boundedDecimal(s string, width int, max int64) (int64, bool) {
	if s == "" || width != 0 && len(s) != width {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if !digitByte(s[i]) {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
		if v > max {
			return 0, false
		}
	}
	return v, true
}

// durationSeconds parses s, digits with an optional fraction, rounded to the
// nearest whole number with halves upwards. If below is not -1, the whole
// part must be two digits and less than below.
func durationSeconds(s string, below int64) (int64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	var v int64
	var ok bool
	if below == -1 {
		if whole == "" && dot {
			whole = "0"
		}
		v, ok = boundedDecimal(whole, 0, 1<<50)
	} else {
		v, ok = boundedDecimal(whole, 2, below-1)
	}
	if !ok || dot && frac == "" {
		return 0, false
	}
	for i := 0; i < len(frac); i++ {
		if !digitByte(frac[i]) {
			return 0, false
		}
	}
	if frac != "" && frac[0] >= '5' {
		v++
	}
	return v, true
}

// CellID is a cell identity taken apart: MCC and MNC as digits, and either
// LAC and CI (a GSM or UMTS cell) or ECI (an LTE cell, when LTE is true).
type CellID struct {
	MCC, MNC string
	LAC, CI  int64
	ECI      int64
	LTE      bool
}

// Limits of the parts of a cell identity.
const (
	cellMaxLAC = 65535     // 16 bits (also the limit of an LTE TAC)
	cellMaxCI  = 268435455 // 28 bits: a UMTS cell's LCID (RNC and cell); GSM uses 16
	cellMaxECI = 268435455 // 28 bits: eNodeB (20) and cell (8)
)

// CellKey returns the canonical key of the cell identity raw, read as
// format. network is the default network as "MCC-MNC" (e.g. "234-30"; also
// "234/30" or "23430"), used when raw does not carry its own.
//
// A GSM or UMTS cell's key is its CGI, "MCC-MNC-LAC-CI" ("234-30-1234-56789");
// an LTE cell's is its ECGI, "MCC-MNC-ECI" ("234-30-129097582"). Numbers are
// decimal without leading zeros; the MNC keeps the 2 or 3 digits it was given
// with, since "30" and "030" are different MNCs. An LTE key deliberately
// leaves out the tracking area code: the ECGI alone identifies the cell, and
// an operator may move a cell to another tracking area without changing the
// cell.
//
// Formats (parts are separated by '-', '/' or ':'; a part written with 0x is
// hexadecimal):
//
//   - "cgi": "MCC-MNC-LAC-CI", or "MCCMNC-LAC-CI" with MCC and MNC run
//     together (5 digits for a 2-digit MNC, 6 for a 3-digit one);
//   - "ecgi": "MCC-MNC-ECI", or MCC, MNC and ECI run together when that is
//     unambiguous: the ECI written with 9 digits, so that 14 digits in all
//     mean a 2-digit MNC and 15 a 3-digit one, and the MNC length agrees
//     with the MCC (see IMSI);
//   - "lac-ci": "LAC-CI" in decimal; "lac-ci-hex": the same in hexadecimal;
//   - "eci": a decimal ECI; "eci-hex": a hexadecimal ECI, with or without 0x;
//   - "tac-eci": "TAC-ECI"; the TAC is checked and left out of the key;
//   - "ci": always an error, since a CI alone does not identify a cell;
//   - "auto": four parts are a CGI; three parts a CGI when the first has 5
//     or 6 digits and an ECGI when it has 3; two parts "LAC-CI", unless the
//     second is above 65535 (then it might be a UMTS LCID or, after a TAC,
//     an ECI, and is an error); a single number an ECI if it is above 65535
//     (up to 65535 it might be a CI, and is an error).
//
// LAC and TAC range from 0 to 65535, CI from 0 to 268435455 (a UMTS cell's
// LCID; GSM's are 16 bits) and ECI from 0 to 268435455 (28 bits).
// Surrounding spaces and quotes are ignored, and empty text gives "" with no
// error: SMS rows often have no cell.
func CellKey(raw, format, network string) (key string, err error) {
	const op = "cell key"
	s := trimFieldText(raw)
	switch format {
	case "cgi", "ecgi", "lac-ci", "lac-ci-hex", "eci", "eci-hex", "tac-eci", "ci", "auto":
	default:
		return "", invalidInput(op, "unknown cell format %q", format)
	}
	if s == "" {
		return "", nil
	}
	var parts [4]string
	n := 0
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '-' && s[i] != '/' && s[i] != ':' {
			continue
		}
		if n == len(parts) {
			return "", invalidInput(op, "%q has too many parts for a cell identity", raw)
		}
		parts[n] = strings.TrimSpace(s[start:i])
		if parts[n] == "" {
			return "", invalidInput(op, "%q has an empty part", raw)
		}
		n++
		start = i + 1
	}

	if format == "auto" {
		switch {
		case n == 4:
			format = "cgi"
		case n == 3 && len(parts[0]) == 3:
			format = "ecgi"
		case n == 3 && (len(parts[0]) == 5 || len(parts[0]) == 6):
			format = "cgi"
		case n == 3:
			return "", invalidInput(op, "%q: three parts, but the first is neither an MCC nor MCC and MNC", raw)
		case n == 2:
			// A second part above 65535 is a UMTS cell's LCID or, with a
			// TAC in front, an LTE cell's ECI: the text cannot tell which.
			if ci, ok := cellPartValue(parts[1], false); ok && ci > 65535 {
				return "", invalidInput(op, "%q is ambiguous: LAC and UMTS LCID, or TAC and ECI; give the format", raw)
			}
			format = "lac-ci"
		default:
			v, ok := cellPartValue(parts[0], false)
			switch {
			case !ok:
				return "", invalidInput(op, "%q is not a cell identity", raw)
			case v <= 65535:
				return "", invalidInput(op, "%q is ambiguous: a CI (which needs a LAC) or an ECI; give the format", raw)
			}
			format = "eci"
		}
	}

	switch format {
	case "cgi":
		var mcc, mnc string
		switch {
		case n == 4:
			mcc, mnc = parts[0], parts[1]
		case n == 3 && (len(parts[0]) == 5 || len(parts[0]) == 6):
			mcc, mnc = parts[0][:3], parts[0][3:]
		default:
			return "", invalidInput(op, "%q is not a CGI (MCC-MNC-LAC-CI)", raw)
		}
		if err := checkMCCMNC(mcc, mnc); err != nil {
			return "", invalidInput(op, "%q: %v", raw, err)
		}
		return cgiKeyText(op, raw, s, mcc, mnc, parts[n-2], parts[n-1], false)
	case "lac-ci", "lac-ci-hex":
		if n != 2 {
			return "", invalidInput(op, "%q is not LAC-CI", raw)
		}
		mcc, mnc, err := splitMCCMNC(network)
		if err != nil {
			return "", invalidInput(op, "%q carries no MCC-MNC and the default network is unusable: %v", raw, err)
		}
		return cgiKeyText(op, raw, s, mcc, mnc, parts[0], parts[1], format == "lac-ci-hex")
	case "ecgi":
		var mcc, mnc, eci string
		switch {
		case n == 3:
			mcc, mnc, eci = parts[0], parts[1], parts[2]
		case n == 1 && digitsOnly(parts[0]) && (len(parts[0]) == 14 || len(parts[0]) == 15):
			p := parts[0]
			k := len(p) - 9
			if threeDigitMNC(p[:3], p[3:]) != (k == 6) {
				return "", invalidInput(op, "%q is ambiguous: its length does not match the MNC length of MCC %s", raw, p[:3])
			}
			mcc, mnc, eci = p[:3], p[3:k], p[k:]
		default:
			return "", invalidInput(op, "%q is not an ECGI (MCC-MNC-ECI)", raw)
		}
		if err := checkMCCMNC(mcc, mnc); err != nil {
			return "", invalidInput(op, "%q: %v", raw, err)
		}
		return ecgiKeyText(op, raw, s, mcc, mnc, eci, false)
	case "eci", "eci-hex", "tac-eci":
		want := 1
		if format == "tac-eci" {
			want = 2
		}
		if n != want {
			return "", invalidInput(op, "%q is not in format %s", raw, format)
		}
		if format == "tac-eci" {
			tac, ok := cellPartValue(parts[0], false)
			if !ok || tac > cellMaxLAC {
				return "", invalidInput(op, "%q has no valid TAC (0 to 65535)", raw)
			}
		}
		mcc, mnc, err := splitMCCMNC(network)
		if err != nil {
			return "", invalidInput(op, "%q carries no MCC-MNC and the default network is unusable: %v", raw, err)
		}
		return ecgiKeyText(op, raw, s, mcc, mnc, parts[n-1], format == "eci-hex")
	default: // "ci"
		return "", invalidInput(op, "%q is a CI alone: a LAC (or a full CGI) is needed to identify the cell", raw)
	}
}

// cellPartValue parses a part of a cell identity: decimal (a spreadsheet number
// such as "56789.0" is accepted), or hexadecimal if hex or if it begins with
// 0x. Values above 2^40 saturate there, to be refused by the caller's range
// check.
func cellPartValue(p string, hex bool) (int64, bool) {
	const limit = 1 << 40
	if len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') {
		p, hex = p[2:], true
	}
	if p == "" {
		return 0, false
	}
	var v int64
	if hex {
		for i := 0; i < len(p); i++ {
			c := p[i]
			var x int64
			switch {
			case '0' <= c && c <= '9':
				x = int64(c - '0')
			case 'a' <= c && c <= 'f':
				x = int64(c-'a') + 10
			case 'A' <= c && c <= 'F':
				x = int64(c-'A') + 10
			default:
				return 0, false
			}
			if v <= limit {
				v = v<<4 | x
			}
		}
		return v, true
	}
	if !digitsOnly(p) {
		num, rounded, ok := exactDigitsRounded(p)
		if !ok || rounded {
			return 0, false
		}
		p = num
	}
	for i := 0; i < len(p); i++ {
		if v <= limit {
			v = v*10 + int64(p[i]-'0')
		}
	}
	return v, true
}

// checkMCCMNC checks an MCC (3 digits) and MNC (2 or 3 digits).
func checkMCCMNC(mcc, mnc string) error {
	if len(mcc) != 3 || !digitsOnly(mcc) {
		return invalidInput("network", "MCC %q is not 3 digits", mcc)
	}
	if len(mnc) < 2 || len(mnc) > 3 || !digitsOnly(mnc) {
		return invalidInput("network", "MNC %q is not 2 or 3 digits", mnc)
	}
	return nil
}

// splitMCCMNC splits a network given as "MCC-MNC", "MCC/MNC" or MCC and
// MNC run together (5 or 6 digits).
func splitMCCMNC(network string) (mcc, mnc string, err error) {
	s := strings.TrimSpace(network)
	if i := strings.IndexAny(s, "-/"); i >= 0 {
		mcc, mnc = s[:i], s[i+1:]
	} else if len(s) == 5 || len(s) == 6 {
		mcc, mnc = s[:3], s[3:]
	} else {
		return "", "", invalidInput("network", "%q is not MCC-MNC", network)
	}
	return mcc, mnc, checkMCCMNC(mcc, mnc)
}

// cgiKeyText returns "MCC-MNC-LAC-CI"; s is the trimmed text, returned itself
// when it is already the key.
func cgiKeyText(op, raw, s, mcc, mnc, lacText, ciText string, hex bool) (string, error) {
	lac, ok := cellPartValue(lacText, hex)
	if !ok || lac > cellMaxLAC {
		return "", invalidInput(op, "%q has no valid LAC (0 to 65535)", raw)
	}
	ci, ok := cellPartValue(ciText, hex)
	if !ok || ci > cellMaxCI {
		return "", invalidInput(op, "%q has no valid CI (0 to 268435455)", raw)
	}
	var buf [40]byte
	k := append(buf[:0], mcc...)
	k = append(k, '-')
	k = append(k, mnc...)
	k = append(k, '-')
	k = strconv.AppendInt(k, lac, 10)
	k = append(k, '-')
	k = strconv.AppendInt(k, ci, 10)
	if string(k) == s {
		return s, nil
	}
	return string(k), nil
}

// ecgiKeyText returns "MCC-MNC-ECI"; s is the trimmed text, returned itself
// when it is already the key.
func ecgiKeyText(op, raw, s, mcc, mnc, eciText string, hex bool) (string, error) {
	eci, ok := cellPartValue(eciText, hex)
	if !ok || eci > cellMaxECI {
		return "", invalidInput(op, "%q has no valid ECI (0 to 268435455)", raw)
	}
	var buf [40]byte
	k := append(buf[:0], mcc...)
	k = append(k, '-')
	k = append(k, mnc...)
	k = append(k, '-')
	k = strconv.AppendInt(k, eci, 10)
	if string(k) == s {
		return s, nil
	}
	return string(k), nil
}

// ENodeB splits an LTE cell's ECI into its eNodeB ID (the upper 20 bits)
// and its cell, often called the sector (the lower 8 bits).
func ENodeB(eci int64) (enb int64, sector int64) {
	return eci >> 8, eci & 0xFF
}

// ParseCellKey takes apart a canonical key as returned by CellKey. Any other
// text, including a key with leading zeros or with numbers out of range, is
// an error.
func ParseCellKey(key string) (CellID, error) {
	const op = "cell key"
	var parts [4]string
	n := 0
	rest := key
	for {
		i := strings.IndexByte(rest, '-')
		if n == len(parts) {
			return CellID{}, invalidInput(op, "%q is not a cell key", key)
		}
		if i < 0 {
			parts[n] = rest
			n++
			break
		}
		parts[n], rest = rest[:i], rest[i+1:]
		n++
	}
	if n < 3 || checkMCCMNC(parts[0], parts[1]) != nil {
		return CellID{}, invalidInput(op, "%q is not a cell key", key)
	}
	id := CellID{MCC: parts[0], MNC: parts[1]}
	canon := func(p string, max int64) (int64, bool) {
		if len(p) > 1 && p[0] == '0' {
			return 0, false
		}
		return boundedDecimal(p, 0, max)
	}
	var ok bool
	if n == 3 {
		id.LTE = true
		if id.ECI, ok = canon(parts[2], cellMaxECI); !ok {
			return CellID{}, invalidInput(op, "%q has no valid ECI", key)
		}
		return id, nil
	}
	if id.LAC, ok = canon(parts[2], cellMaxLAC); !ok {
		return CellID{}, invalidInput(op, "%q has no valid LAC", key)
	}
	if id.CI, ok = canon(parts[3], cellMaxCI); !ok {
		return CellID{}, invalidInput(op, "%q has no valid CI", key)
	}
	return id, nil
}
