// Package server is Parley's HTTP layer: one Gin router, authentication,
// body binding, and a sub-package per API dialect, each rendering the one
// domain error (store.Error) in its own shape.
package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// statusOf maps error codes to HTTP statuses: the table every dialect
// starts from (a dialect may differ where its document says so).
var statusOf = map[string]int{
	store.EINVALID:      http.StatusBadRequest,
	store.EMALFORMED:    http.StatusBadRequest,
	store.EUNAUTHORIZED: http.StatusUnauthorized,
	store.EFORBIDDEN:    http.StatusForbidden,
	store.ENOTFOUND:     http.StatusNotFound,
	store.ECONFLICT:     http.StatusConflict,
	store.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	store.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	store.ETOOMANY:      http.StatusTooManyRequests,
	store.EUNAVAILABLE:  http.StatusBadGateway,
	store.EINTERNAL:     http.StatusInternalServerError,
	// 402, not 409: nothing conflicts, the request is right and goes
	// through once the account is topped up, which 402 says.
	store.EINSUFFICIENT: http.StatusPaymentRequired,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[store.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Failing is what every dialect's error answer does before its body: it
// logs an internal error (users see only "Internal error.") and sets
// Retry-After on an error that says how long to wait.
func Failing(c *gin.Context, err error) {
	setRetryAfter(c, err)
	if store.ErrorCode(err) == store.EINTERNAL {
		Logger(c).Error("request failed", "method", c.Request.Method, "route", route(c), "error", err)
	}
}

// ErrorBody is the native (and ReplyX) error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

// codeNames are the codes of the native body.
var codeNames = map[string]string{
	store.EINVALID:   "INVALID",
	store.EMALFORMED: "INVALID", // one code for every bad request, as before

	store.EUNAUTHORIZED: "UNAUTHORIZED",
	store.EFORBIDDEN:    "FORBIDDEN",
	store.ENOTFOUND:     "NOT_FOUND",
	store.ECONFLICT:     "CONFLICT",
	store.ETOOLARGE:     "TOO_LARGE",
	store.EUNSUPPORTED:  "UNSUPPORTED_MEDIA_TYPE",
	store.ETOOMANY:      "RATE_LIMITED",
	store.EUNAVAILABLE:  "UNAVAILABLE",
	store.EINTERNAL:     "INTERNAL",
	store.EINSUFFICIENT: "INSUFFICIENT_BALANCE",
}

// Fail renders err in the native shape and aborts the request: the shape
// of paths no dialect owns. A field at fault is details.field.
func Fail(c *gin.Context, err error) {
	Failing(c, err)
	e := store.ErrorOf(err)
	code := codeNames[e.Code]
	if e.Code == store.ETOOLARGE && e.Field == "file" {
		code = "FILE_TOO_LARGE"
	}
	details := e.Details
	if details == nil && e.Field != "" {
		details = gin.H{"field": e.Field}
	}
	c.AbortWithStatusJSON(Status(err), ErrorBody{Error: ErrorDetail{Code: code, Message: e.Message, Details: details}})
}
