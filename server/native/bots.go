package native

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

type publishResponse struct {
	BotID   int64  `json:"bot_id"`
	Slug    string `json:"slug"`
	Version int    `json:"version"`
}

type problemJSON struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// publish stores the request body, a bot file, as the bot's next version.
func (h *handlers) publish(c *gin.Context) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, flows.MaxFileSize+1))
	if err != nil {
		server.Error(c, store.Errorf(store.EINVALID, "Reading the body failed: %v", err))
		return
	}
	caller := server.CallerOf(c)
	pub, err := h.Dialogs.Publish(c.Request.Context(), caller.ProjectID, c.Param("slug"), string(body), caller.Name)
	var flowErr *dialogs.FlowError
	if errors.As(err, &flowErr) {
		problems := make([]problemJSON, len(flowErr.Problems))
		for i, p := range flowErr.Problems {
			problems[i] = problemJSON{Line: p.Line, Column: p.Column, Code: p.Code, Message: p.Message}
		}
		server.ErrorWith(c, http.StatusUnprocessableEntity, "FLOW_INVALID", flowErr.Error(), gin.H{"problems": problems})
		return
	}
	if err != nil {
		server.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, publishResponse{BotID: pub.Bot.ID, Slug: pub.Bot.Slug, Version: pub.Version.Version})
}

// flow returns the current version's YAML as it was published.
func (h *handlers) flow(c *gin.Context) {
	bot, err := h.Store.Bot(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"))
	if err != nil {
		server.Error(c, err)
		return
	}
	v, err := h.Store.FlowVersion(c.Request.Context(), bot.ID, bot.CurrentVersion)
	if err != nil {
		server.Error(c, err)
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
		server.Error(c, err)
		return
	}
	vs, err := h.Store.FlowVersions(c.Request.Context(), bot.ID)
	if err != nil {
		server.Error(c, err)
		return
	}
	out := make([]versionJSON, len(vs))
	for i, v := range vs {
		out[i] = versionJSON{Version: v.Version, Checksum: v.Checksum, Author: v.Author, Note: v.Note, Current: v.Version == bot.CurrentVersion, CreatedAt: v.CreatedAt}
	}
	c.JSON(http.StatusOK, gin.H{"bot": bot.Slug, "versions": out})
}
