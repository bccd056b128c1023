package worken

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// A Worken thread is a Parley dialog; its id is the dialog's UUID. A
// thread a client named itself on its first stream (a thread id that is
// not a UUID, as the AI SDK's chat ids) keeps that name as the dialog's
// external id, and every route takes either.

const (
	threadModeBody = `{"mode": "manual"}`
	threadSendBody = `{"text": "Hello, this is Kate from support."}`
	maxThreadPage  = 100
)

// threadJSON is Worken's Thread.
type threadJSON struct {
	ID            string  `json:"id"`
	ChatID        string  `json:"chat_id"`
	BotID         string  `json:"bot_id"`
	Mode          string  `json:"mode"`
	Title         *string `json:"title"`
	LastMessageAt *string `json:"last_message_at"`
	PendingCount  int     `json:"pending_count"`
	CreatedAt     string  `json:"created_at"`
}

// threadDetailJSON is Worken's ThreadDetail.
type threadDetailJSON struct {
	threadJSON
	Person *personJSON  `json:"person"`
	Stats  threadCounts `json:"stats"`
}

type personJSON struct {
	ID         string  `json:"id"`
	Name       *string `json:"name"`
	AvatarURL  *string `json:"avatar_url"`
	ExternalID *string `json:"external_id"`
}

type threadCounts struct {
	MessagesTotal int `json:"messages_total"`
	UserMessages  int `json:"user_messages"`
	BotMessages   int `json:"bot_messages"`
}

// messageJSON is Worken's Message.
type messageJSON struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	Content   string `json:"content"`
	CreatedAt string `json:"created_at"`
}

type threadPageJSON struct {
	Data       []threadJSON `json:"data"`
	NextCursor *string      `json:"next_cursor"`
}

// thread renders a dialog with its message stats.
func (n *names) thread(ctx context.Context, d *store.Dialog, st store.MessageStats) (threadJSON, error) {
	out := threadJSON{ID: d.UUID, Mode: d.Mode, PendingCount: d.PendingCount, CreatedAt: timestamp(d.CreatedAt)}
	if d.Title != "" {
		out.Title = &d.Title
	}
	if !st.LastAt.IsZero() {
		at := timestamp(st.LastAt)
		out.LastMessageAt = &at
	}
	var err error
	if out.BotID, err = n.botUUID(ctx, d.BotID); err != nil {
		return out, err
	}
	ch, err := n.channel(ctx, d.ChannelID)
	if ch != nil {
		out.ChatID = ch.UUID
	}
	return out, err
}

