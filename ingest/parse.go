package ingest

import (
	"context"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/geo"
)

// Options give Parse what the file itself does not say.
type Options struct {
	File      string        // the original's name: used in messages and by network_from_name
	Source    cellsite.Hash // SHA-256 of the original, recorded on every event and cell
	Target    string        // the target's MSISDN, for exports with no target column
	TimeBasis TimeBasis     // overrides the profile's time basis when set
	Network   string        // overrides the profile's default MCC-MNC
	ValidFrom time.Time     // cells: validity of the list when it has no validity columns
	ValidTo   time.Time
	BatchSize int // records per Batch [4096]
	// Workers is how many goroutines cleanse rows [GOMAXPROCS-1, at least 1].
	// Reading, duplicate detection and the output digest stay in file
	// order: the output does not depend on it.
	Workers int
}

// RowFault is a rejected row: where it is and why.
type RowFault = cellsite.RowFault

// Batch is a group of results handed to Parse's caller, in file order.
type Batch struct {
	Events []cellsite.Event
	Cells  []cellsite.Cell
	Faults []RowFault
}

// SplitRecord names two rows that look like one event recorded twice with
// different details (same target, other party, type and start).
type SplitRecord struct {
	Sheet string `json:"sheet,omitempty"`
	First int    `json:"first"`
	Row   int    `json:"row"`
}

// Summary accounts for every row of one file. Always:
// Lines = Banner + Headers + Blank + Footer + Read, and
// Read = Accepted + Duplicates + Rejected.
type Summary struct {
	File           string            `json:"file"`
	Kind           string            `json:"kind"`
	Profile        string            `json:"profile"`
	ProfileVersion string            `json:"profile_version"`
	ProfileStatus  string            `json:"profile_status"`
	ProfileHash    cellsite.Hash     `json:"profile_sha256"`
	TimeBasis      string            `json:"time_basis"`
	Sheets         []string          `json:"sheets,omitempty"`          // sheets read, in order
	SheetsNotRead  []string          `json:"sheets_not_read,omitempty"` // hidden or unrequested worksheets, not read
	HeaderRow      int               `json:"header_row"`
	Lines          int               `json:"lines"`
	Banner         int               `json:"banner"`
	Headers        int               `json:"headers"`
	Blank          int               `json:"blank"`
	Footer         int               `json:"footer"`
	Read           int               `json:"read"`
	Accepted       int               `json:"accepted"`
	Duplicates     int               `json:"duplicates"`
	Rejected       int               `json:"rejected"`
	RejectedBy     map[string]int    `json:"rejected_by"`
	Warnings       map[string]int    `json:"warnings"`
	Conflicts      int               `json:"conflicts,omitempty"` // cells: records of one key whose validity overlaps with a different position or azimuth
	SplitRecords   []SplitRecord     `json:"split_records,omitempty"`
	SplitCount     int               `json:"split_count,omitempty"`
	First          time.Time         `json:"first,omitempty"` // earliest event
	Last           time.Time         `json:"last,omitempty"`
	Output         cellsite.Artefact `json:"output"` // the canonical encoding of the records (docs/FORMATS.md)
}

// maxSplitListed bounds how many split records a summary lists (all are counted).
const maxSplitListed = 100

// How Parse works
//
// Three stages run at once, connected by channels, so that a file's rows are
// cleansed on every core while everything that depends on order stays in
// file order:
//
//   - the reader (one goroutine) reads rows, counts lines, finds headers,
//     banners, footers and blank lines, and cuts the data rows into chunks;
//   - workers (Options.Workers goroutines) cleanse the rows of a chunk into
//     events or cells and row faults. Cleansing is a pure function of one
//     row, so which worker takes a chunk does not matter;
//   - the merger (the caller's goroutine) takes the chunks back in file
//     order and does what depends on earlier rows: exact duplicates, split
//     records, the summary, the output digest and the batches handed to
//     emit.
//
// A fixed set of chunks circulates between the stages, which bounds memory.
// For a CDR each batch is a run of BatchSize rows read (each row read gives
// one event or one fault), and chunks are cut at batch boundaries, so a
// worker's events are the batch's events and are not copied again.

