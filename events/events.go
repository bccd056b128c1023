// Package events is Parley's event bus: what happens in dialogs (text a
// model is generating, stored messages, state changes), published by the
// worker and the dialogs service after the store has it, and read by
// streaming clients (SSE, WebSocket).
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
	// TypeMessageCreated is a message the store now holds.
	TypeMessageCreated = "message.created"
	// TypeDialogUpdated is a dialog's new status and mode, once stored.
	TypeDialogUpdated = "dialog.updated"
)

// Event is one thing that happened in a dialog. The JSON form is what a
// bus between processes carries; HTTP dialects render their own shapes.
type Event struct {
	Type       string `json:"type"`
	ProjectID  int64  `json:"project_id"`
	DialogID   int64  `json:"dialog_id"`
	DialogUUID string `json:"dialog_uuid,omitempty"` // when the publisher knows it

	Node    string `json:"node,omitempty"`    // text-delta
	Attempt int    `json:"attempt,omitempty"` // text-delta: the activity attempt, from 1
	Delta   string `json:"delta,omitempty"`   // text-delta

	Message *store.Message `json:"message,omitempty"` // message.created

	Status string `json:"status,omitempty"` // dialog.updated
	Mode   string `json:"mode,omitempty"`   // dialog.updated

	// Lost counts the events this subscriber missed just before this
	// one because it read too slowly; set by the bus on delivery.
	Lost int64 `json:"lost,omitempty"`

	Time time.Time `json:"time"`
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

// PublishMessages announces stored messages, one message.created each.
// A nil bus publishes nothing.
func PublishMessages(ctx context.Context, bus Bus, projectID int64, dialogUUID string, msgs []store.Message) {
	if bus == nil {
		return
	}
	for i := range msgs {
		m := msgs[i]
		bus.Publish(ctx, Event{Type: TypeMessageCreated, ProjectID: projectID, DialogID: m.DialogID,
			DialogUUID: dialogUUID, Message: &m})
	}
}

// PublishState announces a dialog's stored status and mode. A nil bus or
// state publishes nothing.
func PublishState(ctx context.Context, bus Bus, projectID int64, dialogUUID string, s *store.DialogState) {
	if bus == nil || s == nil {
		return
	}
	bus.Publish(ctx, Event{Type: TypeDialogUpdated, ProjectID: projectID, DialogID: s.DialogID,
		DialogUUID: dialogUUID, Status: s.Status, Mode: s.Mode})
}
