package worken

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
)

// A Worken webhook endpoint is a Parley webhook (the native API's
// /v1/webhooks lists the same records): one made here has Format worken,
// so its deliveries are Worken's WebhookEvent, and signs with the client's
// own secret, sealed as every webhook secret is. Its URL is checked as any
// webhook's: when it is set, an http(s) URL whose host is not and does not
// resolve to an address the server's netguard policy refuses; and the
// policy again when a delivery dials it (loopback and private addresses
// only if the server allows them).

const (
	createEndpointBody = `{"url": "https://example.com/worken-hook", "secret": "my-signing-secret"}`
	updateEndpointBody = `{"status": "disabled"}`
	// maxSecret bounds a client's secret: a key, not a document.
	maxSecret = 1024
	// endpointDescription marks, for the native API and the web app, a
	// webhook made through the Worken API.
	endpointDescription = "Worken endpoint: Worken's event names and data"
)

// webhookEndpointJSON is Worken's WebhookEndpoint: never its secret.
type webhookEndpointJSON struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
}

func endpointOf(w *store.Webhook) webhookEndpointJSON {
	return webhookEndpointJSON{ID: w.UUID, URL: w.URL, Status: w.Status, CreatedAt: timestamp(w.CreatedAt)}
}

// checkEndpointURL refuses (EINVALID naming url) a URL whose deliveries
// would be refused: another scheme than http(s), or a host that is or
// resolves to an address the server's policy (PARLEY_ALLOW_PRIVATE_URLS)
// does not allow.
func (h *handlers) checkEndpointURL(c *gin.Context, u string) error {
	policy, err := h.URLGuard()
	if err != nil {
		return err
	}
	if err := policy.CheckURL(c.Request.Context(), u); err != nil {
		return store.FieldErrorf(store.EINVALID, "url", "The endpoint URL is refused: %s.", netguard.Reason(err))
	}
	return nil
}

// checkSecret returns EINVALID naming secret unless s can sign deliveries.
func checkSecret(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return store.FieldErrorf(store.EINVALID, "secret", "Give the endpoint a signing secret, e.g. %s.", createEndpointBody)
	case len(s) > maxSecret:
		return store.FieldErrorf(store.EINVALID, "secret", "The secret has %d bytes; use at most %d.", len(s), maxSecret)
	}
	if err := webhooks.CheckSecret(s); err != nil {
		return store.FieldErrorf(store.EINVALID, "secret", "The secret cannot sign deliveries: %v.", err)
	}
	return nil
}

// seal seals a client's secret, or answers 501 when the server has no key
// to seal with.
func (h *handlers) seal(c *gin.Context, secret string) (string, bool) {
	if h.Secrets == nil {
		c.AbortWithStatusJSON(http.StatusNotImplemented, errorBody{Error: errorDetail{Type: "server_error", Code: "not_implemented",
			Message: "This server cannot keep webhook secrets: set PARLEY_SECRET_KEY (openssl rand -base64 32) and restart it."}})
		return "", false
	}
	sealed, err := h.Secrets.Seal(secret)
	if err != nil {
		fail(c, err)
		return "", false
	}
	return sealed, true
}

// listEndpoints is GET /webhook-endpoints: every webhook of the project,
// those made through the native API too, oldest first.
func (h *handlers) listEndpoints(c *gin.Context) {
	ws, err := h.Store.ListWebhooks(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]webhookEndpointJSON, 0, len(ws))
	for i := range ws {
		out = append(out, endpointOf(&ws[i]))
	}
	c.JSON(http.StatusOK, out)
}

// createEndpoint is POST /webhook-endpoints. The endpoint hears of what
// happens from now on.
func (h *handlers) createEndpoint(c *gin.Context) {
	var body struct {
		URL    *string `json:"url"`
		Secret *string `json:"secret"`
	}
	if err := bindJSON(c, &body, createEndpointBody); err != nil {
		fail(c, err)
		return
	}
	if body.URL == nil || strings.TrimSpace(*body.URL) == "" {
		fail(c, store.FieldErrorf(store.EINVALID, "url", "Give the endpoint a URL, e.g. %s.", createEndpointBody))
		return
	}
	if err := h.checkEndpointURL(c, *body.URL); err != nil {
		fail(c, err)
		return
	}
	if body.Secret == nil {
		fail(c, store.FieldErrorf(store.EINVALID, "secret", "Give the endpoint a signing secret, e.g. %s.", createEndpointBody))
		return
	}
	if err := checkSecret(*body.Secret); err != nil {
		fail(c, err)
		return
	}
	sealed, ok := h.seal(c, *body.Secret)
	if !ok {
		return
	}
	w := &store.Webhook{ProjectID: project(c), URL: *body.URL, Description: endpointDescription,
		Events: []string{store.WebhookAllEvents}, Format: store.WebhookWorken, Secret: sealed}
	if err := h.Store.CreateWebhook(c.Request.Context(), w); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, endpointOf(w))
}

// updateEndpoint is PUT /webhook-endpoints/:id: its status, its secret or
// both. A new secret signs every delivery from then on, retries of older
// ones too; the old one signs no more. A disabled endpoint is sent
// nothing; enabled again, it gets what was logged meanwhile.
func (h *handlers) updateEndpoint(c *gin.Context) {
	var body struct {
		Status *string `json:"status"`
		Secret *string `json:"secret"`
	}
	if err := bindJSON(c, &body, updateEndpointBody); err != nil {
		fail(c, err)
		return
	}
	if body.Status != nil && *body.Status != store.WebhookActive && *body.Status != store.WebhookDisabled {
		fail(c, store.FieldErrorf(store.EINVALID, "status", "Status %q is unknown; use active or disabled.", *body.Status))
		return
	}
	if body.Secret != nil {
		if err := checkSecret(*body.Secret); err != nil {
			fail(c, err)
			return
		}
	}
	ctx := c.Request.Context()
	// Everything is checked before the first write: what fails after it
	// is the store, and sending the same body again finishes the change.
	w, err := h.Store.Webhook(ctx, project(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if body.Secret != nil {
		sealed, ok := h.seal(c, *body.Secret)
		if !ok {
			return
		}
		if err := h.Store.RotateWebhookSecret(ctx, w.ProjectID, w.UUID, sealed, time.Now()); err != nil {
			fail(c, err)
			return
		}
	}
	if body.Status != nil && *body.Status != w.Status {
		w.Status, w.DisabledReason = *body.Status, ""
		if err := h.Store.UpdateWebhook(ctx, w); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, endpointOf(w))
}

// deleteEndpoint is DELETE /webhook-endpoints/:id, with its deliveries.
func (h *handlers) deleteEndpoint(c *gin.Context) {
	id := c.Param("id")
	if err := h.Store.DeleteWebhook(c.Request.Context(), project(c), id); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: id, Object: "webhook_endpoint", Deleted: true})
}
