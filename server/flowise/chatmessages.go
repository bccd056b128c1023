package flowise

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// listMessages is GET /chatmessage/{id}: the bot's messages the filters
// select, oldest first unless order=DESC.
func (h *handlers) listMessages(c *gin.Context) {
	ctx, projectID := c.Request.Context(), server.CallerOf(c).ProjectID
	q, err := parseMessageQuery(c.Request.URL.Query(), false)
	if err != nil {
		fail(c, err)
		return
	}
	bot, err := h.chatflow(ctx, projectID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	msgs, err := h.selectMessages(ctx, projectID, bot, q)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]chatMessage, len(msgs))
	for i, m := range msgs {
		out[i] = toChatMessage(m, bot, h.fileLink)
	}
	c.JSON(http.StatusOK, out)
}

// deleteMessages is DELETE /chatmessage/{id}: it deletes the messages
// the filters select (200, no body), 404 when none. The dialogs stay and
// go on: a deleted message is gone from the model's memory of them too.
// hardDelete also deletes the files the messages carried; Parley keeps
// nothing else of a message elsewhere (no per-dialog embeddings or vector
// points: semantic recall embeds when it asks).
func (h *handlers) deleteMessages(c *gin.Context) {
	ctx, projectID := c.Request.Context(), server.CallerOf(c).ProjectID
	q, err := parseMessageQuery(c.Request.URL.Query(), true)
	if err != nil {
		fail(c, err)
		return
	}
	bot, err := h.chatflow(ctx, projectID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	msgs, err := h.selectMessages(ctx, projectID, bot, q)
	if err == nil && len(msgs) == 0 {
		err = store.Errorf(store.ENOTFOUND, "No chat messages of chatflow %s match.", bot.UUID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	keys := make([]store.MessageKey, len(msgs))
	for i, m := range msgs {
		keys[i] = store.MessageKey{DialogID: m.DialogID, Seq: m.Seq}
	}
	if _, err := h.Store.DeleteMessages(ctx, projectID, keys); err != nil {
		fail(c, err)
		return
	}
	if q.hardDelete {
		h.deleteFiles(c, projectID, msgs)
	}
	c.Status(http.StatusOK)
}

// deleteFiles deletes the records of the files msgs carried. The
// messages are gone already, so a failure is logged, not answered.
func (h *handlers) deleteFiles(c *gin.Context, projectID int64, msgs []store.ChatMessage) {
	for _, m := range msgs {
		for _, f := range m.Files {
			if f.ID == 0 {
				continue
			}
			if err := h.Store.DeleteFile(c.Request.Context(), projectID, f.ID); err != nil && store.ErrorCode(err) != store.ENOTFOUND {
				server.Logger(c).Warn("deleting a deleted message's file failed", "file", f.ID, "error", err)
			}
		}
	}
}

// selectMessages are the bot's messages q selects: the store's filters,
// then those it has no column for.
func (h *handlers) selectMessages(ctx context.Context, projectID int64, bot *store.Bot, q messageQuery) ([]store.ChatMessage, error) {
	if q.none {
		return nil, nil
	}
	f := q.filter
	f.BotID = bot.ID
	all, err := h.Store.ChatMessages(ctx, projectID, f)
	if err != nil {
		return nil, err
	}
	var shown []store.ChatMessage
	for _, m := range all {
		if _, ok := roleOf(m.Role); ok && (q.messageID == "" || m.ID == q.messageID) {
			shown = append(shown, m)
		}
	}
	if q.feedback {
		shown = rated(shown, q.ratings)
	}
	return shown, nil
}

// rated keeps the bot messages rated with one of ratings (any, when
// empty) and, before each, the user's message it answered (the previous
// message of its dialog, when that is the user's), as Flowise does.
func rated(msgs []store.ChatMessage, ratings map[string]bool) []store.ChatMessage {
	at := make(map[store.MessageKey]int, len(msgs))
	for i, m := range msgs {
		at[store.MessageKey{DialogID: m.DialogID, Seq: m.Seq}] = i
	}
	keep := make([]bool, len(msgs))
	for i, m := range msgs {
		if role, _ := roleOf(m.Role); role != roleAPI || m.Feedback == nil || (len(ratings) > 0 && !ratings[m.Feedback.Rating]) {
			continue
		}
		keep[i] = true
		if j, ok := previous(at, m); ok && msgs[j].Role == store.MessageUser {
			keep[j] = true
		}
	}
	var out []store.ChatMessage
	for i, m := range msgs {
		if keep[i] {
			out = append(out, m)
		}
	}
	return out
}

// previous is the index of the message listed before m in its dialog
// (Seq also numbers collected data, so there may be gaps).
func previous(at map[store.MessageKey]int, m store.ChatMessage) (int, bool) {
	for seq := m.Seq - 1; seq > 0; seq-- {
		if j, ok := at[store.MessageKey{DialogID: m.DialogID, Seq: seq}]; ok {
			return j, true
		}
	}
	return 0, false
}
