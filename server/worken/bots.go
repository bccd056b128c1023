package worken

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/flows/botflow"
	"github.com/parleyhq/parley/store"
)

// A Worken bot is a Parley bot whose flow is one conversing llm node
// driven by settings.ai; its id is the bot's UUID.

const (
	createBotBody   = `{"name": "Sales bot"}`
	updateBotBody   = `{"name": "Sales bot", "description": "Answers about prices."}`
	botStatusBody   = `{"status": "disabled"}`
	botSettingsBody = `{"ai": {"instruction": "You are a sales assistant.", "model": {"temperature": 0.7}}}`
	botAuthor       = "worken api"
)

// botJSON is Worken's Bot.
type botJSON struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Status      string  `json:"status"`
	ProjectID   string  `json:"project_id"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

func checkBotName(name string) error {
	if strings.TrimSpace(name) == "" {
		return store.FieldErrorf(store.EINVALID, "name", "Give the bot a name, e.g. %s.", createBotBody)
	}
	if len([]rune(name)) > maxNameRunes {
		return store.FieldErrorf(store.EINVALID, "name", "The name has %d characters; use at most %d.", len([]rune(name)), maxNameRunes)
	}
	return nil
}

// listBots is GET /bots.
func (h *handlers) listBots(c *gin.Context) {
	bots, err := h.Store.Bots(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]botJSON, 0, len(bots))
	for i := range bots {
		b, err := h.botShape(c, &bots[i])
		if err != nil {
			fail(c, err)
			return
		}
		out = append(out, b)
	}
	c.JSON(http.StatusOK, out)
}

// createBot is POST /bots.
func (h *handlers) createBot(c *gin.Context) {
	var body struct {
		Name string `json:"name"`
	}
	if err := bindJSON(c, &body, createBotBody); err != nil {
		fail(c, err)
		return
	}
	if err := checkBotName(body.Name); err != nil {
		fail(c, err)
		return
	}
	out, err := h.Dialogs.PublishNew(c.Request.Context(), project(c), body.Name, botAuthor,
		func(slug string) (string, error) { return botflow.New(slug, body.Name), nil })
	h.renderPublished(c, out, err)
}

// renderPublished renders a published bot, or the error.
func (h *handlers) renderPublished(c *gin.Context, out *store.Published, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	h.renderBot(c, out.Bot)
}

// bot is the caller's bot of the path's bot_id and its current source.
func (h *handlers) bot(c *gin.Context) (*store.Bot, string, bool) {
	b, err := h.Store.BotByUUID(c.Request.Context(), project(c), c.Param("bot_id"))
	if err != nil {
		fail(c, err)
		return nil, "", false
	}
	v, err := h.Store.FlowVersion(c.Request.Context(), b.ID, b.CurrentVersion)
	if err != nil {
		fail(c, err)
		return nil, "", false
	}
	return b, v.Source, true
}

// botShape is b as Worken's Bot; its description is its flow's.
func (h *handlers) botShape(c *gin.Context, b *store.Bot) (botJSON, error) {
	out := botJSON{ID: b.UUID, Name: b.Name, Status: b.Status, ProjectID: strconv.FormatInt(b.ProjectID, 10),
		CreatedAt: timestamp(b.CreatedAt), UpdatedAt: timestamp(b.UpdatedAt)}
	if b.CurrentVersion == 0 {
		return out, nil
	}
	v, err := h.Store.FlowVersion(c.Request.Context(), b.ID, b.CurrentVersion)
	if err != nil {
		return out, err
	}
	if _, root, err := botflow.Parse(v.Source); err == nil {
		if d := botflow.Description(root); d != "" {
			out.Description = &d
		}
	}
	return out, nil
}

func (h *handlers) renderBot(c *gin.Context, b *store.Bot) {
	out, err := h.botShape(c, b)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// getBot is GET /bots/:bot_id.
func (h *handlers) getBot(c *gin.Context) {
	if b, _, ok := h.bot(c); ok {
		h.renderBot(c, b)
	}
}

// updateBot is POST /bots/:bot_id: a new version with the flow's name and
// description changed.
func (h *handlers) updateBot(c *gin.Context) {
	var body struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
	if err := bindJSON(c, &body, updateBotBody); err != nil {
		fail(c, err)
		return
	}
	if body.Name != nil {
		if err := checkBotName(*body.Name); err != nil {
			fail(c, err)
			return
		}
	}
	b, _, ok := h.bot(c)
	if !ok {
		return
	}
	out, _, err := h.Dialogs.EditBot(c.Request.Context(), b, botAuthor, func(root *yaml.Node) error {
		if body.Name != nil {
			botflow.Set(root, "name", botflow.Scalar(*body.Name), "bot")
		}
		if body.Description != nil {
			botflow.Set(root, "description", botflow.Scalar(*body.Description), "name")
		}
		return nil
	})
	h.renderPublished(c, out, err)
}

// setBotStatus is POST /bots/:bot_id/status.
func (h *handlers) setBotStatus(c *gin.Context) {
	var body struct {
		Status string `json:"status"`
	}
	if err := bindJSON(c, &body, botStatusBody); err != nil {
		fail(c, err)
		return
	}
	b, _, ok := h.bot(c)
	if !ok {
		return
	}
	b, err := h.Store.SetBotStatus(c.Request.Context(), project(c), b.ID, body.Status)
	if err != nil {
		fail(c, err)
		return
	}
	h.Dialogs.BotStatusChanged(b.ID, b.Status)
	h.renderBot(c, b)
}

// settingsJSON is Worken's BotSettings.
type settingsJSON struct {
	AI map[string]any `json:"ai"`
}

// getSettings is GET /bots/:bot_id/settings.
func (h *handlers) getSettings(c *gin.Context) {
	_, src, ok := h.bot(c)
	if !ok {
		return
	}
	_, root, err := botflow.Parse(src)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsJSON{AI: botflow.ReadSettings(root)})
}

// updateSettings is POST /bots/:bot_id/settings: a partial BotSettings
// merged into the flow's settings.ai as a new version.
func (h *handlers) updateSettings(c *gin.Context) {
	b, _, ok := h.bot(c) // first: another project's bot is 404 whatever the body
	if !ok {
		return
	}
	var body map[string]any
	if err := bindJSON(c, &body, botSettingsBody); err != nil {
		fail(c, err)
		return
	}
	patch, err := settingsPatch(body)
	if err != nil {
		fail(c, err)
		return
	}
	_, src, err := h.Dialogs.EditBot(c.Request.Context(), b, botAuthor, func(root *yaml.Node) error { return botflow.MergeSettings(root, patch) })
	if err != nil {
		fail(c, err)
		return
	}
	_, root, err := botflow.Parse(src)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsJSON{AI: botflow.ReadSettings(root)})
}

// settingsPatch is the "ai" object of a BotSettings body.
func settingsPatch(body map[string]any) (map[string]any, error) {
	for k := range body {
		if k != "ai" {
			return nil, store.FieldErrorf(store.EINVALID, k, "Unknown settings field %s; BotSettings has only ai, e.g. %s.", k, botSettingsBody)
		}
	}
	ai, ok := body["ai"].(map[string]any)
	if !ok {
		return nil, store.FieldErrorf(store.EINVALID, "ai", "Send the settings to change under ai, e.g. %s.", botSettingsBody)
	}
	return ai, nil
}

// cloneBot is POST /bots/:bot_id/clone: a new bot named "<name> (copy)"
// with the current flow and settings.
func (h *handlers) cloneBot(c *gin.Context) {
	b, src, ok := h.bot(c)
	if !ok {
		return
	}
	name := b.Name + " (copy)"
	out, err := h.Dialogs.PublishNew(c.Request.Context(), project(c), name, botAuthor, func(slug string) (string, error) {
		return botflow.Edit(src, func(root *yaml.Node) error {
			botflow.Set(root, "bot", botflow.Scalar(slug), "")
			botflow.Set(root, "name", botflow.Scalar(name), "bot")
			return nil
		})
	})
	h.renderPublished(c, out, err)
}

// deleteBot is POST /bots/:bot_id/delete: the bot leaves every list and
// lookup, and a bulk action (a durable workflow) ends its running dialogs
// as interrupted, keeping their history.
func (h *handlers) deleteBot(c *gin.Context) {
	b, _, ok := h.bot(c)
	if !ok {
		return
	}
	if err := h.Dialogs.DeleteBot(c.Request.Context(), b); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: b.UUID, Object: "bot", Deleted: true})
}
