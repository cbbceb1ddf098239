package ingest

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/cellsite/cellsite"
)

// Profile describes one layout of an operator's export or cell list: how to
// find its header, which column holds which field, and how to read each
// value. Profiles are data (TOML files, see docs/PROFILES.md); a new layout
// is a new file, not new code.
type Profile struct {
	Name        string   `toml:"name"`
	Version     string   `toml:"version"`
	Kind        string   `toml:"kind"`   // cdr or cells
	Title       string   `toml:"title"`  // shown to people
	Status      string   `toml:"status"` // documented, verified, unverified reconstruction
	SourceNote  string   `toml:"source"` // where the layout comes from
	Description string   `toml:"description"`
	FileTypes   []string `toml:"file_types"` // csv, xlsx

	Delimiter string   `toml:"delimiter"` // "," ";" "\t" "|"; empty: detected
	Encoding  string   `toml:"encoding"`  // utf-8 (default), windows-1252, latin-1
	Sheets    []string `toml:"sheets"`    // XLSX sheets to read; empty: every visible sheet

	Headerless       bool     `toml:"headerless"`         // no header row: Columns give positions "#1", "#2"...
	RowPattern       string   `toml:"row_pattern"`        // headerless: regexp the comma-joined first data rows match (detection)
	HeaderSearchRows int      `toml:"header_search_rows"` // rows searched for the header [50]
	FooterPatterns   []string `toml:"footer_patterns"`    // regexps: a row whose joined text matches is a footer line

	Country         string `toml:"country"`           // numbering plan for national numbers: GB, IN, NO, PK, BD
	Network         string `toml:"network"`           // default MCC-MNC for cell IDs that carry none
	NetworkFromName string `toml:"network_from_name"` // regexp with two groups (MCC, MNC) applied to the file name

	TimeBasis      string   `toml:"time_basis"`      // utc, uk-local, offset
	UTCOffset      string   `toml:"utc_offset"`      // offset basis: a fixed offset such as +05:30 when the file states none
	TimeFormats    []string `toml:"time_formats"`    // Go layouts, or excel, unix, unixms, rfc3339
	CellFormat     string   `toml:"cell_format"`     // see CellKey
	DurationFormat string   `toml:"duration_format"` // seconds, hms, auto
	Radio          string   `toml:"radio"`           // cells: radio when no column gives it

	Columns    map[string][]string `toml:"columns"`     // field → header names (aliases), or "#N" positions when headerless
	Required   []string            `toml:"required"`    // fields whose column must be present
	EventTypes map[string]string   `toml:"event_types"` // raw value → "type" or "type/direction"
	Directions map[string]string   `toml:"directions"`  // raw value → in or out

	// Set by LoadProfiles.
	File   string        `toml:"-"` // file name within its origin
	Origin string        `toml:"-"` // "built-in" or the directory it was loaded from
	Hash   cellsite.Hash `toml:"-"` // SHA-256 of the profile file's bytes

	footers    []*regexp.Regexp
	rowPattern *regexp.Regexp
	netFromNam *regexp.Regexp
	headerOf   map[string]string // normalised header text → field
	positions  map[string]int    // headerless: field → 0-based column
	eventTypes map[string][2]string
	directions map[string]string
}

// Fields each kind of profile may map.
var (
	cdrFields = []string{
		"target", "other", "event_type", "direction", "start", "start_date", "start_time", "utc_offset",
		"duration", "first_cell", "last_cell", "first_lac", "first_ci", "last_lac", "last_ci",
		"imei", "imsi", "apn", "bytes", "bytes_up", "bytes_down", "charging_id",
	}
	cellFields = []string{
		"cell", "mcc", "mnc", "lac", "tac", "ci", "eci", "enodeb", "sector", "radio", "site", "address",
		"postcode", "lat", "lon", "easting", "northing", "azimuth", "beamwidth", "band", "earfcn",
		"valid_from", "valid_to",
	}
	eventTypeNames = []string{"voice", "sms", "mms", "data", "forward", "voicemail", "other"}
	cellFormats    = []string{"auto", "cgi", "ecgi", "lac-ci", "lac-ci-hex", "eci", "eci-hex", "tac-eci", "site-ref"}
)

