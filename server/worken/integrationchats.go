package worken

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// An integration's chat binds one of the project's bots to the
// integration: a Telegram bot's users talk to it, each Telegram chat a
// thread. Updates go to the integration's oldest active chat.

type integrationChatRequest struct {
	BotID    string         `json:"bot_id"`
	Name     *string        `json:"name"`
	Settings map[string]any `json:"settings"`
}

// integrationChat is the path's chat of the path's integration.
func (h *handlers) integrationChat(c *gin.Context) (*store.Integration, *store.Channel, bool) {
	in, ok := h.integration(c)
	if !ok {
		return nil, nil, false
	}
	ch, ok := h.chat(c)
	if ok && ch.IntegrationID != in.ID {
		fail(c, store.Errorf(store.ENOTFOUND, "Chat %q is not a chat of integration %s.", c.Param("chat_id"), in.UUID))
		return nil, nil, false
	}
	return in, ch, ok
}

// renderChats answers with channels as Chats.
func (h *handlers) renderChats(c *gin.Context, chs []store.Channel, one bool) {
	ctx := c.Request.Context()
	counts, err := h.Store.ChannelEvents(ctx, project(c), time.Now().Add(-24*time.Hour))
	if err != nil {
		fail(c, err)
		return
	}
	n := h.names(c)
	out := make([]chatJSON, 0, len(chs))
	for i := range chs {
		chat, err := n.chat(ctx, &chs[i], counts[chs[i].ID])
		if err != nil {
			fail(c, err)
			return
		}
		out = append(out, chat)
	}
	if one {
		c.JSON(http.StatusOK, out[0])
		return
	}
	c.JSON(http.StatusOK, out)
}

// listIntegrationChats is GET /integrations/:id/chats.
func (h *handlers) listIntegrationChats(c *gin.Context) {
	in, ok := h.integration(c)
	if !ok {
		return
	}
	chs, err := h.Store.IntegrationChannels(c.Request.Context(), in.ProjectID, in.ID)
	if err != nil {
		fail(c, err)
		return
	}
	h.renderChats(c, chs, false)
}

// createIntegrationChat is POST /integrations/:id/chats: a chat of the
// body's bot (its UUID) on the integration. A vendor with no channel in
// Parley yet is a 422.
func (h *handlers) createIntegrationChat(c *gin.Context) {
	var req integrationChatRequest
	if err := bindJSON(c, &req, integrationChatBody); err != nil {
		fail(c, err)
		return
	}
	in, ok := h.integration(c)
	if !ok {
		return
	}
	kind, works := channelVendors[in.Vendor]
	if !works {
		fail(c, store.Errorf(store.EINVALID, "Parley has no %s channel yet: the integration is stored, but its chats would not work.", in.Vendor))
		return
	}
	ctx := c.Request.Context()
	bot, err := h.Store.BotByUUID(ctx, in.ProjectID, req.BotID)
	if err != nil {
		fail(c, err)
		return
	}
	ch := &store.Channel{ProjectID: in.ProjectID, BotID: bot.ID, Kind: kind, IntegrationID: in.ID, Name: bot.Name, Settings: req.Settings}
	if req.Name != nil {
		ch.Name = *req.Name
	}
	if kind == store.ChannelWidget {
		origins, _ := req.Settings["allowed_origins"].([]any)
		for _, o := range origins {
			if s, ok := o.(string); ok {
				ch.AllowedOrigins = append(ch.AllowedOrigins, s)
			}
		}
	}
	if err := h.Store.CreateChannel(ctx, ch); err != nil {
		fail(c, err)
		return
	}
	ch.IntegrationUUID = in.UUID
	if err := h.runIntegration(ctx, in); err != nil {
		fail(c, err)
		return
	}
	h.renderChats(c, []store.Channel{*ch}, true)
}

// updateIntegrationChat is POST /integrations/:id/chats/:chat_id: its
// name and settings, the fields sent.
func (h *handlers) updateIntegrationChat(c *gin.Context) {
	_, ch, ok := h.integrationChat(c) // first: another project's chat is 404 whatever the body
	if !ok {
		return
	}
	var req integrationChatRequest
	if err := bindJSON(c, &req, `{"name": "Telegram"}`); err != nil {
		fail(c, err)
		return
	}
	if req.Name != nil {
		ch.Name = *req.Name
	}
	if req.Settings != nil {
		ch.Settings = req.Settings
	}
	if err := h.Store.UpdateChannel(c.Request.Context(), ch); err != nil {
		fail(c, err)
		return
	}
	h.renderChats(c, []store.Channel{*ch}, true)
}

// setIntegrationChatStatus is POST /integrations/:id/chats/:chat_id/status:
// active or disabled (a disabled chat takes no messages).
func (h *handlers) setIntegrationChatStatus(c *gin.Context) {
	in, ch, ok := h.integrationChat(c)
	if !ok {
		return
	}
	var req struct {
		Status string `json:"status"`
	}
	if err := bindJSON(c, &req, chatStatusBody); err != nil {
		fail(c, err)
		return
	}
	if req.Status != store.ChannelActive && req.Status != store.ChannelDisabled {
		fail(c, store.FieldErrorf(store.EINVALID, "status", "A chat's status is active or disabled, got %q.", req.Status))
		return
	}
	ctx := c.Request.Context()
	if err := h.Store.SetChannelStatus(ctx, in.ProjectID, ch.ID, req.Status); err != nil {
		fail(c, err)
		return
	}
	ch, err := h.Store.Channel(ctx, in.ProjectID, ch.ID)
	if err == nil {
		err = h.runIntegration(ctx, in)
	}
	if err != nil {
		fail(c, err)
		return
	}
	h.renderChats(c, []store.Channel{*ch}, true)
}

// deleteIntegrationChat is DELETE /integrations/:id/chats/:chat_id: its
// threads stay, in no chat.
func (h *handlers) deleteIntegrationChat(c *gin.Context) {
	in, ch, ok := h.integrationChat(c)
	if !ok {
		return
	}
	if err := h.Store.DeleteIntegrationChannel(c.Request.Context(), in.ProjectID, in.ID, ch.ID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: ch.UUID, Object: "chat", Deleted: true})
}
