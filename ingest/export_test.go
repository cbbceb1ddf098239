package ingest

import "time"

// Internals for the tests of package ingest_test: the quick paths and the
// general code they must agree with.

// NewTimeReader returns the reader of start times Parse uses for layouts
// and basis.
func NewTimeReader(layouts []string, basis TimeBasis) func(string) (time.Time, TimeFlag, error) {
	return newTimeReader(layouts, basis).parse
}

// FixedTimeLayout reports whether the first of layouts is read by the
// quick path.
func FixedTimeLayout(layouts []string, basis TimeBasis) bool {
	return newTimeReader(layouts, basis).fixed != nil
}

var (
	MSISDNGeneral     = msisdn
	OtherPartyGeneral = otherParty
	NormHeader        = normHeader
	FoldHeader        = foldHeader
	NormValue         = normValue
	FoldValue         = foldValue
	TrimSpaceASCII    = trimSpaceASCII
)

// IMEIQuick and IMSIQuick are what Parse's workers read from an IMEI or
// IMSI column (its text trimmed of spaces).
func IMEIQuick(raw string) (string, bool, error) {
	return new(cleanser).imeiOf(raw)
}

func IMSIQuick(raw string) (string, error) {
	return new(cleanser).imsiOf(raw)
}
