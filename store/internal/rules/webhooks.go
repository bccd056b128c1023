package rules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/parleyhq/parley/store"
)

// WebhookUUIDPrefix starts a webhook's UUID, which has 24 base62
// characters after it.
const WebhookUUIDPrefix = "wh_"

// NewWebhookUUID returns a new webhook UUID.
func NewWebhookUUID() (string, error) {
	s, err := store.RandomBase62(knowledgeUUIDLen)
	if err != nil {
		return "", fmt.Errorf("generating webhook UUID: %w", err)
	}
	return WebhookUUIDPrefix + s, nil
}

// Webhook returns what the store keeps of w's fields a caller sets (URL,
// Description, Events, Status, DisabledReason, Format), cleaned, with the
// events listed once each, Status active and Format standard when empty; a
// reason is kept only while disabled. EINVALID for a URL that is not
// http(s), no events, an empty event type, an unknown status or format.
func Webhook(w store.Webhook) (store.Webhook, error) {
	w.URL, w.Description = strings.TrimSpace(Clean(w.URL)), Clean(w.Description)
	if err := checkWebhookURL(w.URL); err != nil {
		return store.Webhook{}, err
	}
	if len(w.Events) == 0 {
		return store.Webhook{}, store.FieldErrorf(store.EINVALID, "events",
			`A webhook needs at least one event type; use ["*"] for all.`)
	}
	events := make([]string, 0, len(w.Events))
	for _, typ := range w.Events {
		typ = strings.TrimSpace(Clean(typ))
		if typ == "" {
			return store.Webhook{}, store.FieldErrorf(store.EINVALID, "events", "An event type cannot be empty.")
		}
		if !slices.Contains(events, typ) {
			events = append(events, typ)
		}
	}
	w.Events = events
	switch w.Status {
	case "":
		w.Status = store.WebhookActive
	case store.WebhookActive, store.WebhookDisabled:
	default:
		return store.Webhook{}, store.FieldErrorf(store.EINVALID, "status",
			"Webhook status %q is unknown; use active or disabled.", w.Status)
	}
	w.DisabledReason = Clean(w.DisabledReason)
	if w.Status == store.WebhookActive {
		w.DisabledReason = ""
	}
	switch w.Format {
	case "":
		w.Format = store.WebhookStandard
	case store.WebhookStandard, store.WebhookWorken:
	default:
		return store.Webhook{}, store.FieldErrorf(store.EINVALID, "format",
			"Webhook format %q is unknown; use standard or worken.", w.Format)
	}
	return w, nil
}

// checkWebhookURL returns EINVALID unless u is an absolute http or https
// URL with a host.
func checkWebhookURL(u string) error {
	if u == "" {
		return store.FieldErrorf(store.EINVALID, "url", "A webhook needs a URL.")
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return store.FieldErrorf(store.EINVALID, "url", "The webhook URL must be an http or https URL, such as https://example.com/hooks.")
	}
	return nil
}

// CheckWebhookSecret returns EINVALID for an empty sealed secret.
func CheckWebhookSecret(sealed string) error {
	if sealed == "" {
		return store.FieldErrorf(store.EINVALID, "secret", "A webhook needs a signing secret.")
	}
	return nil
}

// FanOut returns those of evs the project's webhook uuid, subscribed to
// events, is to deliver (store.Webhook.Takes), and the greatest Seq of the
// project's evs (0 for none), which the webhook's cursor is raised to.
// Another project's events are not the webhook's: they neither deliver nor
// move the cursor.
func FanOut(projectID int64, uuid string, events []string, evs []store.Event) (deliver []store.Event, last int64) {
	w := store.Webhook{ProjectID: projectID, UUID: uuid, Events: events}
	for _, ev := range evs {
		if ev.ProjectID != projectID {
			continue
		}
		last = max(last, ev.Seq)
		if w.Takes(ev) {
			deliver = append(deliver, ev)
		}
	}
	return deliver, last
}

// DeliveryStatus is a delivery's status after an attempt with result a:
// delivered, pending again when another attempt is due, failed otherwise
// (no more attempts, or the endpoint is gone).
func DeliveryStatus(a store.AttemptResult) string {
	switch {
	case a.Delivered:
		return store.DeliveryDelivered
	case a.NextAt != nil && !a.Gone:
		return store.DeliveryPending
	}
	return store.DeliveryFailed
}
