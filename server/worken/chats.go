package worken

import (
	"context"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// A Worken chat is a Parley channel: a bot's API channel (no
// integration), a widget, or a messenger integration's chat. Its id is
// the channel's UUID.

// chatJSON is Worken's Chat.
type chatJSON struct {
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	BotID         string  `json:"bot_id"`
	IntegrationID *string `json:"integration_id"`
	Status        string  `json:"status"`
	ProjectID     string  `json:"project_id"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
	Events24h     int     `json:"events_24h"`
}

// names resolves the ids a view shows (bots' and channels' UUIDs) once
// per request.
type names struct {
	db       store.Store
	project  int64
	bots     map[int64]*store.Bot
	channels map[int64]*store.Channel
}

func (h *handlers) names(c *gin.Context) *names {
	return &names{db: h.Store, project: project(c), bots: map[int64]*store.Bot{}, channels: map[int64]*store.Channel{}}
}

// bot is the project's bot of an id, deleted or not; nil for none.
func (n *names) bot(ctx context.Context, id int64) (*store.Bot, error) {
	if b, ok := n.bots[id]; ok || id == 0 {
		return b, nil
	}
	b, err := n.db.BotByID(ctx, n.project, id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		b, err = nil, nil
	}
	n.bots[id] = b
	return b, err
}

func (n *names) botUUID(ctx context.Context, id int64) (string, error) {
	b, err := n.bot(ctx, id)
	if b == nil {
		return "", err
	}
	return b.UUID, nil
}

// channel is the project's channel of an id; nil for none.
func (n *names) channel(ctx context.Context, id int64) (*store.Channel, error) {
	if ch, ok := n.channels[id]; ok || id == 0 {
		return ch, nil
	}
	ch, err := n.db.Channel(ctx, n.project, id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		ch, err = nil, nil
	}
	n.channels[id] = ch
	return ch, err
}

// chat renders a channel with its count of events in the last 24 hours.
func (n *names) chat(ctx context.Context, ch *store.Channel, events24h int) (chatJSON, error) {
	n.channels[ch.ID] = ch
	b, err := n.bot(ctx, ch.BotID)
	if err != nil {
		return chatJSON{}, err
	}
	out := chatJSON{ID: ch.UUID, Name: ch.Name, Status: ch.Status, ProjectID: strconv.FormatInt(ch.ProjectID, 10),
		CreatedAt: timestamp(ch.CreatedAt), UpdatedAt: timestamp(ch.UpdatedAt), Events24h: events24h}
	if b != nil {
		out.BotID = b.UUID
		if ch.Kind == store.ChannelAPI { // the bot's own chat bears its current name
			out.Name = b.Name
		}
	}
	if ch.IntegrationUUID != "" {
		out.IntegrationID = &ch.IntegrationUUID
	}
	return out, nil
}

// listChats is GET /chats: every channel of the project's bots, oldest
// first.
func (h *handlers) listChats(c *gin.Context) {
	chs, err := h.Store.ProjectChannels(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	h.renderChats(c, chs, false)
}

// getChat is GET /chats/:chat_id.
func (h *handlers) getChat(c *gin.Context) {
	if ch, ok := h.chat(c); ok {
		h.renderChats(c, []store.Channel{*ch}, true)
	}
}

// chat is the caller's channel of the path's chat_id.
func (h *handlers) chat(c *gin.Context) (*store.Channel, bool) {
	ch, err := h.Store.ChannelByUUID(c.Request.Context(), project(c), c.Param("chat_id"))
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return ch, true
}
