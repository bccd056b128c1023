package telegram

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/store"
)

// relayEvery is how often the relay reads the event log when no bus wakes
// it sooner.
const relayEvery = time.Second

// errStop ends an integration's loop: it was deleted, disabled, or its
// token refused.
var errStop = errors.New("integration stopped")

// relay sends the replies in the integration's chats (bots' and
// operators' messages) to Telegram from the project's event log, after
// the integration's cursor, moving it past each one sent: at least once,
// in order. It returns when ctx ends, or errStop when Telegram refuses
// the token.
func (ch *Channel) relay(ctx context.Context, in *store.Integration, token string, bus events.Bus) error {
	var wake <-chan events.Event
	if bus != nil {
		var stop func()
		wake, stop = bus.Subscribe(ctx, in.ProjectID, 0)
		defer stop()
	}
	r := &relayer{ch: ch, in: in, client: ch.Client(token), cursor: in.OutSeq, dialogs: map[int64]target{}}
	tick := time.NewTicker(relayEvery)
	defer tick.Stop()
	for {
		if err := r.batch(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		case _, open := <-wake:
			if !open {
				wake = nil
			}
		}
	}
}

type relayer struct {
	ch      *Channel
	in      *store.Integration
	client  *Client
	cursor  int64
	dialogs map[int64]target // by dialog id
}

// target is where a dialog's replies go: its Telegram chat, or nowhere.
type target struct {
	chatID string
	ours   bool
}

// batch relays the events logged after the cursor, a page at a time.
func (r *relayer) batch(ctx context.Context) error {
	for {
		evs, err := r.ch.Store.Events(ctx, r.in.ProjectID, store.EventFilter{After: r.cursor, Types: []string{store.EventMessageCreated}, Limit: 100})
		if err != nil || len(evs) == 0 {
			return err
		}
		for _, ev := range evs {
			if err := r.one(ctx, ev); err != nil {
				return err
			}
			if err := r.ch.Store.SetIntegrationOutSeq(ctx, r.in.ProjectID, r.in.ID, ev.Seq); err != nil {
				return err
			}
			r.cursor = ev.Seq
		}
	}
}

// one sends an event's message if it is a reply in one of the
// integration's chats, waiting out Telegram's 429s.
func (r *relayer) one(ctx context.Context, ev store.Event) error {
	m := ev.Data.Message
	if m == nil || (m.Role != store.MessageAssistant && m.Role != store.MessageOperator) || ev.DialogID == 0 {
		return nil
	}
	if m.Text == "" && len(m.Buttons) == 0 {
		return nil // files only: not relayed yet
	}
	to, err := r.target(ctx, ev)
	if err != nil || !to.ours {
		return err
	}
	text := m.Text
	if text == "" {
		text = "…" // Telegram sends no message without text
	}
	for {
		err := r.client.SendMessage(ctx, to.chatID, text, Keyboard(m.Buttons))
		var api *APIError
		switch {
		case err == nil:
			return nil
		case IsUnauthorized(err):
			r.ch.AuthLost(ctx, r.in, err)
			return errStop
		case errors.As(err, &api) && api.Code == 429:
			wait := max(api.RetryAfter, time.Second)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		case errors.As(err, &api) && api.Code >= 400 && api.Code < 500:
			// The user blocked the bot, or the chat is gone: nothing to retry.
			r.ch.log().Warn("telegram refused a reply", "integration", r.in.UUID, "chat", to.chatID, "error", err)
			return nil
		default:
			return fmt.Errorf("relaying message %s: %w", m.ID, err)
		}
	}
}

// target is where a dialog's replies go, read once per dialog.
func (r *relayer) target(ctx context.Context, ev store.Event) (target, error) {
	if t, ok := r.dialogs[ev.DialogID]; ok {
		return t, nil
	}
	d, err := r.ch.Store.Dialog(ctx, r.in.ProjectID, ev.DialogUUID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return target{}, nil
	}
	if err != nil {
		return target{}, err
	}
	t := target{chatID: d.ExternalID}
	if d.ChannelID != 0 && d.ExternalID != "" {
		c, err := r.ch.Store.Channel(ctx, r.in.ProjectID, d.ChannelID)
		if err != nil && store.ErrorCode(err) != store.ENOTFOUND {
			return target{}, err
		}
		t.ours = c != nil && c.IntegrationID == r.in.ID
	}
	r.dialogs[ev.DialogID] = t
	return t, nil
}
