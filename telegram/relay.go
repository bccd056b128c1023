package telegram

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
// the integration's cursor: at least once, each chat's in order, paced
// per chat (see pacer) so a busy chat holds up no other. The cursor moves
// past every event before the oldest one still being sent. It returns
// when ctx ends, or errStop when Telegram refuses the token.
func (ch *Channel) relay(ctx context.Context, in *store.Integration, token string, bus events.Bus) error {
	ctx, cancel := context.WithCancel(ctx)
	p := newPacer(ch.ChatInterval)
	defer p.wait()
	defer cancel() // runs first: the chats' senders stop, then p.wait returns
	var wake <-chan events.Event
	if bus != nil {
		var stop func()
		wake, stop = bus.Subscribe(ctx, in.ProjectID, 0)
		defer stop()
	}
	r := &relayer{ch: ch, in: in, client: ch.Client(token), pacer: p, read: in.OutSeq, saved: in.OutSeq, dialogs: map[int64]target{}}
	tick := time.NewTicker(relayEvery)
	defer tick.Stop()
	for {
		if err := r.batch(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case res := <-p.done:
			if err := r.finish(ctx, res); err != nil {
				return err
			}
		case <-tick.C:
		case _, open := <-wake:
			if !open {
				wake = nil
			}
		}
	}
}

// maxInFlight bounds the events read and not yet sent.
const maxInFlight = 1000

type relayer struct {
	ch       *Channel
	in       *store.Integration
	client   *Client
	pacer    *pacer
	read     int64            // the last event read
	saved    int64            // the cursor as stored
	inflight []int64          // the events being sent, oldest first
	dialogs  map[int64]target // by dialog id
}

// target is where a dialog's replies go: its Telegram chat, or nowhere.
type target struct {
	chatID string
	ours   bool
}

// batch hands the events logged after those read to the pacer, a page at
// a time, and moves the cursor past those it has nothing to send for.
func (r *relayer) batch(ctx context.Context) error {
	for len(r.inflight) < maxInFlight {
		evs, err := r.ch.Store.Events(ctx, r.in.ProjectID, store.EventFilter{After: r.read, Types: []string{store.EventMessageCreated}, Limit: 100})
		if err != nil || len(evs) == 0 {
			return err
		}
		for _, ev := range evs {
			to, err := r.relayed(ctx, ev)
			if err != nil {
				return err
			}
			if to != "" {
				r.inflight = append(r.inflight, ev.Seq)
				m := ev.Data.Message
				r.pacer.add(ctx, to, job{seq: ev.Seq, run: func(ctx context.Context, pace func(context.Context) error) error {
					return r.send(ctx, pace, to, m)
				}})
			}
			r.read = ev.Seq
		}
		if err := r.save(ctx); err != nil {
			return err
		}
	}
	return nil
}

// finish takes a job's outcome: the relay stops on an error, else the
// cursor moves on.
func (r *relayer) finish(ctx context.Context, res result) error {
	if res.err != nil {
		return res.err
	}
	if i := slices.Index(r.inflight, res.seq); i >= 0 {
		r.inflight = slices.Delete(r.inflight, i, i+1)
	}
	return r.save(ctx)
}

// save stores the cursor: past every event read, or up to the oldest one
// being sent.
func (r *relayer) save(ctx context.Context) error {
	cursor := r.read
	if len(r.inflight) > 0 {
		cursor = r.inflight[0] - 1
	}
	if cursor <= r.saved {
		return nil
	}
	if err := r.ch.Store.SetIntegrationOutSeq(ctx, r.in.ProjectID, r.in.ID, cursor); err != nil {
		return err
	}
	r.saved = cursor
	return nil
}

// relayed is the chat an event's message goes to: a reply in one of the
// integration's chats; "" for any other event.
func (r *relayer) relayed(ctx context.Context, ev store.Event) (string, error) {
	m := ev.Data.Message
	if m == nil || (m.Role != store.MessageAssistant && m.Role != store.MessageOperator) || ev.DialogID == 0 {
		return "", nil
	}
	if m.Text == "" && len(m.Buttons) == 0 && len(m.Files) == 0 {
		return "", nil
	}
	to, err := r.target(ctx, ev)
	if err != nil || !to.ours {
		return "", err
	}
	return to.chatID, nil
}

// send sends a message to its chat: a single file with the text as its
// caption (when it fits), else the text with its buttons, then the files.
func (r *relayer) send(ctx context.Context, pace func(context.Context) error, chatID string, m *store.Message) error {
	markup := Keyboard(m.Buttons)
	files := m.Files
	if len(files) == 1 && fits(m.Text) {
		return r.sendFile(ctx, pace, chatID, files[0], m.Text, markup)
	}
	if m.Text != "" || markup != nil {
		text := m.Text
		if text == "" {
			text = "…" // Telegram sends no message without text
		}
		err := r.call(ctx, pace, chatID, func(c *Client) error { return c.SendMessage(ctx, chatID, text, markup) })
		if err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := r.sendFile(ctx, pace, chatID, f, "", nil); err != nil {
			return err
		}
	}
	return nil
}

// call makes one send to a chat in its turn, waiting out Telegram's 429s.
// A chat Telegram refuses (the user blocked the bot) is passed over.
func (r *relayer) call(ctx context.Context, pace func(context.Context) error, chatID string, send func(*Client) error) error {
	for {
		if err := pace(ctx); err != nil {
			return err
		}
		err := send(r.client)
		var api *APIError
		switch {
		case err == nil:
			return nil
		case IsUnauthorized(err):
			r.ch.AuthLost(ctx, r.in, err)
			return errStop
		case errors.As(err, &api) && api.Code == 429:
			if err := sleep(ctx, max(api.RetryAfter, time.Second)); err != nil {
				return err
			}
		case errors.As(err, &api) && api.Code >= 400 && api.Code < 500:
			r.ch.log().Warn("telegram refused a reply", "integration", r.in.UUID, "chat", chatID, "error", err)
			return nil
		default:
			return fmt.Errorf("relaying a reply to chat %s: %w", chatID, err)
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
