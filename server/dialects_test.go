package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/flowise"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/server/worken"
)

// TestEveryDialectMountsTogether mounts every dialect on one router (a
// conflict panics in servertest.New), then checks that each answers an
// unknown path under its prefixes in its own error shape.
func TestEveryDialectMountsTogether(t *testing.T) {
	e := servertest.New(t, native.Dialect, botone.Dialect, worken.Dialect, widget.Dialect, replyx.Dialect, flowise.Dialect)
	if r := e.Do("GET", "/threads/events", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("a static route beside a wildcard (/threads/:thread_id): %d %s, want 401 from /threads/events", r.Status, r.Body)
	}
	tests := []struct {
		name, path string
		shape      func(body map[string]any) bool
	}{
		{"native", "/v1/nothing", nativeShape},
		{"Bot.one v2", "/api/v2/nothing", botoneShape},
		{"Bot.one vertex", "/api/vertex/v1/nothing", botoneShape},
		{"Worken", "/vector_stores/a/files/b/c", workenShape},
		{"Worken, a document's prefix not served yet", "/integrations/7/nothing/more", workenShape},
		{"ReplyX", "/api/auth/nothing", nativeShape}, // ReplyX's shape is the native one, its codes its own
		{"Flowise, under Bot.one's /api/v1: the longest prefix wins", "/api/v1/chatmessage/a/b", flowiseShape},
		{"Flowise at the root", "/chatmessage/a/b", flowiseShape},
		{"Bot.one beside Flowise's prefixes", "/api/v1/chatmessages", botoneShape},
		{"no dialect's", "/nothing", nativeShape},
		{"a prefix is whole segments", "/api/v2x", nativeShape},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do("GET", tt.path, "", nil)
			var body map[string]any
			if err := json.Unmarshal(r.Body, &body); err != nil || r.Status != http.StatusNotFound || !tt.shape(body) {
				t.Errorf("GET %s = %d %s", tt.path, r.Status, r.Body)
			}
		})
	}
}

// nativeShape is {"error": {"code": "NOT_FOUND", "message"}}.
func nativeShape(body map[string]any) bool {
	e, _ := body["error"].(map[string]any)
	_, hasType := e["type"]
	return e["code"] == "NOT_FOUND" && e["message"] != "" && !hasType
}

// botoneShape is {"message"}.
func botoneShape(body map[string]any) bool {
	msg, _ := body["message"].(string)
	return len(body) == 1 && strings.HasPrefix(msg, "There is no route")
}

// workenShape is OpenAI's {"error": {"message", "type", "code"}}.
func workenShape(body map[string]any) bool {
	e, _ := body["error"].(map[string]any)
	return e["code"] == "not_found" && e["type"] == "invalid_request_error"
}

// flowiseShape is Flowise's {"statusCode", "success": false, "message", "stack"}.
func flowiseShape(body map[string]any) bool {
	_, hasStack := body["stack"]
	return body["statusCode"] == float64(http.StatusNotFound) && body["success"] == false && body["message"] != "" && hasStack
}
