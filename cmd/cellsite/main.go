// Command cellsite is Cellsite's command line: it creates and checks data
// directories, ingests operators' exports, runs analyses, renders packs and
// serves the HTTP API. Run "cellsite help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// CELLSITE_CPUPROFILE=FILE writes a CPU profile of the command, for
	// performance work (see docs/PERFORMANCE.md).
	if p := os.Getenv("CELLSITE_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	pprof.StopCPUProfile()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError marks a mistake in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "cellsite: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// env is what every command gets from its surroundings.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"init":     {"create a data directory with its database, blob store, signing key and genesis leaf", runInit},
		"verify":   {"check the provenance log, checkpoints and stored originals; or, given PACK.zip, an evidential pack offline", runVerify},
		"migrate":  {"move a SQLite installation, provenance log included, into a new PostgreSQL database", runMigrate},
		"serve":    {"run the HTTP API service (users, roles, jobs, triggers, audit)", runServe},
		"pack":     {"render a case's schedules, report and maps into an evidential pack with its proofs", runPack},
		"log":      {"list provenance leaves", runLog},
		"key":      {"print the log's public verifier key and its fingerprint", runKey},
		"version":  {"print the program's version", runVersion},
		"case":     {"create and list cases: 'case create REF --title T', 'case list'", runCase},
		"ingest":   {"ingest operators' exports or cell lists into a case", runIngest},
		"rejects":  {"list the rejected rows of a case's ingested files", runRejects},
		"profiles": {"list the format profiles", runProfiles},
		"synth":    {"write synthetic operator exports and cell lists with their ground truth", runSynth},
		"analyses": {"list a case's stored analyses, or print one with --show ID", runAnalyses},
		"analyse":  {"run an analysis over a case's events: timeline, colocation, pattern, contacts, attribution, sessions, towerdump", runAnalyse},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		usage(stderr)
		return usageError{"no command given"}
	}
	name := args[1]
	switch name {
	case "help", "-h", "--help", "-help":
		usage(stdout)
		return nil
	}
	c, ok := commands[name]
	if !ok {
		usage(stderr)
		return usageError{fmt.Sprintf("unknown command %q", name)}
	}
	return c.run(ctx, e, args[2:])
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "cellsite %s: evidence-grade cell site analysis\n\nUsage: cellsite COMMAND [flags]\n\nCommands:\n", cellsite.Build().Version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun 'cellsite COMMAND -h' for a command's flags. The data directory is --data DIR,\nor $CELLSITE_DATA, or ./cellsite-data; a PostgreSQL installation adds --db URL\n(or $CELLSITE_DB) and keeps only its blobs and keys in the directory.\n")
}

// newFlags returns a flag set for a subcommand whose errors are returned, not printed twice.
func newFlags(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: cellsite %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// location is where an installation is: its data directory and, for a
// PostgreSQL installation, its database.
type location struct {
	dir string // the data directory: blobs and keys, and the SQLite database
	db  string // a postgres:// URL, or "" for SQLite in dir
}

// String names the installation in messages (without a password).
func (l *location) String() string {
	if l.db == "" {
		return l.dir
	}
	return store.Redact(l.db) + " (data " + l.dir + ")"
}

// dataFlag registers --data and --db with their environment and default
// fallbacks.
func dataFlag(fs *flag.FlagSet, e env) *location {
	def := e.getenv("CELLSITE_DATA")
	if def == "" {
		def = "cellsite-data"
	}
	l := &location{}
	fs.StringVar(&l.dir, "data", def, "data `directory` (default $CELLSITE_DATA or ./cellsite-data); with --db, the blob store and keys shared by every replica")
	fs.StringVar(&l.db, "db", e.getenv("CELLSITE_DB"), "PostgreSQL database `URL` (postgres://user@host:5432/db?sslmode=verify-full) instead of SQLite in the data directory (default $CELLSITE_DB)")
	return l
}

// parseAndOpen parses a command's flags, refuses positional arguments, and
// opens the data directory named by data (which must already exist).
func parseAndOpen(ctx context.Context, e env, fs *flag.FlagSet, args []string, data *location) (*app, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if err := noArgs(pos); err != nil {
		return nil, err
	}
	return openApp(ctx, e, data, false)
}

// parseAndOpenCase is parseAndOpen for commands that need --case.
func parseAndOpenCase(ctx context.Context, e env, fs *flag.FlagSet, args []string, data *location, caseRef *string) (*app, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if err := noArgs(pos); err != nil {
		return nil, err
	}
	if *caseRef == "" {
		return nil, usageError{fs.Name() + ": --case is required"}
	}
	return openApp(ctx, e, data, false)
}

func noArgs(pos []string) error {
	if len(pos) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", strings.Join(pos, " "))}
	}
	return nil
}
