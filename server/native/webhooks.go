package native

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
)

// webhookEventTypes are the logged event types a webhook subscribes to by
// name; "*" subscribes to all.
var webhookEventTypes = []string{
	store.EventDialogCreated, store.EventDialogUpdated, store.EventDialogCompleted,
	store.EventMessageCreated, store.EventDialogPending, store.EventHandoffRequested,
	store.EventHandoffStarted, store.EventHandoffReleased, store.EventNoteCreated, store.EventWebhookDisabled,
	store.EventWebhookTest,
}

// previousSecretFor is how long a rotated-out secret still signs, so
// receivers can switch to the new one.
const previousSecretFor = 24 * time.Hour

// webhookJSON is the contract's Webhook: never its secret.
type webhookJSON struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	Events         []string   `json:"events"`
	Status         string     `json:"status"`
	DisabledReason string     `json:"disabled_reason"`
	FailingSince   *time.Time `json:"failing_since"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func webhookOf(w *store.Webhook) webhookJSON {
	return webhookJSON{ID: w.UUID, URL: w.URL, Description: w.Description, Events: w.Events, Status: w.Status,
		DisabledReason: w.DisabledReason, FailingSince: utcPtr(w.FailingSince), CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC()}
}

// webhookCreated is a new webhook with the secret it signs with, shown
// this once.
type webhookCreated struct {
	webhookJSON
	Secret string `json:"secret"`
}

// webhookRequest creates or changes a webhook; on PATCH only the fields
// sent change.
type webhookRequest struct {
	URL         *string  `json:"url"`
	Events      []string `json:"events"`
	Description *string  `json:"description"`
	Status      *string  `json:"status"`
}

const webhookExample = `{"url": "https://example.com/hooks", "events": ["message.created"]}`

// checkEvents returns EINVALID naming events unless each is a known type or "*".
func checkEvents(events []string) error {
	for _, typ := range events {
		if typ := strings.TrimSpace(typ); typ != store.WebhookAllEvents && !slices.Contains(webhookEventTypes, typ) {
			return store.FieldErrorf(store.EINVALID, "events", "Event type %q is unknown; use %s, or \"*\" for all.",
				typ, strings.Join(webhookEventTypes, ", "))
		}
	}
	return nil
}

// newSecret makes a signing secret and seals it, or answers 501 when the
// server has no key to seal with.
func (h *handlers) newSecret(c *gin.Context) (plain, sealed string, ok bool) {
	if h.Secrets == nil {
		failWith(c, http.StatusNotImplemented, "NOT_IMPLEMENTED",
			"This server cannot keep webhook secrets: set "+secretbox.EnvKey+" (openssl rand -base64 32) and restart it.", nil)
		return "", "", false
	}
	plain, err := webhooks.NewSecret()
	if err == nil {
		sealed, err = h.Secrets.Seal(plain)
	}
	if err != nil {
		fail(c, err)
		return "", "", false
	}
	return plain, sealed, true
}

// checkWebhookURL refuses (EINVALID naming url) a URL whose deliveries
// would be refused: another scheme than http(s), or a host that is or
// resolves to an address the server's policy (PARLEY_ALLOW_PRIVATE_URLS)
// does not allow: loopback, private, link-local (the cloud metadata
// service), CGNAT, multicast. An empty URL is the store's to refuse.
// Deliveries check the addresses again when they dial: a name may
// resolve elsewhere later.
func (h *handlers) checkWebhookURL(c *gin.Context, u *string) error {
	if u == nil || *u == "" {
		return nil
	}
	policy, err := h.URLGuard()
	if err != nil {
		return err
	}
	if err := policy.CheckURL(c.Request.Context(), *u); err != nil {
		return store.FieldErrorf(store.EINVALID, "url", "The webhook URL is refused: %s.", netguard.Reason(err))
	}
	return nil
}

func (h *handlers) createWebhook(c *gin.Context) {
	var req webhookRequest
	if !bind(c, &req, webhookExample) {
		return
	}
	if err := checkEvents(req.Events); err != nil {
		fail(c, err)
		return
	}
	if err := h.checkWebhookURL(c, req.URL); err != nil {
		fail(c, err)
		return
	}
	plain, sealed, ok := h.newSecret(c)
	if !ok {
		return
	}
	w := &store.Webhook{ProjectID: server.CallerOf(c).ProjectID, URL: deref(req.URL), Description: deref(req.Description),
		Events: req.Events, Secret: sealed}
	if err := h.Store.CreateWebhook(c.Request.Context(), w); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookCreated{webhookJSON: webhookOf(w), Secret: plain})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (h *handlers) listWebhooks(c *gin.Context) {
	ws, err := h.Store.ListWebhooks(c.Request.Context(), server.CallerOf(c).ProjectID)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]webhookJSON, 0, len(ws))
	for i := range ws {
		out = append(out, webhookOf(&ws[i]))
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": out})
}

// lookupWebhook finds the caller's webhook by the UUID in the path.
func (h *handlers) lookupWebhook(c *gin.Context) (*store.Webhook, bool) {
	w, err := h.Store.Webhook(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return w, true
}

func (h *handlers) webhook(c *gin.Context) {
	if w, ok := h.lookupWebhook(c); ok {
		c.JSON(http.StatusOK, webhookOf(w))
	}
}

func (h *handlers) updateWebhook(c *gin.Context) {
	var req webhookRequest
	if !bind(c, &req, `{"status": "disabled"}`) {
		return
	}
	if err := checkEvents(req.Events); err != nil {
		fail(c, err)
		return
	}
	if err := h.checkWebhookURL(c, req.URL); err != nil {
		fail(c, err)
		return
	}
	w, ok := h.lookupWebhook(c)
	if !ok {
		return
	}
	if req.URL != nil {
		w.URL = *req.URL
	}
	if req.Events != nil {
		w.Events = req.Events
	}
	if req.Description != nil {
		w.Description = *req.Description
	}
	if req.Status != nil && *req.Status != w.Status {
		w.Status, w.DisabledReason = *req.Status, ""
	}
	if err := h.Store.UpdateWebhook(c.Request.Context(), w); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, webhookOf(w))
}

func (h *handlers) deleteWebhook(c *gin.Context) {
	if err := h.Store.DeleteWebhook(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// rotateWebhookSecret gives the webhook a new secret; the old one still
// signs for previousSecretFor.
func (h *handlers) rotateWebhookSecret(c *gin.Context) {
	w, ok := h.lookupWebhook(c)
	if !ok {
		return
	}
	plain, sealed, ok := h.newSecret(c)
	if !ok {
		return
	}
	until := time.Now().Add(previousSecretFor).UTC()
	if err := h.Store.RotateWebhookSecret(c.Request.Context(), w.ProjectID, w.UUID, sealed, until); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"secret": plain, "previous_valid_until": until})
}

// testWebhook logs a webhook.test event, which is delivered like any other.
func (h *handlers) testWebhook(c *gin.Context) {
	w, ok := h.lookupWebhook(c)
	if !ok {
		return
	}
	evs := []store.Event{{ProjectID: w.ProjectID, Type: store.EventWebhookTest,
		Data: store.EventData{Extra: map[string]any{"webhook_id": w.UUID}}}}
	if err := h.Store.LogEvents(c.Request.Context(), evs); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"event_type": store.EventWebhookTest, "webhook_id": w.UUID})
}

// deliveryJSON is the contract's Delivery.
type deliveryJSON struct {
	ID            int64      `json:"id"`
	EventSeq      int64      `json:"event_seq"`
	EventType     string     `json:"event_type"`
	Attempts      int        `json:"attempts"`
	Status        string     `json:"status"`
	LastStatus    int        `json:"last_status"`
	LastError     string     `json:"last_error"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

