package worken

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/dialogs"
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

// newFlow is the first version of a Worken bot: one conversing llm node
// with default settings. JSON strings are YAML double-quoted strings.
func newFlow(slug, name string) string {
	quoted, _ := json.Marshal(name)
	return "bot: " + slug + "\nname: " + string(quoted) + "\n" +
		"settings:\n  ai:\n    instruction: You are a helpful assistant.\n" +
		"nodes:\n  chat:\n    kind: llm\n    converse: true\n"
}

// slugOf derives a slug from a name: lower-case ASCII letters and digits,
// other runs as one "-"; "bot" when nothing is left.
func slugOf(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "bot"
	}
	return strings.TrimRight(b.String()[:min(b.Len(), 48)], "-")
}

// freeSlug is slugOf(name), with "-2", "-3", ... when the project has it.
func (h *handlers) freeSlug(c *gin.Context, name string) (string, error) {
	base := slugOf(name)
	for i := 1; ; i++ {
		slug := base
		if i > 1 {
			slug = base + "-" + strconv.Itoa(i)
		}
		_, err := h.Store.Bot(c.Request.Context(), project(c), slug)
		if store.ErrorCode(err) == store.ENOTFOUND {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
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
	h.publishNew(c, body.Name, func(slug string) (string, error) { return newFlow(slug, body.Name), nil })
}

// publishNew publishes the first version of a new bot named name, whose
// source source makes for the slug.
func (h *handlers) publishNew(c *gin.Context, name string, source func(slug string) (string, error)) {
	slug, err := h.freeSlug(c, name)
	if err != nil {
		fail(c, err)
		return
	}
	src, err := source(slug)
	if err != nil {
		fail(c, err)
		return
	}
	h.publish(c, slug, src)
}

// publish publishes src as slug's next version and renders the bot.
func (h *handlers) publish(c *gin.Context, slug, src string) {
	out, err := h.Dialogs.Publish(c.Request.Context(), project(c), slug, src, botAuthor)
	if fe := (*dialogs.FlowError)(nil); errors.As(err, &fe) {
		err = store.Errorf(store.EINVALID, "The change would make the bot's flow invalid: %s.", fe.Problems[0].Message)
	}
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
	if _, root, err := parseFlow(v.Source); err == nil {
		if d := get(root, "description"); d != nil && d.Kind == yaml.ScalarNode && d.Value != "" {
			out.Description = &d.Value
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
	b, src, ok := h.bot(c)
	if !ok {
		return
	}
	src, err := editFlow(src, func(root *yaml.Node) error {
		if body.Name != nil {
			set(root, "name", scalar(*body.Name), "bot")
		}
		if body.Description != nil {
			set(root, "description", scalar(*body.Description), "name")
		}
		return nil
	})
	if err != nil {
		fail(c, err)
		return
	}
	h.publish(c, b.Slug, src)
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
	_, root, err := parseFlow(src)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsJSON{AI: readSettings(root)})
}

// updateSettings is POST /bots/:bot_id/settings: a partial BotSettings
// merged into the flow's settings.ai as a new version.
func (h *handlers) updateSettings(c *gin.Context) {
	b, src, ok := h.bot(c) // first: another project's bot is 404 whatever the body
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
	src, err = editFlow(src, func(root *yaml.Node) error { return mergeSettings(root, patch) })
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := h.Dialogs.Publish(c.Request.Context(), project(c), b.Slug, src, botAuthor); err != nil {
		if fe := (*dialogs.FlowError)(nil); errors.As(err, &fe) {
			err = store.Errorf(store.EINVALID, "The settings would make the bot's flow invalid: %s.", fe.Problems[0].Message)
		}
		fail(c, err)
		return
	}
	_, root, err := parseFlow(src)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsJSON{AI: readSettings(root)})
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
	h.publishNew(c, name, func(slug string) (string, error) {
		return editFlow(src, func(root *yaml.Node) error {
			set(root, "bot", scalar(slug), "")
			set(root, "name", scalar(name), "bot")
			return nil
		})
	})
}

// deleteBot is POST /bots/:bot_id/delete: the bot leaves every list and
// lookup, and a bulk action (a durable workflow) ends its running dialogs
// as interrupted, keeping their history.
func (h *handlers) deleteBot(c *gin.Context) {
	b, _, ok := h.bot(c)
	if !ok {
		return
	}
	f := store.DialogFilter{BotID: b.ID, Live: true}
	if _, err := h.Dialogs.StartBulk(c.Request.Context(), project(c), f, dialogs.BulkAction{Action: dialogs.BulkInterrupt}); err != nil {
		fail(c, err)
		return
	}
	if err := h.Store.DeleteBot(c.Request.Context(), project(c), b.ID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: b.UUID, Object: "bot", Deleted: true})
}
