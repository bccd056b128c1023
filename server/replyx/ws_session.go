package replyx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

const (
	// wsWriteTimeout bounds one write: a client that reads nothing for
	// that long is cut off rather than holding the stream.
	wsWriteTimeout = 10 * time.Second
	// wsQueue is how many send_message may wait for the turns before them.
	wsQueue = 16
	// logPage is how many logged events one read of the log takes.
	logPage = 1000
)

var (
	errSilent    = errors.New("the client answered no __ping__")
	errGoingAway = errors.New("the event bus closed")
)

// wsClientMessage is what a client sends.
type wsClientMessage struct {
	Type            string `json:"type"` // send_message, or typing from a panel
	Text            string `json:"text"`
	OperatorName    string `json:"operator_name"`     // a panel's: who writes or types, else the signed-in user
	ClientMessageID string `json:"client_message_id"` // a widget's send_message: a retry with the same id runs once
}

// wsSession is one dialog WebSocket. The pump (run's goroutine) writes
// events; a reader takes the client's messages and a worker sends them
// into the dialog one after the other, so a long turn neither stalls the
// events nor the heartbeat. coder/websocket's Write is safe for
// concurrent use, so each writes what it has to say.
type wsSession struct {
	h      *handlers
	conn   *websocket.Conn
	d      *store.Dialog
	peer   wsPeer
	limit  *rate.Limiter     // client messages of this connection; nil: no limit
	budget server.RouteLimit // what limit allows, for its refusals
	msgs   *server.SeenSet   // message ids sent, as a message may be announced twice
	seen   int64             // the seq of the last logged event dealt with; the pump's alone
	heard  atomic.Bool       // the client said something since the last __ping__
}

// run serves the connection until either side ends it: the events a
// resuming client missed (since_seq), then live ones from sub, which the
// caller subscribed to before anything was read.
func (s *wsSession) run(ctx context.Context, sub <-chan events.Event, since int64, resume bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan wsClientMessage, wsQueue)
	go s.work(ctx, queue)
	go func() {
		defer cancel() // the client went away
		s.read(ctx, queue)
	}()
	err := func() error {
		if resume {
			if err := s.replay(ctx, since); err != nil {
				return err
			}
		}
		return s.pump(ctx, sub, PingInterval)
	}()
	s.close(ctx, err)
}

// close ends the connection with a status that says why.
func (s *wsSession) close(ctx context.Context, err error) {
	switch {
	case ctx.Err() != nil:
		s.conn.CloseNow()
	case errors.Is(err, errSilent):
		s.conn.Close(websocket.StatusPolicyViolation, "no __pong__ to __ping__")
	case errors.Is(err, errGoingAway):
		s.conn.Close(websocket.StatusGoingAway, "the server is shutting down; reconnect with since_seq")
	default:
		s.h.logger().Error("serving a dialog WebSocket", "dialog", s.d.UUID, "error", err)
		s.conn.Close(websocket.StatusInternalError, "internal error; reconnect with since_seq")
	}
}

// pump writes live events and a __ping__ every interval, until the
// client has been silent for a whole interval.
func (s *wsSession) pump(ctx context.Context, sub <-chan events.Event, interval time.Duration) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	s.heard.Store(true) // the handshake was the client's word
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if !s.heard.Swap(false) {
				return errSilent
			}
			if err := s.writeText(ctx, []byte(pingText)); err != nil {
				return err
			}
		case ev, open := <-sub:
			if !open {
				return errGoingAway
			}
			if err := s.live(ctx, ev); err != nil {
				return err
			}
		}
	}
}

// live sends an event the bus delivered. A dialog's seqs have gaps (they
// number the project's log), so a missing one cannot be seen; instead the
// log is read after the last seq sent, which brings this event and any
// the bus lost or delivered out of order (across processes), once each.
func (s *wsSession) live(ctx context.Context, ev events.Event) error {
	switch {
	case ev.Seq == 0:
		return s.send(ctx, ev) // typing: never logged
	case ev.Seq <= s.seen:
		return nil
	case s.seen == 0:
		return s.logged(ctx, ev) // nothing to follow on yet
	}
	if err := s.catchUp(ctx); err != nil {
		return err
	}
	if ev.Seq > s.seen { // not in the log (trimmed already): send what the bus said
		return s.logged(ctx, ev)
	}
	return nil
}

// replay sends the dialog's logged events after since, first saying so
// when the log no longer reaches back that far.
func (s *wsSession) replay(ctx context.Context, since int64) error {
	s.seen = since
	first, err := s.h.Store.FirstEventSeq(ctx, s.d.ProjectID)
	if err != nil {
		return err
	}
	if since+1 < first {
		trimmed := wsEventJSON{Type: wsLogTrimmed, DialogID: s.d.Number, FirstSeq: first, Timestamp: time.Now().UTC()}
		if err := s.write(ctx, trimmed); err != nil {
			return err
		}
	}
	return s.catchUp(ctx)
}

// catchUp sends the dialog's logged events after seen.
func (s *wsSession) catchUp(ctx context.Context) error {
	for {
		evs, err := s.h.Store.Events(ctx, s.d.ProjectID, store.EventFilter{After: s.seen, DialogID: s.d.ID, Limit: logPage})
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if err := s.logged(ctx, events.FromLog(ev)); err != nil {
				return err
			}
		}
		if len(evs) < logPage {
			return nil
		}
	}
}

