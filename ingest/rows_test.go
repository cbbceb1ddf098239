package ingest_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
)

// readRows reads rr to the end, cloning each row.
func readRows(t testing.TB, rr ingest.RowReader) ([]ingest.Row, error) {
	t.Helper()
	var rows []ingest.Row
	for {
		row, err := rr.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row.Clone())
		if len(rows) > 10_000_000 {
			t.Fatal("runaway reader")
		}
	}
}

func csvRows(t testing.TB, in string, opt ingest.ReadOptions) ([]ingest.Row, error) {
	t.Helper()
	rr, err := ingest.NewCSVReader(strings.NewReader(in), opt)
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	return readRows(t, rr)
}

func row(n int, fields ...string) ingest.Row { return ingest.Row{Number: n, Fields: fields} }

func faulty(n int, fault string, fields ...string) ingest.Row {
	return ingest.Row{Number: n, Fields: fields, Fault: fault}
}

func blankRow(n int) ingest.Row { return ingest.Row{Number: n} }

// utf16Bytes encodes s as UTF-16 with a byte-order mark.
func utf16Bytes(s string, littleEndian bool) []byte {
	var b []byte
	for _, u := range append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...) {
		if littleEndian {
			b = append(b, byte(u), byte(u>>8))
		} else {
			b = append(b, byte(u>>8), byte(u))
		}
	}
	return b
}

