package native

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// eventJSON is one server-sent event's data.
type eventJSON struct {
	Type     string         `json:"type"`
	Dialog   string         `json:"dialog_id,omitempty"` // the dialog's UUID
	Node     string         `json:"node,omitempty"`      // text-delta
	Attempt  int            `json:"attempt,omitempty"`   // text-delta: a new attempt starts the text over
	Delta    string         `json:"delta,omitempty"`     // text-delta
	Message  *messageJSON   `json:"message,omitempty"`   // message.created
	Note     *noteJSON      `json:"note,omitempty"`      // note.created
	Status   string         `json:"status,omitempty"`    // dialog.created, dialog.updated, dialog.completed
	Mode     string         `json:"mode,omitempty"`      // dialog.created, dialog.updated, dialog.completed
	Pending  *int           `json:"pending,omitempty"`   // dialog.pending
	Handoff  *handoffJSON   `json:"handoff,omitempty"`   // handoff.*
	Position int            `json:"position,omitempty"`  // handoff.requested
	Queue    string         `json:"queue,omitempty"`     // the dialog's handoff queue, while it is in one
	Operator string         `json:"operator,omitempty"`  // typing
	Extra    map[string]any `json:"extra,omitempty"`     // other types
	Lost     int64          `json:"lost,omitempty"`      // events this stream missed just before this one
	Time     time.Time      `json:"time"`
}

// eventOf renders an event; uuid is its dialog's, when the event does not
// carry it.
func eventOf(uuid string, ev events.Event) eventJSON {
	if ev.DialogUUID != "" {
		uuid = ev.DialogUUID
	}
	out := eventJSON{Type: ev.Type, Dialog: uuid, Node: ev.Node, Attempt: ev.Attempt, Delta: ev.Delta,
		Status: ev.Status, Mode: ev.Mode, Pending: ev.Pending, Position: ev.Position, Queue: ev.Queue,
		Operator: ev.Operator, Extra: ev.Extra, Lost: ev.Lost, Time: ev.Time.UTC()}
	if ev.Message != nil {
		out.Message = &messagesJSON([]store.Message{*ev.Message})[0]
	}
	if ev.Handoff != nil {
		h := handoffOf(ev.Handoff)
		out.Handoff = &h
	}
	if ev.Note != nil {
		n := noteOf(*ev.Note)
		out.Note = &n
	}
	return out
}

// events streams a dialog's events as server-sent events (`event: <type>`,
// `data: <json>`; message.created also has `id: <the message's seq>`)
// until the client goes away. A client that reconnects with the
// Last-Event-ID header (browsers' EventSource does so by itself) first gets
// the stored messages after that one, so it misses no message. Text deltas
// are best effort: a client that reads too slowly loses events (see
// `lost`) and can read the stored messages to catch up.
func (h *handlers) events(c *gin.Context) {
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	if h.Bus == nil {
		failWith(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This server streams no events: it runs without an event bus.", nil)
		return
	}
	after, resume, err := server.LastEventID(c)
	if err != nil {
		failWith(c, http.StatusBadRequest, "INVALID_LAST_EVENT_ID", err.Error(), nil)
		return
	}
	release, err := h.OpenStream(server.StreamKey(c))
	if err != nil {
		fail(c, err)
		return
	}
	defer release()
	ctx := c.Request.Context()
	// Subscribe before answering (and before reading what a resuming
	// client missed), so nothing published afterwards is missed.
	ch, stop := h.Bus.Subscribe(ctx, d.ProjectID, d.ID)
	defer stop()
	var missed []store.Message
	if resume {
		if missed, err = h.messagesAfter(ctx, d.ID, after); err != nil {
			fail(c, err)
			return
		}
	}
	w := c.Writer
	server.OpenSSE(w)
	seen := server.NewSeenSet(1024)
	for _, m := range missed {
		seen.Add(m.ID)
		ev := events.Event{Type: events.TypeMessageCreated, ProjectID: d.ProjectID, DialogID: d.ID, Message: &m, Time: m.CreatedAt}
		if writeEvent(w, d, ev) != nil {
			return
		}
	}
	server.PumpSSE(ctx, w, ch, func(ev events.Event) error {
		// A resuming client has the messages up to its Last-Event-ID; a
		// message is announced once, but a reader dedupes to be sure.
		if ev.Message != nil && (seen.Add(ev.Message.ID) || resume && ev.Message.Seq <= after) {
			return nil
		}
		return writeEvent(w, d, ev)
	})
}

// messagesAfter returns the dialog's stored messages after seq, in order.
func (h *handlers) messagesAfter(ctx context.Context, dialogID, seq int64) ([]store.Message, error) {
	all, err := h.Store.Messages(ctx, dialogID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(m store.Message) bool { return m.Seq <= seq }), nil
}

// writeEvent writes one event of a dialog's stream; a stored message's
// seq is its event id.
func writeEvent(w io.Writer, d *store.Dialog, ev events.Event) error {
	id := ""
	if ev.Message != nil {
		id = strconv.FormatInt(ev.Message.Seq, 10)
	}
	return server.WriteSSE(w, id, ev.Type, eventOf(d.UUID, ev))
}
