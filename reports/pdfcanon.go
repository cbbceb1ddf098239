package reports

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// canonicalPDF rewrites a PDF that has a classic cross-reference table so
// that its bytes depend on its objects alone. pdfcpu numbers and writes
// the objects of a merged document in an order that depends on Go's map
// iteration. Here objects are renumbered 1, 2, 3... in the order a walk
// from the trailer first meets them (references followed in the order they
// are written), written in that order, and given a fresh cross-reference
// table with no free objects. Each object's bytes are taken from its
// offset to the next object's, as the file's own table gives them.
func canonicalPDF(pdf []byte) ([]byte, error) {
	fail := func(format string, args ...any) ([]byte, error) {
		return nil, fmt.Errorf("canonical PDF: "+format, args...)
	}
	sx := bytes.LastIndex(pdf, []byte("startxref"))
	if sx < 0 {
		return fail("no startxref")
	}
	fields := bytes.Fields(pdf[sx+len("startxref"):])
	if len(fields) < 1 {
		return fail("no xref offset")
	}
	xrefAt, err := strconv.Atoi(string(fields[0]))
	if err != nil || xrefAt <= 0 || xrefAt >= sx {
		return fail("bad xref offset")
	}
	if !bytes.HasPrefix(pdf[xrefAt:], []byte("xref")) {
		return fail("not a classic cross-reference table")
	}
	tr := bytes.Index(pdf[xrefAt:], []byte("trailer"))
	if tr < 0 {
		return fail("no trailer")
	}
	trailer := pdf[xrefAt+tr : sx]
	lines := bytes.Split(bytes.TrimSpace(pdf[xrefAt+len("xref"):xrefAt+tr]), []byte("\n"))
	type entry struct {
		used   bool
		offset int
		gen    string
	}
	entries := map[int]entry{}
	size := 0
	for i := 0; i < len(lines); {
		hdr := bytes.Fields(lines[i])
		if len(hdr) != 2 {
			return fail("bad subsection header %q", lines[i])
		}
		first, err1 := strconv.Atoi(string(hdr[0]))
		count, err2 := strconv.Atoi(string(hdr[1]))
		if err1 != nil || err2 != nil || i+1+count > len(lines) {
			return fail("bad subsection header %q", lines[i])
		}
		for k := 0; k < count; k++ {
			f := bytes.Fields(lines[i+1+k])
			if len(f) != 3 {
				return fail("bad entry %q", lines[i+1+k])
			}
			off, err := strconv.Atoi(string(f[0]))
			if err != nil {
				return fail("bad entry %q", lines[i+1+k])
			}
			entries[first+k] = entry{used: string(f[2]) == "n", offset: off, gen: string(f[1])}
			size = max(size, first+k+1)
		}
		i += 1 + count
	}
	type span struct{ nr, start, end int }
	var used []span
	for nr, e := range entries {
		if e.used {
			if e.offset <= 0 || e.offset >= xrefAt {
				return fail("object %d at offset %d", nr, e.offset)
			}
			used = append(used, span{nr: nr, start: e.offset})
		}
	}
	if len(used) == 0 {
		return fail("no objects")
	}
	sort.Slice(used, func(i, j int) bool { return used[i].start < used[j].start })
	for i := range used {
		if i+1 < len(used) {
			used[i].end = used[i+1].start
		} else {
			used[i].end = xrefAt
		}
		want := fmt.Sprintf("%d %s obj", used[i].nr, entries[used[i].nr].gen)
		if !bytes.HasPrefix(pdf[used[i].start:], []byte(want)) {
			// pdfcpu writes generation numbers without padding.
			g, _ := strconv.Atoi(entries[used[i].nr].gen)
			want = fmt.Sprintf("%d %d obj", used[i].nr, g)
			if !bytes.HasPrefix(pdf[used[i].start:], []byte(want)) {
				return fail("object %d is not at its offset", used[i].nr)
			}
		}
	}
	header := pdf[:used[0].start]

	// Parse every object: where its references are, and its body.
	type object struct {
		body []byte   // from after "obj" to the end of its span
		refs []refPos // references outside stream data, in order
	}
	objs := make(map[int]*object, len(used))
	for _, sp := range used {
		b := pdf[sp.start:sp.end]
		k := bytes.Index(b, []byte("obj"))
		body := b[k+3:]
		refs, err := references(body)
		if err != nil {
			return fail("object %d: %v", sp.nr, err)
		}
		objs[sp.nr] = &object{body: body, refs: refs}
	}
	trefs, err := references(trailer)
	if err != nil {
		return fail("trailer: %v", err)
	}
	// Objects that refer to nothing and have the same bytes are one
	// object: each part of a merged document embeds its own copy of the
	// same fonts.
	alias := make(map[int]int)
	byBody := make(map[string]int)
	for nr, o := range objs {
		if len(o.refs) > 0 {
			continue
		}
		k := string(o.body)
		if rep, ok := byBody[k]; ok {
			if nr < rep {
				alias[rep] = nr
				byBody[k] = nr
			} else {
				alias[nr] = rep
			}
		} else {
			byBody[k] = nr
		}
	}
	for nr := range alias { // point every alias at its body's representative
		alias[nr] = byBody[string(objs[nr].body)]
	}
	canon := func(nr int) int {
		if rep, ok := alias[nr]; ok {
			return rep
		}
		return nr
	}
	for nr := range alias {
		delete(objs, nr)
	}
	// Number objects in the order a walk from the trailer first meets
	// them; the walk follows references in the order they are written,
	// which depends on the objects' content, not their numbers.
	renum := make(map[int]int, len(objs))
	queue := make([]int, 0, len(objs))
	visit := func(rs []refPos, in []byte) {
		for _, r := range rs {
			nr := canon(r.nr(in))
			if _, ok := objs[nr]; ok {
				if _, seen := renum[nr]; !seen {
					renum[nr] = len(renum) + 1
					queue = append(queue, nr)
				}
			}
		}
	}
	visit(trefs, trailer)
	for i := 0; i < len(queue); i++ {
		o := objs[queue[i]]
		visit(o.refs, o.body)
	}
	if len(renum) != len(objs) {
		// Objects nothing refers to: numbered after the rest, by content.
		var orphans []int
		for nr := range objs {
			if _, ok := renum[nr]; !ok {
				orphans = append(orphans, nr)
			}
		}
		sort.Slice(orphans, func(i, j int) bool {
			return bytes.Compare(objs[orphans[i]].body, objs[orphans[j]].body) < 0
		})
		for _, nr := range orphans {
			renum[nr] = len(renum) + 1
		}
	}
	rewrite := func(in []byte, rs []refPos) []byte {
		var b bytes.Buffer
		last := 0
		for _, r := range rs {
			b.Write(in[last:r.start])
			if n, ok := renum[canon(r.nr(in))]; ok {
				b.WriteString(strconv.Itoa(n))
			} else {
				b.WriteString("0") // a reference to no object is null
			}
			last = r.end
		}
		b.Write(in[last:])
		return b.Bytes()
	}
	order := make([]int, len(objs))
	for old, n := range renum {
		order[n-1] = old
	}

	var out bytes.Buffer
	out.Grow(len(pdf))
	out.Write(header)
	offsets := make([]int, len(order))
	for i, old := range order {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj", i+1)
		out.Write(rewrite(objs[old].body, objs[old].refs))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n", len(order)+1)
	out.WriteString("0000000000 65535 f\r\n")
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n\r\n", off)
	}
	t := rewrite(trailer, trefs)
	t = sizeEntry.ReplaceAll(t, []byte(fmt.Sprintf("/Size %d", len(order)+1)))
	out.Write(t)
	fmt.Fprintf(&out, "startxref\n%d\n%%%%EOF\n", xref)
	return out.Bytes(), nil
}

