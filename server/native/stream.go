package native

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// TypeLogTrimmed tells a client resuming from before the log's start that
// the events between are gone (kept PARLEY_EVENT_RETENTION).
const TypeLogTrimmed = "log.trimmed"

// projectEvents streams the whole project's events as server-sent events:
// every logged event (id: its seq in the project's log) and operators
// typing (no id), filtered by types, bot, queue and dialog. A client that
// reconnects with Last-Event-ID first gets what it missed from the log, so
// nothing is lost across reconnects, processes and restarts; live events
// that arrive out of order or after a gap are filled in from the log too.
func (h *handlers) projectEvents(c *gin.Context) {
	if h.Bus == nil {
		failWith(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This server streams no events: it runs without an event bus.", nil)
		return
	}
	ctx := c.Request.Context()
	f, err := h.streamFilter(ctx, c)
	if err != nil {
		fail(c, err)
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
	projectID := server.CallerOf(c).ProjectID
	ch, stop := h.Bus.Subscribe(ctx, projectID, 0) // before reading the log: nothing falls between
	defer stop()
	w := c.Writer
	s := &server.LogStream{Log: h.Store, ProjectID: projectID, Filter: f, Seen: after,
		Send: func(ev events.Event) error {
			return server.WriteSSE(w, strconv.FormatInt(ev.Seq, 10), ev.Type, eventOf("", ev))
		}}
	// Operators typing are the project stream's too; text deltas are the
	// dialog stream's.
	s.Unlogged = func(ev events.Event) error {
		if ev.Type != events.TypeTyping || !s.Matches(ev) {
			return nil
		}
		return server.WriteSSE(w, "", ev.Type, eventOf("", ev))
	}
	var first int64
	if resume {
		if first, err = h.Store.FirstEventSeq(ctx, projectID); err != nil {
			fail(c, err)
			return
		}
	}
	server.OpenSSE(w)
	if resume && after+1 < first {
		trimmed := map[string]any{"type": TypeLogTrimmed, "first_seq": first, "time": time.Now().UTC()}
		if server.WriteSSE(w, "", TypeLogTrimmed, trimmed) != nil {
			return
		}
	}
	s.Serve(c, resume, ch)
}

// streamFilter reads the stream's filters: types (comma-separated), bot
// (a slug), queue and dialog (a UUID or number).
func (h *handlers) streamFilter(ctx context.Context, c *gin.Context) (store.EventFilter, error) {
	projectID := server.CallerOf(c).ProjectID
	f := store.EventFilter{Queue: c.Query("queue")}
	for _, typ := range strings.Split(c.Query("types"), ",") {
		if typ = strings.TrimSpace(typ); typ != "" {
			f.Types = append(f.Types, typ)
		}
	}
	if slug := c.Query("bot"); slug != "" {
		bot, err := h.Store.Bot(ctx, projectID, slug)
		if err != nil {
			return f, err
		}
		f.BotID = bot.ID
	}
	if id := c.Query("dialog"); id != "" {
		d, err := h.Dialogs.Find(ctx, projectID, id)
		if err != nil {
			return f, err
		}
		f.DialogID = d.ID
	}
	return f, nil
}

type typingRequest struct {
	Operator string `json:"operator"` // who types, for an API-key caller
}

// typing tells the dialog's and the project's streams that an operator is
// typing; nothing is stored.
func (h *handlers) typing(c *gin.Context) {
	var req typingRequest
	if !bind(c, &req, `{"operator": "Kate"}`) {
		return
	}
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	if h.Bus != nil {
		_, name := server.CallerOf(c).Operator(req.Operator)
		h.Bus.Publish(c.Request.Context(), events.Event{Type: events.TypeTyping, ProjectID: d.ProjectID, DialogID: d.ID,
			DialogUUID: d.UUID, BotID: d.BotID, Queue: d.Handoff.ActiveQueue(), Operator: name})
	}
	c.Status(http.StatusNoContent)
}
