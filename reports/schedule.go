package reports

import (
	"time"
	_ "time/tzdata" // Europe/London's rules wherever reports are rendered

	"github.com/cellsite/cellsite"
)

// ValueKind says what a schedule cell holds.
type ValueKind uint8

// Kinds of schedule cell.
const (
	Empty     ValueKind = iota // nothing
	TextKind                   // a string, written as text (identifiers are always text)
	IntKind                    // a whole number
	FloatKind                  // a decimal number
	TimeKind                   // an instant, shown in the column's zone to the second
)

// Value is one cell of a schedule.
type Value struct {
	Kind  ValueKind
	Text  string
	Int   int64
	Float float64
	Time  time.Time // UTC
}

// Text returns a text cell; "" gives an empty cell.
func Text(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{Kind: TextKind, Text: s}
}

// Int returns a whole-number cell.
func Int(n int64) Value { return Value{Kind: IntKind, Int: n} }

// Float returns a decimal cell.
func Float(f float64) Value { return Value{Kind: FloatKind, Float: f} }

// Time returns an instant cell; the zero time gives an empty cell.
func Time(t time.Time) Value {
	if t.IsZero() {
		return Value{}
	}
	return Value{Kind: TimeKind, Time: t.UTC()}
}

// Zones a time column can be shown in.
const (
	ZoneUTC     = "UTC"
	ZoneUKLocal = "UK local"
)

// London is the zone of "UK local" columns.
var London = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}

// Column formats.
const (
	FormatText     = "text"     // text as given
	FormatInteger  = "integer"  // whole number with no separators (row numbers, counts)
	FormatDecimal  = "decimal"  // number with Decimals places
	FormatDateTime = "datetime" // dd/mm/yyyy hh:mm:ss in Zone
	FormatDuration = "duration" // seconds shown as h:mm:ss
)

// Column is one column of a rendered schedule.
type Column struct {
	Header   string  // as shown; for datetime columns the zone is appended: "Start (UTC)"
	Field    string  // the field the values come from
	Width    float64 // Excel character widths
	Format   string  // one of the Format constants
	Decimals int     // for FormatDecimal
	Zone     string  // for FormatDateTime: ZoneUTC or ZoneUKLocal
	NoPDF    bool    // left out of the PDF report
}

// Title returns the header as displayed, with the zone for time columns.
func (c Column) Title() string {
	if c.Format == FormatDateTime && c.Zone != "" {
		return c.Header + " (" + c.Zone + ")"
	}
	return c.Header
}

// Schedule is one evidential table ready to render: a sheet of the
// workbook and, summarised, a section of the PDF report.
type Schedule struct {
	Name    string // sheet name, at most 31 characters, unique in the workbook
	Title   string
	Columns []Column
	// Rows calls yield once per row in order; every row has len(Columns)
	// values. It stops and returns yield's error when yield fails.
	Rows     func(yield func(row []Value) error) error
	RowCount int // number of rows Rows yields
	Caveats  []string
}

// CellListRef names a cell list an output rests on.
type CellListRef struct {
	Name   string        // the file's name as received
	Date   string        // the list's stated date or validity, "" when not stated
	SHA256 cellsite.Hash // of the original file
}

// Header is the block at the top of every schedule and the cover of the
// report: what the output is, for which case, resting on what.
type Header struct {
	Case        string
	CaseTitle   string
	Exhibit     string // the producing officer's exhibit reference, e.g. "ABC/1"
	ProducedBy  string
	ProducedAt  time.Time // the --generated-at instant, UTC
	TimeBasis   string    // how the sources stated time, e.g. "UK local (Europe/London)"
	CellLists   []CellListRef
	Software    string // name and version
	Checkpoint  CheckpointRef
	Fingerprint string // of the log's public key
}

// CheckpointRef is the signed provenance checkpoint an output rests on.
type CheckpointRef struct {
	Size int64
	Root cellsite.Hash
	Note string // the signed checkpoint text
}

// Rows is a convenience for building a schedule from rows in memory.
func Rows(rows [][]Value) (func(yield func([]Value) error) error, int) {
	return func(yield func([]Value) error) error {
		for _, r := range rows {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}, len(rows)
}
