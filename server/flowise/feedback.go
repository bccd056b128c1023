package flowise

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// feedbackRequest is the body of POST and PUT /api/v1/feedback. On PUT
// every field is optional; chatflowid, chatId and messageId, when sent,
// must be the feedback's message's, as Flowise checks them.
type feedbackRequest struct {
	ChatflowID *string `json:"chatflowid"`
	ChatID     *string `json:"chatId"`
	MessageID  *string `json:"messageId"`
	Rating     *string `json:"rating"`
	Content    *string `json:"content"`
}

const feedbackExample = `{"chatflowid": "<bot uuid>", "chatId": "s1", "messageId": "<message id>", "rating": "THUMBS_UP", "content": "Helpful"}`

// createFeedback is POST /api/v1/feedback: it rates a message and answers
// the feedback. A message rated before keeps its one feedback, which takes
// the new rating (Flowise refuses a second one with a 500).
func (h *handlers) createFeedback(c *gin.Context) {
	ctx, projectID := c.Request.Context(), server.CallerOf(c).ProjectID
	var req feedbackRequest
	if err := server.BindJSON(c, &req, server.Body{Example: feedbackExample}); err != nil {
		fail(c, err)
		return
	}
	if req.MessageID == nil || *req.MessageID == "" {
		fail(c, store.FieldErrorf(store.EINVALID, "messageId", "Message ID is required."))
		return
	}
	rating, err := ratingIn(req.Rating, true)
	if err != nil {
		fail(c, err)
		return
	}
	d, seq, err := h.messageDialog(ctx, projectID, *req.MessageID)
	if err != nil {
		fail(c, err)
		return
	}
	bot, err := h.consistent(ctx, d, req)
	if err != nil {
		fail(c, err)
		return
	}
	f := &store.Feedback{ProjectID: projectID, DialogID: d.ID, Seq: seq, Rating: rating}
	if req.Content != nil {
		f.Content = *req.Content
	}
	if _, err := h.Store.SaveFeedback(ctx, f); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toFeedback(f, bot.UUID, dialogChatID(d)))
}

// updateFeedback is PUT /api/v1/feedback/{id}: it changes the rating or
// the comment and answers {"status": "OK"}, as Flowise does.
func (h *handlers) updateFeedback(c *gin.Context) {
	ctx, projectID := c.Request.Context(), server.CallerOf(c).ProjectID
	var req feedbackRequest
	if err := server.BindJSON(c, &req, server.Body{Example: `{"rating": "THUMBS_DOWN", "content": "Wrong price"}`}); err != nil {
		fail(c, err)
		return
	}
	rating, err := ratingIn(req.Rating, false)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.checkUpdate(ctx, projectID, c.Param("id"), req); err != nil {
		fail(c, err)
		return
	}
	u := store.FeedbackUpdate{Content: req.Content}
	if rating != "" {
		u.Rating = &rating
	}
	if _, err := h.Store.UpdateFeedback(ctx, projectID, c.Param("id"), u); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "OK"})
}

// checkUpdate refuses a PUT whose ids are not the feedback's message's.
func (h *handlers) checkUpdate(ctx context.Context, projectID int64, id string, req feedbackRequest) error {
	if req.ChatflowID == nil && req.ChatID == nil && req.MessageID == nil {
		return nil
	}
	f, err := h.Store.Feedback(ctx, projectID, id)
	if err != nil {
		return err
	}
	if req.MessageID != nil && *req.MessageID != f.MessageID {
		return store.FieldErrorf(store.EINVALID, "messageId", "Feedback %s is on message %s; it cannot move to %s.", id, f.MessageID, *req.MessageID)
	}
	d, err := h.Store.DialogByID(ctx, projectID, f.DialogID)
	if err != nil {
		return err
	}
	_, err = h.consistent(ctx, d, req)
	return err
}

