package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/cellsite/cellsite"
	"github.com/cellsite/cellsite/store"
)

// JobFunc is the work of a job. It reports progress, stops when ctx is
// cancelled, and returns a result to store as JSON.
type JobFunc func(ctx context.Context, progress Progress) (any, error)

// JobKind is what a runner does with one kind of job.
type JobKind struct {
	// Start reads a job's request (JSON, as submitted, with the job's
	// case and submitter) and returns its work. An error fails the job.
	Start func(j store.Job) (JobFunc, error)
	// Abandon, if not nil, releases what a job holds (the stored original
	// of an ingest) when the job ends without its work running to an end
	// on a live replica: cancelled while queued, or left running by a
	// replica that stopped. Its errors are logged.
	Abandon func(ctx context.Context, j store.Job) error
}

// RunnerConfig configures a runner; zero fields get defaults.
type RunnerConfig struct {
	// Workers is how many jobs this process runs at once [1].
	Workers int
	// Replica names this process on the jobs it runs
	// [hostname-pid-random].
	Replica string
	// Poll is how often idle workers look for jobs queued by other
	// replicas [1 s]; a job queued here wakes a worker at once.
	Poll time.Duration
	// Heartbeat is how often the runner reports its running jobs alive,
	// with their progress, and picks up stops asked for on other
	// replicas [5 s].
	Heartbeat time.Duration
	// StaleAfter is how long a running job's replica may stay silent
	// before another replica marks the job failed [1 min].
	StaleAfter time.Duration
	// Log hears about jobs that failed, were taken over or were left by a
	// stopped replica [discarded].
	Log *slog.Logger
}

// Runner runs jobs kept in the store. A job is data: its kind and its
// request. Any replica of the service (any process on the same database)
// may claim a queued job, each job exactly once, and runs it with the
// JobKind registered for its kind. While a job runs, its progress is kept
// in memory and reported to the store at each heartbeat; a replica that
// stops reporting (it died) has its running jobs marked failed by another:
// each step of a job commits in one transaction, and a job's transactions
// commit only while the job is still its runner's (store.WithJob), so an
// interrupted job has left nothing half-applied.
type Runner struct {
	s     *Service
	cfg   RunnerConfig
	mu    sync.Mutex
	kinds map[string]JobKind
	live  map[string]*liveJob
	// started and closed: Start and Shutdown have been called.
	started, closed bool
	wake            chan struct{}
	stop            chan struct{}
	loops           sync.WaitGroup // workers and the heartbeat
}

type liveJob struct {
	mu     sync.Mutex
	job    store.Job
	cancel context.CancelFunc
	why    string // why it was cancelled
}

// ErrShutdown is the reason given to jobs stopped by a shutdown.
var ErrShutdown = errors.New("interrupted: the service was shut down while the job ran; nothing of it was recorded, submit it again")

// errStale is the reason given to jobs left running by a replica that
// stopped reporting.
const errStale = "interrupted: the service stopped while the job was running; nothing of it was recorded, submit it again"

// NewRunner returns a runner. Register the kinds of job it runs, then
// Start it.
func (s *Service) NewRunner(cfg RunnerConfig) *Runner {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.Replica == "" {
		host, _ := os.Hostname()
		var b [3]byte
		_, _ = rand.Read(b[:])
		cfg.Replica = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 5 * time.Second
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Runner{s: s, cfg: cfg, kinds: map[string]JobKind{}, live: map[string]*liveJob{},
		wake: make(chan struct{}, cfg.Workers), stop: make(chan struct{})}
}

// Replica returns the name this runner gives itself on the jobs it runs.
func (r *Runner) Replica() string { return r.cfg.Replica }

// Register sets how jobs of a kind are run. Jobs of kinds not registered
// here are left for replicas that know them.
func (r *Runner) Register(kind string, k JobKind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kinds[kind] = k
}

func (r *Runner) kind(name string) (JobKind, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.kinds[name]
	return k, ok
}

func (r *Runner) kindNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Start fails the jobs that stopped replicas left running (Recover), then
// starts the workers and the heartbeat. It returns at once.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	if r.started || r.closed {
		r.mu.Unlock()
		return cellsite.Errorf(cellsite.Conflict, "start runner", "the runner has been started or shut down")
	}
	r.started = true
	r.mu.Unlock()
	if _, err := r.Recover(ctx); err != nil {
		return err
	}
	r.loops.Add(r.cfg.Workers + 1)
	for range r.cfg.Workers {
		go r.work()
	}
	go r.heartbeat()
	return nil
}

