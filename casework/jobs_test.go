package casework_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/casework"
	"github.com/cellsite/cellsite/provenance"
	"github.com/cellsite/cellsite/store"
	"github.com/cellsite/cellsite/store/storetest"
)

func open(t *testing.T, now func() time.Time) *casework.Service {
	t.Helper()
	return openOn(t, "sqlite", now)
}

// openOn opens a new installation on backend.
func openOn(t *testing.T, backend string, now func() time.Time) *casework.Service {
	t.Helper()
	cfg := storetest.Config(t, backend)
	s, err := casework.Open(context.Background(), casework.Config{Dir: cfg.Dir, DSN: cfg.DSN, Create: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// replicaOf opens another service on the installation of s, as another
// process of a PostgreSQL installation (or a second process on a SQLite
// data directory) does.
func replicaOf(t *testing.T, s *casework.Service, dsn string, now func() time.Time) *casework.Service {
	t.Helper()
	r, err := casework.Open(context.Background(), casework.Config{Dir: s.DB.Dir(), DSN: dsn, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// testJobs is a job kind for tests: a job's request names a function.
type testJobs struct {
	mu        sync.Mutex
	fns       map[string]casework.JobFunc
	runs      map[string]int // job ID → times started
	abandoned []string
}

func newTestJobs() *testJobs {
	return &testJobs{fns: map[string]casework.JobFunc{}, runs: map[string]int{}}
}

func (tj *testJobs) kind() casework.JobKind {
	return casework.JobKind{
		Start: func(j store.Job) (casework.JobFunc, error) {
			var key string
			if err := json.Unmarshal([]byte(j.Request), &key); err != nil {
				return nil, err
			}
			tj.mu.Lock()
			defer tj.mu.Unlock()
			tj.runs[j.ID]++
			fn, ok := tj.fns[key]
			if !ok {
				return nil, fmt.Errorf("no test function %q", key)
			}
			return fn, nil
		},
		Abandon: func(ctx context.Context, j store.Job) error {
			tj.mu.Lock()
			defer tj.mu.Unlock()
			tj.abandoned = append(tj.abandoned, j.ID)
			return nil
		},
	}
}

// submit queues a test job that runs fn.
func (tj *testJobs) submit(t *testing.T, r *casework.Runner, fn casework.JobFunc) store.Job {
	t.Helper()
	tj.mu.Lock()
	key := fmt.Sprintf("fn%d", len(tj.fns))
	tj.fns[key] = fn
	tj.mu.Unlock()
	j, err := r.Submit(context.Background(), "C", "test", "ann", key)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// newRunner returns a started runner of test jobs, shut down when the
// test ends.
func newRunner(t *testing.T, s *casework.Service, tj *testJobs, cfg casework.RunnerConfig) *casework.Runner {
	t.Helper()
	r := s.NewRunner(cfg)
	r.Register("test", tj.kind())
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		r.Shutdown(ctx)
	})
	return r
}

// waitJob polls a job until it leaves the queue and the workers.
func waitJob(t *testing.T, r *casework.Runner, id string) store.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
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
	storetest.Run(t, func(t *testing.T, backend string) {
		s := openOn(t, backend, nil)
		tj := newTestJobs()
		r := newRunner(t, s, tj, casework.RunnerConfig{Workers: 2})
		ctx := context.Background()

		ok := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
			p("counting", 5, 10)
			return map[string]string{"answer": "42"}, nil
		})
		if ok.State != store.JobQueued || !strings.HasPrefix(ok.ID, "job_") {
			t.Errorf("submitted: %+v", ok)
		}
		if j := waitJob(t, r, ok.ID); j.State != store.JobSucceeded || j.Result != `{"answer":"42"}` || j.Done != 10 || j.FinishedAt.IsZero() {
			t.Errorf("succeeded job: %+v", j)
		}

		bad := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
			return nil, errors.New("the file has no header")
		})
		if j := waitJob(t, r, bad.ID); j.State != store.JobFailed || j.Error != "the file has no header" {
			t.Errorf("failed job: %+v", j)
		}

		panicky := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
			panic("boom")
		})
		if j := waitJob(t, r, panicky.ID); j.State != store.JobFailed || !strings.Contains(j.Error, "boom") {
			t.Errorf("panicking job: %+v", j)
		}

		started := make(chan struct{})
		long := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		})
		<-started
		if err := r.Cancel(ctx, long.ID, "bob"); err != nil {
			t.Fatal(err)
		}
		if j := waitJob(t, r, long.ID); j.State != store.JobCancelled || j.Error != "cancelled by bob" {
			t.Errorf("cancelled job: %+v", j)
		}
		if err := r.Cancel(ctx, long.ID, "bob"); cellsite.KindOf(err) != cellsite.Conflict {
			t.Errorf("cancelling a finished job: %v, want Conflict", err)
		}
		if _, err := r.Submit(ctx, "C", "unknown-kind", "ann", nil); cellsite.KindOf(err) != cellsite.Invalid {
			t.Errorf("a job of an unknown kind: %v, want Invalid", err)
		}
	})
}

