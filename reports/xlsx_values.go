package reports

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Rules shared by the workbook and CSV writers: which schedules, columns and
// values they accept, and how times and durations are shown.

// xlsxMaxInt is the largest whole number written as a number: Excel shows
// 15 significant digits, so a larger one would be displayed altered.
// Identifiers are text and never meet this limit.
const xlsxMaxInt = 999_999_999_999_999

// xlsxMaxText is the most UTF-16 code units an Excel cell holds.
const xlsxMaxText = 32767

// xlsxTimeLayout is how times are shown: to the second, day first.
const xlsxTimeLayout = "02/01/2006 15:04:05"

// xlsxZone returns the location of a datetime column's zone.
func xlsxZone(zone string) (*time.Location, error) {
	switch zone {
	case ZoneUTC:
		return time.UTC, nil
	case ZoneUKLocal:
		return London, nil
	}
	return nil, fmt.Errorf("unknown zone %q (want %q or %q)", zone, ZoneUTC, ZoneUKLocal)
}

// xlsxCheckColumns checks a schedule's columns and returns each column's
// zone (nil for columns that are not datetime).
func xlsxCheckColumns(cols []Column) ([]*time.Location, error) {
	if len(cols) == 0 {
		return nil, errors.New("no columns")
	}
	if len(cols) > 16384 {
		return nil, fmt.Errorf("%d columns: a sheet holds at most 16384", len(cols))
	}
	zones := make([]*time.Location, len(cols))
	for i, c := range cols {
		switch c.Format {
		case "", FormatText, FormatInteger, FormatDuration:
		case FormatDecimal:
			if c.Decimals < 0 || c.Decimals > 15 {
				return nil, fmt.Errorf("column %d %q: %d decimals (0 to 15)", i+1, c.Header, c.Decimals)
			}
		case FormatDateTime:
			loc, err := xlsxZone(c.Zone)
			if err != nil {
				return nil, fmt.Errorf("column %d %q: %w", i+1, c.Header, err)
			}
			zones[i] = loc
		default:
			return nil, fmt.Errorf("column %d %q: unknown format %q", i+1, c.Header, c.Format)
		}
		if c.Width < 0 || c.Width > 255 || math.IsNaN(c.Width) {
			return nil, fmt.Errorf("column %d %q: width %g (0 to 255)", i+1, c.Header, c.Width)
		}
		if err := xlsxCheckText(c.Title()); err != nil {
			return nil, fmt.Errorf("column %d header: %w", i+1, err)
		}
	}
	return zones, nil
}

// xlsxCheckText reports text that a workbook cannot hold unaltered: invalid
// UTF-8, control characters other than tab, line feed and carriage return
// (XML cannot carry them), and more than 32,767 UTF-16 code units.
func xlsxCheckText(s string) error {
	units := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			units++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return fmt.Errorf("text is not valid UTF-8 at byte %d", i)
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
			return fmt.Errorf("text holds control character U+%04X at byte %d", r, i)
		case r >= 0x10000:
			units += 2
		default:
			units++
		}
		i += size
	}
	if units > xlsxMaxText {
		return fmt.Errorf("text of %d UTF-16 units: a cell holds at most %d", units, xlsxMaxText)
	}
	return nil
}

// xlsxWall returns t's wall clock in loc, to the second, as seconds since
// 1970-01-01 00:00:00 of that wall clock.
func xlsxWall(t time.Time, loc *time.Location) int64 {
	_, offset := t.In(loc).Zone()
	return t.Unix() + int64(offset)
}

// The wall clocks a spreadsheet shows faithfully: from 1 March 1900 (Excel
// counts a 29 February 1900 that never was) to the end of 9999.
const (
	xlsxMinWall = -2203891200 // 1900-03-01 00:00:00
	xlsxMaxWall = 253402300799
)

