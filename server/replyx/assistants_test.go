package replyx_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram"
	"github.com/parleyhq/parley/telegram/telegramtest"
)

type assistantView struct {
	ID                  int64
	Name                string
	Description         *string
	SystemPrompt        string   `json:"system_prompt"`
	AIModel             string   `json:"ai_model"`
	IsActive            bool     `json:"is_active"`
	TelegramBotToken    *string  `json:"telegram_bot_token"`
	TelegramBotUsername *string  `json:"telegram_bot_username"`
	WebsiteIntegration  bool     `json:"website_integration"`
	AllowedDomains      []string `json:"allowed_domains"`
	SiteToken           *string  `json:"site_token"`
	CreatedAt           string   `json:"created_at"`
}

// Telegram tokens the fake Bot API knows: two bots.
const (
	supportToken = "1234567890:ABCdefGHIjkl"
	salesToken   = "7000000001:XYZuvwRST"
	// reissuedSales is the sales bot's token after BotFather reissued it.
	reissuedSales = "7000000001:REIssued99"
)

// assistantEnv is a ReplyX server with a fake Telegram and a worker
// running the Telegram integrations' workflows.
func assistantEnv(t *testing.T) (*servertest.Env, *telegramtest.Fake) {
	t.Helper()
	fake := telegramtest.New(t, supportToken, salesToken, reissuedSales)
	t.Setenv(telegram.EnvAPIURL, fake.URL)
	t.Setenv(telegram.EnvPublicURL, "")
	e := servertest.New(t, native.Dialect, replyx.Dialect, widget.Dialect)
	w := worker.New(e.Temporal, telegram.TaskQueue, worker.Options{})
	ch := telegram.FromEnv(e.Store, e.Dialogs, e.Secrets, nil)
	telegram.Register(w, &telegram.Activities{Channel: ch, Bus: e.Bus, Poll: time.Second})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return e, fake
}

// telegramIntegrations are a project's Telegram integrations' names.
func telegramIntegrations(t *testing.T, e *servertest.Env, project int64) []string {
	t.Helper()
	ins, err := e.Store.ProjectIntegrations(t.Context(), project)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range ins {
		names = append(names, in.Name)
	}
	return names
}

// startWidget starts a widget dialog with a site token from a page of
// origin, and returns the answer's status.
func startWidget(e *servertest.Env, siteToken, origin string) int {
	h := http.Header{widget.SiteTokenHeader: {siteToken}, "Origin": {origin}}
	return e.DoWith("POST", "/widget/v1/dialogs", h, map[string]any{}).Status
}

