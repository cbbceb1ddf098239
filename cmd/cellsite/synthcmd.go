package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/synth"
)

// runSynth writes a synthetic scenario: CDRs and cell lists in the shipped
// layouts, with a truth.json that says what they contain.
func runSynth(ctx context.Context, e env, args []string) error {
	fl := newFlags(e, "synth", "--seed N --out DIR [--scenario NAME] [--events N] [--force] [--list]")
	profDir := profilesFlag(fl, e)
	seed := fl.Uint64("seed", 1, "random `seed`: the same seed and scenario give byte-identical files")
	out := fl.String("out", "", "output `directory` (required): DIR/cdr, DIR/cells and DIR/truth.json")
	scenario := fl.String("scenario", synth.Scenarios()[0].Name, "scenario `NAME` (see --list)")
	events := fl.Int("events", 0, fmt.Sprintf("scale scenario: the number of `events` (default %d)", synth.DefaultScaleEvents))
	force := fl.Bool("force", false, "write into a directory that is not empty, replacing files of the same names")
	list := fl.Bool("list", false, "list the scenarios")
	pos, err := parse(fl, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *list {
		w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SCENARIO\tCONTENTS")
		for _, s := range synth.Scenarios() {
			fmt.Fprintf(w, "%s\t%s\n", s.Name, s.Summary)
		}
		return w.Flush()
	}
	known := false
	var names []string
	for _, s := range synth.Scenarios() {
		known = known || s.Name == *scenario
		names = append(names, s.Name)
	}
	switch {
	case *out == "":
		return usageError{"synth: --out is required"}
	case !known:
		return usageError{fmt.Sprintf("synth: no scenario %q (scenarios: %s)", *scenario, strings.Join(names, ", "))}
	case *events < 0:
		return usageError{"synth: --events must be positive"}
	case *events != 0 && *scenario != "scale":
		return usageError{"synth: --events applies to the scale scenario only"}
	}
	profiles, err := casework.LoadProfiles(*profDir)
	if err != nil {
		return err
	}
	if err := prepareOut(*out, *force); err != nil {
		return err
	}
	root, err := os.OpenRoot(*out)
	if err != nil {
		return cellsite.Errorf(cellsite.Invalid, "synth", "%v", err)
	}
	defer root.Close()
	opt := synth.Options{Scenario: *scenario, Seed: *seed, Events: *events, Profiles: profiles}
	bar := newProgress(e.stderr, "synth "+*scenario)
	if *scenario == "scale" {
		opt.Progress = bar.update
	}
	tr, err := synth.Generate(ctx, opt, synth.DirSink{Root: root})
	bar.done()
	if err != nil {
		return err
	}
	printSynth(e.stdout, tr)
	return nil
}

// prepareOut creates dir, or checks that it is an empty directory unless
// force is given.
func prepareOut(dir string, force bool) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return cellsite.Errorf(cellsite.Invalid, "synth", "%v", err)
		}
		return nil
	case err != nil:
		return cellsite.Errorf(cellsite.Invalid, "synth", "%v", err)
	case !fi.IsDir():
		return cellsite.Errorf(cellsite.Invalid, "synth", "%s is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return cellsite.Errorf(cellsite.Invalid, "synth", "%v", err)
	}
	if len(entries) > 0 && !force {
		return cellsite.Errorf(cellsite.Invalid, "synth", "%s is not empty: give --force to write into it", dir)
	}
	return nil
}

// printSynth writes one line per file written and one for the truth.
func printSynth(w io.Writer, tr *synth.Truth) {
	for _, f := range tr.Files {
		fmt.Fprintf(w, "wrote %s: %s %s, %s, %d data rows (%d accepted, %d duplicates, %d rejects planted), %d banner and %d footer lines\n",
			f.Path, f.Profile, f.ProfileVersion, f.Format, f.Rows, f.Accepted, len(f.Duplicates), len(f.Rejects), len(f.Banner), len(f.Footer))
	}
	fmt.Fprintf(w, "wrote truth.json: scenario %s, seed %d, %d phones, %d meetings, %d files, %d track rows\n",
		tr.Scenario, tr.Seed, len(tr.Phones), len(tr.Meetings), len(tr.Files), len(tr.Track))
}
