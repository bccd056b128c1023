package worken_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram"
	"github.com/parleyhq/parley/telegram/telegramtest"
)

const (
	tgToken = "7123456789:AAH-test-token-never-shown"
	tgBot   = `bot: tgbot
name: Telegram bot
variables:
  topic: { type: string }
  more: { type: string }
start: ask
nodes:
  ask:
    kind: question
    text: What can I help you with?
    input: { type: choice, options: [Billing, Talk to a person] }
    save: topic
    next: chosen
  chosen:
    kind: message
    text: "You chose {{ topic }}."
    next: again
  again:
    kind: question
    text: Anything else?
    save: more
    next: ask
`
)

type tgIntegration struct {
	ID, Name, Vendor, Status string
	ProjectID                string `json:"project_id"`
}

type tgChat struct {
	ID, Name, Status string
	BotID            string  `json:"bot_id"`
	IntegrationID    *string `json:"integration_id"`
}

// telegramEnv is a Worken API whose Telegram client calls a fake Bot API,
// with a worker running the integrations' workflows (long polling, or the
// webhook when webhook is set) and tgBot published as tgbot.
func telegramEnv(t *testing.T, webhook bool) (*servertest.Env, *telegramtest.Fake) {
	return telegramEnvWith(t, tgEnvOptions{webhook: webhook, bot: tgBot})
}

// tgEnvOptions shape a telegramEnvWith: the webhook or long polling, the
// channel's per-chat interval (0: the default) and tgbot's flow.
type tgEnvOptions struct {
	webhook  bool
	interval time.Duration
	bot      string
}

func telegramEnvWith(t *testing.T, o tgEnvOptions) (*servertest.Env, *telegramtest.Fake) {
	t.Helper()
	fake := telegramtest.New(t, tgToken)
	t.Setenv(telegram.EnvAPIURL, fake.URL)
	t.Setenv(telegram.EnvPublicURL, "")
	e := newEnv(t)
	ch := telegram.FromEnv(e.Store, e.Dialogs, e.Secrets, nil)
	if o.webhook {
		ch.PublicURL = e.URL
	}
	ch.ChatInterval = o.interval
	w := worker.New(e.Temporal, telegram.TaskQueue, worker.Options{})
	telegram.Register(w, &telegram.Activities{Channel: ch, Bus: e.Bus, Poll: time.Second})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	if _, err := e.Dialogs.Publish(t.Context(), e.A.ID, "tgbot", o.bot, "test"); err != nil {
		t.Fatal(err)
	}
	return e, fake
}

// connect makes a Telegram integration with a chat of the tgbot bot.
func connect(t *testing.T, e *servertest.Env) (tgIntegration, tgChat) {
	t.Helper()
	auth := "Bearer " + e.A.APIKey
	var in tgIntegration
	r := e.Do("POST", "/integrations", auth, map[string]any{"name": "Support", "vendor": "telegram", "auth_data": map[string]any{"token": tgToken}})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &in)
	bot, err := e.Store.Bot(t.Context(), e.A.ID, "tgbot")
	if err != nil {
		t.Fatal(err)
	}
	var c tgChat
	r = e.Do("POST", "/integrations/"+in.ID+"/chats", auth, map[string]any{"bot_id": bot.UUID, "name": "Telegram"})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &c)
	if c.BotID != bot.UUID || c.IntegrationID == nil || *c.IntegrationID != in.ID || c.Status != "active" {
		t.Fatalf("the chat: %+v", c)
	}
	return in, c
}

func wantStatus(t *testing.T, r *servertest.Response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	if strings.Contains(string(r.Body), tgToken) || strings.Contains(string(r.Body), `"auth_data":`) {
		t.Fatalf("a response shows the credentials: %s", r.Body)
	}
}

var alice = map[string]any{"id": 501, "is_bot": false, "first_name": "Alice", "last_name": "Liddell", "username": "alice"}