// Recover marks failed every job that another replica left running and
// has not reported alive for StaleAfter (that replica stopped, or lost the
// database), releases what they held, and returns how many there were.
// The runner calls it at each heartbeat; Start calls it first.
func (r *Runner) Recover(ctx context.Context) (int, error) {
	now := r.s.now()
	var stale []store.Job
	err := r.s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		stale, err = tx.FailStaleJobs(ctx, r.cfg.Replica, now.Add(-r.cfg.StaleAfter), now, errStale)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, j := range stale {
		r.cfg.Log.WarnContext(ctx, "job left running by a stopped replica marked failed", "job", j.ID, "kind", j.Kind, "case", j.Case, "replica", j.Owner, "last_heartbeat", j.Heartbeat)
		r.abandon(ctx, j)
	}
	return len(stale), nil
}

func (r *Runner) abandon(ctx context.Context, j store.Job) {
	k, ok := r.kind(j.Kind)
	if !ok || k.Abandon == nil {
		return
	}
	if err := k.Abandon(context.WithoutCancel(ctx), j); err != nil {
		r.cfg.Log.ErrorContext(ctx, "releasing what an abandoned job held", "job", j.ID, "kind", j.Kind, "err", err.Error())
	}
}

func newJobID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "job_" + hex.EncodeToString(b[:])
}

// Submit stores a queued job of a registered kind, with its request as
// JSON, for a worker of any replica to claim.
func (r *Runner) Submit(ctx context.Context, caseRef, kind, by string, request any) (store.Job, error) {
	j, _, err := r.SubmitIf(ctx, nil, caseRef, kind, by, request)
	return j, err
}

// SubmitIf is Submit with a condition checked in the same transaction: the
// job is stored only if cond returns true (ok reports it), and together
// with cond's writes. A trigger's due time is claimed this way, so that of
// several replicas finding it due, one submits its job.
func (r *Runner) SubmitIf(ctx context.Context, cond func(tx *store.Tx) (bool, error), caseRef, kind, by string, request any) (j store.Job, ok bool, err error) {
	if _, known := r.kind(kind); !known {
		return store.Job{}, false, cellsite.Errorf(cellsite.Invalid, "submit job", "no job kind %q", kind)
	}
	req, err := json.Marshal(request)
	if err != nil {
		return store.Job{}, false, cellsite.Errorf(cellsite.Internal, "submit job", "%v", err)
	}
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return store.Job{}, false, cellsite.Errorf(cellsite.Conflict, "submit job", "the service is shutting down")
	}
	j = store.Job{ID: newJobID(), Case: caseRef, Kind: kind, State: store.JobQueued, Stage: "queued", Request: string(req),
		Result: "null", CreatedAt: r.s.now(), CreatedBy: by}
	ok = true
	err = r.s.DB.Update(ctx, func(tx *store.Tx) error {
		if cond != nil {
			var err error
			if ok, err = cond(tx); err != nil || !ok {
				return err
			}
		}
		return tx.AddJob(ctx, j)
	})
	if err != nil || !ok {
		return store.Job{}, false, err
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return j, true, nil
}

// work claims and runs jobs until the runner shuts down.
func (r *Runner) work() {
	defer r.loops.Done()
	for {
		select {
		case <-r.stop:
			return
		default:
		}
		j, ok, err := r.claim()
		if err != nil {
			r.cfg.Log.Error("claiming a job", "replica", r.cfg.Replica, "err", err.Error())
		}
		if ok {
			r.run(j)
			continue
		}
		t := time.NewTimer(r.cfg.Poll)
		select {
		case <-r.stop:
			t.Stop()
			return
		case <-r.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (r *Runner) claim() (store.Job, bool, error) {
	kinds := r.kindNames()
	var j store.Job
	var ok bool
	err := r.s.DB.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		j, ok, err = tx.ClaimJob(context.Background(), kinds, r.cfg.Replica, r.s.now())
		return err
	})
	return j, ok && err == nil, err
}

func (r *Runner) run(j store.Job) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lj := &liveJob{job: j, cancel: cancel}
	r.mu.Lock()
	if r.closed {
		// Claimed as the runner shut down: back to the queue.
		r.mu.Unlock()
		if err := r.s.DB.Update(context.Background(), func(tx *store.Tx) error { return tx.ReleaseJob(context.Background(), j.ID, r.cfg.Replica) }); err != nil {
			r.cfg.Log.Error("returning a job to the queue", "job", j.ID, "err", err.Error())
		}
		return
	}
	r.live[j.ID] = lj
	r.mu.Unlock()
	// Every transaction of the job commits only while the job is still
	// this runner's.
	ctx = store.WithJob(ctx, j.ID, r.cfg.Replica, r.s.now)
	res, err := func() (res any, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = cellsite.Errorf(cellsite.Internal, "job", "panic: %v", p)
			}
		}()
		k, ok := r.kind(j.Kind)
		if !ok {
			return nil, cellsite.Errorf(cellsite.Internal, "job", "no job kind %q", j.Kind)
		}
		fn, err := k.Start(j)
		if err != nil {
			r.abandon(ctx, j)
			return nil, err
		}
		return fn(ctx, func(stage string, done, total int64) { r.progress(lj, stage, done, total) })
	}()
	r.finish(lj, res, err)
}

