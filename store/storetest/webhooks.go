package storetest

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// newWebhook creates an active webhook of the project subscribed to
// events, with a sealed-looking secret.
func newWebhook(t *testing.T, s store.Store, projectID int64, events ...string) *store.Webhook {
	t.Helper()
	w := &store.Webhook{ProjectID: projectID, URL: "https://example.com/hooks", Events: events, Secret: "v1:first"}
	noErr(t, s.CreateWebhook(t.Context(), w))
	return w
}

// logTypes logs one event of no dialog per type in the project and returns
// them as the log reads them back.
func logTypes(t *testing.T, s store.Store, projectID int64, types ...string) []store.Event {
	t.Helper()
	before := lastSeq(t, s, projectID)
	evs := make([]store.Event, len(types))
	for i, typ := range types {
		evs[i] = store.Event{ProjectID: projectID, Type: typ}
	}
	noErr(t, s.LogEvents(t.Context(), evs))
	return logged(t, s, projectID, before)
}

// deliveries lists a webhook's deliveries, newest first.
func deliveries(t *testing.T, s store.Store, w *store.Webhook) []store.Delivery {
	t.Helper()
	out, err := s.Deliveries(t.Context(), w.ProjectID, w.UUID, 1000)
	noErr(t, err)
	return out
}

// deliveryIDs lists the ID of ds.
func deliveryIDs(ds []store.Delivery) []int64 {
	return pluck(ds, func(d store.Delivery) int64 { return d.ID })
}

// deliverySeqs lists the EventSeq of ds.
func deliverySeqs(ds []store.Delivery) []int64 {
	return pluck(ds, func(d store.Delivery) int64 { return d.EventSeq })
}

// webhookNow reads a webhook back.
func webhookNow(t *testing.T, s store.Store, w *store.Webhook) *store.Webhook {
	t.Helper()
	got, err := s.Webhook(t.Context(), w.ProjectID, w.UUID)
	noErr(t, err)
	return got
}

// deliveryNow reads a delivery back.
func deliveryNow(t *testing.T, s store.Store, projectID, id int64) *store.Delivery {
	t.Helper()
	got, err := s.Delivery(t.Context(), projectID, id)
	noErr(t, err)
	return got
}

// claim claims due deliveries and returns their ids.
func claim(t *testing.T, s store.Store, now time.Time, lease time.Duration, limit int) []int64 {
	t.Helper()
	ds, err := s.ClaimDeliveries(t.Context(), now, lease, limit)
	noErr(t, err)
	for _, d := range ds {
		if d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(now.Add(lease)) {
			t.Errorf("claimed delivery %d is due at %v, want %v", d.ID, d.NextAttemptAt, now.Add(lease))
		}
	}
	return deliveryIDs(ds)
}

func ptr[T any](v T) *T { return &v }

