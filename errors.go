package cellsite

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what a caller can do about it. New kinds are
// appended at the end only, so stored and transmitted values keep meaning.
type Kind uint8

// The kinds of error. Internal is the kind of any error that carries none.
const (
	// Internal is a failure of the software or its environment.
	Internal Kind = iota
	// Invalid means the input was malformed or broke a rule.
	Invalid
	// NotFound means the named thing does not exist (or is not visible).
	NotFound
	// Conflict means the request clashes with existing state.
	Conflict
	// Forbidden means the actor may not do this.
	Forbidden
	// Integrity means something failed to verify: a hash, a signature, a
	// proof or a chain link does not match what was recorded.
	Integrity
)

var kindNames = [...]string{"internal", "invalid", "not found", "conflict", "forbidden", "integrity"}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error is an error with an operation and a kind. Err holds the cause.
type Error struct {
	Op   string // the operation that failed, e.g. "verify" or "ingest calls.csv"
	Kind Kind
	Err  error
}

// Error returns "op: cause".
func (e *Error) Error() string {
	switch {
	case e.Op == "":
		return e.Err.Error()
	case e.Err == nil:
		return e.Op + ": " + e.Kind.String()
	default:
		return e.Op + ": " + e.Err.Error()
	}
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind whose cause is formatted as by
// fmt.Errorf (so %w wraps).
func Errorf(kind Kind, op, format string, args ...any) error {
	return &Error{Op: op, Kind: kind, Err: fmt.Errorf(format, args...)}
}

// KindOf returns the kind of the outermost *Error in err's chain that has one
// set, or Internal when there is none.
func KindOf(err error) Kind {
	var e *Error
	for err != nil {
		if !errors.As(err, &e) {
			return Internal
		}
		if e.Kind != Internal {
			return e.Kind
		}
		err = e.Err
	}
	return Internal
}