func TestCSVReader(t *testing.T) {
	comma := ingest.ReadOptions{Delimiter: ','}
	tests := []struct {
		name    string
		in      string
		opt     ingest.ReadOptions
		want    []ingest.Row
		wantErr string
	}{
		{name: "simple", in: "a,b\n1,2\n", want: []ingest.Row{row(1, "a", "b"), row(2, "1", "2")}},
		{name: "no final newline", in: "a,b\n1,2", want: []ingest.Row{row(1, "a", "b"), row(2, "1", "2")}},
		{name: "CRLF", in: "a,b\r\n1,2\r\n", want: []ingest.Row{row(1, "a", "b"), row(2, "1", "2")}},
		{name: "empty input", in: "", want: nil},
		{name: "BOM removed at the start only", in: "\ufeffMSISDN,IMEI\r\n\ufeff1,2\r\n",
			want: []ingest.Row{row(1, "MSISDN", "IMEI"), row(2, "\ufeff1", "2")}},
		{name: "quoted delimiter and doubled quotes", in: "a,\"b,c\",\"say \"\"hi\"\"\"\n",
			want: []ingest.Row{row(1, "a", "b,c", `say "hi"`)}},
		{name: "quoted LF and CRLF kept as in the file", in: "id,note\r\n1,\"line one\r\nline two\nline three\"\r\n2,x\r\n",
			want: []ingest.Row{row(1, "id", "note"), row(2, "1", "line one\r\nline two\nline three"), row(5, "2", "x")}},
		{name: "empty quoted field", in: "\"\",a\n", want: []ingest.Row{row(1, "", "a")}},
		{name: "quoted field alone on a line is not blank", in: "\"\"\n", want: []ingest.Row{row(1, "")}},
		{name: "blank lines are rows with nil fields", in: "a\n\n\r\nb\n", opt: comma,
			want: []ingest.Row{row(1, "a"), blankRow(2), blankRow(3), row(4, "b")}},
		{name: "spaces are a field", in: "a\n  \n", opt: comma, want: []ingest.Row{row(1, "a"), row(2, "  ")}},
		{name: "a lone delimiter is two empty fields", in: ",\n", opt: comma, want: []ingest.Row{row(1, "", "")}},
		{name: "trailing delimiter", in: "a,b,\n", want: []ingest.Row{row(1, "a", "b", "")}},
		{name: "trailing delimiter at EOF", in: "a,b,", want: []ingest.Row{row(1, "a", "b", "")}},
		{name: "bare CR inside a field is data", in: "a\rb,c\n", want: []ingest.Row{row(1, "a\rb", "c")}},
		{name: "CR at EOF is data", in: "a,b\r", want: []ingest.Row{row(1, "a", "b\r")}},
		{name: "bare quote in an unquoted field is literal", in: "size,item\n12,12\" pipe\n",
			want: []ingest.Row{row(1, "size", "item"), row(2, "12", `12" pipe`)}},
		{name: "text after closing quote is kept with a fault", in: "a,\"bc\"d,e\n",
			want: []ingest.Row{faulty(1, "text after the closing quote in column 2", "a", `bc"d`, "e")}},
		{name: "CR then text after closing quote", in: "\"a\"\rb,c\n",
			want: []ingest.Row{faulty(1, "text after the closing quote in column 1", "a\"\rb", "c")}},
		{name: "quoted field then CRLF", in: "\"a\"\r\n\"b\"\n", opt: comma, want: []ingest.Row{row(1, "a"), row(2, "b")}},
		{name: "NUL byte", in: "a,b\n1,2\x003\n",
			want: []ingest.Row{row(1, "a", "b"), faulty(2, "NUL byte in column 2", "1", "2\x003")}},
		{name: "invalid UTF-8", in: "a,b,c\n1,2,\xff\xfe\n",
			want: []ingest.Row{row(1, "a", "b", "c"), faulty(2, "invalid UTF-8 in column 3", "1", "2", "\xff\xfe")}},
		{name: "invalid UTF-8 split across fields", in: "\xc3,\xa9\n",
			want: []ingest.Row{faulty(1, "invalid UTF-8 in columns 1, 2", "\xc3", "\xa9")}},
		{name: "valid UTF-8", in: "café,naïve,€\n", want: []ingest.Row{row(1, "café", "naïve", "€")}},
		{name: "unterminated quote at EOF", in: "a,b\n1,\"open\nstill open\n",
			want: []ingest.Row{row(1, "a", "b"), faulty(2, "unterminated quoted field starting on line 2", "1", "open\nstill open\n")}},
		{name: "unterminated quote starting on a later line", in: "1,\"a\nb\",\"c\nd",
			want: []ingest.Row{faulty(1, "unterminated quoted field starting on line 2", "1", "a\nb", "c\nd")}},
		{name: "banner and footer lines are rows", in: "Vodafone call data\nRequested 01/03/2024\n\nMSISDN,IMEI,Start\n447700900123,353456789012345,01/03/2024 13:45\nEND OF REPORT\n1 records\n",
			want: []ingest.Row{row(1, "Vodafone call data"), row(2, "Requested 01/03/2024"), blankRow(3),
				row(4, "MSISDN", "IMEI", "Start"), row(5, "447700900123", "353456789012345", "01/03/2024 13:45"),
				row(6, "END OF REPORT"), row(7, "1 records")}},
		{name: "semicolon", in: "a;b\n1;2,5\n", opt: ingest.ReadOptions{Delimiter: ';'}, want: []ingest.Row{row(1, "a", "b"), row(2, "1", "2,5")}},
		{name: "tab", in: "a\tb\n1\t2\n", opt: ingest.ReadOptions{Delimiter: '\t'}, want: []ingest.Row{row(1, "a", "b"), row(2, "1", "2")}},
		{name: "pipe", in: "a|b\n1|2\n", opt: ingest.ReadOptions{Delimiter: '|'}, want: []ingest.Row{row(1, "a", "b"), row(2, "1", "2")}},
		{name: "detect semicolon under a banner with commas", in: "Report, generated 01/03/2024, page 1\nA;B;C\n1;2;3\n4;5;6\n",
			want: []ingest.Row{row(1, "Report, generated 01/03/2024, page 1"), row(2, "A", "B", "C"), row(3, "1", "2", "3"), row(4, "4", "5", "6")}},
		{name: "detect tab", in: "Title\nA\tB\n1\t2\n", want: []ingest.Row{row(1, "Title"), row(2, "A", "B"), row(3, "1", "2")}},
		{name: "detect pipe", in: "A|B|C\n1|2|3\n", want: []ingest.Row{row(1, "A", "B", "C"), row(2, "1", "2", "3")}},
		{name: "detect comma with semicolons in text", in: "A,B,C\n1,\"x;y\",3\n4,5;6,7\n8,9,10\n",
			want: []ingest.Row{row(1, "A", "B", "C"), row(2, "1", "x;y", "3"), row(3, "4", "5;6", "7"), row(4, "8", "9", "10")}},
		{name: "detect ignores quoted delimiters", in: "\"a;b\",\"c;d\"\n\"e;f\",\"g;h\"\n",
			want: []ingest.Row{row(1, "a;b", "c;d"), row(2, "e;f", "g;h")}},
		{name: "one column detects comma", in: "MSISDN\n447700900123\n", want: []ingest.Row{row(1, "MSISDN"), row(2, "447700900123")}},
		{name: "MaxRows reached exactly", in: "a\nb\n", opt: ingest.ReadOptions{MaxRows: 2}, want: []ingest.Row{row(1, "a"), row(2, "b")}},
		{name: "MaxRows exceeded", in: "a\nb\nc\n", opt: ingest.ReadOptions{MaxRows: 2}, want: []ingest.Row{row(1, "a"), row(2, "b")},
			wantErr: "line 3: more than 2 rows"},
		{name: "MaxFields exceeded", in: "a,b\n1,2,3\n", opt: ingest.ReadOptions{MaxFields: 2}, want: []ingest.Row{row(1, "a", "b")},
			wantErr: "line 2: record of 3 fields exceeds the 2-field limit"},
		{name: "MaxRecordBytes: at the limit", in: "abcd,e\r\n", opt: ingest.ReadOptions{MaxRecordBytes: 6}, want: []ingest.Row{row(1, "abcd", "e")}},
		{name: "MaxRecordBytes: over the limit, then reading goes on", in: "abcd,ef\nab\n", opt: ingest.ReadOptions{MaxRecordBytes: 6},
			want: []ingest.Row{faulty(1, "record of 7 bytes exceeds the 6-byte limit"), row(2, "ab")}},
		{name: "MaxRecordBytes counts quoted line breaks", in: "\"ab\r\ncd\"\nx\n", opt: ingest.ReadOptions{MaxRecordBytes: 6},
			want: []ingest.Row{faulty(1, "record of 8 bytes exceeds the 6-byte limit"), row(3, "x")}},
		{name: "windows-1252", in: "name,amount\nJos\xe9,\x80 5 \x93ok\x94 \x81\n", opt: ingest.ReadOptions{Encoding: "windows-1252"},
			want: []ingest.Row{row(1, "name", "amount"), row(2, "José", "€ 5 “ok” \u0081")}},
		{name: "latin-1", in: "Jos\xe9,\x80\n", opt: ingest.ReadOptions{Encoding: "latin-1"}, want: []ingest.Row{row(1, "José", "\u0080")}},
		{name: "UTF-8 BOM in a windows-1252 file", in: "\ufeffa,b\n", opt: ingest.ReadOptions{Encoding: "windows-1252"},
			wantErr: "UTF-8 byte-order mark but is declared windows-1252"},
		{name: "bad delimiter option", in: "a", opt: ingest.ReadOptions{Delimiter: 'x'}, wantErr: "delimiter 'x'"},
		{name: "bad encoding option", in: "a", opt: ingest.ReadOptions{Encoding: "ebcdic"}, wantErr: `encoding "ebcdic"`},
		{name: "negative limit", in: "a", opt: ingest.ReadOptions{MaxRows: -1}, wantErr: "negative limit"},
		{name: "UTF-16LE", in: string(utf16Bytes("MSISDN\tNote\r\n447700900123\tCafé 😀\r\n", true)),
			want: []ingest.Row{row(1, "MSISDN", "Note"), row(2, "447700900123", "Café 😀")}},
		{name: "UTF-16BE", in: string(utf16Bytes("a,b\n1,2\n", false)), want: []ingest.Row{row(1, "a", "b"), row(2, "1", "2")}},
		{name: "UTF-16 lone surrogate", in: "\xff\xfea\x00,\x00\x00\xd8\n\x00",
			want: []ingest.Row{faulty(1, "invalid UTF-16 in column 2", "a", "\xed\xa0\x80")}},
		{name: "UTF-16 odd final byte", in: "\xff\xfea\x00b",
			want: []ingest.Row{faulty(1, "invalid UTF-16 in column 1", "a\xff")}},
		{name: "UTF-16 BOM in a latin-1 file", in: "\xff\xfea\x00", opt: ingest.ReadOptions{Encoding: "latin-1"},
			wantErr: "UTF-16 byte-order mark"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := csvRows(t, tt.in, tt.opt)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr != "" && cellsite.KindOf(err) != cellsite.Invalid:
				t.Errorf("error kind %v, want invalid", cellsite.KindOf(err))
			}
		})
	}
}

func TestCSVReaderErrorIsSticky(t *testing.T) {
	rr, err := ingest.NewCSVReader(strings.NewReader("a,b\n1,2,3\n4,5\n"), ingest.ReadOptions{MaxFields: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Next(); err != nil {
		t.Fatal(err)
	}
	_, err1 := rr.Next()
	_, err2 := rr.Next()
	if err1 == nil || err1 != err2 {
		t.Errorf("errors %v then %v, want the same fatal error twice", err1, err2)
	}
}

func TestCSVReaderClose(t *testing.T) {
	rr, err := ingest.NewCSVReader(strings.NewReader("a\nb\n"), ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v, want an error", err)
	}
}

func TestCSVReaderInputError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader("a,b\n1,2\n"), iotest.ErrReader(boom))
	rr, err := ingest.NewCSVReader(r, ingest.ReadOptions{Delimiter: ','})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readRows(t, rr)
	if !errors.Is(err, boom) || cellsite.KindOf(err) != cellsite.Internal || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error %v (kind %v), want the input's error, internal, naming line 3", err, cellsite.KindOf(err))
	}
	if len(rows) != 2 {
		t.Errorf("read %d rows before the error, want 2", len(rows))
	}
}

