package webhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// event is the body's shape; the field order is the wire order.
type event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt string          `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// Body returns the JSON body of an event:
// {"id":...,"type":...,"created_at":<RFC 3339 UTC>,"data":{...}}.
// Data must be a JSON object; nil means {}.
func Body(id, typ string, createdAt time.Time, data json.RawMessage) ([]byte, error) {
	if id == "" || typ == "" {
		return nil, errors.New("encoding webhook body: the event id and type must not be empty")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	if data[0] != '{' {
		return nil, fmt.Errorf("encoding webhook body for %s: data must be a JSON object", id)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Receivers get "<" and "&" as written, not as \u003c escapes meant
	// for HTML pages.
	enc.SetEscapeHTML(false)
	err := enc.Encode(event{
		ID:        id,
		Type:      typ,
		CreatedAt: createdAt.UTC().Format(time.RFC3339Nano),
		Data:      data,
	})
	if err != nil {
		return nil, fmt.Errorf("encoding webhook body for %s: %w", id, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
