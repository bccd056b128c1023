package replyx

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/flows/botflow"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram"
)

// A ReplyX assistant is a Parley bot made by a settings form (botflow):
// its id is the bot's id, system_prompt and ai_model are its flow's
// settings.ai.instruction and settings.ai.model.id, is_active is its
// status. Its Telegram bot is a Telegram integration with one channel,
// the bot's; its website integration a widget channel whose origins are
// allowed_domains.

const (
	assistantBody       = `{"name": "Support", "system_prompt": "You answer questions about our shop.", "ai_model": "gpt-4o-mini"}`
	assistantAuthor     = "replyx api"
	maxAssistantNameLen = 120
)

// assistantJSON is ReplyX's assistant. SiteToken is Parley's addition:
// the X-Site-Token of its website integration.
type assistantJSON struct {
	ID                  int64     `json:"id"`
	Name                string    `json:"name"`
	Description         *string   `json:"description"`
	SystemPrompt        string    `json:"system_prompt"`
	AIModel             string    `json:"ai_model"`
	IsActive            bool      `json:"is_active"`
	TelegramBotToken    *string   `json:"telegram_bot_token"`
	TelegramBotUsername *string   `json:"telegram_bot_username"`
	WebsiteIntegration  bool      `json:"website_integration"`
	AllowedDomains      []string  `json:"allowed_domains"`
	SiteToken           *string   `json:"site_token"`
	CreatedAt           time.Time `json:"created_at"`
}

// assistantRequest is the body of POST and PUT: a field not sent is not
// changed (PUT) or takes its default (POST).
type assistantRequest struct {
	Name               *string   `json:"name"`
	Description        *string   `json:"description"`
	SystemPrompt       *string   `json:"system_prompt"`
	AIModel            *string   `json:"ai_model"`
	IsActive           *bool     `json:"is_active"`
	TelegramBotToken   *string   `json:"telegram_bot_token"`
	WebsiteIntegration *bool     `json:"website_integration"`
	AllowedDomains     *[]string `json:"allowed_domains"`

	telegramBot *telegram.User // TelegramBotToken's bot, once checked
}

// check refuses a request with a bad name or domains before anything is
// stored.
func (r *assistantRequest) check(creating bool) error {
	switch {
	case creating && (r.Name == nil || *r.Name == ""):
		return store.FieldErrorf(store.EINVALID, "name", "Give the assistant a name, e.g. %s.", assistantBody)
	case r.Name != nil && *r.Name == "":
		return store.FieldErrorf(store.EINVALID, "name", "The name cannot be empty.")
	case r.Name != nil && len([]rune(*r.Name)) > maxAssistantNameLen:
		return store.FieldErrorf(store.EINVALID, "name", "The name has %d characters; use at most %d.", len([]rune(*r.Name)), maxAssistantNameLen)
	}
	if r.AllowedDomains != nil {
		if _, err := origins(*r.AllowedDomains); err != nil {
			return err
		}
	}
	return nil
}

// settings is the settings.ai patch of the request.
func (r *assistantRequest) settings() map[string]any {
	patch := map[string]any{}
	if r.SystemPrompt != nil {
		patch["instruction"] = *r.SystemPrompt
	}
	if r.AIModel != nil {
		patch["model"] = map[string]any{"id": *r.AIModel}
	}
	return patch
}

// edit is the request's change of a bot's flow: name, description and
// settings.ai.
func (r *assistantRequest) edit(root *yaml.Node) error {
	if r.Name != nil {
		botflow.Set(root, "name", botflow.Scalar(*r.Name), "bot")
	}
	if r.Description != nil {
		botflow.Set(root, "description", botflow.Scalar(*r.Description), "name")
	}
	if patch := r.settings(); len(patch) > 0 {
		return botflow.MergeSettings(root, patch)
	}
	return nil
}

func (r *assistantRequest) editsFlow() bool {
	return r.Name != nil || r.Description != nil || len(r.settings()) > 0
}

// telegram is the Telegram channel of the handlers' dependencies.
func (h *handlers) telegram() *telegram.Channel {
	return telegram.FromEnv(h.Store, h.Dialogs, h.Secrets, h.Logger)
}

// listAssistants is GET /api/assistants.
func (h *handlers) listAssistants(c *gin.Context) {
	ctx := c.Request.Context()
	bots, err := h.Store.Bots(ctx, server.CallerOf(c).ProjectID)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]assistantJSON, 0, len(bots))
	for i := range bots {
		a, err := h.assistantOf(ctx, &bots[i])
		if err != nil {
			fail(c, err)
			return
		}
		out = append(out, a)
	}
	c.JSON(http.StatusOK, out)
}

// createAssistant is POST /api/assistants: a Telegram token is checked
// before anything is stored; one Telegram refuses is 422
// INVALID_TELEGRAM_TOKEN, one another assistant has 409 BOT_ALREADY_EXISTS.
func (h *handlers) createAssistant(c *gin.Context) {
	var req assistantRequest
	if err := server.BindJSON(c, &req, server.Body{Example: assistantBody}); err != nil {
		fail(c, err)
		return
	}
	if err := req.check(true); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if req.TelegramBotToken != nil && *req.TelegramBotToken != "" {
		// Checked before the bot is made, so a bad token leaves nothing.
		me, err := h.telegram().Check(ctx, *req.TelegramBotToken, "telegram_bot_token")
		if err != nil {
			fail(c, err)
			return
		}
		req.telegramBot = me
	}
	caller := server.CallerOf(c)
	out, err := h.Dialogs.PublishNew(ctx, caller.ProjectID, *req.Name, assistantAuthor, func(slug string) (string, error) {
		return botflow.Edit(botflow.New(slug, *req.Name), req.edit)
	})
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.applyChannels(ctx, out.Bot, &req); err != nil {
		h.undoCreate(c, out.Bot)
		fail(c, err)
		return
	}
	h.showAssistant(c, out.Bot)
}

