package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// app is an open data directory with its provenance log, and who is
// acting on it from this command line.
type app struct {
	svc   *casework.Service
	db    *store.DB
	log   *provenance.Log
	vkey  string
	actor provenance.Actor
	now   func() time.Time
}

func (a *app) Close() error { return a.svc.Close() }

// openApp opens the data directory; with create it makes one (database,
// blob store, signing key and genesis leaf) if there is none.
func openApp(ctx context.Context, e env, dir string, create bool) (*app, error) {
	actor := localActor(e)
	svc, err := casework.Open(ctx, casework.Config{Dir: dir, Create: create, Actor: actor})
	if err != nil {
		return nil, err
	}
	return &app{svc: svc, db: svc.DB, log: svc.Log, vkey: svc.VerifierKey, actor: actor, now: svc.Now}, nil
}

func localActor(e env) provenance.Actor {
	name := e.getenv("CELLSITE_USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "unknown"
	}
	return provenance.Actor{User: "local:" + name, Role: "admin"}
}

func runInit(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "init", "[--data DIR]")
	data := dataFlag(fs, e)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	_, statErr := os.Stat(filepath.Join(*data, store.DatabaseFile))
	existed := statErr == nil
	a, err := openApp(ctx, e, *data, true)
	if err != nil {
		return err
	}
	defer a.Close()
	fp, _ := provenance.Fingerprint(a.vkey)
	if existed {
		fmt.Fprintf(e.stdout, "data directory %s already exists; nothing changed\n", *data)
	} else {
		fmt.Fprintf(e.stdout, "created data directory %s\n", *data)
	}
	fmt.Fprintf(e.stdout, "log origin:      %s\nkey fingerprint: %s\n", a.log.Origin(), fp)
	return nil
}
