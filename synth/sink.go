package synth

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
)

// Sink receives the files of a generated scenario. Names are slash-separated
// paths relative to the output: "cdr/x.csv", "cells/y.csv", "truth.json".
type Sink interface {
	Create(name string) (io.WriteCloser, error)
}

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 256<<10) }

// DirSink writes into the directory held by root. Files are created (or
// truncated) with mode 0644 and their directories with 0755; os.Root
// refuses any path, or symbolic link, that leads outside the directory.
type DirSink struct {
	Root *os.Root
}

// Create implements Sink.
func (d DirSink) Create(name string) (io.WriteCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if dir := path.Dir(name); dir != "." {
		if err := d.Root.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	f, err := d.Root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	return f, nil
}

func checkName(name string) error {
	if !fs.ValidPath(name) || name == "." || strings.Contains(name, `\`) {
		return fmt.Errorf("invalid output name %q", name)
	}
	return nil
}

// MemSink keeps the files in memory, for tests and benchmarks.
type MemSink struct {
	mu    sync.Mutex
	Files map[string][]byte
}

// NewMemSink returns an empty MemSink.
func NewMemSink() *MemSink { return &MemSink{Files: map[string][]byte{}} }

// Create implements Sink.
func (m *MemSink) Create(name string) (io.WriteCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	return &memFile{m: m, name: name}, nil
}

// Names returns the names of the files held, sorted.
func (m *MemSink) Names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.Files))
	for n := range m.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

type memFile struct {
	m    *MemSink
	name string
	buf  bytes.Buffer
	done bool
}

func (f *memFile) Write(p []byte) (int, error) {
	if f.done {
		return 0, errors.New("synth: write after close")
	}
	return f.buf.Write(p)
}

func (f *memFile) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	f.m.mu.Lock()
	f.m.Files[f.name] = f.buf.Bytes()
	f.m.mu.Unlock()
	return nil
}

// discardSink writes nowhere; it counts nothing.
type discardSink struct{}

func (discardSink) Create(string) (io.WriteCloser, error) { return nopCloser{io.Discard}, nil }

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// Discard is a Sink that keeps nothing, for benchmarks.
var Discard Sink = discardSink{}
