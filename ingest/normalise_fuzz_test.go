package ingest_test

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
)

func allDecimalDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// luhnDigitValid reports whether the last digit of d is the Luhn check digit of
// the others.
func luhnDigitValid(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		x := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return sum%10 == 0
}

// requireNilOrInvalid fails unless err is nil or of kind cellsite.Invalid.
func requireNilOrInvalid(t *testing.T, err error) {
	t.Helper()
	if err != nil && cellsite.KindOf(err) != cellsite.Invalid {
		t.Fatalf("error %q has kind %v, want %v", err, cellsite.KindOf(err), cellsite.Invalid)
	}
}

var fuzzMSISDNCountries = []string{"GB", "IN", "NO", "PK", "BD", ""}

func FuzzMSISDN(f *testing.F) {
	for _, s := range []string{
		"07700 900123", "+44 (0)7700 900123", "0044 7700 900123", "447700900123",
		"7700900123", "'07700900123", `="07700900123"`, "tel:+447700900123",
		"4.47700900123E+11", "447700900123.0", "999", "118 118", "HSBC",
		"Withheld", "", "+", "00", "(0)", "+4407700900123", "0161.496.0000",
		"9876543210", "41234567", "01711234567", "\u00a007700\u2013900123",
		"+123456789012345", "1E3", "0.0", "+44 (0)", "00(0)1",
	} {
		for i := range fuzzMSISDNCountries {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, raw string, c uint8) {
		country := fuzzMSISDNCountries[int(c)%len(fuzzMSISDNCountries)]
		got, err := ingest.MSISDN(raw, country)
		requireNilOrInvalid(t, err)
		value, kind := ingest.OtherParty(raw, country)
		switch kind {
		case "msisdn", "short":
			if err != nil || value != got {
				t.Fatalf("OtherParty(%q) = %q, %q but MSISDN = %q, %v", raw, value, kind, got, err)
			}
		case "withheld":
			if value != "" {
				t.Fatalf("OtherParty(%q) = %q, withheld; want an empty value", raw, value)
			}
		case "alpha", "raw":
			if value == "" {
				t.Fatalf("OtherParty(%q) = \"\", %q; want the text kept", raw, kind)
			}
		default:
			t.Fatalf("OtherParty(%q) kind %q", raw, kind)
		}
		if err != nil {
			if got != "" {
				t.Fatalf("MSISDN(%q, %q) = %q with error %v", raw, country, got, err)
			}
			return
		}
		if strings.HasPrefix(got, "+") {
			d := got[1:]
			if !allDecimalDigits(d) || len(d) < 7 || len(d) > 15 || d[0] == '0' {
				t.Fatalf("MSISDN(%q, %q) = %q: not E.164", raw, country, got)
			}
			if kind != "msisdn" {
				t.Fatalf("OtherParty(%q) kind %q for an E.164 number", raw, kind)
			}
		} else if !allDecimalDigits(got) || len(got) < 3 || len(got) > 6 {
			t.Fatalf("MSISDN(%q, %q) = %q: neither E.164 nor a short code", raw, country, got)
		}
		// Idempotent, and an E.164 number is the same in every plan.
		if again, err := ingest.MSISDN(got, country); again != got || err != nil {
			t.Fatalf("MSISDN(%q, %q) = %q, %v; want it unchanged", got, country, again, err)
		}
		if got[0] == '+' {
			if again, err := ingest.MSISDN(got, ""); again != got || err != nil {
				t.Fatalf("MSISDN(%q, \"\") = %q, %v; want it unchanged", got, again, err)
			}
		}
	})
}

func FuzzIMEI(f *testing.F) {
	for _, s := range []string{
		"490154203237518", "490154203237519", "49015420323751", "4901542032375112",
		"49-015420-323751-8", "49/015420/323751/8", "'490154203237518",
		"4.90154203237518E+14", "4.90154E+14", "490154203237518.0", "", "x",
		"4.9015420323751E+13", "1E+14", "000000000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, ok, err := ingest.IMEI(raw)
		requireNilOrInvalid(t, err)
		if err != nil {
			return
		}
		if !allDecimalDigits(got) || len(got) != 15 {
			t.Fatalf("IMEI(%q) = %q: not 15 digits", raw, got)
		}
		if ok != luhnDigitValid(got) {
			t.Fatalf("IMEI(%q) = %q, checkOK %v; Luhn says %v", raw, got, ok, luhnDigitValid(got))
		}
		if again, ok2, err := ingest.IMEI(got); again != got || ok2 != ok || err != nil {
			t.Fatalf("IMEI(%q) = %q, %v, %v; want it unchanged", got, again, ok2, err)
		}
		mcc, mnc, msin, err := ingest.IMSI(raw)
		requireNilOrInvalid(t, err)
		if err == nil {
			if len(mcc) != 3 || len(mnc) < 2 || len(mnc) > 3 || !allDecimalDigits(mcc+mnc) || (msin != "" && !allDecimalDigits(msin)) {
				t.Fatalf("IMSI(%q) = %q, %q, %q", raw, mcc, mnc, msin)
			}
		}
	})
}

var fuzzCellKeyFormats = []string{"auto", "cgi", "ecgi", "lac-ci", "lac-ci-hex", "eci", "eci-hex", "tac-eci", "ci"}

