package ingest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/cellsite/cellsite"
)

// How a CSV file is read
//
// Records follow RFC 4180, read leniently where real exports break it:
//
//   - A record ends at LF or CRLF outside quotes. A CR not followed by LF is
//     data. Line numbers count LFs.
//   - A field that starts with a double quote is quoted: it runs to the next
//     lone quote; "" inside it is one quote; delimiters and line breaks inside
//     it are data and are kept exactly as in the file (CRLF stays CRLF).
//   - A quote inside an unquoted field (12" pipe) is an ordinary character:
//     kept, no fault. Excel and most exporters read it that way.
//   - Text after a closing quote ("abc"def) is kept, with the quote, as
//     abc"def, and the row gets a fault: the writer did not quote properly.
//   - A quoted field still open at the end of the file is a fault
//     ("unterminated quoted field starting on line N") and holds the rest of
//     the file (within MaxRecordBytes).
//   - An empty line is a Row with nil Fields and no fault, so callers can
//     count it. A line holding only a delimiter is two empty fields.
//   - NUL bytes and invalid UTF-8 (invalid UTF-16 in a UTF-16 file) are kept
//     in Fields as read, and the row gets a fault naming the columns.

const csvBufSize = 64 << 10

type encoding int

const (
	encUTF8 encoding = iota
	encWindows1252
	encLatin1
)

// encodingOf maps an Encoding option to an encoding.
func encodingOf(name string) (encoding, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "utf-8", "utf8":
		return encUTF8, nil
	case "windows-1252", "cp1252":
		return encWindows1252, nil
	case "latin-1", "latin1", "iso-8859-1":
		return encLatin1, nil
	}
	return 0, fmt.Errorf("encoding %q is not one of utf-8, windows-1252, latin-1", name)
}

// NewCSVReader returns a reader of the delimited text in r (see ReadOptions
// for the delimiter and encoding, and the rules above for records). It
// reads ahead at most 64 KiB to detect the delimiter. The reader does not
// close r.
func NewCSVReader(r io.Reader, opt ReadOptions) (RowReader, error) {
	const op = "read csv"
	opt, err := opt.withDefaults(op)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, cellsite.Errorf(cellsite.Invalid, op, "no input")
	}
	enc, _ := encodingOf(opt.Encoding)
	raw := bufio.NewReaderSize(r, csvBufSize)
	head, err := raw.Peek(2)
	if err != nil && err != io.EOF {
		return nil, cellsite.Errorf(cellsite.Internal, op, "line 1: %w", err)
	}
	cr := &csvReader{br: raw, maxRecord: opt.MaxRecordBytes, maxFields: opt.MaxFields, maxRows: opt.MaxRows, text: "UTF-8"}
	if bytes.Equal(head, []byte{0xEF, 0xBB}) {
		if h3, _ := raw.Peek(3); len(h3) == 3 && h3[2] == 0xBF {
			if enc != encUTF8 {
				return nil, cellsite.Errorf(cellsite.Invalid, op, "the file starts with a UTF-8 byte-order mark but is declared %s", opt.Encoding)
			}
			_, _ = raw.Discard(3)
		}
	}
	if bytes.Equal(head, []byte{0xFF, 0xFE}) || bytes.Equal(head, []byte{0xFE, 0xFF}) {
		if enc != encUTF8 {
			return nil, cellsite.Errorf(cellsite.Invalid, op, "the file starts with a UTF-16 byte-order mark but is declared %s", opt.Encoding)
		}
		_, _ = raw.Discard(2)
		cr.br = bufio.NewReaderSize(&utf16Decoder{r: raw, le: head[0] == 0xFF}, csvBufSize)
		cr.text = "UTF-16"
	} else if enc != encUTF8 {
		table := &latin1Table
		if enc == encWindows1252 {
			table = &windows1252Table
		}
		cr.br = bufio.NewReaderSize(&byteDecoder{r: raw, table: table}, csvBufSize)
	}
	if opt.Delimiter != 0 {
		cr.delim = byte(opt.Delimiter)
	} else {
		sample, err := cr.br.Peek(csvBufSize)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, cellsite.Errorf(cellsite.Internal, op, "line 1: %w", err)
		}
		cr.delim = detectDelimiter(sample, err == io.EOF)
	}
	return cr, nil
}

