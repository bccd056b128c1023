package widget

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// eventJSON is what a visitor's stream says: the messages they may see,
// the bot's text as it is written, an operator typing, and the dialog's
// status. Notes, handoff details and everything else operators see are
// never in it.
type eventJSON struct {
	Type     string       `json:"type"`
	Message  *messageJSON `json:"message,omitempty"`  // message.created
	Node     string       `json:"node,omitempty"`     // text-delta
	Attempt  int          `json:"attempt,omitempty"`  // text-delta: a new attempt starts the text over
	Delta    string       `json:"delta,omitempty"`    // text-delta
	Operator string       `json:"operator,omitempty"` // typing: the operator's name
	Status   string       `json:"status,omitempty"`   // dialog.updated, dialog.completed
	Time     time.Time    `json:"time"`
}

// visible is the visitor's view of an event, ok false for what a visitor
// never sees.
func visible(ev events.Event, link linker) (eventJSON, bool) {
	out := eventJSON{Type: ev.Type, Time: ev.Time.UTC()}
	switch ev.Type {
	case events.TypeMessageCreated:
		if ev.Message == nil || ev.Message.Role == store.MessageSystem {
			return out, false
		}
		out.Message = &messagesJSON([]store.Message{*ev.Message}, link)[0]
	case events.TypeTextDelta:
		out.Node, out.Attempt, out.Delta = ev.Node, ev.Attempt, ev.Delta
	case events.TypeTyping:
		out.Operator = ev.Operator
	case store.EventDialogUpdated, store.EventDialogCompleted:
		out.Status = ev.Status
	default:
		return out, false
	}
	return out, true
}

// events streams the dialog to its visitor as server-sent events until
// they go away: message.created (id: the message's seq), text-delta,
// typing and the dialog's status. A reconnecting EventSource sends
// Last-Event-ID and first gets the messages it missed. EventSource cannot
// send headers, so the visitor token may come as ?visitor_token=.
func (h *handlers) events(c *gin.Context, d *store.Dialog) {
	if h.Bus == nil {
		server.Fail(c, store.Errorf(store.EINTERNAL, "This server streams no events: it runs without an event bus."))
		return
	}
	after, resume, err := server.LastEventID(c)
	if err != nil {
		server.Fail(c, store.FieldErrorf(store.EINVALID, "Last-Event-ID", "%s", err.Error()))
		return
	}
	release, err := h.OpenStream(server.VisitorStreamKey(d.UUID))
	if err != nil {
		server.Fail(c, err)
		return
	}
	defer release()
	ctx := c.Request.Context()
	ch, stop := h.Bus.Subscribe(ctx, d.ProjectID, d.ID) // before reading what was missed: nothing falls between
	defer stop()
	var missed []store.Message
	if resume {
		all, err := h.Store.Messages(ctx, d.ID)
		if err != nil {
			server.Fail(c, err)
			return
		}
		for _, m := range all {
			if m.Seq > after {
				missed = append(missed, m)
			}
		}
	}
	w := c.Writer
	server.OpenSSE(w)
	seen := server.NewSeenSet(1024)
	link := h.fileLink(d, visitorToken(c))
	send := func(ev events.Event) error {
		out, ok := visible(ev, link)
		if !ok {
			return nil
		}
		id := ""
		if ev.Message != nil {
			if seen.Add(ev.Message.ID) || resume && ev.Message.Seq <= after {
				return nil
			}
			id = strconv.FormatInt(ev.Message.Seq, 10)
		}
		return server.WriteSSE(w, id, ev.Type, out)
	}
	for _, m := range missed {
		if send(events.Event{Type: events.TypeMessageCreated, Message: &m, Time: m.CreatedAt}) != nil {
			return
		}
	}
	server.PumpSSE(ctx, w, ch, send)
}

// headerToken is the request's visitor token in its header.
func headerToken(c *gin.Context) string { return c.GetHeader(VisitorTokenHeader) }

// visitorToken is the request's visitor token: the header, or the query
// parameter an EventSource or a link has to use.
func visitorToken(c *gin.Context) string {
	if t := headerToken(c); t != "" {
		return t
	}
	return c.Query("visitor_token")
}