func testWebhooks(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := s.(Clock)
	clock.SetNow(func() time.Time { return at(10) })
	p, other := newProject(t, s), newProject(t, s)

	w := &store.Webhook{ProjectID: p.ID, URL: " https://example.com/hooks ", Description: "CRM",
		Events: []string{store.EventMessageCreated, store.EventDialogCompleted, store.EventMessageCreated}, Secret: "v1:first"}
	noErr(t, s.CreateWebhook(ctx, w))

	t.Run("create fills the record", func(t *testing.T) {
		if w.ID == 0 || !strings.HasPrefix(w.UUID, "wh_") || len(w.UUID) != len("wh_")+24 {
			t.Errorf("ID, UUID = %d, %q; want an id and wh_ with 24 characters", w.ID, w.UUID)
		}
		same(t, "created", *w, store.Webhook{ID: w.ID, UUID: w.UUID, ProjectID: p.ID, URL: "https://example.com/hooks",
			Description: "CRM", Events: []string{store.EventMessageCreated, store.EventDialogCompleted},
			Status: store.WebhookActive, Format: store.WebhookStandard, Secret: "v1:first", CreatedAt: utc(10), UpdatedAt: utc(10)})
		same(t, "read back", webhookNow(t, s, w), w)
	})

	t.Run("a worken webhook keeps its format", func(t *testing.T) {
		wk := &store.Webhook{ProjectID: p.ID, URL: "https://example.com/worken", Events: []string{"*"}, Format: store.WebhookWorken,
			Secret: "v1:own"}
		noErr(t, s.CreateWebhook(ctx, wk))
		same(t, "read back", webhookNow(t, s, wk).Format, store.WebhookWorken)
		wk.Status, wk.Format = store.WebhookDisabled, store.WebhookStandard // the format is not changed by an update
		noErr(t, s.UpdateWebhook(ctx, wk))
		same(t, "updated", [2]string{wk.Status, wk.Format}, [2]string{store.WebhookDisabled, store.WebhookWorken})
		noErr(t, s.DeleteWebhook(ctx, p.ID, wk.UUID))
		err := s.CreateWebhook(ctx, &store.Webhook{ProjectID: p.ID, URL: "https://example.com", Events: []string{"*"},
			Format: "xml", Secret: "v1:x"})
		wantCode(t, err, store.EINVALID)
		same(t, "field", store.ErrorOf(err).Field, "format")
	})

	t.Run("invalid", func(t *testing.T) {
		for _, tc := range []struct {
			name, field string
			w           store.Webhook
		}{
			{"no URL", "url", store.Webhook{Events: []string{"*"}, Secret: "v1:x"}},
			{"not http", "url", store.Webhook{URL: "ftp://example.com", Events: []string{"*"}, Secret: "v1:x"}},
			{"no events", "events", store.Webhook{URL: "https://example.com", Events: []string{}, Secret: "v1:x"}},
			{"empty event type", "events", store.Webhook{URL: "https://example.com", Events: []string{" "}, Secret: "v1:x"}},
			{"no secret", "secret", store.Webhook{URL: "https://example.com", Events: []string{"*"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.w.ProjectID = p.ID
				err := s.CreateWebhook(ctx, &tc.w)
				wantCode(t, err, store.EINVALID)
				same(t, "field", store.ErrorOf(err).Field, tc.field)
			})
		}
		bad := *w
		bad.Status = "paused"
		err := s.UpdateWebhook(ctx, &bad)
		wantCode(t, err, store.EINVALID)
		same(t, "field", store.ErrorOf(err).Field, "status")
		wantCode(t, s.RotateWebhookSecret(ctx, p.ID, w.UUID, "", utc(40)), store.EINVALID)
		wantCode(t, s.CreateWebhook(ctx, &store.Webhook{ProjectID: 999_999_999, URL: "https://example.com",
			Events: []string{"*"}, Secret: "v1:x"}), store.ENOTFOUND)
	})

	t.Run("another project's webhook is not found", func(t *testing.T) {
		_, err := s.Webhook(ctx, other.ID, w.UUID)
		wantCode(t, err, store.ENOTFOUND)
		foreign := *w
		foreign.ProjectID = other.ID
		wantCode(t, s.UpdateWebhook(ctx, &foreign), store.ENOTFOUND)
		wantCode(t, s.RotateWebhookSecret(ctx, other.ID, w.UUID, "v1:x", utc(40)), store.ENOTFOUND)
		wantCode(t, s.DeleteWebhook(ctx, other.ID, w.UUID), store.ENOTFOUND)
		_, err = s.Deliveries(ctx, other.ID, w.UUID, 10)
		wantCode(t, err, store.ENOTFOUND)
		same(t, "unchanged", webhookNow(t, s, w), w)
	})

	t.Run("list", func(t *testing.T) {
		second := newWebhook(t, s, p.ID, "*")
		newWebhook(t, s, other.ID, "*")
		got, err := s.ListWebhooks(ctx, p.ID)
		noErr(t, err)
		same(t, "listed", got, []store.Webhook{*w, *second})
		empty, err := s.ListWebhooks(ctx, newProject(t, s).ID)
		noErr(t, err)
		same(t, "none", empty, []store.Webhook{})
	})

	t.Run("update", func(t *testing.T) {
		clock.SetNow(func() time.Time { return at(20) })
		up := &store.Webhook{ProjectID: p.ID, UUID: w.UUID, URL: "https://example.org/new", Description: "",
			Events: []string{"*"}, Status: store.WebhookDisabled, DisabledReason: "paused by Olga", Secret: "ignored"}
		noErr(t, s.UpdateWebhook(ctx, up))
		want := *w
		want.URL, want.Description, want.Events = "https://example.org/new", "", []string{"*"}
		want.Status, want.DisabledReason, want.UpdatedAt = store.WebhookDisabled, "paused by Olga", utc(20)
		same(t, "updated", up, &want)
		same(t, "read back", webhookNow(t, s, w), &want)

		up.Status = store.WebhookActive
		noErr(t, s.UpdateWebhook(ctx, up))
		same(t, "enabled again", [2]string{up.Status, up.DisabledReason}, [2]string{store.WebhookActive, ""})
		*w = *up
	})

	t.Run("rotation keeps the previous secret until it expires", func(t *testing.T) {
		noErr(t, s.RotateWebhookSecret(ctx, p.ID, w.UUID, "v1:second", at(40)))
		got := webhookNow(t, s, w)
		same(t, "secrets", [3]any{got.Secret, got.PreviousSecret, got.PreviousUntil}, [3]any{"v1:second", "v1:first", ptr(utc(40))})
		noErr(t, s.RotateWebhookSecret(ctx, p.ID, w.UUID, "v1:third", at(50)))
		got = webhookNow(t, s, w)
		same(t, "secrets", [3]any{got.Secret, got.PreviousSecret, got.PreviousUntil}, [3]any{"v1:third", "v1:second", ptr(utc(50))})
	})

	t.Run("delete removes its deliveries", func(t *testing.T) {
		evs := logTypes(t, s, p.ID, store.EventMessageCreated)
		noErr(t, s.FanOut(ctx, w.ID, evs))
		ds := deliveries(t, s, w)
		same(t, "delivering", len(ds), 1)
		noErr(t, s.DeleteWebhook(ctx, p.ID, w.UUID))
		_, err := s.Webhook(ctx, p.ID, w.UUID)
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.Delivery(ctx, p.ID, ds[0].ID)
		wantCode(t, err, store.ENOTFOUND)
		wantCode(t, s.DeleteWebhook(ctx, p.ID, w.UUID), store.ENOTFOUND)
		wantCode(t, s.FanOut(ctx, w.ID, evs), store.ENOTFOUND)
	})
}

func testWebhookFanOut(t *testing.T, s store.Store) {
	ctx := t.Context()
	s.(Clock).SetNow(func() time.Time { return at(10) })
	p, other := newProject(t, s), newProject(t, s)
	messages := newWebhook(t, s, p.ID, store.EventMessageCreated)
	all := newWebhook(t, s, p.ID, store.WebhookAllEvents)
	evs := logTypes(t, s, p.ID, store.EventMessageCreated, store.EventDialogUpdated, store.EventMessageCreated)

	t.Run("only subscribed types are delivered", func(t *testing.T) {
		noErr(t, s.FanOut(ctx, messages.ID, evs))
		ds := deliveries(t, s, messages)
		same(t, "seqs, newest first", deliverySeqs(ds), []int64{evs[2].Seq, evs[0].Seq})
		same(t, "delivery", ds[1], store.Delivery{ID: ds[1].ID, WebhookID: messages.ID, ProjectID: p.ID,
			EventSeq: evs[0].Seq, EventType: store.EventMessageCreated, Status: store.DeliveryPending,
			NextAttemptAt: ptr(utc(10)), CreatedAt: utc(10)})
		same(t, "by id", deliveryNow(t, s, p.ID, ds[1].ID), &ds[1])
		_, err := s.Delivery(ctx, other.ID, ds[1].ID)
		wantCode(t, err, store.ENOTFOUND)
		same(t, "cursor", webhookNow(t, s, messages).Cursor, evs[2].Seq)
	})

	t.Run("* takes every type", func(t *testing.T) {
		noErr(t, s.FanOut(ctx, all.ID, evs))
		same(t, "seqs", deliverySeqs(deliveries(t, s, all)), []int64{evs[2].Seq, evs[1].Seq, evs[0].Seq})
	})

	t.Run("fanning out again repeats nothing and never lowers the cursor", func(t *testing.T) {
		before := deliveries(t, s, messages)
		noErr(t, s.FanOut(ctx, messages.ID, evs))
		noErr(t, s.FanOut(ctx, messages.ID, evs[:1]))
		same(t, "deliveries", deliveries(t, s, messages), before)
		same(t, "cursor", webhookNow(t, s, messages).Cursor, evs[2].Seq)
	})

	t.Run("events no delivery is made of still move the cursor", func(t *testing.T) {
		more := logTypes(t, s, p.ID, store.EventDialogUpdated)
		noErr(t, s.FanOut(ctx, messages.ID, more))
		same(t, "deliveries", len(deliveries(t, s, messages)), 2)
		same(t, "cursor", webhookNow(t, s, messages).Cursor, more[0].Seq)
		noErr(t, s.FanOut(ctx, messages.ID, nil))
		same(t, "cursor after nothing", webhookNow(t, s, messages).Cursor, more[0].Seq)
	})

	t.Run("another project's events are not delivered", func(t *testing.T) {
		foreign := logTypes(t, s, other.ID, store.EventMessageCreated, store.EventMessageCreated,
			store.EventMessageCreated, store.EventMessageCreated, store.EventMessageCreated, store.EventMessageCreated)
		cursor := webhookNow(t, s, all).Cursor
		noErr(t, s.FanOut(ctx, all.ID, foreign))
		same(t, "deliveries", len(deliveries(t, s, all)), 3)
		same(t, "cursor", webhookNow(t, s, all).Cursor, cursor)
	})
}

func testWebhookClaims(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := s.(Clock)
	clock.SetNow(func() time.Time { return at(10) })
	p := newProject(t, s)
	w := newWebhook(t, s, p.ID, store.WebhookAllEvents)
	noErr(t, s.FanOut(ctx, w.ID, logTypes(t, s, p.ID, "a", "b")))
	ds := deliveries(t, s, w)
	first, second := ds[1].ID, ds[0].ID

	t.Run("not before they are due", func(t *testing.T) {
		same(t, "claimed", claim(t, s, utc(9), time.Minute, 10), []int64{})
	})

	t.Run("the oldest first, at most limit", func(t *testing.T) {
		same(t, "claimed", claim(t, s, utc(10), time.Minute, 1), []int64{first})
		same(t, "stored lease", deliveryNow(t, s, p.ID, first).NextAttemptAt, ptr(utc(11)))
	})

	t.Run("a claimed delivery is not claimed again during its lease", func(t *testing.T) {
		same(t, "claimed", claim(t, s, utc(10), time.Minute, 10), []int64{second})
		same(t, "claimed in the lease", claim(t, s, utc(10).Add(59*time.Second), time.Minute, 10), []int64{})
	})

	t.Run("it is claimed again when the lease ends", func(t *testing.T) {
		same(t, "claimed", claim(t, s, utc(11), time.Minute, 10), []int64{first, second})
	})

	t.Run("a disabled webhook's deliveries are not claimed", func(t *testing.T) {
		clock.SetNow(func() time.Time { return at(20) })
		off := newWebhook(t, s, p.ID, store.WebhookAllEvents)
		noErr(t, s.FanOut(ctx, off.ID, logTypes(t, s, p.ID, "c")))
		off.Status = store.WebhookDisabled
		noErr(t, s.UpdateWebhook(ctx, off))
		same(t, "claimed", claim(t, s, utc(30), time.Minute, 10), []int64{first, second})
		off.Status = store.WebhookActive
		noErr(t, s.UpdateWebhook(ctx, off))
		// Its delivery has been due since utc(20), the others since their lease ended at utc(31).
		same(t, "claimed once enabled", claim(t, s, utc(40), time.Minute, 10),
			append(deliveryIDs(deliveries(t, s, off)), first, second))
	})
}

func testWebhookAttempts(t *testing.T, s store.Store) {
	ctx := t.Context()
	s.(Clock).SetNow(func() time.Time { return at(10) })
	p, other := newProject(t, s), newProject(t, s)
	w := newWebhook(t, s, p.ID, store.WebhookAllEvents)
	noErr(t, s.FanOut(ctx, w.ID, logTypes(t, s, p.ID, "a", "b", "c", "d")))
	ds := deliveries(t, s, w)
	slices.Reverse(ds)
	failingSince := func() *time.Time { return webhookNow(t, s, w).FailingSince }

	t.Run("delivered", func(t *testing.T) {
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: ds[0].ID, At: at(11), Status: 200, Delivered: true}}))
		got := deliveryNow(t, s, p.ID, ds[0].ID)
		same(t, "delivery", [5]any{got.Status, got.Attempts, got.LastStatus, got.DeliveredAt, got.NextAttemptAt},
			[5]any{store.DeliveryDelivered, 1, 200, ptr(utc(11)), (*time.Time)(nil)})
		same(t, "failing since", failingSince(), (*time.Time)(nil))
	})

	t.Run("a failure schedules a retry", func(t *testing.T) {
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: ds[1].ID, At: at(12), Status: 500, Err: "HTTP 500", NextAt: ptr(at(13))}}))
		got := deliveryNow(t, s, p.ID, ds[1].ID)
		same(t, "delivery", [5]any{got.Status, got.Attempts, got.LastStatus, got.LastError, got.NextAttemptAt},
			[5]any{store.DeliveryPending, 1, 500, "HTTP 500", ptr(utc(13))})
		same(t, "failing since", failingSince(), ptr(utc(12)))
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: ds[1].ID, At: at(13), Err: "connection refused", NextAt: ptr(at(14))}}))
		got = deliveryNow(t, s, p.ID, ds[1].ID)
		same(t, "delivery", [4]any{got.Attempts, got.LastStatus, got.LastError, got.NextAttemptAt},
			[4]any{2, 0, "connection refused", ptr(utc(14))})
		same(t, "failing since the first", failingSince(), ptr(utc(12)))
	})

	t.Run("fails after the last attempt", func(t *testing.T) {
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: ds[1].ID, At: at(14), Status: 502}}))
		got := deliveryNow(t, s, p.ID, ds[1].ID)
		same(t, "delivery", [3]any{got.Status, got.Attempts, got.NextAttemptAt}, [3]any{store.DeliveryFailed, 3, (*time.Time)(nil)})
		same(t, "claimed", claim(t, s, utc(30), time.Minute, 10), []int64{ds[2].ID, ds[3].ID})
	})

	t.Run("a success clears failing since", func(t *testing.T) {
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: ds[2].ID, At: at(31), Status: 204, Delivered: true}}))
		same(t, "failing since", failingSince(), (*time.Time)(nil))
	})

	t.Run("gone disables the webhook", func(t *testing.T) {
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: ds[3].ID, At: at(32), Status: 410, Gone: true, NextAt: ptr(at(40))}}))
		got := deliveryNow(t, s, p.ID, ds[3].ID)
		same(t, "delivery", [2]any{got.Status, got.NextAttemptAt}, [2]any{store.DeliveryFailed, (*time.Time)(nil)})
		hook := webhookNow(t, s, w)
		same(t, "webhook", [3]any{hook.Status, hook.DisabledReason, hook.FailingSince},
			[3]any{store.WebhookDisabled, store.WebhookGoneReason, ptr(utc(32))})
	})

	t.Run("five days of failures disable the webhook, with an event", func(t *testing.T) {
		w2 := newWebhook(t, s, p.ID, "e")
		noErr(t, s.FanOut(ctx, w2.ID, logTypes(t, s, p.ID, "e", "e")))
		d2 := deliveries(t, s, w2)
		first := at(20)
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: d2[1].ID, At: first, Status: 500, NextAt: ptr(first.Add(time.Hour))}}))
		same(t, "after a day", webhookNow(t, s, w2).Status, store.WebhookActive)
		before := lastSeq(t, s, p.ID)
		late := first.Add(store.WebhookFailingFor + time.Minute)
		noErr(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: d2[0].ID, At: late, Status: 500, NextAt: ptr(late.Add(time.Hour))}}))
		hook := webhookNow(t, s, w2)
		same(t, "webhook", [2]any{hook.Status, hook.DisabledReason}, [2]any{store.WebhookDisabled, store.WebhookFailingReason})
		evs := logged(t, s, p.ID, before)
		same(t, "logged", eventTypes(evs), []string{store.EventWebhookDisabled})
		same(t, "which", evs[0].Data.Extra["webhook_id"], any(w2.UUID))
	})

	t.Run("an unknown delivery", func(t *testing.T) {
		wantCode(t, s.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: 999_999_999, Delivered: true}}), store.ENOTFOUND)
	})

	t.Run("retry makes a delivery pending again", func(t *testing.T) {
		wantCode(t, s.RetryDelivery(ctx, other.ID, ds[1].ID, at(50)), store.ENOTFOUND)
		wantCode(t, s.RetryDelivery(ctx, p.ID, 999_999_999, at(50)), store.ENOTFOUND)
		noErr(t, s.RetryDelivery(ctx, p.ID, ds[1].ID, at(50)))
		got := deliveryNow(t, s, p.ID, ds[1].ID)
		same(t, "delivery", [3]any{got.Status, got.Attempts, got.NextAttemptAt}, [3]any{store.DeliveryPending, 3, ptr(utc(50))})
		hook := webhookNow(t, s, w)
		hook.Status = store.WebhookActive
		noErr(t, s.UpdateWebhook(ctx, hook))
		same(t, "claimed", claim(t, s, utc(50), time.Minute, 10), []int64{ds[1].ID})
	})
}

