package cellsite

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"time"
)

// Event is one cleansed call data record: a call, message or data session of
// a target phone, with every normalised value kept beside its original text
// and the place in the original file it came from.
type Event struct {
	Source Hash   `json:"source"` // SHA-256 of the original file
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row"` // line (CSV) or sheet row (XLSX) in the original, from 1

	Target    string `json:"target"` // MSISDN of the phone of interest, E.164
	TargetRaw string `json:"target_raw"`
	Other     string `json:"other"`      // the other party: E.164, short code, sender ID or ""
	OtherKind string `json:"other_kind"` // msisdn, short, alpha, withheld, raw
	OtherRaw  string `json:"other_raw"`

	Type      string `json:"type"`      // voice, sms, mms, data, forward, voicemail, other
	Direction string `json:"direction"` // in, out, or "" when not stated
	TypeRaw   string `json:"type_raw"`

	Start     time.Time `json:"start"` // the instant, UTC
	StartRaw  string    `json:"start_raw"`
	TimeBasis string    `json:"time_basis"` // utc, uk-local, offset: how the original stated it
	TimeFlag  string    `json:"time_flag"`  // "", ambiguous, impossible (UK local time at a clock change)

	DurationS   int64  `json:"duration_s"`
	DurationRaw string `json:"duration_raw"`

	FirstCell    string `json:"first_cell"` // canonical cell key, or "" when none
	FirstCellRaw string `json:"first_cell_raw"`
	LastCell     string `json:"last_cell"`
	LastCellRaw  string `json:"last_cell_raw"`

	IMEI    string `json:"imei"`
	IMEIRaw string `json:"imei_raw"`
	IMSI    string `json:"imsi"`
	IMSIRaw string `json:"imsi_raw"`

	APN        string `json:"apn"`
	Bytes      int64  `json:"bytes"` // data volume, -1 when not given
	ChargingID string `json:"charging_id"`

	DuplicateOf int      `json:"duplicate_of,omitempty"` // row of the first occurrence when this row repeats it exactly
	Warnings    []string `json:"warnings,omitempty"`     // codes, e.g. imei-check-digit, time-ambiguous
}

// Cell is one record of a cell site list: where a cell's mast stood, which
// way it pointed, and when the record was valid.
type Cell struct {
	Source Hash   `json:"source"`
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row"`

	Key    string `json:"key"` // canonical: MCC-MNC-LAC-CI (2G/3G) or MCC-MNC-ECI (LTE)
	KeyRaw string `json:"key_raw"`
	Radio  string `json:"radio"` // GSM, UMTS, LTE, NR, or ""

	Site     string `json:"site"`
	Address  string `json:"address"`
	Postcode string `json:"postcode"`

	Lat      float64 `json:"lat"` // ETRS89 (WGS84 for display), degrees
	Lon      float64 `json:"lon"`
	Easting  float64 `json:"easting"` // OSGB36 National Grid, metres
	Northing float64 `json:"northing"`

	AzimuthDeg   float64 `json:"azimuth_deg"`   // true-north bearing [0,360); ignored when Omni
	Omni         bool    `json:"omni"`          // no azimuth given
	BeamwidthDeg float64 `json:"beamwidth_deg"` // 0 when not given
	Band         string  `json:"band"`

	ValidFrom time.Time `json:"valid_from"` // zero: from the beginning
	ValidTo   time.Time `json:"valid_to"`   // zero: still valid (exclusive bound otherwise)

	Warnings []string `json:"warnings,omitempty"`
}

// ValidAt reports whether the record was valid at instant t.
func (c *Cell) ValidAt(t time.Time) bool {
	if !c.ValidFrom.IsZero() && t.Before(c.ValidFrom) {
		return false
	}
	return c.ValidTo.IsZero() || t.Before(c.ValidTo)
}

// Domain-separation prefixes of the canonical encodings below.
const (
	EventsMagic = "cellsite/events/v1\n"
	CellsMagic  = "cellsite/cells/v1\n"
)

// Digest accumulates the SHA-256 of a canonical encoding of a sequence of
// events or cells, so that a step's output can be recorded in provenance
// without holding it all in memory. The encoding is defined in
// docs/CANONICAL.md: a magic line, then per record a fixed field order of
// length-prefixed strings and big-endian integers.
type Digest struct {
	h    hash.Hash
	buf  []byte // encoded records not yet hashed
	n    int64
	size int64
}

// digestBuffer is how many bytes of encoded records a Digest gathers
// before hashing them, in one call rather than one a record.
const digestBuffer = 32 << 10

// NewEventDigest starts a digest of events.
func NewEventDigest() *Digest { return newDigest(EventsMagic) }

// NewCellDigest starts a digest of cells.
func NewCellDigest() *Digest { return newDigest(CellsMagic) }

func newDigest(magic string) *Digest {
	d := &Digest{h: sha256.New(), buf: make([]byte, 0, digestBuffer+1024)}
	d.h.Write([]byte(magic))
	d.size = int64(len(magic))
	return d
}