var sizeEntry = regexp.MustCompile(`/Size\s+\d+`)

// refPos is where the object number of an indirect reference "N G R" is.
type refPos struct{ start, end int }

func (r refPos) nr(in []byte) int {
	n, _ := strconv.Atoi(string(in[r.start:r.end]))
	return n
}

// references finds the indirect references in a PDF object's text,
// skipping strings, comments and stream data.
func references(b []byte) ([]refPos, error) {
	var out []refPos
	type tok struct {
		start, end int
		isInt      bool
	}
	var prev1, prev2 tok // the two tokens before the current one
	push := func(t tok) { prev2, prev1 = prev1, t }
	isDelim := func(c byte) bool {
		return strings.IndexByte("()<>[]{}/% \t\r\n\f\x00", c) >= 0
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0:
			i++
		case c == '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		case c == '(':
			depth := 0
			for ; i < len(b); i++ {
				if b[i] == '\\' {
					i++
					continue
				}
				if b[i] == '(' {
					depth++
				} else if b[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
			if depth != 0 {
				return nil, fmt.Errorf("unterminated string")
			}
			push(tok{})
		case c == '<' && i+1 < len(b) && b[i+1] == '<', c == '>' && i+1 < len(b) && b[i+1] == '>':
			i += 2
			push(tok{})
		case c == '<':
			j := bytes.IndexByte(b[i:], '>')
			if j < 0 {
				return nil, fmt.Errorf("unterminated hex string")
			}
			i += j + 1
			push(tok{})
		case c == '[' || c == ']' || c == '{' || c == '}':
			i++
			push(tok{})
		case c == '/':
			i++
			for i < len(b) && !isDelim(b[i]) {
				i++
			}
			push(tok{})
		default:
			j := i
			for j < len(b) && !isDelim(b[j]) {
				j++
			}
			if j == i { // a stray delimiter such as ')' or '>'
				j = i + 1
			}
			word := b[i:j]
			switch {
			case string(word) == "R" && prev1.isInt && prev2.isInt:
				out = append(out, refPos{prev2.start, prev2.end})
				push(tok{})
			case string(word) == "stream":
				return out, nil // the rest is stream data
			default:
				push(tok{start: i, end: j, isInt: allDigits(word)})
			}
			i = j
		}
	}
	return out, nil
}

func allDigits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
