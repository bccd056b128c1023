package native

import (
	"encoding/json"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/store"
)

// WebhookData renders a logged event as a webhook delivery's `data`: the
// same shape as the event's `data:` on the streams (StreamEvent).
func WebhookData(ev store.Event) (json.RawMessage, error) {
	return json.Marshal(eventOf("", events.FromLog(ev)))
}