func TestRunnerBoundsWorkers(t *testing.T) {
	s := open(t, nil)
	tj := newTestJobs()
	r := newRunner(t, s, tj, casework.RunnerConfig{Workers: 2})
	var running, most atomic.Int32
	release := make(chan struct{})
	var ids []string
	for range 6 {
		j := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
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

// A shutdown fails the running job (its work rolled back) and leaves the
// queued one queued; the next start fails what a killed process left
// running and runs what was queued.
func TestRunnerShutdownAndRecover(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := casework.Open(ctx, casework.Config{Dir: dir, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	tj := newTestJobs()
	r := s.NewRunner(casework.RunnerConfig{})
	r.Register("test", tj.kind())
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	j := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ran := make(chan struct{})
	queued := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
		close(ran)
		return "ran after the restart", nil
	})
	<-started
	if err := r.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Job(ctx, j.ID); got.State != store.JobFailed || got.Error != casework.ErrShutdown.Error() {
		t.Errorf("running job after shutdown: %+v", got)
	}
	if got, _ := r.Job(ctx, queued.ID); got.State != store.JobQueued {
		t.Errorf("queued job after shutdown: %+v, want still queued", got)
	}
	if _, err := r.Submit(ctx, "C", "test", "ann", "fn0"); err == nil {
		t.Error("a stopped runner took a job")
	}
	// A job the process left running (it was killed) is failed on restart.
	err = s.DB.Update(ctx, func(tx *store.Tx) error {
		return tx.AddJob(ctx, store.Job{ID: "job_killed", Case: "C", Kind: "test", State: store.JobRunning, Stage: "parse", Request: `"fn0"`, Result: "null",
			CreatedAt: time.Now(), CreatedBy: "ann", Owner: "killed-process"})
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
	r2 := s2.NewRunner(casework.RunnerConfig{})
	r2.Register("test", tj.kind())
	n, err := r2.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recovered %d, %v", n, err)
	}
	got, _ := r2.Job(ctx, "job_killed")
	if got.State != store.JobFailed || !strings.Contains(got.Error, "interrupted: the service stopped while the job was running") {
		t.Errorf("recovered job: %+v", got)
	}
	if err := r2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r2.Shutdown(ctx)
	<-ran
	if got := waitJob(t, r2, queued.ID); got.State != store.JobSucceeded {
		t.Errorf("the queued job after the restart: %+v", got)
	}
}

// TestRunnersClaimOnce: two replicas, each with two workers, share one
// queue fed from both: every job runs exactly once, and both replicas run
// some.
func TestRunnersClaimOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		cfg := storetest.Config(t, backend)
		a, err := casework.Open(context.Background(), casework.Config{Dir: cfg.Dir, DSN: cfg.DSN, Create: true})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b := replicaOf(t, a, cfg.DSN, nil)
		tj := newTestJobs()
		ra := newRunner(t, a, tj, casework.RunnerConfig{Workers: 2, Replica: "a", Poll: 10 * time.Millisecond})
		rb := newRunner(t, b, tj, casework.RunnerConfig{Workers: 2, Replica: "b", Poll: 10 * time.Millisecond})
		var ids []string
		for i := range 60 {
			r := ra
			if i%2 == 1 {
				r = rb
			}
			j := tj.submit(t, r, func(ctx context.Context, p casework.Progress) (any, error) {
				time.Sleep(time.Millisecond)
				return nil, nil
			})
			ids = append(ids, j.ID)
		}
		owners := map[string]int{}
		for _, id := range ids {
			j := waitJob(t, ra, id)
			if j.State != store.JobSucceeded {
				t.Errorf("job %s: %+v", id, j)
			}
			owners[j.Owner]++
		}
		tj.mu.Lock()
		defer tj.mu.Unlock()
		for _, id := range ids {
			if tj.runs[id] != 1 {
				t.Errorf("job %s ran %d times", id, tj.runs[id])
			}
		}
		if owners["a"] == 0 || owners["b"] == 0 || owners["a"]+owners["b"] != len(ids) {
			t.Errorf("jobs run per replica: %v", owners)
		}
	})
}

