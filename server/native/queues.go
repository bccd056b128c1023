package native

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

type queueJSON struct {
	Name string `json:"name"`
	// Waiting counts the dialogs no operator has taken yet;
	// OldestWaitSeconds is how long the first of them has waited.
	Waiting           int     `json:"waiting"`
	OldestWaitSeconds float64 `json:"oldest_wait_seconds"`
	Taken             int     `json:"taken"` // dialogs of the queue operators have now
}

// queues summarizes the project's operator queues.
func (h *handlers) queues(c *gin.Context) {
	qs, err := h.Store.Queues(c.Request.Context(), server.CallerOf(c).ProjectID)
	if err != nil {
		fail(c, err)
		return
	}
	now := time.Now()
	out := make([]queueJSON, 0, len(qs))
	for _, q := range qs {
		j := queueJSON{Name: q.Name, Waiting: q.Waiting, Taken: q.Taken}
		if q.OldestRequest != nil {
			j.OldestWaitSeconds = waited(now, *q.OldestRequest)
		}
		out = append(out, j)
	}
	c.JSON(http.StatusOK, gin.H{"queues": out})
}

// waited is the seconds from then to now, to the millisecond, never
// negative (clocks of processes differ).
func waited(now, then time.Time) float64 {
	return float64(max(now.Sub(then), 0).Milliseconds()) / 1000
}

type waitingJSON struct {
	ID           string    `json:"id"`
	Number       int64     `json:"number"`
	Position     int       `json:"position"`
	WaitSeconds  float64   `json:"wait_seconds"`
	RequestedAt  time.Time `json:"requested_at"`
	Reason       string    `json:"reason"`
	LastUserText string    `json:"last_user_text"`
	Pending      int       `json:"pending"` // the user's messages nobody has answered
}

// queue lists the dialogs waiting in a queue, the longest waiting first.
func (h *handlers) queue(c *gin.Context) {
	limit, err := pageLimit(c)
	if err != nil {
		fail(c, err)
		return
	}
	ds, err := h.Store.QueueDialogs(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("queue"), limit)
	if err != nil {
		fail(c, err)
		return
	}
	now := time.Now()
	out := make([]waitingJSON, 0, len(ds))
	for i, d := range ds {
		w := waitingJSON{ID: d.UUID, Number: d.Number, Position: i + 1, Pending: d.PendingCount}
		if hd := d.Handoff; hd != nil && hd.RequestedAt != nil {
			w.RequestedAt, w.WaitSeconds = hd.RequestedAt.UTC(), waited(now, *hd.RequestedAt)
			w.Reason, w.LastUserText = hd.Reason, hd.LastUserText
		}
		out = append(out, w)
	}
	c.JSON(http.StatusOK, gin.H{"name": c.Param("queue"), "dialogs": out})
}

// pageLimit reads the `limit` query parameter of a list: 1 to 1000, or 0
// (the store's default) when it is not given.
func pageLimit(c *gin.Context) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPage {
		return 0, store.FieldErrorf(store.EINVALID, "limit", "`limit` is a number from 1 to %d; got %q.", maxPage, s)
	}
	return n, nil
}

type takeRequest struct {
	Operator string `json:"operator"` // who takes, for an API-key caller
}

// takeCandidates is how many of a queue's first dialogs take-next tries:
// each one another operator took meanwhile costs a refused update.
const takeCandidates = 20

// takeNext gives the longest waiting dialog of a queue to the calling
// operator. The dialog's workflow decides each take, so two operators
// taking at once never get the same dialog: the one refused tries the next.
func (h *handlers) takeNext(c *gin.Context) {
	var req takeRequest
	if !bind(c, &req, `{"operator": "Kate"}`) {
		return
	}
	caller := server.CallerOf(c)
	id, name := caller.Operator(req.Operator)
	queue := c.Param("queue")
	ctx := c.Request.Context()
	ds, err := h.Store.QueueDialogs(ctx, caller.ProjectID, queue, takeCandidates)
	if err != nil {
		fail(c, err)
		return
	}
	for i := range ds {
		d := &ds[i]
		turn, err := h.Dialogs.Handoff(ctx, d, dialogs.HandoffInput{Action: dialogs.HandoffTake, Queue: queue,
			Operator: dialogs.Operator{ID: id, Name: name}})
		if store.ErrorCode(err) == store.ECONFLICT {
			continue // taken by another operator, or gone back to the bot
		}
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, createResponse{ID: d.UUID, Number: d.Number, turnJSON: turnOf(d, turn)})
		return
	}
	fail(c, store.Errorf(store.ENOTFOUND, "No dialog waits in queue %q.", queue))
}