// Count returns how many records were added.
func (d *Digest) Count() int64 { return d.n }

// Sum returns the digest as an artefact whose Size is the length in bytes
// of the canonical encoding.
func (d *Digest) Sum() Artefact {
	d.hashBuffer()
	a := Artefact{Size: d.size}
	copy(a.SHA256[:], d.h.Sum(nil))
	return a
}

func (d *Digest) hashBuffer() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}

// added accounts for the record that b, the buffer, now ends with.
func (d *Digest) added(b []byte) {
	d.size += int64(len(b) - len(d.buf))
	d.n++
	d.buf = b
	if len(b) >= digestBuffer {
		d.hashBuffer()
	}
}

func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendI64(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

func appendTime(b []byte, v time.Time) []byte {
	if v.IsZero() {
		return appendI64(b, math.MinInt64)
	}
	return appendI64(b, v.UnixNano())
}

func appendF64(b []byte, v float64) []byte {
	return binary.BigEndian.AppendUint64(b, math.Float64bits(v))
}

func appendStrs(b []byte, ss []string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(ss)))
	for _, s := range ss {
		b = appendStr(b, s)
	}
	return b
}

// AddEvent adds one event.
func (d *Digest) AddEvent(e *Event) {
	b := append(d.buf, e.Source[:]...)
	b = appendStr(b, e.Sheet)
	b = appendI64(b, int64(e.Row))
	b = appendStr(b, e.Target)
	b = appendStr(b, e.TargetRaw)
	b = appendStr(b, e.Other)
	b = appendStr(b, e.OtherKind)
	b = appendStr(b, e.OtherRaw)
	b = appendStr(b, e.Type)
	b = appendStr(b, e.Direction)
	b = appendStr(b, e.TypeRaw)
	b = appendTime(b, e.Start)
	b = appendStr(b, e.StartRaw)
	b = appendStr(b, e.TimeBasis)
	b = appendStr(b, e.TimeFlag)
	b = appendI64(b, e.DurationS)
	b = appendStr(b, e.DurationRaw)
	b = appendStr(b, e.FirstCell)
	b = appendStr(b, e.FirstCellRaw)
	b = appendStr(b, e.LastCell)
	b = appendStr(b, e.LastCellRaw)
	b = appendStr(b, e.IMEI)
	b = appendStr(b, e.IMEIRaw)
	b = appendStr(b, e.IMSI)
	b = appendStr(b, e.IMSIRaw)
	b = appendStr(b, e.APN)
	b = appendI64(b, e.Bytes)
	b = appendStr(b, e.ChargingID)
	b = appendI64(b, int64(e.DuplicateOf))
	b = appendStrs(b, e.Warnings)
	d.added(b)
}

// AddCell adds one cell record.
func (d *Digest) AddCell(c *Cell) {
	b := append(d.buf, c.Source[:]...)
	b = appendStr(b, c.Sheet)
	b = appendI64(b, int64(c.Row))
	for _, s := range [...]string{c.Key, c.KeyRaw, c.Radio, c.Site, c.Address, c.Postcode} {
		b = appendStr(b, s)
	}
	for _, v := range [...]float64{c.Lat, c.Lon, c.Easting, c.Northing, c.AzimuthDeg} {
		b = appendF64(b, v)
	}
	if c.Omni {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendF64(b, c.BeamwidthDeg)
	b = appendStr(b, c.Band)
	b = appendTime(b, c.ValidFrom)
	b = appendTime(b, c.ValidTo)
	b = appendStrs(b, c.Warnings)
	d.added(b)
}

// RowFault is a row of an original file that was rejected: where it is and why.
type RowFault struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"` // the column's header as in the file, or the field name
	Code   string `json:"code"`             // a stable reason code, e.g. bad-time
	Reason string `json:"reason"`           // a sentence for people
	Value  string `json:"value,omitempty"`  // the offending text, at most 200 bytes
}

// Case is an investigation: the unit of access and of evidential packs.
type Case struct {
	Ref       string    `json:"ref"` // the force's reference, e.g. OP-LANTERN-01
	Title     string    `json:"title"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Source is an original file ingested into a case.
type Source struct {
	ID             int64     `json:"id"`
	Case           string    `json:"case"`
	Kind           string    `json:"kind"` // cdr or cells
	Name           string    `json:"name"` // the file's name as given
	SHA256         Hash      `json:"sha256"`
	Size           int64     `json:"size"`
	Profile        string    `json:"profile"`
	ProfileVersion string    `json:"profile_version"`
	ProfileSHA256  Hash      `json:"profile_sha256"`
	TimeBasis      string    `json:"time_basis"`
	Target         string    `json:"target"`
	Summary        []byte    `json:"summary"` // the ingest summary, JSON
	Leaf           int64     `json:"leaf"`    // the provenance leaf that records the ingest
	IngestedAt     time.Time `json:"ingested_at"`
}
