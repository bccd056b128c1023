package engine

import (
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// Double texting: a user who sends another message while the bot is still
// answering the one before. The bot's settings.concurrency chooses:
// queue (each message is a turn of its own, in order: the dialog's mutex),
// reject (refused while a turn runs: validateMessage) or debounce
// (messages that come within a window of each other are one turn).

// batch gathers the messages of a debouncing dialog until none came for
// the window; its first message's handler then runs the turn that takes
// them all. The others' handlers return at once: Temporal runs a few
// updates of a workflow at a time (10 by default), so a handler that
// waited for the batch would hold back the very messages it waits for.
type batch struct {
	messages []MessageInput
	last     time.Time // when the latest message came
}

// concurrency is the bot's settings.concurrency (the bot may change on a
// goto into another bot, so it is read each time).
func (d *dialog) concurrency() nodes.Concurrency {
	return nodes.ConcurrencyOf(d.flow)
}

// rejectsWhileBusy reports whether a message must be refused now: the bot
// rejects double texts and a turn is running.
func (d *dialog) rejectsWhileBusy(in MessageInput) bool {
	return d.busy && in.At == nil && d.concurrency().Mode == nodes.ConcurrencyReject
}

// debounces reports whether a message joins a batch rather than being a
// turn of its own. Files, scheduled and unanswered messages are not
// gathered.
func (d *dialog) debounces(in MessageInput) bool {
	return in.At == nil && in.File == nil && !in.Unanswered && d.concurrency().Mode == nodes.ConcurrencyDebounce
}

// debounced adds in to the gathering batch and returns a turn without a
// reply (the batch's first message's caller gets the reply, streams and
// webhooks everyone), or starts a batch, waits until no message came for
// the window, and returns the batch's turn.
func (d *dialog) debounced(ctx workflow.Context, in MessageInput) (TurnResult, error) {
	now := workflow.Now(ctx)
	if b := d.batch; b != nil {
		b.messages, b.last = append(b.messages, in), now
		return d.locked(ctx, func(*turn) {}) // the dialog as it is: nothing said yet
	}
	b := &batch{messages: []MessageInput{in}, last: now}
	d.batch = b
	window := d.concurrency().Window
	for {
		wait := b.last.Add(window).Sub(workflow.Now(ctx))
		if wait <= 0 {
			break
		}
		if err := workflow.Sleep(ctx, wait); err != nil {
			d.batch = nil
			return TurnResult{}, err
		}
	}
	d.batch = nil // a message from now on starts the next batch
	return d.locked(ctx, func(t *turn) { d.userMessages(t, b.messages) })
}

// userMessages takes a batch's messages as one turn: each is kept in the
// transcript as it was sent, and the bot answers their lines together.
func (d *dialog) userMessages(t *turn, ins []MessageInput) {
	if d.s.Mode == store.ModeBlocked {
		return
	}
	texts := make([]string, len(ins))
	for i, in := range ins {
		texts[i] = in.Text
	}
	for _, in := range ins[:len(ins)-1] {
		d.recordUserMessage(t, in)
	}
	last := ins[len(ins)-1]
	last.Text = strings.Join(texts, "\n")
	d.userMessageAs(t, last, ins[len(ins)-1].Text)
}
