package replyx_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
)

type aiTokenView struct {
	ID           int64
	Name         string
	Token        string
	BaseURL      string   `json:"base_url"`
	ModelAccess  []string `json:"model_access"`
	DailyLimit   int64    `json:"daily_limit"`
	MonthlyLimit int64    `json:"monthly_limit"`
	DailyUsage   int64    `json:"daily_usage"`
	MonthlyUsage int64    `json:"monthly_usage"`
	Priority     int64
	IsActive     bool `json:"is_active"`
	Notes        string
}

// TestAITokens: only an administrator manages the pool; keys are created
// with the document's body, listed first tried first with their usage,
// shown masked and stored sealed, never in plain; bad fields are 422
// naming the field.
func TestAITokens(t *testing.T) {
	e := servertest.New(t, replyx.Dialect)
	user := signUp(t, e, "user@example.com", "password123")
	wantError(t, e.Do("GET", "/api/admin/ai-tokens", user, nil), http.StatusForbidden, "INSUFFICIENT_PERMISSIONS", "")
	wantError(t, e.Do("POST", "/api/admin/ai-tokens", user, map[string]any{"name": "x", "token": "sk-x"}),
		http.StatusForbidden, "INSUFFICIENT_PERMISSIONS", "")
	admin := signUpAdmin(t, e, "admin@example.com")

	const backupKey, primaryKey = "sk-proj-backup-0123456789wxyz", "sk-primary-abcdefghij1234"
	var backup aiTokenView
	r := e.Do("POST", "/api/admin/ai-tokens", admin, map[string]any{"name": "Backup GPT-3.5", "token": backupKey,
		"model_access": []string{"gpt-3.5-turbo"}, "daily_limit": 500, "monthly_limit": 15000, "priority": 2, "notes": "Резервный токен"})
	r.JSON(t, &backup)
	if r.Status != http.StatusCreated || backup.Token != "sk-...wxyz" || backup.Priority != 2 || !backup.IsActive || backup.DailyLimit != 500 {
		t.Fatalf("created %d %s", r.Status, r.Body)
	}
	r = e.Do("POST", "/api/admin/ai-tokens", admin, map[string]any{"name": "Primary", "token": primaryKey,
		"base_url": "https://openrouter.ai/api/v1"})
	if r.Status != http.StatusCreated {
		t.Fatalf("created %d %s", r.Status, r.Body)
	}
	if err := e.Store.RecordAITokenUse(t.Context(), backup.ID, time.Now(), 12); err != nil {
		t.Fatal(err)
	}

	var list []aiTokenView
	r = e.Do("GET", "/api/admin/ai-tokens", admin, nil)
	r.JSON(t, &list)
	if len(list) != 2 || list[0].Name != "Primary" || list[0].Priority != 1 || list[0].Token != "sk-...1234" ||
		len(list[0].ModelAccess) != 0 || list[0].BaseURL != "https://openrouter.ai/api/v1" ||
		list[1].Name != "Backup GPT-3.5" || list[1].Notes != "Резервный токен" || list[1].DailyUsage != 1 || list[1].MonthlyUsage != 1 {
		t.Fatalf("list: %s", r.Body)
	}
	if body := string(r.Body); strings.Contains(body, backupKey) || strings.Contains(body, primaryKey) {
		t.Errorf("the list shows a plain key: %s", body)
	}
	stored, err := e.Store.AITokens(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range stored {
		if strings.Contains(tok.Sealed, "sk-") {
			t.Errorf("token %d is stored as %q, not sealed", tok.ID, tok.Sealed)
		}
		if plain, err := e.Secrets.Open(tok.Sealed); err != nil || (plain != backupKey && plain != primaryKey) {
			t.Errorf("token %d does not open to its key: %q, %v", tok.ID, plain, err)
		}
	}

	var short aiTokenView
	e.Do("POST", "/api/admin/ai-tokens", admin, map[string]any{"name": "Ollama", "token": "sk-short", "is_active": false}).JSON(t, &short)
	if short.Token != "..." || short.IsActive {
		t.Errorf("a short key: %+v", short)
	}

	for field, body := range map[string]map[string]any{
		"name":          {"token": "sk-x"},
		"token":         {"name": "n", "token": "  "},
		"daily_limit":   {"name": "n", "token": "sk-x", "daily_limit": -1},
		"priority":      {"name": "n", "token": "sk-x", "priority": -1},
		"model_access":  {"name": "n", "token": "sk-x", "model_access": []string{""}},
		"base_url":      {"name": "n", "token": "sk-x", "base_url": "openrouter.ai"},
		"monthly_limit": {"name": "n", "token": "sk-x", "monthly_limit": -5},
	} {
		wantError(t, e.Do("POST", "/api/admin/ai-tokens", admin, body), http.StatusUnprocessableEntity, "VALIDATION_ERROR", field)
	}
	// An internal address the server's policy does not allow (the cloud
	// metadata service) is refused when it is configured.
	wantError(t, e.Do("POST", "/api/admin/ai-tokens", admin, map[string]any{"name": "n", "token": "sk-x", "base_url": "http://169.254.169.254/v1"}),
		http.StatusUnprocessableEntity, "VALIDATION_ERROR", "base_url")
	wantError(t, e.Do("POST", "/api/admin/ai-tokens", admin, map[string]any{"name": "n", "token": 5}),
		http.StatusBadRequest, "BAD_REQUEST", "")
}
