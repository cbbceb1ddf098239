package reports_test

import (
	"testing"

	"github.com/cellsite/cellsite/reports"
)

func TestNeutralise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"+447700900123", "+447700900123"},
		{"+44 7700 900123", "+44 7700 900123"},
		{"-2.5", "-2.5"},
		{"07700900123", "07700900123"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"=1+1", "'=1+1"},
		{"+1+1", "'+1+1"},
		{"-1-1", "'-1-1"},
		{"+", "'+"},
		{"-", "'-"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\r=1", "'\r=1"},
		{"+44 ", "'+44 "},
		{"+44  77", "'+44  77"},
		{"+1.", "'+1."},
		{"+1.2.3", "'+1.2.3"},
		{"-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"},
		{"O2 UK", "O2 UK"},
	} {
		if got := reports.Neutralise(tc.in); got != tc.want {
			t.Errorf("Neutralise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
