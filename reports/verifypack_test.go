package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/reports"
)

// rawZip writes entries as given, names unchecked.
func rawZip(t *testing.T, entries [][2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestVerifyPackHostile(t *testing.T) {
	bomb := rawZip(t, [][2]string{{"manifest.json", "{}"}, {"big.bin", strings.Repeat("\x00", 8<<20)}})
	for _, tc := range []struct {
		name string
		zip  []byte
		max  int64
		want string
	}{
		{"not a zip", []byte("PK\x03\x04 nonsense"), 0, "not a readable zip"},
		{"traversal", rawZip(t, [][2]string{{"../../etc/passwd", "x"}, {"manifest.json", "{}"}}), 0, "not a plain relative path"},
		{"absolute", rawZip(t, [][2]string{{"/etc/passwd", "x"}}), 0, "not a plain relative path"},
		{"backslash", rawZip(t, [][2]string{{`..\x`, "x"}}), 0, "not a plain relative path"},
		{"duplicate", rawZip(t, [][2]string{{"a.txt", "x"}, {"a.txt", "y"}}), 0, "appears twice"},
		{"bomb", bomb, 1 << 20, "would unpack to"},
		{"no manifest", rawZip(t, [][2]string{{"a.txt", "x"}}), 0, "manifest.json is missing"},
		{"bad manifest", rawZip(t, [][2]string{{"manifest.json", `{"format":"cellsite-pack/v1","surprise":1}`}}), 0, "unknown field"},
		{"other format", rawZip(t, [][2]string{{"manifest.json", `{"format":"other/v9"}`}}), 0, "format"},
		{"no key", rawZip(t, [][2]string{{"manifest.json", `{"format":"cellsite-pack/v1"}`}}), 0, "log.pub is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reports.VerifyPack(context.Background(), bytes.NewReader(tc.zip), int64(len(tc.zip)), reports.PackCheck{MaxSize: tc.max})
			if err == nil || cellsite.KindOf(err) != cellsite.Integrity || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an Integrity error containing %q", err, tc.want)
			}
		})
	}
}
