package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/cellsite/cellsite"
	"github.com/go-playground/validator/v10"
)

// Error is the body of every error response.
type Error struct {
	Code    string            `json:"code"`    // invalid, unauthorized, forbidden, not-found, conflict, integrity, too-large, internal
	Message string            `json:"message"` // for people
	Fields  map[string]string `json:"fields,omitempty"`
}

// statusClientClosed is the status recorded for a request whose client
// went away before the answer (nginx's convention).
const statusClientClosed = 499

// statusOf is the only table from error kinds to HTTP statuses.
func statusOf(k cellsite.Kind) (int, string) {
	switch k {
	case cellsite.Invalid:
		return http.StatusBadRequest, "invalid"
	case cellsite.NotFound:
		return http.StatusNotFound, "not-found"
	case cellsite.Conflict:
		return http.StatusConflict, "conflict"
	case cellsite.Forbidden:
		return http.StatusForbidden, "forbidden"
	case cellsite.Integrity:
		return http.StatusUnprocessableEntity, "integrity"
	}
	return http.StatusInternalServerError, "internal"
}

// fieldError is an Invalid error about named request fields.
type fieldError struct {
	msg    string
	fields map[string]string
}

func (e *fieldError) Error() string { return e.msg }

func invalidFields(msg string, fields map[string]string) error {
	return &cellsite.Error{Op: "request", Kind: cellsite.Invalid, Err: &fieldError{msg, fields}}
}

// unauthorized is returned when no valid credentials were given.
var errUnauthorized = errors.New("sign in first: give a token as 'Authorization: Bearer TOKEN' (POST /api/v1/login issues one)")

// writeError writes err as JSON. Internal errors are logged with the
// request ID and not shown to the client.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, code := statusOf(cellsite.KindOf(err))
	body := Error{Code: code, Message: err.Error()}
	var fe *fieldError
	if errors.As(err, &fe) {
		body.Fields = fe.fields
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errUnauthorized):
		status, body.Code = http.StatusUnauthorized, "unauthorized"
		w.Header().Set("WWW-Authenticate", `Bearer realm="cellsite"`)
	case errors.As(err, &mbe):
		status, body.Code = http.StatusRequestEntityTooLarge, "too-large"
		body.Message = "the request body is larger than the limit of " + formatBytes(mbe.Limit)
	case r.Context().Err() != nil:
		// The client went away before the answer: not a fault of the
		// service. The audit record says so.
		status, body.Code, body.Message = statusClientClosed, "abandoned", "the client closed the request"
	case status == http.StatusInternalServerError:
		log.ErrorContext(r.Context(), "internal error", "request_id", requestID(r.Context()), "method", r.Method, "route", routeName(r), "err", err.Error())
		body.Message = "internal error; quote request ID " + requestID(r.Context()) + " to the administrator"
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// decode reads a JSON request body into dst (unknown fields refused, at
// most limit bytes) and validates it.
func decode(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return decodeError(err)
	}
	if dec.More() {
		return invalidFields("malformed JSON body: more than one value", map[string]string{"body": "one JSON object only"})
	}
	return check(dst)
}

// decodeError names the field a JSON decoding error is about: an unknown
// field, a value of the wrong type; or the body, when it is not JSON.
func decodeError(err error) error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field != "" {
		return invalidFields("the request has invalid fields", map[string]string{ute.Field: "must be a JSON " + jsonType(ute.Type)})
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name, uerr := strconv.Unquote(f); uerr == nil {
			return invalidFields("the request has unknown fields", map[string]string{name: "unknown field"})
		}
	}
	msg := err.Error()
	if errors.Is(err, io.EOF) {
		msg = "empty body: send a JSON object"
	}
	return invalidFields("malformed JSON body: "+msg, map[string]string{"body": msg})
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.String()
}

// check validates a request struct, naming each bad field.
func check(v any) error {
	err := validate.Struct(v)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return cellsite.Errorf(cellsite.Invalid, "request", "%v", err)
	}
	fields := map[string]string{}
	for _, fe := range ves {
		fields[fe.Field()] = describe(fe)
	}
	return invalidFields("the request has invalid fields", fields)
}

func describe(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "required"
	case "oneof":
		return "must be one of: " + fe.Param()
	case "max":
		return "at most " + fe.Param() + " characters"
	case "min":
		return "at least " + fe.Param()
	case "e164":
		return "must be an E.164 number, e.g. +447700900123"
	case "datetime":
		return "must be a time such as 2026-11-27T14:00:00Z"
	}
	return "fails the " + fe.Tag() + " rule"
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
