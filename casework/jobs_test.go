package casework_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/store"
)

func open(t *testing.T, now func() time.Time) *casework.Service {
	t.Helper()
	s, err := casework.Open(context.Background(), casework.Config{Dir: t.TempDir(), Create: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitJob polls a job until it leaves the queue and the workers.
func waitJob(t *testing.T, r *casework.Runner, id string) store.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		j, err := r.Job(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != store.JobQueued && j.State != store.JobRunning {
			return j
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("job %s did not finish", id)
	return store.Job{}
}

func TestRunnerStates(t *testing.T) {
	s := open(t, nil)
	r := s.NewRunner(2)
	ctx := context.Background()

	ok, err := r.Submit(ctx, "C", "test", "ann", map[string]int{"n": 1}, func(ctx context.Context, p casework.Progress) (any, error) {
		p("counting", 5, 10)
		return map[string]string{"answer": "42"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ok.State != store.JobQueued || !strings.HasPrefix(ok.ID, "job_") {
		t.Errorf("submitted: %+v", ok)
	}
	if j := waitJob(t, r, ok.ID); j.State != store.JobSucceeded || j.Result != `{"answer":"42"}` || j.Done != 10 || j.FinishedAt.IsZero() {
		t.Errorf("succeeded job: %+v", j)
	}

	bad, _ := r.Submit(ctx, "C", "test", "ann", nil, func(ctx context.Context, p casework.Progress) (any, error) {
		return nil, errors.New("the file has no header")
	})
	if j := waitJob(t, r, bad.ID); j.State != store.JobFailed || j.Error != "the file has no header" {
		t.Errorf("failed job: %+v", j)
	}

	panicky, _ := r.Submit(ctx, "C", "test", "ann", nil, func(ctx context.Context, p casework.Progress) (any, error) {
		panic("boom")
	})
	if j := waitJob(t, r, panicky.ID); j.State != store.JobFailed || !strings.Contains(j.Error, "boom") {
		t.Errorf("panicking job: %+v", j)
	}

	started := make(chan struct{})
	long, _ := r.Submit(ctx, "C", "test", "ann", nil, func(ctx context.Context, p casework.Progress) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	<-started
	if err := r.Cancel(long.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if j := waitJob(t, r, long.ID); j.State != store.JobCancelled || j.Error != "cancelled by bob" {
		t.Errorf("cancelled job: %+v", j)
	}
	if err := r.Cancel(long.ID, "bob"); err == nil {
		t.Error("cancelling a finished job succeeded")
	}
}

func TestRunnerBoundsWorkers(t *testing.T) {
	s := open(t, nil)
	r := s.NewRunner(2)
	var running, most atomic.Int32
	release := make(chan struct{})
	var ids []string
	for range 6 {
		j, err := r.Submit(context.Background(), "C", "test", "ann", nil, func(ctx context.Context, p casework.Progress) (any, error) {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			<-release
			running.Add(-1)
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	for _, id := range ids {
		waitJob(t, r, id)
	}
	if m := most.Load(); m != 2 {
		t.Errorf("at most %d jobs ran at once, want 2", m)
	}
}

func TestRunnerShutdownAndRecover(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := casework.Open(ctx, casework.Config{Dir: dir, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	r := s.NewRunner(1)
	started := make(chan struct{})
	j, _ := r.Submit(ctx, "C", "test", "ann", nil, func(ctx context.Context, p casework.Progress) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	queued, _ := r.Submit(ctx, "C", "test", "ann", nil, func(ctx context.Context, p casework.Progress) (any, error) { return nil, nil })
	<-started
	if err := r.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{j.ID, queued.ID} {
		got, _ := r.Job(ctx, id)
		if got.State != store.JobFailed || got.Error != casework.ErrShutdown.Error() {
			t.Errorf("after shutdown: %+v", got)
		}
	}
	if _, err := r.Submit(ctx, "C", "test", "ann", nil, nil); err == nil {
		t.Error("a stopped runner took a job")
	}
	// A job the process left running (it was killed) is failed on restart.
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		return tx.AddJob(ctx, store.Job{ID: "job_killed", Case: "C", Kind: "ingest", State: store.JobRunning, Stage: "parse", Request: "{}", Result: "null", CreatedAt: time.Now(), CreatedBy: "ann"})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := casework.Open(ctx, casework.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	r2 := s2.NewRunner(1)
	n, err := r2.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	got, _ := r2.Job(ctx, "job_killed")
	if got.State != store.JobFailed || !strings.Contains(got.Error, "interrupted: the service stopped while the job was running") {
		t.Errorf("recovered job: %+v", got)
	}
}