// threads renders a page of dialogs.
func (h *handlers) threads(c *gin.Context, ds []store.Dialog) ([]threadJSON, error) {
	ctx := c.Request.Context()
	ids := make([]int64, len(ds))
	for i := range ds {
		ids[i] = ds[i].ID
	}
	stats, err := h.Store.MessageStats(ctx, ids)
	if err != nil {
		return nil, err
	}
	n := h.names(c)
	out := make([]threadJSON, 0, len(ds))
	for i := range ds {
		t, err := n.thread(ctx, &ds[i], stats[ds[i].ID])
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// findThread is a project's dialog by UUID or by the external id a client
// gave it, of the channel (nil: of any).
func (h *handlers) findThread(ctx context.Context, projectID int64, ch *store.Channel, id string) (*store.Dialog, error) {
	var channelID int64
	if ch != nil {
		channelID = ch.ID
	}
	if _, err := uuid.Parse(id); err == nil {
		d, err := h.Store.Dialog(ctx, projectID, id)
		if err == nil && channelID != 0 && d.ChannelID != channelID {
			return nil, store.Errorf(store.ENOTFOUND, "Thread %q is not in this chat.", id)
		}
		if store.ErrorCode(err) != store.ENOTFOUND {
			return d, err
		}
	}
	d, err := h.Store.DialogByExternalID(ctx, projectID, channelID, id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, store.Errorf(store.ENOTFOUND, "Thread %q not found.", id)
	}
	return d, err
}

// thread is the caller's dialog of the path's thread_id, in the path's
// chat when it names one.
func (h *handlers) thread(c *gin.Context) (*store.Dialog, bool) {
	var ch *store.Channel
	if c.Param("chat_id") != "" {
		var ok bool
		if ch, ok = h.chat(c); !ok {
			return nil, false
		}
	}
	d, err := h.findThread(c.Request.Context(), project(c), ch, c.Param("thread_id"))
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return d, true
}

// chatThreads is GET /chats/:chat_id/threads: the chat's threads, the
// most recently active first (at most 100; GET /threads pages).
func (h *handlers) chatThreads(c *gin.Context) {
	ch, ok := h.chat(c)
	if !ok {
		return
	}
	ds, _, err := h.Store.ListDialogs(c.Request.Context(), project(c),
		store.DialogFilter{ChannelID: ch.ID, Limit: maxThreadPage, SkipCount: true})
	if err != nil {
		fail(c, err)
		return
	}
	out, err := h.threads(c, ds)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// listThreads is GET /threads: the project's threads, the most recently
// active first, filtered by chat, bot and words of their messages, paged
// by offset or by cursor (keyset: nothing skipped or repeated while
// threads change).
func (h *handlers) listThreads(c *gin.Context) {
	ctx := c.Request.Context()
	f, err := h.threadFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	ds, _, err := h.Store.ListDialogs(ctx, project(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	out, err := h.threads(c, ds)
	if err != nil {
		fail(c, err)
		return
	}
	page := threadPageJSON{Data: out}
	if len(ds) == f.Limit {
		last := ds[len(ds)-1]
		next := encodeCursor(store.DialogCursor{UpdatedAt: last.UpdatedAt, ID: last.ID})
		page.NextCursor = &next
	}
	c.JSON(http.StatusOK, page)
}

// threadFilter reads GET /threads' query.
func (h *handlers) threadFilter(c *gin.Context) (store.DialogFilter, error) {
	ctx := c.Request.Context()
	f := store.DialogFilter{Limit: 20, SkipCount: true, Text: strings.TrimSpace(c.Query("search"))}
	var err error
	for _, p := range []struct {
		name string
		to   *int
		max  int
	}{{"limit", &f.Limit, maxThreadPage}, {"offset", &f.Offset, 1 << 30}} {
		if v := c.Query(p.name); v != "" {
			n, perr := strconv.Atoi(v)
			if perr != nil || n < 0 || n > p.max || (p.name == "limit" && n == 0) {
				return f, store.FieldErrorf(store.EINVALID, p.name, "`%s` is a whole number from %d to %d; got %q.",
					p.name, map[bool]int{true: 1, false: 0}[p.name == "limit"], p.max, v)
			}
			*p.to = n
		}
	}
	if id := c.Query("chat_id"); id != "" {
		ch, err := h.Store.ChannelByUUID(ctx, project(c), id)
		if err != nil {
			return f, err
		}
		f.ChannelID = ch.ID
	}
	if id := c.Query("bot_id"); id != "" {
		b, err := h.Store.BotByUUID(ctx, project(c), id)
		if err != nil {
			return f, err
		}
		f.BotID = b.ID
	}
	if v := c.Query("cursor"); v != "" {
		if f.After, err = decodeCursor(v); err != nil {
			return f, err
		}
	}
	return f, nil
}

// A cursor is the last thread of a page, opaque to clients.
func encodeCursor(cur store.DialogCursor) string {
	b, _ := json.Marshal(map[string]any{"t": cur.UpdatedAt.UTC().Format(time.RFC3339Nano), "id": cur.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*store.DialogCursor, error) {
	var v struct {
		T  string `json:"t"`
		ID int64  `json:"id"`
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	t, terr := time.Parse(time.RFC3339Nano, v.T)
	if err != nil || terr != nil || v.ID <= 0 {
		return nil, store.FieldErrorf(store.EINVALID, "cursor", "`cursor` is not one this API gave; pass next_cursor of the previous page as it is.")
	}
	return &store.DialogCursor{UpdatedAt: t, ID: v.ID}, nil
}

// getThread is GET /threads/:thread_id: the thread, its person and its
// message counts.
func (h *handlers) getThread(c *gin.Context) {
	d, ok := h.thread(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	stats, err := h.Store.MessageStats(ctx, []int64{d.ID})
	if err != nil {
		fail(c, err)
		return
	}
	st := stats[d.ID]
	t, err := h.names(c).thread(ctx, d, st)
	if err != nil {
		fail(c, err)
		return
	}
	bot := st.ByRole[store.MessageAssistant] + st.ByRole[store.MessageOperator]
	c.JSON(http.StatusOK, threadDetailJSON{threadJSON: t, Person: personOf(d),
		Stats: threadCounts{MessagesTotal: st.ByRole[store.MessageUser] + bot, UserMessages: st.ByRole[store.MessageUser], BotMessages: bot}})
}

// personOf is who talks in a dialog, from the profile its client or
// channel gave; nil when nobody said.
func personOf(d *store.Dialog) *personJSON {
	if d.UserID == "" && len(d.User) == 0 {
		return nil
	}
	text := func(key string) *string {
		if s, ok := d.User[key].(string); ok && s != "" {
			return &s
		}
		return nil
	}
	p := &personJSON{ID: d.UserID, Name: text("name"), AvatarURL: text("avatar_url"), ExternalID: text("external_id")}
	if p.ExternalID == nil && d.UserID != "" {
		p.ExternalID = &d.UserID
	}
	if p.ID == "" {
		p.ID = d.UUID
	}
	return p
}

// threadMessages is GET /chats/:chat_id/threads/:thread_id/messages: what
// the user and the bot said (operators' messages are the assistant's;
// notes and system messages are not shown).
func (h *handlers) threadMessages(c *gin.Context) {
	d, ok := h.thread(c)
	if !ok {
		return
	}
	msgs, err := h.Store.Messages(c.Request.Context(), d.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		if role := roleOf(m.Role); role != "" {
			out = append(out, messageJSON{ID: m.ID, Role: role, Content: m.Text, CreatedAt: timestamp(m.CreatedAt)})
		}
	}
	c.JSON(http.StatusOK, out)
}

// roleOf is a message's Worken role; "" for one Worken does not show.
func roleOf(role string) string {
	switch role {
	case store.MessageUser:
		return "user"
	case store.MessageAssistant, store.MessageOperator:
		return "assistant"
	}
	return ""
}

// deleteThread is POST /chats/:chat_id/threads/:thread_id/delete: the
// dialog ends and its messages are deleted.
func (h *handlers) deleteThread(c *gin.Context) {
	d, ok := h.thread(c)
	if !ok {
		return
	}
	if err := h.Dialogs.Delete(c.Request.Context(), d); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: d.UUID, Object: "thread", Deleted: true})
}

type modeRequest struct {
	Mode string `json:"mode"`
}

// setThreadMode is POST /chats/:chat_id/threads/:thread_id/mode: auto
// (the bot answers), manual or operator (an operator does; the bot is
// silent and the dialog waits in the default queue), blocked (nothing is
// answered or kept).
func (h *handlers) setThreadMode(c *gin.Context) {
	var req modeRequest
	if err := bindJSON(c, &req, threadModeBody); err != nil {
		fail(c, err)
		return
	}
	d, ok := h.thread(c)
	if !ok {
		return
	}
	turn, err := h.Dialogs.SetMode(c.Request.Context(), d, req.Mode, dialogs.Operator{})
	if err != nil {
		fail(c, err)
		return
	}
	d.DialogState = turn.State
	h.renderThread(c, d)
}

// renderThread answers with a dialog as a Thread.
func (h *handlers) renderThread(c *gin.Context, d *store.Dialog) {
	ctx := c.Request.Context()
	stats, err := h.Store.MessageStats(ctx, []int64{d.ID})
	if err != nil {
		fail(c, err)
		return
	}
	t, err := h.names(c).thread(ctx, d, stats[d.ID])
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

type sendRequest struct {
	Text        string     `json:"text"`
	ScheduledAt *time.Time `json:"scheduledAt"`
}

// sendToThread is POST /threads/:thread_id/send: an operator's message,
// now or at scheduledAt. The thread must be in manual mode, as Worken
// documents (409 otherwise).
func (h *handlers) sendToThread(c *gin.Context) {
	var req sendRequest
	if err := bindJSON(c, &req, threadSendBody); err != nil {
		fail(c, err)
		return
	}
	d, ok := h.thread(c)
	if !ok {
		return
	}
	if d.Mode != store.ModeManual {
		fail(c, store.Errorf(store.ECONFLICT, "Thread %s is in %s mode; set its mode to manual (POST /chats/{chat_id}/threads/{thread_id}/mode) before an operator writes.", d.UUID, d.Mode))
		return
	}
	op, name := server.CallerOf(c).Operator("")
	turn, err := h.Dialogs.ScheduleMessage(c.Request.Context(), d, dialogs.Operator{ID: op, Name: name},
		dialogs.OperatorText{Text: req.Text, At: req.ScheduledAt})
	if err != nil {
		fail(c, err)
		return
	}
	out := messageJSON{Role: "assistant", Content: req.Text, CreatedAt: timestamp(time.Now())}
	for _, m := range turn.Messages {
		if m.Role == store.MessageOperator {
			out = messageJSON{ID: m.ID, Role: "assistant", Content: m.Text, CreatedAt: timestamp(m.CreatedAt)}
		}
	}
	for _, s := range turn.State.Scheduled {
		if req.ScheduledAt != nil && s.At.Equal(*req.ScheduledAt) && s.Text == req.Text {
			out = messageJSON{ID: s.ID, Role: "assistant", Content: s.Text, CreatedAt: timestamp(s.At)}
		}
	}
	c.JSON(http.StatusOK, out)
}

// threadMemory is GET /threads/:thread_id/memory: the facts the model
// keeps about the dialog, as Markdown; null when it keeps none.
func (h *handlers) threadMemory(c *gin.Context) {
	d, ok := h.thread(c)
	if !ok {
		return
	}
	var content *string
	if d.WorkingMemory != "" {
		content = &d.WorkingMemory
	}
	c.JSON(http.StatusOK, gin.H{"content": content})
}