// Chunk sizes, in rows read.
const (
	chunkMinRows = 1024 // a chunk ends at the first batch boundary after this many rows...
	chunkMaxRows = 8192 // ...or at this many rows
)

// Parse reads every row of a file laid out as lay describes, cleanses it into
// events or cells, and hands them to emit in batches, with every rejected row
// as a RowFault. It returns the file's accounting. Parse stops at the first
// error from the reader or emit, or when ctx is cancelled; callers must then
// discard what was emitted. emit is called from Parse's goroutine; rr is
// read from another, and not after Parse returns.
func Parse(ctx context.Context, rr RowReader, lay Layout, opt Options, emit func(Batch) error) (Summary, error) {
	p := lay.Profile
	sum := Summary{
		File: opt.File, Kind: p.Kind, Profile: p.Name, ProfileVersion: p.Version, ProfileStatus: p.Status,
		ProfileHash: p.Hash, RejectedBy: map[string]int{}, Warnings: map[string]int{}, HeaderRow: lay.HeaderRow,
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 4096
	}
	if opt.Workers <= 0 {
		// The reader and the merger keep about one core busy.
		opt.Workers = max(runtime.GOMAXPROCS(0)-1, 1)
	}
	cfg := &parseConfig{p: p, opt: opt, cdr: p.Kind == "cdr", basis: TimeBasis(p.TimeBasis), headers: lay.Headers}
	if opt.TimeBasis != "" {
		cfg.basis = opt.TimeBasis
	}
	if cfg.cdr {
		sum.TimeBasis = string(cfg.basis)
	}
	network, err := resolveNetwork(p, opt)
	if err != nil {
		return sum, err
	}
	cfg.network = network
	if wb, ok := rr.(Workbook); ok && wb.Date1904() {
		cfg.date1904 = true
	}
	m := &merger{cfg: cfg, emit: emit, sum: sum, dups: make(map[[16]byte]int32), tuples: make(map[[16]byte]firstOf)}
	if cfg.cdr {
		m.digest = cellsite.NewEventDigest()
	} else {
		m.digest = cellsite.NewCellDigest()
	}
	return m.run(ctx, rr, lay)
}

// parseConfig is what every stage of Parse reads and none changes.
type parseConfig struct {
	p        *Profile
	opt      Options
	cdr      bool
	basis    TimeBasis
	network  string
	date1904 bool     // the workbook counts serial dates from 1904-01-01
	headers  []string // the header row as found by detection, for fault messages
}

func resolveNetwork(p *Profile, opt Options) (string, error) {
	network := p.Network
	if p.netFromNam != nil {
		if m := p.netFromNam.FindStringSubmatch(opt.File); m != nil {
			network = m[1] + "-" + m[2]
		}
	}
	if opt.Network != "" {
		if !networkRe.MatchString(opt.Network) {
			return "", cellsite.Errorf(cellsite.Invalid, "ingest "+opt.File, "network %q: want MCC-MNC such as 234-30", opt.Network)
		}
		network = opt.Network
	}
	return network, nil
}

// A chunk is a run of data rows on its way through Parse.
type chunk struct {
	start int          // rows read before this chunk's first
	mixed bool         // rows of this chunk or an earlier one have a column layout other than the first
	rows  []Row        // data rows; Fields point into store
	cols  []*fieldCols // where each row's fields are
	store []string     // the rows' fields

	// Results, set by a worker.
	pieces   []piece // cdr: the chunk's rows cut at batch boundaries
	cells    []cellsite.Cell
	faults   []RowFault // cells: in row order
	isCell   []bool     // cells: whether row i gave a cell (or a fault)
	keys     [][16]byte // exact-duplicate key of each event or cell, in order
	tuples   [][16]byte // cdr: key of each event's target, other party, type, direction and start
	warnings warningCounts
	panicked any

	done chan struct{} // a worker is finished with the chunk
}

// A piece is the part of a CDR chunk that falls in one batch.
type piece struct {
	rows    int // rows read
	events  []cellsite.Event
	faults  []RowFault
	keyFrom int // index in chunk.keys and chunk.tuples of the first event
}

