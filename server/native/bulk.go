package native

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// bulkRequest is POST /v1/dialogs/bulk's body.
type bulkRequest struct {
	Filter    json.RawMessage `json:"filter"` // a dialogQuery, read strictly (see strictFilter)
	Action    string          `json:"action"`
	Node      string          `json:"node"`      // goto: a node of the dialogs' flow
	Bot       string          `json:"bot"`       // goto: another bot
	Text      string          `json:"text"`      // message
	Variables map[string]any  `json:"variables"` // release
	Operator  string          `json:"operator"`  // who acts, for an API-key caller
}

// bulkJSON is the contract's BulkAction.
type bulkJSON struct {
	ID       string            `json:"id"`
	Action   string            `json:"action"`
	Status   string            `json:"status"` // running, finished
	Matched  int               `json:"matched"`
	Done     int               `json:"done"`
	Failed   int               `json:"failed"`
	Failures []bulkFailureJSON `json:"failures"`
	Created  time.Time         `json:"created_at"`
	Finished *time.Time        `json:"finished_at,omitempty"`
}

type bulkFailureJSON struct {
	Dialog string `json:"dialog"`
	Reason string `json:"reason"`
}

// startBulk starts an action over every dialog a filter matches, as a
// durable workflow; 202 with its id, to follow at GET /v1/bulk/{id}.
func (h *handlers) startBulk(c *gin.Context) {
	var req bulkRequest
	if !bind(c, &req, `{"filter": {"waiting": "ask_email", "waiting_longer_than": "1h"}, "action": "goto", "node": "remind"}`) {
		return
	}
	ctx, caller := c.Request.Context(), server.CallerOf(c)
	q, err := strictFilter(req.Filter)
	if err != nil {
		fail(c, err)
		return
	}
	f, err := h.filter(ctx, caller.ProjectID, q, time.Now())
	if err != nil {
		fail(c, err)
		return
	}
	id, name := caller.Operator(req.Operator)
	a := dialogs.BulkAction{Action: req.Action, Node: req.Node, Bot: req.Bot, Text: req.Text, Variables: req.Variables,
		Operator: dialogs.Operator{ID: id, Name: name}}
	job, err := h.Dialogs.StartBulk(ctx, caller.ProjectID, f, a)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, bulkOf(&dialogs.BulkProgress{Job: *job}))
}

// strictFilter reads a bulk action's filter, refusing a field it does not
// know: a misspelt filter would otherwise widen the action to dialogs
// nobody meant. The filter must be given; {} acts on every dialog.
func strictFilter(raw json.RawMessage) (dialogQuery, error) {
	var q dialogQuery
	if len(raw) == 0 || string(raw) == "null" {
		return q, store.FieldErrorf(store.EINVALID, "filter", "Give the `filter` of the dialogs to act on, such as {\"queue\": \"billing\"}; {} acts on every dialog.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return q, store.FieldErrorf(store.EINVALID, "filter", "The filter is not one GET /v1/dialogs takes: %v.", err)
	}
	return q, nil
}

// bulk says where a bulk action stands.
func (h *handlers) bulk(c *gin.Context) {
	p, err := h.Dialogs.BulkStatus(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, bulkOf(p))
}

func bulkOf(p *dialogs.BulkProgress) bulkJSON {
	out := bulkJSON{ID: p.Job.ID, Action: p.Job.Action.Action, Status: "running", Matched: p.Matched, Done: p.Done,
		Failed: p.Failed, Failures: []bulkFailureJSON{}, Created: p.Job.Created.UTC(), Finished: utcPtr(p.Finished)}
	if p.Finished != nil {
		out.Status = "finished"
	}
	for _, f := range p.Failures {
		out.Failures = append(out.Failures, bulkFailureJSON{Dialog: f.Dialog, Reason: f.Reason})
	}
	return out
}
