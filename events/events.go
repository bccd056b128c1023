// Package events is Parley's event bus: what happens in dialogs (text a
// model is generating, stored messages, state changes, handoffs), read by
// streaming clients (SSE, WebSocket). Events of stored changes come from
// the store's event log (store.EventLog) as their transactions commit
// (Announce) and carry their log Seq; text deltas and typing are the
// bus's alone.
package events

import (
	"context"
	"time"

	"github.com/parleyhq/parley/store"
)

// Event types.
const (
	// TypeTextDelta is a piece of a model's reply while it is generated;
	// Node says which llm node asks, Attempt which try of the call (a
	// retry starts the text over).
	TypeTextDelta = "text-delta"
	// TypeToolCall is a tool a model called, about to run; TypeToolResult
	// what it gave back. Tool says which; never stored (the model's
	// answer after them is).
	TypeToolCall   = "tool-call"
	TypeToolResult = "tool-result"
	// TypeTyping is an operator typing in a dialog; never stored.
	TypeTyping = "typing"
	// TypeMessageCreated is a message the store now holds.
	TypeMessageCreated = store.EventMessageCreated
	// TypeDialogUpdated is a dialog's new status and mode, once stored.
	TypeDialogUpdated = store.EventDialogUpdated
)

// Event is one thing that happened in a dialog. The JSON form is what a
// bus between processes carries; HTTP dialects render their own shapes.
type Event struct {
	Type       string `json:"type"`
	ProjectID  int64  `json:"project_id"`
	DialogID   int64  `json:"dialog_id"`
	DialogUUID string `json:"dialog_uuid,omitempty"` // when the publisher knows it
	// Seq is the event's number in the project's event log; 0 for an
	// event that is not logged (text-delta, typing).
	Seq   int64  `json:"seq,omitempty"`
	BotID int64  `json:"bot_id,omitempty"`
	Queue string `json:"queue,omitempty"` // the dialog's handoff queue, if it is in one

	Operator string `json:"operator,omitempty"` // typing: who types

	Node    string `json:"node,omitempty"`    // text-delta
	Attempt int    `json:"attempt,omitempty"` // text-delta: the activity attempt, from 1
	Delta   string `json:"delta,omitempty"`   // text-delta

	Tool *ToolCall `json:"tool,omitempty"` // tool-call, tool-result

	Message *store.Message `json:"message,omitempty"` // message.created
	Note    *store.Note    `json:"note,omitempty"`    // note.created

	Status   string         `json:"status,omitempty"`   // dialog.created, dialog.updated, dialog.completed
	Mode     string         `json:"mode,omitempty"`     // dialog.created, dialog.updated, dialog.completed
	Pending  *int           `json:"pending,omitempty"`  // dialog.pending
	Handoff  *store.Handoff `json:"handoff,omitempty"`  // handoff.*
	Position int            `json:"position,omitempty"` // handoff.requested: its place in the queue, from 1
	Extra    map[string]any `json:"extra,omitempty"`    // other logged types

	// Lost counts the events this subscriber missed just before this
	// one because it read too slowly; set by the bus on delivery.
	Lost int64 `json:"lost,omitempty"`

	Time time.Time `json:"time"`
}

// ToolCall is a model's call of a tool, and once it ran, its result.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON, as the model wrote it
	Result    string `json:"result,omitempty"`
}

// Bus carries events from publishers to subscribers.
//
// Delivery is best effort: Publish never blocks on a subscriber, and a
// subscriber that falls behind loses events (counted in Event.Lost of the
// next one it gets). The same message may be announced twice (the dialogs
// service and the worker both store turns, idempotently); readers dedupe
// message.created by Message.ID.
type Bus interface {
	// Publish sends ev to the subscribers of its dialog and project. A
	// zero Time is set to now.
	Publish(ctx context.Context, ev Event)
	// Subscribe returns the events of one dialog of a project, or of all
	// its dialogs when dialogID is 0. The channel is closed when ctx ends
	// or stop is called (stop may be called more than once); stop frees
	// the subscription.
	Subscribe(ctx context.Context, projectID, dialogID int64) (events <-chan Event, stop func())
}

// FromLog is the bus's form of a logged event.
func FromLog(ev store.Event) Event {
	d := ev.Data
	return Event{Type: ev.Type, ProjectID: ev.ProjectID, DialogID: ev.DialogID, DialogUUID: ev.DialogUUID,
		Seq: ev.Seq, BotID: ev.BotID, Queue: ev.Queue, Message: d.Message, Note: d.Note, Status: d.Status, Mode: d.Mode,
		Pending: d.Pending, Handoff: d.Handoff, Position: d.Position, Extra: d.Extra, Time: ev.CreatedAt}
}

// Announce returns the function a store calls with the events each of its
// commits logged (store.EventLog's OnEvents): it publishes them on bus, so
// streams hear of a change the moment it is stored, from whichever
// process stored it. A nil bus announces nothing.
func Announce(bus Bus) func(ctx context.Context, evs []store.Event) {
	return func(ctx context.Context, evs []store.Event) {
		if bus == nil {
			return
		}
		for _, ev := range evs {
			bus.Publish(context.WithoutCancel(ctx), FromLog(ev))
		}
	}
}