// progress records a running job's progress in memory only, where Job
// reads it and the heartbeat takes it to the store. Writing it to the
// store here would deadlock on SQLite: progress is reported from inside
// the job's own write transaction (an ingest parses while it inserts),
// and SQLite has a single writer.
func (r *Runner) progress(lj *liveJob, stage string, done, total int64) {
	lj.mu.Lock()
	lj.job.Stage, lj.job.Done, lj.job.Total = stage, done, total
	lj.mu.Unlock()
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
	if j.State == store.JobFailed && lj.why == "" {
		r.cfg.Log.Warn("job failed", "job", j.ID, "kind", j.Kind, "case", j.Case, "err", j.Error)
	}
	// The end of a job outlives whatever asked for it.
	var stored bool
	werr := r.s.DB.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		stored, err = tx.FinishJob(context.Background(), final, r.cfg.Replica)
		return err
	})
	if werr != nil {
		r.cfg.Log.Error("storing the end of a job", "job", j.ID, "err", werr.Error())
	} else if !stored {
		r.cfg.Log.Warn("job was marked failed by another replica while it ran here; its work was rolled back", "job", j.ID, "kind", j.Kind)
	}
	r.mu.Lock()
	delete(r.live, final.ID)
	r.mu.Unlock()
}

// heartbeat reports the running jobs alive, stops those asked to stop on
// other replicas, and fails jobs stopped replicas left, until shutdown.
func (r *Runner) heartbeat() {
	defer r.loops.Done()
	t := time.NewTicker(r.cfg.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
		r.beat()
		if _, err := r.Recover(context.Background()); err != nil {
			r.cfg.Log.Error("failing jobs of stopped replicas", "err", err.Error())
		}
	}
}

func (r *Runner) beat() {
	r.mu.Lock()
	jobs := make([]store.Job, 0, len(r.live))
	for _, lj := range r.live {
		lj.mu.Lock()
		jobs = append(jobs, lj.job)
		lj.mu.Unlock()
	}
	r.mu.Unlock()
	var stops map[string]string
	err := r.s.DB.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		stops, err = tx.BeatJobs(context.Background(), r.cfg.Replica, r.s.now(), jobs)
		return err
	})
	if err != nil {
		r.cfg.Log.Error("job heartbeat", "replica", r.cfg.Replica, "err", err.Error())
		return
	}
	for id, by := range stops {
		r.stopLocal(id, "cancelled by "+by)
	}
}

// stopLocal cancels a job running here; it reports false if there is none.
func (r *Runner) stopLocal(id, why string) bool {
	r.mu.Lock()
	lj, ok := r.live[id]
	r.mu.Unlock()
	if !ok {
		return false
	}
	lj.mu.Lock()
	if lj.why == "" {
		lj.why = why
	}
	lj.mu.Unlock()
	lj.cancel()
	return true
}

// Job returns a job's current state: live progress for a job running
// here, the stored state otherwise (for a job running on another replica,
// its progress as of that replica's last heartbeat).
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

// Cancel stops a queued or running job, whichever replica runs it: a job
// running here stops at once, one running on another replica at that
// replica's next heartbeat. Whatever it had done is rolled back with its
// transaction.
func (r *Runner) Cancel(ctx context.Context, id, by string) error {
	why := "cancelled by " + by
	if r.stopLocal(id, why) {
		return nil
	}
	var j store.Job
	err := r.s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		j, err = tx.CancelJob(ctx, id, by, why, r.s.now())
		return err
	})
	if err != nil {
		return err
	}
	if j.State == store.JobCancelled {
		r.abandon(ctx, j)
	}
	return nil
}

// Shutdown refuses new jobs, stops the running ones (they are marked
// failed with ErrShutdown) and waits for them to wind down, or for ctx.
// Queued jobs stay queued, for another replica or the next start.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.stop)
	}
	live := make([]*liveJob, 0, len(r.live))
	for _, lj := range r.live {
		live = append(live, lj)
	}
	r.mu.Unlock()
	for _, lj := range live {
		lj.mu.Lock()
		lj.why = ErrShutdown.Error()
		lj.mu.Unlock()
		lj.cancel()
	}
	done := make(chan struct{})
	go func() { r.loops.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