func (c *chunk) reset() {
	clear(c.rows) // store is overwritten as it is reused
	c.rows, c.cols, c.store = c.rows[:0], c.cols[:0], c.store[:0]
	clear(c.pieces)
	clear(c.cells)
	clear(c.faults)
	c.pieces, c.cells, c.faults, c.isCell = c.pieces[:0], c.cells[:0], c.faults[:0], c.isCell[:0]
	c.keys, c.tuples = c.keys[:0], c.tuples[:0]
	c.warnings, c.panicked, c.mixed = c.warnings[:0], nil, false
}

// add appends a copy of row (whose Fields the reader will reuse).
func (c *chunk) add(row Row, cols *fieldCols) {
	from := len(c.store)
	c.store = append(c.store, row.Fields...)
	if row.Fields != nil {
		row.Fields = c.store[from:len(c.store):len(c.store)]
	}
	c.rows = append(c.rows, row)
	c.cols = append(c.cols, cols)
}

// sameColumns reports whether two layouts put every field in the same column.
func sameColumns(a, b *fieldCols) bool { return a == b || slices.Equal(a.index, b.index) }

// readStats is the reader's share of the summary.
type readStats struct {
	lines, banner, headers, blank, footer, read int
	sheets, notRead                             []string
	noHeader                                    int // sheets without a header row
	err                                         error
	panicked                                    any
}

// pipeline connects the stages.
type pipeline struct {
	cfg      *parseConfig
	free     chan *chunk // chunks not in use
	work     chan *chunk // reader → workers
	order    chan *chunk // reader → merger, in file order
	quit     chan struct{}
	quitOnce sync.Once
	wg       sync.WaitGroup
	stats    readStats // the reader's; read after order is closed
}

func (pl *pipeline) stop() {
	pl.quitOnce.Do(func() { close(pl.quit) })
	pl.wg.Wait()
}

// read is the reader stage.
func (pl *pipeline) read(ctx context.Context, rr RowReader, lay Layout) {
	defer pl.wg.Done()
	defer close(pl.order)
	defer close(pl.work)
	st := &pl.stats
	defer func() {
		if r := recover(); r != nil {
			st.panicked = r
		}
	}()
	cfg, p := pl.cfg, pl.cfg.p
	var c *chunk
	next := func() bool { // takes a free chunk
		if err := ctx.Err(); err != nil {
			st.err = err
			return false
		}
		select {
		case c = <-pl.free:
			c.start = st.read
			return true
		case <-pl.quit:
		case <-ctx.Done():
			st.err = ctx.Err()
		}
		return false
	}
	send := func() bool {
		select {
		case pl.work <- c:
		case <-pl.quit:
			return false
		}
		select {
		case pl.order <- c:
		case <-pl.quit:
			return false
		}
		c = nil
		return true
	}
	if !next() {
		return
	}
	layoutOf := newFieldColsFunc(cfg)
	sheet, started := "", false
	var col map[string]int
	var cols, first *fieldCols // the current layout, that of the first data row
	mixed := false
	headerSeen := false
	for {
		row, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			st.err = err
			break
		}
		if !started || row.Sheet != sheet {
			if started && !headerSeen && sheet != "" {
				st.noHeader++
			}
			sheet, started = row.Sheet, true
			headerSeen = p.Headerless
			col = lay.Column
			cols = layoutOf(col)
			if row.Sheet != "" {
				st.sheets = append(st.sheets, row.Sheet)
			}
		}
		st.lines++
		if row.Fault == "" && blank(row.Fields) {
			st.blank++
			continue
		}
		if !headerSeen {
			if hc, ok := p.headerColumns(row); ok {
				col, headerSeen = hc, true
				cols = layoutOf(col)
				st.headers++
			} else {
				st.banner++
			}
			continue
		}
		if row.Fault == "" {
			if p.isFooter(row.Fields) {
				st.footer++
				continue
			}
			if !p.Headerless && repeatsHeader(p, row, col) {
				st.headers++ // a header repeated inside the data (paged exports)
				continue
			}
		}
		st.read++
		if first == nil {
			first = cols
		} else if !mixed && !sameColumns(cols, first) {
			mixed = true
		}
		c.mixed = c.mixed || mixed
		c.add(row, cols)
		n := len(c.rows)
		if n >= chunkMaxRows || n >= chunkMinRows && (!cfg.cdr || st.read%cfg.opt.BatchSize == 0) {
			if !send() || !next() {
				return
			}
		}
	}
	if st.err == nil {
		if started && !headerSeen && sheet != "" {
			st.noHeader++
		}
		if wb, ok := rr.(Workbook); ok {
			for _, si := range wb.SheetList() {
				if !si.Read && si.Worksheet {
					st.notRead = append(st.notRead, si.Name)
				}
			}
		}
	}
	// The rows read before an error are merged, as they would have been
	// one by one.
	if len(c.rows) > 0 {
		send()
	}
}

