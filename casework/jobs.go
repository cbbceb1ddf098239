package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
)

// JobFunc is the work of a job. It reports progress, stops when ctx is
// cancelled, and returns a result to store as JSON.
type JobFunc func(ctx context.Context, progress Progress) (any, error)

// Runner runs jobs in a bounded pool of workers, keeps their state in the
// store and their progress in memory while they run, and cancels them on
// request or at shutdown. A job
// that was queued or running when the service stopped is marked failed
// when the next runner starts (Recover): each step runs in one transaction,
// so an interrupted job has left nothing half-applied.
type Runner struct {
	s      *Service
	sem    chan struct{}
	mu     sync.Mutex
	live   map[string]*liveJob
	closed bool
	wg     sync.WaitGroup
}

type liveJob struct {
	mu     sync.Mutex
	job    store.Job
	cancel context.CancelFunc
	why    string // why it was cancelled
}

// ErrShutdown is the reason given to jobs stopped by a shutdown.
var ErrShutdown = errors.New("interrupted: the service was shut down while the job ran; nothing of it was recorded, submit it again")

// NewRunner returns a runner with the given number of workers (at least 1).
func (s *Service) NewRunner(workers int) *Runner {
	if workers < 1 {
		workers = 1
	}
	return &Runner{s: s, sem: make(chan struct{}, workers), live: map[string]*liveJob{}}
}

// Recover marks every job left queued or running by an earlier process as
// failed, with the reason, and returns how many there were.
func (r *Runner) Recover(ctx context.Context) (int, error) {
	n := 0
	err := r.s.DB.Update(ctx, func(tx *store.Tx) error {
		jobs, err := tx.Jobs(ctx, store.JobQueued, store.JobRunning)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			j.Error = "interrupted: the service stopped while the job was " + j.State + "; nothing of it was recorded, submit it again"
			j.State = store.JobFailed
			j.FinishedAt = r.s.now()
			if err := tx.UpdateJob(ctx, j); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func newJobID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "job_" + hex.EncodeToString(b[:])
}

// Submit stores a queued job and starts it when a worker is free. The
// request is stored as JSON with the job.
func (r *Runner) Submit(ctx context.Context, caseRef, kind, by string, request any, fn JobFunc) (store.Job, error) {
	req, err := json.Marshal(request)
	if err != nil {
		return store.Job{}, cellsite.Errorf(cellsite.Internal, "submit job", "%v", err)
	}
	j := store.Job{ID: newJobID(), Case: caseRef, Kind: kind, State: store.JobQueued, Stage: "queued", Request: string(req),
		Result: "null", CreatedAt: r.s.now(), CreatedBy: by}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return store.Job{}, cellsite.Errorf(cellsite.Conflict, "submit job", "the service is shutting down")
	}
	if err := r.s.DB.Update(ctx, func(tx *store.Tx) error { return tx.AddJob(ctx, j) }); err != nil {
		r.mu.Unlock()
		return store.Job{}, err
	}
	jctx, cancel := context.WithCancel(context.Background())
	lj := &liveJob{job: j, cancel: cancel}
	r.live[j.ID] = lj
	r.wg.Add(1)
	r.mu.Unlock()
	go r.run(jctx, lj, fn)
	return j, nil
}

func (r *Runner) run(ctx context.Context, lj *liveJob, fn JobFunc) {
	defer r.wg.Done()
	defer lj.cancel()
	select {
	case r.sem <- struct{}{}:
		defer func() { <-r.sem }()
	case <-ctx.Done():
		r.finish(lj, nil, ctx.Err())
		return
	}
	lj.mu.Lock()
	lj.job.State, lj.job.Stage, lj.job.StartedAt = store.JobRunning, "starting", r.s.now()
	j := lj.job
	lj.mu.Unlock()
	r.write(j)
	res, err := func() (res any, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = cellsite.Errorf(cellsite.Internal, "job", "panic: %v", p)
			}
		}()
		return fn(ctx, func(stage string, done, total int64) { r.progress(lj, stage, done, total) })
	}()
	r.finish(lj, res, err)
}

// progress records a running job's progress in memory only, where Job
// reads it. Writing it to the store here would deadlock: progress is
// reported from inside the job's own write transaction (an ingest parses
// while it inserts), and the store has a single writer.
func (r *Runner) progress(lj *liveJob, stage string, done, total int64) {
	lj.mu.Lock()
	lj.job.Stage, lj.job.Done, lj.job.Total = stage, done, total
	lj.mu.Unlock()
}

func (r *Runner) write(j store.Job) {
	// Progress and state outlive the request that asked for the job.
	_ = r.s.DB.Update(context.Background(), func(tx *store.Tx) error { return tx.UpdateJob(context.Background(), j) })
}

func (r *Runner) finish(lj *liveJob, res any, err error) {
	// The final state is stored, then the job leaves the live set: until
	// then Job shows it running, so that no one sees it finished while
	// Cancel still finds it live.
	lj.mu.Lock()
	final := lj.job
	j := &final
	j.FinishedAt = r.s.now()
	switch {
	case err == nil:
		b, merr := json.Marshal(res)
		if merr != nil {
			j.State, j.Error = store.JobFailed, "encoding the result: "+merr.Error()
			break
		}
		j.State, j.Stage, j.Result = store.JobSucceeded, "done", string(b)
		if j.Total > 0 {
			j.Done = j.Total
		}
	case errors.Is(err, context.Canceled) && lj.why != "":
		j.State, j.Error = store.JobCancelled, lj.why
		if lj.why == ErrShutdown.Error() {
			j.State = store.JobFailed
		}
	default:
		j.State, j.Error = store.JobFailed, err.Error()
	}
	lj.mu.Unlock()
	r.write(final)
	r.mu.Lock()
	delete(r.live, final.ID)
	r.mu.Unlock()
}

// Job returns a job's current state: live progress for a running job,
// the stored state otherwise.
func (r *Runner) Job(ctx context.Context, id string) (store.Job, error) {
	r.mu.Lock()
	lj, ok := r.live[id]
	r.mu.Unlock()
	if ok {
		lj.mu.Lock()
		defer lj.mu.Unlock()
		return lj.job, nil
	}
	var j store.Job
	err := r.s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		j, err = tx.Job(ctx, id)
		return err
	})
	return j, err
}

// Cancel stops a queued or running job. Whatever it had done is rolled
// back with its transaction.
func (r *Runner) Cancel(id, by string) error {
	r.mu.Lock()
	lj, ok := r.live[id]
	r.mu.Unlock()
	if !ok {
		return cellsite.Errorf(cellsite.Conflict, "cancel job", "job %s is not queued or running", id)
	}
	lj.mu.Lock()
	lj.why = fmt.Sprintf("cancelled by %s", by)
	lj.mu.Unlock()
	lj.cancel()
	return nil
}

// Wait blocks until no job is running.
func (r *Runner) Wait() { r.wg.Wait() }

// Shutdown refuses new jobs, stops the running ones (they are marked failed
// with ErrShutdown) and waits for them to wind down, or for ctx.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	for _, lj := range r.live {
		lj.mu.Lock()
		lj.why = ErrShutdown.Error()
		lj.mu.Unlock()
		lj.cancel()
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