// TestAssistants: the document's create body makes a bot with its
// settings, a working Telegram channel and a website integration; the
// document's update body changes them; Telegram tokens are checked, kept
// one per bot and shown masked; delete takes it all away.
func TestAssistants(t *testing.T) {
	e, _ := assistantEnv(t)
	key := e.A.Bearer()
	var a assistantView
	r := e.Do("POST", "/api/assistants", key, map[string]any{
		"name": "Мой ассистент", "description": "Описание ассистента", "system_prompt": "Системный промпт для AI",
		"ai_model": "gpt-3.5-turbo", "telegram_bot_token": supportToken, "website_integration": true,
		"allowed_domains": []string{"example.com", "test.com"}})
	r.JSON(t, &a)
	if r.Status != http.StatusOK || a.ID == 0 || a.Name != "Мой ассистент" || a.Description == nil || *a.Description != "Описание ассистента" ||
		a.SystemPrompt != "Системный промпт для AI" || a.AIModel != "gpt-3.5-turbo" || !a.IsActive ||
		a.TelegramBotToken == nil || *a.TelegramBotToken != "1234567890:ABC..." ||
		a.TelegramBotUsername == nil || *a.TelegramBotUsername != "parley_1234567890_bot" ||
		!a.WebsiteIntegration || fmt.Sprint(a.AllowedDomains) != "[example.com test.com]" || a.SiteToken == nil {
		t.Fatalf("created: %d %s", r.Status, r.Body)
	}
	ctx := t.Context()
	b, err := e.Store.BotByID(ctx, e.A.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Store.FlowVersion(ctx, b.ID, b.CurrentVersion)
	if err != nil || !strings.Contains(v.Source, "instruction: Системный промпт для AI") || !strings.Contains(v.Source, "id: gpt-3.5-turbo") {
		t.Errorf("the bot's flow: %v\n%s", err, v.Source)
	}
	if got := telegramIntegrations(t, e, e.A.ID); fmt.Sprint(got) != "[@parley_1234567890_bot]" {
		t.Errorf("integrations %v", got)
	}
	siteToken := *a.SiteToken
	if s := startWidget(e, siteToken, "https://example.com"); s != http.StatusCreated {
		t.Errorf("the widget from an allowed domain: %d", s)
	}
	if s := startWidget(e, siteToken, "https://evil.example"); s != http.StatusForbidden {
		t.Errorf("the widget from another domain: %d", s)
	}

	t.Run("tokens Telegram refuses or another assistant has", func(t *testing.T) {
		wantError(t, e.Do("POST", "/api/assistants", key, map[string]any{"name": "Twin", "telegram_bot_token": supportToken}),
			http.StatusConflict, "BOT_ALREADY_EXISTS", "telegram_bot_token")
		wantError(t, e.Do("POST", "/api/assistants", key, map[string]any{"name": "Typo", "telegram_bot_token": "123:nope"}),
			http.StatusUnprocessableEntity, "INVALID_TELEGRAM_TOKEN", "telegram_bot_token")
		var list []assistantView
		e.Do("GET", "/api/assistants", key, nil).JSON(t, &list)
		if len(list) != 1 || list[0].ID != a.ID || *list[0].TelegramBotToken != "1234567890:ABC..." {
			t.Errorf("after refused creates: %+v", list)
		}
	})

	t.Run("bad bodies", func(t *testing.T) {
		wantError(t, e.Do("POST", "/api/assistants", key, map[string]any{"system_prompt": "x"}), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "name")
		wantError(t, e.Do("POST", "/api/assistants", key, map[string]any{"name": "Web", "website_integration": true}),
			http.StatusUnprocessableEntity, "VALIDATION_ERROR", "allowed_domains")
		wantError(t, e.Do("PUT", fmt.Sprintf("/api/assistants/%d", a.ID), key, map[string]any{"allowed_domains": []string{"not a domain/x"}}),
			http.StatusUnprocessableEntity, "VALIDATION_ERROR", "allowed_domains")
		wantError(t, e.Do("PUT", fmt.Sprintf("/api/assistants/%d", a.ID), key, map[string]any{"name": ""}),
			http.StatusUnprocessableEntity, "VALIDATION_ERROR", "name")
		wantError(t, e.Do("PUT", fmt.Sprintf("/api/assistants/%d", a.ID), key, []byte("[]")), http.StatusBadRequest, "BAD_REQUEST", "")
	})

	path := fmt.Sprintf("/api/assistants/%d", a.ID)
	t.Run("another project's assistant", func(t *testing.T) {
		wantError(t, e.Do("PUT", path, e.B.Bearer(), map[string]any{"name": "Mine"}), http.StatusNotFound, "NOT_FOUND", "")
		wantError(t, e.Do("DELETE", path, e.B.Bearer(), nil), http.StatusNotFound, "NOT_FOUND", "")
		var theirs []assistantView
		e.Do("GET", "/api/assistants", e.B.Bearer(), nil).JSON(t, &theirs)
		if len(theirs) != 0 {
			t.Errorf("B lists %+v", theirs)
		}
	})

	var updated assistantView
	r = e.Do("PUT", path, key, map[string]any{"name": "Обновленное имя", "system_prompt": "Новый промпт", "is_active": false})
	r.JSON(t, &updated)
	if r.Status != http.StatusOK || updated.Name != "Обновленное имя" || updated.SystemPrompt != "Новый промпт" || updated.IsActive ||
		updated.AIModel != "gpt-3.5-turbo" || *updated.SiteToken != siteToken {
		t.Errorf("updated: %d %s", r.Status, r.Body)
	}
	if b, _ := e.Store.BotByID(ctx, e.A.ID, a.ID); b.Status != store.BotDisabled || b.CurrentVersion != 2 {
		t.Errorf("the bot after the update: %+v", b)
	}

	e.Do("PUT", path, key, map[string]any{"allowed_domains": []string{"shop.example", "http://localhost:3000"}}).JSON(t, &updated)
	if fmt.Sprint(updated.AllowedDomains) != "[shop.example http://localhost:3000]" || *updated.SiteToken != siteToken {
		t.Errorf("new domains: %+v", updated)
	}
	if s := startWidget(e, siteToken, "https://example.com"); s != http.StatusForbidden {
		t.Errorf("the widget from a domain no longer allowed: %d", s)
	}

	t.Run("a Telegram bot another project has", func(t *testing.T) {
		theirs := e.Do("POST", "/api/assistants", e.B.Bearer(), map[string]any{"name": "Sales", "telegram_bot_token": salesToken})
		var their assistantView
		theirs.JSON(t, &their)
		r := e.Do("PUT", path, key, map[string]any{"telegram_bot_token": salesToken})
		wantError(t, r, http.StatusConflict, "BOT_ALREADY_EXISTS", "telegram_bot_token")
		if strings.Contains(string(r.Body), "Sales") || !strings.Contains(string(r.Body), "another Parley project") {
			t.Errorf("the refusal names the other project's integration or not the reason: %s", r.Body)
		}
		if got := telegramIntegrations(t, e, e.A.ID); fmt.Sprint(got) != "[@parley_1234567890_bot]" {
			t.Errorf("a refused swap must keep the Telegram bot the assistant had: %v", got)
		}
		if r := e.Do("DELETE", fmt.Sprintf("/api/assistants/%d", their.ID), e.B.Bearer(), nil); r.Status != http.StatusOK {
			t.Fatalf("B deleting its assistant: %d %s", r.Status, r.Body)
		}
	})

	e.Do("PUT", path, key, map[string]any{"telegram_bot_token": salesToken}).JSON(t, &updated)
	if *updated.TelegramBotUsername != "parley_7000000001_bot" || *updated.TelegramBotToken != "7000000001:XYZ..." {
		t.Errorf("another Telegram bot: %+v", updated)
	}
	if got := telegramIntegrations(t, e, e.A.ID); fmt.Sprint(got) != "[@parley_7000000001_bot]" {
		t.Errorf("integrations after the swap %v", got)
	}
	e.Do("PUT", path, key, map[string]any{"telegram_bot_token": reissuedSales}).JSON(t, &updated)
	if *updated.TelegramBotToken != "7000000001:REI..." || *updated.TelegramBotUsername != "parley_7000000001_bot" {
		t.Errorf("the same Telegram bot's reissued token: %+v", updated)
	}
	if got := telegramIntegrations(t, e, e.A.ID); fmt.Sprint(got) != "[@parley_7000000001_bot]" {
		t.Errorf("integrations after the reissued token %v", got)
	}
	e.Do("PUT", path, key, map[string]any{"telegram_bot_token": "", "website_integration": false}).JSON(t, &updated)
	if updated.TelegramBotToken != nil || updated.WebsiteIntegration || updated.SiteToken != nil || len(updated.AllowedDomains) != 0 {
		t.Errorf("without channels: %+v", updated)
	}
	if got := telegramIntegrations(t, e, e.A.ID); len(got) != 0 {
		t.Errorf("integrations after disconnecting: %v", got)
	}

	e.Do("PUT", path, key, map[string]any{"telegram_bot_token": supportToken})
	if r := e.Do("DELETE", path, key, nil); r.Status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	var list []assistantView
	e.Do("GET", "/api/assistants", key, nil).JSON(t, &list)
	if len(list) != 0 || len(telegramIntegrations(t, e, e.A.ID)) != 0 {
		t.Errorf("after delete: %+v, integrations %v", list, telegramIntegrations(t, e, e.A.ID))
	}
	wantError(t, e.Do("PUT", path, key, map[string]any{"name": "Back"}), http.StatusNotFound, "NOT_FOUND", "")
	wantError(t, e.Do("DELETE", "/api/assistants/abc", key, nil), http.StatusNotFound, "NOT_FOUND", "")
}