// clean is a worker.
func (pl *pipeline) clean() {
	defer pl.wg.Done()
	w := newCleanser(pl.cfg)
	for c := range pl.work {
		select {
		case <-pl.quit:
		default:
			func() {
				defer func() {
					if r := recover(); r != nil {
						c.panicked = r
					}
				}()
				w.clean(c)
			}()
		}
		c.done <- struct{}{}
	}
}

// merger is the last stage: it owns the summary and the batch being filled.
type merger struct {
	cfg       *parseConfig
	emit      func(Batch) error
	sum       Summary
	digest    *cellsite.Digest
	dups      map[[16]byte]int32   // row content → first row (cdr: see events)
	tuples    map[[16]byte]firstOf // cdr: target, other, type, direction, start → first row
	mixed     bool                 // cdr: rows with different column layouts have been merged
	batch     Batch
	batchRows int // cdr: rows read into batch
}

func (m *merger) run(ctx context.Context, rr RowReader, lay Layout) (Summary, error) {
	cfg := m.cfg
	inFlight := cfg.opt.Workers + 2 // one being read, one with each worker, one being merged
	pl := &pipeline{cfg: cfg, free: make(chan *chunk, inFlight), work: make(chan *chunk, inFlight),
		order: make(chan *chunk, inFlight), quit: make(chan struct{})}
	rows, width := chunkMaxRows, len(lay.Headers)
	if b := cfg.opt.BatchSize; cfg.cdr && b < chunkMaxRows {
		rows = min(b*((chunkMinRows+b-1)/b), chunkMaxRows)
	}
	for _, i := range lay.Column {
		width = max(width, i+1)
	}
	for range inFlight {
		pl.free <- &chunk{done: make(chan struct{}, 1), rows: make([]Row, 0, rows), cols: make([]*fieldCols, 0, rows),
			store: make([]string, 0, rows*width), keys: make([][16]byte, 0, rows), tuples: make([][16]byte, 0, rows)}
	}
	pl.wg.Add(1 + cfg.opt.Workers)
	go pl.read(ctx, rr, lay)
	for range cfg.opt.Workers {
		go pl.clean()
	}
	defer pl.stop()

	if cfg.cdr {
		m.batch.Events = make([]cellsite.Event, 0)
	}
	for c := range pl.order {
		<-c.done
		if c.panicked != nil {
			panic(c.panicked)
		}
		for _, w := range c.warnings {
			m.sum.Warnings[w.code] += w.n
		}
		var err error
		if cfg.cdr {
			err = m.events(ctx, c)
		} else {
			err = m.cells(ctx, c)
		}
		if err != nil {
			return m.sum, err
		}
		c.reset()
		pl.free <- c
	}
	st := &pl.stats // the reader has finished: order is closed
	if st.panicked != nil {
		panic(st.panicked)
	}
	s := &m.sum
	s.Lines, s.Banner, s.Headers, s.Blank, s.Footer, s.Read = st.lines, st.banner, st.headers, st.blank, st.footer, st.read
	s.Sheets = st.sheets
	if st.noHeader > 0 {
		s.Warnings["sheet-without-header"] += st.noHeader
	}
	if st.err != nil {
		return m.sum, st.err
	}
	if len(st.notRead) > 0 {
		s.SheetsNotRead = st.notRead
		s.Warnings["sheet-not-read"] += len(st.notRead)
	}
	if !cfg.cdr {
		s.Conflicts = flagConflicts(m.batch.Cells, s.Warnings)
		for i := range m.batch.Cells {
			m.digest.AddCell(&m.batch.Cells[i])
		}
	}
	if err := m.flush(); err != nil {
		return m.sum, err
	}
	s.Output = m.digest.Sum()
	s.Output.Name = cfg.p.Kind
	if s.Read != s.Accepted+s.Duplicates+s.Rejected ||
		s.Lines != s.Banner+s.Headers+s.Blank+s.Footer+s.Read {
		return m.sum, cellsite.Errorf(cellsite.Internal, "ingest "+cfg.opt.File, "row accounting does not balance: %+v", m.sum)
	}
	return m.sum, nil
}