// testWebhookClaimConcurrent claims from two goroutines at once until
// nothing is due: every delivery is claimed, and by one of them only.
func testWebhookClaimConcurrent(t *testing.T, s store.Store) {
	s.(Clock).SetNow(func() time.Time { return at(10) })
	p := newProject(t, s)
	w := newWebhook(t, s, p.ID, store.WebhookAllEvents)
	types := make([]string, 40)
	for i := range types {
		types[i] = "t"
	}
	noErr(t, s.FanOut(t.Context(), w.ID, logTypes(t, s, p.ID, types...)))

	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for {
				ds, err := s.ClaimDeliveries(t.Context(), utc(10), time.Hour, 3)
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					claimed[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times, want once", id, n)
		}
	}
	same(t, "claimed", len(claimed), len(types))
}

// testWebhookLookups: the dispatcher's lookups across projects.
func testWebhookLookups(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	a, b := newWebhook(t, s, p.ID, "*"), newWebhook(t, s, other.ID, store.EventMessageCreated)
	off := newWebhook(t, s, p.ID, "*")
	off.Status = store.WebhookDisabled
	noErr(t, s.UpdateWebhook(ctx, off))
	active, err := s.ActiveWebhooks(ctx)
	noErr(t, err)
	var ids []int64
	for _, w := range active {
		if w.ProjectID == p.ID || w.ProjectID == other.ID {
			ids = append(ids, w.ID)
		}
	}
	same(t, "active webhooks of every project", ids, []int64{a.ID, b.ID})
	got, err := s.WebhookByID(ctx, b.ID)
	noErr(t, err)
	same(t, "by id", [3]any{got.UUID, got.ProjectID, got.Secret}, [3]any{b.UUID, other.ID, b.Secret})
	_, err = s.WebhookByID(ctx, 999_999_999)
	wantCode(t, err, store.ENOTFOUND)
	// Registered here: the list of groups (storetest.go) is not this file's.
	t.Run("streams", func(t *testing.T) { testWebhookStreams(t, s) })
}

