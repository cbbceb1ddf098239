package ingest_test

import (
	"strconv"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
)

// expectInvalidKind fails unless err is an error of kind cellsite.Invalid.
func expectInvalidKind(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want one")
	}
	if k := cellsite.KindOf(err); k != cellsite.Invalid {
		t.Fatalf("error %q has kind %v, want %v", err, k, cellsite.Invalid)
	}
}

func TestExactDigits(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"447700900123", "447700900123", true},
		{"0", "0", true},
		{"007", "007", true},
		{"007.0", "007", true},
		{"447700900123.0", "447700900123", true},
		{"447700900123.000", "447700900123", true},
		{"12.", "12", true},
		{".0", "0", true},
		{"12345678901234567890123", "12345678901234567890123", true},
		{"3.51234567890123E+14", "351234567890123", true},
		{"3.51234567890123e+14", "351234567890123", true},
		{"3.51234567890123E14", "351234567890123", true},
		{"3.5123456789012E+14", "351234567890120", true},
		{"4.47700900123E+11", "447700900123", true},
		{"9.99999999999999E+15", "9999999999999990", true},
		{"351234567890123E+0", "351234567890123", true},
		{"3512345678901230E-1", "351234567890123", true},
		{"0.00351234567890123E+17", "351234567890123", true},
		{"150E-1", "15", true},
		{"3.51235E+14", "351235000000000", true}, // a spreadsheet rounded it: see IMEI
		{"0E+5", "0", true},
		{"0.000E-999999999999", "0", true},
		{"1E+63", "1" + zeroDigits(63), true},
		{"1E+64", "", false},
		{"1E+999999999999", "", false},
		{"12.5", "", false},
		{"1.5E-1", "", false},
		{"15E-1", "", false},
		{"1E-999999999999", "", false},
		{"", "", false},
		{".", "", false},
		{"E5", "", false},
		{"1E", "", false},
		{"1E+", "", false},
		{"-1", "", false},
		{"+1", "", false},
		{"1,5", "", false},
		{"1.2.3", "", false},
		{"1e5x", "", false},
		{" 1", "", false},
		{"0x1F", "", false},
		{"1 000", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ingest.ExactDigits(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ExactDigits(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func zeroDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestMSISDN(t *testing.T) {
	tests := []struct {
		raw, country string
		want         string // "" means an error
	}{
		// GB, in every way operators and spreadsheets write it.
		{"07700 900123", "GB", "+447700900123"},
		{"07700900123", "GB", "+447700900123"},
		{"+447700900123", "GB", "+447700900123"},
		{"+44 7700 900123", "GB", "+447700900123"},
		{"+44 (0)7700 900123", "GB", "+447700900123"},
		{"+44(0)7700900123", "GB", "+447700900123"},
		{"0044 7700 900123", "GB", "+447700900123"},
		{"0044 (0) 7700 900123", "GB", "+447700900123"},
		{"447700900123", "GB", "+447700900123"},
		{"7700900123", "GB", "+447700900123"},
		{"'07700900123", "GB", "+447700900123"},
		{`"07700-900-123"`, "GB", "+447700900123"},
		{`="07700900123"`, "GB", "+447700900123"},
		{"(07700) 900.123", "GB", "+447700900123"},
		{"  07700 900 123  ", "GB", "+447700900123"},
		{"\u00a007700\u00a0900123", "GB", "+447700900123"},
		{"07700\u2013900123", "GB", "+447700900123"},
		{"\u201c07700900123\u201d", "GB", "+447700900123"},
		{"tel:+447700900123", "GB", "+447700900123"},
		{"TEL: 07700 900123", "GB", "+447700900123"},
		{"4.47700900123E+11", "GB", "+447700900123"},
		{"447700900123.0", "GB", "+447700900123"},
		{"7700900123.0", "GB", "+447700900123"},
		{"0161.496.0000", "GB", "+441614960000"},
		{"020 7946 0000", "GB", "+442079460000"},
		{"0800 1111", "GB", "+448001111"},
		{"07700900123", "gb", "+447700900123"},
		// International numbers are kept whatever the country.
		{"+33 1 23 45 67 89", "GB", "+33123456789"},
		{"0033 1 23 45 67 89", "GB", "+33123456789"},
		{"+1 (202) 555-0123", "GB", "+12025550123"},
		{"+290 1234", "GB", "+2901234"},
		{"+123456789012345", "GB", "+123456789012345"},
		// Short codes are evidence, kept as they are.
		{"999", "GB", "999"},
		{"112", "GB", "112"},
		{"150", "GB", "150"},
		{"123", "GB", "123"},
		{"61234", "GB", "61234"},
		{"118 118", "GB", "118118"},
		{"999.0", "GB", "999"},
		{"150", "", "150"},
		// Other plans.
		{"09876543210", "IN", "+919876543210"},
		{"9876543210", "IN", "+919876543210"},
		{"919876543210", "IN", "+919876543210"},
		{"+91 98765 43210", "IN", "+919876543210"},
		{"41234567", "NO", "+4741234567"},
		{"412 34 567", "NO", "+4741234567"},
		{"4741234567", "NO", "+4741234567"},
		{"+47 412 34 567", "NO", "+4741234567"},
		{"02800", "NO", "02800"},
		{"03001234567", "PK", "+923001234567"},
		{"3001234567", "PK", "+923001234567"},
		{"923001234567", "PK", "+923001234567"},
		{"01711-234567", "BD", "+8801711234567"},
		{"1711234567", "BD", "+8801711234567"},
		{"8801711234567", "BD", "+8801711234567"},
		{"+880 1711 234567", "BD", "+8801711234567"},
		// No country: every number is international.
		{"447700900123", "", "+447700900123"},
		{"+447700900123", "", "+447700900123"},
		{"00447700900123", "", "+447700900123"},
		{"919876543210", "", "+919876543210"},

		// Errors.
		{"", "GB", ""},
		{"   ", "GB", ""},
		{"''", "GB", ""},
		{"tel:", "GB", ""},
		{"+", "GB", ""},
		{"()", "GB", ""},
		{"1", "GB", ""},
		{"12", "GB", ""},
		{"HSBC", "GB", ""},
		{"VODAFONE", "GB", ""},
		{"0770090012a", "GB", ""},
		{"07700 900123 ext 5", "GB", ""},
		{"07700/900123", "GB", ""},
		{"#31#07700900123", "GB", ""},
		{"+44+7700900123", "GB", ""},
		{"07700+900123", "GB", ""},
		{"+4407700900123", "GB", ""},
		{"+4477009001234", "GB", ""},
		{"+44123", "GB", ""},
		{"+123", "GB", ""},
		{"+0123456789", "GB", ""},
		{"+1234567890123456", "GB", ""},
		{"0012345678901234567", "GB", ""},
		{"1234567", "GB", ""},
		{"07700900123456", "GB", ""},
		{"919876543210", "GB", ""},
		{"4.47701E+11", "GB", ""},
		{"3.51235E+14", "GB", ""},
		{"1234567890123456789012345678", "GB", ""},
		{"07700900123", "", ""},
		{"07700900123", "FR", ""},
		{"+447700900123", "FR", ""},
		{"041234567", "NO", ""},
		{"0987654321", "IN", ""},
		{"+91 0987654321", "IN", ""},
	}
	for _, tt := range tests {
		t.Run(tt.country+"/"+tt.raw, func(t *testing.T) {
			got, err := ingest.MSISDN(tt.raw, tt.country)
			if tt.want == "" {
				expectInvalidKind(t, err)
				if got != "" {
					t.Errorf("MSISDN(%q, %q) = %q with an error; want \"\"", tt.raw, tt.country, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("MSISDN(%q, %q) = %q, %v; want %q", tt.raw, tt.country, got, err, tt.want)
			}
			// Normalising a normalised number changes nothing.
			if again, err := ingest.MSISDN(got, tt.country); again != got || err != nil {
				t.Errorf("MSISDN(%q, %q) = %q, %v; want it unchanged", got, tt.country, again, err)
			}
		})
	}
}

func TestOtherParty(t *testing.T) {
	tests := []struct {
		raw, country string
		value, kind  string
	}{
		{"07700 900123", "GB", "+447700900123", "msisdn"},
		{"+33 1 23 45 67 89", "GB", "+33123456789", "msisdn"},
		{"9876543210", "IN", "+919876543210", "msisdn"},
		{"999", "GB", "999", "short"},
		{" 150 ", "GB", "150", "short"},
		{"HSBC", "GB", "HSBC", "alpha"},
		{" 'VODAFONE' ", "GB", "VODAFONE", "alpha"},
		{"Royal Mail", "GB", "Royal Mail", "alpha"},
		{"M&S", "GB", "M&S", "alpha"},
		{"O2", "GB", "O2", "alpha"},
		{"Ørsted", "GB", "Ørsted", "alpha"},
		{"", "GB", "", "withheld"},
		{"   ", "GB", "", "withheld"},
		{`""`, "GB", "", "withheld"},
		{"Withheld", "GB", "", "withheld"},
		{"PRIVATE", "GB", "", "withheld"},
		{"unknown", "GB", "", "withheld"},
		{"Anonymous", "GB", "", "withheld"},
		{"restricted", "GB", "", "withheld"},
		{"0", "GB", "0", "raw"},
		{"12", "GB", "12", "raw"},
		{" +44 7700 9001234567 ", "GB", "+44 7700 9001234567", "raw"},
		{"919876543210", "GB", "919876543210", "raw"},
		{"#31#", "GB", "#31#", "raw"},
		{"4.47701E+11", "GB", "4.47701E+11", "raw"},
		{"ThisIsTooLongForASender", "GB", "ThisIsTooLongForASender", "raw"},
		{"-HSBC", "GB", "-HSBC", "raw"},
		{"07700900123", "", "07700900123", "raw"},
	}
	for _, tt := range tests {
		t.Run(tt.country+"/"+tt.raw, func(t *testing.T) {
			value, kind := ingest.OtherParty(tt.raw, tt.country)
			if value != tt.value || kind != tt.kind {
				t.Errorf("OtherParty(%q, %q) = %q, %q; want %q, %q", tt.raw, tt.country, value, kind, tt.value, tt.kind)
			}
		})
	}
}

func TestIMEI(t *testing.T) {
	tests := []struct {
		raw     string
		want    string // "" means an error
		checkOK bool
	}{
		{"490154203237518", "490154203237518", true},
		{"352099001761481", "352099001761481", true},
		{"000000000000000", "000000000000000", true},
		{"490154203237519", "490154203237519", false},
		{"352099001761480", "352099001761480", false},
		{"49015420323751", "490154203237518", true},
		{"35209900176148", "352099001761481", true},
		{"4901542032375112", "490154203237518", true},
		{"4901542032375100", "490154203237518", true},
		{"49-015420-323751-8", "490154203237518", true},
		{"49 015420 323751 8", "490154203237518", true},
		{"49/015420/323751/8", "490154203237518", true},
		{"49-015420-323751-99", "490154203237518", true},
		{"'490154203237518", "490154203237518", true},
		{`"490154203237518"`, "490154203237518", true},
		{" 490154203237518 ", "490154203237518", true},
		{"4.90154203237518E+14", "490154203237518", true},
		{"4.90154203237519E+14", "490154203237519", false},
		{"490154203237518.0", "490154203237518", true},
		{"3.5209900176148E+14", "352099001761480", false},
		{"", "", false},
		{"  ", "", false},
		{"4901542032375", "", false},
		{"49015420323751812", "", false},
		{"4901542032375181234567890123", "", false},
		{"49015420323751X", "", false},
		{"4901542032375l8", "", false},
		{"4.9015420323751E+13", "", false}, // 14 digits from a number: a leading 0 may be lost
		{"4.90154E+14", "", false},         // rounded by a spreadsheet
		{"4.901542032375185E+14", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok, err := ingest.IMEI(tt.raw)
			if tt.want == "" {
				expectInvalidKind(t, err)
				return
			}
			if err != nil || got != tt.want || ok != tt.checkOK {
				t.Errorf("IMEI(%q) = %q, %v, %v; want %q, %v", tt.raw, got, ok, err, tt.want, tt.checkOK)
			}
		})
	}
}

func TestIMSI(t *testing.T) {
	tests := []struct {
		raw            string
		mcc, mnc, msin string
		wantErr        bool
	}{
		{"234305551234567", "234", "30", "5551234567", false},
		{"234155551234567", "234", "15", "5551234567", false},
		{"235771234567890", "235", "77", "1234567890", false},
		{"404451234567890", "404", "45", "1234567890", false},
		{"310410123456789", "310", "410", "123456789", false},
		{"302720123456789", "302", "720", "123456789", false},
		{"722070123456789", "722", "070", "123456789", false},
		{"750001123456789", "750", "001", "123456789", false},
		{"405025123456789", "405", "025", "123456789", false},
		{"405047123456789", "405", "047", "123456789", false},
		{"405750123456789", "405", "750", "123456789", false},
		{"405756123456789", "405", "756", "123456789", false},
		{"405799123456789", "405", "799", "123456789", false},
		{"405854123456789", "405", "854", "123456789", false},
		{"405929123456789", "405", "929", "123456789", false},
		{"405024123456789", "405", "02", "4123456789", false},
		{"405051234567890", "405", "05", "1234567890", false},
		{"405521234567890", "405", "52", "1234567890", false},
		{"405701234567890", "405", "70", "1234567890", false},
		{"405757123456789", "405", "75", "7123456789", false},
		{"234-30-5551234567", "234", "30", "5551234567", false},
		{"234 30 5551234567", "234", "30", "5551234567", false},
		{"'234305551234567", "234", "30", "5551234567", false},
		{"2.34305551234567E+14", "234", "30", "5551234567", false},
		{"234305551234567.0", "234", "30", "5551234567", false},
		{"234305", "234", "30", "5", false},
		{"310410", "310", "410", "", false},
		{"", "", "", "", true},
		{"23430", "", "", "", true},
		{"2343055512345678", "", "", "", true},
		{"23430555123456a", "", "", "", true},
		{"2.34306E+14", "", "", "", true},          // rounded by a spreadsheet
		{"1.01012345678901E+13", "", "", "", true}, // "001..." with its zeroDigits lost
		{"2.343055512345675E+14", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			mcc, mnc, msin, err := ingest.IMSI(tt.raw)
			if tt.wantErr {
				expectInvalidKind(t, err)
				return
			}
			if err != nil || mcc != tt.mcc || mnc != tt.mnc || msin != tt.msin {
				t.Errorf("IMSI(%q) = %q, %q, %q, %v; want %q, %q, %q", tt.raw, mcc, mnc, msin, err, tt.mcc, tt.mnc, tt.msin)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		raw, format string
		want        int64
		wantErr     bool
	}{
		{"0", "seconds", 0, false},
		{"42", "seconds", 42, false},
		{"0042", "seconds", 42, false},
		{" 42 ", "seconds", 42, false},
		{"'42", "seconds", 42, false},
		{"12.5", "seconds", 13, false},
		{"12.49", "seconds", 12, false},
		{"12.4999", "seconds", 12, false},
		{"12.50", "seconds", 13, false},
		{"0.5", "seconds", 1, false},
		{".5", "seconds", 1, false},
		{"86400", "seconds", 86400, false},
		{"", "seconds", 0, false},
		{"   ", "seconds", 0, false},
		{"-5", "seconds", 0, true},
		{"+5", "seconds", 0, true},
		{"abc", "seconds", 0, true},
		{"5.", "seconds", 0, true},
		{"1e3", "seconds", 0, true},
		{"1,5", "seconds", 0, true},
		{"1:00", "seconds", 0, true},
		{"99999999999999999999", "seconds", 0, true},

		{"0:00:00", "hms", 0, false},
		{"1:02:03", "hms", 3723, false},
		{"01:02:03", "hms", 3723, false},
		{"25:00:00", "hms", 90000, false},
		{"100:00:01", "hms", 360001, false},
		{"02:03", "hms", 123, false},
		{"2:03", "hms", 123, false},
		{"75:30", "hms", 4530, false},
		{"1:02:03.500", "hms", 3724, false},
		{"1:02:03.499", "hms", 3723, false},
		{"0:00:59.5", "hms", 60, false},
		{"", "hms", 0, false},
		{"1:2:3", "hms", 0, true},
		{"1:60:00", "hms", 0, true},
		{"1:00:60", "hms", 0, true},
		{"1:02:03:04", "hms", 0, true},
		{"-1:00:00", "hms", 0, true},
		{":30", "hms", 0, true},
		{"1:", "hms", 0, true},
		{"1::03", "hms", 0, true},
		{"1:02:03.", "hms", 0, true},
		{"1:02:3.5", "hms", 0, true},
		{"42", "hms", 0, true},
		{"abc", "hms", 0, true},

		{"42", "auto", 42, false},
		{"12.5", "auto", 13, false},
		{"1:02:03", "auto", 3723, false},
		{"02:03", "auto", 123, false},
		{"", "auto", 0, false},
		{"x", "auto", 0, true},

		{"42", "minutes", 0, true},
		{"", "minutes", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.raw, func(t *testing.T) {
			got, err := ingest.Duration(tt.raw, tt.format)
			if tt.wantErr {
				expectInvalidKind(t, err)
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Duration(%q, %q) = %d, %v; want %d", tt.raw, tt.format, got, err, tt.want)
			}
		})
	}
}

func TestCellKey(t *testing.T) {
	const net = "234-30"
	tests := []struct {
		raw, format, network string
		want                 string // "-" means an error
	}{
		// CGI.
		{"234-30-1234-56789", "cgi", "", "234-30-1234-56789"},
		{"234/30/1234/56789", "cgi", "", "234-30-1234-56789"},
		{"234:30:1234:56789", "cgi", "", "234-30-1234-56789"},
		{"234 - 30 - 1234 - 56789", "cgi", "", "234-30-1234-56789"},
		{"23430-1234-56789", "cgi", "", "234-30-1234-56789"},
		{"234030-1234-56789", "cgi", "", "234-030-1234-56789"},
		{"234-030-1234-56789", "cgi", "", "234-030-1234-56789"},
		{"310-410-1234-56789", "cgi", "", "310-410-1234-56789"},
		{"234-30-0x4D2-0xDDD5", "cgi", "", "234-30-1234-56789"},
		{"234-30-0X04d2-56789", "cgi", "", "234-30-1234-56789"},
		{"234-30-01234-056789", "cgi", "", "234-30-1234-56789"},
		{"234-30-1234-56789.0", "cgi", "", "234-30-1234-56789"},
		{" '234-30-1234-56789' ", "cgi", net, "234-30-1234-56789"},
		{"234-30-0-0", "cgi", "", "234-30-0-0"},
		{"234-30-65535-268435455", "cgi", "", "234-30-65535-268435455"},
		{"234-30-65536-1", "cgi", "", "-"},
		{"234-30-1-268435456", "cgi", "", "-"},
		{"234-30-1-99999999999999999999", "cgi", "", "-"},
		{"23-30-1-1", "cgi", "", "-"},
		{"2345-30-1-1", "cgi", "", "-"},
		{"234-3-1-1", "cgi", "", "-"},
		{"234-3000-1-1", "cgi", "", "-"},
		{"234-3a-1-1", "cgi", "", "-"},
		{"234-30-1234", "cgi", "", "-"},
		{"1234-56789", "cgi", net, "-"},
		{"234-30-x-1", "cgi", "", "-"},
		{"234-30--1", "cgi", "", "-"},
		{"234-30-1-1-1", "cgi", "", "-"},
		{"234-30-0x-1", "cgi", "", "-"},
		{"234-30-04D2-DDD5", "cgi", "", "-"},

		// ECGI.
		{"234-30-129097582", "ecgi", "", "234-30-129097582"},
		{"234/30/129097582", "ecgi", "", "234-30-129097582"},
		{"234-30-0x7B1DF6E", "ecgi", "", "234-30-129097582"},
		{"23430129097582", "ecgi", "", "234-30-129097582"},
		{"23430000012345", "ecgi", "", "234-30-12345"},
		{"310410012345678", "ecgi", "", "310-410-12345678"},
		{"234-30-0", "ecgi", "", "234-30-0"},
		{"234-30-268435455", "ecgi", "", "234-30-268435455"},
		{"234-30-268435456", "ecgi", "", "-"},
		{"2343012909758", "ecgi", "", "-"},
		{"234301290975820", "ecgi", "", "-"},
		{"31041012345678", "ecgi", "", "-"},
		{"310-410", "ecgi", "", "-"},
		{"234-30-1234-56789", "ecgi", "", "-"},
		{"2340-30-1", "ecgi", "", "-"},

		// LAC and CI with the default network.
		{"1234-56789", "lac-ci", net, "234-30-1234-56789"},
		{"1234/56789", "lac-ci", net, "234-30-1234-56789"},
		{"1234:56789", "lac-ci", net, "234-30-1234-56789"},
		{"1234-56789", "lac-ci", "23430", "234-30-1234-56789"},
		{"1234-56789", "lac-ci", "234/30", "234-30-1234-56789"},
		{"1234-56789", "lac-ci", "310410", "310-410-1234-56789"},
		{"1234-56789", "lac-ci", " 234-30 ", "234-30-1234-56789"},
		{"1234-56789", "lac-ci", "", "-"},
		{"1234-56789", "lac-ci", "234", "-"},
		{"1234-56789", "lac-ci", "234-3", "-"},
		{"1234-56789", "lac-ci", "abc-30", "-"},
		{"1234", "lac-ci", net, "-"},
		{"04D2-DDD5", "lac-ci", net, "-"},
		{"65536-1", "lac-ci", net, "-"},
		{"04D2-DDD5", "lac-ci-hex", net, "234-30-1234-56789"},
		{"0x04D2-0xDDD5", "lac-ci-hex", net, "234-30-1234-56789"},
		{"4d2/ddd5", "lac-ci-hex", net, "234-30-1234-56789"},
		{"04G2-DDD5", "lac-ci-hex", net, "-"},
		{"10000-1", "lac-ci-hex", net, "-"},

		// ECI with the default network.
		{"129097582", "eci", net, "234-30-129097582"},
		{"0", "eci", net, "234-30-0"},
		{"0x7B1DF6E", "eci", net, "234-30-129097582"},
		{"1.29097582E+8", "eci", net, "234-30-129097582"},
		{"268435456", "eci", net, "-"},
		{"-1", "eci", net, "-"},
		{"7B1DF6E", "eci", net, "-"},
		{"129097582", "eci", "", "-"},
		{"7B1DF6E", "eci-hex", net, "234-30-129097582"},
		{"0x7b1df6e", "eci-hex", net, "234-30-129097582"},
		{"FFFFFFF", "eci-hex", net, "234-30-268435455"},
		{"10000000", "eci-hex", net, "-"},
		{"7B1DF6G", "eci-hex", net, "-"},
		{"12345-129097582", "tac-eci", net, "234-30-129097582"},
		{"0x3039-0x7B1DF6E", "tac-eci", net, "234-30-129097582"},
		{"65536-129097582", "tac-eci", net, "-"},
		{"12345", "tac-eci", net, "-"},
		{"12345-268435456", "tac-eci", net, "-"},

		// A CI alone is never enough.
		{"56789", "ci", net, "-"},

		// Recognised.
		{"234-30-1234-56789", "auto", "", "234-30-1234-56789"},
		{"234/30/1234/56789", "auto", "", "234-30-1234-56789"},
		{"234-30-129097582", "auto", "", "234-30-129097582"},
		{"23430-1234-56789", "auto", "", "234-30-1234-56789"},
		{"234030-1234-56789", "auto", "", "234-030-1234-56789"},
		{"1234-56789", "auto", net, "234-30-1234-56789"},
		{"1234-65535", "auto", net, "234-30-1234-65535"},
		{"129097582", "auto", net, "234-30-129097582"},
		{"65536", "auto", net, "234-30-65536"},
		{"0x7B1DF6E", "auto", net, "234-30-129097582"},
		{"65535", "auto", net, "-"},
		{"56789", "auto", net, "-"},
		{"268435456", "auto", net, "-"},
		{"1234-129097582", "auto", net, "-"},
		{"12-34-56", "auto", net, "-"},
		{"1-2-3-4-5", "auto", net, "-"},
		{"7B1DF6E", "auto", net, "-"},
		{"cell 12", "auto", net, "-"},

		// No cell: not an error.
		{"", "auto", "", ""},
		{"  ", "cgi", "", ""},
		{"''", "eci", "", ""},
		{"", "ci", "", ""},

		{"234-30-1234-56789", "cid", "", "-"},
		{"", "cid", "", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.raw, func(t *testing.T) {
			got, err := ingest.CellKey(tt.raw, tt.format, tt.network)
			if tt.want == "-" {
				expectInvalidKind(t, err)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CellKey(%q, %q, %q) = %q, %v; want %q", tt.raw, tt.format, tt.network, got, err, tt.want)
			}
			if got == "" {
				return
			}
			// A key is canonical: reading it again, by any format that
			// takes a whole key, gives it back.
			id, err := ingest.ParseCellKey(got)
			if err != nil {
				t.Fatalf("ParseCellKey(%q): %v", got, err)
			}
			formats := []string{"auto", "cgi"}
			if id.LTE {
				formats = []string{"auto", "ecgi"}
			}
			for _, f := range formats {
				if again, err := ingest.CellKey(got, f, "999-99"); again != got || err != nil {
					t.Errorf("CellKey(%q, %q) = %q, %v; want it unchanged", got, f, again, err)
				}
			}
		})
	}
}

func TestParseCellKey(t *testing.T) {
	tests := []struct {
		key     string
		want    ingest.CellID
		wantErr bool
	}{
		{"234-30-1234-56789", ingest.CellID{MCC: "234", MNC: "30", LAC: 1234, CI: 56789}, false},
		{"234-030-1234-56789", ingest.CellID{MCC: "234", MNC: "030", LAC: 1234, CI: 56789}, false},
		{"310-410-0-0", ingest.CellID{MCC: "310", MNC: "410"}, false},
		{"234-30-65535-268435455", ingest.CellID{MCC: "234", MNC: "30", LAC: 65535, CI: 268435455}, false},
		{"234-30-129097582", ingest.CellID{MCC: "234", MNC: "30", ECI: 129097582, LTE: true}, false},
		{"234-30-0", ingest.CellID{MCC: "234", MNC: "30", LTE: true}, false},
		{"", ingest.CellID{}, true},
		{"234-30", ingest.CellID{}, true},
		{"234-30-1-2-3", ingest.CellID{}, true},
		{"234-30-01234-1", ingest.CellID{}, true},
		{"234-30-1234-00", ingest.CellID{}, true},
		{"234-30-65536-1", ingest.CellID{}, true},
		{"234-30-1-268435456", ingest.CellID{}, true},
		{"234-30-268435456", ingest.CellID{}, true},
		{"234-30-+1", ingest.CellID{}, true},
		{"234-30-0x10", ingest.CellID{}, true},
		{"abc-30-1-1", ingest.CellID{}, true},
		{"234-3-1-1", ingest.CellID{}, true},
		{"234/30/1/1", ingest.CellID{}, true},
		{" 234-30-1-1", ingest.CellID{}, true},
		{"234-30--1", ingest.CellID{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := ingest.ParseCellKey(tt.key)
			if tt.wantErr {
				expectInvalidKind(t, err)
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseCellKey(%q) = %+v, %v; want %+v", tt.key, got, err, tt.want)
			}
		})
	}
}

func TestENodeB(t *testing.T) {
	tests := []struct {
		eci, enb, sector int64
	}{
		{129097582, 504287, 110},
		{0, 0, 0},
		{255, 0, 255},
		{256, 1, 0},
		{268435455, 1048575, 255},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.eci, 10), func(t *testing.T) {
			enb, sector := ingest.ENodeB(tt.eci)
			if enb != tt.enb || sector != tt.sector {
				t.Errorf("ENodeB(%d) = %d, %d; want %d, %d", tt.eci, enb, sector, tt.enb, tt.sector)
			}
		})
	}
}

// normBenchSink keeps benchmark results alive.
var normBenchSink string

func BenchmarkMSISDN(b *testing.B) {
	for _, bm := range []struct{ name, raw string }{
		{"national", "07700 900123"},
		{"e164", "+447700900123"},
		{"cc-without-plus", "447700900123"},
		{"apostrophe", "'07700900123"},
		{"short-code", "999"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := ingest.MSISDN(bm.raw, "GB")
				if err != nil {
					b.Fatal(err)
				}
				normBenchSink = v
			}
		})
	}
}

func BenchmarkIMEI(b *testing.B) {
	for _, bm := range []struct{ name, raw string }{
		{"15-digits", "490154203237518"},
		{"14-digits", "49015420323751"},
		{"separated", "49-015420-323751-8"},
		{"imeisv", "4901542032375112"},
		{"scientific", "4.90154203237518E+14"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, _, err := ingest.IMEI(bm.raw)
				if err != nil {
					b.Fatal(err)
				}
				normBenchSink = v
			}
		})
	}
}

func BenchmarkCellKey(b *testing.B) {
	for _, bm := range []struct{ name, raw, format string }{
		{"cgi-canonical", "234-30-1234-56789", "auto"},
		{"cgi-slashes", "234/30/1234/56789", "cgi"},
		{"lac-ci", "1234-56789", "lac-ci"},
		{"eci-hex", "7B1DF6E", "eci-hex"},
		{"ecgi-canonical", "234-30-129097582", "auto"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := ingest.CellKey(bm.raw, bm.format, "234-30")
				if err != nil {
					b.Fatal(err)
				}
				normBenchSink = v
			}
		})
	}
}