// A Telegram user writes, gets buttons, taps one, is handed to an
// operator, and gets the operator's answer on Telegram.
func TestIntegrationTelegramConversation(t *testing.T) {
	e, fake := telegramEnv(t, false)
	auth := "Bearer " + e.A.APIKey
	in, c := connect(t, e)

	r := e.Do("GET", "/integrations/"+in.ID+"/profile", auth, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"username":"parley_test_bot"`) || !strings.Contains(string(r.Body), `"id":"7123456789"`) {
		t.Errorf("profile: %s", r.Body)
	}

	fake.Write(555, alice, "/start")
	ask := fake.WaitSent(t, "the question with buttons", func(m telegramtest.Sent) bool {
		return m.ChatID == "555" && m.Text == "What can I help you with?" && m.ReplyMarkup != nil
	})
	if len(ask.ReplyMarkup.InlineKeyboard) != 2 || ask.ReplyMarkup.InlineKeyboard[0][0].Text != "Billing" {
		t.Fatalf("keyboard: %+v", ask.ReplyMarkup)
	}
	for _, row := range ask.ReplyMarkup.InlineKeyboard {
		if len(row[0].CallbackData) > telegram.MaxCallbackData {
			t.Errorf("callback_data %q is over 64 bytes", row[0].CallbackData)
		}
	}
	fake.Tap(555, alice, ask, ask.ReplyMarkup.InlineKeyboard[0][0].CallbackData)
	fake.WaitSent(t, "the answer to the tap", func(m telegramtest.Sent) bool { return m.Text == "You chose Billing." })
	fake.Mu.Lock()
	answered := len(fake.Answered)
	fake.Mu.Unlock()
	if answered != 1 {
		t.Errorf("answerCallbackQuery calls: %d, want 1", answered)
	}

	var threads []struct{ ID, Mode string }
	r = e.Do("GET", "/chats/"+c.ID+"/threads", auth, nil)
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &threads)
	if len(threads) != 1 {
		t.Fatalf("threads of the chat: %s", r.Body)
	}
	th := threads[0].ID
	r = e.Do("GET", "/threads/"+th, auth, nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{`"name":"Alice Liddell"`, `"external_id":"555"`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("thread detail %s lacks %s", r.Body, want)
		}
	}
	r = e.Do("GET", "/chats/"+c.ID+"/threads/"+th+"/messages", auth, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"role":"user","content":"Billing"`) {
		t.Errorf("the tap is not the user's message Billing: %s", r.Body)
	}

	wantStatus(t, e.Do("POST", "/chats/"+c.ID+"/threads/"+th+"/mode", auth, map[string]any{"mode": "manual"}), http.StatusOK)
	wantStatus(t, e.Do("POST", "/threads/"+th+"/send", auth, map[string]any{"text": "Hi Alice, this is Kate."}), http.StatusOK)
	fake.WaitSent(t, "the operator's answer", func(m telegramtest.Sent) bool { return m.ChatID == "555" && m.Text == "Hi Alice, this is Kate." })

	// Every integration route, read by another project, is a 404.
	other := "Bearer " + e.B.APIKey
	for _, rq := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/integrations/" + in.ID, nil},
		{"POST", "/integrations/" + in.ID, map[string]any{"name": "mine"}},
		{"GET", "/integrations/" + in.ID + "/profile", nil},
		{"POST", "/integrations/" + in.ID + "/oauth/start", nil},
		{"GET", "/integrations/" + in.ID + "/chats", nil},
		{"POST", "/integrations/" + in.ID + "/chats/" + c.ID, map[string]any{"name": "mine"}},
		{"POST", "/integrations/" + in.ID + "/chats/" + c.ID + "/status", map[string]any{"status": "disabled"}},
		{"DELETE", "/integrations/" + in.ID + "/chats/" + c.ID, nil},
		{"DELETE", "/integrations/" + in.ID, nil},
	} {
		wantStatus(t, e.Do(rq.method, rq.path, other, rq.body), http.StatusNotFound)
	}
	var list []tgIntegration
	r = e.Do("GET", "/integrations", other, nil)
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &list)
	if len(list) != 0 {
		t.Errorf("another project lists %s", r.Body)
	}
}

