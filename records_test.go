package cellsite_test

import (
	"crypto/sha256"
	"encoding/binary"

	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
)

// canonical is a plain encoder of events and cells, written from the
// description of the encoding, to check Digest against.
type canonical struct{ b []byte }

func (c *canonical) str(s string) {
	c.b = binary.BigEndian.AppendUint32(c.b, uint32(len(s)))
	c.b = append(c.b, s...)
}
func (c *canonical) i64(v int64)   { c.b = binary.BigEndian.AppendUint64(c.b, uint64(v)) }
func (c *canonical) f64(v float64) { c.b = binary.BigEndian.AppendUint64(c.b, math.Float64bits(v)) }
func (c *canonical) t(v time.Time) {
	if v.IsZero() {
		c.i64(math.MinInt64)
	} else {
		c.i64(v.UnixNano())
	}
}
func (c *canonical) strs(ss []string) {
	c.b = binary.BigEndian.AppendUint32(c.b, uint32(len(ss)))
	for _, s := range ss {
		c.str(s)
	}
}

func (c *canonical) event(e *cellsite.Event) {
	c.b = append(c.b, e.Source[:]...)
	c.str(e.Sheet)
	c.i64(int64(e.Row))
	for _, s := range []string{e.Target, e.TargetRaw, e.Other, e.OtherKind, e.OtherRaw, e.Type, e.Direction, e.TypeRaw} {
		c.str(s)
	}
	c.t(e.Start)
	for _, s := range []string{e.StartRaw, e.TimeBasis, e.TimeFlag} {
		c.str(s)
	}
	c.i64(e.DurationS)
	for _, s := range []string{e.DurationRaw, e.FirstCell, e.FirstCellRaw, e.LastCell, e.LastCellRaw, e.IMEI, e.IMEIRaw, e.IMSI, e.IMSIRaw, e.APN} {
		c.str(s)
	}
	c.i64(e.Bytes)
	c.str(e.ChargingID)
	c.i64(int64(e.DuplicateOf))
	c.strs(e.Warnings)
}

func (c *canonical) cell(x *cellsite.Cell) {
	c.b = append(c.b, x.Source[:]...)
	c.str(x.Sheet)
	c.i64(int64(x.Row))
	for _, s := range []string{x.Key, x.KeyRaw, x.Radio, x.Site, x.Address, x.Postcode} {
		c.str(s)
	}
	for _, v := range []float64{x.Lat, x.Lon, x.Easting, x.Northing, x.AzimuthDeg} {
		c.f64(v)
	}
	if x.Omni {
		c.b = append(c.b, 1)
	} else {
		c.b = append(c.b, 0)
	}
	c.f64(x.BeamwidthDeg)
	c.str(x.Band)
	c.t(x.ValidFrom)
	c.t(x.ValidTo)
	c.strs(x.Warnings)
}

func randomText(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return ""
	}
	return strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN(300))
}

func randomEvent(r *rand.Rand) cellsite.Event {
	t := randomText
	e := cellsite.Event{Sheet: t(r), Row: r.IntN(1 << 20), Target: t(r), TargetRaw: t(r), Other: t(r), OtherKind: t(r), OtherRaw: t(r),
		Type: t(r), Direction: t(r), TypeRaw: t(r), StartRaw: t(r), TimeBasis: t(r), TimeFlag: t(r), DurationS: r.Int64() - r.Int64(),
		DurationRaw: t(r), FirstCell: t(r), FirstCellRaw: t(r), LastCell: t(r), LastCellRaw: t(r), IMEI: t(r), IMEIRaw: t(r),
		IMSI: t(r), IMSIRaw: t(r), APN: t(r), Bytes: r.Int64N(1<<40) - 1, ChargingID: t(r), DuplicateOf: r.IntN(1000)}
	e.Source[r.IntN(32)] = byte(r.IntN(256))
	if r.IntN(3) > 0 {
		e.Start = time.Unix(r.Int64N(1<<35), r.Int64N(1e9)).UTC()
	}
	for range r.IntN(4) {
		e.Warnings = append(e.Warnings, t(r))
	}
	return e
}

func randomCell(r *rand.Rand) cellsite.Cell {
	t := randomText
	c := cellsite.Cell{Sheet: t(r), Row: r.IntN(1 << 20), Key: t(r), KeyRaw: t(r), Radio: t(r), Site: t(r), Address: t(r), Postcode: t(r),
		Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180, Easting: r.Float64() * 7e5, Northing: r.Float64() * 1.2e6,
		AzimuthDeg: r.Float64() * 360, Omni: r.IntN(2) == 0, BeamwidthDeg: r.Float64() * 120, Band: t(r)}
	if r.IntN(2) == 0 {
		c.ValidFrom = time.Unix(r.Int64N(1<<34), 0).UTC()
	}
	if r.IntN(2) == 0 {
		c.ValidTo = time.Unix(r.Int64N(1<<34), 0).UTC()
	}
	for range r.IntN(3) {
		c.Warnings = append(c.Warnings, t(r))
	}
	return c
}

// TestDigestEncoding checks Digest against the plain encoder, record by
// record: the digest, its size and count after every record (Sum may be
// asked for at any point, then more records added).
func TestDigestEncoding(t *testing.T) {
	for _, kind := range []string{"events", "cells"} {
		t.Run(kind, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(kind))))
			d, c := cellsite.NewEventDigest(), &canonical{b: []byte(cellsite.EventsMagic)}
			if kind == "cells" {
				d, c = cellsite.NewCellDigest(), &canonical{b: []byte(cellsite.CellsMagic)}
			}
			for i := range 2000 {
				if kind == "events" {
					e := randomEvent(r)
					d.AddEvent(&e)
					c.event(&e)
				} else {
					x := randomCell(r)
					d.AddCell(&x)
					c.cell(&x)
				}
				if i%97 != 0 && i != 1999 {
					continue
				}
				got, want := d.Sum(), cellsite.Artefact{SHA256: sha256.Sum256(c.b), Size: int64(len(c.b))}
				if got != want || d.Count() != int64(i+1) {
					t.Fatalf("after %d records: digest %v count %d, want %v", i+1, got, d.Count(), want)
				}
			}
		})
	}
}

func BenchmarkDigestAddEvent(b *testing.B) {
	e := cellsite.Event{Row: 12345, Target: "+447700900123", TargetRaw: "+447700900123",
		Other: "+447700912345", OtherKind: "msisdn", OtherRaw: "+447700912345", Type: "voice", Direction: "out", TypeRaw: "voice",
		Start: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), StartRaw: "2026-03-01T10:00:00Z", TimeBasis: "utc",
		DurationS: 123, DurationRaw: "123", FirstCell: "234-30-129097582", FirstCellRaw: "234-30-129097582",
		LastCell: "234-30-129097589", LastCellRaw: "234-30-129097589", IMEI: "351234567890123", IMEIRaw: "351234567890123",
		IMSI: "234301234512345", IMSIRaw: "234301234512345", Bytes: -1, Warnings: []string{"imei-check-digit"}}
	d := cellsite.NewEventDigest()
	for range b.N {
		d.AddEvent(&e)
	}
	b.SetBytes(d.Sum().Size / int64(b.N))
}
