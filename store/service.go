package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cellsite/cellsite"
)

// Roles of users of the service.
const (
	RoleAnalyst    = "analyst"
	RoleReviewer   = "reviewer"
	RoleProsecutor = "prosecutor"
	RoleAdmin      = "admin"
)

// User is a person who signs in to the service.
type User struct {
	Name         string    `json:"name"`
	Display      string    `json:"display"`
	Role         string    `json:"role"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	Disabled     bool      `json:"disabled"`
}

// CreateUser adds a user; Conflict if the name is taken.
func (tx *Tx) CreateUser(ctx context.Context, u User) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO users (name, display, role, password_hash, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?)`,
		u.Name, u.Display, u.Role, u.PasswordHash, unixNano(u.CreatedAt), boolInt(u.Disabled))
	if isUnique(err) {
		return cellsite.Errorf(cellsite.Conflict, "create user", "a user %q exists", u.Name)
	}
	return wrap("create user", err)
}

const userCols = `name, display, role, password_hash, created_at, disabled`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var at int64
	err := sc.Scan(&u.Name, &u.Display, &u.Role, &u.PasswordHash, &at, &u.Disabled)
	u.CreatedAt = fromNano(at)
	return u, err
}

// User returns a user, or NotFound.
func (tx *Tx) User(ctx context.Context, name string) (User, error) {
	u, err := scanUser(tx.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, cellsite.Errorf(cellsite.NotFound, "user", "no user %q", name)
	}
	return u, wrap("user", err)
}

// Users returns every user by name.
func (tx *Tx) Users(ctx context.Context) ([]User, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name`)
	if err != nil {
		return nil, wrap("users", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, wrap("users", err)
		}
		out = append(out, u)
	}
	return out, wrap("users", rows.Err())
}

// UserCount returns how many users there are.
func (tx *Tx) UserCount(ctx context.Context) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, wrap("user count", err)
}

// Token is a personal API token; only its hash is stored.
type Token struct {
	Hash      cellsite.Hash `json:"-"`
	User      string        `json:"user"`
	Label     string        `json:"label"`
	CreatedAt time.Time     `json:"created_at"`
	ExpiresAt time.Time     `json:"expires_at"`
	Revoked   bool          `json:"revoked"`
}

// AddToken stores a token's hash.
func (tx *Tx) AddToken(ctx context.Context, t Token) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO tokens (hash, user_name, label, created_at, expires_at, revoked) VALUES (?, ?, ?, ?, ?, 0)`,
		t.Hash.String(), t.User, t.Label, unixNano(t.CreatedAt), unixNano(t.ExpiresAt))
	return wrap("add token", err)
}

// TokenUser returns the user a token hash belongs to, if the token is
// live at now; NotFound otherwise (unknown, revoked, expired, or the user
// disabled).
func (tx *Tx) TokenUser(ctx context.Context, h cellsite.Hash, now time.Time) (User, error) {
	u, err := scanUser(tx.q.QueryRowContext(ctx, `SELECT u.name, u.display, u.role, u.password_hash, u.created_at, u.disabled
		FROM tokens t JOIN users u ON u.name = t.user_name
		WHERE t.hash = ? AND t.revoked = 0 AND t.expires_at > ? AND u.disabled = 0`, h.String(), unixNano(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, cellsite.Errorf(cellsite.NotFound, "token", "no live token")
	}
	return u, wrap("token", err)
}

// RevokeToken revokes a token of a user.
func (tx *Tx) RevokeToken(ctx context.Context, user string, h cellsite.Hash) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE tokens SET revoked = 1 WHERE hash = ? AND user_name = ?`, h.String(), user)
	if err != nil {
		return wrap("revoke token", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cellsite.Errorf(cellsite.NotFound, "revoke token", "no such token")
	}
	return nil
}

// AddMember gives a user access to a case.
func (tx *Tx) AddMember(ctx context.Context, caseRef, user, by string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO members (case_ref, user_name, added_at, added_by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		caseRef, user, unixNano(at), by)
	return wrap("add member", err)
}

// RemoveMember takes a user's access to a case away.
func (tx *Tx) RemoveMember(ctx context.Context, caseRef, user string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM members WHERE case_ref = ? AND user_name = ?`, caseRef, user)
	return wrap("remove member", err)
}

