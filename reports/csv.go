package reports

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cellsite/cellsite"
)

// WriteCSV writes one schedule as CSV, for tools that take a plain table:
// RFC 4180 with CRLF line ends, UTF-8 with a byte-order mark (without it
// Excel reads UTF-8 as the local code page and garbles "é" or "—"). The
// first line is the column headers as displayed (Column.Title, so time
// columns name their zone); then one line per row. No header block or
// caveats: the workbook carries those.
//
// Cells are shown as in the workbook: times as dd/mm/yyyy hh:mm:ss in the
// column's zone, durations as h:mm:ss (hours not limited to 24), whole
// numbers without separators, decimals to the column's places. Every text
// cell, headers included, passes through Neutralise, so that no cell runs
// as a formula when the file is opened in a spreadsheet. A schedule or
// value the workbook would refuse is refused here too (an Invalid
// *cellsite.Error naming row and column), so both outputs always agree; on
// an error the output is incomplete.
func WriteCSV(w io.Writer, s Schedule) error {
	const op = "write CSV"
	zones, err := xlsxCheckColumns(s.Columns)
	if err == nil && s.RowCount < 0 {
		err = errors.New("negative row count")
	}
	if err == nil && s.Rows == nil && s.RowCount != 0 {
		err = fmt.Errorf("%d rows declared but no rows function", s.RowCount)
	}
	if err != nil {
		return &cellsite.Error{Op: op, Kind: cellsite.Invalid, Err: fmt.Errorf("schedule %q: %w", s.Name, err)}
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return &cellsite.Error{Op: op, Err: err}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	record := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		record[i] = Neutralise(c.Title())
	}
	if err := cw.Write(record); err != nil {
		return &cellsite.Error{Op: op, Err: err}
	}
	n := 0
	var bad error // an error of this writer, as opposed to one of s.Rows
	if s.Rows != nil {
		err = s.Rows(func(values []Value) error {
			n++
			if n > s.RowCount {
				bad = cellsite.Errorf(cellsite.Invalid, "", "more rows than the %d declared", s.RowCount)
				return bad
			}
			if len(values) != len(s.Columns) {
				bad = cellsite.Errorf(cellsite.Invalid, "", "row %d has %d values for %d columns", n, len(values), len(s.Columns))
				return bad
			}
			for i, v := range values {
				if record[i], bad = csvCell(s.Columns[i], zones[i], v); bad != nil {
					bad = cellsite.Errorf(cellsite.Invalid, "", "%s: %w", xlsxCellRef(n, s.Columns[i]), bad)
					return bad
				}
			}
			bad = cw.Write(record)
			return bad
		})
	}
	switch {
	case bad != nil:
		err = bad
	case err != nil:
		err = fmt.Errorf("rows: %w", err)
	case n != s.RowCount:
		err = cellsite.Errorf(cellsite.Invalid, "", "%d rows given, %d declared", n, s.RowCount)
	default:
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		return &cellsite.Error{Op: op, Err: fmt.Errorf("schedule %q: %w", s.Name, err)}
	}
	return nil
}

// csvCell formats one value as the workbook shows it.
func csvCell(c Column, zone *time.Location, v Value) (string, error) {
	if err := xlsxCheckValue(c, v); err != nil {
		return "", err
	}
	switch v.Kind {
	case Empty:
		return "", nil
	case TextKind:
		return Neutralise(v.Text), nil
	case TimeKind:
		wall, err := xlsxWallTime(v.Time, zone)
		if err != nil {
			return "", err
		}
		return wall.Format(xlsxTimeLayout), nil
	}
	f := v.Float
	if v.Kind == IntKind {
		f = float64(v.Int)
	}
	switch {
	case c.Format == FormatDuration:
		secs, _ := xlsxSeconds(v)
		return xlsxDuration(secs), nil
	case c.Format == FormatDecimal:
		return strconv.FormatFloat(f, 'f', c.Decimals, 64), nil
	case v.Kind == IntKind:
		return strconv.FormatInt(v.Int, 10), nil
	case c.Format == FormatInteger:
		return strconv.FormatFloat(f, 'f', 0, 64), nil
	default:
		return strconv.FormatFloat(xlsxFloat(f), 'f', -1, 64), nil
	}
}