// TestStaleJob: a replica that stops reporting (its process hangs or dies)
// has its running job marked failed by another replica, and the work the
// job then tries to commit is refused: nothing of it is recorded.
func TestStaleJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		var skew atomic.Int64 // the second replica's clock runs ahead
		cfg := storetest.Config(t, backend)
		a, err := casework.Open(ctx, casework.Config{Dir: cfg.Dir, DSN: cfg.DSN, Create: true})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b := replicaOf(t, a, cfg.DSN, func() time.Time { return time.Now().UTC().Add(time.Duration(skew.Load())) })
		tj := newTestJobs()
		// Replica a never reports within the test: a hung process.
		ra := newRunner(t, a, tj, casework.RunnerConfig{Replica: "a", Heartbeat: time.Hour})
		rb := b.NewRunner(casework.RunnerConfig{Replica: "b", StaleAfter: time.Minute})
		rb.Register("test", tj.kind())
		if _, err := a.CreateCase(ctx, provenance.Actor{User: "ann", Role: "analyst"}, "C", "Stale jobs"); err != nil {
			t.Fatal(err)
		}
		started, resume := make(chan struct{}), make(chan struct{})
		j := tj.submit(t, ra, func(ctx context.Context, p casework.Progress) (any, error) {
			close(started)
			<-resume
			_, err := a.CreateCase(ctx, provenance.Actor{User: "ann", Role: "analyst"}, "C-2", "Made by a job taken away")
			return nil, err
		})
		<-started
		if n, err := rb.Recover(ctx); err != nil || n != 0 {
			t.Fatalf("Recover before the job is stale: %d, %v", n, err)
		}
		skew.Store(int64(2 * time.Minute))
		if n, err := rb.Recover(ctx); err != nil || n != 1 {
			t.Fatalf("Recover of the stale job: %d, %v", n, err)
		}
		close(resume)
		got := waitJob(t, ra, j.ID)
		if got.State != store.JobFailed || !strings.HasPrefix(got.Error, "interrupted: the service stopped while the job was running") {
			t.Errorf("stale job: %+v", got)
		}
		err = a.DB.View(ctx, func(tx *store.Tx) error { _, err := tx.Case(ctx, "C-2"); return err })
		if cellsite.KindOf(err) != cellsite.NotFound {
			t.Errorf("the job taken away still recorded its case: %v", err)
		}
		tj.mu.Lock()
		defer tj.mu.Unlock()
		if len(tj.abandoned) != 1 || tj.abandoned[0] != j.ID {
			t.Errorf("abandoned %v, want the stale job", tj.abandoned)
		}
	})
}

// TestCancelAcrossReplicas: a running job is stopped from the replica
// that does not run it; a queued job is cancelled at once, and what it
// held released.
func TestCancelAcrossReplicas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		cfg := storetest.Config(t, backend)
		a, err := casework.Open(ctx, casework.Config{Dir: cfg.Dir, DSN: cfg.DSN, Create: true})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b := replicaOf(t, a, cfg.DSN, nil)
		tj := newTestJobs()
		ra := newRunner(t, a, tj, casework.RunnerConfig{Replica: "a", Heartbeat: 20 * time.Millisecond})
		rb := b.NewRunner(casework.RunnerConfig{Replica: "b"}) // not started: it runs nothing
		rb.Register("test", tj.kind())
		started := make(chan struct{})
		running := tj.submit(t, ra, func(ctx context.Context, p casework.Progress) (any, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		})
		<-started
		queued := tj.submit(t, rb, func(ctx context.Context, p casework.Progress) (any, error) { return nil, nil })
		if err := rb.Cancel(ctx, queued.ID, "bob"); err != nil {
			t.Fatal(err)
		}
		if got, _ := rb.Job(ctx, queued.ID); got.State != store.JobCancelled || got.Error != "cancelled by bob" {
			t.Errorf("queued job cancelled: %+v", got)
		}
		if err := rb.Cancel(ctx, running.ID, "bob"); err != nil {
			t.Fatal(err)
		}
		if got := waitJob(t, rb, running.ID); got.State != store.JobCancelled || got.Error != "cancelled by bob" || got.Owner != "a" {
			t.Errorf("running job cancelled from another replica: %+v", got)
		}
		tj.mu.Lock()
		defer tj.mu.Unlock()
		if len(tj.abandoned) != 1 || tj.abandoned[0] != queued.ID {
			t.Errorf("abandoned %v, want the queued job", tj.abandoned)
		}
	})
}
