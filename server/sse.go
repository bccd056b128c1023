package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/events"
)

// Server-sent events, as the dialects stream them: a dialog's events, a
// project's, a widget visitor's.

// SSEKeepalive is how often an idle stream gets a comment line, so proxies
// and clients do not take it for dead.
var SSEKeepalive = 15 * time.Second

// OpenSSE answers 200 with the headers of an event stream.
func OpenSSE(w gin.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
}

// PumpSSE flushes what was written, then hands send each event of ch and
// writes a keepalive comment when the stream has been idle for SSEKeepalive,
// until ctx ends, ch closes or a write fails.
func PumpSSE(ctx context.Context, w gin.ResponseWriter, ch <-chan events.Event, send func(events.Event) error) {
	w.Flush()
	tick := time.NewTicker(SSEKeepalive)
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

// WriteSSE writes one server-sent event: its id (none when ""), type
// (none when "": a browser's EventSource hands such events to onmessage)
// and JSON data.
func WriteSSE(w io.Writer, id, typ string, data any) error {
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if id != "" {
		if _, err := fmt.Fprintf(w, "id: %s\n", id); err != nil {
			return err
		}
	}
	if typ != "" {
		if _, err := fmt.Fprintf(w, "event: %s\n", typ); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(w, "data: %s\n\n", body)
	return err
}

// LastEventID reads the Last-Event-ID header (or the last_event_id query
// parameter, for clients that cannot set headers): the seq of the last
// message the client has.
func LastEventID(c *gin.Context) (after int64, resume bool, err error) {
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

// SeenSet remembers the last n keys added.
type SeenSet struct {
	keys map[string]struct{}
	ring []string
	next int
}

// NewSeenSet remembers up to n keys.
func NewSeenSet(n int) *SeenSet {
	return &SeenSet{keys: make(map[string]struct{}, n), ring: make([]string, n)}
}

// Add records key and reports whether it was already there.
func (s *SeenSet) Add(key string) bool {
	if _, ok := s.keys[key]; ok {
		return true
	}
	delete(s.keys, s.ring[s.next])
	s.ring[s.next] = key
	s.keys[key] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
	return false
}
