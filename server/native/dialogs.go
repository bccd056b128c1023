package native

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// messageJSON is the contract's Message.
type messageJSON struct {
	ID        string           `json:"id"`
	Role      string           `json:"role"`
	Text      string           `json:"text"`
	Node      string           `json:"node,omitempty"`     // the node that sent a bot's message
	Operator  string           `json:"operator,omitempty"` // who wrote an operator's message
	Buttons   []string         `json:"buttons,omitempty"`
	Sources   []sourceJSON     `json:"sources,omitempty"` // the knowledge an answer drew on
	Files     []attachmentJSON `json:"files,omitempty"`   // what an operator sent with it
	CreatedAt time.Time        `json:"created_at"`
}

// attachmentJSON is the contract's Attachment: a file sent with a
// message, and its path on this API (GET it with the same credentials).
type attachmentJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	MIMEType string `json:"type"`
	Size     int64  `json:"size"`
	Path     string `json:"path"`
	URL      string `json:"url,omitempty"`  // a flow's file at an address
	Kind     string `json:"kind,omitempty"` // its kind: image, file, audio, video
}

func attachmentsJSON(files []store.Attachment) []attachmentJSON {
	var out []attachmentJSON
	for _, f := range files {
		a := attachmentJSON{ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Size: f.Size, Path: fmt.Sprintf("/v1/files/%d", f.ID)}
		if f.URL != "" { // a flow's file at an address: the address is its path
			a.Path, a.URL, a.Kind = f.URL, f.URL, f.Kind
		}
		out = append(out, a)
	}
	return out
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
		node := m.Node
		if m.Role == store.MessageUser || m.Role == store.MessageOperator {
			node = "" // the node the dialog was at, not one that spoke
		}
		out = append(out, messageJSON{ID: m.ID, Role: m.Role, Text: m.Text, Node: node, Operator: m.Operator, Buttons: m.Buttons, Sources: sourcesJSON(m.Sources),
			Files: attachmentsJSON(m.Files), CreatedAt: m.CreatedAt.UTC()})
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
	Messages []messageJSON    `json:"messages"`
	Status   string           `json:"status"`
	Mode     string           `json:"mode"`
	Handoff  handoffJSON      `json:"handoff"`
	Waiting  *dialogs.Waiting `json:"waiting"`
}

func turnOf(d *store.Dialog, t *dialogs.Turn) turnJSON {
	if t == nil {
		return turnJSON{Messages: []messageJSON{}, Status: d.Status, Mode: d.Mode, Handoff: handoffOf(d.Handoff)}
	}
	return turnJSON{Messages: messagesJSON(t.Messages), Status: t.State.Status, Mode: t.State.Mode,
		Handoff: handoffOf(t.State.Handoff), Waiting: t.Waiting}
}

// handoffJSON is the contract's Handoff: where a dialog stands with
// operators.
type handoffJSON struct {
	Status       string        `json:"status"` // none, requested, active, released
	Queue        string        `json:"queue,omitempty"`
	Reason       string        `json:"reason,omitempty"`
	RequestedAt  *time.Time    `json:"requested_at,omitempty"`
	LastUserText string        `json:"last_user_text,omitempty"`
	Operator     *operatorJSON `json:"operator,omitempty"`
	TakenAt      *time.Time    `json:"taken_at,omitempty"`
	ReleasedAt   *time.Time    `json:"released_at,omitempty"`
}

// noteJSON is an operator's internal note.
type noteJSON struct {
	ID        int64        `json:"id"`
	Operator  operatorJSON `json:"operator"`
	Text      string       `json:"text"`
	CreatedAt time.Time    `json:"created_at"`
}

func noteOf(n store.Note) noteJSON {
	return noteJSON{ID: n.ID, Operator: operatorJSON{ID: n.OperatorID, Name: n.OperatorName}, Text: n.Text, CreatedAt: n.CreatedAt.UTC()}
}

// scheduledJSON is an operator's message waiting for its time.
type scheduledJSON struct {
	ID          string           `json:"id"`
	Text        string           `json:"text"`
	ScheduledAt time.Time        `json:"scheduled_at"`
	From        string           `json:"from"` // operator, or user (a Worken stream's scheduledAt)
	Operator    operatorJSON     `json:"operator"`
	Files       []attachmentJSON `json:"files,omitempty"`
}

func scheduledOf(ms []store.ScheduledMessage) []scheduledJSON {
	out := make([]scheduledJSON, 0, len(ms))
	for _, m := range ms {
		from := "operator"
		if m.User {
			from = "user"
		}
		out = append(out, scheduledJSON{ID: m.ID, Text: m.Text, ScheduledAt: m.At.UTC(), From: from,
			Operator: operatorJSON{ID: m.OperatorID, Name: m.Operator}, Files: attachmentsJSON(m.Files)})
	}
	return out
}

type operatorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func handoffOf(h *store.Handoff) handoffJSON {
	if h == nil {
		return handoffJSON{Status: store.HandoffNone}
	}
	out := handoffJSON{Status: h.Status, Queue: h.Queue, Reason: h.Reason, RequestedAt: utcPtr(h.RequestedAt),
		LastUserText: h.LastUserText, TakenAt: utcPtr(h.TakenAt), ReleasedAt: utcPtr(h.ReleasedAt)}
	if h.OperatorID != "" || h.OperatorName != "" {
		out.Operator = &operatorJSON{ID: h.OperatorID, Name: h.OperatorName}
	}
	return out
}

// utcPtr is an optional time in UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
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
	h.startDialog(c, h.Dialogs.Create)
}

// testDraft starts a test dialog with the bot's draft.
func (h *handlers) testDraft(c *gin.Context) {
	h.startDialog(c, h.Dialogs.TestDraft)
}

func (h *handlers) startDialog(c *gin.Context, create func(ctx context.Context, projectID int64, slug string, in dialogs.CreateInput) (*store.Dialog, *dialogs.Turn, error)) {
	var req createRequest
	if !bind(c, &req, `{"variables": {"name": "Ada"}, "start": true}`) {
		return
	}
	start := req.Start == nil || *req.Start
	in := dialogs.CreateInput{Variables: req.Variables, Start: start, Source: "api", IP: c.ClientIP(), User: req.User,
		IdempotencyKey: c.GetHeader(dialogs.IdempotencyHeader)}
	d, turn, err := create(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, createResponse{ID: d.UUID, Number: d.Number, turnJSON: turnOf(d, turn)})
}

// bind decodes an optional JSON body (an empty body is an empty request),
// rendering what is wrong with it.
func bind(c *gin.Context, v any, example string) bool {
	if err := server.BindJSON(c, v, server.Body{Example: example, Optional: true}); err != nil {
		fail(c, err)
		return false
	}
	return true
}

// lookup finds the caller's dialog by UUID or integer id.
func (h *handlers) lookup(c *gin.Context) (*store.Dialog, bool) {
	return h.find(c, h.Dialogs.Find)
}

// lookupToTalk finds the caller's dialog to send it a message, perhaps as
// this process's last turn on it left it (dialogs.Service.FindToTalk).
func (h *handlers) lookupToTalk(c *gin.Context) (*store.Dialog, bool) {
	return h.find(c, h.Dialogs.FindToTalk)
}

func (h *handlers) find(c *gin.Context, find func(ctx context.Context, projectID int64, id string) (*store.Dialog, error)) (*store.Dialog, bool) {
	d, err := find(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return d, true
}

// answer renders the turn a use case ran, or its error.
func answer(c *gin.Context, d *store.Dialog, turn *dialogs.Turn, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, turnOf(d, turn))
}

func (h *handlers) start(c *gin.Context) {
	if d, ok := h.lookup(c); ok {
		turn, err := h.Dialogs.Start(c.Request.Context(), d)
		answer(c, d, turn, err)
	}
}

// skipTimer fires a test dialog's next timer now (engine.UpdateSkipTimer).
func (h *handlers) skipTimer(c *gin.Context) {
	if d, ok := h.lookup(c); ok {
		turn, err := h.Dialogs.SkipTimer(c.Request.Context(), d)
		answer(c, d, turn, err)
	}
}

type messageRequest struct {
	Text            string `json:"text"`
	ClientMessageID string `json:"client_message_id"`
}

func (h *handlers) message(c *gin.Context) {
	var req messageRequest
	if !bind(c, &req, `{"text": "Hello", "client_message_id": "m-1"}`) {
		return
	}
	if d, ok := h.lookupToTalk(c); ok {
		turn, err := h.Dialogs.SendMessage(c.Request.Context(), d, dialogs.Message{Text: req.Text, ClientMessageID: req.ClientMessageID})
		answer(c, d, turn, err)
	}
}

type operatorRequest struct {
	Action   string  `json:"action"`
	Operator string  `json:"operator"` // who acts, for an API-key caller; a user acts as themself
	Text     string  `json:"text"`
	Files    []int64 `json:"files"` // message: ids of files uploaded into the dialog (attachments)
	// transfer: to a queue, or to an operator (to_operator: their id as
	// dialogs show it, with to_operator_name).
	Queue          string         `json:"queue"`
	ToOperator     string         `json:"to_operator"`
	ToOperatorName string         `json:"to_operator_name"`
	Variables      map[string]any `json:"variables"` // release: set before the bot continues
	// message: when to send it (a durable timer), instead of now.
	ScheduledAt *time.Time `json:"scheduled_at"`
	ScheduledID string     `json:"scheduled_id"` // cancel_scheduled: which
	// message: the client's id of it; the same id again answers the same
	// message without sending another (a retry after a lost answer).
	ClientMessageID string `json:"client_message_id"`
}

