package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/parleyhq/parley/store"
)

// Worken's webhook event types (its WebhookEvent.type), each made from the
// logged events named beside it. A webhook whose Format is store.WebhookWorken
// is sent only these; Parley's other events have no Worken name.
const (
	WorkenThreadCreated  = "thread.created"         // dialog.created
	WorkenMessageCreated = "thread.message.created" // message.created: the user's, the bot's and operators' messages
	WorkenModeChanged    = "thread.mode.changed"    // dialog.updated, when the mode changed
	WorkenAuthLost       = "integration.auth_lost"  // integration.auth_lost, its data as logged
	WorkenBalanceLow     = "billing.balance.low"    // billing.balance.low, its data as logged
)

// errNoShape is a delivery of an event Worken has no name for: it is not
// sent (only a delivery queued before the webhook's format was known to
// the dispatcher could be one).
var errNoShape = errors.New("the event has no Worken webhook type, so it is not sent to a Worken endpoint")

// shape writes one webhook's deliveries, as its Format says.
type shape interface {
	// sends reports whether ev is sent to the webhook at all. A stream
	// asks of its events in Seq order, one at a time; an error means it
	// cannot tell yet, and the stream stops before ev.
	sends(ctx context.Context, ev store.Event) (bool, error)
	// render returns the type and data of ev's delivery; safe for
	// concurrent use.
	render(ctx context.Context, ev store.Event) (typ string, data json.RawMessage, err error)
}

// shapeOf is the shape of a webhook of format. A stream takes a new one per
// batch, since a Worken shape remembers the modes the batch went through.
func (d *Dispatcher) shapeOf(format string) shape {
	if format == store.WebhookWorken {
		return &workenShape{d: d, modes: map[int64]string{}}
	}
	return standardShape{d: d}
}

// standardShape is Parley's own: every event, its type, Dispatcher.Data.
type standardShape struct{ d *Dispatcher }

func (standardShape) sends(context.Context, store.Event) (bool, error) { return true, nil }

func (s standardShape) render(_ context.Context, ev store.Event) (string, json.RawMessage, error) {
	data, err := s.d.Data(ev)
	return ev.Type, data, err
}

// workenShape is Worken's WebhookEvent. modes holds each dialog's mode as
// of the last event sends saw of it, so that a dialog.updated that changed
// only the status is not told as a mode change.
type workenShape struct {
	d     *Dispatcher
	modes map[int64]string
}

// Parley event types Worken has events of under the same name, logged
// with their data in Extra (store.EventIntegrationAuthLost and
// store.EventBillingBalanceLow, written out here so this package does not
// wait on the packages that log them).
const (
	eventAuthLost   = "integration.auth_lost"
	eventBalanceLow = "billing.balance.low"
)

// workenRoles are the Worken roles of the message roles sent: an operator
// writes as the assistant; system messages are not sent.
var workenRoles = map[string]string{
	store.MessageUser:      "user",
	store.MessageAssistant: "assistant",
	store.MessageOperator:  "assistant",
}

func (s *workenShape) sends(ctx context.Context, ev store.Event) (bool, error) {
	switch ev.Type {
	case store.EventDialogCreated:
		s.modes[ev.DialogID] = ev.Data.Mode
		return true, nil
	case store.EventMessageCreated:
		return ev.Data.Message != nil && workenRoles[ev.Data.Message.Role] != "", nil
	case store.EventDialogCompleted:
		s.modes[ev.DialogID] = ev.Data.Mode
		return false, nil
	case store.EventDialogUpdated:
		before, ok := s.modes[ev.DialogID]
		if !ok {
			var err error
			if before, err = s.d.Store.DialogModeBefore(ctx, ev.ProjectID, ev.DialogID, ev.Seq); err != nil {
				return false, err
			}
		}
		if before == "" { // the log no longer has how it started: as every dialog does
			before = store.ModeAuto
		}
		s.modes[ev.DialogID] = ev.Data.Mode
		return ev.Data.Mode != before, nil
	case eventAuthLost, eventBalanceLow:
		return true, nil
	}
	return false, nil
}