// logged sends a logged event, once per message.
func (s *wsSession) logged(ctx context.Context, ev events.Event) error {
	s.seen = ev.Seq
	if ev.Message != nil && s.msgs.Add(ev.Message.ID) {
		return nil
	}
	return s.send(ctx, ev)
}

// send writes ev if the peer is shown it.
func (s *wsSession) send(ctx context.Context, ev events.Event) error {
	out, ok := wsEventOf(s.d, s.peer, ev)
	if !ok {
		return nil
	}
	return s.write(ctx, out)
}

func (s *wsSession) write(ctx context.Context, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.writeText(ctx, data)
}

func (s *wsSession) writeText(ctx context.Context, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, data)
}

// writeError tells the client its message was refused.
func (s *wsSession) writeError(ctx context.Context, err error) error {
	if store.ErrorCode(err) == store.EINTERNAL {
		s.h.logger().Error("a dialog WebSocket's message failed", "dialog", s.d.UUID, "error", err)
	}
	return s.write(ctx, wsErrorOf(err))
}

// read takes the client's messages until it goes away: every message
// counts as a sign of life; send_message goes to the worker's queue.
func (s *wsSession) read(ctx context.Context, queue chan<- wsClientMessage) {
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			return
		}
		s.heard.Store(true)
		if string(data) == pongText {
			continue
		}
		if err := s.take(ctx, data, queue); err != nil && s.writeError(ctx, err) != nil {
			return
		}
	}
}

// take handles a client message within the connection's budget.
func (s *wsSession) take(ctx context.Context, data []byte, queue chan<- wsClientMessage) error {
	if err := s.allow(); err != nil {
		return err
	}
	var m wsClientMessage
	if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
		return store.Errorf(store.EMALFORMED, `Send JSON like {"type": "send_message", "text": "Hello"}, or __pong__ to a __ping__.`)
	}
	if s.peer.readOnly && (m.Type == "send_message" || m.Type == "typing" || m.Type == wsOperatorTyping) {
		// A viewer's panel follows the dialog; writing in it, as POST
		// /api/dialogs/{id}/messages, is an operator's.
		return store.Errorf(store.EFORBIDDEN, "%s is a viewer of this project: the panel shows the dialog, and writing in it needs an operator or more.", s.peer.operator.Name)
	}
	switch m.Type {
	case "send_message":
		select {
		case queue <- m:
			return nil
		default:
			return store.Errorf(store.ETOOMANY, "%d messages still wait to be sent; wait for their answers before sending more.", wsQueue)
		}
	case "typing", wsOperatorTyping:
		return s.typing(ctx, m)
	}
	return store.FieldErrorf(store.EINVALID, "type", "This WebSocket takes send_message (and typing from an operator's panel), not %q.", m.Type)
}

// allow spends a token of the connection's budget; ETOOMANY, saying when
// to retry, when there is none.
func (s *wsSession) allow() error {
	if s.limit == nil {
		return nil
	}
	r := s.limit.Reserve()
	wait := r.Delay()
	if wait == 0 {
		return nil
	}
	r.Cancel()
	return &store.Error{Code: store.ETOOMANY, RetryAfter: wait, Message: fmt.Sprintf(
		"Too many messages: at most %d every %s on one connection. This one was not sent; retry in %d s.",
		s.budget.N, s.budget.Period, int64(wait.Seconds()+0.999))}
}

// typing tells the dialog's listeners (the widget, other panels, the
// native event streams) that an operator is typing; nothing is stored.
func (s *wsSession) typing(ctx context.Context, m wsClientMessage) error {
	if s.peer.widget {
		return store.Errorf(store.EFORBIDDEN, "Only an operator's panel sends typing; a widget's user sends send_message.")
	}
	d := s.d
	s.h.Bus.Publish(ctx, events.Event{Type: events.TypeTyping, ProjectID: d.ProjectID, DialogID: d.ID, DialogUUID: d.UUID,
		BotID: d.BotID, Queue: d.Handoff.ActiveQueue(), Operator: s.operator(m).Name})
	return nil
}

// operator is who a panel's message comes from: its operator_name, else
// the signed-in user.
func (s *wsSession) operator(m wsClientMessage) dialogs.Operator {
	op := s.peer.operator
	if name := strings.TrimSpace(m.OperatorName); name != "" {
		op.Name = name
	}
	return op
}

// work sends the queued messages into the dialog, in order, through the
// use cases the HTTP routes use; the answers come back as events.
func (s *wsSession) work(ctx context.Context, queue <-chan wsClientMessage) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-queue:
			if err := s.sendMessage(ctx, m); err != nil && ctx.Err() == nil {
				s.writeError(ctx, err)
			}
		}
	}
}

// sendMessage is the widget user's message (as POST
// /widget/v1/dialogs/{id}/messages) or the panel operator's (as POST
// /api/dialogs/{id}/messages).
func (s *wsSession) sendMessage(ctx context.Context, m wsClientMessage) error {
	if s.peer.widget {
		d, err := s.h.Dialogs.FindToTalk(ctx, s.d.ProjectID, s.d.UUID)
		if err == nil {
			_, err = s.h.Dialogs.SendMessage(ctx, d, dialogs.Message{Text: m.Text, ClientMessageID: m.ClientMessageID})
		}
		return err
	}
	d, err := s.h.Dialogs.Find(ctx, s.d.ProjectID, s.d.UUID)
	if err == nil {
		_, err = s.h.Dialogs.OperatorMessage(ctx, d, s.operator(m), m.Text)
	}
	return err
}

func (h *handlers) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}
