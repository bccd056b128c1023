package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/flowise"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/server/worken"
)

// plannedRoutes are routes of the dialects still to come, as their
// documents in shared/seeds name them (ReplyX's Q&A and admin), with the
// parameter names they will use. Mounting them beside
// today's dialects shows now that no route of today takes a path segment
// one of them needs: Gin refuses two wildcards of different names at one
// place, and a clash found when the dialect lands means renaming routes
// clients already call.
var plannedRoutes = []string{
	// ReplyX (003_f29548723ed3516d.txt): the rest is served already
	"GET /api/admin/ai-tokens", "POST /api/admin/ai-tokens",
}

// planned mounts plannedRoutes with handlers that answer 204.
var planned = server.Dialect{Name: "planned", Fail: server.Fail, Mount: func(r *gin.Engine, _ server.Deps) {
	for _, route := range plannedRoutes {
		method, path, _ := strings.Cut(route, " ")
		r.Handle(method, path, func(c *gin.Context) { c.Status(http.StatusNoContent) })
	}
}}

// TestEveryDialectMountsTogether mounts today's dialects and the routes
// of those to come on one router (a conflict panics in servertest.New),
// then checks that each answers an unknown path under its prefixes in its
// own error shape.
func TestEveryDialectMountsTogether(t *testing.T) {
	// The planned routes are not in schemas/openapi.yaml yet.
	e := servertest.NewWith(t, servertest.Options{Undocumented: true}, native.Dialect, botone.Dialect, worken.Dialect, widget.Dialect, replyx.Dialect, flowise.Dialect, planned)
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