// listFeedback is GET /api/v1/feedback/{chatflowid}: the bot's feedback,
// with Flowise's chatId, order, startDate and endDate.
func (h *handlers) listFeedback(c *gin.Context) {
	ctx, projectID := c.Request.Context(), server.CallerOf(c).ProjectID
	q := c.Request.URL.Query()
	desc, err := parseOrder(q.Get("order"))
	if err != nil {
		fail(c, err)
		return
	}
	from, to, err := parseRange(q)
	if err != nil {
		fail(c, err)
		return
	}
	bot, err := h.chatflow(ctx, projectID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	f := store.FeedbackFilter{BotID: bot.ID, From: from, To: to, Desc: desc}
	if chat := q.Get("chatId"); chat != "" {
		d, err := h.chatDialog(ctx, projectID, chat)
		if store.ErrorCode(err) == store.ENOTFOUND {
			c.JSON(http.StatusOK, []feedbackJSON{})
			return
		}
		if err != nil {
			fail(c, err)
			return
		}
		f.DialogID = d.ID
	}
	h.answerFeedback(c, projectID, bot, f)
}

func (h *handlers) answerFeedback(c *gin.Context, projectID int64, bot *store.Bot, f store.FeedbackFilter) {
	ctx := c.Request.Context()
	list, err := h.Store.ListFeedback(ctx, projectID, f)
	if err != nil {
		fail(c, err)
		return
	}
	chats := map[int64]string{}
	out := make([]feedbackJSON, 0, len(list))
	for i := range list {
		chat, ok := chats[list[i].DialogID]
		if !ok {
			// A dialog deleted since has no feedback left; one moved
			// to another bot keeps its id.
			if d, err := h.Store.DialogByID(ctx, projectID, list[i].DialogID); err == nil {
				chat = dialogChatID(d)
			}
			chats[list[i].DialogID] = chat
		}
		out = append(out, toFeedback(&list[i], bot.UUID, chat))
	}
	c.JSON(http.StatusOK, out)
}

// ratingIn reads a Flowise rating; "" when it is absent and not required.
func ratingIn(r *string, required bool) (string, error) {
	if r == nil {
		if required {
			return "", store.FieldErrorf(store.EINVALID, "rating", "rating is required: THUMBS_UP or THUMBS_DOWN.")
		}
		return "", nil
	}
	if v, ok := ratingOf[*r]; ok {
		return v, nil
	}
	return "", store.FieldErrorf(store.EINVALID, "rating", "rating is THUMBS_UP or THUMBS_DOWN, not %q.", *r)
}

// messageDialog is the dialog and seq of a message id
// ("<dialog uuid>-<seq>"); ENOTFOUND, as Flowise says it, when the
// project has no such message's dialog.
func (h *handlers) messageDialog(ctx context.Context, projectID int64, id string) (*store.Dialog, int64, error) {
	notFound := store.Errorf(store.ENOTFOUND, "Message with ID %s not found", id)
	i := strings.LastIndexByte(id, '-')
	if i < 0 {
		return nil, 0, notFound
	}
	seq, err := strconv.ParseInt(id[i+1:], 10, 64)
	if _, uerr := uuid.Parse(id[:i]); err != nil || uerr != nil || seq <= 0 {
		return nil, 0, notFound
	}
	d, err := h.Store.Dialog(ctx, projectID, id[:i])
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, 0, notFound
	}
	return d, seq, err
}

// consistent returns the bot of dialog d, after checking that req's
// chatflowid and chatId, when sent, name d's bot and d.
func (h *handlers) consistent(ctx context.Context, d *store.Dialog, req feedbackRequest) (*store.Bot, error) {
	bot, err := h.Store.BotByID(ctx, d.ProjectID, d.BotID)
	if err != nil {
		return nil, err
	}
	if req.ChatID != nil && *req.ChatID != d.UUID && *req.ChatID != d.ExternalID {
		return nil, store.FieldErrorf(store.EINVALID, "chatId", "Inconsistent chat ID: the message does not belong to chat with ID %s", *req.ChatID)
	}
	if req.ChatflowID != nil && *req.ChatflowID != bot.UUID && *req.ChatflowID != bot.Slug {
		return nil, store.FieldErrorf(store.EINVALID, "chatflowid", "Inconsistent chatflow ID: the message does not belong to chatflow with ID %s", *req.ChatflowID)
	}
	return bot, nil
}

// chatDialog is the dialog a chat id names: its UUID, or the id its
// client chose (the newest dialog with it).
func (h *handlers) chatDialog(ctx context.Context, projectID int64, chat string) (*store.Dialog, error) {
	if _, err := uuid.Parse(chat); err == nil {
		d, err := h.Store.Dialog(ctx, projectID, chat)
		if store.ErrorCode(err) != store.ENOTFOUND {
			return d, err
		}
	}
	return h.Store.DialogByExternalID(ctx, projectID, 0, chat)
}

// dialogChatID is chatIDOf for a whole dialog.
func dialogChatID(d *store.Dialog) string {
	return chatIDOf(store.ChatDialog{UUID: d.UUID, ExternalID: d.ExternalID})
}
