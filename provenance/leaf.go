package provenance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cellsite/cellsite"
)

// Type is the kind of step a leaf records.
type Type string

// The step types. Others may be added; a verifier treats the type as text.
const (
	Genesis    Type = "genesis"    // the first leaf of every log
	CaseOpened Type = "case"       // a case created
	Ingest     Type = "ingest"     // an original file parsed into events or cells
	Cleanse    Type = "cleanse"    // records normalised, deduplicated, flagged
	Analyse    Type = "analyse"    // an analysis run over events and cells
	Render     Type = "render"     // a schedule, report or map rendered
	Pack       Type = "pack"       // an evidential pack assembled
	Review     Type = "review"     // a second person's check recorded
	Export     Type = "export"     // data or a pack released outside the service
	Correction Type = "correction" // an amendment that supersedes an earlier leaf
)

// Actor is who caused a step.
type Actor struct {
	User string `json:"user"`
	Role string `json:"role"`
}

// Reference is reference data a step relied on: a cell list, a format
// profile, a schedule template.
type Reference struct {
	Kind    string        `json:"kind"`
	Name    string        `json:"name"`
	Version string        `json:"version"`
	SHA256  cellsite.Hash `json:"sha256"`
}

// Param is one named parameter of a step. Keys are unique within a leaf.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Count is one named count of a step (rows read, events accepted...).
type Count struct {
	Key string `json:"key"`
	N   int64  `json:"n"`
}

// Leaf is one recorded step. Index and Prev are assigned by Log.Append.
type Leaf struct {
	Index      int64               `json:"index"`
	Type       Type                `json:"type"`
	Case       string              `json:"case"`
	Prev       cellsite.Hash       `json:"prev"`                 // hash of the leaf before; zero for genesis
	Supersedes *int64              `json:"supersedes,omitempty"` // index of the leaf this one corrects
	Started    time.Time           `json:"started"`
	Ended      time.Time           `json:"ended"`
	Actor      Actor               `json:"actor"`
	Software   cellsite.Software   `json:"software"`
	Inputs     []cellsite.Artefact `json:"inputs"`
	Outputs    []cellsite.Artefact `json:"outputs"`
	References []Reference         `json:"references"`
	Params     []Param             `json:"params"`
	Counts     []Count             `json:"counts"`
	Warnings   []string            `json:"warnings"`
	Note       string              `json:"note"`
}

