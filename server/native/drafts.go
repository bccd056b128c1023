package native

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// draftJSON is a bot's draft: the file being edited, the version it was
// begun from and, when saved, its problems now.
type draftJSON struct {
	Bot         string             `json:"bot"`
	Source      string             `json:"source,omitempty"` // GET only: the YAML as saved
	Checksum    string             `json:"checksum"`
	BaseVersion int                `json:"base_version"`
	Author      string             `json:"author"`
	UpdatedAt   time.Time          `json:"updated_at"`
	Problems    []graphProblemJSON `json:"problems"`
}

func draftOf(d *store.Draft, withSource bool) draftJSON {
	out := draftJSON{Bot: d.Slug, Checksum: d.Checksum, BaseVersion: d.BaseVersion, Author: d.Author, UpdatedAt: d.UpdatedAt}
	if withSource {
		out.Source = d.Source
	}
	out.Problems = problemsJSON(flows.Entries([]byte(d.Source)), dialogs.DraftProblems(d))
	return out
}

// ifMatch is the checksum an If-Match header names ("" without one), with
// or without the quotes of an entity tag.
func ifMatch(c *gin.Context) string {
	v := strings.TrimPrefix(strings.TrimSpace(c.GetHeader("If-Match")), "W/")
	return strings.Trim(v, `"`)
}

// answerDraft renders a draft with its checksum as the ETag.
func answerDraft(c *gin.Context, d *store.Draft, withSource bool) {
	c.Header("ETag", strconv.Quote(d.Checksum))
	c.JSON(http.StatusOK, draftOf(d, withSource))
}

// saveDraft stores the body, a bot file however broken, as the bot's draft.
func (h *handlers) saveDraft(c *gin.Context) {
	body, ok := flowBody(c)
	if !ok {
		return
	}
	caller := server.CallerOf(c)
	d, _, err := h.Dialogs.SaveDraft(c.Request.Context(), caller.ProjectID, c.Param("slug"), string(body), caller.Name, ifMatch(c))
	if err != nil {
		fail(c, err)
		return
	}
	answerDraft(c, d, false)
}

func (h *handlers) draft(c *gin.Context) {
	d, err := h.Store.Draft(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"))
	if err != nil {
		fail(c, err)
		return
	}
	answerDraft(c, d, true)
}

func (h *handlers) deleteDraft(c *gin.Context) {
	if err := h.Store.DeleteDraft(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"), ifMatch(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// publishDraft publishes the bot's draft as its next version.
func (h *handlers) publishDraft(c *gin.Context) {
	caller := server.CallerOf(c)
	pub, err := h.Dialogs.PublishDraft(c.Request.Context(), caller.ProjectID, c.Param("slug"), caller.Name, ifMatch(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, publishResponse{BotID: pub.Bot.ID, Slug: pub.Bot.Slug, Version: pub.Version.Version})
}