// TestCSVFieldsReused shows why Clone exists: Fields is reused by Next.
func TestCSVFieldsReused(t *testing.T) {
	rr, err := ingest.NewCSVReader(strings.NewReader("a,b\nc,d\n"), ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := rr.Next()
	kept := first.Clone()
	second, _ := rr.Next()
	if diff := cmp.Diff([]string{"a", "b"}, kept.Fields); diff != "" {
		t.Errorf("clone changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"c", "d"}, second.Fields); diff != "" {
		t.Errorf("second row (-want +got):\n%s", diff)
	}
}

// repeatReader yields the byte c forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

func TestCSVHugeLine(t *testing.T) {
	const size = 50 << 20
	for _, tt := range []struct {
		name, open, close string
		next              int
	}{
		{"unquoted", "", "", 3},
		{"quoted with line breaks", "\"", "\n\"", 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := io.MultiReader(
				strings.NewReader("MSISDN,IMEI\n"+tt.open),
				io.LimitReader(repeatReader('x'), size),
				strings.NewReader(tt.close+"\n447700900123,353456789012345\n"))
			before := allocated()
			rr, err := ingest.NewCSVReader(in, ingest.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := readRows(t, rr)
			if err != nil {
				t.Fatal(err)
			}
			if used := allocated() - before; used > 16<<20 {
				t.Errorf("reading a %d-byte line allocated %d bytes, want < 16 MiB", size, used)
			}
			recordBytes := size + len(tt.open) + len(tt.close)
			want := []ingest.Row{
				row(1, "MSISDN", "IMEI"),
				{Number: 2, Fault: fmt.Sprintf("record of %d bytes exceeds the 1048576-byte limit", recordBytes)},
				row(tt.next, "447700900123", "353456789012345"),
			}
			if diff := cmp.Diff(want, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVMillionColumnHeader(t *testing.T) {
	header := strings.Repeat("c,", 999_999) + "c\n"
	before := allocated()
	rows, err := csvRows(t, header+"1,2\n", ingest.ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 1: record of 1000000 fields exceeds the 1024-field limit") || cellsite.KindOf(err) != cellsite.Invalid {
		t.Errorf("error %v, want an invalid-input error naming line 1 and 1000000 fields", err)
	}
	if len(rows) != 0 {
		t.Errorf("got %d rows, want none", len(rows))
	}
	if used := allocated() - before; used > 8<<20 {
		t.Errorf("allocated %d bytes, want < 8 MiB", used)
	}
}

// TestCSVLongLines reads records longer than the reader's buffer, with
// line breaks, quotes and delimiters at every offset around its edges.
func TestCSVLongLines(t *testing.T) {
	for _, n := range []int{65530, 65533, 65534, 65535, 65536, 65537, 131071, 131072} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			long := strings.Repeat("y", n)
			in := "a," + long + "\r\n\"" + long + "\r\nz\",b\r\n" + long[:n-1] + "\",q\r\nlast\n"
			want := []ingest.Row{
				row(1, "a", long),
				row(2, long+"\r\nz", "b"),
				row(4, long[:n-1]+"\"", "q"),
				row(5, "last"),
			}
			got, err := csvRows(t, in, ingest.ReadOptions{Delimiter: ','})
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(want, got) {
				t.Errorf("rows differ for n=%d (lengths want %v, got %v)", n, fieldLens(want), fieldLens(got))
			}
		})
	}
}

func fieldLens(rows []ingest.Row) [][]int {
	var out [][]int
	for _, r := range rows {
		var l []int
		for _, f := range r.Fields {
			l = append(l, len(f))
		}
		out = append(out, l)
	}
	return out
}

// TestCSVMatchesReference compares the reader with the simple reference
// reader of the fuzz tests on large inputs (records across buffer edges).
func TestCSVMatchesReference(t *testing.T) {
	pieces := []string{"a", "bc", ",", ",", "\"", "\"\"", "\n", "\r\n", "\r", "é", "\xff", "\x00", strings.Repeat("w", 20000), strings.Repeat("v", 70000)}
	seed := uint64(1)
	next := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	for i := range 40 {
		var b strings.Builder
		for b.Len() < 300_000 {
			b.WriteString(pieces[next()%uint64(len(pieces))])
		}
		in := b.String()
		got, err := csvRows(t, in, ingest.ReadOptions{Delimiter: ',', MaxRecordBytes: 1 << 30, MaxFields: 1 << 20})
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		want := referenceRows([]byte(in), ',')
		if diff := cmp.Diff(want, summarise(got)); diff != "" {
			t.Fatalf("input %d (-reference +reader):\n%.3000s", i, diff)
		}
	}
}

func TestSniffFileType(t *testing.T) {
	tests := []struct {
		head []byte
		want string
	}{
		{[]byte("PK\x03\x04\x14\x00"), "xlsx"},
		{[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "xls"},
		{[]byte("MSISDN,IMEI\n"), "csv"},
		{[]byte("\xef\xbb\xbfa,b"), "csv"},
		{[]byte("PK"), "csv"},
		{nil, "csv"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" "+fmt.Sprintf("%q", tt.head), func(t *testing.T) {
			if got := ingest.SniffFileType(tt.head); got != tt.want {
				t.Errorf("SniffFileType(%q) = %q, want %q", tt.head, got, tt.want)
			}
		})
	}
}

// TestHostileFiles reads the committed hostile inputs.
func TestHostileFiles(t *testing.T) {
	dir := filepath.Join("..", "testdata", "hostile")
	tests := []struct {
		file string
		opt  ingest.ReadOptions
		want []ingest.Row
	}{
		{"banner-footer.csv", ingest.ReadOptions{}, []ingest.Row{
			row(1, "CALL DATA RECORDS - TARGET 07700900123"), row(2, "Produced 01/03/2024 09:12"), blankRow(3),
			row(4, "MSISDN", "Other party", "Start", "Duration", "Cell ID", "Note"),
			row(5, "447700900123", "447700900456", "01/03/2024 13:45:30", "92", "234-15-1234-56789", "call; forwarded"),
			row(6, "447700900123", "447700900789", "01/03/2024 14:02:11", "0", "234-15-1234-56790", "text \"hello\"\r\nsecond line"),
			row(8, "END OF REPORT"), row(9, "2 records"),
		}},
		{"utf16le-tab.txt", ingest.ReadOptions{}, []ingest.Row{
			row(1, "MSISDN", "Cell name"), row(2, "447700900123", "Hôtel de Ville – Kraków"),
		}},
		{"windows-1252.csv", ingest.ReadOptions{Encoding: "windows-1252"}, []ingest.Row{
			row(1, "Site", "Address"), row(2, "LDN0001", "Café “Bistro” – £5"),
		}},
		{"nul-invalid-utf8.csv", ingest.ReadOptions{}, []ingest.Row{
			row(1, "a", "b", "c"), faulty(2, "NUL byte in column 2", "1", "\x00", "3"),
			faulty(3, "invalid UTF-8 in column 3", "4", "5", "\xe9t\xe9"), row(4, "7", "8", "9"),
		}},
		{"unterminated-quote.csv", ingest.ReadOptions{}, []ingest.Row{
			row(1, "a", "b"), row(2, "1", "2"), faulty(3, "unterminated quoted field starting on line 3", "3", "never closed\n"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := ingest.SniffFileType(data); got != "csv" {
				t.Errorf("sniffed %q, want csv", got)
			}
			got, err := csvRows(t, string(data), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("legacy.xls", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(dir, "legacy.xls"))
		if err != nil {
			t.Fatal(err)
		}
		if got := ingest.SniffFileType(data); got != "xls" {
			t.Errorf("sniffed %q, want xls", got)
		}
		_, err = ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ingest.ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), "OLE2") || cellsite.KindOf(err) != cellsite.Invalid {
			t.Errorf("error %v, want an invalid-input error about OLE2", err)
		}
	})
}

// ---- XLSX ----

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relWS  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
	relSST = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
)

type part struct{ name, body string }

// zipParts writes a zip of the parts, in order.
func zipParts(t testing.TB, parts ...part) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, p := range parts {
		w, err := z.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type testSheet struct {
	name, state string
	data        string // the content of sheetData
}

// workbookParts returns the parts of a workbook with the given sheets and
// shared strings (none when sst is nil).
func workbookParts(sst []string, workbookPr string, sheets ...testSheet) []part {
	var wbSheets, rels strings.Builder
	parts := []part{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	}
	for i, s := range sheets {
		state := ""
		if s.state != "" {
			state = ` state="` + s.state + `"`
		}
		fmt.Fprintf(&wbSheets, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, s.name, i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s" Target="worksheets/sheet%d.xml"/>`, i+1, relWS, i+1)
	}
	if sst != nil {
		fmt.Fprintf(&rels, `<Relationship Id="rIdS" Type="%s" Target="sharedStrings.xml"/>`, relSST)
	}
	parts = append(parts,
		part{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook ` + nsMain + `>` + workbookPr + `<sheets>` + wbSheets.String() + `</sheets></workbook>`},
		part{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`})
	if sst != nil {
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d" uniqueCount="%d">`, nsMain, len(sst), len(sst))
		for _, s := range sst {
			b.WriteString("<si>" + s + "</si>")
		}
		b.WriteString("</sst>")
		parts = append(parts, part{"xl/sharedStrings.xml", b.String()})
	}
	for i, s := range sheets {
		parts = append(parts, part{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1),
			`<?xml version="1.0" encoding="UTF-8"?><worksheet ` + nsMain + `><dimension ref="A1"/><sheetData>` + s.data + `</sheetData><pageMargins left="0.7"/></worksheet>`})
	}
	return parts
}

func buildXLSX(t testing.TB, sst []string, sheets ...testSheet) []byte {
	t.Helper()
	return zipParts(t, workbookParts(sst, "", sheets...)...)
}

func xlsxRows(t testing.TB, data []byte, opt ingest.ReadOptions) ([]ingest.Row, error) {
	t.Helper()
	rr, err := ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), opt)
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	return readRows(t, rr)
}

func sheetRow(sheet string, n int, fields ...string) ingest.Row {
	return ingest.Row{Sheet: sheet, Number: n, Fields: fields}
}

func sheetFault(sheet string, n int, fault string, fields ...string) ingest.Row {
	return ingest.Row{Sheet: sheet, Number: n, Fields: fields, Fault: fault}
}

// excelizeWorkbook builds a workbook the way Cellsite's own exports and
// many operators' tools do, with excelize.
func excelizeWorkbook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Calls"))
	must(f.SetSheetRow("Calls", "A1", &[]any{"MSISDN", "IMEI", "Start", "Duration", "Note"}))
	must(f.SetSheetRow("Calls", "A2", &[]any{int64(447700900123), int64(353456789012345), time.Date(2024, 3, 1, 13, 45, 30, 0, time.UTC), 92, "call"}))
	// rows 3 and 4 are empty
	must(f.SetSheetRow("Calls", "A5", &[]any{"447700900124", 3.5e14, nil, 0.25, "call"}))
	must(f.SetCellValue("Calls", "E6", "only E"))
	_, err := f.NewSheet("Hidden")
	must(err)
	must(f.SetCellValue("Hidden", "A1", "secret"))
	must(f.SetSheetVisible("Hidden", false))
	_, err = f.NewSheet("Cells")
	must(err)
	must(f.SetSheetRow("Cells", "A1", &[]any{"Cell ID", "Lat", "Long"}))
	must(f.SetSheetRow("Cells", "A2", &[]any{"234-15-1234-56789", 51.5014, -0.1419}))
	var b bytes.Buffer
	must(f.Write(&b))
	return b.Bytes()
}

func TestXLSXExcelizeWorkbook(t *testing.T) {
	data := excelizeWorkbook(t)
	if got := ingest.SniffFileType(data); got != "xlsx" {
		t.Fatalf("sniffed %q, want xlsx", got)
	}
	rows, err := xlsxRows(t, data, ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || len(rows[1].Fields) < 3 {
		t.Fatalf("rows %+v", rows)
	}
	// The date is stored as an Excel serial number: check it, then compare
	// the rest exactly.
	serial, err := strconv.ParseFloat(rows[1].Fields[2], 64)
	want := 45352 + (13*3600+45*60+30)/86400.0
	if err != nil || serial-want > 1e-6 || want-serial > 1e-6 {
		t.Errorf("date cell %q, want the serial number %.6f", rows[1].Fields[2], want)
	}
	rows[1].Fields[2] = "serial"
	wantRows := []ingest.Row{
		sheetRow("Calls", 1, "MSISDN", "IMEI", "Start", "Duration", "Note"),
		sheetRow("Calls", 2, "447700900123", "353456789012345", "serial", "92", "call"),
		sheetRow("Calls", 5, "447700900124", "350000000000000", "", "0.25", "call"),
		sheetRow("Calls", 6, "", "", "", "", "only E"),
		sheetRow("Cells", 1, "Cell ID", "Lat", "Long"),
		sheetRow("Cells", 2, "234-15-1234-56789", "51.5014", "-0.1419"),
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	t.Run("same raw values as excelize", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		all, err := xlsxRows(t, data, ingest.ReadOptions{Sheets: []string{"Calls", "Hidden", "Cells"}})
		if err != nil {
			t.Fatal(err)
		}
		var ours []ingest.Row
		for _, sheet := range []string{"Calls", "Hidden", "Cells"} {
			grid, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			for i, fields := range grid {
				if len(fields) > 0 {
					ours = append(ours, sheetRow(sheet, i+1, fields...))
				}
			}
		}
		if diff := cmp.Diff(ours, all); diff != "" {
			t.Errorf("rows (-excelize +reader):\n%s", diff)
		}
	})

	t.Run("sheets named, hidden included, in the order asked", func(t *testing.T) {
		got, err := xlsxRows(t, data, ingest.ReadOptions{Sheets: []string{"hidden", "CALLS"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 || got[0].Sheet != "Hidden" || got[0].Fields[0] != "secret" || got[1].Sheet != "Calls" {
			t.Errorf("rows %+v, want Hidden's row then Calls' rows", got)
		}
	})

	t.Run("workbook description", func(t *testing.T) {
		rr, err := ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ingest.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wb := rr.(ingest.Workbook)
		want := []ingest.SheetInfo{
			{Name: "Calls", Worksheet: true, Read: true},
			{Name: "Hidden", Hidden: true, Worksheet: true},
			{Name: "Cells", Worksheet: true, Read: true},
		}
		if diff := cmp.Diff(want, wb.SheetList()); diff != "" {
			t.Errorf("sheets (-want +got):\n%s", diff)
		}
		if wb.Date1904() {
			t.Error("Date1904 is true, want false")
		}
	})
}

func TestXLSXReader(t *testing.T) {
	sst := []string{
		"<t>MSISDN</t>",
		`<r><rPr><b/></rPr><t>Rich </t></r><r><t xml:space="preserve">text </t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh>`,
		"<t>line_x000D_break</t>",
		"<t>_x005F_x0041_ literal</t>",
	}
	tests := []struct {
		name    string
		sst     []string
		data    string
		opt     ingest.ReadOptions
		want    []ingest.Row
		wantErr string
	}{
		{name: "value types", sst: sst, data: `<row r="1">` +
			`<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>` +
			`<row r="2"><c r="A2"><v>447700900123</v></c><c r="B2"><v>4.47700900123E+11</v></c><c r="C2" s="1"><v>45352.573263888891</v></c>` +
			`<c r="D2" t="b"><v>1</v></c><c r="E2" t="b"><v>0</v></c><c r="F2" t="e"><v>#N/A</v></c></row>` +
			`<row r="3"><c r="A3"><f>1+1</f><v>2</v></c><c r="B3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>` +
			`<c r="C3" t="inlineStr"><is><t>inline &amp; &lt;escaped&gt;</t></is></c><c r="D3" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>` +
			`<c r="E3"><f>NOW()</f></c><c r="F3" t="d"><v>2024-03-01T13:45:30</v></c></row>`,
			want: []ingest.Row{
				sheetRow("S", 1, "MSISDN", "Rich text ", "line\rbreak", "_x0041_ literal"),
				sheetRow("S", 2, "447700900123", "4.47700900123E+11", "45352.573263888891", "TRUE", "FALSE", "#N/A"),
				sheetRow("S", 3, "2", "ab", "inline & <escaped>", "inline", "", "2024-03-01T13:45:30"),
			}},
		{name: "empty rows keep their numbers", data: `<row r="1"><c r="A1"><v>1</v></c></row><row r="2" spans="1:3"><c r="A2" s="3"/></row>` +
			`<row r="7"><c r="B7"><v>7</v></c></row><row r="1048576"><c r="A1048576"><v>last</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 1, "1"), sheetRow("S", 7, "", "7"), sheetRow("S", 1048576, "last")}},
		{name: "rows and cells without references", data: `<row><c><v>1</v></c><c><v>2</v></c></row><row r="4"><c><v>3</v></c></row><row><c r="C5"><v>4</v></c><c><v>5</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 1, "1", "2"), sheetRow("S", 4, "3"), sheetRow("S", 5, "", "", "4", "5")}},
		{name: "inline string in a cell of another type", data: `<row r="1"><c r="A1"><is><t>x</t></is></c><c r="B1" t="inlineStr"><v>y</v></c></row>`,
			want: []ingest.Row{sheetFault("S", 1, "cell A1 holds an inline string but is not of type inlineStr", "x", "y")}},
		{name: "hidden rows are read", data: `<row r="1" hidden="1"><c r="A1"><v>1</v></c></row>`, want: []ingest.Row{sheetRow("S", 1, "1")}},
		{name: "shared-string index out of range", sst: sst, data: `<row r="1"><c r="A1" t="s"><v>4</v></c><c r="B1"><v>9</v></c></row><row r="2"><c r="A2" t="s"><v>x</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>`,
			want: []ingest.Row{
				sheetFault("S", 1, "cell A1 refers to shared string \"4\", outside the table of 4 strings", "", "9"),
				sheetFault("S", 2, "cell A2 refers to shared string \"x\", outside the table of 4 strings"),
				sheetRow("S", 3, "3"),
			}},
		{name: "shared string without a table", data: `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`,
			want: []ingest.Row{sheetFault("S", 1, "cell A1 refers to shared string \"0\" but the workbook has no shared-string table")}},
		{name: "cell past column XFD", data: `<row r="1"><c r="A1"><v>1</v></c><c r="XFE1"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c></row>`,
			opt:  ingest.ReadOptions{MaxFields: 20000},
			want: []ingest.Row{sheetFault("S", 1, `cell XFE1 is beyond column XFD (value "2" not in Fields)`, "1"), sheetRow("S", 2, "3")}},
		{name: "cell at column XFD", data: `<row r="1"><c r="XFD1"><v>1</v></c></row>`, opt: ingest.ReadOptions{MaxFields: 16384},
			want: []ingest.Row{sheetRow("S", 1, append(make([]string, 16383), "1")...)}},
		{name: "empty cell past column XFD is nothing", data: `<row r="1"><c r="A1"><v>1</v></c><c r="XFE1" s="2"/></row>`,
			want: []ingest.Row{sheetRow("S", 1, "1")}},
		{name: "value past MaxFields", data: `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="AMK2"><v>1</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 1, "1")}, wantErr: `sheet "S" row 2: cell AMK2 is in column 1025, beyond the 1024-column limit`},
		{name: "invalid cell reference", data: `<row r="1"><c r="A1"><v>1</v></c><c r="1A"><v>2</v></c></row>`,
			want: []ingest.Row{sheetFault("S", 1, `invalid cell reference "1A" (taken as B1)`, "1", "2")}},
		{name: "cell in another row", data: `<row r="1"><c r="A7"><v>1</v></c></row>`,
			want: []ingest.Row{sheetFault("S", 1, "cell A7 is not in row 1", "1")}},
		{name: "cells out of order", data: `<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c></row>`,
			want: []ingest.Row{sheetFault("S", 1, "cell A1 is out of order", "1", "", "3")}},
		{name: "cell repeating a column", data: `<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>`,
			want: []ingest.Row{sheetFault("S", 1, `cell B1 repeats column B (value "2" not in Fields)`, "", "1")}},
		{name: "bad boolean and unknown type", data: `<row r="1"><c r="A1" t="b"><v>yes</v></c><c r="B1" t="zz"><v>1</v></c></row>`,
			want: []ingest.Row{sheetFault("S", 1, `cell A1 holds boolean "yes", not 0 or 1; cell B1 has unknown type "zz"`, "yes", "1")}},
		{name: "row past 1048576", data: `<row r="1"><c r="A1"><v>1</v></c></row><row r="1048577"><c r="A1048577"><v>2</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 1, "1")}, wantErr: `sheet "S": row 1048577 is beyond Excel's last row (1048576)`},
		{name: "rows out of order", data: `<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 2, "1")}, wantErr: `sheet "S": row 1 comes after row 2`},
		{name: "row repeated", data: `<row r="2"><c r="A2"><v>1</v></c></row><row r="2"><c r="B2"><v>2</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 2, "1")}, wantErr: `row 2 comes after row 2`},
		{name: "invalid row number", data: `<row r="-3"><c><v>1</v></c></row>`, wantErr: `the row after row 0 has an invalid number "-3"`},
		{name: "malformed XML", data: `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</x></c></row><row r="3"><c r="A3"><v>3</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 1, "1")}, wantErr: `sheet "S" row 2: XML syntax error`},
		{name: "MaxRows", data: `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`, opt: ingest.ReadOptions{MaxRows: 1},
			want: []ingest.Row{sheetRow("S", 1, "1")}, wantErr: `sheet "S" row 2: more than 1 rows`},
		{name: "row over MaxRecordBytes", data: `<row r="1"><c r="A1"><v>12345</v></c><c r="B1" t="inlineStr"><is><t>67890</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>`,
			opt:  ingest.ReadOptions{MaxRecordBytes: 8},
			want: []ingest.Row{sheetFault("S", 1, "record of 10 bytes exceeds the 8-byte limit"), sheetRow("S", 2, "1")}},
		{name: "cell over MaxRecordBytes", data: `<row r="1"><c r="A1"><v>123456789012</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>`,
			opt:  ingest.ReadOptions{MaxRecordBytes: 8},
			want: []ingest.Row{sheetFault("S", 1, "record of 12 bytes exceeds the 8-byte limit"), sheetRow("S", 2, "1")}},
		{name: "token far over MaxRecordBytes", data: `<row r="1"><c r="A1"><v>` + strings.Repeat("9", 100_000) + `</v></c></row>`,
			opt: ingest.ReadOptions{MaxRecordBytes: 8}, wantErr: `sheet "S" row 1: an XML token longer than 65552 bytes`},
		{name: "nesting too deep", data: `<row r="1"><c r="A1" t="inlineStr"><is><r><rPr>` + strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100) + `</rPr><t>a</t></r></is></c></row>`,
			wantErr: "XML nested more than 64 elements deep"},
		{name: "element inside a value", data: `<row r="1"><c r="A1"><v>1<x/>2</v></c></row>`, wantErr: `sheet "S" row 1: unexpected <x> in a value`},
		{name: "element inside a text", data: `<row r="1"><c r="A1" t="inlineStr"><is><t>a<t>b</t></t></is></c></row>`, wantErr: `sheet "S" row 1: unexpected <t> in a value`},
		{name: "unknown element in a cell", data: `<row r="1"><c r="A1"><w>1</w></c></row>`, wantErr: `sheet "S" row 1: unexpected <w> in a cell`},
		{name: "two values in a cell", data: `<row r="1"><c r="A1"><v>1</v><v>2</v></c></row>`, wantErr: `sheet "S" row 1: a cell with more than one value`},
		{name: "unknown element in a row", data: `<row r="1"><d r="A1"><v>1</v></d></row>`, wantErr: `sheet "S" row 1: unexpected <d> in a row`},
		{name: "unknown element in sheetData", data: `<row r="1"><c r="A1"><v>1</v></c></row><group><row r="2"/></group>`,
			want: []ingest.Row{sheetRow("S", 1, "1")}, wantErr: `sheet "S" after row 1: unexpected <group> in sheetData`},
		{name: "rows after sheetData", data: `<row r="1"><c r="A1"><v>1</v></c></row></sheetData><sheetData><row r="2"><c r="A2"><v>2</v></c></row>`,
			want: []ingest.Row{sheetRow("S", 1, "1")}, wantErr: `<sheetData> outside the worksheet's sheetData`},
		{name: "repeated attribute", data: `<row r="1"><c r="A1" r="B1"><v>1</v></c></row>`, wantErr: "XML syntax error: attribute r of <c> repeated"},
		{name: "CDATA, comments and character references", data: `<row r="1"><!-- note --><c r="A1" t="inlineStr"><is><t><![CDATA[<a&b>]]>&#x20AC;&#8364;</t></is></c></row>`,
			want: []ingest.Row{sheetRow("S", 1, "<a&b>€€")}},
		{name: "a DTD is refused", data: `<!DOCTYPE x [<!ENTITY a "b">]>`, wantErr: "document type declarations are not accepted"},
		{name: "control character", data: `<row r="1"><c r="A1"><v>1&#1;</v></c></row>`, wantErr: "invalid character entity &#1;"},
		{name: "mismatched tags", data: `<row r="1"><c r="A1"><v>1</c></v></row>`, wantErr: "XML syntax error: element <v> closed by </c>"},
		{name: "unknown entity", data: `<row r="1"><c r="A1" t="inlineStr"><is><t>&bomb;</t></is></c></row>`, wantErr: "invalid character entity &bomb;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildXLSX(t, tt.sst, testSheet{name: "S", data: tt.data})
			got, err := xlsxRows(t, data, tt.opt)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			case tt.wantErr != "" && cellsite.KindOf(err) != cellsite.Invalid:
				t.Errorf("error kind %v, want invalid", cellsite.KindOf(err))
			}
		})
	}
}