// Param returns the value of the named parameter, or "".
func (l *Leaf) Param(key string) string {
	for _, p := range l.Params {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// Count returns the named count, or 0.
func (l *Leaf) Count(key string) int64 {
	for _, c := range l.Counts {
		if c.Key == key {
			return c.N
		}
	}
	return 0
}

// Magic begins every encoded leaf (version 1). It separates leaf bytes from
// any other bytes Cellsite hashes.
const Magic = "cellsite/provenance/leaf/v1\n"

// Limits on an encoded leaf, enforced by both Encode and Decode.
const (
	MaxLeafSize = 1 << 20 // bytes
	maxItems    = 1 << 16 // entries in any one list
)

// Encode returns the canonical encoding of l (FORMAT.md). Params and Counts
// are written sorted by key; a repeated key, invalid UTF-8, a negative size
// or a zero time is an Invalid error.
func (l Leaf) Encode() ([]byte, error) {
	var e encoder
	e.b = make([]byte, 0, 512)
	e.b = append(e.b, Magic...)
	if l.Index < 0 {
		return nil, cellsite.Errorf(cellsite.Invalid, "encode leaf", "negative index %d", l.Index)
	}
	if l.Type == "" {
		return nil, cellsite.Errorf(cellsite.Invalid, "encode leaf", "no type")
	}
	if l.Started.IsZero() || l.Ended.IsZero() {
		return nil, cellsite.Errorf(cellsite.Invalid, "encode leaf", "started and ended times are required")
	}
	e.u64(uint64(l.Index))
	e.str(string(l.Type))
	e.str(l.Case)
	e.b = append(e.b, l.Prev[:]...)
	if l.Supersedes != nil {
		if *l.Supersedes < 0 || *l.Supersedes >= l.Index {
			return nil, cellsite.Errorf(cellsite.Invalid, "encode leaf", "supersedes %d: must name an earlier leaf", *l.Supersedes)
		}
		e.b = append(e.b, 1)
		e.u64(uint64(*l.Supersedes))
	} else {
		e.b = append(e.b, 0)
	}
	e.u64(uint64(l.Started.UnixNano()))
	e.u64(uint64(l.Ended.UnixNano()))
	e.str(l.Actor.User)
	e.str(l.Actor.Role)
	e.str(l.Software.Module)
	e.str(l.Software.Version)
	e.str(l.Software.Revision)
	e.str(l.Software.GoVersion)
	for _, list := range [][]cellsite.Artefact{l.Inputs, l.Outputs} {
		e.count(len(list))
		for _, a := range list {
			if a.Size < 0 {
				e.fail("artefact %q: negative size", a.Name)
			}
			e.str(a.Name)
			e.b = append(e.b, a.SHA256[:]...)
			e.u64(uint64(a.Size))
		}
	}
	e.count(len(l.References))
	for _, r := range l.References {
		e.str(r.Kind)
		e.str(r.Name)
		e.str(r.Version)
		e.b = append(e.b, r.SHA256[:]...)
	}
	params := slices.Clone(l.Params)
	slices.SortStableFunc(params, func(a, b Param) int { return strings.Compare(a.Key, b.Key) })
	e.count(len(params))
	for i, p := range params {
		if i > 0 && params[i-1].Key == p.Key {
			e.fail("parameter %q repeated", p.Key)
		}
		e.str(p.Key)
		e.str(p.Value)
	}
	counts := slices.Clone(l.Counts)
	slices.SortStableFunc(counts, func(a, b Count) int { return strings.Compare(a.Key, b.Key) })
	e.count(len(counts))
	for i, c := range counts {
		if i > 0 && counts[i-1].Key == c.Key {
			e.fail("count %q repeated", c.Key)
		}
		e.str(c.Key)
		e.u64(uint64(c.N))
	}
	e.count(len(l.Warnings))
	for _, w := range l.Warnings {
		e.str(w)
	}
	e.str(l.Note)
	if e.err == nil && len(e.b) > MaxLeafSize {
		e.fail("encoded leaf is %d bytes, over the %d limit", len(e.b), MaxLeafSize)
	}
	if e.err != nil {
		return nil, cellsite.Errorf(cellsite.Invalid, "encode leaf", "%v", e.err)
	}
	return e.b, nil
}

type encoder struct {
	b   []byte
	err error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf(format, args...)
	}
}

func (e *encoder) u64(v uint64) { e.b = binary.BigEndian.AppendUint64(e.b, v) }

func (e *encoder) count(n int) {
	if n > maxItems {
		e.fail("list of %d entries, over the %d limit", n, maxItems)
	}
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
}

func (e *encoder) str(s string) {
	if !utf8.ValidString(s) {
		e.fail("invalid UTF-8 in %q", s)
	}
	if len(s) > MaxLeafSize {
		e.fail("string of %d bytes, over the limit", len(s))
		return
	}
	e.b = binary.BigEndian.AppendUint32(e.b, uint32(len(s)))
	e.b = append(e.b, s...)
}

// Decode parses a canonical leaf encoding. Anything that is not exactly the
// encoding Encode would produce (wrong magic, truncation, trailing bytes,
// unsorted or repeated keys, invalid UTF-8, zero times) is an Integrity error.
func Decode(b []byte) (Leaf, error) {
	var l Leaf
	fail := func(format string, args ...any) (Leaf, error) {
		return Leaf{}, cellsite.Errorf(cellsite.Integrity, "decode leaf", format, args...)
	}
	if len(b) > MaxLeafSize {
		return fail("%d bytes, over the %d limit", len(b), MaxLeafSize)
	}
	if !bytes.HasPrefix(b, []byte(Magic)) {
		return fail("does not begin with %q", strings.TrimSpace(Magic))
	}
	d := decoder{b: b[len(Magic):]}
	idx := d.u64()
	if idx > math.MaxInt64 {
		d.fail("index out of range")
	}
	l.Index = int64(idx)
	l.Type = Type(d.str())
	if l.Type == "" {
		d.fail("no type")
	}
	l.Case = d.str()
	copy(l.Prev[:], d.take(32))
	switch flag := d.byte(); flag {
	case 0:
	case 1:
		s := d.u64()
		if s >= idx {
			d.fail("supersedes %d: not an earlier leaf", s)
		}
		v := int64(s)
		l.Supersedes = &v
	default:
		d.fail("supersedes flag %d", flag)
	}
	started, ended := int64(d.u64()), int64(d.u64())
	l.Started, l.Ended = time.Unix(0, started).UTC(), time.Unix(0, ended).UTC()
	l.Actor.User = d.str()
	l.Actor.Role = d.str()
	l.Software.Module = d.str()
	l.Software.Version = d.str()
	l.Software.Revision = d.str()
	l.Software.GoVersion = d.str()
	for _, list := range []*[]cellsite.Artefact{&l.Inputs, &l.Outputs} {
		n := d.count()
		for range n {
			var a cellsite.Artefact
			a.Name = d.str()
			copy(a.SHA256[:], d.take(32))
			size := d.u64()
			if size > math.MaxInt64 {
				d.fail("artefact size out of range")
			}
			a.Size = int64(size)
			*list = append(*list, a)
		}
	}
	for range d.count() {
		var r Reference
		r.Kind, r.Name, r.Version = d.str(), d.str(), d.str()
		copy(r.SHA256[:], d.take(32))
		l.References = append(l.References, r)
	}
	for i := range d.count() {
		p := Param{Key: d.str(), Value: d.str()}
		if i > 0 && d.err == nil && l.Params[i-1].Key >= p.Key {
			d.fail("parameters not in strictly ascending key order at %q", p.Key)
		}
		l.Params = append(l.Params, p)
	}
	for i := range d.count() {
		c := Count{Key: d.str(), N: int64(d.u64())}
		if i > 0 && d.err == nil && l.Counts[i-1].Key >= c.Key {
			d.fail("counts not in strictly ascending key order at %q", c.Key)
		}
		l.Counts = append(l.Counts, c)
	}
	for range d.count() {
		l.Warnings = append(l.Warnings, d.str())
	}
	l.Note = d.str()
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	if d.err == nil && (started == 0 || ended == 0) {
		d.fail("zero time")
	}
	if d.err != nil {
		return fail("%v", d.err)
	}
	return l, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return make([]byte, n)
	}
	if len(d.b) < n {
		d.fail("truncated")
		d.b = nil
		return make([]byte, n)
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte { return d.take(1)[0] }

func (d *decoder) u64() uint64 { return binary.BigEndian.Uint64(d.take(8)) }

func (d *decoder) count() int {
	n := binary.BigEndian.Uint32(d.take(4))
	if n > maxItems {
		d.fail("list of %d entries, over the %d limit", n, maxItems)
		return 0
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := binary.BigEndian.Uint32(d.take(4))
	if d.err != nil {
		return ""
	}
	if int64(n) > int64(len(d.b)) {
		d.fail("truncated string")
		d.b = nil
		return ""
	}
	s := string(d.take(int(n)))
	if !utf8.ValidString(s) {
		d.fail("invalid UTF-8")
		return ""
	}
	return s
}
