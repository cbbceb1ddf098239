package synth

import (
	"encoding/json"
	"testing"
	"time"
)

// TestAppendTrackPoint checks the hand-written encoding of track points
// against encoding/json.
func TestAppendTrackPoint(t *testing.T) {
	at := time.Date(2026, 10, 25, 1, 30, 5, 0, time.UTC)
	tests := []TrackPoint{
		{File: "cdr/a.csv", Row: 7, Time: at, Type: "voice", Direction: "out", Lat: 50.123456, Lon: -0.1, Cell: "234-30-129097582", LastCell: "234-30-129097583"},
		{File: "cdr/b.xlsx", Row: 1048576, Time: at, Type: "data", Lat: 51, Lon: 0, TimeFlag: "ambiguous", DuplicateOf: 9},
		{File: `odd "name" <&>.csv`, Row: 1, Time: at.Add(time.Nanosecond), Type: "sms", Direction: "in", Lat: 1e-7, Lon: -179.999999},
	}
	for _, tp := range tests {
		want, err := json.MarshalIndent(&tp, "    ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendTrackPoint(nil, &tp); string(got) != string(want) {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	}
}