// detectDelimiter picks, of , ; tab |, the delimiter under which the most
// records of sample have one same field count above one. Records before
// the header (banners) usually have one field and do not count. Ties go to
// the earlier delimiter in that list; with no winner it is ','.
func detectDelimiter(sample []byte, atEOF bool) byte {
	best, bestScore, bestWidth := byte(','), 0, 0
	for _, d := range []byte{',', ';', '\t', '|'} {
		counts := map[int]int{}
		for _, n := range sampleFieldCounts(sample, d, atEOF) {
			if n > 1 {
				counts[n]++
			}
		}
		score, width := 0, 0
		for n, c := range counts {
			if c > score || (c == score && n > width) {
				score, width = c, n
			}
		}
		if score > bestScore || (score == bestScore && score > 0 && width > bestWidth) {
			best, bestScore, bestWidth = d, score, width
		}
	}
	return best
}

// sampleFieldCounts returns the field counts, under delimiter d, of the
// complete non-empty records of sample (at most 200).
func sampleFieldCounts(sample []byte, d byte, atEOF bool) []int {
	const maxRecords = 200
	var counts []int
	fields, empty, quoted, start := 1, true, false, true
	for i := 0; i < len(sample) && len(counts) < maxRecords; i++ {
		c := sample[i]
		switch {
		case quoted:
			if c == '"' {
				if i+1 < len(sample) && sample[i+1] == '"' {
					i++
				} else {
					quoted = false
				}
			}
		case c == '"' && start:
			quoted, start, empty = true, false, false
		case c == d:
			fields++
			start, empty = true, false
		case c == '\n':
			if !empty {
				counts = append(counts, fields)
			}
			fields, empty, start = 1, true, true
		case c == '\r':
		default:
			start, empty = false, false
		}
	}
	if atEOF && !quoted && !empty && len(counts) < maxRecords {
		counts = append(counts, fields)
	}
	return counts
}

// csvReader reads records from br. See the rules at the top of this file.
type csvReader struct {
	br        *bufio.Reader
	delim     byte
	maxRecord int
	maxFields int
	maxRows   int
	text      string // the source's encoding, named in faults: "UTF-8" or "UTF-16"

	line   int // lines consumed so far
	rows   int // rows returned so far
	rec    []byte
	ends   []int
	fields []string
	err    error // sticky: io.EOF or a fatal error
}

// States of the record scanner.
const (
	stFieldStart = iota // at the start of a field
	stUnquoted          // inside an unquoted field
	stQuoted            // inside a quoted field
	stQuote             // just after a quote inside a quoted field: "" or the closing quote
	stQuoteCR           // a CR right after a closing quote
)

const opCSV = "read csv"

func (r *csvReader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	if r.maxRows > 0 && r.rows >= r.maxRows {
		switch _, err := r.br.Peek(1); err {
		case nil:
			r.err = cellsite.Errorf(cellsite.Invalid, opCSV, "line %d: more than %d rows: the limit is %d", r.line+1, r.maxRows, r.maxRows)
		case io.EOF:
			r.err = io.EOF
		default:
			r.err = cellsite.Errorf(cellsite.Internal, opCSV, "line %d: %w", r.line+1, err)
		}
		return Row{}, r.err
	}
	row, err := r.record()
	if err != nil {
		r.err = err
		return Row{}, err
	}
	r.rows++
	return row, nil
}

// Close releases nothing (the reader does not own its input); later calls
// to Next return an error.
func (r *csvReader) Close() error {
	if r.err == nil || r.err == io.EOF {
		r.err = cellsite.Errorf(cellsite.Internal, opCSV, "read after Close")
	}
	return nil
}

// record reads one record. Fields of the returned row alias r.fields.
func (r *csvReader) record() (Row, error) {
	chunk, err := r.br.ReadSlice('\n')
	if err == nil || err == io.EOF && len(chunk) > 0 {
		if len(chunk) <= r.maxRecord && bytes.IndexByte(chunk, '"') < 0 {
			return r.line1(chunk, err == nil)
		}
	}
	return r.slowRecord(chunk, err)
}

