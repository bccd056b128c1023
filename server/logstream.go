package server

import (
	"context"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/store"
)

// LogStream is one client's stream of a project's logged events, in the
// order of the log: live events from the bus, with what the bus skipped
// or delivered out of order (a gap) filled in from the log, so nothing is
// lost across reconnects, processes and restarts. The dialects render
// the events (Send) in their own shapes.
type LogStream struct {
	Log       store.EventLog
	ProjectID int64
	Filter    store.EventFilter
	// Seen is the seq of the last logged event the stream has dealt
	// with (sent, or passed over by the filter); 0 until the first one,
	// or the client's Last-Event-ID.
	Seen int64
	// Send writes a logged event that passes the filter.
	Send func(ev events.Event) error
	// Unlogged, when set, is handed the bus's events that are not logged
	// (typing, text deltas); nil drops them.
	Unlogged func(ev events.Event) error
}

// Live sends a live event: an unlogged one to Unlogged, a logged one
// unless it was sent already, after the events before it that the stream
// has not seen, read from the log.
func (s *LogStream) Live(ctx context.Context, ev events.Event) error {
	if ev.Seq == 0 {
		if s.Unlogged == nil {
			return nil
		}
		return s.Unlogged(ev)
	}
	if ev.Seq <= s.Seen {
		return nil
	}
	if s.Seen > 0 && ev.Seq > s.Seen+1 {
		return s.CatchUp(ctx)
	}
	s.Seen = ev.Seq
	if !s.Matches(ev) {
		return nil
	}
	return s.Send(ev)
}

// CatchUp sends the logged events after Seen that pass the filter, up to
// the end of the log.
func (s *LogStream) CatchUp(ctx context.Context) error {
	for {
		f := s.Filter
		f.After, f.Limit = s.Seen, 1000
		evs, err := s.Log.Events(ctx, s.ProjectID, f)
		if err != nil {
			return err
		}
		for _, lev := range evs {
			if err := s.Send(events.FromLog(lev)); err != nil {
				return err
			}
			s.Seen = lev.Seq
		}
		if len(evs) < f.Limit {
			return s.skipUnmatched(ctx)
		}
	}
}

// skipUnmatched moves Seen to the end of the log, past the events the
// filter left out, so they do not look like a gap later.
func (s *LogStream) skipUnmatched(ctx context.Context) error {
	f := s.Filter
	if len(f.Types) == 0 && f.BotID == 0 && f.Queue == "" && f.DialogID == 0 {
		return nil
	}
	for {
		evs, err := s.Log.Events(ctx, s.ProjectID, store.EventFilter{After: s.Seen, Limit: 1000})
		if err != nil || len(evs) == 0 {
			return err
		}
		s.Seen = evs[len(evs)-1].Seq
	}
}

// Matches reports whether a live event passes the stream's filter.
func (s *LogStream) Matches(ev events.Event) bool {
	f := s.Filter
	return (len(f.Types) == 0 || slices.Contains(f.Types, ev.Type)) &&
		(f.BotID == 0 || ev.BotID == f.BotID) &&
		(f.Queue == "" || ev.Queue == f.Queue) &&
		(f.DialogID == 0 || ev.DialogID == f.DialogID)
}

// Serve streams to the client, whose stream the caller has opened
// (OpenSSE), until it goes away: the events a resuming
// client (Last-Event-ID, read by the caller into Seen) missed, from the
// log, then live ones from sub, which the caller subscribed to before
// reading anything, so nothing published meanwhile is missed.
func (s *LogStream) Serve(c *gin.Context, resume bool, sub <-chan events.Event) {
	ctx := c.Request.Context()
	if resume && s.CatchUp(ctx) != nil {
		return
	}
	PumpSSE(ctx, c.Writer, sub, func(ev events.Event) error { return s.Live(ctx, ev) })
}
