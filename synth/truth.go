package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// Truth is what a generated scenario really contains: the phones and what
// they did, every file written with every defect planted in it, and where
// each phone was at each event. It is written as truth.json beside the
// files; see the package documentation for the schema.
type Truth struct {
	Scenario     string        `json:"scenario"`
	Seed         uint64        `json:"seed"`
	Epoch        time.Time     `json:"epoch"` // start of the scenario's period, UTC
	End          time.Time     `json:"end"`   // end of the period (exclusive), UTC
	Phones       []Phone       `json:"phones"`
	Meetings     []Meeting     `json:"meetings"`
	HandsetSwaps []HandsetSwap `json:"handset_swaps"`
	SIMSwaps     []SIMSwap     `json:"sim_swaps"`
	CallChains   []CallChain   `json:"call_chains"`
	Files        []File        `json:"files"`
	Track        []TrackPoint  `json:"track"`
}

// Phone is one SIM (subscriber line) of the scenario.
type Phone struct {
	Label   string       `json:"label"`   // phone1, phone2... (also in file names)
	MSISDN  string       `json:"msisdn"`  // E.164
	Network string       `json:"network"` // MCC-MNC whose cells serve it
	Profile string       `json:"profile"` // the CDR profile its records are written in
	IMSI    string       `json:"imsi"`
	IMEIs   []IMEIPeriod `json:"imeis"`
	Home    Place        `json:"home"`
	Work    Place        `json:"work"`
}

// IMEIPeriod is a handset a SIM was in, from From until To (exclusive).
type IMEIPeriod struct {
	IMEI string    `json:"imei"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Place is where a person lived or worked, with the cell that best serves
// it on their phone's network and that cell's mast position, and the cells
// that actually served the phone there.
type Place struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Cell    string  `json:"cell"`
	SiteLat float64 `json:"site_lat"`
	SiteLon float64 `json:"site_lon"`
	// Served lists the keys of the cells that served the phone's events
	// while its carrier was staying at the place (not travelling to or
	// from it): the first cell of each event that started there and the
	// last cell of each call or data session that ended there. Sorted,
	// without repeats; empty when no event happened there.
	Served []string `json:"served"`
}

// Meeting is a planted co-location: the phones were at one place together.
type Meeting struct {
	Phones []string       `json:"phones"` // MSISDNs
	Start  time.Time      `json:"start"`
	End    time.Time      `json:"end"`
	Lat    float64        `json:"lat"`
	Lon    float64        `json:"lon"`
	Cells  []MeetingCells `json:"cells"` // the cells each phone's records name during the meeting
}

// MeetingCells lists the cell keys one phone's records named during a
// meeting (the first cells, sorted, without repeats).
type MeetingCells struct {
	MSISDN string   `json:"msisdn"`
	Cells  []string `json:"cells"`
}

// HandsetSwap is a SIM moved into a new handset at At.
type HandsetSwap struct {
	MSISDN   string    `json:"msisdn"`
	IMEIFrom string    `json:"imei_from"`
	IMEITo   string    `json:"imei_to"`
	At       time.Time `json:"at"`
}

// SIMSwap is a second SIM used in another phone's handset for a period:
// MSISDN was in the handset IMEI that Owner normally uses, from From until
// To, and Owner's own SIM was out of service meanwhile.
type SIMSwap struct {
	MSISDN string    `json:"msisdn"`
	IMEI   string    `json:"imei"`
	Owner  string    `json:"owner"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
}

// CallChain is a planted sequence of calls, each made soon after the one
// before by the phone that had just been called.
type CallChain struct {
	Links []CallLink `json:"links"`
}

// CallLink is one call of a chain.
type CallLink struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	Start time.Time `json:"start"`
}

// File is one file written: its layout, its physical rows, and every
// defect planted in it, so that an ingest can be checked row for row.
type File struct {
	Path           string `json:"path"` // relative to the output directory, with '/'
	Kind           string `json:"kind"` // cdr or cells
	Profile        string `json:"profile"`
	ProfileVersion string `json:"profile_version"`
	Format         string `json:"format"` // csv or xlsx
	Sheet          string `json:"sheet,omitempty"`
	Target         string `json:"target,omitempty"`  // cdr: the phone's MSISDN
	Network        string `json:"network,omitempty"` // MCC-MNC of the cells it names
	TimeBasis      string `json:"time_basis,omitempty"`

	BOM        bool     `json:"bom"`
	Lines      int      `json:"lines"`      // CSV lines, or XLSX rows present
	Banner     []string `json:"banner"`     // lines above the header, as written
	Blank      int      `json:"blank"`      // empty lines
	HeaderRow  int      `json:"header_row"` // 0 when headerless
	Footer     []string `json:"footer"`     // lines after the data, as written
	Rows       int      `json:"rows"`       // data rows = accepted + duplicates + rejected
	Accepted   int      `json:"accepted"`
	Duplicates []Dup    `json:"duplicates"` // planted exact repeats
	Rejects    []Reject `json:"rejects"`    // planted malformed rows

	// Warnings counts the warning codes an ingest must report (over
	// accepted and duplicate rows), e.g. imei-check-digit, time-ambiguous,
	// time-impossible, azimuth-360.
	Warnings map[string]int `json:"warnings"`

	// Other planted mess, which an ingest reads without complaint.
	Apostrophes    int `json:"apostrophes"`      // values written with a leading apostrophe
	HexCells       int `json:"hex_cells"`        // cells written in hexadecimal
	SMSWithoutCell int `json:"sms_without_cell"` // SMS rows with no cell
	NationalNumber int `json:"national_numbers"` // target numbers written in national form

	First time.Time `json:"first,omitzero"` // cdr: earliest and latest event instants
	Last  time.Time `json:"last,omitzero"`
}