// line1 reads a record that is one whole line (with its line break when nl)
// and holds no quote: the common case, split without copying.
func (r *csvReader) line1(chunk []byte, nl bool) (Row, error) {
	r.line++
	row := Row{Number: r.line}
	if nl {
		chunk = chunk[:len(chunk)-1]
		if n := len(chunk); n > 0 && chunk[n-1] == '\r' {
			chunk = chunk[:n-1]
		}
	}
	if len(chunk) == 0 {
		return row, nil // an empty line
	}
	s := string(chunk)
	fields := r.fields[:0]
	// One pass, eight bytes at a time, finds the delimiters and notes any
	// NUL byte or byte above 0x7F (which need a closer look).
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	delims := uint64(r.delim) * ones
	var odd uint64 // high bits: NUL or non-ASCII bytes seen
	from, i := 0, 0
	for ; i+8 <= len(chunk); i += 8 {
		w := binary.LittleEndian.Uint64(chunk[i:])
		odd |= w&highs | zeroBytes(w)
		for m := zeroBytes(w ^ delims); m != 0; m &= m - 1 {
			at := i + bits.TrailingZeros64(m)/8
			fields = append(fields, s[from:at])
			from = at + 1
			if len(fields) == r.maxFields {
				return Row{}, r.tooWide(row.Number, s[from:])
			}
		}
	}
	for ; i < len(chunk); i++ {
		c := chunk[i]
		if c == 0 || c >= 0x80 {
			odd = highs
		}
		if c == r.delim {
			fields = append(fields, s[from:i])
			from = i + 1
			if len(fields) == r.maxFields {
				return Row{}, r.tooWide(row.Number, s[from:])
			}
		}
	}
	fields = append(fields, s[from:])
	r.fields = fields
	row.Fields = fields
	if odd != 0 {
		row.Fault = r.checkText(nil, fields)
	}
	return row, nil
}

// zeroBytes returns w with the high bit of each of its zero bytes set, and
// no other bit. (Each byte is tested alone: no carry crosses bytes.)
func zeroBytes(w uint64) uint64 {
	const lows, highs = 0x7F7F7F7F7F7F7F7F, 0x8080808080808080
	return ^((w&lows + lows) | w) & highs
}

// tooWide is the error for a record of more than maxFields fields, rest
// being the text after the last field counted.
func (r *csvReader) tooWide(line int, rest string) error {
	return cellsite.Errorf(cellsite.Invalid, opCSV, "line %d: record of %d fields exceeds the %d-field limit", line, r.maxFields+1+strings.Count(rest, string(r.delim)), r.maxFields)
}

// checkText adds to flt the NUL bytes and invalid text in fields.
func (r *csvReader) checkText(flt faults, fields []string) string {
	if cols := columnsWhere(fields, func(f string) bool { return strings.IndexByte(f, 0) >= 0 }); len(cols) > 0 {
		flt.add("NUL byte in %s", columnList(cols))
	}
	if cols := columnsWhere(fields, func(f string) bool { return !utf8.ValidString(f) }); len(cols) > 0 {
		flt.add("invalid %s in %s", r.text, columnList(cols))
	}
	return flt.String()
}

