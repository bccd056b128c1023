// Package server is Parley's HTTP layer: one Gin router, authentication,
// error rendering, and a sub-package per API dialect.
package server

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// statusOf maps error codes to HTTP statuses; the one table for every dialect.
var statusOf = map[string]int{
	store.EINVALID:      http.StatusBadRequest,
	store.EUNAUTHORIZED: http.StatusUnauthorized,
	store.EFORBIDDEN:    http.StatusForbidden,
	store.ENOTFOUND:     http.StatusNotFound,
	store.ECONFLICT:     http.StatusConflict,
	store.EINTERNAL:     http.StatusInternalServerError,
}

// nativeCodes are the codes of the native error body.
var nativeCodes = map[string]string{
	store.EINVALID:      "INVALID",
	store.EUNAUTHORIZED: "UNAUTHORIZED",
	store.EFORBIDDEN:    "FORBIDDEN",
	store.ENOTFOUND:     "NOT_FOUND",
	store.ECONFLICT:     "CONFLICT",
	store.EINTERNAL:     "INTERNAL",
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[store.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
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

// Error renders err in the native shape and aborts the request. Internal
// errors are logged and shown as "Internal error.".
func Error(c *gin.Context, err error) {
	status := Status(err)
	if status == http.StatusInternalServerError {
		slog.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "error", err)
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{Code: nativeCodes[store.ErrorCode(err)], Message: store.ErrorMessage(err)}})
}

// ErrorWith renders a native error with a code of its own and details.
func ErrorWith(c *gin.Context, status int, code, message string, details any) {
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: message, Details: details}})
}

// IsCode reports whether err carries the store error code.
func IsCode(err error, code string) bool {
	var e *store.Error
	return errors.As(err, &e) && e.Code == code
}