// IsMember reports whether a user belongs to a case.
func (tx *Tx) IsMember(ctx context.Context, caseRef, user string) (bool, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE case_ref = ? AND user_name = ?`, caseRef, user).Scan(&n)
	return n > 0, wrap("member", err)
}

// Member is a user's membership of a case.
type Member struct {
	User    string    `json:"user"`
	Role    string    `json:"role"`
	AddedAt time.Time `json:"added_at"`
	AddedBy string    `json:"added_by"`
}

// Members returns a case's members by name.
func (tx *Tx) Members(ctx context.Context, caseRef string) ([]Member, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT m.user_name, u.role, m.added_at, m.added_by FROM members m JOIN users u ON u.name = m.user_name
		WHERE m.case_ref = ? ORDER BY m.user_name`, caseRef)
	if err != nil {
		return nil, wrap("members", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var at int64
		if err := rows.Scan(&m.User, &m.Role, &at, &m.AddedBy); err != nil {
			return nil, wrap("members", err)
		}
		m.AddedAt = fromNano(at)
		out = append(out, m)
	}
	return out, wrap("members", rows.Err())
}

// MemberCases returns the references of the cases a user belongs to.
func (tx *Tx) MemberCases(ctx context.Context, user string) (map[string]bool, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT case_ref FROM members WHERE user_name = ?`, user)
	if err != nil {
		return nil, wrap("member cases", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, wrap("member cases", err)
		}
		out[r] = true
	}
	return out, wrap("member cases", rows.Err())
}

// AuditRecord is one entry of the audit trail.
type AuditRecord struct {
	Seq       int64     `json:"seq"`
	At        time.Time `json:"at"`
	User      string    `json:"user"`
	Role      string    `json:"role"`
	Case      string    `json:"case"`
	Action    string    `json:"action"`
	Object    string    `json:"object"`
	Outcome   string    `json:"outcome"` // ok, denied, not-found, refused, error
	Status    int       `json:"status"`
	Client    string    `json:"client"`
	RequestID string    `json:"request_id"`
}

// AddAudit appends an audit record.
func (tx *Tx) AddAudit(ctx context.Context, r AuditRecord) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO audit (at, user_name, role, case_ref, action, object, outcome, status, client, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		unixNano(r.At), r.User, r.Role, r.Case, r.Action, r.Object, r.Outcome, r.Status, r.Client, r.RequestID)
	return wrap("audit", err)
}

// Audit calls fn for each audit record after seq (in order), of one case
// when caseRef is not "".
func (tx *Tx) Audit(ctx context.Context, caseRef string, after int64, fn func(AuditRecord) error) error {
	q := `SELECT seq, at, user_name, role, case_ref, action, object, outcome, status, client, request_id FROM audit WHERE seq > ?`
	args := []any{after}
	if caseRef != "" {
		q += ` AND case_ref = ?`
		args = append(args, caseRef)
	}
	rows, err := tx.q.QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return wrap("audit", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r AuditRecord
		var at int64
		if err := rows.Scan(&r.Seq, &at, &r.User, &r.Role, &r.Case, &r.Action, &r.Object, &r.Outcome, &r.Status, &r.Client, &r.RequestID); err != nil {
			return wrap("audit", err)
		}
		r.At = fromNano(at)
		if err := fn(r); err != nil {
			return err
		}
	}
	return wrap("audit", rows.Err())
}

// Pack review states.
const (
	PackDraft    = "draft"
	PackApproved = "approved"
	PackRejected = "rejected"
)

// Pack is an evidential pack kept by the service.
type Pack struct {
	ID            int64         `json:"id"`
	Case          string        `json:"case"`
	Path          string        `json:"-"` // relative to the data directory
	SHA256        cellsite.Hash `json:"sha256"`
	Size          int64         `json:"size"`
	Exhibit       string        `json:"exhibit"`
	RenderLeaf    int64         `json:"render_leaf"`
	PackLeaf      int64         `json:"pack_leaf"`
	CreatedAt     time.Time     `json:"created_at"`
	CreatedBy     string        `json:"created_by"`
	Trigger       int64         `json:"trigger,omitempty"` // the trigger that made it, 0 when asked for
	Status        string        `json:"status"`
	ReviewedBy    string        `json:"reviewed_by,omitempty"`
	ReviewedAt    time.Time     `json:"reviewed_at,omitzero"`
	ReviewComment string        `json:"review_comment,omitempty"`
	ReviewLeaf    int64         `json:"review_leaf,omitempty"`
}

// AddPack stores a pack and returns its ID.
func (tx *Tx) AddPack(ctx context.Context, p Pack) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO packs (case_ref, path, sha256, size, exhibit, render_leaf, pack_leaf, created_at, created_by, trigger_id, status, reviewed_by, reviewed_at, review_comment, review_leaf)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, '', 0) RETURNING id`,
		p.Case, p.Path, p.SHA256.String(), p.Size, p.Exhibit, p.RenderLeaf, p.PackLeaf, unixNano(p.CreatedAt), p.CreatedBy, p.Trigger, PackDraft).Scan(&id)
	return id, wrap("add pack", err)
}