// slowRecord reads any record, starting with chunk (and err) as returned by
// ReadSlice.
func (r *csvReader) slowRecord(chunk []byte, err error) (Row, error) {
	start := r.line + 1
	r.rec, r.ends = r.rec[:0], r.ends[:0]
	var (
		state      = stFieldStart
		size       int    // bytes read for this record, line breaks included
		nfields    int    // fields ended so far
		keep       = true // false once the record is too long or too wide: content is dropped, the scan goes on
		tooWide    bool
		prevCR     bool // the previous chunk ended with CR
		crlf       bool // the last chunk ended with CRLF
		ended      bool
		term       int // length of the line break that ended the record
		quoteLine  int
		flt        faults
		afterQuote []int // columns with text after a closing quote
	)
	endField := func() {
		nfields++
		if nfields > r.maxFields {
			tooWide, keep = true, false
			r.rec, r.ends = r.rec[:0], r.ends[:0]
		}
		if keep {
			r.ends = append(r.ends, len(r.rec))
		}
	}
	fieldStart := func() int {
		if len(r.ends) == 0 {
			return 0
		}
		return r.ends[len(r.ends)-1]
	}
	for first := true; !ended; first = false {
		if !first {
			chunk, err = r.br.ReadSlice('\n')
		}
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return Row{}, cellsite.Errorf(cellsite.Internal, opCSV, "line %d: %w", r.line+1, err)
		}
		atEOF := err == io.EOF
		if atEOF && len(chunk) == 0 && size == 0 {
			return Row{}, io.EOF
		}
		size += len(chunk)
		if keep && size > r.maxRecord+2 {
			keep = false
			r.rec, r.ends = r.rec[:0], r.ends[:0]
		}
		nl := len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		if nl {
			crlf = len(chunk) >= 2 && chunk[len(chunk)-2] == '\r' || len(chunk) == 1 && prevCR
		}
		prevCR = len(chunk) > 0 && chunk[len(chunk)-1] == '\r'
		for i := 0; i < len(chunk); {
			switch state {
			case stFieldStart:
				if chunk[i] == '"' {
					state, quoteLine = stQuoted, r.line+1
					i++
					continue
				}
				state = stUnquoted
				fallthrough
			case stUnquoted:
				rest := chunk[i:]
				if j := bytes.IndexByte(rest, r.delim); j >= 0 {
					if keep {
						r.rec = append(r.rec, rest[:j]...)
					}
					endField()
					state = stFieldStart
					i += j + 1
					continue
				}
				i = len(chunk)
				if !nl {
					if keep {
						r.rec = append(r.rec, rest...)
					}
					continue
				}
				if keep {
					r.rec = append(r.rec, rest[:len(rest)-1]...)
					if n := len(r.rec); n > fieldStart() && r.rec[n-1] == '\r' {
						r.rec = r.rec[:n-1]
					}
				}
				endField()
				ended, term = true, lineBreak(crlf)
			case stQuoted:
				rest := chunk[i:]
				j := bytes.IndexByte(rest, '"')
				if j < 0 {
					if keep {
						r.rec = append(r.rec, rest...)
					}
					i = len(chunk)
					continue
				}
				if keep {
					r.rec = append(r.rec, rest[:j]...)
				}
				state = stQuote
				i += j + 1
			case stQuote:
				switch c := chunk[i]; c {
				case '"':
					if keep {
						r.rec = append(r.rec, '"')
					}
					state = stQuoted
					i++
				case r.delim:
					endField()
					state = stFieldStart
					i++
				case '\n':
					endField()
					ended, term = true, lineBreak(crlf)
					i++
				case '\r':
					state = stQuoteCR
					i++
				default:
					afterQuote = append(afterQuote, nfields+1)
					if keep {
						r.rec = append(r.rec, '"')
					}
					state = stUnquoted
				}
			case stQuoteCR:
				if chunk[i] == '\n' {
					endField()
					ended, term = true, 2
					i++
					continue
				}
				afterQuote = append(afterQuote, nfields+1)
				if keep {
					r.rec = append(r.rec, '"', '\r')
				}
				state = stUnquoted
			}
		}
		if nl {
			r.line++
		}
		if atEOF && !ended {
			switch state {
			case stFieldStart, stUnquoted, stQuote:
			case stQuoted:
				flt.add("unterminated quoted field starting on line %d", quoteLine)
			case stQuoteCR:
				afterQuote = append(afterQuote, nfields+1)
				if keep {
					r.rec = append(r.rec, '"', '\r')
				}
			}
			endField()
			ended = true
		}
	}

	row := Row{Number: start}
	bytesInRecord := size - term
	if tooWide {
		return Row{}, cellsite.Errorf(cellsite.Invalid, opCSV, "line %d: record of %d fields exceeds the %d-field limit", start, nfields, r.maxFields)
	}
	if bytesInRecord > r.maxRecord {
		flt.add("record of %d bytes exceeds the %d-byte limit", bytesInRecord, r.maxRecord)
		row.Fault = flt.String()
		return row, nil
	}
	if bytesInRecord == 0 {
		return row, nil // an empty line
	}
	if len(afterQuote) > 0 {
		flt.add("text after the closing quote in %s", columnList(afterQuote))
	}
	s := string(r.rec)
	r.fields = r.fields[:0]
	from := 0
	for _, to := range r.ends {
		r.fields = append(r.fields, s[from:to])
		from = to
	}
	row.Fields = r.fields
	if bytes.IndexByte(r.rec, 0) >= 0 || !isASCII(r.rec) {
		row.Fault = r.checkText(flt, r.fields)
	} else {
		row.Fault = flt.String()
	}
	return row, nil
}

// lineBreak is the length of a line break: 2 for CRLF, 1 for LF.
func lineBreak(crlf bool) int {
	if crlf {
		return 2
	}
	return 1
}

