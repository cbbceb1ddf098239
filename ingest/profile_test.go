package ingest_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/ingest"
	"github.com/cellsite/cellsite/templates"
)

func builtin(t testing.TB) *ingest.Profiles {
	t.Helper()
	ps, err := ingest.LoadProfiles(templates.Profiles(), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestShippedProfiles(t *testing.T) {
	ps := builtin(t)
	want := []string{
		"cellsite-cdr", "ee-cdr", "vodafone-cdr", "o2-cdr", "three-cdr", "airtel-cdr", "jio-cdr", "vi-cdr", "bsnl-cdr", "telenor-cdr",
		"cellsite-cells", "operator-cells-osgb", "operator-cells-latlon", "opencellid", "nsg-cells", "ofcom-sitefinder",
	}
	for _, n := range want {
		p, err := ps.Get(n)
		if err != nil {
			t.Errorf("shipped profile %s: %v", n, err)
			continue
		}
		if p.Hash.IsZero() || p.Origin != "built-in" {
			t.Errorf("%s: hash %s origin %q", n, p.Hash, p.Origin)
		}
	}
	for _, n := range []string{"ee-cdr", "vodafone-cdr", "o2-cdr", "three-cdr"} {
		if p, _ := ps.Get(n); p != nil && p.Status != "unverified reconstruction" {
			t.Errorf("%s: status %q, want it marked as an unverified reconstruction", n, p.Status)
		}
	}
	if len(ps.List()) < len(want) {
		t.Errorf("%d profiles loaded, want at least %d", len(ps.List()), len(want))
	}
}

func TestProfileErrors(t *testing.T) {
	const base = `name = "x"
version = "1"
kind = "cdr"
time_basis = "utc"
time_formats = ["2006-01-02 15:04:05"]
[columns]
target = ["A"]
start = ["When"]
`
	tests := []struct {
		name, text, want string
	}{
		{"not toml", "name = ", "x.toml"},
		{"unknown setting", "colour = \"blue\"\n" + base, "unknown setting"},
		{"bad name", strings.Replace(base, `name = "x"`, `name = "Bad Name"`, 1), "lower-case"},
		{"no version", strings.Replace(base, `version = "1"`, ``, 1), "version is required"},
		{"bad kind", strings.Replace(base, `kind = "cdr"`, `kind = "sms"`, 1), "want cdr or cells"},
		{"bad basis", strings.Replace(base, `"utc"`, `"bst"`, 1), "time_basis"},
		{"unknown field", base + "colour = [\"C\"]\n", "not a cdr field"},
		{"no start", strings.Replace(base, `start = ["When"]`, `other = ["B"]`, 1), "maps start"},
		{"bad event type", base + "[event_types]\nMOC = \"call/out\"\n", "type must be one of"},
		{"bad direction", base + "[directions]\nO = \"up\"\n", "want in or out"},
		{"bad regexp", strings.Replace(base, "[columns]", "footer_patterns = ['(']\n[columns]", 1), "footer_patterns"},
		{"required unmapped", strings.Replace(base, "[columns]", "required = [\"imei\"]\n[columns]", 1), "required field imei"},
		{"header twice", base + "other = [\"a\"]\n", "given for both"},
		{"offset without basis", strings.Replace(base, "[columns]", "utc_offset = \"+05:30\"\n[columns]", 1), "utc_offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.LoadProfiles(fstest.MapFS{"x.toml": {Data: []byte(tt.text)}}, "test")
			if err == nil || !strings.Contains(err.Error(), tt.want) || cellsite.KindOf(err) != cellsite.Invalid {
				t.Errorf("err = %v, want Invalid containing %q", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "x.toml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestProfileOverride(t *testing.T) {
	ps := builtin(t)
	extra, err := ingest.LoadProfiles(fstest.MapFS{"mine.toml": {Data: []byte(`name = "ee-cdr"
version = "2025.9-force"
kind = "cdr"
time_basis = "utc"
time_formats = ["2006-01-02 15:04:05"]
[columns]
target = ["Target"]
start = ["Start"]
`)}}, "/etc/cellsite/profiles")
	if err != nil {
		t.Fatal(err)
	}
	ps.Override(extra)
	p, _ := ps.Get("ee-cdr")
	if p.Version != "2025.9-force" || p.Origin != "/etc/cellsite/profiles" {
		t.Errorf("override not applied: %s %s", p.Version, p.Origin)
	}
	if _, err := ps.Get("nope"); cellsite.KindOf(err) != cellsite.NotFound || !strings.Contains(err.Error(), "ee-cdr") {
		t.Errorf("Get(nope) = %v, want NotFound listing the names", err)
	}
}
