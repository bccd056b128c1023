package native

import (
	"context"
	"net/http"
	"slices"
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
	projectID := server.CallerOf(c).ProjectID
	ch, stop := h.Bus.Subscribe(ctx, projectID, 0) // before reading the log: nothing falls between
	defer stop()
	s := &projectStream{h: h, w: c.Writer, projectID: projectID, filter: f, seen: after}
	var first int64
	if resume {
		if first, err = h.Store.FirstEventSeq(ctx, projectID); err != nil {
			fail(c, err)
			return
		}
	}
	w := c.Writer
	server.OpenSSE(w)
	if resume {
		if after+1 < first {
			trimmed := map[string]any{"type": TypeLogTrimmed, "first_seq": first, "time": time.Now().UTC()}
			if server.WriteSSE(w, "", TypeLogTrimmed, trimmed) != nil {
				return
			}
		}
		if s.catchUp(ctx) != nil {
			return
		}
	}
	server.PumpSSE(ctx, w, ch, func(ev events.Event) error { return s.live(ctx, ev) })
}

// projectStream is one client's stream of a project's events.
type projectStream struct {
	h         *handlers
	w         gin.ResponseWriter
	projectID int64
	filter    store.EventFilter
	// seen is the seq of the last logged event the stream has dealt with
	// (sent, or passed over by the filter); 0 until the first one.
	seen int64
}

// live sends a live event: an unlogged one as it is, a logged one unless
// it was sent already, after the events before it that the stream has not
// seen (a gap, or events announced out of order), read from the log.
func (s *projectStream) live(ctx context.Context, ev events.Event) error {
	if ev.Seq == 0 {
		if ev.Type != events.TypeTyping || !s.matches(ev) {
			return nil // text deltas are the dialog stream's
		}
		return server.WriteSSE(s.w, "", ev.Type, eventOf("", ev))
	}
	if ev.Seq <= s.seen {
		return nil
	}
	if s.seen > 0 && ev.Seq > s.seen+1 {
		return s.catchUp(ctx)
	}
	s.seen = ev.Seq
	if !s.matches(ev) {
		return nil
	}
	return server.WriteSSE(s.w, strconv.FormatInt(ev.Seq, 10), ev.Type, eventOf("", ev))
}

// catchUp sends the logged events after seen that pass the filter, up to
// the end of the log.
func (s *projectStream) catchUp(ctx context.Context) error {
	for {
		f := s.filter
		f.After, f.Limit = s.seen, 1000
		evs, err := s.h.Store.Events(ctx, s.projectID, f)
		if err != nil {
			return err
		}
		for _, lev := range evs {
			ev := events.FromLog(lev)
			if err := server.WriteSSE(s.w, strconv.FormatInt(ev.Seq, 10), ev.Type, eventOf("", ev)); err != nil {
				return err
			}
			s.seen = ev.Seq
		}
		if len(evs) < f.Limit {
			return s.skipUnmatched(ctx)
		}
	}
}

// skipUnmatched moves seen to the end of the log, past the events the
// filter left out, so they do not look like a gap later.
func (s *projectStream) skipUnmatched(ctx context.Context) error {
	if len(s.filter.Types) == 0 && s.filter.BotID == 0 && s.filter.Queue == "" && s.filter.DialogID == 0 {
		return nil
	}
	for {
		evs, err := s.h.Store.Events(ctx, s.projectID, store.EventFilter{After: s.seen, Limit: 1000})
		if err != nil || len(evs) == 0 {
			return err
		}
		s.seen = evs[len(evs)-1].Seq
	}
}

// matches reports whether a live event passes the stream's filter.
func (s *projectStream) matches(ev events.Event) bool {
	f := s.filter
	return (len(f.Types) == 0 || slices.Contains(f.Types, ev.Type)) &&
		(f.BotID == 0 || ev.BotID == f.BotID) &&
		(f.Queue == "" || ev.Queue == f.Queue) &&
		(f.DialogID == 0 || ev.DialogID == f.DialogID)
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
