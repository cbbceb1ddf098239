package analysis

import (
	"sort"
	"time"
)

// CellAtOrBeforeStart is the meaning of the cell of a data record: the
// phone used the cell at or before the record's start time, not
// necessarily at it.
const CellAtOrBeforeStart = "at-or-before-start"

// SessionCell is a cell named by the records of a data session, with the
// records that named it in a row.
type SessionCell struct {
	Cell       string     `json:"cell"` // canonical key as recorded
	Resolution Resolution `json:"resolution"`
	Site       string     `json:"site"` // of the resolved record; empty when unresolved
	Lat        float64    `json:"lat"`
	Lon        float64    `json:"lon"`
	// At is the start of the first record that named the cell in this
	// run; the phone used the cell at or before it.
	At      time.Time `json:"at"`
	Records int       `json:"records"` // records naming it in this run
}

// Session is a data session of one target: the data records that share a
// charging ID, or one record that has none.
type Session struct {
	Target     string `json:"target"`
	ChargingID string `json:"charging_id"` // "" for a record without one
	Records    int    `json:"records"`
	// First and Last are the start times of the first and last records.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// End is the latest record end (start plus duration).
	End       time.Time `json:"end"`
	DurationS int64     `json:"duration_s"` // sum of the records' durations
	// Bytes is the total volume of the records that give one;
	// BytesUnknown counts those that do not.
	Bytes        int64    `json:"bytes"`
	BytesUnknown int      `json:"bytes_unknown"`
	APNs         []string `json:"apns"` // sorted, without repeats
	// Cells are the cells the records name, in time order: each record's
	// first cell, then its last cell when different, consecutive repeats
	// taken together.
	Cells []SessionCell `json:"cells"`
	// CellTime is what a record's cell says about time: always
	// CellAtOrBeforeStart, so that no schedule reads it as "at".
	CellTime string     `json:"cell_time"`
	Rows     []EventRef `json:"rows"` // the records, in time order
}

// DataSessions groups the data records (type data) of each target into
// sessions: records of one target that share a charging ID are one
// session, and a record without a charging ID is a session of its own.
// Each session has its first and last record times, its total bytes, the
// cells used in order and the caveat that a record's cell was used at or
// before its start time. Exact duplicates (DuplicateOf != 0) are left out.
// Sessions are in order of their first record (time, then source, sheet
// and row).
func DataSessions(events []Located) []Session {
	idx := make([]int, 0, len(events)/2)
	for i := range events {
		if events[i].Type == "data" && events[i].DuplicateOf == 0 {
			idx = append(idx, i)
		}
	}
	sortLocatedIdx(events, idx)
	type sk struct{ target, id string }
	at := map[sk]int{}
	out := []Session{}
	for _, i := range idx {
		l := &events[i]
		n := -1
		if l.ChargingID != "" {
			if k, ok := at[sk{l.Target, l.ChargingID}]; ok {
				n = k
			} else {
				at[sk{l.Target, l.ChargingID}] = len(out)
			}
		}
		if n < 0 {
			n = len(out)
			out = append(out, Session{Target: l.Target, ChargingID: l.ChargingID, First: l.Start, APNs: []string{}, Cells: []SessionCell{}, CellTime: CellAtOrBeforeStart, Rows: []EventRef{}})
		}
		s := &out[n]
		s.Records++
		s.Last = l.Start
		end := l.Start.Add(time.Duration(max(l.DurationS, 0)) * time.Second)
		if end.After(s.End) {
			s.End = end
		}
		s.DurationS += max(l.DurationS, 0)
		if l.Bytes >= 0 {
			s.Bytes += l.Bytes
		} else {
			s.BytesUnknown++
		}
		if l.APN != "" {
			k := sort.SearchStrings(s.APNs, l.APN)
			if k == len(s.APNs) || s.APNs[k] != l.APN {
				s.APNs = append(s.APNs, "")
				copy(s.APNs[k+1:], s.APNs[k:])
				s.APNs[k] = l.APN
			}
		}
		s.addCell(l.FirstCell, l.FirstRes, l.First.Site, l.First.Lat, l.First.Lon, l.Start)
		if l.LastCell != l.FirstCell {
			s.addCell(l.LastCell, l.LastRes, l.Last.Site, l.Last.Lat, l.Last.Lon, l.Start)
		}
		s.Rows = append(s.Rows, EventRef{Source: l.Source, Sheet: l.Sheet, Row: l.Row, Target: l.Target})
	}
	return out
}

// addCell appends a cell to the session's cells, or counts the record in
// the last run when it is the same cell.
func (s *Session) addCell(key string, res Resolution, site string, lat, lon float64, at time.Time) {
	if key == "" {
		return
	}
	if res != Resolved {
		site, lat, lon = "", 0, 0
	}
	if n := len(s.Cells); n > 0 && s.Cells[n-1].Cell == key {
		s.Cells[n-1].Records++
		return
	}
	s.Cells = append(s.Cells, SessionCell{Cell: key, Resolution: res, Site: site, Lat: lat, Lon: lon, At: at, Records: 1})
}
