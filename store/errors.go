package store

import (
	"errors"
	"fmt"
	"time"
)

// Error codes: what went wrong, in the domain's words. Each HTTP dialect
// renders them with a table of its own (status, code name, body shape).
const (
	ECONFLICT     = "conflict"     // the object's state forbids it
	EINTERNAL     = "internal"     // a bug or an outage; never shown in detail
	EINVALID      = "invalid"      // a value the domain refuses
	EMALFORMED    = "malformed"    // the request cannot be read: not JSON, a wrong type
	ENOTFOUND     = "not_found"    // no such object in the caller's project
	EUNAUTHORIZED = "unauthorized" // no or wrong credentials
	EFORBIDDEN    = "forbidden"    // credentials that may not do this
	ETOOLARGE     = "too_large"    // a body or file over its limit
	EUNSUPPORTED  = "unsupported"  // a media type the target does not take
	ETOOMANY      = "too_many"     // too many attempts; wait and try again
	EUNAVAILABLE  = "unavailable"  // a service Parley calls (a messenger, a vendor) could not be reached; try again later

	EINSUFFICIENT = "insufficient_balance" // the project's balance cannot pay for it; top it up
)

// Error is a domain error with a code and a message a user can act on.
type Error struct {
	Code    string
	Message string
	// Field names the input at fault, when one is (Worken's param,
	// ReplyX's details.field).
	Field string
	// Details is more for the client to act on (a flow's problems),
	// rendered as it is.
	Details any
	// RetryAfter, for ETOOMANY, is how long to wait before trying again
	// (the Retry-After header).
	RetryAfter time.Duration
	// Reason is a finer cause than Code that a dialect may name with a
	// code of its own (Telegram refusing a token is ReplyX's
	// INVALID_TELEGRAM_TOKEN); "" for most errors.
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error with the code, the field at fault and a
// formatted message.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, EINTERNAL for other errors,
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err's *Error, or "Internal error."
// for other errors, which must not leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorOf returns err's *Error, or an EINTERNAL one saying "Internal
// error." for other errors; nil for nil.
func ErrorOf(err error) *Error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return e
	}
	return &Error{Code: EINTERNAL, Message: "Internal error."}
}