func FuzzCellKey(f *testing.F) {
	for _, s := range []string{
		"234-30-1234-56789", "234/30/1234/56789", "23430-1234-56789", "234-30-0x4D2-0xDDD5",
		"234-30-129097582", "23430129097582", "310410012345678", "1234-56789", "1234:56789",
		"04D2-DDD5", "129097582", "7B1DF6E", "0x7B1DF6E", "12345-129097582", "56789",
		"", "''", "234-030-1-1", "1.29097582E+8", "-", "0x", "65536",
	} {
		for i := range fuzzCellKeyFormats {
			f.Add(s, uint8(i), "234-30")
		}
	}
	f.Add("1234-56789", uint8(3), "")
	f.Add("1234-56789", uint8(3), "310410")
	f.Fuzz(func(t *testing.T, raw string, fi uint8, network string) {
		format := fuzzCellKeyFormats[int(fi)%len(fuzzCellKeyFormats)]
		key, err := ingest.CellKey(raw, format, network)
		requireNilOrInvalid(t, err)
		if err != nil || key == "" {
			if key != "" {
				t.Fatalf("CellKey(%q, %q) = %q with error %v", raw, format, key, err)
			}
			return
		}
		id, err := ingest.ParseCellKey(key)
		if err != nil {
			t.Fatalf("CellKey(%q, %q) = %q, which ParseCellKey refuses: %v", raw, format, key, err)
		}
		if id.LTE && (id.ECI < 0 || id.ECI > 268435455) || !id.LTE && (id.LAC < 0 || id.LAC > 65535 || id.CI < 0 || id.CI > 268435455) {
			t.Fatalf("CellKey(%q, %q) = %q: out of range %+v", raw, format, key, id)
		}
		whole := "cgi"
		if id.LTE {
			whole = "ecgi"
		}
		for _, f := range []string{"auto", whole} {
			if again, err := ingest.CellKey(key, f, ""); again != key || err != nil {
				t.Fatalf("CellKey(%q, %q) = %q, %v; want it unchanged", key, f, again, err)
			}
		}
	})
}

var (
	fuzzTimeLayouts = [][]string{
		{"2006-01-02 15:04:05"},
		{"02/01/2006 15:04:05", "02/01/2006 15:04"},
		{"2006-01-02 15:04:05 -07:00"},
		{"2006-01-02T15:04:05Z"},
		{"2006-01-02 15:04:05 MST"},
		{"excel"},
		{"unix"},
		{"unixms"},
		{"rfc3339"},
	}
	fuzzTimeBases = []ingest.TimeBasis{ingest.UTC, ingest.UKLocal, ingest.Offset}
)

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2026-03-29 01:30:00", "2026-10-25 01:30:00", "29/03/2026 01:30", "2026-03-29 01:30:00 +05:30",
		"2026-03-29T01:30:00Z", "2026-07-01 12:00:00 BST", "2026-07-01 12:00:00 GMT+1", "46110.0625",
		"46109.5416666667", "60", "1774746000", "1774746000123", "2026-10-25T01:30:00+01:00", "",
		"25569.000156250000000000000000001", "1.774746E+09",
	} {
		for li := range fuzzTimeLayouts {
			for bi := range fuzzTimeBases {
				f.Add(s, uint8(li), uint8(bi))
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw string, li, bi uint8) {
		layouts := fuzzTimeLayouts[int(li)%len(fuzzTimeLayouts)]
		basis := fuzzTimeBases[int(bi)%len(fuzzTimeBases)]
		got, flag, err := ingest.ParseTime(raw, layouts, basis)
		requireNilOrInvalid(t, err)
		if err != nil {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) location %v, want UTC", raw, got.Location())
		}
		if flag != ingest.TimeOK && basis != ingest.UKLocal {
			t.Fatalf("ParseTime(%q, %s) flagged %q", raw, basis, flag)
		}
		switch flag {
		case ingest.TimeOK, ingest.TimeAmbiguous, ingest.TimeImpossible:
		default:
			t.Fatalf("ParseTime(%q) flag %q", raw, flag)
		}
		// The instant, written as RFC 3339 in UTC, reads back as itself.
		if got.Year() >= 0 && got.Year() <= 9999 {
			text := got.Format(time.RFC3339Nano)
			again, flag, err := ingest.ParseTime(text, []string{"rfc3339"}, ingest.UTC)
			if err != nil || !again.Equal(got) || flag != ingest.TimeOK {
				t.Fatalf("ParseTime(%q) = %v, %q, %v; want %v", text, again, flag, err, got)
			}
		}
	})
}

func FuzzExactDigits(f *testing.F) {
	for _, s := range []string{
		"447700900123", "3.51234567890123E+14", "447700900123.0", "007", "0E+5", "1E+63",
		"1E+64", "12.5", "1.5E-1", "150E-1", "", ".", "E5", "1e", "-1", "3.51235E+14",
		"0.00351234567890123E+17", "1E-999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ingest.ExactDigits(s)
		if !ok {
			if got != "" {
				t.Fatalf("ExactDigits(%q) = %q, false", s, got)
			}
			return
		}
		if !allDecimalDigits(got) {
			t.Fatalf("ExactDigits(%q) = %q: not digits", s, got)
		}
		if allDecimalDigits(s) && got != s {
			t.Fatalf("ExactDigits(%q) = %q: digits must be kept as written", s, got)
		}
		if again, ok := ingest.ExactDigits(got); !ok || again != got {
			t.Fatalf("ExactDigits(%q) = %q, %v; want it unchanged", got, again, ok)
		}
		if strings.TrimLeft(got, "0") == "" {
			return // zero, however written; big.Rat may balk at its exponent
		}
		// The same value, by arbitrary-precision arithmetic.
		r, ok := new(big.Rat).SetString(s)
		if !ok || !r.IsInt() || r.Sign() < 0 {
			t.Fatalf("ExactDigits(%q) = %q, but big.Rat reads %v, %v", s, got, r, ok)
		}
		want := r.Num().String()
		if strings.TrimLeft(got, "0") != want {
			t.Fatalf("ExactDigits(%q) = %q, want %s", s, got, want)
		}
	})
}
