package reports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"
)

// xlsxZip is the excelize.ZipWriter of WriteWorkbook. excelize hands it the
// parts of a workbook in an order that depends on Go's map iteration order
// when a workbook has several streamed sheets; xlsxZip compresses each part
// as it arrives and keeps it aside (in memory when small, in a temporary
// file when large); once excelize has closed it without error, emit writes
// every part in name order, each stamped with the same modification time. The same parts therefore always give the
// same bytes, and memory stays bounded whatever the size of a sheet.
type xlsxZip struct {
	dst      io.Writer
	modified time.Time
	level    int
	tmpDir   string
	parts    []*xlsxZipPart
	cur      *xlsxZipPart
	err      error
}

// xlsxZipSpill is the compressed size above which a part is kept in a
// temporary file instead of memory.
const xlsxZipSpill = 1 << 20

// xlsxZipPart is one compressed part waiting to be written.
type xlsxZipPart struct {
	name string
	crc  hash.Hash32
	size uint64 // uncompressed
	comp uint64 // compressed
	fw   *flate.Writer
	mem  bytes.Buffer
	file *os.File // set once the part has spilled to disk
	z    *xlsxZip
}

func newXLSXZip(dst io.Writer, modified time.Time, tmpDir string) *xlsxZip {
	return &xlsxZip{dst: dst, modified: modified, level: flate.BestSpeed, tmpDir: tmpDir}
}

var _ excelize.ZipWriter = (*xlsxZip)(nil)

// Create starts a new part; the previous part is complete.
func (z *xlsxZip) Create(name string) (io.Writer, error) {
	if z.err != nil {
		return nil, z.err
	}
	if err := z.finish(); err != nil {
		return nil, err
	}
	for _, p := range z.parts {
		if p.name == name {
			z.err = fmt.Errorf("workbook part %s written twice", name)
			return nil, z.err
		}
	}
	p := &xlsxZipPart{name: name, crc: crc32.NewIEEE(), z: z}
	fw, err := flate.NewWriter((*xlsxZipSink)(p), z.level)
	if err != nil {
		z.err = err
		return nil, err
	}
	p.fw = fw
	z.parts = append(z.parts, p)
	z.cur = p
	return p, nil
}

// AddFS is part of excelize.ZipWriter; excelize does not use it to save a
// workbook.
func (z *xlsxZip) AddFS(fs.FS) error {
	return errors.New("workbook zip: AddFS not supported")
}

// Write adds uncompressed bytes to the part.
func (p *xlsxZipPart) Write(b []byte) (int, error) {
	if p.z.err != nil {
		return 0, p.z.err
	}
	p.crc.Write(b)
	p.size += uint64(len(b))
	n, err := p.fw.Write(b)
	if err != nil {
		p.z.err = err
	}
	return n, err
}

// xlsxZipSink receives a part's compressed bytes.
type xlsxZipSink xlsxZipPart

func (s *xlsxZipSink) Write(b []byte) (int, error) {
	p := (*xlsxZipPart)(s)
	p.comp += uint64(len(b))
	if p.file != nil {
		return p.file.Write(b)
	}
	p.mem.Write(b)
	if p.mem.Len() < xlsxZipSpill {
		return len(b), nil
	}
	f, err := os.CreateTemp(p.z.tmpDir, "cellsite-xlsx-")
	if err != nil {
		return 0, fmt.Errorf("workbook zip: %w", err)
	}
	p.file = f
	if _, err := p.mem.WriteTo(f); err != nil {
		return 0, fmt.Errorf("workbook zip: %w", err)
	}
	p.mem = bytes.Buffer{}
	return len(b), nil
}

// finish completes the part being written.
func (z *xlsxZip) finish() error {
	if z.cur == nil {
		return nil
	}
	p := z.cur
	z.cur = nil
	if err := p.fw.Close(); err != nil {
		z.err = err
		return err
	}
	p.fw = nil
	return nil
}

// Close completes the last part. Nothing reaches the destination until
// emit, so a workbook that fails half way writes no bytes at all.
func (z *xlsxZip) Close() error {
	if z.err != nil {
		return z.err
	}
	return z.finish()
}

// emit writes every part, in name order, to the destination.
func (z *xlsxZip) emit() error {
	if z.err != nil {
		return z.err
	}
	if z.cur != nil {
		return errors.New("workbook zip: emit before Close")
	}
	sort.Slice(z.parts, func(i, j int) bool { return xlsxPartLess(z.parts[i].name, z.parts[j].name) })
	date, tm := xlsxDOSTime(z.modified)
	zw := zip.NewWriter(z.dst)
	for _, p := range z.parts {
		fh := &zip.FileHeader{
			Name:               p.name,
			CreatorVersion:     20,
			ReaderVersion:      20,
			Method:             zip.Deflate,
			CRC32:              p.crc.Sum32(),
			CompressedSize64:   p.comp,
			UncompressedSize64: p.size,
		}
		//lint:ignore SA1019 CreateRaw writes the MS-DOS date and time fields as given and ignores Modified
		fh.ModifiedDate, fh.ModifiedTime = date, tm
		w, err := zw.CreateRaw(fh)
		if err != nil {
			return err
		}
		var r io.Reader = &p.mem
		if p.file != nil {
			if _, err := p.file.Seek(0, io.SeekStart); err != nil {
				return err
			}
			r = p.file
		}
		if _, err := io.Copy(w, r); err != nil {
			return err
		}
	}
	return zw.Close()
}

// cleanup removes the temporary files; it is safe to call more than once.
func (z *xlsxZip) cleanup() {
	for _, p := range z.parts {
		if p.file != nil {
			name := p.file.Name()
			_ = p.file.Close()
			_ = os.Remove(name)
			p.file = nil
		}
	}
}

// xlsxPartLess orders parts by name, with [Content_Types].xml first (it
// already sorts first among the parts excelize writes; this keeps it so).
func xlsxPartLess(a, b string) bool {
	const ct = "[Content_Types].xml"
	if a == ct || b == ct {
		return a == ct && b != ct
	}
	return a < b
}

// xlsxDOSTime returns t's wall clock as an MS-DOS date and time (the
// resolution of a zip entry's time: two seconds, years 1980 to 2107).
func xlsxDOSTime(t time.Time) (date, tm uint16) {
	switch {
	case t.Year() < 1980:
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	case t.Year() > 2107:
		t = time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}
