package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// claimStreams claims streams for owner and returns the ids of those of
// ws it got.
func claimStreams(t *testing.T, s store.Store, owner string, now time.Time, lease time.Duration, ws ...*store.Webhook) []int64 {
	t.Helper()
	got, err := s.ClaimStreams(t.Context(), owner, now, lease)
	noErr(t, err)
	ids := []int64{}
	for _, g := range got {
		if slices.ContainsFunc(ws, func(w *store.Webhook) bool { return w.ID == g.ID }) {
			ids = append(ids, g.ID)
			if g.StreamOwner != owner || g.StreamUntil == nil || !g.StreamUntil.Equal(now.Add(lease)) {
				t.Errorf("claimed webhook %d: owner %q until %v, want %q until %v", g.ID, g.StreamOwner, g.StreamUntil, owner, now.Add(lease))
			}
		}
	}
	return ids
}

// testWebhookStreams: one owner holds a webhook's stream at a time, and a
// recorded batch makes a delivery per first attempt and moves the cursor.
func testWebhookStreams(t *testing.T, s store.Store) {
	ctx := t.Context()
	s.(Clock).SetNow(func() time.Time { return at(10) })
	p := newProject(t, s)
	w1, w2 := newWebhook(t, s, p.ID, "*"), newWebhook(t, s, p.ID, store.EventMessageCreated)
	off := newWebhook(t, s, p.ID, "*")
	off.Status = store.WebhookDisabled
	noErr(t, s.UpdateWebhook(ctx, off))
	mine := []*store.Webhook{w1, w2, off}

	t.Run("claims", func(t *testing.T) {
		same(t, "A claims the active ones", claimStreams(t, s, "A", utc(10), time.Minute, mine...), []int64{w1.ID, w2.ID})
		same(t, "stored", [2]any{webhookNow(t, s, w1).StreamOwner, webhookNow(t, s, w1).StreamUntil}, [2]any{"A", ptr(utc(11))})
		same(t, "B during A's lease", claimStreams(t, s, "B", utc(10).Add(59*time.Second), time.Minute, mine...), []int64{})
		same(t, "A renews", claimStreams(t, s, "A", utc(10).Add(30*time.Second), time.Minute, mine...), []int64{w1.ID, w2.ID})
		same(t, "B after the lease", claimStreams(t, s, "B", utc(12), time.Minute, mine...), []int64{w1.ID, w2.ID})
		_, err := s.ClaimStreams(ctx, "", utc(12), time.Minute)
		wantCode(t, err, store.EINVALID)
	})

	evs := logTypes(t, s, p.ID, "a", "b", "c")
	t.Run("a batch", func(t *testing.T) {
		noErr(t, s.RecordStream(ctx, store.StreamBatch{WebhookID: w1.ID, Owner: "B", Cursor: evs[2].Seq, Until: at(20),
			Attempts: []store.StreamAttempt{
				{EventSeq: evs[0].Seq, EventType: "a", AttemptResult: store.AttemptResult{At: at(12), Status: 200, Delivered: true}},
				{EventSeq: evs[1].Seq, EventType: "b", AttemptResult: store.AttemptResult{At: at(13), Status: 500, Err: "HTTP 500", NextAt: ptr(at(14))}},
			}}))
		ds := deliveries(t, s, w1)
		same(t, "deliveries, newest first", ds, []store.Delivery{
			{ID: ds[0].ID, WebhookID: w1.ID, ProjectID: p.ID, EventSeq: evs[1].Seq, EventType: "b", Attempts: 1,
				Status: store.DeliveryPending, NextAttemptAt: ptr(utc(14)), LastStatus: 500, LastError: "HTTP 500", CreatedAt: utc(10)},
			{ID: ds[1].ID, WebhookID: w1.ID, ProjectID: p.ID, EventSeq: evs[0].Seq, EventType: "a", Attempts: 1,
				Status: store.DeliveryDelivered, LastStatus: 200, DeliveredAt: ptr(utc(12)), CreatedAt: utc(10)},
		})
		got := webhookNow(t, s, w1)
		same(t, "webhook", [4]any{got.Cursor, got.StreamOwner, got.StreamUntil, got.FailingSince},
			[4]any{evs[2].Seq, "B", ptr(utc(20)), ptr(utc(13))})
		same(t, "the failure is a retry", claim(t, s, utc(14), time.Minute, 10), []int64{ds[0].ID})
	})

	t.Run("an event keeps its delivery and the cursor never goes back", func(t *testing.T) {
		before := deliveries(t, s, w1)
		noErr(t, s.RecordStream(ctx, store.StreamBatch{WebhookID: w1.ID, Owner: "B", Cursor: evs[0].Seq, Until: at(20),
			Attempts: []store.StreamAttempt{{EventSeq: evs[0].Seq, EventType: "a", AttemptResult: store.AttemptResult{At: at(15), Status: 500, NextAt: ptr(at(16))}}}}))
		same(t, "deliveries", deliveries(t, s, w1), before)
		same(t, "cursor", webhookNow(t, s, w1).Cursor, evs[2].Seq)
	})

	t.Run("a holder that lost the stream moves the cursor, not the lease", func(t *testing.T) {
		noErr(t, s.RecordStream(ctx, store.StreamBatch{WebhookID: w2.ID, Owner: "A", Cursor: evs[2].Seq, Until: at(30)}))
		got := webhookNow(t, s, w2)
		same(t, "webhook", [3]any{got.Cursor, got.StreamOwner, got.StreamUntil}, [3]any{evs[2].Seq, "B", ptr(utc(13))})
		same(t, "no deliveries", len(deliveries(t, s, w2)), 0)
	})

	t.Run("a success after the failures clears failing since", func(t *testing.T) {
		more := logTypes(t, s, p.ID, "d")
		noErr(t, s.RecordStream(ctx, store.StreamBatch{WebhookID: w1.ID, Owner: "B", Cursor: more[0].Seq, Until: at(20),
			Attempts: []store.StreamAttempt{{EventSeq: more[0].Seq, EventType: "d", AttemptResult: store.AttemptResult{At: at(16), Status: 204, Delivered: true}}}}))
		same(t, "failing since", webhookNow(t, s, w1).FailingSince, (*time.Time)(nil))
	})

	t.Run("gone disables the webhook, with an event", func(t *testing.T) {
		more := logTypes(t, s, p.ID, "e", "f")
		before := lastSeq(t, s, p.ID)
		noErr(t, s.RecordStream(ctx, store.StreamBatch{WebhookID: w1.ID, Owner: "B", Cursor: more[0].Seq, Until: at(20),
			Attempts: []store.StreamAttempt{{EventSeq: more[0].Seq, EventType: "e", AttemptResult: store.AttemptResult{At: at(17), Status: 410, Gone: true}}}}))
		got := webhookNow(t, s, w1)
		same(t, "webhook", [3]any{got.Status, got.DisabledReason, got.Cursor}, [3]any{store.WebhookDisabled, store.WebhookGoneReason, more[0].Seq})
		same(t, "delivery", deliveries(t, s, w1)[0].Status, store.DeliveryFailed)
		same(t, "logged", eventTypes(logged(t, s, p.ID, before)), []string{store.EventWebhookDisabled})
		same(t, "not claimed", claimStreams(t, s, "B", utc(18), time.Minute, mine...), []int64{w2.ID})
	})

	t.Run("an unknown webhook", func(t *testing.T) {
		wantCode(t, s.RecordStream(ctx, store.StreamBatch{WebhookID: 999_999_999, Owner: "B", Cursor: 1, Until: at(20)}), store.ENOTFOUND)
	})
}