// undoCreate deletes a bot whose channels could not be made, so that a
// refused request leaves nothing behind.
func (h *handlers) undoCreate(c *gin.Context, b *store.Bot) {
	ctx := context.WithoutCancel(c.Request.Context())
	if err := h.disconnectTelegram(ctx, b, nil); err != nil {
		server.Logger(c).Warn("disconnecting the Telegram bot of an assistant that could not be made", "bot", b.ID, "error", err)
	}
	if err := h.Store.DeleteBot(ctx, b.ProjectID, b.ID); err != nil {
		server.Logger(c).Warn("deleting an assistant that could not be made", "bot", b.ID, "error", err)
	}
}

// updateAssistant is PUT /api/assistants/{id}: the fields sent change.
func (h *handlers) updateAssistant(c *gin.Context) {
	b, ok := h.assistant(c)
	if !ok {
		return
	}
	var req assistantRequest
	if err := server.BindJSON(c, &req, server.Body{Example: `{"name": "Support", "system_prompt": "New prompt", "is_active": false}`}); err != nil {
		fail(c, err)
		return
	}
	if err := req.check(false); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if req.editsFlow() {
		out, _, err := h.Dialogs.EditBot(ctx, b, assistantAuthor, req.edit)
		if err != nil {
			fail(c, err)
			return
		}
		b = out.Bot
	}
	if err := h.applyChannels(ctx, b, &req); err != nil {
		fail(c, err)
		return
	}
	b, err := h.Store.BotByID(ctx, b.ProjectID, b.ID)
	if err != nil {
		fail(c, err)
		return
	}
	h.showAssistant(c, b)
}

// applyChannels applies the request's is_active, website integration and
// Telegram token to b.
func (h *handlers) applyChannels(ctx context.Context, b *store.Bot, req *assistantRequest) error {
	if req.IsActive != nil {
		status := map[bool]string{true: store.BotActive, false: store.BotDisabled}[*req.IsActive]
		if _, err := h.Store.SetBotStatus(ctx, b.ProjectID, b.ID, status); err != nil {
			return err
		}
		h.Dialogs.BotStatusChanged(b.ID, status)
	}
	if err := h.applyWebsite(ctx, b, req); err != nil {
		return err
	}
	if req.TelegramBotToken != nil {
		return h.applyTelegram(ctx, b, *req.TelegramBotToken, req.telegramBot)
	}
	return nil
}

// deleteAssistant is DELETE /api/assistants/{id}: the bot goes (its
// running dialogs end as interrupted, their history kept), and with it
// its Telegram integration and website integration.
func (h *handlers) deleteAssistant(c *gin.Context) {
	b, ok := h.assistant(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := h.disconnectTelegram(ctx, b, nil); err != nil {
		fail(c, err)
		return
	}
	if err := h.Dialogs.DeleteBot(ctx, b); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"message": "Assistant deleted.", "id": b.ID})
}

// assistant is the caller's bot of the path's id; 404 for a bot of
// another project or a deleted one.
func (h *handlers) assistant(c *gin.Context) (*store.Bot, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		fail(c, store.Errorf(store.ENOTFOUND, "There is no assistant %q: an assistant's id is a whole number.", c.Param("id")))
		return nil, false
	}
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	b, err := h.Store.BotByID(ctx, project, id)
	if err == nil {
		// BotByID finds deleted bots too; Bot by slug does not.
		var live *store.Bot
		live, err = h.Store.Bot(ctx, project, b.Slug)
		if err == nil && live.ID != b.ID {
			err = store.Errorf(store.ENOTFOUND, "There is no assistant %d.", id)
		}
	}
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return b, true
}

// showAssistant answers with b as an assistant.
func (h *handlers) showAssistant(c *gin.Context, b *store.Bot) {
	out, err := h.assistantOf(c.Request.Context(), b)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// assistantOf is b as ReplyX shows it: its flow's settings and its
// channels.
func (h *handlers) assistantOf(ctx context.Context, b *store.Bot) (assistantJSON, error) {
	out := assistantJSON{ID: b.ID, Name: b.Name, IsActive: b.Status == store.BotActive, AllowedDomains: []string{},
		CreatedAt: b.CreatedAt.UTC()}
	v, err := h.Store.FlowVersion(ctx, b.ID, b.CurrentVersion)
	if err != nil {
		return out, err
	}
	if _, root, err := botflow.Parse(v.Source); err == nil {
		ai := botflow.ReadSettings(root)
		out.SystemPrompt, _ = ai["instruction"].(string)
		model, _ := ai["model"].(map[string]any)
		out.AIModel, _ = model["id"].(string)
		out.Description = nonEmpty(botflow.Description(root))
	}
	if out.AIModel == "" {
		out.AIModel = defaultModel()
	}
	chs, err := h.Store.BotChannels(ctx, b.ProjectID, b.ID)
	if err != nil {
		return out, err
	}
	for i := range chs {
		switch ch := &chs[i]; ch.Kind {
		case store.ChannelWidget:
			out.WebsiteIntegration, out.AllowedDomains, out.SiteToken = true, domains(ch.AllowedOrigins), &ch.SiteToken
		case store.ChannelTelegram:
			h.showTelegram(ctx, ch, &out)
		}
	}
	return out, nil
}

// defaultModel is the model of a bot that names none (llm.EnvModel).
func defaultModel() string {
	if m := os.Getenv(llm.EnvModel); m != "" {
		return m
	}
	return llm.DefaultModel
}
