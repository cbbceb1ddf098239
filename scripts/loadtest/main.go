// Command loadtest puts a real `cellsite serve` under load on loopback and
// checks that nothing was lost.
//
// It starts the server on a random loopback port with a new data directory,
// signs in as the first-start admin (the token the server prints once),
// creates analysts and a case per client, and generates one small synthetic
// CDR. Then N clients, for D, each upload a distinct variant of that CDR
// (one extra row of their own), poll the ingest job, and read the case
// (events pages, sources, provenance) while it runs. Every request's
// latency and outcome is recorded.
//
// At the end it checks that there were no HTTP errors and no failed jobs,
// and that every accepted upload is accounted for: one source and one ingest
// leaf (with the upload's SHA-256 among its inputs) per upload, and an audit
// record for every audited request, uploads included; that the server logged
// no errors; that the whole log and every original verify, through the API
// and with `cellsite verify` after a graceful shutdown. It prints
// throughput, latency percentiles per kind of request and the server's peak
// memory, and exits 1 if anything failed or was lost.
//
// Interrupt once to stop the load early (the last uploads' jobs are waited
// for and the checks run); twice to abandon the run.
//
// Usage:
//
//	go run ./scripts/loadtest [--clients 50] [--duration 60s] [--bin PATH] ...
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var cfg Config
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: go run ./scripts/loadtest [flags]\n\n"+
			"Starts cellsite serve on loopback with a new data directory, runs concurrent clients\n"+
			"that upload synthetic CDRs and read them back, then checks that nothing was lost.\n"+
			"Exits 1 if any request or job failed or any upload is not accounted for.\n\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Bin, "bin", "", "the cellsite `binary` to serve with (default: go build ./cmd/cellsite into a temporary directory)")
	fs.IntVar(&cfg.Clients, "clients", 50, "concurrent `clients`")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "how long clients start new uploads")
	fs.IntVar(&cfg.Cases, "cases", 0, "`cases` the clients share (default one per client)")
	fs.IntVar(&cfg.Users, "users", 5, "analyst `users` the clients sign in as (at most one per client)")
	fs.IntVar(&cfg.Events, "events", 200, "`events` in the synthetic CDR each upload is a variant of")
	fs.IntVar(&cfg.Workers, "workers", 2, "the server's background job `workers` (serve --workers)")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Second, "bound on each request")
	fs.DurationVar(&cfg.Drain, "drain", 2*time.Minute, "bound on waiting for the last uploads' jobs once the duration is over")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the data directory and server log")
	quiet := fs.Bool("q", false, "print only the report")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "loadtest: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if !*quiet {
		cfg.Log = stderr
	}

	// The first interrupt ends the load early, the second abandons the run.
	// The server runs in its own process group, so a terminal's interrupt
	// reaches it only through this program, after the clients have stopped.
	ctx, abandon := context.WithCancel(context.Background())
	defer abandon()
	stop := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		fmt.Fprintln(stderr, "loadtest: interrupted: stopping the clients (interrupt again to abandon)")
		close(stop)
		<-sigs
		fmt.Fprintln(stderr, "loadtest: abandoning the run")
		abandon()
	}()

	if cfg.Bin == "" {
		dir, err := os.MkdirTemp("", "cellsite-loadtest-bin-")
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		cfg.Bin = filepath.Join(dir, "cellsite")
		if err := buildServer(ctx, cfg.Bin, stderr); err != nil {
			fmt.Fprintf(stderr, "loadtest: %v (or give --bin)\n", err)
			return 1
		}
	}
	rep, err := Run(ctx, cfg, stop)
	if rep != nil {
		rep.Print(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 1
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

// buildServer builds cmd/cellsite of this module to bin.
func buildServer(ctx context.Context, bin string, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/cellsite/cellsite/cmd/cellsite")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building cellsite: %w", err)
	}
	return nil
}