// ProfileError is a problem with a profile file.
type ProfileError struct {
	File   string
	Reason string
}

func (e *ProfileError) Error() string { return "profile " + e.File + ": " + e.Reason }

func profileErr(file, format string, args ...any) error {
	return &cellsite.Error{Op: "load profiles", Kind: cellsite.Invalid, Err: &ProfileError{File: file, Reason: fmt.Sprintf(format, args...)}}
}

// ParseProfile reads and validates one profile file.
func ParseProfile(file string, data []byte) (*Profile, error) {
	var p Profile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&p)
	if err != nil {
		return nil, profileErr(file, "%v", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, profileErr(file, "unknown setting %s", strings.Join(keys, ", "))
	}
	p.File, p.Hash = file, cellsite.Sum(data)
	if err := p.validate(); err != nil {
		return nil, profileErr(file, "%v", err)
	}
	return &p, nil
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func (p *Profile) validate() error {
	if !nameRe.MatchString(p.Name) {
		return fmt.Errorf("name %q: use lower-case letters, digits and dashes", p.Name)
	}
	if p.Version == "" {
		return fmt.Errorf("version is required")
	}
	var fields []string
	switch p.Kind {
	case "cdr":
		fields = cdrFields
	case "cells":
		fields = cellFields
	default:
		return fmt.Errorf("kind %q: want cdr or cells", p.Kind)
	}
	if len(p.FileTypes) == 0 {
		p.FileTypes = []string{"csv", "xlsx"}
	}
	for _, t := range p.FileTypes {
		if t != "csv" && t != "xlsx" {
			return fmt.Errorf("file_types: %q is not csv or xlsx", t)
		}
	}
	switch p.Delimiter {
	case "", ",", ";", "\t", "|":
	default:
		return fmt.Errorf("delimiter %q: want one of , ; tab |", p.Delimiter)
	}
	switch strings.ToLower(p.Encoding) {
	case "":
		p.Encoding = "utf-8"
	case "utf-8", "windows-1252", "latin-1":
	default:
		return fmt.Errorf("encoding %q: want utf-8, windows-1252 or latin-1", p.Encoding)
	}
	if p.HeaderSearchRows == 0 {
		p.HeaderSearchRows = 50
	}
	if p.HeaderSearchRows < 1 || p.HeaderSearchRows > 10000 {
		return fmt.Errorf("header_search_rows %d: want 1 to 10000", p.HeaderSearchRows)
	}
	for _, pat := range p.FooterPatterns {
		re, err := regexp.Compile(pat)
		if err != nil {
			return fmt.Errorf("footer_patterns: %v", err)
		}
		p.footers = append(p.footers, re)
	}
	if p.RowPattern != "" {
		re, err := regexp.Compile(p.RowPattern)
		if err != nil {
			return fmt.Errorf("row_pattern: %v", err)
		}
		p.rowPattern = re
	}
	if p.Headerless && p.rowPattern == nil {
		return fmt.Errorf("a headerless profile needs a row_pattern for detection")
	}
	if p.NetworkFromName != "" {
		re, err := regexp.Compile(p.NetworkFromName)
		if err != nil {
			return fmt.Errorf("network_from_name: %v", err)
		}
		if re.NumSubexp() != 2 {
			return fmt.Errorf("network_from_name needs two groups (MCC and MNC)")
		}
		p.netFromNam = re
	}
	if p.Network != "" && !networkRe.MatchString(p.Network) {
		return fmt.Errorf("network %q: want MCC-MNC such as 234-30", p.Network)
	}
	switch p.Country {
	case "", "GB", "IN", "NO", "PK", "BD":
	default:
		return fmt.Errorf("country %q: want GB, IN, NO, PK or BD", p.Country)
	}
	switch p.TimeBasis {
	case string(UTC), string(UKLocal), string(Offset):
	case "":
		if p.Kind == "cdr" {
			return fmt.Errorf("time_basis is required: utc, uk-local or offset")
		}
	default:
		return fmt.Errorf("time_basis %q: want utc, uk-local or offset", p.TimeBasis)
	}
	if p.UTCOffset != "" {
		if p.TimeBasis != string(Offset) || !offsetRe.MatchString(p.UTCOffset) {
			return fmt.Errorf("utc_offset %q: needs time_basis = \"offset\" and the form +05:30", p.UTCOffset)
		}
	}
	if p.Kind == "cdr" && len(p.TimeFormats) == 0 {
		return fmt.Errorf("time_formats is required")
	}
	if p.CellFormat == "" {
		p.CellFormat = "auto"
	}
	if !slices.Contains(cellFormats, p.CellFormat) {
		return fmt.Errorf("cell_format %q: want one of %s", p.CellFormat, strings.Join(cellFormats, ", "))
	}
	switch p.DurationFormat {
	case "":
		p.DurationFormat = "auto"
	case "seconds", "hms", "auto":
	default:
		return fmt.Errorf("duration_format %q: want seconds, hms or auto", p.DurationFormat)
	}
	switch p.Radio {
	case "", "GSM", "UMTS", "LTE", "NR":
	default:
		return fmt.Errorf("radio %q: want GSM, UMTS, LTE or NR", p.Radio)
	}
	if len(p.Columns) == 0 {
		return fmt.Errorf("[columns] is empty")
	}
	p.headerOf = make(map[string]string)
	p.positions = make(map[string]int)
	for _, field := range sortedKeys(p.Columns) {
		if !slices.Contains(fields, field) {
			return fmt.Errorf("[columns] %s: not a %s field (fields: %s)", field, p.Kind, strings.Join(fields, ", "))
		}
		names := p.Columns[field]
		if len(names) == 0 {
			return fmt.Errorf("[columns] %s: no header name given", field)
		}
		for _, h := range names {
			if p.Headerless {
				n, err := strconv.Atoi(strings.TrimPrefix(h, "#"))
				if !strings.HasPrefix(h, "#") || err != nil || n < 1 || n > 1024 {
					return fmt.Errorf("[columns] %s: %q is not a column position like \"#3\"", field, h)
				}
				p.positions[field] = n - 1
				continue
			}
			key := normHeader(h)
			if key == "" {
				return fmt.Errorf("[columns] %s: empty header name", field)
			}
			if other, dup := p.headerOf[key]; dup {
				return fmt.Errorf("[columns] header %q is given for both %s and %s", h, other, field)
			}
			p.headerOf[key] = field
		}
	}
	for _, r := range p.Required {
		if _, ok := p.Columns[r]; !ok {
			return fmt.Errorf("required field %s has no entry in [columns]", r)
		}
	}
	if p.Kind == "cdr" {
		if !p.has("start") && !(p.has("start_date") && p.has("start_time")) {
			return fmt.Errorf("a cdr profile maps start, or start_date and start_time")
		}
		if p.has("start") && (p.has("start_date") || p.has("start_time")) {
			return fmt.Errorf("map start, or start_date and start_time, not both")
		}
	} else {
		hasKey := p.has("cell") || p.has("eci") || (p.has("lac") && p.has("ci")) || (p.has("enodeb") && p.has("sector"))
		if !hasKey {
			return fmt.Errorf("a cells profile maps cell, eci, lac and ci, or enodeb and sector")
		}
		if !(p.has("lat") && p.has("lon")) && !(p.has("easting") && p.has("northing")) {
			return fmt.Errorf("a cells profile maps lat and lon, or easting and northing")
		}
	}
	p.eventTypes = make(map[string][2]string)
	for raw, v := range p.EventTypes {
		typ, dir, _ := strings.Cut(v, "/")
		if !slices.Contains(eventTypeNames, typ) {
			return fmt.Errorf("[event_types] %q = %q: type must be one of %s", raw, v, strings.Join(eventTypeNames, ", "))
		}
		if dir != "" && dir != "in" && dir != "out" {
			return fmt.Errorf("[event_types] %q = %q: direction must be in or out", raw, v)
		}
		p.eventTypes[normValue(raw)] = [2]string{typ, dir}
	}
	p.directions = make(map[string]string)
	for raw, v := range p.Directions {
		if v != "in" && v != "out" {
			return fmt.Errorf("[directions] %q = %q: want in or out", raw, v)
		}
		p.directions[normValue(raw)] = v
	}
	return nil
}

var (
	networkRe = regexp.MustCompile(`^\d{3}-\d{2,3}$`)
	offsetRe  = regexp.MustCompile(`^[+-]\d{2}:\d{2}$`)
)

func (p *Profile) has(field string) bool { _, ok := p.Columns[field]; return ok }

// normHeader folds a header cell for matching: trimmed, lower-case, inner
// white space collapsed, a BOM and surrounding quotes removed.
func normHeader(s string) string {
	if folded(s) {
		return s
	}
	return foldHeader(s)
}

func foldHeader(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// folded reports whether normHeader and normValue would return s as it
// is: ASCII without capitals, quotes or white space at either end, and
// words separated by single spaces.
func folded(s string) bool {
	if s == "" {
		return true
	}
	if c := s[0]; c == ' ' || c == '"' || c == '\'' {
		return false
	}
	if c := s[len(s)-1]; c == ' ' || c == '"' || c == '\'' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, 'A' <= c && c <= 'Z', c < ' ', c == 0x7f:
			return false
		case c == ' ' && s[i+1] == ' ':
			return false
		}
	}
	return true
}

