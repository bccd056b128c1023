package webhooks

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/parleyhq/parley/store"
)

// stream sends each webhook whose stream the dispatcher holds the events
// logged after its cursor, a batch each; it returns how many attempts it
// made. A webhook whose secrets cannot be opened is skipped (and logged),
// and one that fails does not stop the others.
func (d *Dispatcher) stream(ctx context.Context) (int, error) {
	ws, err := d.Store.ActiveWebhooks(ctx)
	if err != nil {
		return 0, err
	}
	held, err := d.hold(ctx, ws)
	if err != nil {
		return 0, err
	}
	n, errs := 0, []error(nil)
	for _, w := range held { // one webhook's failure does not hold up the others
		k, err := d.streamOne(ctx, w)
		n += k
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// hold returns the webhooks of ws whose streams the dispatcher holds. It
// claims streams (one write) only when one is free or one of its own has
// less than half its lease left; otherwise each recorded batch renews its
// stream.
func (d *Dispatcher) hold(ctx context.Context, ws []store.Webhook) ([]store.Webhook, error) {
	now, lease := d.now(), d.lease()
	var held []store.Webhook
	claim := false
	for _, w := range ws {
		free := w.StreamUntil == nil || !w.StreamUntil.After(now)
		mine := !free && w.StreamOwner == d.Owner
		if mine {
			held = append(held, w)
		}
		claim = claim || free || (mine && w.StreamUntil.Before(now.Add(lease/2)))
	}
	if !claim {
		return held, nil
	}
	return d.Store.ClaimStreams(ctx, d.Owner, now, lease)
}

// streamOne sends a webhook the next batch of its events and records it.
func (d *Dispatcher) streamOne(ctx context.Context, w store.Webhook) (int, error) {
	evs, err := d.Store.Events(ctx, w.ProjectID, store.EventFilter{After: w.Cursor, Limit: d.batch()})
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	secrets, err := d.secrets(&w)
	if err != nil {
		d.log().Warn("a webhook's secret cannot be opened; its events wait", "webhook", w.UUID, "error", err)
		return 0, nil
	}
	b := d.sendBatch(ctx, w, secrets, evs)
	if b.Cursor == w.Cursor {
		return 0, nil // stopped before the first: nothing to record
	}
	b.Until = d.now().Add(d.lease())
	// Recorded even when ctx has ended: what was sent need not be sent again.
	return len(b.Attempts), d.Store.RecordStream(context.WithoutCancel(ctx), b)
}

// sendBatch makes the first attempt at each of evs (in Seq order) that w
// takes and its format sends, in order, Workers at once, and returns the
// batch to record: the attempts at the longest run of evs that went, and
// the Seq it reached.
// It stops starting attempts when half the lease is gone (the stream
// would be another's), after a 410 Gone (the endpoint wants no more) and
// when ctx ends; an attempt cut short by ctx is not recorded, so it is
// made again after the lease.
func (d *Dispatcher) sendBatch(ctx context.Context, w store.Webhook, secrets []string, evs []store.Event) store.StreamBatch {
	deadline := d.now().Add(d.lease() / 2)
	results := make([]*store.AttemptResult, len(evs))
	started := len(evs)
	var gone atomic.Bool
	sh := d.shapeOf(w.Format)
	slots := make(chan struct{}, d.workers())
	var wg sync.WaitGroup
	for i, ev := range evs {
		if !w.Takes(ev) {
			continue
		}
		send, err := sh.sends(ctx, ev)
		if err != nil { // cannot tell now: the stream goes on from ev next time
			d.log().Warn("a webhook's stream stops at an event it cannot place", "webhook", w.UUID, "seq", ev.Seq, "error", err)
			started = i
			break
		}
		if !send {
			continue
		}
		slots <- struct{}{}
		if gone.Load() || ctx.Err() != nil || d.now().After(deadline) {
			started = i
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			r := d.first(ctx, w, sh, secrets, ev)
			results[i] = &r
			if r.Gone {
				gone.Store(true)
			}
		})
	}
	wg.Wait()
	b := store.StreamBatch{WebhookID: w.ID, Owner: d.Owner, Cursor: w.Cursor}
	for i, ev := range evs[:started] {
		if r := results[i]; r != nil {
			if ctx.Err() != nil && !r.Delivered && r.Status == 0 {
				break
			}
			b.Attempts = append(b.Attempts, store.StreamAttempt{EventSeq: ev.Seq, EventType: ev.Type, AttemptResult: *r})
		}
		b.Cursor = ev.Seq
	}
	return b
}

// first makes the first attempt at delivering ev to w. An event that
// cannot be rendered counts as a failed attempt, so it does not hold up
// the stream.
func (d *Dispatcher) first(ctx context.Context, w store.Webhook, sh shape, secrets []string, ev store.Event) store.AttemptResult {
	body, err := d.render(ctx, sh, ev)
	if err != nil {
		return d.outcome(0, Result{Err: err})
	}
	return d.outcome(0, d.Sender.Send(ctx, Attempt{URL: w.URL, ID: EventID(ev.ProjectID, ev.Seq), Body: body, Secrets: secrets}))
}