// ReviewPack records a review of a draft pack.
func (tx *Tx) ReviewPack(ctx context.Context, id int64, status, by, comment string, at time.Time, leaf int64) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE packs SET status = ?, reviewed_by = ?, reviewed_at = ?, review_comment = ?, review_leaf = ? WHERE id = ? AND status = ?`,
		status, by, unixNano(at), comment, leaf, id, PackDraft)
	if err != nil {
		return wrap("review pack", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cellsite.Errorf(cellsite.Conflict, "review pack", "pack %d is not awaiting review", id)
	}
	return nil
}

const packCols = `id, case_ref, path, sha256, size, exhibit, render_leaf, pack_leaf, created_at, created_by, trigger_id, status, reviewed_by, reviewed_at, review_comment, review_leaf`

func scanPack(sc interface{ Scan(...any) error }) (Pack, error) {
	var p Pack
	var h string
	var c, r int64
	err := sc.Scan(&p.ID, &p.Case, &p.Path, &h, &p.Size, &p.Exhibit, &p.RenderLeaf, &p.PackLeaf, &c, &p.CreatedBy, &p.Trigger, &p.Status, &p.ReviewedBy, &r, &p.ReviewComment, &p.ReviewLeaf)
	p.SHA256, _ = cellsite.ParseHash(h)
	p.CreatedAt = fromNano(c)
	if r != 0 {
		p.ReviewedAt = fromNano(r)
	}
	return p, err
}

// Pack returns a pack of a case, or NotFound.
func (tx *Tx) Pack(ctx context.Context, caseRef string, id int64) (Pack, error) {
	p, err := scanPack(tx.q.QueryRowContext(ctx, `SELECT `+packCols+` FROM packs WHERE case_ref = ? AND id = ?`, caseRef, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, cellsite.Errorf(cellsite.NotFound, "pack", "no pack %d in case %s", id, caseRef)
	}
	return p, wrap("pack", err)
}

// Packs returns a case's packs, oldest first.
func (tx *Tx) Packs(ctx context.Context, caseRef string) ([]Pack, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+packCols+` FROM packs WHERE case_ref = ? ORDER BY id`, caseRef)
	if err != nil {
		return nil, wrap("packs", err)
	}
	defer rows.Close()
	var out []Pack
	for rows.Next() {
		p, err := scanPack(rows)
		if err != nil {
			return nil, wrap("packs", err)
		}
		out = append(out, p)
	}
	return out, wrap("packs", rows.Err())
}

// Trigger regenerates a case's pack on a cron schedule.
type Trigger struct {
	ID        int64     `json:"id"`
	Case      string    `json:"case"`
	Spec      string    `json:"spec"` // cron, five fields
	Zone      string    `json:"zone"` // IANA name, e.g. Europe/London
	Exhibit   string    `json:"exhibit"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// LastDue is the last due time the trigger was run for (or reported
	// missed); zero before its first.
	LastDue time.Time `json:"last_due,omitzero"`
}

