// Package replyx is the ReplyX-compatible API (the ReplyX document in
// shared/seeds): a ReplyX user is an account that owns a project, signed
// in with a JWT the native API and Bot.one accept too. It serves /api/auth,
// /api/users, /api/dialogs, /api/assistants, /api/documents,
// /api/qa-knowledge, /api/balance, /api/admin and the dialog WebSocket.
package replyx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram"
)

// Dialect is the ReplyX API.
var Dialect = server.Dialect{Name: "replyx", Owns: []string{"/api/auth", "/api/users", "/api/dialogs", "/api/assistants", "/api/documents", "/api/qa-knowledge", "/api/balance", "/api/admin", "/ws"}, Mount: mount, Fail: fail}

type handlers struct{ server.Deps }

// Rate limits, as ReplyX's document's table has them; PARLEY_ROUTE_LIMITS
// replaces them by name (server.Deps.RouteLimits).
var (
	loginLimit = server.RouteLimit{N: 5, Period: 5 * time.Minute} // per address and email
	apiLimit   = server.RouteLimit{N: 100, Period: time.Minute}   // per address, every route
)

func mount(r *gin.Engine, d server.Deps) {
	h := &handlers{Deps: d}
	g := r.Group("/api", server.NewRouteLimiter(d.RouteLimit("api", apiLimit)).Middleware(server.ClientKey, fail))
	login := server.NewRouteLimiter(d.RouteLimit("login", loginLimit)).Middleware(loginKey, fail)
	g.POST("/auth/login", login, h.login)
	g.POST("/auth/register", h.register)
	auth := server.Authenticate(d, fail)
	// Roles, as the native API's: a viewer reads; an operator also works
	// dialogs (writes, hands off and back); an owner also configures
	// assistants and their knowledge and pays. A user's own account is
	// every member's.
	act := server.RequireRole(store.RoleOperator, fail)
	own := server.RequireRole(store.RoleOwner, fail)
	g.POST("/auth/logout", auth, h.logout)
	g.GET("/users/me", auth, h.getMe)
	g.PUT("/users/me", auth, h.updateMe)
	g.POST("/users/change-password", auth, h.changePassword)
	g.GET("/dialogs", auth, h.listDialogs)
	g.GET("/dialogs/:id", auth, h.getDialog)
	g.GET("/dialogs/:id/messages", auth, h.dialogMessages)
	g.POST("/dialogs/:id/messages", auth, act, h.sendOperatorMessage)
	g.POST("/dialogs/:id/handoff/request", auth, act, h.requestHandoff)
	g.POST("/dialogs/:id/handoff/take", auth, act, h.takeHandoff)
	g.POST("/dialogs/:id/handoff/release", auth, act, h.releaseHandoff)
	g.GET("/assistants", auth, h.listAssistants)
	g.POST("/assistants", auth, own, h.createAssistant)
	g.PUT("/assistants/:id", auth, own, h.updateAssistant)
	g.DELETE("/assistants/:id", auth, own, h.deleteAssistant)
	upload := server.NewRouteLimiter(d.RouteLimit("upload", uploadLimit)).Middleware(server.CallerKey, fail)
	g.POST("/documents/upload", auth, own, upload, h.uploadDocument)
	g.GET("/documents", auth, h.listDocuments)
	g.DELETE("/documents/:id", auth, own, h.deleteDocument)
	g.POST("/qa-knowledge", auth, own, h.createQA)
	g.GET("/qa-knowledge", auth, h.listQA)
	g.GET("/balance", auth, h.getBalance)
	g.GET("/balance/transactions", auth, h.listTransactions)
	topUp := server.NewRouteLimiter(d.RouteLimit("top-up", topUpLimit)).Middleware(server.CallerKey, fail)
	g.POST("/balance/top-up", auth, own, topUp, h.topUp)
	admin := g.Group("/admin", auth, h.requireAdmin)
	admin.GET("/users", h.listUsers)
	admin.GET("/system/health", h.systemHealth)
	admin.GET("/ai-tokens", h.listAITokens)
	admin.POST("/ai-tokens", h.createAIToken)
	mountWebSocket(r, h)
}

// loginKey keys a sign-in by its client's address and the email it tries,
// read from the body (which the handler then reads again).
func loginKey(c *gin.Context) string {
	data, _ := io.ReadAll(io.LimitReader(c.Request.Body, server.MaxJSONBody+1))
	c.Request.Body = io.NopCloser(bytes.NewReader(data))
	var body struct{ Email string }
	_ = json.Unmarshal(data, &body)
	return server.ClientKey(c) + " email:" + strings.ToLower(strings.TrimSpace(body.Email))
}

// reasons are ReplyX's codes of finer causes (store.Error.Reason).
var reasons = map[string]string{
	telegram.ReasonTokenRefused: "INVALID_TELEGRAM_TOKEN",
	telegram.ReasonBotInUse:     "BOT_ALREADY_EXISTS",
	billing.ReasonInvalidAmount: "INVALID_AMOUNT",
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
	store.EUNAVAILABLE:  "SERVICE_UNAVAILABLE",
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
	switch e.Code {
	case store.EINVALID:
		status = http.StatusUnprocessableEntity
	case store.EMALFORMED:
		status = http.StatusBadRequest
	}
	switch {
	case errors.Is(err, server.ErrTokenExpired):
		code = "TOKEN_EXPIRED"
	case errors.Is(err, errInvalidCredentials):
		code = "INVALID_CREDENTIALS"
	case reasons[e.Reason] != "":
		code = reasons[e.Reason]
	}
	details := e.Details
	if details == nil && e.Field != "" {
		details = gin.H{"field": e.Field}
	}
	c.AbortWithStatusJSON(status, server.ErrorBody{Error: server.ErrorDetail{Code: code, Message: e.Message, Details: details}})
}
