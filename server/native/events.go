package native

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/store"
)

// keepalive is how often an idle stream gets a comment line, so proxies
// and clients do not take it for dead.
var keepalive = 15 * time.Second

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
	after, resume, err := lastEventID(c)
	if err != nil {
		failWith(c, http.StatusBadRequest, "INVALID_LAST_EVENT_ID", err.Error(), nil)
		return
	}
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
	openSSE(w)
	seen := newSeenSet(1024)
	for _, m := range missed {
		seen.add(m.ID)
		ev := events.Event{Type: events.TypeMessageCreated, ProjectID: d.ProjectID, DialogID: d.ID, Message: &m, Time: m.CreatedAt}
		if writeEvent(w, d, ev) != nil {
			return
		}
	}
	pump(ctx, w, ch, func(ev events.Event) error {
		// A resuming client has the messages up to its Last-Event-ID; a
		// message is announced once, but a reader dedupes to be sure.
		if ev.Message != nil && (seen.add(ev.Message.ID) || resume && ev.Message.Seq <= after) {
			return nil
		}
		return writeEvent(w, d, ev)
	})
}

// openSSE answers 200 with the headers of an event stream.
func openSSE(w gin.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
}

// pump flushes what was written, then hands send each event of ch and
// writes a keepalive comment when the stream has been idle for keepalive,
// until ctx ends, ch closes or a write fails.
func pump(ctx context.Context, w gin.ResponseWriter, ch <-chan events.Event, send func(events.Event) error) {
	w.Flush()
	tick := time.NewTicker(keepalive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
				return
			}
		case ev, open := <-ch:
			if !open || send(ev) != nil {
				return
			}
		}
		w.Flush()
	}
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
	return writeSSE(w, id, ev.Type, eventOf(d.UUID, ev))
}

// writeSSE writes one server-sent event: its id (none when ""), type and
// JSON data.
func writeSSE(w io.Writer, id, typ string, data any) error {
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if id != "" {
		if _, err := fmt.Fprintf(w, "id: %s\n", id); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, body)
	return err
}

// lastEventID reads the Last-Event-ID header (or the last_event_id query
// parameter, for clients that cannot set headers): the seq of the last
// message the client has.
func lastEventID(c *gin.Context) (after int64, resume bool, err error) {
	raw := c.GetHeader("Last-Event-ID")
	if raw == "" {
		raw = c.Query("last_event_id")
	}
	if raw == "" {
		return 0, false, nil
	}
	after, err = strconv.ParseInt(raw, 10, 64)
	if err != nil || after < 0 {
		return 0, false, fmt.Errorf("Last-Event-ID %q is not the id of an event of this stream; send the `id:` of the last event you got, or none to start from now", raw)
	}
	return after, true, nil
}

// seenSet remembers the last n keys added.
type seenSet struct {
	keys map[string]struct{}
	ring []string
	next int
}

func newSeenSet(n int) *seenSet {
	return &seenSet{keys: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records key and reports whether it was already there.
func (s *seenSet) add(key string) bool {
	if _, ok := s.keys[key]; ok {
		return true
	}
	delete(s.keys, s.ring[s.next])
	s.ring[s.next] = key
	s.keys[key] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
	return false
}
