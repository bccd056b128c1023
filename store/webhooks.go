package store

import (
	"context"
	"slices"
	"time"
)

// Webhooks are the endpoints a project's event log is delivered to, and
// their deliveries: one per endpoint and logged event it takes, recorded
// with its first attempt (RecordStream) or queued (FanOut), and attempted
// again until delivered or out of attempts. Signing and sending are
// package webhooks'; sealing secrets is package secretbox's. It is part of
// Store.
type Webhooks interface {
	// CreateWebhook stores w, filling ID, UUID ("wh_" and 24 base62
	// characters), Status (active), Format (standard when empty), Cursor
	// (the project's last event: a new webhook hears of what happens from
	// then on), CreatedAt and UpdatedAt. EINVALID for an empty URL, Events
	// list or Secret, or an unknown Format; ENOTFOUND for no such project.
	CreateWebhook(ctx context.Context, w *Webhook) error
	// Webhook returns a project's webhook by UUID; ENOTFOUND if none.
	Webhook(ctx context.Context, projectID int64, uuid string) (*Webhook, error)
	// ListWebhooks lists a project's webhooks, oldest first.
	ListWebhooks(ctx context.Context, projectID int64) ([]Webhook, error)
	// UpdateWebhook stores w's URL, Description, Events and Status (and
	// DisabledReason when disabled; it is cleared when active; Format
	// stays as created) on the project's webhook with w's UUID, then reads
	// the whole record back into w. EINVALID as CreateWebhook, or for an unknown status;
	// ENOTFOUND if none.
	UpdateWebhook(ctx context.Context, w *Webhook) error
	// DeleteWebhook deletes a project's webhook and its deliveries;
	// ENOTFOUND if none.
	DeleteWebhook(ctx context.Context, projectID int64, uuid string) error
	// RotateWebhookSecret makes newSealed the webhook's secret and keeps
	// the one it replaces as PreviousSecret until keepOldUntil, so both
	// sign meanwhile. EINVALID for an empty secret; ENOTFOUND if none.
	RotateWebhookSecret(ctx context.Context, projectID int64, uuid, newSealed string, keepOldUntil time.Time) error

	// ClaimStreams gives owner, until now+lease, the stream of every
	// active webhook whose stream no other owner holds at now (nobody
	// did, or the lease ended), renewing the ones owner holds, and returns
	// those webhooks, by id. A dispatcher sends a webhook's events after
	// its Cursor only while it holds its stream, so two processes do not
	// both send them; when one dies mid-batch, having recorded nothing,
	// whoever claims the stream after its lease sends them again.
	ClaimStreams(ctx context.Context, owner string, now time.Time, lease time.Duration) ([]Webhook, error)
	// RecordStream stores, in one transaction, what the holder of a
	// webhook's stream did with its events up to b.Cursor: a delivery for
	// each first attempt in b.Attempts (delivered; pending, due at its
	// NextAt; or failed), the webhook's Cursor raised to b.Cursor (never
	// lowered), its stream renewed until b.Until while b.Owner holds it,
	// and the attempts' effect on the webhook as RecordAttempts has
	// (FailingSince, 410 Gone, 5 days of failures). An event that already
	// has a delivery keeps it. ENOTFOUND for no such webhook.
	RecordStream(ctx context.Context, b StreamBatch) error
	// FanOut adds, in one transaction, a pending delivery due now for
	// each of evs that the webhook takes (Takes), skipping those it has
	// already, and raises its Cursor to the greatest Seq of its project's
	// evs (never lowers it): it queues events without attempting them.
	// Run again after a crash, it repeats nothing and loses nothing.
	// ENOTFOUND for no such webhook.
	FanOut(ctx context.Context, webhookID int64, evs []Event) error
	// ClaimDeliveries returns the pending deliveries of active webhooks
	// due at now, the longest due first, at most limit (0 means 100; at
	// most 1000), and moves each one's NextAttemptAt to now+lease in the
	// same transaction: no other process claims them meanwhile, and one
	// whose sender died is claimed again when the lease ends.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// RecordAttempts stores the outcomes of attempts at deliveries (see
	// AttemptResult) in one transaction, so a dispatcher writes once per
	// batch it sent; ENOTFOUND for no such delivery, storing none.
	RecordAttempts(ctx context.Context, as []AttemptResult) error
	// Deliveries lists the deliveries of a project's webhook, newest
	// first, at most limit (0 means 100; at most 1000); ENOTFOUND for no
	// such webhook.
	Deliveries(ctx context.Context, projectID int64, webhookUUID string, limit int) ([]Delivery, error)
	// Delivery returns a project's delivery by id; ENOTFOUND if none.
	Delivery(ctx context.Context, projectID, id int64) (*Delivery, error)
	// RetryDelivery makes a project's delivery pending again, due at now,
	// keeping its attempts; ENOTFOUND if none.
	RetryDelivery(ctx context.Context, projectID, id int64, now time.Time) error

	// TrimDeliveries deletes every delivery created before before that is
	// no longer pending (delivered or failed) and returns how many it
	// deleted: deliveries are kept as long as the events they send.
	TrimDeliveries(ctx context.Context, before time.Time) (int64, error)

	// ActiveWebhooks lists every project's active webhooks, for the
	// dispatcher that fans the event log out to them.
	ActiveWebhooks(ctx context.Context) ([]Webhook, error)
	// WebhookByID returns a webhook by id, whichever its project, for the
	// dispatcher sending one of its deliveries; ENOTFOUND if none.
	WebhookByID(ctx context.Context, id int64) (*Webhook, error)
	// DialogModeBefore returns the mode a project's dialog had before its
	// event seq: the Mode of its last dialog.created, dialog.updated or
	// dialog.completed event before seq, "" when the log keeps none. The
	// dispatcher tells a Worken webhook of a mode change with it, since
	// dialog.updated also marks status changes.
	DialogModeBefore(ctx context.Context, projectID, dialogID, seq int64) (string, error)
}

