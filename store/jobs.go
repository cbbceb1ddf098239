package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/cellsite/cellsite"
)

// Job states.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
	JobCancelled = "cancelled"
)

// Job is a piece of background work: an ingest, an analysis or a pack. It
// is data (a kind and a request), so that any replica of the service can
// run it.
type Job struct {
	ID         string    `json:"id"`
	Case       string    `json:"case"`
	Kind       string    `json:"kind"`
	State      string    `json:"state"`
	Stage      string    `json:"stage"`
	Done       int64     `json:"done"`
	Total      int64     `json:"total"`
	Request    string    `json:"-"`      // JSON, as submitted
	Result     string    `json:"result"` // JSON
	Error      string    `json:"error"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Owner names the replica that claimed the job, Heartbeat is when it
	// last reported the job alive, and CancelBy who asked a running job to
	// stop (the owner stops it at its next report).
	Owner     string    `json:"-"`
	Heartbeat time.Time `json:"-"`
	CancelBy  string    `json:"-"`
}

// AddJob stores a new job.
func (tx *Tx) AddJob(ctx context.Context, j Job) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO jobs (id, case_ref, kind, state, stage, done, total, request, result, error, created_at, created_by, started_at, finished_at, owner, heartbeat, cancel_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.Case, j.Kind, j.State, j.Stage, j.Done, j.Total, j.Request, j.Result, j.Error, unixNano(j.CreatedAt), j.CreatedBy, unixNano(j.StartedAt), unixNano(j.FinishedAt),
		j.Owner, unixNano(j.Heartbeat), j.CancelBy)
	return wrap("add job", err)
}

// UpdateJob stores a job's state, progress, result and times.
func (tx *Tx) UpdateJob(ctx context.Context, j Job) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE jobs SET state = ?, stage = ?, done = ?, total = ?, result = ?, error = ?, started_at = ?, finished_at = ? WHERE id = ?`,
		j.State, j.Stage, j.Done, j.Total, j.Result, j.Error, unixNano(j.StartedAt), unixNano(j.FinishedAt), j.ID)
	return wrap("update job", err)
}

const jobCols = `id, case_ref, kind, state, stage, done, total, request, result, error, created_at, created_by, started_at, finished_at, owner, heartbeat, cancel_by`

func scanJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var c, s, f, hb int64
	err := sc.Scan(&j.ID, &j.Case, &j.Kind, &j.State, &j.Stage, &j.Done, &j.Total, &j.Request, &j.Result, &j.Error, &c, &j.CreatedBy, &s, &f, &j.Owner, &hb, &j.CancelBy)
	j.CreatedAt, j.StartedAt, j.FinishedAt, j.Heartbeat = fromNano(c), fromNano(s), fromNano(f), fromNano(hb)
	return j, err
}

func (tx *Tx) queryJobs(ctx context.Context, op, q string, args ...any) ([]Job, error) {
	rows, err := tx.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, j)
	}
	return out, wrap(op, rows.Err())
}

// Job returns a job, or NotFound.
func (tx *Tx) Job(ctx context.Context, id string) (Job, error) {
	j, err := scanJob(tx.q.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, cellsite.Errorf(cellsite.NotFound, "job", "no job %q", id)
	}
	return j, wrap("job", err)
}

// Jobs returns the jobs in the given states, oldest first.
func (tx *Tx) Jobs(ctx context.Context, states ...string) ([]Job, error) {
	q := `SELECT ` + jobCols + ` FROM jobs`
	var args []any
	if len(states) > 0 {
		q += ` WHERE state IN (?` + strings.Repeat(", ?", len(states)-1) + `)`
		for _, s := range states {
			args = append(args, s)
		}
	}
	return tx.queryJobs(ctx, "jobs", q+` ORDER BY created_at, id`, args...)
}