// AddTrigger stores a trigger and returns its ID.
func (tx *Tx) AddTrigger(ctx context.Context, t Trigger) (int64, error) {
	var id int64
	err := tx.q.QueryRowContext(ctx, `INSERT INTO triggers (case_ref, spec, zone, exhibit, created_at, created_by, last_due, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
		t.Case, t.Spec, t.Zone, t.Exhibit, unixNano(t.CreatedAt), t.CreatedBy, unixNano(t.LastDue)).Scan(&id)
	return id, wrap("add trigger", err)
}

// ClaimTriggerDue moves a live trigger's last due time from prev to due,
// and reports whether this call did: of several replicas that find the
// same due time, one wins and runs it.
func (tx *Tx) ClaimTriggerDue(ctx context.Context, id int64, prev, due time.Time) (bool, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE triggers SET last_due = ? WHERE id = ? AND last_due = ? AND deleted = 0`, unixNano(due), id, unixNano(prev))
	if err != nil {
		return false, wrap("claim trigger", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("claim trigger", err)
}

// Trigger returns a trigger, deleted or not, or NotFound.
func (tx *Tx) Trigger(ctx context.Context, id int64) (Trigger, error) {
	var t Trigger
	var c, d int64
	err := tx.q.QueryRowContext(ctx, `SELECT id, case_ref, spec, zone, exhibit, created_at, created_by, last_due FROM triggers WHERE id = ?`, id).
		Scan(&t.ID, &t.Case, &t.Spec, &t.Zone, &t.Exhibit, &c, &t.CreatedBy, &d)
	if errors.Is(err, sql.ErrNoRows) {
		return t, cellsite.Errorf(cellsite.NotFound, "trigger", "no trigger %d", id)
	}
	t.CreatedAt = fromNano(c)
	if d != 0 {
		t.LastDue = fromNano(d)
	}
	return t, wrap("trigger", err)
}

// SetTriggerDue records the last due time a trigger ran for.
func (tx *Tx) SetTriggerDue(ctx context.Context, id int64, due time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE triggers SET last_due = ? WHERE id = ?`, unixNano(due), id)
	return wrap("trigger due", err)
}

// DeleteTrigger stops a trigger (it is kept, marked deleted).
func (tx *Tx) DeleteTrigger(ctx context.Context, caseRef string, id int64) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE triggers SET deleted = 1 WHERE case_ref = ? AND id = ? AND deleted = 0`, caseRef, id)
	if err != nil {
		return wrap("delete trigger", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cellsite.Errorf(cellsite.NotFound, "trigger", "no trigger %d in case %s", id, caseRef)
	}
	return nil
}

// Triggers returns the live triggers, of one case when caseRef is not "".
func (tx *Tx) Triggers(ctx context.Context, caseRef string) ([]Trigger, error) {
	q := `SELECT id, case_ref, spec, zone, exhibit, created_at, created_by, last_due FROM triggers WHERE deleted = 0`
	var args []any
	if caseRef != "" {
		q += ` AND case_ref = ?`
		args = append(args, caseRef)
	}
	rows, err := tx.q.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, wrap("triggers", err)
	}
	defer rows.Close()
	var out []Trigger
	for rows.Next() {
		var t Trigger
		var c, d int64
		if err := rows.Scan(&t.ID, &t.Case, &t.Spec, &t.Zone, &t.Exhibit, &c, &t.CreatedBy, &d); err != nil {
			return nil, wrap("triggers", err)
		}
		t.CreatedAt = fromNano(c)
		if d != 0 {
			t.LastDue = fromNano(d)
		}
		out = append(out, t)
	}
	return out, wrap("triggers", rows.Err())
}