// operator runs an operator's action on a dialog: take, message,
// transfer, release, close.
func (h *handlers) operator(c *gin.Context) {
	var req operatorRequest
	if !bind(c, &req, `{"action": "message", "operator": "Kate", "text": "Hello"}`) {
		return
	}
	id, name := server.CallerOf(c).Operator(req.Operator)
	op := dialogs.Operator{ID: id, Name: name}
	var act func(ctx context.Context, d *store.Dialog) (*dialogs.Turn, error)
	handoff := func(in dialogs.HandoffInput) {
		act = func(ctx context.Context, d *store.Dialog) (*dialogs.Turn, error) {
			return h.Dialogs.Handoff(ctx, d, in)
		}
	}
	switch req.Action {
	case "take":
		handoff(dialogs.HandoffInput{Action: dialogs.HandoffTake, Operator: op})
	case "release":
		handoff(dialogs.HandoffInput{Action: dialogs.HandoffRelease, Operator: op, Variables: req.Variables})
	case "close":
		handoff(dialogs.HandoffInput{Action: dialogs.HandoffClose, Operator: op})
	case "transfer":
		if (req.Queue == "") == (req.ToOperator == "") {
			fail(c, store.FieldErrorf(store.EINVALID, "queue", "A transfer names either `queue` or `to_operator` (with `to_operator_name`)."))
			return
		}
		to := dialogs.Operator{ID: req.ToOperator, Name: req.ToOperatorName}
		handoff(dialogs.HandoffInput{Action: dialogs.HandoffTransfer, Queue: req.Queue, Operator: to})
	case "message":
		act = func(ctx context.Context, d *store.Dialog) (*dialogs.Turn, error) {
			return h.Dialogs.ScheduleMessage(ctx, d, op, dialogs.OperatorText{Text: req.Text, Files: req.Files, At: req.ScheduledAt, ClientMessageID: req.ClientMessageID})
		}
	case "cancel_scheduled":
		act = func(ctx context.Context, d *store.Dialog) (*dialogs.Turn, error) {
			return h.Dialogs.CancelScheduled(ctx, d, req.ScheduledID)
		}
	case "note":
		if d, ok := h.lookup(c); ok {
			n, err := h.Dialogs.AddNote(c.Request.Context(), d, op, req.Text)
			if err != nil {
				fail(c, err)
				return
			}
			c.JSON(http.StatusCreated, noteOf(*n))
		}
		return
	default:
		fail(c, store.FieldErrorf(store.EINVALID, "action", "`action` must be take, message, cancel_scheduled, note, transfer, release or close; got %q.", req.Action))
		return
	}
	if d, ok := h.lookup(c); ok {
		turn, err := act(c.Request.Context(), d)
		answer(c, d, turn, err)
	}
}

type handoffRequest struct {
	Reason string `json:"reason"`
	Queue  string `json:"queue"`
}

// handoff puts a dialog in an operator queue ("default" unless named): the
// bot stops answering until an operator releases it.
func (h *handlers) handoff(c *gin.Context) {
	var req handoffRequest
	if !bind(c, &req, `{"reason": "Asked for a refund", "queue": "billing"}`) {
		return
	}
	if d, ok := h.lookup(c); ok {
		turn, err := h.Dialogs.Handoff(c.Request.Context(), d, dialogs.HandoffInput{Action: dialogs.HandoffRequest, Queue: req.Queue, Reason: req.Reason})
		answer(c, d, turn, err)
	}
}

type approvalRequest struct {
	Approve  *bool  `json:"approve"`
	Operator string `json:"operator"`
}

// approval is an operator's decision on a tool call the model made.
func (h *handlers) approval(c *gin.Context) {
	var req approvalRequest
	if !bind(c, &req, `{"approve": true, "operator": "Kate"}`) {
		return
	}
	if req.Approve == nil {
		fail(c, store.FieldErrorf(store.EINVALID, "approve", "Send {\"approve\": true} or {\"approve\": false}."))
		return
	}
	if d, ok := h.lookup(c); ok {
		turn, err := h.Dialogs.Approve(c.Request.Context(), d, c.Param("approval"), *req.Approve, req.Operator)
		answer(c, d, turn, err)
	}
}