// ClaimJob hands the oldest queued job of one of kinds to owner: it
// becomes running, started and reported alive at now. ok is false when
// there is none. On PostgreSQL the claim skips jobs that other
// transactions are claiming (FOR UPDATE SKIP LOCKED); on SQLite the
// single writer serialises claims: either way each job is claimed once,
// however many replicas ask at the same moment.
func (tx *Tx) ClaimJob(ctx context.Context, kinds []string, owner string, now time.Time) (j Job, ok bool, err error) {
	if len(kinds) == 0 {
		return Job{}, false, nil
	}
	lock := ""
	if tx.db.pg {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	args := []any{JobRunning, owner, unixNano(now), unixNano(now), JobQueued}
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, JobQueued)
	// The outer state test is checked again on the row as it stands
	// when the row lock is granted (PostgreSQL's READ COMMITTED), should
	// the inner one ever have seen an older version of it.
	j, err = scanJob(tx.q.QueryRowContext(ctx, `UPDATE jobs SET state = ?, stage = 'starting', owner = ?, heartbeat = ?, started_at = ?
		WHERE id = (SELECT id FROM jobs WHERE state = ? AND kind IN (?`+strings.Repeat(", ?", len(kinds)-1)+`) ORDER BY created_at, id LIMIT 1`+lock+`)
		AND state = ?
		RETURNING `+jobCols, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, false, nil
	}
	if err != nil {
		return Job{}, false, wrap("claim job", err)
	}
	return j, true, nil
}

// ReleaseJob puts a job owner claimed back in the queue, as if never
// claimed (a replica shutting down between claiming and starting it).
func (tx *Tx) ReleaseJob(ctx context.Context, id, owner string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE jobs SET state = ?, stage = 'queued', owner = '', heartbeat = 0, started_at = 0 WHERE id = ? AND owner = ? AND state = ?`,
		JobQueued, id, owner, JobRunning)
	return wrap("release job", err)
}

// FinishJob stores how a job owner ran has ended: state, progress, result,
// error and finishing time. It reports false, storing nothing, when the
// job is no longer running under owner (another replica marked it failed
// after hearing nothing from owner for too long).
func (tx *Tx) FinishJob(ctx context.Context, j Job, owner string) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE jobs SET state = ?, stage = ?, done = ?, total = ?, result = ?, error = ?, finished_at = ?, cancel_by = ''
		WHERE id = ? AND owner = ? AND state = ?`,
		j.State, j.Stage, j.Done, j.Total, j.Result, j.Error, unixNano(j.FinishedAt), j.ID, owner, JobRunning)
	if err != nil {
		return false, wrap("finish job", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("finish job", err)
}

// BeatJobs records that owner still runs these jobs, at now, with their
// progress, and returns the stops asked for any job owner runs (job ID →
// who asked).
func (tx *Tx) BeatJobs(ctx context.Context, owner string, now time.Time, jobs []Job) (map[string]string, error) {
	for _, j := range jobs {
		if _, err := tx.q.ExecContext(ctx, `UPDATE jobs SET heartbeat = ?, stage = ?, done = ?, total = ? WHERE id = ? AND owner = ? AND state = ?`,
			unixNano(now), j.Stage, j.Done, j.Total, j.ID, owner, JobRunning); err != nil {
			return nil, wrap("job heartbeat", err)
		}
	}
	rows, err := tx.q.QueryContext(ctx, `SELECT id, cancel_by FROM jobs WHERE owner = ? AND state = ? AND cancel_by <> ''`, owner, JobRunning)
	if err != nil {
		return nil, wrap("job heartbeat", err)
	}
	defer rows.Close()
	stops := map[string]string{}
	for rows.Next() {
		var id, by string
		if err := rows.Scan(&id, &by); err != nil {
			return nil, wrap("job heartbeat", err)
		}
		stops[id] = by
	}
	return stops, wrap("job heartbeat", rows.Err())
}

// FailStaleJobs marks failed, with reason, every running job of an owner
// other than owner that has not been reported alive since before, and
// returns them.
func (tx *Tx) FailStaleJobs(ctx context.Context, owner string, before, now time.Time, reason string) ([]Job, error) {
	return tx.queryJobs(ctx, "fail stale jobs", `UPDATE jobs SET state = ?, error = ?, finished_at = ?, cancel_by = ''
		WHERE state = ? AND owner <> ? AND heartbeat < ? RETURNING `+jobCols,
		JobFailed, reason, unixNano(now), JobRunning, owner, unixNano(before))
}

// CancelJob asks a job to stop. A queued job is cancelled at once; a
// running one is marked for its owner to stop. It returns the job as it
// now stands; a job neither queued nor running is a Conflict.
func (tx *Tx) CancelJob(ctx context.Context, id, by, reason string, now time.Time) (Job, error) {
	j, err := tx.Job(ctx, id)
	if err != nil {
		return j, err
	}
	switch j.State {
	case JobQueued:
		j.State, j.Error, j.FinishedAt = JobCancelled, reason, now
		_, err = tx.q.ExecContext(ctx, `UPDATE jobs SET state = ?, error = ?, finished_at = ? WHERE id = ? AND state = ?`, j.State, j.Error, unixNano(now), id, JobQueued)
	case JobRunning:
		j.CancelBy = by
		_, err = tx.q.ExecContext(ctx, `UPDATE jobs SET cancel_by = ? WHERE id = ? AND state = ?`, by, id, JobRunning)
	default:
		return j, cellsite.Errorf(cellsite.Conflict, "cancel job", "job %s is not queued or running", id)
	}
	return j, wrap("cancel job", err)
}
