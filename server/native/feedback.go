package native

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

type feedbackRequest struct {
	Rating  string `json:"rating"`
	Content string `json:"content"`
}

// feedbackJSON is a message's feedback.
type feedbackJSON struct {
	ID        string    `json:"id"`
	Dialog    string    `json:"dialog"` // the dialog's UUID
	Seq       int64     `json:"seq"`
	MessageID string    `json:"message_id"`
	Rating    string    `json:"rating"`
	Content   string    `json:"content"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// feedback rates a message of a dialog, up or down with a comment: 201
// for its first feedback, 200 when it replaces the one it had.
func (h *handlers) feedback(c *gin.Context) {
	var req feedbackRequest
	if !bind(c, &req, `{"rating": "up", "content": "Helpful"}`) {
		return
	}
	seq, err := strconv.ParseInt(c.Param("seq"), 10, 64)
	if err != nil || seq <= 0 {
		fail(c, store.FieldErrorf(store.EINVALID, "seq", "The message's seq is a positive integer, not %q.", c.Param("seq")))
		return
	}
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	f := &store.Feedback{ProjectID: server.CallerOf(c).ProjectID, DialogID: d.ID, Seq: seq, Rating: req.Rating, Content: req.Content}
	created, err := h.Store.SaveFeedback(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, feedbackJSON{ID: f.UUID, Dialog: d.UUID, Seq: f.Seq, MessageID: f.MessageID, Rating: f.Rating, Content: f.Content,
		CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC()})
}