// Webhook statuses.
const (
	WebhookActive   = "active"
	WebhookDisabled = "disabled"
)

// Webhook formats: how a webhook's deliveries are written. Standard is
// Parley's own event types and data; Worken is Worken's WebhookEvent (its
// event names, only the events that have one), for endpoints made through
// the Worken API.
const (
	WebhookStandard = "standard"
	WebhookWorken   = "worken"
)

// WebhookAllEvents in a webhook's Events subscribes it to every type.
const WebhookAllEvents = "*"

// WebhookGoneReason is the DisabledReason of a webhook whose endpoint
// answered 410 Gone.
const WebhookGoneReason = "the endpoint answered 410 Gone"

// A webhook whose every attempt failed for WebhookFailingFor is disabled
// with WebhookFailingReason, and webhook.disabled is logged.
const (
	WebhookFailingFor    = 5 * 24 * time.Hour
	WebhookFailingReason = "every delivery failed for 5 days"
)

// Webhook is an endpoint a project's events are delivered to.
type Webhook struct {
	ID             int64
	UUID           string // "wh_..."
	ProjectID      int64
	URL            string
	Description    string
	Events         []string // event types; ["*"] for all
	Status         string   // WebhookActive or WebhookDisabled
	DisabledReason string
	// Format is how deliveries are written: WebhookStandard (the default)
	// or WebhookWorken; set when the webhook is created, never changed.
	Format string
	// Secret is the signing secret as sealed by the caller (secretbox);
	// the store keeps what it is given.
	Secret string
	// PreviousSecret is the sealed secret Secret replaced, which still
	// signs until PreviousUntil; "" and nil when there is none.
	PreviousSecret string
	PreviousUntil  *time.Time
	// Cursor is the greatest event Seq attempted or queued: the stream
	// goes on after it.
	Cursor       int64
	FailingSince *time.Time // the first failed attempt since the last success; nil when none
	// StreamOwner holds the webhook's stream (ClaimStreams) until
	// StreamUntil; "" and nil when nobody has claimed it.
	StreamOwner string
	StreamUntil *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Takes reports whether the webhook is sent ev: an event of its project of
// a type it subscribes to (or any with "*"); a webhook.test event goes to
// the webhook its Extra's webhook_id names alone, whatever it subscribes
// to.
func (w *Webhook) Takes(ev Event) bool {
	switch {
	case ev.ProjectID != w.ProjectID:
		return false
	case ev.Type == EventWebhookTest:
		return ev.Data.Extra["webhook_id"] == w.UUID
	}
	return slices.Contains(w.Events, WebhookAllEvents) || slices.Contains(w.Events, ev.Type)
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Delivery is one event to deliver to one webhook.
type Delivery struct {
	ID            int64
	WebhookID     int64
	ProjectID     int64
	EventSeq      int64
	EventType     string
	Attempts      int
	Status        string     // DeliveryPending, DeliveryDelivered or DeliveryFailed
	NextAttemptAt *time.Time // when a pending delivery is due; nil otherwise
	LastStatus    int        // the HTTP status of the last attempt, 0 for none
	LastError     string
	DeliveredAt   *time.Time
	CreatedAt     time.Time
}

// AttemptResult is the outcome of one attempt at a delivery.
type AttemptResult struct {
	DeliveryID int64
	At         time.Time // when the attempt was made; zero for now
	Status     int       // the HTTP status, 0 for none
	Err        string
	Delivered  bool
	// NextAt is when to attempt again after a failure; nil when there
	// are no more attempts, which makes the delivery failed.
	NextAt *time.Time
	// Gone disables the webhook (WebhookGoneReason) and fails the
	// delivery: the endpoint wants no more.
	Gone bool
}

// StreamBatch is what the holder of a webhook's stream did with the
// webhook's events after its Cursor (see RecordStream).
type StreamBatch struct {
	WebhookID int64
	Owner     string    // the stream's holder, as it claimed it
	Cursor    int64     // the greatest event Seq the batch went through
	Until     time.Time // the stream's lease, renewed
	Attempts  []StreamAttempt
}

// StreamAttempt is the first attempt at delivering one logged event; its
// DeliveryID is unused (the delivery is made by recording it).
type StreamAttempt struct {
	EventSeq  int64
	EventType string
	AttemptResult
}
