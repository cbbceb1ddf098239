package ingest_test

import (
	"testing"
	"time"

	"github.com/cellsite/cellsite/ingest"
)

func utcClock(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

// TestParseTimeUKChanges checks every boundary of the changes between GMT
// and BST in 2025 and 2026. BST starts at 01:00 GMT on the last Sunday of
// March (clocks go from 01:00 to 02:00) and ends at 02:00 BST on the last
// Sunday of October (clocks go from 02:00 back to 01:00).
func TestParseTimeUKChanges(t *testing.T) {
	layouts := []string{"2006-01-02 15:04:05"}
	tests := []struct {
		local string
		want  time.Time
		flag  ingest.TimeFlag
	}{
		// 2025: BST from 30 March to 26 October.
		{"2025-03-30 00:00:00", utcClock(2025, 3, 30, 0, 0, 0, 0), ingest.TimeOK},
		{"2025-03-30 00:59:59", utcClock(2025, 3, 30, 0, 59, 59, 0), ingest.TimeOK},
		{"2025-03-30 01:00:00", utcClock(2025, 3, 30, 1, 0, 0, 0), ingest.TimeImpossible},
		{"2025-03-30 01:30:00", utcClock(2025, 3, 30, 1, 30, 0, 0), ingest.TimeImpossible},
		{"2025-03-30 01:59:59", utcClock(2025, 3, 30, 1, 59, 59, 0), ingest.TimeImpossible},
		{"2025-03-30 02:00:00", utcClock(2025, 3, 30, 1, 0, 0, 0), ingest.TimeOK},
		{"2025-03-30 02:30:00", utcClock(2025, 3, 30, 1, 30, 0, 0), ingest.TimeOK},
		{"2025-10-26 00:59:59", utcClock(2025, 10, 25, 23, 59, 59, 0), ingest.TimeOK},
		{"2025-10-26 01:00:00", utcClock(2025, 10, 26, 0, 0, 0, 0), ingest.TimeAmbiguous},
		{"2025-10-26 01:30:00", utcClock(2025, 10, 26, 0, 30, 0, 0), ingest.TimeAmbiguous},
		{"2025-10-26 01:59:59", utcClock(2025, 10, 26, 0, 59, 59, 0), ingest.TimeAmbiguous},
		{"2025-10-26 02:00:00", utcClock(2025, 10, 26, 2, 0, 0, 0), ingest.TimeOK},
		// The same days a week earlier and later are plain.
		{"2025-03-23 01:30:00", utcClock(2025, 3, 23, 1, 30, 0, 0), ingest.TimeOK},
		{"2025-04-06 01:30:00", utcClock(2025, 4, 6, 0, 30, 0, 0), ingest.TimeOK},
		{"2025-10-19 01:30:00", utcClock(2025, 10, 19, 0, 30, 0, 0), ingest.TimeOK},
		{"2025-11-02 01:30:00", utcClock(2025, 11, 2, 1, 30, 0, 0), ingest.TimeOK},

		// 2026: BST from 29 March to 25 October.
		{"2026-01-15 12:00:00", utcClock(2026, 1, 15, 12, 0, 0, 0), ingest.TimeOK},
		{"2026-03-28 23:59:59", utcClock(2026, 3, 28, 23, 59, 59, 0), ingest.TimeOK},
		{"2026-03-29 00:59:59", utcClock(2026, 3, 29, 0, 59, 59, 0), ingest.TimeOK},
		{"2026-03-29 01:00:00", utcClock(2026, 3, 29, 1, 0, 0, 0), ingest.TimeImpossible},
		{"2026-03-29 01:30:00", utcClock(2026, 3, 29, 1, 30, 0, 0), ingest.TimeImpossible},
		{"2026-03-29 01:59:59", utcClock(2026, 3, 29, 1, 59, 59, 0), ingest.TimeImpossible},
		{"2026-03-29 02:00:00", utcClock(2026, 3, 29, 1, 0, 0, 0), ingest.TimeOK},
		{"2026-03-29 12:00:00", utcClock(2026, 3, 29, 11, 0, 0, 0), ingest.TimeOK},
		{"2026-07-01 12:00:00", utcClock(2026, 7, 1, 11, 0, 0, 0), ingest.TimeOK},
		{"2026-10-24 23:59:59", utcClock(2026, 10, 24, 22, 59, 59, 0), ingest.TimeOK},
		{"2026-10-25 00:00:00", utcClock(2026, 10, 24, 23, 0, 0, 0), ingest.TimeOK},
		{"2026-10-25 00:59:59", utcClock(2026, 10, 24, 23, 59, 59, 0), ingest.TimeOK},
		{"2026-10-25 01:00:00", utcClock(2026, 10, 25, 0, 0, 0, 0), ingest.TimeAmbiguous},
		{"2026-10-25 01:30:00", utcClock(2026, 10, 25, 0, 30, 0, 0), ingest.TimeAmbiguous},
		{"2026-10-25 01:59:59", utcClock(2026, 10, 25, 0, 59, 59, 0), ingest.TimeAmbiguous},
		{"2026-10-25 02:00:00", utcClock(2026, 10, 25, 2, 0, 0, 0), ingest.TimeOK},
		{"2026-10-25 12:00:00", utcClock(2026, 10, 25, 12, 0, 0, 0), ingest.TimeOK},
		{"2026-12-31 23:59:59", utcClock(2026, 12, 31, 23, 59, 59, 0), ingest.TimeOK},
		// Fractions of a second keep their place in the hour.
		{"2026-10-25 01:59:59.999", utcClock(2026, 10, 25, 0, 59, 59, 999e6), ingest.TimeAmbiguous},
		{"2026-03-29 00:59:59.999", utcClock(2026, 3, 29, 0, 59, 59, 999e6), ingest.TimeOK},
	}
	for _, tt := range tests {
		t.Run(tt.local, func(t *testing.T) {
			got, flag, err := ingest.ParseTime(tt.local, layouts, ingest.UKLocal)
			if err != nil || !got.Equal(tt.want) || flag != tt.flag {
				t.Fatalf("ParseTime(%q, uk-local) = %v, %q, %v; want %v, %q", tt.local, got, flag, err, tt.want, tt.flag)
			}
			if got.Location() != time.UTC {
				t.Errorf("location %v, want UTC", got.Location())
			}
			// The same clock time under basis utc is itself, never flagged.
			got, flag, err = ingest.ParseTime(tt.local, layouts, ingest.UTC)
			want, _ := time.Parse("2006-01-02 15:04:05", tt.local)
			if err != nil || !got.Equal(want) || flag != ingest.TimeOK {
				t.Errorf("ParseTime(%q, utc) = %v, %q, %v; want %v", tt.local, got, flag, err, want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	const (
		dmy    = "02/01/2006 15:04:05"
		iso    = "2006-01-02 15:04:05"
		isoOff = "2006-01-02 15:04:05 -07:00"
		isoZ   = "2006-01-02T15:04:05Z"
		named  = "2006-01-02 15:04:05 MST"
	)
	tests := []struct {
		name    string
		raw     string
		layouts []string
		basis   ingest.TimeBasis
		want    time.Time
		flag    ingest.TimeFlag
		wantErr bool
	}{
		{"go layout", "29/03/2026 00:30:00", []string{dmy}, ingest.UTC, utcClock(2026, 3, 29, 0, 30, 0, 0), "", false},
		{"layouts in order", "29/03/2026 00:30", []string{dmy, "02/01/2006 15:04"}, ingest.UTC, utcClock(2026, 3, 29, 0, 30, 0, 0), "", false},
		{"trimmed", " '29/03/2026 00:30:00' ", []string{dmy}, ingest.UTC, utcClock(2026, 3, 29, 0, 30, 0, 0), "", false},
		{"fraction", "29/03/2026 00:30:00.250", []string{dmy}, ingest.UTC, utcClock(2026, 3, 29, 0, 30, 0, 250e6), "", false},
		{"uk summer", "01/07/2026 12:00:00", []string{dmy}, ingest.UKLocal, utcClock(2026, 7, 1, 11, 0, 0, 0), "", false},
		{"uk winter", "15/01/2026 12:00:00", []string{dmy}, ingest.UKLocal, utcClock(2026, 1, 15, 12, 0, 0, 0), "", false},
		{"uk date only", "01/07/2026", []string{"02/01/2006"}, ingest.UKLocal, utcClock(2026, 6, 30, 23, 0, 0, 0), "", false},
		{"uk gap", "29/03/2026 01:30:00", []string{dmy}, ingest.UKLocal, utcClock(2026, 3, 29, 1, 30, 0, 0), ingest.TimeImpossible, false},
		{"uk repeat", "25/10/2026 01:30:00", []string{dmy}, ingest.UKLocal, utcClock(2026, 10, 25, 0, 30, 0, 0), ingest.TimeAmbiguous, false},

		// Offsets written in the text.
		{"offset", "2026-03-29 01:30:00 +05:30", []string{isoOff}, ingest.Offset, utcClock(2026, 3, 28, 20, 0, 0, 0), "", false},
		{"offset +14:45", "2026-03-29 01:30:00 +14:45", []string{isoOff}, ingest.Offset, utcClock(2026, 3, 28, 10, 45, 0, 0), "", false},
		{"offset -14:45", "2026-03-29 01:30:00 -14:45", []string{isoOff}, ingest.Offset, utcClock(2026, 3, 29, 16, 15, 0, 0), "", false},
		{"offset +05:45", "2026-03-29 01:30:00 +05:45", []string{isoOff}, ingest.Offset, utcClock(2026, 3, 28, 19, 45, 0, 0), "", false},
		{"offset +05:31", "2026-03-29 01:30:00 +05:31", []string{isoOff}, ingest.Offset, utcClock(2026, 3, 28, 19, 59, 0, 0), "", false},
		{"offset negative", "2026-03-29 01:30:00 -04:00", []string{isoOff}, ingest.Offset, utcClock(2026, 3, 29, 5, 30, 0, 0), "", false},
		{"offset zero", "2026-03-29 01:30:00 +00:00", []string{isoOff}, ingest.Offset, utcClock(2026, 3, 29, 1, 30, 0, 0), "", false},
		{"offset compact", "2026-03-29T01:30:00+0100", []string{"2006-01-02T15:04:05-0700"}, ingest.Offset, utcClock(2026, 3, 29, 0, 30, 0, 0), "", false},
		{"offset Z07", "2026-03-29T01:30:00Z", []string{"2006-01-02T15:04:05Z07:00"}, ingest.Offset, utcClock(2026, 3, 29, 1, 30, 0, 0), "", false},
		{"offset literal Z", "2026-03-29T01:30:00Z", []string{isoZ}, ingest.Offset, utcClock(2026, 3, 29, 1, 30, 0, 0), "", false},
		{"offset needs a zone", "2026-03-29 01:30:00", []string{iso}, ingest.Offset, time.Time{}, "", true},
		{"offset needs a zone in every layout", "2026-03-29 01:30:00 +01:00", []string{iso, isoOff}, ingest.Offset, time.Time{}, "", true},
		{"offset excel", "46110.0625", []string{"excel"}, ingest.Offset, time.Time{}, "", true},
		{"offset missing from text", "2026-03-29 01:30:00", []string{isoOff}, ingest.Offset, time.Time{}, "", true},
		{"offset unix", "1774746000", []string{"unix"}, ingest.Offset, time.Unix(1774746000, 0), "", false},

		{"utc zone Z", "2026-07-01T12:00:00Z", []string{"rfc3339"}, ingest.UTC, utcClock(2026, 7, 1, 12, 0, 0, 0), "", false},
		{"utc zone +00:00", "2026-07-01T12:00:00+00:00", []string{"rfc3339"}, ingest.UTC, utcClock(2026, 7, 1, 12, 0, 0, 0), "", false},
		{"utc zone -00:00", "2026-07-01 12:00:00 -00:00", []string{isoOff}, ingest.UTC, utcClock(2026, 7, 1, 12, 0, 0, 0), "", false},
		{"utc literal Z", "2026-07-01T12:00:00Z", []string{isoZ}, ingest.UTC, utcClock(2026, 7, 1, 12, 0, 0, 0), "", false},
		{"utc zone +01:00", "2026-07-01T12:00:00+01:00", []string{"rfc3339"}, ingest.UTC, time.Time{}, "", true},
		{"utc zone +01:00 not re-zoned by a later layout", "2026-07-01 12:00:00 +01:00", []string{isoOff, iso + " +01:00"}, ingest.UTC, time.Time{}, "", true},
		{"utc named UTC", "2026-07-01 12:00:00 UTC", []string{named}, ingest.UTC, utcClock(2026, 7, 1, 12, 0, 0, 0), "", false},
		{"utc named GMT", "2026-07-01 12:00:00 GMT", []string{named}, ingest.UTC, utcClock(2026, 7, 1, 12, 0, 0, 0), "", false},
		{"utc named BST", "2026-07-01 12:00:00 BST", []string{named}, ingest.UTC, time.Time{}, "", true},
		{"utc named CET", "2026-07-01 12:00:00 CET", []string{named}, ingest.UTC, time.Time{}, "", true},

		{"uk zone matches BST", "2026-07-01T12:00:00+01:00", []string{"rfc3339"}, ingest.UKLocal, utcClock(2026, 7, 1, 11, 0, 0, 0), "", false},
		{"uk zone first of repeat", "2026-10-25T01:30:00+01:00", []string{"rfc3339"}, ingest.UKLocal, utcClock(2026, 10, 25, 0, 30, 0, 0), "", false},
		{"uk zone second of repeat", "2026-10-25T01:30:00+00:00", []string{"rfc3339"}, ingest.UKLocal, utcClock(2026, 10, 25, 1, 30, 0, 0), "", false},
		{"uk zone Z in summer", "2026-07-01T12:00:00Z", []string{"rfc3339"}, ingest.UKLocal, time.Time{}, "", true},
		{"uk zone +05:30", "2026-07-01T12:00:00+05:30", []string{"rfc3339"}, ingest.UKLocal, time.Time{}, "", true},
		{"uk named BST", "2026-07-01 12:00:00 BST", []string{named}, ingest.UKLocal, utcClock(2026, 7, 1, 11, 0, 0, 0), "", false},
		{"uk named GMT", "2026-01-15 12:00:00 GMT", []string{named}, ingest.UKLocal, utcClock(2026, 1, 15, 12, 0, 0, 0), "", false},
		{"uk named GMT in summer", "2026-07-01 12:00:00 GMT", []string{named}, ingest.UKLocal, time.Time{}, "", true},
		{"uk named BST in winter", "2026-01-15 12:00:00 BST", []string{named}, ingest.UKLocal, time.Time{}, "", true},
		{"offset named GMT+1", "2026-07-01 12:00:00 GMT+1", []string{named}, ingest.Offset, utcClock(2026, 7, 1, 11, 0, 0, 0), "", false},
		{"offset named EST", "2026-07-01 12:00:00 EST", []string{named}, ingest.Offset, time.Time{}, "", true},

		{"rfc3339 fraction", "2026-03-29T01:30:00.123+01:00", []string{"rfc3339"}, ingest.Offset, utcClock(2026, 3, 29, 0, 30, 0, 123e6), "", false},
		{"rfc3339 without zone", "2026-03-29T01:30:00", []string{"rfc3339"}, ingest.UTC, time.Time{}, "", true},

		// Spreadsheet serial dates.
		{"excel", "46109.5416666667", []string{"excel"}, ingest.UTC, utcClock(2026, 3, 28, 13, 0, 0, 0), "", false},
		{"excel date", "46110", []string{"excel"}, ingest.UTC, utcClock(2026, 3, 29, 0, 0, 0, 0), "", false},
		{"excel uk gap", "46110.0625", []string{"excel"}, ingest.UKLocal, utcClock(2026, 3, 29, 1, 30, 0, 0), ingest.TimeImpossible, false},
		{"excel uk repeat", "46320.0625", []string{"excel"}, ingest.UKLocal, utcClock(2026, 10, 25, 0, 30, 0, 0), ingest.TimeAmbiguous, false},
		{"excel uk summer", "46204.5", []string{"excel"}, ingest.UKLocal, utcClock(2026, 7, 1, 11, 0, 0, 0), "", false},
		{"excel full precision", "46109.541666666664", []string{"excel"}, ingest.UTC, utcClock(2026, 3, 28, 13, 0, 0, 0), "", false},
		{"excel epoch", "25569", []string{"excel"}, ingest.UTC, utcClock(1970, 1, 1, 0, 0, 0, 0), "", false},
		{"excel noon", "25569.5", []string{"excel"}, ingest.UTC, utcClock(1970, 1, 1, 12, 0, 0, 0), "", false},
		{"excel half second rounds up", "25569.00015625", []string{"excel"}, ingest.UTC, utcClock(1970, 1, 1, 0, 0, 14, 0), "", false},
		{"excel just below half", "25569.00015624", []string{"excel"}, ingest.UTC, utcClock(1970, 1, 1, 0, 0, 13, 0), "", false},
		{"excel long fraction", "25569.000156250000000000000000001", []string{"excel"}, ingest.UTC, utcClock(1970, 1, 1, 0, 0, 14, 0), "", false},
		{"excel long fraction below half", "25569.000156249999999999999999999", []string{"excel"}, ingest.UTC, utcClock(1970, 1, 1, 0, 0, 13, 0), "", false},
		{"excel rounds into next day", "25569.999999", []string{"excel"}, ingest.UTC, utcClock(1970, 1, 2, 0, 0, 0, 0), "", false},
		{"excel 1", "1", []string{"excel"}, ingest.UTC, utcClock(1900, 1, 1, 0, 0, 0, 0), "", false},
		{"excel 59", "59", []string{"excel"}, ingest.UTC, utcClock(1900, 2, 28, 0, 0, 0, 0), "", false},
		{"excel 60 does not exist", "60", []string{"excel"}, ingest.UTC, time.Time{}, "", true},
		{"excel 60.5 does not exist", "60.5", []string{"excel"}, ingest.UTC, time.Time{}, "", true},
		{"excel 61", "61", []string{"excel"}, ingest.UTC, utcClock(1900, 3, 1, 0, 0, 0, 0), "", false},
		{"excel last", "2958465.99999", []string{"excel"}, ingest.UTC, utcClock(9999, 12, 31, 23, 59, 59, 0), "", false},
		{"excel after 9999", "2958466", []string{"excel"}, ingest.UTC, time.Time{}, "", true},
		{"excel huge", "99999999999", []string{"excel"}, ingest.UTC, time.Time{}, "", true},
		{"excel 0", "0", []string{"excel"}, ingest.UTC, time.Time{}, "", true},
		{"excel time only", "0.5", []string{"excel"}, ingest.UTC, time.Time{}, "", true},
		{"excel not a number", "46109,5", []string{"excel"}, ingest.UTC, time.Time{}, "", true},
		{"excel then layout", "29/03/2026 00:30:00", []string{"excel", dmy}, ingest.UTC, utcClock(2026, 3, 29, 0, 30, 0, 0), "", false},
		{"layout then excel", "46110", []string{dmy, "excel"}, ingest.UTC, utcClock(2026, 3, 29, 0, 0, 0, 0), "", false},

		// Unix times name instants whatever the basis.
		{"unix", "1774746000", []string{"unix"}, ingest.UTC, utcClock(2026, 3, 29, 1, 0, 0, 0), "", false},
		{"unix uk", "1774746000", []string{"unix"}, ingest.UKLocal, utcClock(2026, 3, 29, 1, 0, 0, 0), "", false},
		{"unix fraction", "1774746000.5", []string{"unix"}, ingest.UTC, utcClock(2026, 3, 29, 1, 0, 0, 5e8), "", false},
		{"unix spreadsheet", "1.774746E+09", []string{"unix"}, ingest.UTC, utcClock(2026, 3, 29, 1, 0, 0, 0), "", false},
		{"unix zero", "0", []string{"unix"}, ingest.UTC, utcClock(1970, 1, 1, 0, 0, 0, 0), "", false},
		{"unix last", "253402300799", []string{"unix"}, ingest.UTC, utcClock(9999, 12, 31, 23, 59, 59, 0), "", false},
		{"unix after 9999", "253402300800", []string{"unix"}, ingest.UTC, time.Time{}, "", true},
		{"unix negative", "-1", []string{"unix"}, ingest.UTC, time.Time{}, "", true},
		{"unix rounded", "1.77475E+09", []string{"unix"}, ingest.UTC, time.Time{}, "", true},
		{"unixms", "1774746000123", []string{"unixms"}, ingest.UTC, utcClock(2026, 3, 29, 1, 0, 0, 123e6), "", false},
		{"unixms fraction", "1774746000123.5", []string{"unixms"}, ingest.UTC, utcClock(2026, 3, 29, 1, 0, 0, 123500000), "", false},
		{"unixms rounded", "1.77475E+12", []string{"unixms"}, ingest.UTC, time.Time{}, "", true},
		{"unixms after 9999", "253402300800000", []string{"unixms"}, ingest.UTC, time.Time{}, "", true},

		// Errors.
		{"empty", "", []string{dmy}, ingest.UTC, time.Time{}, "", true},
		{"blank", "  ''  ", []string{dmy}, ingest.UTC, time.Time{}, "", true},
		{"no layouts", "29/03/2026 00:30:00", nil, ingest.UTC, time.Time{}, "", true},
		{"unknown basis", "29/03/2026 00:30:00", []string{dmy}, "local", time.Time{}, "", true},
		{"fits nothing", "yesterday", []string{dmy, "excel", "unix"}, ingest.UTC, time.Time{}, "", true},
		{"impossible date", "30/02/2026 00:30:00", []string{dmy}, ingest.UTC, time.Time{}, "", true},
		{"american order", "03/29/2026 00:30:00", []string{dmy}, ingest.UTC, time.Time{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, flag, err := ingest.ParseTime(tt.raw, tt.layouts, tt.basis)
			if tt.wantErr {
				expectInvalidKind(t, err)
				return
			}
			if err != nil || !got.Equal(tt.want) || flag != tt.flag {
				t.Fatalf("ParseTime(%q, %q, %s) = %v, %q, %v; want %v, %q", tt.raw, tt.layouts, tt.basis, got, flag, err, tt.want, tt.flag)
			}
			if got.Location() != time.UTC {
				t.Errorf("location %v, want UTC", got.Location())
			}
		})
	}
}

func TestSplitDateTime(t *testing.T) {
	tests := []struct {
		date, clock, want string
	}{
		{"29/03/2026", "01:30:00", "29/03/2026 01:30:00"},
		{" 29/03/2026 ", " 01:30 ", "29/03/2026 01:30"},
		{"'29/03/2026", "'01:30:00", "29/03/2026 01:30:00"},
		{"29/03/2026", "", "29/03/2026"},
		{"", "01:30:00", "01:30:00"},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.date+"|"+tt.clock, func(t *testing.T) {
			if got := ingest.SplitDateTime(tt.date, tt.clock); got != tt.want {
				t.Errorf("SplitDateTime(%q, %q) = %q, want %q", tt.date, tt.clock, got, tt.want)
			}
		})
	}
	// The joined text parses.
	got, _, err := ingest.ParseTime(ingest.SplitDateTime("29/03/2026", "02:30:00"), []string{"02/01/2006 15:04:05"}, ingest.UKLocal)
	if want := utcClock(2026, 3, 29, 1, 30, 0, 0); err != nil || !got.Equal(want) {
		t.Errorf("ParseTime of joined date and time = %v, %v; want %v", got, err, want)
	}
}

var timeBenchSink time.Time

func BenchmarkParseTime(b *testing.B) {
	benchmarks := []struct {
		name    string
		inputs  []string
		layouts []string
		basis   ingest.TimeBasis
	}{
		{"uk-local", []string{"29/03/2026 00:30:00", "01/07/2026 12:00:00", "25/10/2026 01:30:00", "15/01/2026 08:15:42"}, []string{"02/01/2006 15:04:05"}, ingest.UKLocal},
		{"utc", []string{"2026-03-29 00:30:00", "2026-07-01 12:00:00"}, []string{"2006-01-02 15:04:05"}, ingest.UTC},
		{"offset", []string{"2026-03-29 00:30:00 +05:30", "2026-07-01 12:00:00 +05:30"}, []string{"2006-01-02 15:04:05 -07:00"}, ingest.Offset},
		{"excel", []string{"46109.5416666667", "46204.5"}, []string{"excel"}, ingest.UKLocal},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				t, _, err := ingest.ParseTime(bm.inputs[i%len(bm.inputs)], bm.layouts, bm.basis)
				if err != nil {
					b.Fatal(err)
				}
				timeBenchSink = t
			}
		})
	}
}
