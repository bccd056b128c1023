package store

import (
	"context"
	"time"
)

// EventLog is the durable log of what happened in a project's dialogs: a
// transactional outbox. The store writes an event row in the same
// transaction as the change it describes (CreateDialog, SaveTurn and the
// writes that are parts of it), so there is never an event for a change
// that was not stored, nor a stored change without its events, however
// often a change is retried. Streams resume from it and webhooks are
// delivered from it. It is part of Store.
type EventLog interface {
	// Events lists a project's logged events with Seq greater than
	// f.After, in Seq order, at most f.Limit (0 means 100; at most 1000).
	Events(ctx context.Context, projectID int64, f EventFilter) ([]Event, error)
	// FirstEventSeq returns the Seq of the project's oldest event still
	// kept, or the next Seq to come when the log is empty, so that a
	// reader who resumes from before it knows events were trimmed.
	FirstEventSeq(ctx context.Context, projectID int64) (int64, error)
	// LogEvents appends events that describe no stored change of a dialog
	// (webhook.test, an endpoint disabled), setting their Seq and
	// CreatedAt. ENOTFOUND if a project does not exist.
	LogEvents(ctx context.Context, evs []Event) error
	// TrimEvents deletes every project's events created before before and
	// returns how many it deleted.
	TrimEvents(ctx context.Context, before time.Time) (int64, error)
	// OnEvents registers fn, which the store calls after every commit that
	// logged events, with those events (Seq and CreatedAt set), in Seq
	// order per project. It is how a process announces events on its bus
	// at once; fn must not block. Register before the store is used.
	OnEvents(fn func(ctx context.Context, evs []Event))
}

// Event types. Text deltas and typing are not logged: they are the bus's
// alone (package events).
const (
	EventDialogCreated    = "dialog.created"
	EventDialogUpdated    = "dialog.updated"   // status or mode changed
	EventDialogCompleted  = "dialog.completed" // the dialog ended as completed
	EventMessageCreated   = "message.created"
	EventDialogPending    = "dialog.pending" // user messages waiting for an operator
	EventHandoffRequested = "handoff.requested"
	EventHandoffStarted   = "handoff.started"
	EventHandoffReleased  = "handoff.released"
	EventNoteCreated      = "note.created" // for operators: never shown to the user
	EventWebhookDisabled  = "webhook.disabled"
	EventWebhookTest      = "webhook.test" // to the webhook its Extra's webhook_id names, alone

	// EventBillingBalanceLow: a charge took a project's balance below the
	// low-balance threshold; of no dialog, its Extra has credits, bonus,
	// balance and threshold.
	EventBillingBalanceLow = "billing.balance.low"

	// EventIntegrationAuthLost: a platform refused an integration's
	// credentials and it is now in error; of no dialog, its Extra has
	// integration_id (the UUID), vendor and reason.
	EventIntegrationAuthLost = "integration.auth_lost"
)

// Event is one logged event. Seq numbers a project's events from 1, in the
// order their transactions committed.
type Event struct {
	ProjectID  int64
	Seq        int64
	Type       string
	DialogID   int64  // 0 for an event of no dialog
	DialogUUID string // the dialog's UUID, "" for none
	BotID      int64  // the dialog's bot, 0 for none
	Queue      string // the dialog's handoff queue, "" for none
	Data       EventData
	CreatedAt  time.Time
}

// EventData is what an event says, by type: message.created has Message,
// note.created Note;
// dialog.created, dialog.updated and dialog.completed have Status and
// Mode; dialog.pending has Pending; the handoff events have Handoff (and
// handoff.requested its Position in the queue, from 1). Other types (a
// webhook test) carry Extra.
type EventData struct {
	Message  *Message       `json:"message,omitempty"`
	Note     *Note          `json:"note,omitempty"`
	Status   string         `json:"status,omitempty"`
	Mode     string         `json:"mode,omitempty"`
	Pending  *int           `json:"pending,omitempty"`
	Handoff  *Handoff       `json:"handoff,omitempty"`
	Position int            `json:"position,omitempty"`
	Extra    map[string]any `json:"extra,omitempty"`
}

// EventFilter selects logged events. Zero fields do not filter.
type EventFilter struct {
	After    int64    // only events with a greater Seq
	Types    []string // only these types
	DialogID int64
	BotID    int64
	Queue    string
	Limit    int // 0 means 100; at most 1000
}
