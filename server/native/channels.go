package native

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// channelJSON is a bot's channel; for a widget, the script tag to paste.
type channelJSON struct {
	ID             int64     `json:"id"`
	Bot            string    `json:"bot"`
	Kind           string    `json:"kind"`
	Name           string    `json:"name"`
	AllowedOrigins []string  `json:"allowed_origins"`
	SiteToken      string    `json:"site_token"`
	Snippet        string    `json:"snippet"`
	CreatedAt      time.Time `json:"created_at"`
}

func (h *handlers) channelOf(slug string, c *store.Channel) channelJSON {
	snippet := fmt.Sprintf(`<script src="%s/widget.js" data-bot="%s" data-site-token="%s" async></script>`, h.PublicURL, slug, c.SiteToken)
	return channelJSON{ID: c.ID, Bot: slug, Kind: c.Kind, Name: c.Name, AllowedOrigins: c.AllowedOrigins,
		SiteToken: c.SiteToken, Snippet: snippet, CreatedAt: c.CreatedAt}
}

type channelRequest struct {
	Kind           string   `json:"kind"`
	Name           string   `json:"name"`
	AllowedOrigins []string `json:"allowed_origins"`
}

// createChannel makes a channel for the bot: a widget with its site token.
func (h *handlers) createChannel(c *gin.Context) {
	var req channelRequest
	if !bind(c, &req, `{"kind": "widget", "allowed_origins": ["https://example.com"]}`) {
		return
	}
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	bot, err := h.Store.Bot(ctx, project, c.Param("slug"))
	if err != nil {
		fail(c, err)
		return
	}
	ch := &store.Channel{ProjectID: project, BotID: bot.ID, Kind: req.Kind, Name: req.Name, AllowedOrigins: req.AllowedOrigins}
	if err := h.Store.CreateChannel(ctx, ch); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, h.channelOf(bot.Slug, ch))
}

func (h *handlers) channels(c *gin.Context) {
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	bot, err := h.Store.Bot(ctx, project, c.Param("slug"))
	if err != nil {
		fail(c, err)
		return
	}
	chs, err := h.Store.BotChannels(ctx, project, bot.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]channelJSON, len(chs))
	for i := range chs {
		out[i] = h.channelOf(bot.Slug, &chs[i])
	}
	c.JSON(http.StatusOK, gin.H{"channels": out})
}

func (h *handlers) deleteChannel(c *gin.Context) {
	deleteByID(c, "Channel", h.Store.DeleteChannel)
}
