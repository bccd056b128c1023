package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

func TestWebhook(t *testing.T) {
	for _, c := range []struct {
		name  string
		in    store.Webhook
		want  store.Webhook
		field string // of the EINVALID error, "" for none
	}{
		{"ok", store.Webhook{URL: " https://example.com/h ", Events: []string{"a", " a", "b"}},
			store.Webhook{URL: "https://example.com/h", Events: []string{"a", "b"}, Status: store.WebhookActive, Format: store.WebhookStandard}, ""},
		{"a reason only while disabled", store.Webhook{URL: "http://x", Events: []string{"*"}, Status: store.WebhookActive, DisabledReason: "old"},
			store.Webhook{URL: "http://x", Events: []string{"*"}, Status: store.WebhookActive, Format: store.WebhookStandard}, ""},
		{"disabled", store.Webhook{URL: "http://x", Events: []string{"*"}, Status: store.WebhookDisabled, DisabledReason: "paused"},
			store.Webhook{URL: "http://x", Events: []string{"*"}, Status: store.WebhookDisabled, DisabledReason: "paused", Format: store.WebhookStandard}, ""},
		{"worken", store.Webhook{URL: "http://x", Events: []string{"*"}, Format: store.WebhookWorken},
			store.Webhook{URL: "http://x", Events: []string{"*"}, Status: store.WebhookActive, Format: store.WebhookWorken}, ""},
		{"no URL", store.Webhook{Events: []string{"*"}}, store.Webhook{}, "url"},
		{"relative URL", store.Webhook{URL: "/hooks", Events: []string{"*"}}, store.Webhook{}, "url"},
		{"mailto URL", store.Webhook{URL: "mailto:a@b.c", Events: []string{"*"}}, store.Webhook{}, "url"},
		{"no events", store.Webhook{URL: "http://x"}, store.Webhook{}, "events"},
		{"empty event", store.Webhook{URL: "http://x", Events: []string{"a", ""}}, store.Webhook{}, "events"},
		{"unknown status", store.Webhook{URL: "http://x", Events: []string{"*"}, Status: "paused"}, store.Webhook{}, "status"},
		{"unknown format", store.Webhook{URL: "http://x", Events: []string{"*"}, Format: "xml"}, store.Webhook{}, "format"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Webhook(c.in)
			if c.field != "" {
				if e := store.ErrorOf(err); e.Code != store.EINVALID || e.Field != c.field {
					t.Fatalf("err = %v (field %q), want EINVALID for %q", err, e.Field, c.field)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("Webhook = %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func TestFanOut(t *testing.T) {
	test := func(seq int64, uuid string) store.Event {
		return store.Event{ProjectID: 1, Seq: seq, Type: store.EventWebhookTest, Data: store.EventData{Extra: map[string]any{"webhook_id": uuid}}}
	}
	evs := []store.Event{{ProjectID: 1, Seq: 4, Type: "a"}, {ProjectID: 1, Seq: 5, Type: "b"},
		{ProjectID: 2, Seq: 9, Type: "a"}, {ProjectID: 1, Seq: 3, Type: "a"}, test(1, "wh_me"), test(2, "wh_other")}
	for _, c := range []struct {
		name   string
		events []string
		want   []int64
	}{
		{"one type", []string{"a"}, []int64{4, 3, 1}},
		{"all", []string{"*"}, []int64{4, 5, 3, 1}},
		{"none subscribed", []string{"c"}, []int64{1}}, // its own test, not another's
	} {
		t.Run(c.name, func(t *testing.T) {
			deliver, last := FanOut(1, "wh_me", c.events, evs)
			var seqs []int64
			for _, ev := range deliver {
				seqs = append(seqs, ev.Seq)
			}
			if !reflect.DeepEqual(seqs, c.want) || last != 5 {
				t.Errorf("FanOut = %v, %d; want %v, 5 (the project's greatest)", seqs, last, c.want)
			}
		})
	}
	if _, last := FanOut(3, "wh_me", []string{"*"}, evs); last != 0 {
		t.Errorf("FanOut of no event of the project: last = %d, want 0", last)
	}
}

func TestDeliveryStatus(t *testing.T) {
	next := time.Now()
	for _, c := range []struct {
		name string
		a    store.AttemptResult
		want string
	}{
		{"delivered", store.AttemptResult{Delivered: true}, store.DeliveryDelivered},
		{"retry", store.AttemptResult{Status: 500, NextAt: &next}, store.DeliveryPending},
		{"last attempt", store.AttemptResult{Status: 500}, store.DeliveryFailed},
		{"gone", store.AttemptResult{Status: 410, Gone: true, NextAt: &next}, store.DeliveryFailed},
	} {
		if got := DeliveryStatus(c.a); got != c.want {
			t.Errorf("%s: DeliveryStatus = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNewWebhookUUID(t *testing.T) {
	a, err := NewWebhookUUID()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewWebhookUUID()
	if !strings.HasPrefix(a, WebhookUUIDPrefix) || len(a) != len(WebhookUUIDPrefix)+24 || a == b {
		t.Errorf("NewWebhookUUID = %q, %q; want two different wh_ and 24 characters", a, b)
	}
}
