package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a progress bar on a terminal and nothing elsewhere.
type progress struct {
	w     io.Writer
	label string
	on    bool
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) update(done, total int64) {
	if !p.on || total <= 0 {
		return
	}
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	fill := int(done * width / total)
	fmt.Fprintf(p.w, "\r%-14s [%s%s] %3d%% %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), done*100/total, done, total)
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// stage starts a new stage: its label and, when total is known, the bar.
func (p *progress) stage(label string, done, total int64) {
	p.done()
	p.label = label
	if p.on && total <= 0 {
		fmt.Fprintf(p.w, "\r%s…", label)
		p.drawn = true
		return
	}
	p.update(done, total)
}

// report is a casework.Progress that draws on this bar.
func (p *progress) report(stage string, done, total int64) {
	if stage != p.label {
		p.stage(stage, done, total)
		return
	}
	p.update(done, total)
}
