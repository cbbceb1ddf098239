package reports

import "strings"

// Neutralise makes text safe to open in a spreadsheet from a CSV, GeoJSON or
// KML export. Spreadsheet programs treat a cell beginning with "=", "+",
// "-", "@", a tab or a carriage return as a formula. Such text gets a
// leading apostrophe, which spreadsheets show as text, except when the whole
// value is a number as written: "+447700900123" and "-2.5" are evidence in
// their own right and cannot run as formulas, so they are left intact.
//
// Excel workbooks need no such rule: Cellsite writes every text cell as a
// string, never as a formula.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return s
	}
	if plainNumber(s) {
		return s
	}
	return "'" + s
}

// plainNumber reports whether s is an optional sign followed by digits,
// with at most one decimal point and spaces between digit groups
// ("+44 7700 900123").
func plainNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	if s == "" || s[0] < '0' || s[0] > '9' || s[len(s)-1] == ' ' {
		return false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == ' ' && s[i-1] != ' ':
		case c == '.' && !dot && i+1 < len(s):
			dot = true
		default:
			return false
		}
	}
	return !strings.Contains(s, ". ")
}
