package worken

import (
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

// codes are the OpenAI "code" of each status.
var codes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "invalid_api_key",
	http.StatusPaymentRequired:       "insufficient_balance",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "file_too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "validation_error",
	http.StatusTooManyRequests:       "rate_limit_exceeded",
	http.StatusBadGateway:            "bad_gateway",
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

// fail renders err and aborts the request. Statuses come from the one
// table of package server, except that EINVALID, a value the domain
// refuses, is Worken's 422 validation error ("details in the message");
// a body that cannot be read stays 400. The field at fault is "param".
func fail(c *gin.Context, err error) {
	server.Failing(c, err)
	e := store.ErrorOf(err)
	status := server.Status(err)
	if e.Code == store.EINVALID {
		status = http.StatusUnprocessableEntity
	}
	code := codes[status]
	if e.Code == store.ETOOLARGE && e.Field != "file" {
		code = "request_too_large" // a JSON body over its limit, not a file
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Message: e.Message, Type: errorType(status), Code: code, Param: e.Field}})
}

// rollback logs an undo that failed after a request failed half way: the
// client gets the first error, and whoever runs the server must hear that
// something was left behind.
func rollback(c *gin.Context, what string, err error) {
	if err != nil {
		server.Logger(c).Error("undoing a failed request failed; a record may be left behind", "route", c.FullPath(), "undo", what, "error", err)
	}
}