func TestXLSXTruncatedSheetXML(t *testing.T) {
	parts := workbookParts(nil, "", testSheet{name: "S"})
	last := &parts[len(parts)-1]
	last.body = `<worksheet ` + nsMain + `><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v`
	got, err := xlsxRows(t, zipParts(t, parts...), ingest.ReadOptions{})
	if diff := cmp.Diff([]ingest.Row{sheetRow("S", 1, "1"), sheetRow("S", 2, "2")}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if err == nil || !strings.Contains(err.Error(), `sheet "S" row 3`) {
		t.Errorf("error %v, want one naming sheet S row 3", err)
	}
}

func TestXLSXWorkbookErrors(t *testing.T) {
	good := buildXLSX(t, nil, testSheet{name: "Calls", data: `<row r="1"><c r="A1"><v>1</v></c></row>`},
		testSheet{name: "Secret", state: "veryHidden", data: `<row r="1"><c r="A1"><v>2</v></c></row>`})
	onlyHidden := buildXLSX(t, nil, testSheet{name: "H", state: "hidden"})
	noSheets := zipParts(t, workbookParts(nil, "")...)
	var noWorkbook []part
	for _, p := range workbookParts(nil, "", testSheet{name: "S"}) {
		if p.name != "xl/workbook.xml" {
			noWorkbook = append(noWorkbook, p)
		}
	}
	var noSheetPart []part
	for _, p := range workbookParts(nil, "", testSheet{name: "S"}) {
		if !strings.HasPrefix(p.name, "xl/worksheets/") {
			noSheetPart = append(noSheetPart, p)
		}
	}
	dupPart := append(workbookParts(nil, "", testSheet{name: "S"}), part{"XL/Workbook.xml", "<workbook/>"})
	twoNames := buildXLSX(t, nil, testSheet{name: "Calls"}, testSheet{name: "CALLS"})
	samePart := workbookParts(nil, "", testSheet{name: "A"}, testSheet{name: "B"})
	for i := range samePart {
		if samePart[i].name == "xl/_rels/workbook.xml.rels" {
			samePart[i].body = strings.Replace(samePart[i].body, "worksheets/sheet2.xml", "worksheets/sheet1.xml", 1)
		}
	}
	tests := []struct {
		name    string
		data    []byte
		opt     ingest.ReadOptions
		wantErr string
	}{
		{"not a zip", []byte("MSISDN,IMEI\n1,2\n"), ingest.ReadOptions{}, "corrupt or truncated zip"},
		{"empty", nil, ingest.ReadOptions{}, "corrupt or truncated zip"},
		{"truncated zip", good[:len(good)/2], ingest.ReadOptions{}, "corrupt or truncated zip"},
		{"OLE2", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...), ingest.ReadOptions{}, "OLE2 compound file"},
		{"no workbook part", zipParts(t, noWorkbook...), ingest.ReadOptions{}, "no workbook part (xl/workbook.xml)"},
		{"no sheets", noSheets, ingest.ReadOptions{}, "the workbook has no sheets"},
		{"only hidden sheets", onlyHidden, ingest.ReadOptions{}, `no visible worksheet (hidden: "H")`},
		{"missing requested sheet", good, ingest.ReadOptions{Sheets: []string{"Calls", "Cells"}}, `the workbook has no sheet "Cells" (sheets: "Calls", "Secret")`},
		{"sheet requested twice", good, ingest.ReadOptions{Sheets: []string{"Calls", "calls"}}, `sheet "Calls" is requested twice`},
		{"empty sheet list", good, ingest.ReadOptions{Sheets: []string{}}, "no sheets requested"},
		{"sheet part missing", zipParts(t, noSheetPart...), ingest.ReadOptions{}, `sheet "S": its worksheet part is missing`},
		{"part twice", zipParts(t, dupPart...), ingest.ReadOptions{}, "the zip holds part XL/Workbook.xml twice"},
		{"two sheets named alike", twoNames, ingest.ReadOptions{}, `the workbook names two sheets "CALLS"`},
		{"two sheets, one part", zipParts(t, samePart...), ingest.ReadOptions{}, `sheets "A" and "B" are the same worksheet part`},
		{"shared strings over MaxSheetXMLBytes", buildXLSX(t, []string{"<t>" + strings.Repeat("a", 5000) + "</t>"}, testSheet{name: "S"}),
			ingest.ReadOptions{MaxSheetXMLBytes: 4096}, "the shared-string part (xl/sharedStrings.xml) inflates to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.NewXLSXReader(bytes.NewReader(tt.data), int64(len(tt.data)), tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
			if cellsite.KindOf(err) != cellsite.Invalid {
				t.Errorf("error kind %v, want invalid", cellsite.KindOf(err))
			}
		})
	}
	t.Run("very hidden sheet read when named", func(t *testing.T) {
		got, err := xlsxRows(t, good, ingest.ReadOptions{Sheets: []string{"Secret"}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]ingest.Row{sheetRow("Secret", 1, "2")}, got); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
	})
}

