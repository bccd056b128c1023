// Package replyx is the ReplyX-compatible API (the ReplyX document in
// shared/seeds): a ReplyX user is an account that owns a project, signed
// in with a JWT that every dialect accepts. This first part serves
// /api/auth and /api/users; assistants, dialogs, documents, balance, admin and the
// dialog WebSocket come next (issue 14).
package replyx

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Dialect is the ReplyX API.
var Dialect = server.Dialect{Name: "replyx", Owns: []string{"/api/auth", "/api/users"}, Mount: mount, Fail: fail}

type handlers struct{ server.Deps }

func mount(r *gin.Engine, d server.Deps) {
	h := &handlers{Deps: d}
	r.POST("/api/auth/login", h.login)
	r.POST("/api/auth/register", h.register)
	auth := server.Authenticate(d, fail)
	r.POST("/api/auth/logout", auth, h.logout)
	r.GET("/api/users/me", auth, h.getMe)
	r.PUT("/api/users/me", auth, h.updateMe)
	r.POST("/api/users/change-password", auth, h.changePassword)
}

// codes are ReplyX's error codes of Parley's (the document's table).
var codes = map[string]string{
	store.EINVALID:      "VALIDATION_ERROR",
	store.EMALFORMED:    "BAD_REQUEST",
	store.EUNAUTHORIZED: "UNAUTHORIZED",
	store.EFORBIDDEN:    "INSUFFICIENT_PERMISSIONS",
	store.ENOTFOUND:     "NOT_FOUND",
	store.ECONFLICT:     "CONFLICT",
	store.ETOOLARGE:     "FILE_TOO_LARGE",
	store.EUNSUPPORTED:  "UNSUPPORTED_FORMAT",
	store.ETOOMANY:      "RATE_LIMIT_EXCEEDED",
	store.EINSUFFICIENT: "INSUFFICIENT_BALANCE",
	store.EINTERNAL:     "INTERNAL_ERROR",
}

// errInvalidCredentials is a login with a wrong email or password.
var errInvalidCredentials = store.Errorf(store.EUNAUTHORIZED, "Wrong email or password.")

// fail renders err in ReplyX's shape, {"error": {code, message, details}},
// details.field naming the field at fault. A validation error is 422; an
// unreadable body 400.
func fail(c *gin.Context, err error) {
	server.Failing(c, err)
	e := store.ErrorOf(err)
	status, code := server.Status(err), codes[e.Code]
	switch {
	case e.Code == store.EINVALID:
		status = http.StatusUnprocessableEntity
	case e.Code == store.EMALFORMED:
		status = http.StatusBadRequest
	case errors.Is(err, server.ErrTokenExpired):
		code = "TOKEN_EXPIRED"
	case errors.Is(err, errInvalidCredentials):
		code = "INVALID_CREDENTIALS"
	}
	details := e.Details
	if details == nil && e.Field != "" {
		details = gin.H{"field": e.Field}
	}
	c.AbortWithStatusJSON(status, server.ErrorBody{Error: server.ErrorDetail{Code: code, Message: e.Message, Details: details}})
}
