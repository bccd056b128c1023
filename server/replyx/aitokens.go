package replyx

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// ReplyX's AI tokens: the installation's pool of model provider keys,
// which the worker calls models with (worker.Model, llm.Pool). A key is
// sealed with the installation's secret key before the store sees it,
// and shown masked.

const aiTokenBody = `{"name": "Backup GPT-3.5", "token": "sk-proj-...", "model_access": ["gpt-3.5-turbo"], "daily_limit": 500, "monthly_limit": 15000, "priority": 2, "notes": "Резервный токен"}`

// errNoSecretKey: without the installation's secret key the keys can be
// neither sealed nor shown.
var errNoSecretKey = store.Errorf(store.EUNAVAILABLE,
	"AI tokens are kept sealed with the installation's secret key: set %s (openssl rand -base64 32) and restart Parley.", secretbox.EnvKey)

// aiTokenJSON is an AI token as ReplyX lists it, with Parley's base_url
// and notes. Token is masked.
type aiTokenJSON struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Token        string    `json:"token"`
	BaseURL      string    `json:"base_url"`
	ModelAccess  []string  `json:"model_access"`
	DailyLimit   int64     `json:"daily_limit"`
	MonthlyLimit int64     `json:"monthly_limit"`
	DailyUsage   int64     `json:"daily_usage"`
	MonthlyUsage int64     `json:"monthly_usage"`
	Priority     int64     `json:"priority"`
	IsActive     bool      `json:"is_active"`
	Notes        string    `json:"notes"`
	CreatedAt    time.Time `json:"created_at"`
}

func aiTokenOf(t *store.AIToken, plain string) aiTokenJSON {
	return aiTokenJSON{ID: t.ID, Name: t.Name, Token: maskKey(plain), BaseURL: t.BaseURL, ModelAccess: t.ModelAccess,
		DailyLimit: t.DailyLimit, MonthlyLimit: t.MonthlyLimit, DailyUsage: t.DailyUsage, MonthlyUsage: t.MonthlyUsage,
		Priority: t.Priority, IsActive: t.Active, Notes: t.Notes, CreatedAt: t.CreatedAt.UTC()}
}

// maskKey shows enough of a key to tell it apart (sk-...wxyz), and
// nothing of one too short to hide most of it.
func maskKey(key string) string {
	r := []rune(key)
	if len(r) < 12 {
		return "..."
	}
	return string(r[:3]) + "..." + string(r[len(r)-4:])
}

// listAITokens is GET /api/admin/ai-tokens: every token, first tried
// first, with its calls today and this month (UTC).
func (h *handlers) listAITokens(c *gin.Context) {
	if h.Secrets == nil {
		fail(c, errNoSecretKey)
		return
	}
	tokens, err := h.Store.AITokens(c.Request.Context(), time.Now())
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]aiTokenJSON, len(tokens))
	for i := range tokens {
		plain, _ := h.Secrets.Open(tokens[i].Sealed) // one sealed under another key shows as "..."
		out[i] = aiTokenOf(&tokens[i], plain)
	}
	c.JSON(http.StatusOK, out)
}

// createAIToken is POST /api/admin/ai-tokens. Priority defaults to 1 and
// is_active to true.
func (h *handlers) createAIToken(c *gin.Context) {
	var body struct {
		Name         string   `json:"name"`
		Token        string   `json:"token"`
		BaseURL      string   `json:"base_url"`
		ModelAccess  []string `json:"model_access"`
		DailyLimit   int64    `json:"daily_limit"`
		MonthlyLimit int64    `json:"monthly_limit"`
		Priority     *int64   `json:"priority"`
		IsActive     *bool    `json:"is_active"`
		Notes        string   `json:"notes"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: aiTokenBody}); err != nil {
		fail(c, err)
		return
	}
	if h.Secrets == nil {
		fail(c, errNoSecretKey)
		return
	}
	t := &store.AIToken{Name: body.Name, BaseURL: body.BaseURL, ModelAccess: body.ModelAccess, DailyLimit: body.DailyLimit,
		MonthlyLimit: body.MonthlyLimit, Priority: 1, Active: true, Notes: body.Notes}
	if body.Priority != nil {
		t.Priority = *body.Priority
	}
	if body.IsActive != nil {
		t.Active = *body.IsActive
	}
	// An empty key is left unsealed for the store to refuse, after the
	// name: its errors come in the order of the body's fields.
	plain := strings.TrimSpace(body.Token)
	if plain != "" {
		sealed, err := h.Secrets.Seal(plain)
		if err != nil {
			fail(c, err)
			return
		}
		t.Sealed = sealed
	}
	if err := h.checkBaseURL(c, t.BaseURL); err != nil {
		fail(c, err)
		return
	}
	if err := h.Store.CreateAIToken(c.Request.Context(), t); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, aiTokenOf(t, plain))
}

// checkBaseURL refuses, when it is configured, a base URL on an address
// the server's policy (PARLEY_ALLOW_PRIVATE_URLS) does not allow, as
// webhook URLs are; the worker's client checks again when it connects. A
// URL that is not http(s) is the store's to refuse.
func (h *handlers) checkBaseURL(c *gin.Context, raw string) error {
	if _, err := netguard.ParseURL(strings.TrimSpace(raw)); err != nil {
		return nil
	}
	policy, err := h.URLGuard()
	if err != nil {
		return err
	}
	if err := policy.CheckURL(c.Request.Context(), strings.TrimSpace(raw)); err != nil {
		return store.FieldErrorf(store.EINVALID, "base_url", "The base_url is refused: %s.", netguard.Reason(err))
	}
	return nil
}
