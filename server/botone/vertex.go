package botone

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
)

// vertex serves the calls of custom block services, authenticated by the
// block token alone.
type vertex struct {
	server.Deps
}

type completeRequest struct {
	Token string `json:"token"`
	Data  any    `json:"data"`
}

// complete ends the block with the service's data: 204, once.
func (v *vertex) complete(c *gin.Context) {
	var req completeRequest
	if err := server.BindJSON(c, &req, server.Body{Example: `{"token": "...", "data": {"answer": 42}}`}); err != nil {
		fail(c, err)
		return
	}
	if err := v.Dialogs.CompleteBlock(c.Request.Context(), req.Token, req.Data); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type sendRequest struct {
	Token           string `json:"token"`
	Text            string `json:"text"`
	Typing          bool   `json:"typing"`
	ClientMessageID string `json:"client_message_id"` // Parley's: makes a retried send store the message once
}

type sendResponse struct {
	MessageID int64 `json:"message_id"`
	CreatedAt int64 `json:"created_at"`
}

// sendMessage adds a bot message to the dialog while the block runs.
func (v *vertex) sendMessage(c *gin.Context) {
	var req sendRequest
	if err := server.BindJSON(c, &req, server.Body{Example: `{"token": "...", "text": "Checking your order..."}`}); err != nil {
		fail(c, err)
		return
	}
	m, err := v.Dialogs.BlockMessage(c.Request.Context(), req.Token,
		dialogs.ServiceMessage{Text: req.Text, Typing: req.Typing, ClientMessageID: req.ClientMessageID})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sendResponse{MessageID: m.Seq, CreatedAt: m.CreatedAt.Unix()})
}