func columnsWhere(fields []string, bad func(string) bool) []int {
	var cols []int
	for i, f := range fields {
		if bad(f) {
			cols = append(cols, i+1)
		}
	}
	return cols
}

// isASCII reports whether b holds only bytes below 0x80.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if v&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// latin1Table and windows1252Table map each byte to its character. The
// five bytes that windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D)
// map to the C1 control of the same value, as in latin-1, so that no byte
// is lost and the text can be traced back to the file.
var latin1Table, windows1252Table = func() (l, w [256]rune) {
	for i := range l {
		l[i], w[i] = rune(i), rune(i)
	}
	for i, c := range [32]rune{
		0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 0x80
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, // 0x88
		0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 0x90
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, // 0x98
	} {
		w[0x80+i] = c
	}
	return l, w
}()

// byteDecoder turns a single-byte encoding into UTF-8.
type byteDecoder struct {
	r     io.Reader
	table *[256]rune
	in    []byte
	out   []byte // decoded, not yet returned
	err   error
}

func (d *byteDecoder) Read(p []byte) (int, error) {
	for tries := 0; len(d.out) == 0; tries++ {
		if tries == maxEmptyReads {
			return 0, io.ErrNoProgress
		}
		if d.err != nil {
			return 0, d.err
		}
		if d.in == nil {
			d.in = make([]byte, 16<<10)
		}
		n, err := d.r.Read(d.in)
		d.err = err
		out := d.out[:0]
		for _, c := range d.in[:n] {
			if c < 0x80 {
				out = append(out, c)
			} else {
				out = utf8.AppendRune(out, d.table[c])
			}
		}
		d.out = out
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// maxEmptyReads bounds the reads in a row that return no bytes and no
// error, as bufio does.
const maxEmptyReads = 100

// utf16Decoder turns UTF-16 (after its byte-order mark) into UTF-8. An
// unpaired surrogate is written as its WTF-8 bytes and a final odd byte as
// 0xFF: both are invalid UTF-8, so the row holding them gets a fault and
// the code unit stays visible.
type utf16Decoder struct {
	r   io.Reader
	le  bool
	in  []byte
	n   int // bytes held in in
	out []byte
	err error
}

func (d *utf16Decoder) Read(p []byte) (int, error) {
	for tries := 0; len(d.out) == 0; tries++ {
		if tries == maxEmptyReads {
			return 0, io.ErrNoProgress
		}
		if d.err != nil && d.n == 0 {
			return 0, d.err
		}
		if d.in == nil {
			d.in = make([]byte, 16<<10)
		}
		if d.err == nil {
			m, err := d.r.Read(d.in[d.n:])
			d.n += m
			d.err = err
		}
		d.decode(d.err != nil)
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// decode converts the whole code units held in d.in, keeping back an odd
// byte or a high surrogate that may pair with the next unit unless final.
func (d *utf16Decoder) decode(final bool) {
	out := d.out[:0]
	in := d.in[:d.n]
	unit := func(i int) uint16 {
		if d.le {
			return uint16(in[i]) | uint16(in[i+1])<<8
		}
		return uint16(in[i])<<8 | uint16(in[i+1])
	}
	i := 0
	for ; i+1 < len(in); i += 2 {
		u := unit(i)
		switch {
		case u < 0x80:
			out = append(out, byte(u))
		case u < 0xD800 || u > 0xDFFF:
			out = utf8.AppendRune(out, rune(u))
		case u <= 0xDBFF: // high surrogate
			if i+3 < len(in) {
				if v := unit(i + 2); v >= 0xDC00 && v <= 0xDFFF {
					out = utf8.AppendRune(out, 0x10000+(rune(u)-0xD800)<<10+(rune(v)-0xDC00))
					i += 2
					continue
				}
			} else if !final {
				goto keep
			}
			out = appendSurrogate(out, u)
		default: // lone low surrogate
			out = appendSurrogate(out, u)
		}
	}
	if final && i < len(in) {
		out = append(out, 0xFF)
		i = len(in)
	}
keep:
	d.n = copy(d.in, in[i:])
	d.out = out
}

func appendSurrogate(b []byte, u uint16) []byte {
	return append(b, 0xE0|byte(u>>12), 0x80|byte(u>>6)&0x3F, 0x80|byte(u)&0x3F)
}
