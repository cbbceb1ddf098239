package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
)

const eeSample = "EE Law Enforcement Disclosure\r\nTarget: 07700 900123\r\n\r\n" +
	"Target MSISDN,Other Party,Call Type,Direction,Start Date,Start Time,Duration,First Cell ID,Last Cell ID,IMEI,IMSI\r\n" +
	"447700900123,07700900456,MOC,Outgoing,25/10/2026,01:30:00,0:01:10,234-30-129097582,234-30-129097583,35123456789012,234301234567890\r\n" +
	"447700900123,07700900456,MOC,Outgoing,25/10/2026,01:30:00,0:01:10,234-30-129097582,234-30-129097583,35123456789012,234301234567890\r\n" +
	"447700900123,447700900789,SMS MT,Incoming,29/03/2026,01:15:00,,,,,\r\n" +
	"447700900123,447700900789,SMS MT,Incoming,31/02/2026,01:15:00,,,,,\r\n" +
	"'447700900123,=HYPERLINK(\"http://x\"),SMS MT,Incoming,01/03/2026,09:00:00,,,,,\r\n" +
	"END OF REPORT\r\nTotal records: 5\r\n"

// newCase makes a data directory with one case and returns its path.
func newCase(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "data")
	if code, _, errs := cli(t, nil, "case", "create", "OP-TEST", "--title", "Test", "--data", d); code != 0 {
		t.Fatal(errs)
	}
	return d
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIngestAccounting(t *testing.T) {
	d := newCase(t)
	f := writeFile(t, "ee.csv", []byte(eeSample))
	code, out, errs := cli(t, nil, "ingest", "--data", d, "--case", "OP-TEST", "--kind", "cdr", f)
	if code != 0 {
		t.Fatalf("ingest: %d %s", code, errs)
	}
	for _, want := range []string{
		"profile     ee-cdr 2024.1 (unverified reconstruction), detected",
		"lines       11 = 2 banner + 1 header + 1 blank + 2 footer + 5 data rows",
		"data rows   5 = 3 accepted + 1 duplicates + 1 rejected",
		"rejected    bad-time 1",
		"time-ambiguous 2", "time-impossible 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = cli(t, nil, "rejects", "--data", d, "--case", "OP-TEST")
	if code != 0 || !strings.Contains(out, "ee.csv") || !strings.Contains(out, "8") || !strings.Contains(out, "Start Date") || !strings.Contains(out, "bad-time") {
		t.Errorf("rejects: %d\n%s", code, out)
	}
	// The same file again is refused; nothing is double counted.
	code, _, errs = cli(t, nil, "ingest", "--data", d, "--case", "OP-TEST", "--kind", "cdr", f)
	if code == 0 || !strings.Contains(errs, "already in case OP-TEST") {
		t.Errorf("second ingest of the same file: %d %s", code, errs)
	}
	if code, out, errs := cli(t, nil, "verify", "--data", d); code != 0 || !strings.Contains(out, "1 blobs checked") {
		t.Errorf("verify: %d %s %s", code, out, errs)
	}
	code, out, _ = cli(t, nil, "log", "--data", d, "--case", "OP-TEST", "--json")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"type":"ingest"`) || !strings.Contains(out, `"key":"rejected.bad-time","n":1`) {
		t.Errorf("log: %s", out)
	}
}

// state returns what a data directory holds for a case: sources, events,
// rejects, leaves, stored blobs.
func state(t *testing.T, d string) string {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, env{getenv: func(string) string { return "" }}, &location{dir: d}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var s string
	err = a.db.View(ctx, func(tx *store.Tx) error {
		srcs, err := tx.Sources(ctx, "OP-TEST")
		if err != nil {
			return err
		}
		n := 0
		if err := tx.Events(ctx, store.EventFilter{Case: "OP-TEST", IncludeRepeated: true}, func(_ cellsite.Event, _ int64) error { n++; return nil }); err != nil {
			return err
		}
		rj, err := tx.Rejects(ctx, "OP-TEST")
		if err != nil {
			return err
		}
		size, err := tx.LogSize(ctx)
		s = fmt.Sprintf("sources=%d events=%d rejects=%d leaves=%d", len(srcs), n, len(rj), size)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var blobs int
	filepath.Walk(filepath.Join(d, "blobs", "sha256"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			blobs++
		}
		return nil
	})
	return s + fmt.Sprintf(" blobs=%d", blobs)
}

// zipBomb returns a workbook whose worksheet declares 3 GiB uncompressed.
// (The reader's own tests inflate real bombs against a small limit; here the
// point is that the command refuses one and leaves nothing behind.)
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	var body bytes.Buffer
	fw, _ := flate.NewWriter(&body, flate.BestCompression)
	fw.Write(bytes.Repeat([]byte(`<row><c t="inlineStr"><is><t>AAAA</t></is></c></row>`), 1<<12))
	fw.Close()
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(body.Len()), UncompressedSize64: 3 << 30, CRC32: 0x12345678})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body.Bytes())
	zw.Close()
	return buf.Bytes()
}

// Hostile files end with a clear error and leave no trace in the case.
func TestIngestHostileLeavesNoState(t *testing.T) {
	if testing.Short() {
		t.Skip("builds large inputs")
	}
	d := newCase(t)
	before := state(t, d)
	wide := "A" + strings.Repeat(",A", 1_000_000) + "\n"
	oneLine := bytes.Repeat([]byte("x"), 50<<20)
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"xlsx zip bomb", "bomb.xlsx", zipBomb(t), "limit"},
		{"million-column header", "wide.csv", []byte(wide), "line 1"},
		{"50 MB single line", "line.csv", oneLine, "no profile fits line.csv"},
		{"not a spreadsheet", "calls.xlsx", []byte("PK\x03\x04garbage"), "bad.xlsx"},
		{"legacy xls", "old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), ".xls"},
		{"unknown layout", "calls.csv", []byte("Caller,Callee,When\n1,2,3\n"), "best candidates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, tt.file, tt.data)
			start := time.Now()
			code, _, errs := cli(t, nil, "ingest", "--data", d, "--case", "OP-TEST", "--kind", "cdr", f)
			if code == 0 {
				t.Fatalf("hostile file ingested")
			}
			if !strings.Contains(errs, filepath.Base(tt.file)) {
				t.Errorf("error does not name the file: %s", errs)
			}
			if tt.want != "bad.xlsx" && !strings.Contains(errs, tt.want) {
				t.Errorf("error %q lacks %q", errs, tt.want)
			}
			if got := state(t, d); got != before {
				t.Errorf("state after a failed ingest: %s, before: %s", got, before)
			}
			t.Logf("%s: %v: %s", tt.name, time.Since(start).Round(time.Millisecond), strings.TrimSpace(errs))
		})
	}
	if code, _, errs := cli(t, nil, "verify", "--data", d); code != 0 {
		t.Errorf("verify after hostile ingests: %s", errs)
	}
}

// A long line or bad text inside real data is a rejected row, accounted for.
func TestIngestBadRowsAreRejectedNotLost(t *testing.T) {
	d := newCase(t)
	head := "Target MSISDN,Other Party,Call Type,Direction,Start Date,Start Time,Duration,First Cell ID,Last Cell ID,IMEI,IMSI\n"
	good := "447700900123,447700900456,MOC,Outgoing,01/03/2026,10:00:00,0:01:10,234-30-129097582,,,\n"
	body := head + good + "447700900123,\xff\xfe,MOC,Outgoing,01/03/2026,10:01:00,0:01:10,,,,\n" +
		"447700900123,447700900456,MOC,Outgoing,01/03/2026,10:02:00,0:01:10,\x00,,,\n" +
		"447700900123," + strings.Repeat("9", 2<<20) + ",MOC,Outgoing,01/03/2026,10:03:00,,,,,\n" + good
	f := writeFile(t, "mixed.csv", []byte(body))
	code, out, errs := cli(t, nil, "ingest", "--data", d, "--case", "OP-TEST", "--kind", "cdr", f)
	if code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	if !strings.Contains(out, "data rows   5 = 1 accepted + 1 duplicates + 3 rejected") || !strings.Contains(out, "unreadable 3") {
		t.Errorf("summary:\n%s", out)
	}
}

func TestIngestCancelled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large input")
	}
	d := newCase(t)
	before := state(t, d)
	var b strings.Builder
	b.WriteString("Target MSISDN,Other Party,Call Type,Direction,Start Date,Start Time,Duration,First Cell ID,Last Cell ID,IMEI,IMSI\n")
	for i := range 300_000 {
		fmt.Fprintf(&b, "447700900123,4477009%05d,MOC,Outgoing,01/03/2026,%02d:%02d:%02d,0:01:10,234-30-%d,,,\n", i%100000, i/3600%24, i/60%60, i%60, 129097582+i%50)
	}
	f := writeFile(t, "big.csv", []byte(b.String()))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	err := run(ctx, []string{"cellsite", "ingest", "--data", d, "--case", "OP-TEST", "--kind", "cdr", f}, func(string) string { return "" }, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("run = %v (ingest finished before the deadline?)", err)
	}
	if got := state(t, d); got != before {
		t.Errorf("state after a cancelled ingest: %s, before: %s", got, before)
	}
}

// A new layout needs a profile file and nothing else.
func TestIngestNewLayoutByProfileFileAlone(t *testing.T) {
	d := newCase(t)
	file := writeFile(t, "acme.csv", []byte("ACME MOBILE LAWFUL DISCLOSURE\n"+
		"Subscriber|Peer|Kind|When (UTC)|Secs|Site Cell\n"+
		"+447700900123|+447700900456|CALL-OUT|2026-03-01 10:00:00|65|234-30-129097582\n"+
		"+447700900123|+447700900456|TEXT-IN|2026-03-01 10:05:00||\n"))
	code, _, errs := cli(t, nil, "ingest", "--data", d, "--case", "OP-TEST", "--kind", "cdr", file)
	if code == 0 || !strings.Contains(errs, "no profile fits acme.csv; best candidates") {
		t.Fatalf("unknown layout: %d %s", code, errs)
	}
	profiles := t.TempDir()
	os.WriteFile(filepath.Join(profiles, "acme-cdr.toml"), []byte(`name = "acme-cdr"
version = "2026.1"
kind = "cdr"
title = "ACME Mobile CDR"
status = "verified"
delimiter = "|"
country = "GB"
time_basis = "utc"
time_formats = ["2006-01-02 15:04:05"]
duration_format = "seconds"
footer_patterns = []
required = ["target", "start"]

[columns]
target = ["Subscriber"]
other = ["Peer"]
event_type = ["Kind"]
start = ["When (UTC)"]
duration = ["Secs"]
first_cell = ["Site Cell"]

[event_types]
"CALL-OUT" = "voice/out"
"TEXT-IN" = "sms/in"
`), 0o644)
	code, out, errs := cli(t, map[string]string{"CELLSITE_PROFILES": profiles}, "ingest", "--data", d, "--case", "OP-TEST", "--kind", "cdr", file)
	if code != 0 || !strings.Contains(out, "profile     acme-cdr 2026.1 (verified), detected") || !strings.Contains(out, "data rows   2 = 2 accepted + 0 duplicates + 0 rejected") {
		t.Fatalf("new layout: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = cli(t, nil, "profiles", "--profiles", profiles)
	if code != 0 || !strings.Contains(out, "acme-cdr") {
		t.Errorf("profiles: %s", out)
	}
}