// threadData is what a thread event's data has: the thread (the dialog's
// UUID), its bot and the chat it came through (their UUIDs; left out when
// not found).
type threadData struct {
	ThreadID string `json:"thread_id"`
	BotID    string `json:"bot_id,omitempty"`
	ChatID   string `json:"chat_id,omitempty"`
}

// workenMessage is Worken's Message.
type workenMessage struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	Content   string `json:"content"`
	CreatedAt string `json:"created_at"`
}

func (s *workenShape) render(ctx context.Context, ev store.Event) (string, json.RawMessage, error) {
	var typ string
	var data any
	switch ev.Type {
	case eventAuthLost, eventBalanceLow:
		extra := ev.Data.Extra
		if extra == nil {
			extra = map[string]any{}
		}
		out, err := json.Marshal(extra)
		return ev.Type, out, err
	case store.EventDialogCreated:
		typ = WorkenThreadCreated
	case store.EventMessageCreated:
		typ = WorkenMessageCreated
	case store.EventDialogUpdated:
		typ = WorkenModeChanged
	default:
		return "", nil, errNoShape
	}
	thread, err := s.thread(ctx, ev)
	if err != nil {
		return "", nil, err
	}
	switch ev.Type {
	case store.EventDialogCreated:
		data = struct {
			threadData
			Mode      string `json:"mode,omitempty"`
			CreatedAt string `json:"created_at"`
		}{thread, ev.Data.Mode, stamp(ev.CreatedAt)}
	case store.EventMessageCreated:
		data = struct {
			threadData
			Message *workenMessage `json:"message,omitempty"`
		}{thread, messageOf(ev.Data.Message)}
	case store.EventDialogUpdated:
		data = struct {
			threadData
			Mode string `json:"mode,omitempty"`
		}{thread, ev.Data.Mode}
	}
	out, err := json.Marshal(data)
	return typ, out, err
}

// thread is the thread part of ev's data.
func (s *workenShape) thread(ctx context.Context, ev store.Event) (threadData, error) {
	bot, err := s.d.botUUID(ctx, ev.ProjectID, ev.BotID)
	if err != nil {
		return threadData{}, err
	}
	chat, err := s.d.chatUUID(ctx, ev.ProjectID, ev.DialogID)
	return threadData{ThreadID: ev.DialogUUID, BotID: bot, ChatID: chat}, err
}

// messageOf is m as Worken's Message; nil for none (an event the log no
// longer has).
func messageOf(m *store.Message) *workenMessage {
	if m == nil {
		return nil
	}
	return &workenMessage{ID: m.ID, Role: workenRoles[m.Role], Content: m.Text, CreatedAt: stamp(m.CreatedAt)}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// botUUID is the UUID of a project's bot, looked up once per process: a
// bot's UUID never changes. "" for no bot, or one the store does not have.
func (d *Dispatcher) botUUID(ctx context.Context, projectID, botID int64) (string, error) {
	if botID == 0 {
		return "", nil
	}
	if uuid, ok := d.bots.Load(botID); ok {
		return uuid.(string), nil
	}
	b, err := d.Store.BotByID(ctx, projectID, botID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	d.bots.Store(botID, b.UUID)
	return b.UUID, nil
}

// chatUUID is the UUID of the channel (Worken's chat) a project's dialog
// came through, looked up once per process: a dialog's channel never
// changes. "" for none (a dialog made before channels were kept, or gone).
func (d *Dispatcher) chatUUID(ctx context.Context, projectID, dialogID int64) (string, error) {
	if dialogID == 0 {
		return "", nil
	}
	if uuid, ok := d.chats.Load(dialogID); ok {
		return uuid.(string), nil
	}
	dlg, err := d.Store.DialogByID(ctx, projectID, dialogID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	uuid := ""
	if dlg.ChannelID != 0 {
		ch, err := d.Store.Channel(ctx, projectID, dlg.ChannelID)
		if err != nil && store.ErrorCode(err) != store.ENOTFOUND {
			return "", err
		}
		if err == nil {
			uuid = ch.UUID
		}
	}
	d.chats.Store(dialogID, uuid)
	return uuid, nil
}
