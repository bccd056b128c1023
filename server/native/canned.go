package native

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// cannedJSON is a saved operator reply.
type cannedJSON struct {
	ID        int64     `json:"id"`
	Shortcut  string    `json:"shortcut"`
	Text      string    `json:"text"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func cannedOf(r store.CannedReply) cannedJSON {
	return cannedJSON{ID: r.ID, Shortcut: r.Shortcut, Text: r.Text, Author: r.Author, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// cannedReplies lists the project's replies, those whose shortcut starts
// with ?prefix= when given.
func (h *handlers) cannedReplies(c *gin.Context) {
	rs, err := h.Store.CannedReplies(c.Request.Context(), server.CallerOf(c).ProjectID, c.Query("prefix"))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]cannedJSON, len(rs))
	for i, r := range rs {
		out[i] = cannedOf(r)
	}
	c.JSON(http.StatusOK, gin.H{"canned_replies": out})
}

type cannedRequest struct {
	Shortcut string `json:"shortcut"`
	Text     string `json:"text"`
}

// saveCannedReply stores a reply under its shortcut: 201 for a new one,
// 200 when it replaces the text of the shortcut's reply.
func (h *handlers) saveCannedReply(c *gin.Context) {
	var req cannedRequest
	if !bind(c, &req, `{"shortcut": "refund", "text": "We have refunded your order."}`) {
		return
	}
	caller := server.CallerOf(c)
	r := &store.CannedReply{ProjectID: caller.ProjectID, Shortcut: req.Shortcut, Text: req.Text, Author: caller.Name}
	created, err := h.Store.SaveCannedReply(c.Request.Context(), r)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, cannedOf(*r))
}

func (h *handlers) deleteCannedReply(c *gin.Context) {
	deleteByID(c, "Canned reply", h.Store.DeleteCannedReply)
}

// deleteByID deletes one of the caller's project's records named by the
// path's integer id (204), rendering ENOTFOUND for an id that is no
// integer, as for one the project does not have.
func deleteByID(c *gin.Context, kind string, del func(ctx context.Context, projectID, id int64) error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		fail(c, store.Errorf(store.ENOTFOUND, "%s %q not found.", kind, c.Param("id")))
		return
	}
	if err := del(c.Request.Context(), server.CallerOf(c).ProjectID, id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