// normValue folds a vocabulary value (event type, direction) for matching.
func normValue(s string) string {
	if folded(s) {
		return s
	}
	return foldValue(s)
}

func foldValue(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Profiles is a set of profiles by name.
type Profiles struct {
	byName map[string]*Profile
}

// LoadProfiles reads every *.toml file at the top of fsys. origin says where
// they came from ("built-in" or a directory). A file that does not parse or
// validate is an Invalid error naming it; two files with one name are too.
func LoadProfiles(fsys fs.FS, origin string) (*Profiles, error) {
	ps := &Profiles{byName: make(map[string]*Profile)}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, cellsite.Errorf(cellsite.Invalid, "load profiles", "%s: %v", origin, err)
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".toml" {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, cellsite.Errorf(cellsite.Invalid, "load profiles", "%s/%s: %v", origin, e.Name(), err)
		}
		p, err := ParseProfile(e.Name(), b)
		if err != nil {
			return nil, err
		}
		p.Origin = origin
		if prev, dup := ps.byName[p.Name]; dup {
			return nil, profileErr(e.Name(), "name %q is also used by %s", p.Name, prev.File)
		}
		ps.byName[p.Name] = p
	}
	return ps, nil
}

// Override adds the profiles of o, replacing any of the same name.
func (ps *Profiles) Override(o *Profiles) {
	for n, p := range o.byName {
		ps.byName[n] = p
	}
}

// Get returns the named profile or a NotFound error listing the names.
func (ps *Profiles) Get(name string) (*Profile, error) {
	if p, ok := ps.byName[name]; ok {
		return p, nil
	}
	return nil, cellsite.Errorf(cellsite.NotFound, "profile", "no profile %q (profiles: %s)", name, strings.Join(sortedKeys(ps.byName), ", "))
}

// List returns every profile, sorted by kind then name.
func (ps *Profiles) List() []*Profile {
	out := make([]*Profile, 0, len(ps.byName))
	for _, n := range sortedKeys(ps.byName) {
		out = append(out, ps.byName[n])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}
