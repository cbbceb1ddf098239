package synth

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// value is one field of a row: text, or a number that a workbook stores as
// a number cell.
type value struct {
	s   string
	num bool // a number: duration, byte count, serial date
}

func text(s string) value { return value{s: s} }
func num(s string) value  { return value{s: s, num: true} }

// rowWriter writes the physical rows of one file and numbers them as an
// ingest does: CSV lines, or worksheet rows.
type rowWriter interface {
	// write writes one row and returns its number.
	write(vals []value) (int, error)
	// blank writes an empty line (CSV only; a workbook has no empty rows).
	blank() (int, bool, error)
	close() error
}

// csvRows writes delimited text.
type csvRows struct {
	w      *bufio.Writer
	c      io.Closer
	delim  byte
	crlf   bool
	single bool // encode as one byte per character (windows-1252, latin-1)
	line   int
	buf    []byte
}

func newCSVRows(w io.WriteCloser, delim byte, crlf, bom, single bool) *csvRows {
	r := &csvRows{w: newBufWriter(w), c: w, delim: delim, crlf: crlf, single: single}
	if bom && !single {
		r.w.WriteString("\ufeff")
	}
	return r
}

func (r *csvRows) write(vals []value) (int, error) {
	b := r.buf[:0]
	for i, v := range vals {
		if i > 0 {
			b = append(b, r.delim)
		}
		if strings.IndexByte(v.s, r.delim) >= 0 || strings.ContainsAny(v.s, "\"\r\n") {
			b = append(b, '"')
			b = append(b, strings.ReplaceAll(v.s, `"`, `""`)...)
			b = append(b, '"')
		} else {
			b = append(b, v.s...)
		}
	}
	b = r.eol(b)
	r.buf = b
	if r.single {
		b = toSingleByte(b)
	}
	if _, err := r.w.Write(b); err != nil {
		return 0, err
	}
	r.line++
	return r.line, nil
}

func (r *csvRows) eol(b []byte) []byte {
	if r.crlf {
		return append(b, '\r', '\n')
	}
	return append(b, '\n')
}

func (r *csvRows) blank() (int, bool, error) {
	if _, err := r.w.Write(r.eol(nil)); err != nil {
		return 0, false, err
	}
	r.line++
	return r.line, true, nil
}

func (r *csvRows) close() error {
	err := r.w.Flush()
	if cerr := r.c.Close(); err == nil {
		err = cerr
	}
	return err
}

// toSingleByte encodes UTF-8 text as Latin-1 (which windows-1252 agrees
// with for every character the generator writes); others become '?'.
func toSingleByte(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		if r < 0x100 && r >= 0 {
			out = append(out, byte(r))
		} else {
			out = append(out, '?')
		}
	}
	return out
}

// xlsxRows writes one worksheet of a workbook.
type xlsxRows struct {
	f     *excelize.File
	w     io.WriteCloser
	sheet string
	row   int
}

func newXLSXRows(w io.WriteCloser, sheet string) (*xlsxRows, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("synth: workbook: %w", err)
	}
	err := f.SetDocProps(&excelize.DocProperties{
		Creator: "Cellsite synth", Title: "Synthetic test data",
		Created: "2026-01-01T00:00:00Z", Modified: "2026-01-01T00:00:00Z",
	})
	if err != nil {
		return nil, fmt.Errorf("synth: workbook: %w", err)
	}
	return &xlsxRows{f: f, w: w, sheet: sheet}, nil
}

func (x *xlsxRows) write(vals []value) (int, error) {
	x.row++
	for i, v := range vals {
		if v.s == "" {
			continue
		}
		ref, err := excelize.CoordinatesToCellName(i+1, x.row)
		if err != nil {
			return 0, err
		}
		if v.num {
			err = x.setNumber(ref, v.s)
		} else {
			err = x.f.SetCellStr(x.sheet, ref, v.s)
		}
		if err != nil {
			return 0, fmt.Errorf("synth: workbook cell %s: %w", ref, err)
		}
	}
	return x.row, nil
}

// setNumber stores a number cell whose stored text is exactly s.
func (x *xlsxRows) setNumber(ref, s string) error {
	whole, frac, dot := strings.Cut(s, ".")
	if !dot {
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return err
		}
		return x.f.SetCellInt(x.sheet, ref, n)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	return x.f.SetCellFloat(x.sheet, ref, v, len(frac), 64)
}

func (x *xlsxRows) blank() (int, bool, error) { return 0, false, nil }

func (x *xlsxRows) close() error {
	err := x.f.Write(x.w)
	if cerr := x.w.Close(); err == nil {
		err = cerr
	}
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}
