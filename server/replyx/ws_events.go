package replyx

import (
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// WebSocket event types: the ReplyX document's, handoff_released and
// log_trimmed (Parley's), and error.
const (
	wsNewMessage       = "new_message"
	wsHandoffRequested = "handoff_requested"
	wsHandoffStarted   = "handoff_started"
	wsHandoffReleased  = "handoff_released"
	wsOperatorTyping   = "operator_typing"
	wsLogTrimmed       = "log_trimmed"
	wsError            = "error"
)

// Heartbeat texts, as the document has them: bare strings, not JSON.
const (
	pingText = "__ping__"
	pongText = "__pong__"
)

// wsEventJSON is an event as the document shows it. Seq is the event's
// place in the project's event log (see docs/replyx/websocket.md): it
// grows within a dialog, with gaps; typing is not logged and has none.
type wsEventJSON struct {
	Type          string       `json:"type"`
	DialogID      int64        `json:"dialog_id"`
	Message       *messageJSON `json:"message,omitempty"`        // new_message
	Reason        string       `json:"reason,omitempty"`         // handoff_requested, to panels only
	QueuePosition *int         `json:"queue_position,omitempty"` // handoff_requested, from 1
	Manager       *managerJSON `json:"manager,omitempty"`        // handoff_started
	OperatorName  string       `json:"operator_name,omitempty"`  // operator_typing
	FirstSeq      int64        `json:"first_seq,omitempty"`      // log_trimmed: the oldest seq kept
	Seq           int64        `json:"seq,omitempty"`
	Timestamp     time.Time    `json:"timestamp"`
}

// managerJSON is the operator who took a dialog. Parley keeps no avatars,
// so avatar is always null.
type managerJSON struct {
	ID     *int64  `json:"id"`
	Name   string  `json:"name"`
	Avatar *string `json:"avatar"`
}

// wsErrorJSON is a refused client message, in the shape of ReplyX's HTTP
// errors; the connection stays open.
type wsErrorJSON struct {
	Type      string             `json:"type"`
	Error     server.ErrorDetail `json:"error"`
	Timestamp time.Time          `json:"timestamp"`
}

// wsEventOf renders ev for peer; ok false for what the peer is not shown
// (system messages, notes, text deltas, status changes). A widget's user
// is not told the handoff's reason, which flows write for operators.
func wsEventOf(d *store.Dialog, peer wsPeer, ev events.Event) (out wsEventJSON, ok bool) {
	out = wsEventJSON{DialogID: d.Number, Seq: ev.Seq, Timestamp: ev.Time.UTC()}
	switch ev.Type {
	case events.TypeMessageCreated:
		if ev.Message == nil || senders[ev.Message.Role] == "" {
			return out, false
		}
		m := messageOf(*ev.Message)
		out.Type, out.Message = wsNewMessage, &m
	case store.EventHandoffRequested:
		position := ev.Position
		out.Type, out.QueuePosition = wsHandoffRequested, &position
		if !peer.widget && ev.Handoff != nil {
			out.Reason = ev.Handoff.Reason
		}
	case store.EventHandoffStarted:
		out.Type, out.Manager = wsHandoffStarted, managerOf(ev.Handoff)
	case store.EventHandoffReleased:
		out.Type = wsHandoffReleased
	case events.TypeTyping:
		out.Type, out.OperatorName = wsOperatorTyping, ev.Operator
	default:
		return out, false
	}
	return out, true
}

// managerOf is the operator a handoff is with. Its id is a number when
// the operator is an account (ReplyX's operator_id, or a signed-in user);
// null for a name an API key gave.
func managerOf(h *store.Handoff) *managerJSON {
	m := &managerJSON{}
	if h == nil {
		return m
	}
	m.Name = h.OperatorName
	if id, err := strconv.ParseInt(strings.TrimPrefix(h.OperatorID, "user:"), 10, 64); err == nil {
		m.ID = &id
	}
	return m
}

// wsErrorOf renders a refused client message with ReplyX's codes.
func wsErrorOf(err error) wsErrorJSON {
	e := store.ErrorOf(err)
	detail := server.ErrorDetail{Code: codes[e.Code], Message: e.Message, Details: e.Details}
	switch {
	case e.Code == store.ETOOMANY:
		detail.Details = map[string]any{"retry_after": int64(e.RetryAfter.Seconds() + 0.999)}
	case detail.Details == nil && e.Field != "":
		detail.Details = map[string]any{"field": e.Field}
	}
	return wsErrorJSON{Type: wsError, Error: detail, Timestamp: time.Now().UTC()}
}
