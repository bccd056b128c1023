package webhooks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley/store"
)

// workenWebhook makes a Worken webhook of url signing with secret as is.
func (e *dispatchEnv) workenWebhook(t *testing.T, url, secret string) *store.Webhook {
	t.Helper()
	sealed, err := e.box.Seal(secret)
	if err != nil {
		t.Fatal(err)
	}
	w := &store.Webhook{ProjectID: e.project, URL: url, Events: []string{store.WebhookAllEvents}, Format: store.WebhookWorken, Secret: sealed}
	if err := e.db.CreateWebhook(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestWorkenWebhookSendsOnlyWorkensEvents: of a log with events Worken has
// no name for, a Worken webhook is sent only the ones it has, under its
// names, signed with the secret as it is; the others make no delivery.
func TestWorkenWebhookSendsOnlyWorkensEvents(t *testing.T) {
	e := newDispatchEnv(t)
	e.d.Workers = 1 // one at a time, so the receiver sees the log's order
	h := newHook(t)
	w := e.workenWebhook(t, h.URL, "own secret")
	err := e.db.LogEvents(t.Context(), []store.Event{
		{ProjectID: e.project, Type: "bench.ping"},
		{ProjectID: e.project, Type: "billing.balance.low", Data: store.EventData{Extra: map[string]any{"balance": 3.0}}},
		{ProjectID: e.project, Type: store.EventWebhookTest, Data: store.EventData{Extra: map[string]any{"webhook_id": w.UUID}}},
		{ProjectID: e.project, Type: "integration.auth_lost"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.stepUntil(t, func() bool { got, _ := h.requests(); return len(got) == 2 })
	got, bodies := h.requests()
	for i, want := range []string{`"type":"billing.balance.low"`, `"type":"integration.auth_lost"`} {
		if !strings.Contains(string(bodies[i]), want) || got[i].Header.Get(HeaderWorken) != WorkenSignature("own secret", bodies[i]) {
			t.Errorf("delivery %d: %s (x-worken-signature %s), want %s", i, bodies[i], got[i].Header.Get(HeaderWorken), want)
		}
	}
	var body struct{ Data map[string]any }
	if err := json.Unmarshal(bodies[0], &body); err != nil || body.Data["balance"] != 3.0 {
		t.Errorf("billing.balance.low data: %s", bodies[0])
	}
	if ds := deliveriesOf(t, e, w); len(ds) != 2 {
		t.Errorf("deliveries %+v, want the 2 sent", ds)
	}
	if now := webhookNow(t, e, w); now.Cursor != w.Cursor+4 {
		t.Errorf("cursor %d, want %d: events not sent are passed over", now.Cursor, w.Cursor+4)
	}
}

// TestWorkenWebhookFailsAQueuedEventItHasNoNameFor: a delivery queued of
// an event Worken has no name for is not sent, and fails at once instead
// of being claimed again and again.
func TestWorkenWebhookFailsAQueuedEventItHasNoNameFor(t *testing.T) {
	e := newDispatchEnv(t)
	h := newHook(t)
	w := e.workenWebhook(t, h.URL, "own secret")
	e.logTest(t)
	evs, err := e.db.Events(t.Context(), e.project, store.EventFilter{After: w.Cursor})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.FanOut(t.Context(), w.ID, evs); err != nil {
		t.Fatal(err)
	}
	e.stepUntil(t, func() bool { ds := deliveriesOf(t, e, w); return len(ds) == 1 && ds[0].Status != store.DeliveryPending })
	ds := deliveriesOf(t, e, w)
	if ds[0].Status != store.DeliveryFailed || !strings.Contains(ds[0].LastError, "no Worken webhook type") {
		t.Errorf("delivery %+v, want failed for want of a Worken type", ds[0])
	}
	if got, _ := h.requests(); len(got) != 0 {
		t.Errorf("sent %d requests, want none", len(got))
	}
}
