package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/store/storetest"
)

// crashHelper appends leaves (each with a stored original) until killed,
// printing "ack N NOTE" after each commit whose last leaf, at index N,
// carries NOTE. $CELLSITE_CRASH_DB names a PostgreSQL database.
func crashHelper(dir string) {
	ctx := context.Background()
	a, err := openApp(ctx, env{getenv: os.Getenv}, &location{dir: dir, db: os.Getenv("CELLSITE_CRASH_DB")}, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		content := bytes.Repeat([]byte(fmt.Sprintf("row %d %d\n", os.Getpid(), i)), 1+i%200)
		h, n, err := a.db.Blobs.Put(ctx, bytes.NewReader(content), 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		var last int64
		note := fmt.Sprintf("process-%d-commit-%d", os.Getpid(), i)
		err = a.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.RegisterBlob(ctx, h, n); err != nil {
				return err
			}
			now := time.Now().UTC()
			batch := make([]provenance.Leaf, 1+i%3)
			for k := range batch {
				batch[k] = provenance.Leaf{Type: provenance.Ingest, Case: "CRASH", Started: now, Ended: now,
					Inputs: []cellsite.Artefact{{Name: "f.csv", SHA256: h, Size: n}}, Note: note}
			}
			out, _, err := a.log.Append(ctx, tx, batch...)
			if err == nil {
				last = out[len(out)-1].Index
			}
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Fprintf(w, "ack %d %s\n", last, note)
		w.Flush()
	}
}

// Two processes appending to one installation, each killed at a random
// point, leave a log that verifies and holds every acknowledged append, at
// the index acknowledged: no commit lost, none forked or overwritten.
func TestCrashDuringAppends(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	storetest.Run(t, testCrashDuringAppends)
}

func testCrashDuringAppends(t *testing.T, backend string) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{}
	if backend == "postgres" {
		env["CELLSITE_DB"] = storetest.PostgresDSN(t)
	}
	if code, _, errs := cli(t, env, "init", "--data", dir); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	acked := map[int64]string{} // leaf index → note
	for round := range 6 {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 2 {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "CELLSITE_CRASH_HELPER="+dir, "CELLSITE_CRASH_DB="+env["CELLSITE_DB"])
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill at a random moment after the helper's first commit.
			killAfter := time.Duration(rng.IntN(250)) * time.Millisecond
			wg.Add(1)
			go func() {
				defer wg.Done()
				var timer *time.Timer
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					if timer == nil {
						timer = time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
					}
					f := strings.Fields(sc.Text())
					n, err := strconv.ParseInt(f[1], 10, 64)
					if len(f) != 3 || f[0] != "ack" || err != nil {
						t.Errorf("helper said %q", sc.Text())
						continue
					}
					mu.Lock()
					if prev, ok := acked[n]; ok {
						t.Errorf("leaf %d acknowledged twice: %s and %s", n, prev, f[2])
					}
					acked[n] = f[2]
					mu.Unlock()
				}
				if timer != nil {
					timer.Stop()
				}
				err := cmd.Wait()
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
					t.Errorf("round %d: helper ended without being killed: %v\n%s", round, err, stderr.String())
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		code, out, errs := cli(t, env, "verify", "--data", dir)
		if code != 0 {
			t.Fatalf("round %d: verify failed: %s", round, errs)
		}
		var leaves int64
		fmt.Sscanf(out[strings.Index(out, ": ")+2:], "%d leaves", &leaves)
		a, err := openApp(context.Background(), env2(env), &location{dir: dir, db: env["CELLSITE_DB"]}, false)
		if err != nil {
			t.Fatal(err)
		}
		err = a.db.View(context.Background(), func(tx *store.Tx) error {
			for i, note := range acked {
				lf, _, err := provenance.Get(context.Background(), tx, i)
				if err != nil {
					return fmt.Errorf("acknowledged leaf %d: %w", i, err)
				}
				if lf.Note != note {
					return fmt.Errorf("leaf %d holds %q, %q was acknowledged there", i, lf.Note, note)
				}
			}
			return nil
		})
		a.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		t.Logf("round %d: %d commits acknowledged so far, %d leaves in the log", round, len(acked), leaves)
	}
	if len(acked) < 10 {
		t.Errorf("only %d appends acknowledged over all rounds: the test exercised too little", len(acked))
	}
}

func env2(m map[string]string) env {
	return env{getenv: func(k string) string { return m[k] }}
}
