package replyx

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// A ReplyX dialog is a Parley dialog: its id is the dialog's number in the
// project, its assistant_id the bot's id, its platform the kind of channel
// it came through.

// platforms are ReplyX's platforms by Parley channel kind.
var platforms = map[string]string{store.ChannelTelegram: "telegram", store.ChannelWidget: "website", store.ChannelAPI: "api"}

// dialogJSON is ReplyX's dialog, as listed; the detail adds its fields.
type dialogJSON struct {
	ID               int64      `json:"id"`
	AssistantID      int64      `json:"assistant_id"`
	Platform         string     `json:"platform"`
	TelegramChatID   *string    `json:"telegram_chat_id"`
	TelegramUsername *string    `json:"telegram_username"`
	FirstName        *string    `json:"first_name"`
	LastName         *string    `json:"last_name"`
	Status           string     `json:"status"`
	HandoffStatus    string     `json:"handoff_status"`
	IsTakenOver      bool       `json:"is_taken_over"`
	LastMessage      *string    `json:"last_message,omitempty"`
	LastMessageTime  *time.Time `json:"last_message_time,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
}

type dialogDetailJSON struct {
	dialogJSON
	AssistantName      string     `json:"assistant_name"`
	HandoffReason      *string    `json:"handoff_reason"`
	HandoffRequestedAt *time.Time `json:"handoff_requested_at"`
	TakenOverBy        *string    `json:"taken_over_by"`
}

// dialogOf is d as ReplyX shows it; kinds are the project's channels'.
func dialogOf(d *store.Dialog, kinds map[int64]string) dialogJSON {
	out := dialogJSON{ID: d.Number, AssistantID: d.BotID, Platform: platforms[kinds[d.ChannelID]], Status: "active",
		HandoffStatus: d.Handoff.HandoffStatus(), CreatedAt: d.CreatedAt.UTC()}
	if out.Platform == "" {
		out.Platform = "api"
	}
	if ended(d.Status) {
		out.Status = "archived"
	}
	out.IsTakenOver = out.HandoffStatus == store.HandoffActive
	first, last := names(d.User)
	out.FirstName, out.LastName = first, last
	if out.Platform == "telegram" {
		out.TelegramChatID = nonEmpty(d.ExternalID)
		out.TelegramUsername = profileString(d.User, "username")
	}
	return out
}

// names are a user's first and last names: as the profile has them, or
// its name split at the first space.
func names(user map[string]any) (first, last *string) {
	first, last = profileString(user, "first_name"), profileString(user, "last_name")
	if first != nil || last != nil {
		return first, last
	}
	name := profileString(user, "name")
	if name == nil {
		return nil, nil
	}
	f, l, _ := strings.Cut(*name, " ")
	return nonEmpty(f), nonEmpty(l)
}

func profileString(user map[string]any, key string) *string {
	s, _ := user[key].(string)
	return nonEmpty(s)
}

func nonEmpty(s string) *string {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return &s
}

func ended(status string) bool {
	return status == store.StatusCompleted || status == store.StatusInterrupted || status == store.StatusError
}

// channelKinds are the kinds of a project's channels, by id.
func (h *handlers) channelKinds(ctx context.Context, projectID int64) (map[int64]string, error) {
	chs, err := h.Store.ProjectChannels(ctx, projectID)
	out := make(map[int64]string, len(chs))
	for _, ch := range chs {
		out[ch.ID] = ch.Kind
	}
	return out, err
}

// listDialogs is GET /api/dialogs: status active|archived, handoff_status,
// platform telegram|website|api, limit (50) and offset; the newest change
// first.
func (h *handlers) listDialogs(c *gin.Context) {
	f, err := dialogFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	page, total, err := h.Store.ListDialogs(ctx, project, f)
	if err != nil {
		fail(c, err)
		return
	}
	kinds, err := h.channelKinds(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	ids := make([]int64, len(page))
	for i, d := range page {
		ids[i] = d.ID
	}
	stats, err := h.Store.MessageStats(ctx, ids)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]dialogJSON, len(page))
	for i := range page {
		out[i] = dialogOf(&page[i], kinds)
		if s, ok := stats[page[i].ID]; ok {
			at := s.LastAt.UTC()
			out[i].LastMessage, out[i].LastMessageTime = &s.LastText, &at
		}
	}
	c.JSON(http.StatusOK, gin.H{"dialogs": out, "total": total, "has_more": f.Offset+len(page) < total})
}

// dialogFilter reads GET /api/dialogs' parameters.
func dialogFilter(c *gin.Context) (store.DialogFilter, error) {
	f := store.DialogFilter{Limit: 50}
	switch s := c.Query("status"); s {
	case "":
	case "active":
		f.Live = true
	case "archived":
		f.Ended = true
	default:
		return f, store.FieldErrorf(store.EINVALID, "status", "status is active or archived, not %q.", s)
	}
	if hs := c.Query("handoff_status"); hs != "" {
		switch hs {
		case store.HandoffNone, store.HandoffRequested, store.HandoffActive, store.HandoffReleased:
			f.HandoffStatus = hs
		default:
			return f, store.FieldErrorf(store.EINVALID, "handoff_status", "handoff_status is none, requested, active or released, not %q.", hs)
		}
	}
	if p := c.Query("platform"); p != "" {
		for kind, name := range platforms {
			if name == p {
				f.ChannelKind = kind
			}
		}
		if f.ChannelKind == "" {
			return f, store.FieldErrorf(store.EINVALID, "platform", "platform is telegram, website or api, not %q.", p)
		}
	}
	var err error
	if f.Limit, err = intParam(c, "limit", 50, 1, 100); err != nil {
		return f, err
	}
	f.Offset, err = intParam(c, "offset", 0, 0, 1_000_000)
	return f, err
}

// intParam is a whole-number query parameter between lo and hi.
func intParam(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, store.FieldErrorf(store.EINVALID, name, "%s is a whole number from %d to %d, not %q.", name, lo, hi, v)
	}
	return n, nil
}

// dialog is the dialog of the path's id (its number in the caller's
// project); 404 when it has none.
func (h *handlers) dialog(c *gin.Context) (*store.Dialog, bool) {
	n, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || n < 1 {
		fail(c, store.Errorf(store.ENOTFOUND, "There is no dialog %q: a dialog's id is a whole number.", c.Param("id")))
		return nil, false
	}
	d, err := h.Store.DialogByNumber(c.Request.Context(), server.CallerOf(c).ProjectID, n)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return d, true
}

// showDialog answers with a dialog's detail.
func (h *handlers) showDialog(c *gin.Context, d *store.Dialog) {
	ctx := c.Request.Context()
	kinds, err := h.channelKinds(ctx, d.ProjectID)
	if err != nil {
		fail(c, err)
		return
	}
	out := dialogDetailJSON{dialogJSON: dialogOf(d, kinds)}
	if b, err := h.Store.BotByID(ctx, d.ProjectID, d.BotID); err == nil {
		out.AssistantName = b.Name
	} else if store.ErrorCode(err) != store.ENOTFOUND {
		fail(c, err)
		return
	}
	if ho := d.Handoff; ho != nil {
		out.HandoffReason, out.HandoffRequestedAt = nonEmpty(ho.Reason), ho.RequestedAt
		if ho.HandoffStatus() == store.HandoffActive {
			out.TakenOverBy = nonEmpty(ho.OperatorName)
		}
	}
	c.JSON(http.StatusOK, out)
}

// getDialog is GET /api/dialogs/{id}.
func (h *handlers) getDialog(c *gin.Context) {
	if d, ok := h.dialog(c); ok {
		h.showDialog(c, d)
	}
}

// messageJSON is ReplyX's message.
type messageJSON struct {
	ID           int64     `json:"id"`
	Sender       string    `json:"sender"`
	Text         string    `json:"text"`
	OperatorName *string   `json:"operator_name,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// senders are ReplyX's senders by message role; system messages are not
// shown.
var senders = map[string]string{store.MessageUser: "user", store.MessageAssistant: "assistant", store.MessageOperator: "operator"}

func messageOf(m store.Message) messageJSON {
	out := messageJSON{ID: m.Seq, Sender: senders[m.Role], Text: m.Text, CreatedAt: m.CreatedAt.UTC()}
	if m.Role == store.MessageOperator {
		out.OperatorName = nonEmpty(m.Operator)
	}
	return out
}

// dialogMessages is GET /api/dialogs/{id}/messages.
func (h *handlers) dialogMessages(c *gin.Context) {
	d, ok := h.dialog(c)
	if !ok {
		return
	}
	msgs, err := h.Store.Messages(c.Request.Context(), d.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := []messageJSON{}
	for _, m := range msgs {
		if senders[m.Role] != "" {
			out = append(out, messageOf(m))
		}
	}
	c.JSON(http.StatusOK, gin.H{"messages": out})
}

// operatorFor is who acts: the body's operator, else the caller.
func operatorFor(c *gin.Context, name string, id *int64) dialogs.Operator {
	op := dialogs.Operator{Name: strings.TrimSpace(name)}
	if id != nil {
		op.ID = strconv.FormatInt(*id, 10)
	}
	caller := server.CallerOf(c)
	if op.ID == "" && caller.UserID != 0 {
		op.ID = strconv.FormatInt(caller.UserID, 10)
	}
	if op.Name == "" {
		op.Name = caller.Name
	}
	return op
}

// sendOperatorMessage is POST /api/dialogs/{id}/messages: an operator's
// message (an operator who writes takes the dialog), answered as ReplyX's
// message.
func (h *handlers) sendOperatorMessage(c *gin.Context) {
	d, ok := h.dialog(c)
	if !ok {
		return
	}
	var body struct {
		Text         string `json:"text"`
		OperatorName string `json:"operator_name"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: `{"text": "Сообщение от оператора", "operator_name": "Анна"}`}); err != nil {
		fail(c, err)
		return
	}
	turn, err := h.Dialogs.OperatorMessage(c.Request.Context(), d, operatorFor(c, body.OperatorName, nil), body.Text)
	if err != nil {
		fail(c, err)
		return
	}
	for i := len(turn.Messages) - 1; i >= 0; i-- {
		if turn.Messages[i].Role == store.MessageOperator {
			c.JSON(http.StatusOK, messageOf(turn.Messages[i]))
			return
		}
	}
	fail(c, store.Errorf(store.EINTERNAL, "the operator's message is not in the turn"))
}

// handoff runs a handoff action and answers with the dialog's detail.
func (h *handlers) handoff(c *gin.Context, in dialogs.HandoffInput) {
	d, ok := h.dialog(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if _, err := h.Dialogs.Handoff(ctx, d, in); err != nil {
		fail(c, err)
		return
	}
	d, err := h.Store.Dialog(ctx, d.ProjectID, d.UUID)
	if err != nil {
		fail(c, err)
		return
	}
	h.showDialog(c, d)
}

// requestHandoff is POST /api/dialogs/{id}/handoff/request.
func (h *handlers) requestHandoff(c *gin.Context) {
	var body struct {
		Reason       string `json:"reason"`
		LastUserText string `json:"last_user_text"` // the dialog keeps the user's last text itself
	}
	if err := server.BindJSON(c, &body, server.Body{Example: `{"reason": "keyword"}`, Optional: true}); err != nil {
		fail(c, err)
		return
	}
	h.handoff(c, dialogs.HandoffInput{Action: dialogs.HandoffRequest, Reason: body.Reason})
}

// takeHandoff is POST /api/dialogs/{id}/handoff/take.
func (h *handlers) takeHandoff(c *gin.Context) {
	var body struct {
		OperatorName string `json:"operator_name"`
		OperatorID   *int64 `json:"operator_id"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: `{"operator_name": "Анна", "operator_id": 5}`, Optional: true}); err != nil {
		fail(c, err)
		return
	}
	h.handoff(c, dialogs.HandoffInput{Action: dialogs.HandoffTake, Operator: operatorFor(c, body.OperatorName, body.OperatorID)})
}

// releaseHandoff is POST /api/dialogs/{id}/handoff/release: the bot has
// the dialog again.
func (h *handlers) releaseHandoff(c *gin.Context) {
	h.handoff(c, dialogs.HandoffInput{Action: dialogs.HandoffRelease, Operator: operatorFor(c, "", nil)})
}
