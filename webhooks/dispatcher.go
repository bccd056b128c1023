package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley/internal/wait"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

// Store is what a Dispatcher needs of the store: the webhooks, their
// deliveries and the event log they are made from, and the bots whose
// UUIDs Worken's events name.
type Store interface {
	store.Webhooks
	Events(ctx context.Context, projectID int64, f store.EventFilter) ([]store.Event, error)
	BotByID(ctx context.Context, projectID, id int64) (*store.Bot, error)
	DialogByID(ctx context.Context, projectID, id int64) (*store.Dialog, error)
	Channel(ctx context.Context, projectID, id int64) (*store.Channel, error)
}

// Dispatcher delivers the event log to webhooks, at least once, from the
// outbox: every worker process runs one. Each step sends each webhook whose
// stream it holds (store.ClaimStreams: one process per webhook at a time)
// the events logged after its cursor, in order, a batch at a time, and
// records the batch in one write (store.RecordStream: a delivery per
// event, the cursor raised). A process that dies mid-batch has recorded
// nothing: whoever holds the stream when its lease ends sends the batch
// again, with the same webhook-ids. Failed first attempts become pending
// deliveries, which each step claims when due (store.ClaimDeliveries, with
// the same lease) and sends again. A Temporal workflow per delivery would
// add a workflow start to every turn's events; reading the log stays off
// the turn's path and scales with the workers.
type Dispatcher struct {
	Store  Store
	Box    *secretbox.Box // opens the webhooks' sealed secrets
	Sender *Sender
	// Data renders an event as a standard webhook's delivery's `data`;
	// Worken webhooks' deliveries are Worken's (see WorkenThreadCreated).
	Data func(ev store.Event) (json.RawMessage, error)
	Log  *slog.Logger
	// Owner names this dispatcher's streams; "": a random name, chosen at
	// its first step. Two dispatchers must not share one.
	Owner string

	Now func() time.Time // nil: time.Now
	// Lease is how long a claimed stream or retry is this dispatcher's
	// (0: one minute): another process takes over once it ends. A batch
	// stops starting attempts when half of it is gone.
	Lease    time.Duration
	Batch    int                                     // events read, or retries claimed, at once; 0: 500
	Workers  int                                     // attempts made at once; 0: 4
	Schedule func(attempt int) (time.Duration, bool) // nil: NextDelay (the Standard Webhooks schedule)
	Every    time.Duration                           // how often it looks for work unwoken; 0: one second
	// Gather is how long Run waits after a step that sent something
	// before it steps again (0: 100 ms), so a busy log's events go out in
	// batches: each step's record is a write, which on SQLite queues with
	// the turns at the one writer. A step after a quiet spell starts at
	// once, so a lone event is not held back.
	Gather time.Duration

	bots  *sync.Map // bot id -> UUID, for Worken's events; made at the first step
	chats *sync.Map // dialog id -> its channel's UUID, likewise
}

// Run steps until ctx ends: at once, whenever wake has something (an event
// was logged), and every Every.
func (d *Dispatcher) Run(ctx context.Context, wake <-chan struct{}) {
	every := d.Every
	if every <= 0 {
		every = time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		n, err := d.Step(ctx)
		if err != nil && ctx.Err() == nil {
			d.log().Warn("delivering webhooks failed; trying again", "error", err)
		}
		if n > 0 && !wait.For(ctx, d.gather()) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
		}
	}
}

// Step sends the new events of the streams it holds and the retries due
// now, once; it returns how many attempts it made. Steps of one
// Dispatcher must not run at once.
func (d *Dispatcher) Step(ctx context.Context) (int, error) {
	if d.Owner == "" {
		d.Owner = rand.Text()
	}
	if d.bots == nil {
		d.bots, d.chats = &sync.Map{}, &sync.Map{}
	}
	n, err := d.stream(ctx)
	if err != nil {
		return n, err
	}
	m, err := d.sendDue(ctx)
	return n + m, err
}

// sendDue claims the retries due now and sends them, Workers at once.
func (d *Dispatcher) sendDue(ctx context.Context) (int, error) {
	due, err := d.Store.ClaimDeliveries(ctx, d.now(), d.lease(), d.batch())
	if err != nil || len(due) == 0 {
		return 0, err
	}
	targets := d.targets(ctx, due)
	results := make([]*store.AttemptResult, len(due))
	slots := make(chan struct{}, d.workers())
	var wg sync.WaitGroup
	for i, dl := range due {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			rec, err := d.send(ctx, dl, targets[dl.WebhookID])
			if err != nil && ctx.Err() == nil {
				d.log().Warn("a webhook delivery could not be attempted", "delivery", dl.ID, "error", err)
			}
			results[i] = rec
		})
	}
	wg.Wait()
	// One write for the batch: a process that dies before it has the
	// batch sent again when the leases end.
	var recs []store.AttemptResult
	for _, r := range results {
		if r != nil {
			recs = append(recs, *r)
		}
	}
	return len(due), d.Store.RecordAttempts(context.WithoutCancel(ctx), recs)
}