// xlsxWallTime returns t's wall clock in loc, truncated to the second, as a
// UTC time.Time with that wall clock (how excelize takes a date-time).
func xlsxWallTime(t time.Time, loc *time.Location) (time.Time, error) {
	w := xlsxWall(t, loc)
	if w < xlsxMinWall || w > xlsxMaxWall {
		return time.Time{}, fmt.Errorf("time %s is outside the dates a spreadsheet shows (1900-03-01 to 9999-12-31)", t.UTC().Format(time.RFC3339))
	}
	return time.Unix(w, 0).UTC(), nil
}

// xlsxMaxDuration is the longest duration in seconds: 100 years, far
// beyond any call or session, and within time.Duration.
const xlsxMaxDuration = 100 * 366 * 86400

// xlsxSeconds returns a duration value's seconds.
func xlsxSeconds(v Value) (float64, error) {
	switch v.Kind {
	case IntKind:
		if v.Int < 0 || v.Int > xlsxMaxDuration {
			return 0, fmt.Errorf("duration of %d seconds is out of range (0 to %d)", v.Int, xlsxMaxDuration)
		}
		return float64(v.Int), nil
	case FloatKind:
		if !(v.Float >= 0 && v.Float <= xlsxMaxDuration) {
			return 0, fmt.Errorf("duration of %g seconds is out of range (0 to %d)", v.Float, xlsxMaxDuration)
		}
		return v.Float, nil
	}
	return 0, fmt.Errorf("a duration must be a number of seconds, not %s", xlsxKindName(v.Kind))
}

// xlsxDuration formats seconds as h:mm:ss (hours not limited to 24),
// rounded to the second, the way the workbook's [h]:mm:ss format shows it.
func xlsxDuration(secs float64) string {
	n := int64(math.Round(secs))
	return fmt.Sprintf("%d:%02d:%02d", n/3600, n/60%60, n%60)
}

func xlsxKindName(k ValueKind) string {
	switch k {
	case Empty:
		return "empty"
	case TextKind:
		return "text"
	case IntKind:
		return "a whole number"
	case FloatKind:
		return "a decimal number"
	case TimeKind:
		return "a time"
	}
	return fmt.Sprintf("kind %d", k)
}

// xlsxFloat rounds f to the 15 significant digits a spreadsheet keeps
// (excelize would otherwise cut the digits beyond, rounding toward zero).
func xlsxFloat(f float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// xlsxCheckNumber reports numbers a spreadsheet would show altered.
func xlsxCheckNumber(v Value) error {
	switch v.Kind {
	case IntKind:
		if v.Int > xlsxMaxInt || v.Int < -xlsxMaxInt {
			return fmt.Errorf("whole number %d has more than 15 digits: a spreadsheet would show it altered (write identifiers as text)", v.Int)
		}
	case FloatKind:
		if math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
			return fmt.Errorf("number %g cannot be written", v.Float)
		}
	}
	return nil
}

// xlsxCheckValue checks one value against its column.
func xlsxCheckValue(c Column, v Value) error {
	switch v.Kind {
	case Empty:
		return nil
	case TextKind:
		return xlsxCheckText(v.Text)
	case IntKind, FloatKind:
		switch c.Format {
		case FormatDateTime:
			return fmt.Errorf("%s in a datetime column", xlsxKindName(v.Kind))
		case FormatDuration:
			_, err := xlsxSeconds(v)
			return err
		}
		return xlsxCheckNumber(v)
	case TimeKind:
		if c.Format != FormatDateTime {
			return fmt.Errorf("a time in a column of format %q (times belong in datetime columns, which name their zone)", c.Format)
		}
		return nil
	}
	return fmt.Errorf("unknown value kind %d", v.Kind)
}

// xlsxCellRef names a schedule cell in an error: data row n (from 1) and
// the column's header.
func xlsxCellRef(n int, c Column) string {
	return fmt.Sprintf("row %d column %q", n, strings.TrimSpace(c.Title()))
}