// testWebhookStartsNow: a new webhook's cursor is the project's last event,
// so it is not sent the log's past.
func testWebhookStartsNow(t *testing.T, s store.Store) {
	p := newProject(t, s)
	logTypes(t, s, p.ID, "webhook.test", "webhook.test")
	w := newWebhook(t, s, p.ID, "*")
	same(t, "cursor", w.Cursor, lastSeq(t, s, p.ID))
	got, err := s.Webhook(t.Context(), p.ID, w.UUID)
	noErr(t, err)
	same(t, "stored cursor", got.Cursor, w.Cursor)
}

// testDialogModeBefore: a dialog's mode before one of its events is that of
// its last event that carries the mode before it; none before the first.
func testDialogModeBefore(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	b := newBot(t, s, p.ID)
	d, other := newDialog(t, s, p.ID, b.ID), newDialog(t, s, p.ID, b.ID)
	before := lastSeq(t, s, p.ID)
	for i, mode := range []string{store.ModeAuto, store.ModeOperator, store.ModeBlocked} {
		st := turnState(d, int64(i+2), func(s *store.DialogState) { s.Mode = mode })
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))
	}
	st := turnState(other, 2, func(s *store.DialogState) { s.Mode = store.ModeManual })
	noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))
	var seqs []int64 // d's dialog.updated events
	for _, ev := range logged(t, s, p.ID, before) {
		if ev.DialogID == d.ID && ev.Type == store.EventDialogUpdated {
			seqs = append(seqs, ev.Seq)
		}
	}
	if len(seqs) != 3 {
		t.Fatalf("d's dialog.updated events: %v, want 3", seqs)
	}
	var got []string
	for _, seq := range append(seqs, seqs[2]+100) {
		mode, err := s.DialogModeBefore(ctx, p.ID, d.ID, seq)
		noErr(t, err)
		got = append(got, mode)
	}
	// created auto; in-process auto; then operator; then blocked
	same(t, "modes before", got, []string{store.ModeAuto, store.ModeAuto, store.ModeOperator, store.ModeBlocked})
	first, err := s.Events(ctx, p.ID, store.EventFilter{DialogID: d.ID, Limit: 1})
	noErr(t, err)
	mode, err := s.DialogModeBefore(ctx, p.ID, d.ID, first[0].Seq)
	noErr(t, err)
	same(t, "before its first event", mode, "")
	mode, err = s.DialogModeBefore(ctx, newProject(t, s).ID, d.ID, seqs[2])
	noErr(t, err)
	same(t, "in another project", mode, "")
}