func TestXLSXDate1904(t *testing.T) {
	data := zipParts(t, workbookParts(nil, `<workbookPr date1904="1"/>`, testSheet{name: "S"})...)
	rr, err := ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rr.(ingest.Workbook).Date1904() {
		t.Error("Date1904 is false, want true")
	}
}

// TestXLSXCorruptData flips bytes in a sheet's compressed data: reading
// must fail, never return fewer rows quietly.
func TestXLSXCorruptData(t *testing.T) {
	var rows strings.Builder
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>447700900%03d</v></c></row>`, i, i, i*7919%10007, i, i)
	}
	data := buildXLSX(t, nil, testSheet{name: "S", data: rows.String()})
	// The sheet's local header (and then its compressed data) comes before
	// the central directory's copy of the name.
	start := bytes.Index(data, []byte("xl/worksheets/sheet1.xml")) + len("xl/worksheets/sheet1.xml")
	failures := 0
	for off := 8; off < 400; off += 7 {
		bad := bytes.Clone(data)
		bad[start+off] ^= 0x55
		got, err := xlsxRows(t, bad, ingest.ReadOptions{})
		if err == nil {
			if len(got) != 200 {
				t.Errorf("offset %d: read %d rows with no error, want 200 or an error", off, len(got))
			}
			continue
		}
		failures++
		if cellsite.KindOf(err) != cellsite.Invalid {
			t.Errorf("offset %d: error kind %v, want invalid", off, cellsite.KindOf(err))
		}
	}
	if failures == 0 {
		t.Error("no corruption was detected")
	}
}

// writeBomb writes a workbook whose single sheet holds row copies of one
// row: a few kilobytes that inflate many times over.
func writeBomb(t testing.TB, rows int) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, p := range workbookParts(nil, "", testSheet{name: "S"}) {
		if strings.HasPrefix(p.name, "xl/worksheets/") {
			continue
		}
		w, _ := z.Create(p.name)
		_, _ = io.WriteString(w, p.body)
	}
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	_, _ = io.WriteString(w, `<worksheet `+nsMain+`><sheetData>`)
	one := []byte(`<row><c><v>447700900123</v></c><c><v>353456789012345</v></c><c t="inlineStr"><is><t>padding padding padding</t></is></c></row>`)
	for range rows {
		_, _ = w.Write(one)
	}
	_, _ = io.WriteString(w, `</sheetData></worksheet>`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSXZipBomb(t *testing.T) {
	bomb := writeBomb(t, 100_000) // about 12 MB of XML
	if len(bomb) > 200<<10 {
		t.Fatalf("bomb of %d bytes: not much of a bomb", len(bomb))
	}
	t.Run("over MaxUnzippedBytes", func(t *testing.T) {
		before := allocated()
		start := time.Now()
		_, err := ingest.NewXLSXReader(bytes.NewReader(bomb), int64(len(bomb)), ingest.ReadOptions{MaxUnzippedBytes: 1 << 20})
		if err == nil || !strings.Contains(err.Error(), "more than the 1048576-byte limit") || cellsite.KindOf(err) != cellsite.Invalid {
			t.Errorf("error %v, want an invalid-input error naming the limit", err)
		}
		if used := allocated() - before; used > 1<<20 {
			t.Errorf("refusing the bomb allocated %d bytes", used)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("refusing the bomb took %v", d)
		}
	})
	t.Run("under the limits it streams in bounded memory", func(t *testing.T) {
		rr, err := ingest.NewXLSXReader(bytes.NewReader(bomb), int64(len(bomb)), ingest.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var peak uint64
		n := 0
		for {
			_, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			if n%20_000 == 0 {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
		if n != 100_000 {
			t.Errorf("read %d rows, want 100000", n)
		}
		if peak > 64<<20 {
			t.Errorf("heap in use reached %d bytes reading a 12 MB sheet", peak)
		}
	})
}

// rawZip writes one stored part whose directory records declared sizes
// (and CRC) that need not match its data.
func rawZip(t testing.TB, parts []part, name string, data []byte, declared uint64, crc uint32) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, p := range parts {
		w, _ := z.Create(p.name)
		_, _ = io.WriteString(w, p.body)
	}
	w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(data)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSXDeclaredSizes(t *testing.T) {
	var others []part
	for _, p := range workbookParts(nil, "", testSheet{name: "S"}) {
		if !strings.HasPrefix(p.name, "xl/worksheets/") {
			others = append(others, p)
		}
	}
	sheet := []byte(`<worksheet ` + nsMain + `><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row></sheetData></worksheet>`)
	t.Run("default limits are set", func(t *testing.T) {
		data := rawZip(t, others, "xl/worksheets/sheet1.xml", sheet, 2<<30, crc32.ChecksumIEEE(sheet))
		_, err := ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ingest.ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than the %d-byte limit", ingest.DefaultMaxUnzippedBytes)) {
			t.Errorf("error %v, want the default 1 GiB limit to refuse a part declaring 2 GiB", err)
		}
	})
	t.Run("understated size", func(t *testing.T) {
		data := rawZip(t, others, "xl/worksheets/sheet1.xml", sheet, 60, crc32.ChecksumIEEE(sheet))
		got, err := xlsxRows(t, data, ingest.ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), `sheet "S"`) || cellsite.KindOf(err) != cellsite.Invalid {
			t.Errorf("error %v, want an invalid-input error for sheet S", err)
		}
		if len(got) > 0 {
			t.Errorf("got rows %+v from a part that understates its size", got)
		}
	})
	t.Run("checksum mismatch", func(t *testing.T) {
		data := rawZip(t, others, "xl/worksheets/sheet1.xml", sheet, uint64(len(sheet)), crc32.ChecksumIEEE(sheet)^1)
		_, err := xlsxRows(t, data, ingest.ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), "checksum") {
			t.Errorf("error %v, want a checksum error", err)
		}
	})
}

// failingReaderAt fails every read of the byte at bad.
type failingReaderAt struct {
	r   *bytes.Reader
	bad int64
}

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.bad && f.bad < off+int64(len(p)) {
		return 0, errors.New("disk on fire")
	}
	return f.r.ReadAt(p, off)
}

func TestXLSXInputError(t *testing.T) {
	var rows strings.Builder
	for i := 1; i <= 2000; i++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d"><v>%d</v></c></row>`, i, i, i*7919%10007)
	}
	data := buildXLSX(t, nil, testSheet{name: "S", data: rows.String()})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var bad int64
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			at, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			bad = at + int64(f.CompressedSize64)/2
		}
	}
	rr, err := ingest.NewXLSXReader(failingReaderAt{bytes.NewReader(data), bad}, int64(len(data)), ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readRows(t, rr)
	if err == nil || cellsite.KindOf(err) != cellsite.Internal || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("error %v (kind %v), want the input's error with kind internal", err, cellsite.KindOf(err))
	}
}

