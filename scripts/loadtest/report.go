package main

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a run measured and found.
type Report struct {
	Config      Config
	Server      string // the API's base URL
	FileBytes   int    // size of each uploaded file
	FileRows    int    // rows each upload should ingest
	Interrupted bool   // the load was stopped before its duration

	Elapsed  time.Duration // from the first client starting to the last finishing
	Requests int           // requests of the load (uploads, job polls, reads)
	Uploads  int           // uploads accepted (202)
	Rows     int64         // rows ingested by the uploads' jobs
	Kinds    []KindStats   // latency per kind of request
	Ingest   KindStats     // from sending an upload to seeing its job succeed
	Errors   int           // requests that failed, and wrong answers

	PeakRSS, EndRSS int64         // the server's peak (VmHWM) and final resident set, bytes
	ServerCPU       time.Duration // user + system time the server used over its life
	LoadServerCPU   time.Duration // the same during the load
	LoadClientCPU   time.Duration // user + system time of this program during the load
	ShutdownTook    time.Duration // from the interrupt to the server's exit
	LogWarnings     int

	Notes    []string // checks passed
	Problems []string // anything failed or lost
}

// KindStats are the latencies of one kind of request.
type KindStats struct {
	Kind               string
	N, Errors          int
	P50, P95, P99, Max time.Duration
}

// OK reports whether the run found nothing failed or lost.
func (r *Report) OK() bool { return len(r.Problems) == 0 && r.Errors == 0 && !r.Interrupted }

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func statsOf(kind string, ds []time.Duration, errs int) KindStats {
	p := percentiles(ds, 50, 95, 99, 100)
	return KindStats{Kind: kind, N: len(ds), Errors: errs, P50: p[0], P95: p[1], P99: p[2], Max: p[3]}
}

// collect takes the figures of the load from the run.
func (rep *Report) collect(r *session) {
	rep.Interrupted = r.interrupted.Load()
	rep.Elapsed = r.elapsed
	rep.LoadServerCPU, rep.LoadClientCPU = r.serverCPU, r.clientCPU
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	for _, k := range []string{kindUpload, kindJob, kindEvents, kindSources, kindProvenance} {
		s := statsOf(k, r.rec.lat[k], r.rec.errs[k])
		rep.Kinds = append(rep.Kinds, s)
		rep.Requests += s.N
	}
	var took []time.Duration
	for _, u := range r.uploads {
		if u.state == "succeeded" {
			took = append(took, u.took)
			rep.Rows += int64(u.accepted)
		}
	}
	rep.Uploads = len(r.uploads)
	rep.Ingest = statsOf("upload to ingested", took, 0)
	for _, n := range r.rec.errs {
		rep.Errors += n
	}
	if rep.Errors > 0 {
		var kinds []string
		for k, n := range r.rec.errs {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		rep.problem("%d errors under load (%s); the first:", rep.Errors, strings.Join(kinds, ", "))
		for _, e := range r.rec.first {
			rep.problem("  %s", e)
		}
	}
}

func perSecond(n float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return n / d.Seconds()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// Print writes the report for people.
func (rep *Report) Print(w io.Writer) {
	c := rep.Config
	fmt.Fprintf(w, "Cellsite HTTP load test: %d clients, %v, %d cases, %d analysts, serve --workers %d, %d CPUs (%s/%s)\n",
		c.Clients, c.Duration, c.Cases, c.Users, c.Workers, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "each upload: a synthetic CDR of %d bytes, %d rows ingested; server %s\n", rep.FileBytes, rep.FileRows, rep.Server)
	if rep.Interrupted {
		fmt.Fprintln(w, "INTERRUPTED: the load was stopped early")
	}
	fmt.Fprintf(w, "\nload: %.1f s (including waiting for the last uploads' jobs)\n", rep.Elapsed.Seconds())
	fmt.Fprintf(w, "  requests   %8d  %8.1f/s\n", rep.Requests, perSecond(float64(rep.Requests), rep.Elapsed))
	fmt.Fprintf(w, "  uploads    %8d  %8.1f/s\n", rep.Uploads, perSecond(float64(rep.Uploads), rep.Elapsed))
	fmt.Fprintf(w, "  rows       %8d  %8.0f/s ingested\n", rep.Rows, perSecond(float64(rep.Rows), rep.Elapsed))
	fmt.Fprintf(w, "  errors     %8d\n\n", rep.Errors)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "latency (ms)\tn\terrors\tp50\tp95\tp99\tmax\t")
	for _, s := range append(rep.Kinds, rep.Ingest) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t\n", s.Kind, s.N, s.Errors, ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nserver: peak RSS (VmHWM) %s, %s at the end; graceful shutdown in %.2f s\n", mib(rep.PeakRSS), mib(rep.EndRSS), rep.ShutdownTook.Seconds())
	fmt.Fprintf(w, "CPU during the load: server %.1f s (%.2f cores), load program %.1f s (%.2f cores); server over its life %.1f s\n",
		rep.LoadServerCPU.Seconds(), perSecond(rep.LoadServerCPU.Seconds(), rep.Elapsed),
		rep.LoadClientCPU.Seconds(), perSecond(rep.LoadClientCPU.Seconds(), rep.Elapsed), rep.ServerCPU.Seconds())
	fmt.Fprintln(w, "\nchecks:")
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "  ok: %s\n", n)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  FAIL: %s\n", p)
	}
	switch {
	case rep.OK():
		fmt.Fprintln(w, "PASS: no errors, nothing lost")
	case rep.Interrupted && len(rep.Problems) == 0 && rep.Errors == 0:
		fmt.Fprintln(w, "STOPPED EARLY: no errors, nothing lost, but the load did not run its full duration")
	default:
		fmt.Fprintln(w, "FAIL")
	}
}
