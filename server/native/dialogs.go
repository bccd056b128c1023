package native

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// messageJSON is the contract's Message.
type messageJSON struct {
	ID        string       `json:"id"`
	Role      string       `json:"role"`
	Text      string       `json:"text"`
	Buttons   []string     `json:"buttons,omitempty"`
	Sources   []sourceJSON `json:"sources,omitempty"` // the knowledge an answer drew on
	CreatedAt time.Time    `json:"created_at"`
}

// sourceJSON is a knowledge chunk an answer was written from.
type sourceJSON struct {
	VectorStore string  `json:"vector_store_id"`
	File        string  `json:"file_id"`
	Filename    string  `json:"filename"`
	Chunk       int     `json:"chunk"`
	Score       float64 `json:"score"`
	Text        string  `json:"text"`
}

func messagesJSON(msgs []store.Message) []messageJSON {
	out := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, messageJSON{ID: m.ID, Role: m.Role, Text: m.Text, Buttons: m.Buttons, Sources: sourcesJSON(m.Sources), CreatedAt: m.CreatedAt.UTC()})
	}
	return out
}

func sourcesJSON(sources []store.Source) []sourceJSON {
	var out []sourceJSON
	for _, s := range sources {
		out = append(out, sourceJSON{VectorStore: s.Store, File: s.Document, Filename: s.Filename, Chunk: s.Chunk, Score: s.Score, Text: s.Text})
	}
	return out
}

// turnJSON is the answer to anything that runs a turn.
type turnJSON struct {
	Messages []messageJSON       `json:"messages"`
	Status   string              `json:"status"`
	Mode     string              `json:"mode"`
	Waiting  *engine.WaitingInfo `json:"waiting"`
}

func turnOf(d *store.Dialog, t *engine.TurnResult) turnJSON {
	if t == nil {
		return turnJSON{Messages: []messageJSON{}, Status: d.Status, Mode: d.Mode}
	}
	return turnJSON{Messages: messagesJSON(t.BotMessages()), Status: t.State.Status, Mode: t.State.Mode, Waiting: t.Waiting}
}

type createRequest struct {
	Variables map[string]any `json:"variables"`
	Start     *bool          `json:"start"`
	User      map[string]any `json:"user"` // id, name, email, phone, ...
}

type createResponse struct {
	ID     string `json:"id"`
	Number int64  `json:"number"`
	turnJSON
}

func (h *handlers) createDialog(c *gin.Context) {
	var req createRequest
	if !bindJSON(c, &req) {
		return
	}
	start := req.Start == nil || *req.Start
	in := dialogs.CreateInput{Variables: req.Variables, Start: start, Source: "api", IP: c.ClientIP(), User: req.User}
	d, turn, err := h.Dialogs.Create(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"), in)
	if err != nil {
		server.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, createResponse{ID: d.UUID, Number: d.Number, turnJSON: turnOf(d, turn)})
}

// bindJSON decodes an optional JSON body; an empty body is an empty request.
func bindJSON(c *gin.Context, v any) bool {
	if c.Request.ContentLength == 0 {
		return true
	}
	if err := c.ShouldBindJSON(v); err != nil {
		server.Error(c, store.Errorf(store.EINVALID, "The body is not valid JSON for this request: %v", err))
		return false
	}
	return true
}

// lookup finds the caller's dialog by UUID or integer id.
func (h *handlers) lookup(c *gin.Context) (*store.Dialog, bool) {
	project, id := server.CallerOf(c).ProjectID, c.Param("id")
	var d *store.Dialog
	var err error
	if n, perr := strconv.ParseInt(id, 10, 64); perr == nil {
		d, err = h.Store.DialogByID(c.Request.Context(), project, n)
	} else {
		d, err = h.Store.Dialog(c.Request.Context(), project, id)
	}
	if err != nil {
		server.Error(c, err)
		return nil, false
	}
	return d, true
}

func (h *handlers) start(c *gin.Context) {
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	h.runUpdate(c, d, engine.UpdateStart, "", nil)
}

type messageRequest struct {
	Text            string `json:"text"`
	ClientMessageID string `json:"client_message_id"`
}

func (h *handlers) message(c *gin.Context) {
	var req messageRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Text == "" {
		server.Error(c, store.Errorf(store.EINVALID, "`text` is required."))
		return
	}
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	updateID := ""
	if req.ClientMessageID != "" {
		updateID = "msg-" + req.ClientMessageID
	}
	in := engine.MessageInput{Text: req.Text, ClientMessageID: req.ClientMessageID, StoredThrough: d.StoredThrough}
	h.runUpdate(c, d, engine.UpdateMessage, updateID, in)
}

func (h *handlers) runUpdate(c *gin.Context, d *store.Dialog, name, updateID string, arg any) {
	turn, err := h.Dialogs.Update(c.Request.Context(), d, name, updateID, arg)
	if err != nil {
		server.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, turnOf(d, turn))
}

type operatorRequest struct {
	Action   string `json:"action"`
	Operator string `json:"operator"`
	Text     string `json:"text"`
}

func (h *handlers) operator(c *gin.Context) {
	var req operatorRequest
	if !bindJSON(c, &req) {
		return
	}
	var name string
	var arg any
	switch req.Action {
	case "take":
		name, arg = engine.UpdateMode, engine.ModeInput{Mode: store.ModeOperator, Operator: req.Operator}
	case "release":
		name, arg = engine.UpdateMode, engine.ModeInput{Mode: store.ModeAuto, Operator: req.Operator}
	case "message":
		if req.Text == "" {
			server.Error(c, store.Errorf(store.EINVALID, "`text` is required for action \"message\"."))
			return
		}
		name, arg = engine.UpdateOperatorMessage, engine.OperatorMessageInput{Operator: req.Operator, Text: req.Text}
	default:
		server.Error(c, store.Errorf(store.EINVALID, "`action` must be take, release or message; got %q.", req.Action))
		return
	}
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	h.runUpdate(c, d, name, "", arg)
}

type approvalRequest struct {
	Approve  *bool  `json:"approve"`
	Operator string `json:"operator"`
}

// approval is an operator's decision on a tool call the model made.
func (h *handlers) approval(c *gin.Context) {
	var req approvalRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Approve == nil {
		server.Error(c, store.Errorf(store.EINVALID, "Send {\"approve\": true} or {\"approve\": false}."))
		return
	}
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	in := engine.ApprovalInput{ID: c.Param("approval"), Approve: *req.Approve, Operator: req.Operator}
	h.runUpdate(c, d, engine.UpdateApproval, "", in)
}