// A token Telegram revokes marks the integration error, with an
// integration.auth_lost event.
func TestIntegrationTelegramRevokedToken(t *testing.T) {
	e, fake := telegramEnv(t, false)
	auth := "Bearer " + e.A.APIKey
	in, _ := connect(t, e)
	fake.Revoke(tgToken)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got tgIntegration
		r := e.Do("GET", "/integrations/"+in.ID, auth, nil)
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &got)
		if got.Status == "error" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the integration is still %s", got.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	evs, err := e.Store.Events(t.Context(), e.A.ID, store.EventFilter{Types: []string{store.EventIntegrationAuthLost}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Data.Extra["integration_id"] != in.ID {
		t.Fatalf("auth lost events: %+v", evs)
	}
	wantStatus(t, e.Do("GET", "/integrations/"+in.ID+"/profile", auth, nil), http.StatusUnprocessableEntity)
	// A new token is checked before it is kept.
	wantStatus(t, e.Do("POST", "/integrations/"+in.ID, auth, map[string]any{"auth_data": map[string]any{"token": "1:bad"}}),
		http.StatusUnprocessableEntity)
}

// With a public URL, updates come by webhook, whose secret token is
// checked on every call.
func TestIntegrationTelegramWebhook(t *testing.T) {
	e, fake := telegramEnv(t, true)
	in, _ := connect(t, e)
	url, secret := fake.WaitWebhook(t)
	if url != e.URL+"/integrations/"+in.ID+"/telegram/webhook" || secret == "" {
		t.Fatalf("webhook %q with secret %q", url, secret)
	}
	update := map[string]any{"update_id": 1, "message": map[string]any{"message_id": 1, "from": alice, "date": 1,
		"chat": map[string]any{"id": 777, "type": "private"}, "text": "/start"}}
	for _, bad := range []string{"", "wrong"} {
		r := e.DoWith("POST", "/integrations/"+in.ID+"/telegram/webhook", http.Header{telegram.SecretHeader: {bad}}, update)
		wantStatus(t, r, http.StatusUnauthorized)
	}
	r := e.DoWith("POST", "/integrations/"+in.ID+"/telegram/webhook", http.Header{telegram.SecretHeader: {secret}}, update)
	wantStatus(t, r, http.StatusOK)
	fake.WaitSent(t, "the greeting", func(m telegramtest.Sent) bool { return m.ChatID == "777" && m.Text == "What can I help you with?" })
}

// Every vendor is stored; an unknown one is 422; vendors with no channel
// say so; OAuth needs its client's variables.
func TestIntegrationVendors(t *testing.T) {
	e, _ := telegramEnv(t, false)
	auth := "Bearer " + e.A.APIKey
	wantStatus(t, e.Do("POST", "/integrations", auth, map[string]any{"name": "x", "vendor": "icq", "auth_data": map[string]any{}}),
		http.StatusUnprocessableEntity)
	wantStatus(t, e.Do("POST", "/integrations", auth, map[string]any{"name": "x", "vendor": "telegram", "auth_data": map[string]any{"token": "1:nope"}}),
		http.StatusUnprocessableEntity)
	for _, v := range store.IntegrationVendors {
		if v == "telegram" {
			continue
		}
		var in tgIntegration
		r := e.Do("POST", "/integrations", auth, map[string]any{"name": v, "vendor": v, "auth_data": map[string]any{"access_token": "secret-" + v}})
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &in)
		if in.Vendor != v || in.Status != "active" || strings.Contains(string(r.Body), "secret-") {
			t.Fatalf("%s: %s", v, r.Body)
		}
		if v != "worken" {
			r = e.Do("GET", "/integrations/"+in.ID+"/profile", auth, nil)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if !strings.Contains(string(r.Body), "no "+v+" channel") {
				t.Errorf("%s profile: %s", v, r.Body)
			}
		}
		if v == "amocrm" {
			r = e.Do("POST", "/integrations/"+in.ID+"/oauth/start", auth, nil)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if !strings.Contains(string(r.Body), "PARLEY_OAUTH_AMOCRM_CLIENT_ID") {
				t.Errorf("oauth/start without a client: %s", r.Body)
			}
			t.Setenv("PARLEY_OAUTH_AMOCRM_CLIENT_ID", "cid")
			t.Setenv("PARLEY_OAUTH_AMOCRM_CLIENT_SECRET", "csecret")
			r = e.Do("POST", "/integrations/"+in.ID+"/oauth/start", auth, nil)
			wantStatus(t, r, http.StatusOK)
			for _, want := range []string{"client_id=cid", "code_challenge_method=S256", "state="} {
				if !strings.Contains(string(r.Body), want) {
					t.Errorf("oauth/start %s lacks %s", r.Body, want)
				}
			}
		}
	}
	r := e.Do("GET", "/integrations", auth, nil)
	wantStatus(t, r, http.StatusOK)
	var all []tgIntegration
	r.JSON(t, &all)
	if len(all) != len(store.IntegrationVendors)-1 {
		t.Errorf("listed %d integrations", len(all))
	}
}

