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
	"syscall"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
)

// crashHelper appends leaves (each with a stored original) until killed,
// printing "ack N" after each commit that leaves the log at size N.
func crashHelper(dir string) {
	ctx := context.Background()
	a, err := openApp(ctx, env{getenv: os.Getenv}, dir, true)
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
		var size int64
		err = a.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.RegisterBlob(ctx, h, n); err != nil {
				return err
			}
			now := time.Now().UTC()
			batch := make([]provenance.Leaf, 1+i%3)
			for k := range batch {
				batch[k] = provenance.Leaf{Type: provenance.Ingest, Case: "CRASH", Started: now, Ended: now,
					Inputs: []cellsite.Artefact{{Name: "f.csv", SHA256: h, Size: n}}}
			}
			out, _, err := a.log.Append(ctx, tx, batch...)
			if err == nil {
				size = out[len(out)-1].Index + 1
			}
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Fprintf(w, "ack %d\n", size)
		w.Flush()
	}
}

// A process killed at random points while appending leaves a log that
// verifies and has lost no acknowledged append.
func TestCrashDuringAppends(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dir := filepath.Join(t.TempDir(), "data")
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	var acked int64
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "CELLSITE_CRASH_HELPER="+dir)
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
		var timer *time.Timer
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if timer == nil {
				timer = time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
			}
			n, err := strconv.ParseInt(strings.TrimPrefix(sc.Text(), "ack "), 10, 64)
			if err != nil {
				t.Fatalf("helper said %q", sc.Text())
			}
			acked = n
		}
		if timer != nil {
			timer.Stop()
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: helper ended without being killed: %v\n%s", round, err, stderr.String())
		}
		code, out, errs := cli(t, nil, "verify", "--data", dir)
		if code != 0 {
			t.Fatalf("round %d (killed after %v): verify failed: %s", round, killAfter, errs)
		}
		var leaves int64
		fmt.Sscanf(out[strings.Index(out, ": ")+2:], "%d leaves", &leaves)
		if leaves < acked {
			t.Fatalf("round %d: log has %d leaves but %d were acknowledged", round, leaves, acked)
		}
		t.Logf("round %d: killed after %v, %d acknowledged, %d in the log", round, killAfter, acked, leaves)
	}
	if acked < 10 {
		t.Errorf("only %d appends acknowledged over all rounds: the test exercised too little", acked)
	}
}
