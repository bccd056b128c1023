package worken

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// threadEventJSON is Worken's ThreadEvent.
type threadEventJSON struct {
	ThreadID     string `json:"thread_id"`
	Type         string `json:"type"`
	PendingCount *int   `json:"pending_count,omitempty"`
	Mode         string `json:"mode,omitempty"`
}

// threadEventTypes are the logged events a thread stream shows.
var threadEventTypes = []string{store.EventMessageCreated, store.EventDialogPending, store.EventDialogUpdated}

// threadEventOf is a logged event as a ThreadEvent; false for one Worken
// does not show (a note, a system message, a change of status alone).
// modeBefore is the dialog's mode before a dialog.updated event.
func threadEventOf(ev events.Event, modeBefore func(ev events.Event) (string, error)) (threadEventJSON, bool, error) {
	out := threadEventJSON{ThreadID: ev.DialogUUID}
	switch ev.Type {
	case store.EventMessageCreated:
		out.Type = "message_created"
		return out, ev.Message != nil && roleOf(ev.Message.Role) != "", nil
	case store.EventDialogPending:
		out.Type, out.PendingCount = "pending_count", ev.Pending
		return out, ev.Pending != nil, nil
	case store.EventDialogUpdated: // logged when the status or the mode changes
		out.Type, out.Mode = "mode_changed", ev.Mode
		before, err := modeBefore(ev)
		return out, ev.Mode != "" && before != ev.Mode, err
	}
	return out, false, nil
}

// threadEvents is GET /threads/events and GET /threads/events/:thread_id:
// the project's (or one thread's) ThreadEvents as server-sent events,
// each with its seq in the project's event log as its id, so a client
// that reconnects with Last-Event-ID (the eventsource package and
// browsers do) gets what it missed and nothing twice. Comments keep an
// idle stream alive.
func (h *handlers) threadEvents(c *gin.Context) {
	if h.Bus == nil {
		fail(c, store.Errorf(store.EINTERNAL, "This server streams no events: it runs without an event bus."))
		return
	}
	f := store.EventFilter{Types: threadEventTypes}
	if c.Param("thread_id") != "" {
		d, ok := h.thread(c)
		if !ok {
			return
		}
		f.DialogID = d.ID
	}
	after, resume, err := server.LastEventID(c)
	if err != nil {
		fail(c, store.FieldErrorf(store.EINVALID, "Last-Event-ID", "%s", err.Error()))
		return
	}
	release, err := h.OpenStream(server.StreamKey(c))
	if err != nil {
		fail(c, err)
		return
	}
	defer release()
	projectID := project(c)
	sub, stop := h.Bus.Subscribe(c.Request.Context(), projectID, f.DialogID) // before reading the log
	defer stop()
	w := c.Writer
	modeBefore := func(ev events.Event) (string, error) {
		return h.Store.DialogModeBefore(c.Request.Context(), projectID, ev.DialogID, ev.Seq)
	}
	s := &server.LogStream{Log: h.Store, ProjectID: projectID, Filter: f, Seen: after, Send: func(ev events.Event) error {
		out, ok, err := threadEventOf(ev, modeBefore)
		if err != nil || !ok {
			return err
		}
		return server.WriteSSE(w, strconv.FormatInt(ev.Seq, 10), "", out)
	}}
	server.OpenSSE(w)
	s.Serve(c, resume, sub)
}