// firstOf is the first row with a tuple, and that row's content key.
type firstOf struct {
	row int32
	key [16]byte
}

// events merges a CDR chunk.
//
// Exact duplicates are kept, marked and linked to the first occurrence.
// Rows of an event type other than data that agree on target, other party,
// type, direction and start (the tuple) without being exact duplicates are
// possible split records, linked to the first row with the tuple.
//
// Rows read with one column layout are cleansed alike, so an exact
// duplicate has its original's tuple, and a row whose tuple is new is
// neither a duplicate nor a split record: one look-up settles it, and its
// content key is kept with the tuple. The map of content keys then holds
// only rows whose tuple was seen before. Once rows of another layout come
// (a workbook whose sheets order their columns differently), that no longer
// holds: every content key goes into the map and is looked up first.
func (m *merger) events(ctx context.Context, c *chunk) error {
	s := &m.sum
	if c.mixed && !m.mixed {
		m.mixed = true
		for _, f := range m.tuples {
			m.dups[f.key] = f.row
		}
	}
	for pi := range c.pieces {
		pc := &c.pieces[pi]
		keys, tuples := c.keys[pc.keyFrom:pc.keyFrom+len(pc.events)], c.tuples[pc.keyFrom:pc.keyFrom+len(pc.events)]
		for i := range pc.events {
			e := &pc.events[i]
			key := keys[i]
			var (
				dup   bool
				dupOf int32
			)
			f, seen := m.tuples[tuples[i]]
			switch {
			case m.mixed:
				if dupOf, dup = m.dups[key]; !dup {
					m.dups[key] = int32(e.Row)
					if !seen {
						m.tuples[tuples[i]] = firstOf{int32(e.Row), key}
					}
				}
			case !seen:
				m.tuples[tuples[i]] = firstOf{int32(e.Row), key}
			case f.key == key:
				dup, dupOf = true, f.row
			default:
				if dupOf, dup = m.dups[key]; !dup {
					m.dups[key] = int32(e.Row)
				}
			}
			if dup {
				e.DuplicateOf = int(dupOf)
				s.Duplicates++
				continue
			}
			if seen && e.Type != "data" {
				s.SplitCount++
				s.Warnings["possible-split-record"]++
				if len(s.SplitRecords) < maxSplitListed {
					s.SplitRecords = append(s.SplitRecords, SplitRecord{Sheet: e.Sheet, First: int(f.row), Row: e.Row})
				}
			}
			s.Accepted++
			if s.First.IsZero() || e.Start.Before(s.First) {
				s.First = e.Start
			}
			if e.Start.After(s.Last) {
				s.Last = e.Start
			}
		}
		for i := range pc.faults {
			s.Rejected++
			s.RejectedBy[pc.faults[i].Code]++
		}
		if m.batchRows == 0 {
			m.batch.Events, m.batch.Faults = pc.events, pc.faults
		} else {
			m.batch.Events = append(m.batch.Events, pc.events...)
			m.batch.Faults = append(m.batch.Faults, pc.faults...)
		}
		m.batchRows += pc.rows
		if m.batchRows >= m.cfg.opt.BatchSize {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := m.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// cells merges a chunk of a cell list. Cells are held to the end for the
// conflict check; a batch is emitted whenever BatchSize faults are pending.
func (m *merger) cells(ctx context.Context, c *chunk) error {
	s := &m.sum
	ci, fi := 0, 0
	for _, isCell := range c.isCell {
		if !isCell {
			f := c.faults[fi]
			fi++
			s.Rejected++
			s.RejectedBy[f.Code]++
			m.batch.Faults = append(m.batch.Faults, f)
			if len(m.batch.Faults) >= m.cfg.opt.BatchSize {
				if err := ctx.Err(); err != nil {
					return err
				}
				// Only the faults go now: the cells stay for the conflict
				// check and the digest at the end.
				held := m.batch.Cells
				m.batch.Cells = nil
				if err := m.flush(); err != nil {
					return err
				}
				m.batch.Cells = held
			}
			continue
		}
		k := c.keys[ci]
		cell := &c.cells[ci]
		ci++
		if _, dup := m.dups[k]; dup {
			s.Duplicates++
			continue // an exact repeat adds nothing to a cell list; it is counted
		}
		m.dups[k] = int32(cell.Row)
		s.Accepted++
		m.batch.Cells = append(m.batch.Cells, *cell)
	}
	return nil
}

func (m *merger) flush() error {
	b := &m.batch
	if len(b.Events)+len(b.Cells)+len(b.Faults) == 0 {
		return nil
	}
	if m.cfg.cdr {
		for i := range b.Events {
			m.digest.AddEvent(&b.Events[i])
		}
	}
	err := m.emit(*b) // the batch now belongs to the caller
	m.batch, m.batchRows = Batch{}, 0
	if m.cfg.cdr {
		m.batch.Events = make([]cellsite.Event, 0)
	}
	return err
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerColumns reports whether row is a header of p, with its columns.
func (p *Profile) headerColumns(row Row) (map[string]int, bool) {
	if row.Fault != "" {
		return nil, false
	}
	col := make(map[string]int)
	for i, h := range row.Fields {
		if f, ok := p.headerOf[normHeader(h)]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	if len(col) == 0 {
		return nil, false
	}
	for _, f := range p.Required {
		if _, ok := col[f]; !ok {
			return nil, false
		}
	}
	return col, true
}

// repeatsHeader reports whether a data row is the header again: its cells in
// the columns of the required fields are those fields' header names.
func repeatsHeader(p *Profile, row Row, col map[string]int) bool {
	for _, f := range p.Required {
		i, ok := col[f]
		if !ok || i >= len(row.Fields) {
			return false
		}
		v := row.Fields[i]
		if v == "" || p.headerOf[normHeader(v)] != f {
			return false
		}
	}
	return len(p.Required) > 0
}

func (p *Profile) isFooter(fields []string) bool {
	if len(p.footers) == 0 {
		return false
	}
	// Footer lines carry a few words, not a record: only rows with at most
	// three non-empty cells are tested against the patterns.
	filled := 0
	for _, f := range fields {
		if f != "" {
			if filled++; filled > 3 {
				return false
			}
		}
	}
	line := strings.TrimSpace(strings.Join(fields, ","))
	for _, re := range p.footers {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// flagConflicts marks records of one cell key whose validity periods overlap
// but which disagree on position (by more than 1 m) or azimuth, and returns
// how many records were marked.
func flagConflicts(cells []cellsite.Cell, warnings map[string]int) int {
	byKey := make(map[string][]int)
	for i := range cells {
		byKey[cells[i].Key] = append(byKey[cells[i].Key], i)
	}
	keys := make([]string, 0)
	for k, idx := range byKey {
		if len(idx) > 1 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	marked := make(map[int]bool)
	for _, k := range keys {
		idx := byKey[k]
		for a := 0; a < len(idx); a++ {
			for b := a + 1; b < len(idx); b++ {
				x, y := &cells[idx[a]], &cells[idx[b]]
				if !overlaps(x, y) {
					continue
				}
				far := geo.Distance(geo.LatLon{Lat: x.Lat, Lon: x.Lon}, geo.LatLon{Lat: y.Lat, Lon: y.Lon}) > 1
				if far || x.Omni != y.Omni || x.AzimuthDeg != y.AzimuthDeg {
					marked[idx[a]], marked[idx[b]] = true, true
				}
			}
		}
	}
	for i := range cells {
		if marked[i] {
			cells[i].Warnings = append(cells[i].Warnings, "conflicting-records")
			warnings["conflicting-records"]++
		}
	}
	return len(marked)
}

func overlaps(a, b *cellsite.Cell) bool {
	// [from, to) intervals with zero meaning unbounded.
	if !a.ValidTo.IsZero() && !b.ValidFrom.IsZero() && !a.ValidTo.After(b.ValidFrom) {
		return false
	}
	if !b.ValidTo.IsZero() && !a.ValidFrom.IsZero() && !b.ValidTo.After(a.ValidFrom) {
		return false
	}
	return true
}
