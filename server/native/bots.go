package native

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/examples"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

type publishResponse struct {
	BotID   int64  `json:"bot_id"`
	Slug    string `json:"slug"`
	Version int    `json:"version"`
}

// publish stores the request body, a bot file, as the bot's next version.
func (h *handlers) publish(c *gin.Context) {
	body, ok := flowBody(c)
	if !ok {
		return
	}
	caller := server.CallerOf(c)
	pub, err := h.Dialogs.Publish(c.Request.Context(), caller.ProjectID, c.Param("slug"), string(body), caller.Name)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, publishResponse{BotID: pub.Bot.ID, Slug: pub.Bot.Slug, Version: pub.Version.Version})
}

// flowBody reads the request's body, a bot file: at most one byte more
// than a bot file may hold, so the loader reports one too large.
func flowBody(c *gin.Context) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, flows.MaxFileSize+1))
	if err != nil {
		fail(c, store.Errorf(store.EMALFORMED, "Reading the body failed: %v.", err))
		return nil, false
	}
	return body, true
}

// flow returns the current version's YAML as it was published.
func (h *handlers) flow(c *gin.Context) {
	bot, err := h.Store.Bot(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"))
	if err != nil {
		fail(c, err)
		return
	}
	v, err := h.Store.FlowVersion(c.Request.Context(), bot.ID, bot.CurrentVersion)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(v.Source))
}

// version returns one version's YAML as it was published, for a diff of
// two versions.
func (h *handlers) version(c *gin.Context) {
	ctx := c.Request.Context()
	bot, err := h.Store.Bot(ctx, server.CallerOf(c).ProjectID, c.Param("slug"))
	if err != nil {
		fail(c, err)
		return
	}
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n < 1 {
		fail(c, store.Errorf(store.ENOTFOUND, "Bot %s has no version %q; versions are 1, 2, ...", bot.Slug, c.Param("version")))
		return
	}
	v, err := h.Store.FlowVersion(ctx, bot.ID, n)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(v.Source))
}

type versionJSON struct {
	Version   int       `json:"version"`
	Checksum  string    `json:"checksum"`
	Author    string    `json:"author"`
	Note      string    `json:"note"`
	Current   bool      `json:"current"`
	CreatedAt time.Time `json:"created_at"`
}

func (h *handlers) versions(c *gin.Context) {
	bot, err := h.Store.Bot(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"))
	if err != nil {
		fail(c, err)
		return
	}
	vs, err := h.Store.FlowVersions(c.Request.Context(), bot.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]versionJSON, len(vs))
	for i, v := range vs {
		out[i] = versionJSON{Version: v.Version, Checksum: v.Checksum, Author: v.Author, Note: v.Note, Current: v.Version == bot.CurrentVersion, CreatedAt: v.CreatedAt}
	}
	c.JSON(http.StatusOK, gin.H{"bot": bot.Slug, "versions": out})
}

// botJSON is a bot in the bots list: its current version and draft.
type botJSON struct {
	Slug           string          `json:"slug"`
	Name           string          `json:"name"`
	CurrentVersion int             `json:"current_version"` // 0: never published (a draft only)
	UpdatedAt      *time.Time      `json:"updated_at"`      // the last publish or rename; null for a draft only
	Draft          *draftBriefJSON `json:"draft"`
	DialogsToday   int             `json:"dialogs_today"` // started since midnight UTC, test dialogs included
}

type draftBriefJSON struct {
	Author      string    `json:"author"`
	BaseVersion int       `json:"base_version"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// bots lists the project's bots by slug, with the bots only a draft has
// begun.
func (h *handlers) bots(c *gin.Context) {
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	bots, err := h.Store.Bots(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	drafts, err := h.Store.ListDrafts(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	bySlug := map[string]*botJSON{}
	out := make([]*botJSON, 0, len(bots))
	midnight := time.Now().UTC().Truncate(24 * time.Hour)
	for _, b := range bots {
		// One count per bot: a project has a handful of bots, and the
		// count uses the (project, bot, ...) index.
		_, today, err := h.Store.ListDialogs(ctx, project, store.DialogFilter{BotID: b.ID, CreatedFrom: &midnight, Limit: 1})
		if err != nil {
			fail(c, err)
			return
		}
		j := &botJSON{Slug: b.Slug, Name: b.Name, CurrentVersion: b.CurrentVersion, UpdatedAt: &b.UpdatedAt, DialogsToday: today}
		bySlug[b.Slug] = j
		out = append(out, j)
	}
	for _, d := range drafts {
		j := bySlug[d.Slug]
		if j == nil {
			j = &botJSON{Slug: d.Slug, Name: d.Slug}
			out = append(out, j)
		}
		j.Draft = &draftBriefJSON{Author: d.Author, BaseVersion: d.BaseVersion, UpdatedAt: d.UpdatedAt}
	}
	slices.SortFunc(out, func(a, b *botJSON) int { return strings.Compare(a.Slug, b.Slug) })
	c.JSON(http.StatusOK, gin.H{"bots": out})
}

// templateJSON is an example bot a new bot can start from.
type templateJSON struct {
	ID          string `json:"id"` // the example's slug
	Name        string `json:"name"`
	Description string `json:"description"`
	Nodes       int    `json:"nodes"`
	Source      string `json:"source"` // the YAML, with `bot:` the example's slug
}

// templates lists the example bots, built into the binary, for a new bot
// to begin as a draft of one of them.
func (h *handlers) templates(c *gin.Context) {
	out := []templateJSON{}
	for _, b := range examples.Bots() {
		flow, _ := nodes.Load(b.Slug+".yaml", []byte(b.Source))
		out = append(out, templateJSON{ID: b.Slug, Name: flow.Name, Description: flow.Description, Nodes: len(flow.Nodes), Source: b.Source})
	}
	c.JSON(http.StatusOK, gin.H{"templates": out})
}