// target is where a batch's deliveries to one webhook go: its URL and
// opened secrets, or why they cannot be sent.
type target struct {
	url     string
	format  string
	secrets []string
	err     error
}

// targets loads each webhook of a batch once and opens its secrets once,
// however many of its deliveries the batch holds.
func (d *Dispatcher) targets(ctx context.Context, due []store.Delivery) map[int64]target {
	out := map[int64]target{}
	for _, dl := range due {
		if _, ok := out[dl.WebhookID]; ok {
			continue
		}
		w, err := d.Store.WebhookByID(ctx, dl.WebhookID)
		if err != nil {
			out[dl.WebhookID] = target{err: err}
			continue
		}
		secrets, err := d.secrets(w)
		out[dl.WebhookID] = target{url: w.URL, format: w.Format, secrets: secrets, err: err}
	}
	return out
}

// send makes one attempt at a delivery to its webhook and returns its
// outcome; nil with an error when it could not be attempted (it is claimed
// again when its lease ends).
func (d *Dispatcher) send(ctx context.Context, dl store.Delivery, to target) (*store.AttemptResult, error) {
	if to.err != nil {
		return nil, to.err
	}
	body, err := d.body(ctx, dl, d.shapeOf(to.format))
	if errors.Is(err, errNoShape) { // nothing to send, ever: the delivery fails at once
		return &store.AttemptResult{DeliveryID: dl.ID, At: d.now(), Err: err.Error()}, nil
	}
	if err != nil {
		return nil, err
	}
	res := d.Sender.Send(ctx, Attempt{URL: to.url, ID: EventID(dl.ProjectID, dl.EventSeq), Body: body, Secrets: to.secrets})
	rec := d.outcome(dl.Attempts, res)
	rec.DeliveryID = dl.ID
	return &rec, nil
}

// outcome is what attempt number attempts+1 at a delivery came to, made
// now: when to try again after a failure, if ever.
func (d *Dispatcher) outcome(attempts int, res Result) store.AttemptResult {
	at := d.now()
	rec := store.AttemptResult{At: at, Status: res.Status, Delivered: res.Delivered, Gone: res.Gone}
	if res.Err != nil {
		rec.Err = res.Err.Error()
	}
	if !res.Delivered && !res.Gone {
		if wait, ok := d.schedule(attempts + 1); ok {
			next := at.Add(max(wait, res.RetryAfter))
			rec.NextAt = &next
		}
	}
	return rec
}

// EventID is the id of a logged event in webhook bodies and the
// webhook-id header: the same for every attempt of its delivery, so a
// receiver can drop repeats.
func EventID(projectID, seq int64) string { return fmt.Sprintf("evt_%d_%d", projectID, seq) }

// secrets opens the webhook's live secrets, newest first: the previous one
// signs too until it expires.
func (d *Dispatcher) secrets(w *store.Webhook) ([]string, error) {
	current, err := d.Box.Open(w.Secret)
	if err != nil {
		return nil, fmt.Errorf("webhook %s: %w", w.UUID, err)
	}
	out := []string{current}
	if w.PreviousSecret != "" && w.PreviousUntil != nil && d.now().Before(*w.PreviousUntil) {
		previous, err := d.Box.Open(w.PreviousSecret)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: %w", w.UUID, err)
		}
		out = append(out, previous)
	}
	return out, nil
}

// body reads a delivery's event from the log and renders it in sh.
func (d *Dispatcher) body(ctx context.Context, dl store.Delivery, sh shape) ([]byte, error) {
	evs, err := d.Store.Events(ctx, dl.ProjectID, store.EventFilter{After: dl.EventSeq - 1, Limit: 1})
	if err != nil {
		return nil, err
	}
	ev := store.Event{ProjectID: dl.ProjectID, Seq: dl.EventSeq, Type: dl.EventType, CreatedAt: dl.CreatedAt}
	if len(evs) == 1 && evs[0].Seq == dl.EventSeq {
		ev = evs[0]
	} // else trimmed from the log meanwhile: the type and time are all there is left
	return d.render(ctx, sh, ev)
}

// render is the body delivering ev in sh.
func (d *Dispatcher) render(ctx context.Context, sh shape, ev store.Event) ([]byte, error) {
	typ, data, err := sh.render(ctx, ev)
	if err != nil {
		return nil, fmt.Errorf("rendering event %d: %w", ev.Seq, err)
	}
	return Body(EventID(ev.ProjectID, ev.Seq), typ, ev.CreatedAt, data)
}

func (d *Dispatcher) schedule(attempt int) (time.Duration, bool) {
	if d.Schedule != nil {
		return d.Schedule(attempt)
	}
	return NextDelay(attempt)
}

func (d *Dispatcher) lease() time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	return time.Minute
}

func (d *Dispatcher) batch() int {
	if d.Batch > 0 {
		return d.Batch
	}
	return 500
}

func (d *Dispatcher) gather() time.Duration {
	if d.Gather > 0 {
		return d.Gather
	}
	return 100 * time.Millisecond
}

func (d *Dispatcher) workers() int {
	if d.Workers > 0 {
		return d.Workers
	}
	return 4
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}