func TestXLSXClose(t *testing.T) {
	data := buildXLSX(t, nil, testSheet{name: "S", data: `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>`})
	rr, err := ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ingest.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Next(); err != nil {
		t.Fatal(err)
	}
	if err := rr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := rr.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v, want an error", err)
	}
}

// ---- benchmarks ----

// cdrCSV returns a CDR-like CSV of n lines of 12 short fields.
func cdrCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("MSISDN,Other party,Start,End,Duration,Type,MCC,MNC,LAC,Cell ID,IMEI,IMSI\r\n")
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		t0 := start.Add(time.Duration(i*37) * time.Second)
		fmt.Fprintf(&b, "4477009%05d,4477009%05d,%s,%s,%d,%s,234,15,%d,%d,35345678%07d,23415%010d\r\n",
			i%100000, (i*7)%100000, t0.Format("2006-01-02 15:04:05"), t0.Add(92*time.Second).Format("2006-01-02 15:04:05"),
			i%600, [...]string{"MOC", "MTC", "SMS-MO", "SMS-MT", "DATA"}[i%5], 1000+i%500, 10000+i%9000, i, i)
	}
	return b.Bytes()
}

func BenchmarkCSVReader(b *testing.B) {
	data := cdrCSV(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		rr, err := ingest.NewCSVReader(bytes.NewReader(data), ingest.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			row, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil || row.Fault != "" || len(row.Fields) != 12 {
				b.Fatalf("row %d: %v %q %d", row.Number, err, row.Fault, len(row.Fields))
			}
			n++
		}
		if n != 100_001 {
			b.Fatalf("read %d rows", n)
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkXLSXReader(b *testing.B) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	_ = sw.SetRow("A1", []any{"MSISDN", "Other party", "Start", "End", "Duration", "Type", "MCC", "MNC", "LAC", "Cell ID", "IMEI", "IMSI"})
	for i := range 20_000 {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, []any{int64(447700900000 + i), int64(447700910000 + i), 45352 + float64(i)/1440, 45352 + float64(i+1)/1440,
			i % 600, "MOC", 234, 15, 1000 + i%500, 10000 + i%9000, int64(353456780000000 + i), fmt.Sprintf("23415%010d", i)})
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		rr, err := ingest.NewXLSXReader(bytes.NewReader(data), int64(len(data)), ingest.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			row, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil || row.Fault != "" || len(row.Fields) != 12 {
				b.Fatalf("row %d: %v %q %d", row.Number, err, row.Fault, len(row.Fields))
			}
			n++
		}
		if n != 20_001 {
			b.Fatalf("read %d rows", n)
		}
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
}
