package native_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
)

type webhookView struct {
	ID             string
	URL            string
	Description    string
	Events         []string
	Status         string
	DisabledReason string     `json:"disabled_reason"`
	FailingSince   *time.Time `json:"failing_since"`
	Secret         string
}

type deliveryView struct {
	ID            int64
	EventSeq      int64  `json:"event_seq"`
	EventType     string `json:"event_type"`
	Attempts      int
	Status        string
	LastStatus    int        `json:"last_status"`
	LastError     string     `json:"last_error"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
}

// newWebhook creates a webhook in project A through the API.
func newWebhook(t *testing.T, e *servertest.Env, events ...string) webhookView {
	t.Helper()
	r := e.Do("POST", "/v1/webhooks", e.A.Bearer(), map[string]any{"url": "https://example.com/hooks", "events": events, "description": "CRM"})
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var w webhookView
	r.JSON(t, &w)
	return w
}

func TestWebhookCRUD(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	w := newWebhook(t, e, store.EventMessageCreated, store.EventNoteCreated)
	if !strings.HasPrefix(w.ID, "wh_") || !strings.HasPrefix(w.Secret, "whsec_") || w.URL != "https://example.com/hooks" ||
		w.Description != "CRM" || w.Status != store.WebhookActive || len(w.Events) != 2 {
		t.Fatalf("created = %+v", w)
	}
	stored, err := e.Store.Webhook(t.Context(), e.A.ID, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Secret == "" || strings.Contains(stored.Secret, w.Secret) {
		t.Errorf("stored secret %q, want the secret sealed", stored.Secret)
	}

	r := e.Do("GET", "/v1/webhooks/"+w.ID, e.A.Bearer(), nil)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), "secret") {
		t.Errorf("get = %d %s, want the webhook without its secret", r.Status, r.Body)
	}
	var list struct{ Webhooks []webhookView }
	r = e.Do("GET", "/v1/webhooks", e.A.Bearer(), nil)
	r.JSON(t, &list)
	if len(list.Webhooks) != 1 || list.Webhooks[0].ID != w.ID || strings.Contains(string(r.Body), "secret") {
		t.Errorf("list = %s", r.Body)
	}

	var got webhookView
	e.Do("PATCH", "/v1/webhooks/"+w.ID, e.A.Bearer(), map[string]any{"status": "disabled"}).JSON(t, &got)
	if got.Status != store.WebhookDisabled || got.URL != w.URL || got.Description != "CRM" || len(got.Events) != 2 {
		t.Errorf("disabled = %+v, want only the status changed", got)
	}
	e.Do("PATCH", "/v1/webhooks/"+w.ID, e.A.Bearer(), map[string]any{"url": "http://example.org/h", "events": []string{"*"},
		"description": "", "status": "active"}).JSON(t, &got)
	if got.Status != store.WebhookActive || got.URL != "http://example.org/h" || got.Description != "" ||
		len(got.Events) != 1 || got.Events[0] != "*" {
		t.Errorf("changed = %+v", got)
	}

	if r := e.Do("DELETE", "/v1/webhooks/"+w.ID, e.A.Bearer(), nil); r.Status != http.StatusNoContent {
		t.Errorf("delete = %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/webhooks/"+w.ID, e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("get after delete = %d, want 404", r.Status)
	}
	if r := e.Do("DELETE", "/v1/webhooks/"+w.ID, e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("delete again = %d, want 404", r.Status)
	}
}

func TestWebhookInvalid(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	w := newWebhook(t, e, "*")
	for name, tc := range map[string]struct {
		method, path string
		body         map[string]any
		field        string
	}{
		"no url":         {"POST", "/v1/webhooks", map[string]any{"events": []string{"*"}}, "url"},
		"ftp url":        {"POST", "/v1/webhooks", map[string]any{"url": "ftp://example.com", "events": []string{"*"}}, "url"},
		"no events":      {"POST", "/v1/webhooks", map[string]any{"url": "https://example.com"}, "events"},
		"unknown event":  {"POST", "/v1/webhooks", map[string]any{"url": "https://example.com", "events": []string{"message.sent"}}, "events"},
		"patch url":      {"PATCH", "/v1/webhooks/" + w.ID, map[string]any{"url": "example.com"}, "url"},
		"patch events":   {"PATCH", "/v1/webhooks/" + w.ID, map[string]any{"events": []string{"dialog.created", "nope"}}, "events"},
		"patch no event": {"PATCH", "/v1/webhooks/" + w.ID, map[string]any{"events": []string{}}, "events"},
		"patch status":   {"PATCH", "/v1/webhooks/" + w.ID, map[string]any{"status": "paused"}, "status"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.Do(tc.method, tc.path, e.A.Bearer(), tc.body)
			var body struct {
				Error struct {
					Code    string
					Details struct{ Field string }
				}
			}
			r.JSON(t, &body)
			if r.Status != http.StatusBadRequest || body.Error.Code != "INVALID" || body.Error.Details.Field != tc.field {
				t.Errorf("%d %s, want 400 naming %s", r.Status, r.Body, tc.field)
			}
		})
	}
	if r := e.Do("GET", "/v1/webhooks/"+w.ID+"/deliveries?limit=0", e.A.Bearer(), nil); r.Status != http.StatusBadRequest {
		t.Errorf("limit=0 = %d, want 400", r.Status)
	}
}

func TestWebhookRotateSecret(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	w := newWebhook(t, e, "*")
	before, err := e.Store.Webhook(t.Context(), e.A.ID, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := e.Do("POST", "/v1/webhooks/"+w.ID+"/rotate-secret", e.A.Bearer(), nil)
	var rotated struct {
		Secret             string
		PreviousValidUntil time.Time `json:"previous_valid_until"`
	}
	r.JSON(t, &rotated)
	if r.Status != http.StatusOK || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == w.Secret {
		t.Fatalf("rotate = %d %s, want a new secret", r.Status, r.Body)
	}
	if d := time.Until(rotated.PreviousValidUntil); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("previous_valid_until in %v, want 24h", d)
	}
	after, err := e.Store.Webhook(t.Context(), e.A.ID, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.PreviousSecret != before.Secret || after.Secret == before.Secret {
		t.Errorf("stored after a rotation: secret changed %v, previous kept %v", after.Secret != before.Secret, after.PreviousSecret == before.Secret)
	}
	if after.PreviousUntil == nil || time.Until(*after.PreviousUntil) < 23*time.Hour || time.Until(*after.PreviousUntil) > 25*time.Hour {
		t.Errorf("previous until %v, want about 24h ahead", after.PreviousUntil)
	}
}

func TestWebhookTestEvent(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	w := newWebhook(t, e, "*")
	r := e.Do("POST", "/v1/webhooks/"+w.ID+"/test", e.A.Bearer(), nil)
	var logged struct {
		EventType string `json:"event_type"`
		WebhookID string `json:"webhook_id"`
	}
	r.JSON(t, &logged)
	if r.Status != http.StatusAccepted || logged.EventType != "webhook.test" || logged.WebhookID != w.ID {
		t.Fatalf("test = %d %s", r.Status, r.Body)
	}
	evs, err := e.Store.Events(t.Context(), e.A.ID, store.EventFilter{Types: []string{"webhook.test"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Data.Extra["webhook_id"] != w.ID {
		t.Errorf("events = %+v, want one webhook.test naming %s", evs, w.ID)
	}
}

func TestWebhookDeliveries(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	w := newWebhook(t, e, "*")
	other := newWebhook(t, e, "*")
	ctx := t.Context()
	e.Do("POST", "/v1/webhooks/"+w.ID+"/test", e.A.Bearer(), nil)
	evs, err := e.Store.Events(ctx, e.A.ID, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.Store.Webhook(ctx, e.A.ID, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.FanOut(ctx, stored.ID, evs); err != nil {
		t.Fatal(err)
	}

	var list struct{ Deliveries []deliveryView }
	e.Do("GET", "/v1/webhooks/"+w.ID+"/deliveries?limit=10", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Deliveries) != 1 || list.Deliveries[0].EventType != "webhook.test" || list.Deliveries[0].Status != store.DeliveryPending {
		t.Fatalf("deliveries = %+v", list.Deliveries)
	}
	d := list.Deliveries[0]
	if err := e.Store.RecordAttempts(ctx, []store.AttemptResult{{DeliveryID: d.ID, Status: 500, Err: "boom"}}); err != nil {
		t.Fatal(err)
	}
	e.Do("GET", "/v1/webhooks/"+w.ID+"/deliveries", e.A.Bearer(), nil).JSON(t, &list)
	if got := list.Deliveries[0]; got.Status != store.DeliveryFailed || got.Attempts != 1 || got.LastStatus != 500 || got.LastError != "boom" {
		t.Fatalf("after a last attempt = %+v, want failed", got)
	}

	retry := "/v1/webhooks/" + w.ID + "/deliveries/" + strconv.FormatInt(d.ID, 10) + "/retry"
	r := e.Do("POST", retry, e.A.Bearer(), nil)
	var retried deliveryView
	r.JSON(t, &retried)
	if r.Status != http.StatusAccepted || retried.Status != store.DeliveryPending || retried.Attempts != 1 || retried.NextAttemptAt == nil {
		t.Errorf("retry = %d %s, want it pending again", r.Status, r.Body)
	}
	for name, path := range map[string]string{
		"another webhook's": "/v1/webhooks/" + other.ID + "/deliveries/" + strconv.FormatInt(d.ID, 10) + "/retry",
		"no such delivery":  "/v1/webhooks/" + w.ID + "/deliveries/999999/retry",
		"not a number":      "/v1/webhooks/" + w.ID + "/deliveries/x/retry",
	} {
		if r := e.Do("POST", path, e.A.Bearer(), nil); r.Status != http.StatusNotFound {
			t.Errorf("retry %s delivery = %d %s, want 404", name, r.Status, r.Body)
		}
	}
	if r := e.Do("POST", retry, e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("retry from another project = %d, want 404", r.Status)
	}
}

func TestWebhookRoles(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	w := newWebhook(t, e, "*")
	body := map[string]any{"url": "https://example.com/hooks", "events": []string{"*"}}
	for _, role := range []store.Role{store.RoleViewer, store.RoleOperator} {
		auth := member(t, e, string(role)+"@example.com", role)
		for _, req := range [][2]string{{"POST", "/v1/webhooks"}, {"GET", "/v1/webhooks"}, {"GET", "/v1/webhooks/" + w.ID},
			{"DELETE", "/v1/webhooks/" + w.ID}, {"POST", "/v1/webhooks/" + w.ID + "/rotate-secret"}} {
			if r := e.Do(req[0], req[1], auth, body); r.Status != http.StatusForbidden {
				t.Errorf("%s %s as %s = %d, want 403", req[0], req[1], role, r.Status)
			}
		}
	}
	if r := e.Do("POST", "/v1/webhooks", e.A.Basic(), body); r.Status != http.StatusCreated {
		t.Errorf("create as the owner = %d %s, want 201", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/webhooks", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("list without credentials = %d, want 401", r.Status)
	}
}

func TestWebhookOtherProject(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	w := newWebhook(t, e, "*")
	for _, req := range [][2]string{{"GET", ""}, {"PATCH", ""}, {"DELETE", ""}, {"POST", "/rotate-secret"}, {"POST", "/test"}, {"GET", "/deliveries"}} {
		var body any
		if req[0] == "PATCH" {
			body = map[string]any{"status": "disabled"}
		}
		if r := e.Do(req[0], "/v1/webhooks/"+w.ID+req[1], e.B.Bearer(), body); r.Status != http.StatusNotFound {
			t.Errorf("%s %s from project B = %d, want 404", req[0], req[1], r.Status)
		}
	}
	r := e.Do("GET", "/v1/webhooks", e.B.Bearer(), nil)
	if r.Status != http.StatusOK || string(r.Body) != `{"webhooks":[]}` {
		t.Errorf("project B's list = %d %s", r.Status, r.Body)
	}
}

// TestWebhookNoSecretKey: a server without a key to seal secrets with
// cannot create webhooks, and says which setting is missing.
func TestWebhookNoSecretKey(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org, err := db.CreateOrganization(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(t.Context(), org.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := db.CreateAPIKey(t.Context(), p.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(server.Deps{Store: db}, native.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/v1/webhooks", strings.NewReader(`{"url": "https://example.com", "events": ["*"]}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotImplemented || !strings.Contains(rec.Body.String(), "NOT_IMPLEMENTED") ||
		!strings.Contains(rec.Body.String(), "PARLEY_SECRET_KEY") {
		t.Errorf("create = %d %s, want 501 naming PARLEY_SECRET_KEY", rec.Code, rec.Body)
	}
}
