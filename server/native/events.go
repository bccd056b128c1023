package native

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"parley/events"
	"parley/server"
	"parley/store"
)

// keepalive is how often an idle stream gets a comment line, so proxies
// and clients do not take it for dead.
var keepalive = 15 * time.Second

// eventJSON is one server-sent event's data.
type eventJSON struct {
	Type    string       `json:"type"`
	Dialog  string       `json:"dialog_id"`         // the dialog's UUID
	Node    string       `json:"node,omitempty"`    // text-delta
	Attempt int          `json:"attempt,omitempty"` // text-delta: a new attempt starts the text over
	Delta   string       `json:"delta,omitempty"`   // text-delta
	Message *messageJSON `json:"message,omitempty"` // message.created
	Status  string       `json:"status,omitempty"`  // dialog.updated
	Mode    string       `json:"mode,omitempty"`    // dialog.updated
	Lost    int64        `json:"lost,omitempty"`    // events this stream missed just before this one
	Time    time.Time    `json:"time"`
}

func eventOf(d *store.Dialog, ev events.Event) eventJSON {
	out := eventJSON{Type: ev.Type, Dialog: d.UUID, Node: ev.Node, Attempt: ev.Attempt, Delta: ev.Delta,
		Status: ev.Status, Mode: ev.Mode, Lost: ev.Lost, Time: ev.Time.UTC()}
	if ev.Message != nil {
		out.Message = &messagesJSON([]store.Message{*ev.Message})[0]
	}
	return out
}

// events streams a dialog's events as server-sent events (`event: <type>`,
// `data: <json>`) until the client goes away. Delivery is best effort: a
// client that reads too slowly loses events (see `lost`) and can read the
// stored messages to catch up.
func (h *handlers) events(c *gin.Context) {
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	if h.Bus == nil {
		server.ErrorWith(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This server streams no events: it runs without an event bus.", nil)
		return
	}
	ctx := c.Request.Context()
	// Subscribe before answering, so a client that has the headers misses
	// nothing published afterwards.
	ch, stop := h.Bus.Subscribe(ctx, d.ProjectID, d.ID)
	defer stop()
	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	w.Flush()

	tick := time.NewTicker(keepalive)
	defer tick.Stop()
	seen := newSeenSet(1024)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
				return
			}
		case ev, open := <-ch:
			if !open {
				return
			}
			// The service and the worker may both announce a message.
			if ev.Message != nil && seen.add(ev.Message.ID) {
				continue
			}
			data, err := json.Marshal(eventOf(d, ev))
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, data); err != nil {
				return
			}
		}
		w.Flush()
	}
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
