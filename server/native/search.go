package native

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// dialogQuery is what finds dialogs: GET /v1/dialogs's query and a bulk
// action's filter. Empty fields do not filter.
type dialogQuery struct {
	Bot           string `form:"bot" json:"bot"` // a bot's slug
	Status        string `form:"status" json:"status"`
	Mode          string `form:"mode" json:"mode"`
	HandoffStatus string `form:"handoff_status" json:"handoff_status"`
	Queue         string `form:"queue" json:"queue"`
	// Waiting is the node the dialogs wait at (not ended);
	// WaitingLongerThan a duration such as 90s, 30m or 2h: their last
	// change is at least that old.
	Waiting           string `form:"waiting" json:"waiting"`
	WaitingLongerThan string `form:"waiting_longer_than" json:"waiting_longer_than"`
	UserID            string `form:"user_id" json:"user_id"`
	CreatedFrom       string `form:"created_from" json:"created_from"`
	CreatedTo         string `form:"created_to" json:"created_to"`
	UpdatedFrom       string `form:"updated_from" json:"updated_from"`
	UpdatedTo         string `form:"updated_to" json:"updated_to"`
	Q                 string `form:"q" json:"q"` // every word, in the dialog's messages
}

// filter resolves q for the caller's project at now: the bot's slug to
// its id, durations and dates to time bounds. EINVALID, naming the
// parameter, for a malformed one; ENOTFOUND for an unknown bot.
func (h *handlers) filter(ctx context.Context, projectID int64, q dialogQuery, now time.Time) (store.DialogFilter, error) {
	f := store.DialogFilter{Status: q.Status, Mode: q.Mode, HandoffStatus: q.HandoffStatus, Queue: q.Queue,
		Node: q.Waiting, UserID: q.UserID, Text: q.Q}
	if q.Bot != "" {
		bot, err := h.Store.Bot(ctx, projectID, q.Bot)
		if err != nil {
			return f, err
		}
		f.BotID = bot.ID
	}
	var err error
	for _, b := range []struct {
		name, value string
		dst         **time.Time
		until       bool
	}{
		{"created_from", q.CreatedFrom, &f.CreatedFrom, false}, {"created_to", q.CreatedTo, &f.CreatedTo, true},
		{"updated_from", q.UpdatedFrom, &f.UpdatedFrom, false}, {"updated_to", q.UpdatedTo, &f.UpdatedTo, true},
	} {
		if *b.dst, err = server.TimeBound(b.name, b.value, b.until); err != nil {
			return f, err
		}
	}
	if q.WaitingLongerThan != "" {
		d, err := time.ParseDuration(q.WaitingLongerThan)
		if err != nil || d < 0 {
			return f, store.FieldErrorf(store.EINVALID, "waiting_longer_than",
				"`waiting_longer_than` is a duration such as 90s, 30m or 2h; got %q.", q.WaitingLongerThan)
		}
		if since := now.Add(-d); f.UpdatedTo == nil || since.Before(*f.UpdatedTo) {
			f.UpdatedTo = &since
		}
	}
	return f, nil
}

// dialogSummaryJSON is the contract's DialogSummary: a dialog in a list.
type dialogSummaryJSON struct {
	ID         string      `json:"id"`
	Number     int64       `json:"number"`
	Bot        string      `json:"bot"`
	Status     string      `json:"status"`
	Mode       string      `json:"mode"`
	Node       string      `json:"node"`
	Title      string      `json:"title"`
	UserID     string      `json:"user_id"`
	UserName   string      `json:"user_name,omitempty"`
	Pending    int         `json:"pending"` // the user's messages nobody has answered
	Handoff    handoffJSON `json:"handoff"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	LastUserAt *time.Time  `json:"last_user_at,omitempty"`
}

// listDialogs finds the project's dialogs, the most recently changed
// first, a page at a time: next_cursor, when there are more, is the
// cursor of the next page.
func (h *handlers) listDialogs(c *gin.Context) {
	var q dialogQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		fail(c, store.Errorf(store.EINVALID, "The query is malformed: %v.", err))
		return
	}
	ctx, projectID := c.Request.Context(), server.CallerOf(c).ProjectID
	f, err := h.filter(ctx, projectID, q, time.Now())
	if err == nil {
		f.Limit, err = pageLimit(c)
	}
	if err == nil {
		f.After, err = parseCursor(c.Query("cursor"))
	}
	if err != nil {
		fail(c, err)
		return
	}
	if f.Limit == 0 {
		f.Limit = defaultDialogPage
	}
	// One more than the page says whether a next page exists; a page of
	// the largest size the store reads gets a cursor when it is full.
	want := f.Limit
	f.Limit, f.SkipCount = min(want+1, maxPage), true
	ds, _, err := h.Store.ListDialogs(ctx, projectID, f)
	if err != nil {
		fail(c, err)
		return
	}
	var next *string
	if len(ds) > want || len(ds) == maxPage {
		ds = ds[:want]
		cur := formatCursor(ds[want-1])
		next = &cur
	}
	slugs := map[int64]string{}
	out := make([]dialogSummaryJSON, 0, len(ds))
	for _, d := range ds {
		slug, ok := slugs[d.BotID]
		if !ok && d.BotID != 0 {
			bot, err := h.Store.BotByID(ctx, projectID, d.BotID)
			if err != nil {
				fail(c, err)
				return
			}
			slug, slugs[d.BotID] = bot.Slug, bot.Slug
		}
		out = append(out, summaryOf(&d, slug))
	}
	c.JSON(http.StatusOK, gin.H{"dialogs": out, "next_cursor": next})
}

// A dialog list's page size when the client names none, and the largest.
const (
	defaultDialogPage = 40
	maxPage           = 1000
)

func summaryOf(d *store.Dialog, bot string) dialogSummaryJSON {
	return dialogSummaryJSON{ID: d.UUID, Number: d.Number, Bot: bot, Status: d.Status, Mode: d.Mode, Node: d.Node,
		Title: d.Title, UserID: d.UserID, UserName: userName(d.User), Pending: d.PendingCount, Handoff: handoffOf(d.Handoff),
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), LastUserAt: utcPtr(d.LastUserAt)}
}

// formatCursor is the opaque cursor of the page after d: its UpdatedAt in
// Unix microseconds and its id.
func formatCursor(d store.Dialog) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", d.UpdatedAt.UnixMicro(), d.ID))
}

// parseCursor reads what formatCursor wrote; nil for none.
func parseCursor(s string) (*store.DialogCursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := store.FieldErrorf(store.EINVALID, "cursor", "`cursor` is not one this API gave: pass a list's `next_cursor` as it is.")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	micros, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return nil, bad
	}
	us, err1 := strconv.ParseInt(micros, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return nil, bad
	}
	return &store.DialogCursor{UpdatedAt: time.UnixMicro(us).UTC(), ID: n}, nil
}

// userName is the name in a person's profile, "" when it has none.
func userName(profile map[string]any) string {
	name, _ := profile["name"].(string)
	return name
}
