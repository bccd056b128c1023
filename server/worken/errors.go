package worken

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// errorBody is how Worken errors are rendered: OpenAI's error shape, so
// the openai SDK shows the message (APIError.message, .code, .type,
// .param). Its "error" object carries "code" and "message" like the
// native body.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Code    string `json:"code"`
	Param   string `json:"param,omitempty"` // the field at fault, when one is
}

// httpError is an error the handlers decide the status of themselves:
// a body that is not JSON (400), a validation error (422), ...
type httpError struct {
	status  int
	param   string
	message string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d: %s", e.status, e.message) }

// badBody is Worken's 400: the body is missing or is not what the route
// takes.
func badBody(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// invalid is Worken's 422: the body parsed, a value in it is wrong;
// "details in the message".
func invalid(param, format string, args ...any) error {
	return &httpError{status: http.StatusUnprocessableEntity, param: param, message: fmt.Sprintf(format, args...)}
}

// codes are the OpenAI "code" of each status.
var codes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "invalid_api_key",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "file_too_large",
	http.StatusUnprocessableEntity:   "validation_error",
	http.StatusInternalServerError:   "internal_error",
}

// errorType is the OpenAI "type" of a status.
func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "authentication_error"
	case status == http.StatusForbidden:
		return "permission_error"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// fail renders err and aborts the request. Store errors get their status
// from the one table of package server, except that EINVALID, a value the
// domain refuses, is Worken's 422 validation error. Internal errors are
// logged and shown as "Internal error.".
func fail(c *gin.Context, err error) {
	var he *httpError
	if errors.As(err, &he) {
		render(c, he.status, he.param, he.message)
		return
	}
	status := server.Status(err)
	if store.ErrorCode(err) == store.EINVALID {
		status = http.StatusUnprocessableEntity
	}
	if status == http.StatusInternalServerError {
		slog.Error("request failed", "method", c.Request.Method, "path", c.FullPath(), "error", err)
	}
	render(c, status, "", store.ErrorMessage(err))
}

func render(c *gin.Context, status int, param, message string) {
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Message: message, Type: errorType(status), Code: codes[status], Param: param}})
}
