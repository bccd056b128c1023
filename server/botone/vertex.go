package botone

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
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

// forbidden is the one answer for every token that cannot act: unknown,
// expired, completed, of another attempt or of a finished dialog. Saying
// which would tell a guesser too much.
var forbidden = store.Errorf(store.EFORBIDDEN, "The token is not valid for a running block.")

// complete ends the block with the service's data: 204, once.
func (v *vertex) complete(c *gin.Context) {
	var req completeRequest
	if err := c.ShouldBindJSON(&req); err != nil || req.Token == "" {
		fail(c, store.Errorf(store.EINVALID, "Send JSON with `token` (and optional `data`)."))
		return
	}
	tok, d, ok := v.live(c, req.Token)
	if !ok {
		return
	}
	in := engine.BlockCompleteInput{Node: tok.Node, Attempt: tok.Attempt, Data: req.Data}
	if _, err := v.Dialogs.Update(c.Request.Context(), d, engine.UpdateBlockComplete, "", in); err != nil {
		fail(c, refusal(err))
		return
	}
	if err := v.Store.CompleteBlockToken(c.Request.Context(), tok.ID); err != nil && store.ErrorCode(err) != store.EFORBIDDEN {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type sendRequest struct {
	Token  string `json:"token"`
	Text   string `json:"text"`
	Typing bool   `json:"typing"`
}

type sendResponse struct {
	MessageID int64 `json:"message_id"`
	CreatedAt int64 `json:"created_at"`
}

// sendMessage adds a bot message to the dialog while the block runs.
func (v *vertex) sendMessage(c *gin.Context) {
	var req sendRequest
	if err := c.ShouldBindJSON(&req); err != nil || req.Token == "" || req.Text == "" {
		fail(c, store.Errorf(store.EINVALID, "Send JSON with `token` and `text` (and optional `typing`)."))
		return
	}
	tok, d, ok := v.live(c, req.Token)
	if !ok {
		return
	}
	in := engine.BlockMessageInput{Node: tok.Node, Attempt: tok.Attempt, Text: req.Text, Typing: req.Typing}
	turn, err := v.Dialogs.Update(c.Request.Context(), d, engine.UpdateBlockMessage, "", in)
	if err != nil {
		fail(c, refusal(err))
		return
	}
	msgs := turn.BotMessages()
	if len(msgs) == 0 {
		fail(c, forbidden)
		return
	}
	m := msgs[len(msgs)-1]
	c.JSON(http.StatusOK, sendResponse{MessageID: m.Seq, CreatedAt: m.CreatedAt.Unix()})
}

// live finds the token's block and dialog; anything that is not a running
// block of a live dialog is 403.
func (v *vertex) live(c *gin.Context, token string) (*store.BlockToken, *store.Dialog, bool) {
	ctx := c.Request.Context()
	tok, err := v.Store.BlockTokenByToken(ctx, token)
	if err != nil || tok.CompletedAt != nil || !time.Now().Before(tok.ExpiresAt) {
		fail(c, forbidden)
		return nil, nil, false
	}
	d, err := v.Store.DialogByID(ctx, tok.ProjectID, tok.DialogID)
	if err != nil {
		fail(c, forbidden)
		return nil, nil, false
	}
	return tok, d, true
}

// refusal turns the workflow's "not running" into 403; other errors keep
// their status.
func refusal(err error) error {
	switch store.ErrorCode(err) {
	case store.ECONFLICT, store.ENOTFOUND:
		return forbidden
	}
	return err
}