// A Telegram bot one integration has cannot be given to a second, of this
// project or another (Telegram sends a bot's updates to one place only,
// so the second would silently take them); another project's integration
// is not named. The integration itself may send its own token again.
func TestIntegrationTelegramBotTaken(t *testing.T) {
	e, _ := telegramEnv(t, false)
	in, _ := connect(t, e)
	body := map[string]any{"name": "Again", "vendor": "telegram", "auth_data": map[string]any{"token": tgToken}}
	for who, auth := range map[string]string{"this project": "Bearer " + e.A.APIKey, "another project": "Bearer " + e.B.APIKey} {
		r := e.Do("POST", "/integrations", auth, body)
		var got apiError
		r.JSON(t, &got)
		if r.Status != http.StatusConflict || got.Error.Param != "auth_data.token" || !strings.Contains(got.Error.Message, "connected") ||
			who == "another project" && strings.Contains(got.Error.Message, "Support") {
			t.Errorf("%s: %d %s", who, r.Status, r.Body)
		}
		var list []tgIntegration
		e.Do("GET", "/integrations", auth, nil).JSON(t, &list)
		if want := map[string]int{"this project": 1, "another project": 0}[who]; len(list) != want {
			t.Errorf("%s has %d integrations after the refusal, want %d", who, len(list), want)
		}
	}
	r := e.Do("POST", "/integrations/"+in.ID, "Bearer "+e.A.APIKey, map[string]any{"auth_data": map[string]any{"token": tgToken}})
	wantStatus(t, r, http.StatusOK)
}

// A Telegram that cannot be reached is 502 bad_gateway, saying to try
// again, not a 422 blaming the token; nothing is stored.
func TestIntegrationTelegramUnreachable(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // its address refuses connections now
	t.Setenv(telegram.EnvAPIURL, down.URL)
	e := newEnv(t)
	auth := "Bearer " + e.A.APIKey
	r := e.Do("POST", "/integrations", auth, map[string]any{"name": "x", "vendor": "telegram", "auth_data": map[string]any{"token": tgToken}})
	var body apiError
	r.JSON(t, &body)
	if r.Status != http.StatusBadGateway || body.Error.Code != "bad_gateway" || body.Error.Type != "server_error" ||
		!strings.Contains(body.Error.Message, "try again later") {
		t.Errorf("unreachable Telegram: %d %s", r.Status, r.Body)
	}
	var list []tgIntegration
	e.Do("GET", "/integrations", auth, nil).JSON(t, &list)
	if len(list) != 0 {
		t.Errorf("stored anyway: %+v", list)
	}
}

// A body that is not JSON is a 400 that says so on every integration
// route that takes one (they answered an empty 200 before).
func TestIntegrationBadBodies(t *testing.T) {
	e := newEnv(t)
	auth := "Bearer " + e.A.APIKey
	var in tgIntegration
	r := e.Do("POST", "/integrations", auth, map[string]any{"name": "Site", "vendor": "worken", "auth_data": map[string]any{}})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &in)
	b := createBot(t, e, e.A, "Site bot")
	var ch tgChat
	r = e.Do("POST", "/integrations/"+in.ID+"/chats", auth, map[string]any{"bot_id": b.ID, "name": "Site", "settings": map[string]any{"allowed_origins": []string{"https://example.com"}}})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &ch)
	for _, path := range []string{"/integrations", "/integrations/" + in.ID, "/integrations/" + in.ID + "/chats",
		"/integrations/" + in.ID + "/chats/" + ch.ID, "/integrations/" + in.ID + "/chats/" + ch.ID + "/status"} {
		r := send(t, e, "POST", path, auth, "application/json", []byte("name=x"), nil)
		wantError(t, r, http.StatusBadRequest, "JSON")
	}
}