func deliveryOf(d *store.Delivery) deliveryJSON {
	return deliveryJSON{ID: d.ID, EventSeq: d.EventSeq, EventType: d.EventType, Attempts: d.Attempts, Status: d.Status,
		LastStatus: d.LastStatus, LastError: d.LastError, NextAttemptAt: utcPtr(d.NextAttemptAt),
		DeliveredAt: utcPtr(d.DeliveredAt), CreatedAt: d.CreatedAt.UTC()}
}

func (h *handlers) deliveries(c *gin.Context) {
	limit, err := pageLimit(c)
	if err != nil {
		fail(c, err)
		return
	}
	ds, err := h.Store.Deliveries(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("id"), limit)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]deliveryJSON, 0, len(ds))
	for i := range ds {
		out = append(out, deliveryOf(&ds[i]))
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": out})
}

// retryDelivery makes one of the webhook's deliveries due again now.
func (h *handlers) retryDelivery(c *gin.Context) {
	w, ok := h.lookupWebhook(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	notFound := store.Errorf(store.ENOTFOUND, "Webhook %s has no delivery %q.", w.UUID, c.Param("delivery_id"))
	id, err := strconv.ParseInt(c.Param("delivery_id"), 10, 64)
	if err != nil {
		fail(c, notFound)
		return
	}
	d, err := h.Store.Delivery(ctx, w.ProjectID, id)
	if err == nil && d.WebhookID != w.ID {
		err = notFound
	}
	if err == nil {
		err = h.Store.RetryDelivery(ctx, w.ProjectID, id, time.Now())
	}
	if err == nil {
		d, err = h.Store.Delivery(ctx, w.ProjectID, id)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, deliveryOf(d))
}
