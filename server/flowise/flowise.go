// Package flowise is the Flowise-compatible chat message API
// (shared/seeds/002_e6944ecdb593645d.txt) and its feedback, in the shapes
// Flowise 3.1.4 answers: a chatflow is a Parley bot (its UUID), a chat a
// dialog (its external id, else its UUID), a chat message one of its
// messages.
package flowise

import (
	"context"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Dialect is the Flowise API. It owns its prefixes under Bot.one's
// /api/v1, which the router tells apart by the longest one.
var Dialect = server.Dialect{Name: "flowise", Owns: []string{"/api/v1/chatmessage", "/api/v1/feedback", "/chatmessage"},
	Mount: mount, Fail: fail}

type handlers struct{ server.Deps }

// mount routes the chat messages at /api/v1 and, as the document names
// them, at the root. A project API key or a JWT, as Bearer; a viewer
// reads, an operator also deletes and rates.
func mount(r *gin.Engine, d server.Deps) {
	h := &handlers{Deps: d}
	auth := server.Authenticate(d, fail)
	write := server.RequireRole(store.RoleOperator, fail)
	for _, base := range []string{"/api/v1", ""} {
		r.GET(base+"/chatmessage/:id", auth, h.listMessages)
		r.DELETE(base+"/chatmessage/:id", auth, write, h.deleteMessages)
	}
	r.POST("/api/v1/feedback", auth, write, h.createFeedback)
	r.PUT("/api/v1/feedback/:id", auth, write, h.updateFeedback)
	r.GET("/api/v1/feedback/:id", auth, h.listFeedback)
}

// errorBody is Flowise's error answer (its errorHandlerMiddleware):
// stack is {} outside development.
type errorBody struct {
	StatusCode int      `json:"statusCode"`
	Success    bool     `json:"success"`
	Message    string   `json:"message"`
	Stack      struct{} `json:"stack"`
}

// fail renders err in Flowise's shape with the status the one error
// table gives it.
func fail(c *gin.Context, err error) {
	server.Failing(c, err)
	status := server.Status(err)
	c.AbortWithStatusJSON(status, errorBody{StatusCode: status, Message: store.ErrorMessage(err)})
}

// chatflow is the caller's bot the path's id names: its UUID, or its
// slug. Another project's bot is ENOTFOUND.
func (h *handlers) chatflow(ctx context.Context, projectID int64, id string) (*store.Bot, error) {
	if _, err := uuid.Parse(id); err == nil {
		return h.Store.BotByUUID(ctx, projectID, id)
	}
	b, err := h.Store.Bot(ctx, projectID, id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, store.Errorf(store.ENOTFOUND, "Chatflow %s not found.", id)
	}
	return b, err
}