// testTrimDeliveries: deliveries older than the retention go once they are
// delivered or failed; pending ones and newer ones stay.
func testTrimDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := s.(Clock)
	clock.SetNow(func() time.Time { return at(10) })
	p := newProject(t, s)
	w := newWebhook(t, s, p.ID, "*")
	evs := logTypes(t, s, p.ID, "a", "b", "c", "d")
	record := func(evs []store.Event, results ...store.AttemptResult) {
		t.Helper()
		b := store.StreamBatch{WebhookID: w.ID, Owner: "A", Cursor: evs[len(evs)-1].Seq, Until: at(30)}
		for i, ev := range evs {
			b.Attempts = append(b.Attempts, store.StreamAttempt{EventSeq: ev.Seq, EventType: ev.Type, AttemptResult: results[i]})
		}
		noErr(t, s.RecordStream(ctx, b))
	}
	record(evs[:3],
		store.AttemptResult{At: at(10), Status: 200, Delivered: true},
		store.AttemptResult{At: at(10), Status: 500, Err: "HTTP 500"}, // failed for good
		store.AttemptResult{At: at(10), Status: 500, Err: "HTTP 500", NextAt: ptr(at(40))})
	clock.SetNow(func() time.Time { return at(20) })
	record(evs[3:], store.AttemptResult{At: at(20), Status: 200, Delivered: true})

	n, err := s.TrimDeliveries(ctx, utc(15))
	noErr(t, err)
	same(t, "trimmed", n, int64(2))
	kept := []int64{}
	for _, d := range deliveries(t, s, w) {
		kept = append(kept, d.EventSeq)
	}
	same(t, "kept, newest first", kept, []int64{evs[3].Seq, evs[2].Seq})

	n, err = s.TrimDeliveries(ctx, utc(50))
	noErr(t, err)
	same(t, "trimmed the rest that is done", n, int64(1))
	same(t, "the pending one stays", deliveries(t, s, w)[0].Status, store.DeliveryPending)
}
