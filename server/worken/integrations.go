package worken

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram"
)

// A Worken integration is a project's credentials on a platform
// (store.Integration); its auth_data is sealed with PARLEY_SECRET_KEY and
// never shown. Its chats are channels of kind vendor ("widget" for
// Worken's own web widget). Telegram's is a working channel (package
// telegram); the other vendors are stored and say plainly that they do
// not work yet.

const (
	integrationBody       = `{"name": "Support bot", "vendor": "telegram", "auth_data": {"token": "7123456789:AAH..."}}`
	integrationUpdateBody = `{"name": "Support bot", "status": "active"}`
	integrationChatBody   = `{"bot_id": "3f1c...", "name": "Telegram"}`
	chatStatusBody        = `{"status": "active"}`
)

// integrationJSON is Worken's Integration.
type integrationJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Vendor    string `json:"vendor"`
	Status    string `json:"status"`
	ProjectID string `json:"project_id"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func integrationOf(in *store.Integration) integrationJSON {
	return integrationJSON{ID: in.UUID, Name: in.Name, Vendor: in.Vendor, Status: in.Status,
		ProjectID: strconv.FormatInt(in.ProjectID, 10), CreatedAt: timestamp(in.CreatedAt), UpdatedAt: timestamp(in.UpdatedAt)}
}

// channelVendors are the vendors whose chats work: Telegram, and Worken's
// web widget.
var channelVendors = map[string]string{"telegram": store.ChannelTelegram, "worken": store.ChannelWidget}

// telegram is the Telegram channel of the handlers' dependencies.
func (h *handlers) telegram() *telegram.Channel {
	return telegram.FromEnv(h.Store, h.Dialogs, h.Secrets, h.Logger)
}

// listIntegrations is GET /integrations.
func (h *handlers) listIntegrations(c *gin.Context) {
	ins, err := h.Store.ProjectIntegrations(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]integrationJSON, 0, len(ins))
	for i := range ins {
		out = append(out, integrationOf(&ins[i]))
	}
	c.JSON(http.StatusOK, out)
}

type integrationRequest struct {
	Name     *string        `json:"name"`
	Vendor   string         `json:"vendor"`
	Status   *string        `json:"status"`
	AuthData map[string]any `json:"auth_data"`
	Settings map[string]any `json:"settings"`
}

// createIntegration is POST /integrations: a Telegram token is checked
// with getMe first.
func (h *handlers) createIntegration(c *gin.Context) {
	var req integrationRequest
	if err := bindJSON(c, &req, integrationBody); err != nil {
		fail(c, err)
		return
	}
	in := &store.Integration{ProjectID: project(c), Vendor: req.Vendor, Settings: req.Settings}
	if req.Name != nil {
		in.Name = *req.Name
	}
	if !store.IsIntegrationVendor(req.Vendor) {
		fail(c, store.FieldErrorf(store.EINVALID, "vendor", "The vendor is one of %s; got %q.", strings.Join(store.IntegrationVendors, ", "), req.Vendor))
		return
	}
	if req.AuthData == nil {
		req.AuthData = map[string]any{}
	}
	ctx := c.Request.Context()
	if err := h.checkAuth(ctx, in, req.AuthData); err != nil {
		fail(c, err)
		return
	}
	if err := h.sealAuth(in, req.AuthData); err != nil {
		fail(c, err)
		return
	}
	if err := h.Store.CreateIntegration(ctx, in); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, integrationOf(in))
}

// checkAuth checks the credentials in would have with their platform
// where Parley can: a Telegram token with getMe, and that no other
// integration, of any project, has its bot (Telegram sends a bot's
// updates to one place only). in has no id yet when it is being created.
func (h *handlers) checkAuth(ctx context.Context, in *store.Integration, auth map[string]any) error {
	if in.Vendor != "telegram" {
		return nil
	}
	token, _ := auth["token"].(string)
	var self *store.Integration
	if in.ID != 0 {
		self = in
	}
	_, err := h.telegram().CheckFree(ctx, in.ProjectID, token, "auth_data.token", self)
	return err
}

// sealAuth stores auth as in's sealed AuthData.
func (h *handlers) sealAuth(in *store.Integration, auth map[string]any) error {
	if h.Secrets == nil {
		return store.Errorf(store.EINVALID, "This server cannot keep integration credentials: set %s (openssl rand -base64 32) and restart it.", secretbox.EnvKey)
	}
	data, err := json.Marshal(auth)
	if err != nil {
		return store.FieldErrorf(store.EINVALID, "auth_data", "auth_data must be a JSON object.")
	}
	in.AuthData, err = h.Secrets.Seal(string(data))
	return err
}

// integration is the caller's integration of the path's id.
func (h *handlers) integration(c *gin.Context) (*store.Integration, bool) {
	in, err := h.Store.Integration(c.Request.Context(), project(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return in, true
}

// getIntegration is GET /integrations/:id.
func (h *handlers) getIntegration(c *gin.Context) {
	if in, ok := h.integration(c); ok {
		c.JSON(http.StatusOK, integrationOf(in))
	}
}

// updateIntegration is POST /integrations/:id: only the fields sent
// change; new auth_data replaces the old (a Telegram token is checked).
func (h *handlers) updateIntegration(c *gin.Context) {
	var req integrationRequest
	if err := bindJSON(c, &req, integrationUpdateBody); err != nil {
		fail(c, err)
		return
	}
	in, ok := h.integration(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if req.Name != nil {
		in.Name = *req.Name
	}
	if req.Status != nil {
		in.Status = *req.Status
	}
	if req.Settings != nil {
		in.Settings = req.Settings
	}
	if req.AuthData != nil {
		if err := h.checkAuth(ctx, in, req.AuthData); err != nil {
			fail(c, err)
			return
		}
		if err := h.sealAuth(in, req.AuthData); err != nil {
			fail(c, err)
			return
		}
	}
	if err := h.Store.UpdateIntegration(ctx, in); err != nil {
		fail(c, err)
		return
	}
	if err := h.runIntegration(ctx, in); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, integrationOf(in))
}

// runIntegration starts a Telegram integration's workflow when it is
// active and has a chat (it stops by itself otherwise).
func (h *handlers) runIntegration(ctx context.Context, in *store.Integration) error {
	if in.Vendor != "telegram" || in.Status != store.IntegrationActive {
		return nil
	}
	chats, err := h.Store.IntegrationChannels(ctx, in.ProjectID, in.ID)
	if err != nil || len(chats) == 0 {
		return err
	}
	return telegram.Start(ctx, h.Dialogs.Temporal, in)
}

// deleteIntegration is DELETE /integrations/:id: its chats go with it
// (their threads stay, in no chat); a Telegram bot's webhook is removed.
func (h *handlers) deleteIntegration(c *gin.Context) {
	in, ok := h.integration(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var err error
	if in.Vendor == "telegram" {
		err = h.telegram().Disconnect(ctx, in)
	} else {
		err = h.Store.DeleteIntegration(ctx, in.ProjectID, in.ID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: in.UUID, Object: "integration", Deleted: true})
}

// profileJSON is Worken's IntegrationProfile.
type profileJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Username  *string `json:"username,omitempty"`
	AvatarURL *string `json:"avatar_url,omitempty"`
}

// integrationProfile is GET /integrations/:id/profile: the account the
// stored credentials open, checked with the platform. A Telegram token
// it refuses marks the integration error.
func (h *handlers) integrationProfile(c *gin.Context) {
	in, ok := h.integration(c)
	if !ok {
		return
	}
	if in.Vendor != "telegram" {
		fail(c, store.Errorf(store.EINVALID, "Parley has no %s channel yet, so it cannot check this integration's credentials; its data is stored.", in.Vendor))
		return
	}
	ctx := c.Request.Context()
	tg := h.telegram()
	token, err := tg.Token(in)
	if err != nil {
		fail(c, err)
		return
	}
	me, err := tg.Check(ctx, token, "auth_data.token")
	if store.ErrorOf(err) != nil && store.ErrorOf(err).Reason == telegram.ReasonTokenRefused {
		tg.AuthLost(ctx, in, err)
	}
	if err != nil {
		fail(c, err)
		return
	}
	out := profileJSON{ID: strconv.FormatInt(me.ID, 10), Name: me.Name()}
	if me.Username != "" {
		out.Username = &me.Username
	}
	c.JSON(http.StatusOK, out)
}

// telegramWebhook is POST /integrations/:id/telegram/webhook: Telegram's
// call with an update, authenticated by the webhook's secret token, not
// an API key.
func (h *handlers) telegramWebhook(c *gin.Context) {
	ctx := c.Request.Context()
	in, err := h.Store.IntegrationOfAnyProject(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	tg := h.telegram()
	token, err := tg.Token(in)
	if err != nil || in.Vendor != "telegram" || !telegram.CheckSecret(token, in.UUID, c.GetHeader(telegram.SecretHeader)) {
		fail(c, store.Errorf(store.EUNAUTHORIZED, "The %s header is not this webhook's secret token.", telegram.SecretHeader))
		return
	}
	var u telegram.Update
	if err := json.NewDecoder(c.Request.Body).Decode(&u); err != nil {
		fail(c, store.Errorf(store.EMALFORMED, "The body is not a Telegram update."))
		return
	}
	if in.Status == store.IntegrationActive {
		if err := tg.HandleUpdate(ctx, in, token, u); err != nil {
			if store.ErrorCode(err) == store.EINTERNAL {
				fail(c, err) // Telegram calls again; the update is sent once
				return
			}
			server.Logger(c).Warn("handling a telegram update", "integration", in.UUID, "error", err)
		}
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}