// Dup is a planted exact repeat of an earlier data row.
type Dup struct {
	Row int `json:"row"`
	Of  int `json:"of"`
}

// Reject is a planted row that an ingest must reject, with the reason code
// it must give.
type Reject struct {
	Row    int    `json:"row"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// TrackPoint is the ground truth of one event row of a CDR file: when the
// event happened, where the phone truly was, and which cells the row names
// (as canonical keys, "" when none).
type TrackPoint struct {
	File        string    `json:"file"`
	Row         int       `json:"row"`
	Time        time.Time `json:"time"`
	Type        string    `json:"type"`
	Direction   string    `json:"direction"`
	Lat         float64   `json:"lat"`
	Lon         float64   `json:"lon"`
	Cell        string    `json:"cell"`
	LastCell    string    `json:"last_cell"`
	TimeFlag    string    `json:"time_flag,omitempty"`    // ambiguous or impossible: the written local time
	DuplicateOf int       `json:"duplicate_of,omitempty"` // the row this one repeats exactly
}

// writeTruth writes t as indented JSON, streaming the track so that a
// large scenario needs no second copy of it in memory.
func writeTruth(w io.Writer, t *Truth) error {
	track := t.Track
	head := *t
	head.Track = nil
	b, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	const tail = "\"track\": null\n}"
	if !bytes.HasSuffix(b, []byte(tail)) {
		return fmt.Errorf("encoding: unexpected layout")
	}
	b = b[:len(b)-len(tail)]
	bw := newBufWriter(w)
	bw.Write(b)
	if len(track) == 0 {
		bw.WriteString("\"track\": []\n}\n")
		return bw.Flush()
	}
	bw.WriteString("\"track\": [\n")
	var buf []byte
	for i := range track {
		buf = append(buf[:0], "    "...)
		buf = appendTrackPoint(buf, &track[i])
		if i < len(track)-1 {
			buf = append(buf, ",\n"...)
		} else {
			buf = append(buf, '\n')
		}
		bw.Write(buf)
	}
	bw.WriteString("  ]\n}\n")
	return bw.Flush()
}

// appendTrackPoint appends tp as json.MarshalIndent(tp, "    ", "  ")
// writes it, without reflection: the track of a large scenario has a
// million points.
func appendTrackPoint(b []byte, tp *TrackPoint) []byte {
	field := func(name string) {
		b = append(b, ",\n      \""...)
		b = append(b, name...)
		b = append(b, "\": "...)
	}
	b = append(b, "{\n      \"file\": "...)
	b = appendJSONString(b, tp.File)
	field("row")
	b = strconv.AppendInt(b, int64(tp.Row), 10)
	field("time")
	b = append(b, '"')
	b = tp.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	field("type")
	b = appendJSONString(b, tp.Type)
	field("direction")
	b = appendJSONString(b, tp.Direction)
	field("lat")
	b = appendJSONFloat(b, tp.Lat)
	field("lon")
	b = appendJSONFloat(b, tp.Lon)
	field("cell")
	b = appendJSONString(b, tp.Cell)
	field("last_cell")
	b = appendJSONString(b, tp.LastCell)
	if tp.TimeFlag != "" {
		field("time_flag")
		b = appendJSONString(b, tp.TimeFlag)
	}
	if tp.DuplicateOf != 0 {
		field("duplicate_of")
		b = strconv.AppendInt(b, int64(tp.DuplicateOf), 10)
	}
	return append(b, "\n    }"...)
}

// appendJSONString appends s as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONFloat appends f as encoding/json writes it.
func appendJSONFloat(b []byte, f float64) []byte {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) || math.IsNaN(f) || math.IsInf(f, 0) {
		q, _ := json.Marshal(f)
		return append(b, q...)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}
