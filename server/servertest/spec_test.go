package servertest

import (
	"net/http"
	"strings"
	"testing"
)

// exchange is a GET of path answered with status and a JSON body.
func exchange(t *testing.T, path string, status int, body string) Exchange {
	t.Helper()
	req, err := http.NewRequest("GET", "http://parley.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Exchange{Request: req, Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

// TestSpecCheckCatchesWrongShapes holds the check to what it is for: a
// response the document does not allow is a problem, one it allows is not.
func TestSpecCheckCatchesWrongShapes(t *testing.T) {
	check, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	if p := check.Problems(exchange(t, "/healthz", 200, `{"status": "ok"}`)); len(p) > 0 {
		t.Fatalf("a documented answer: %v", p)
	}
	for name, x := range map[string]Exchange{
		"a field of the wrong type":  exchange(t, "/healthz", 200, `{"status": 1}`),
		"a required field missing":   exchange(t, "/readyz", 200, `{"status": "ready"}`),
		"an undocumented status":     exchange(t, "/healthz", 418, `{"status": "ok"}`),
		"a value outside the enum":   exchange(t, "/readyz", 503, `{"status": "down", "checks": {}}`),
		"an undocumented path, 200":  exchange(t, "/nowhere", 200, `{}`),
		"a wrong content type, JSON": {Request: exchange(t, "/healthz", 200, "").Request, Status: 200, Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("ok")},
	} {
		if p := check.Problems(x); len(p) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
}

// TestSpecCheckUnknownPaths: a 404 for a path no route serves is every
// dialect's answer to it, not a route to document.
func TestSpecCheckUnknownPaths(t *testing.T) {
	check, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	if p := check.Problems(exchange(t, "/v1/nothing", 404, `{"error": {"code": "NOT_FOUND", "message": "There is no route."}}`)); len(p) > 0 {
		t.Errorf("a 404 for an unknown path: %v", p)
	}
}

func TestNewSpecCheckRefusesABadDocument(t *testing.T) {
	_, err := NewSpecCheck([]byte("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n"))
	if err == nil || !strings.Contains(err.Error(), "not valid OpenAPI") {
		t.Fatalf("got %v, want the document refused", err)
	}
}

// TestSpecCheckStreams: an event stream's body is not read, but its status
// and content type are still held to the document.
func TestSpecCheckStreams(t *testing.T) {
	check, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	stream := func(status int, contentType string) Exchange {
		x := exchange(t, "/v1/dialogs/1/events", status, "event: dialog.updated\ndata: {}\n\n")
		x.Request.Header.Set("Authorization", "Bearer sk-test")
		x.Header.Set("Content-Type", contentType)
		return x
	}
	if p := check.Problems(stream(200, "text/event-stream")); len(p) > 0 {
		t.Errorf("a documented stream: %v", p)
	}
	if p := check.Problems(stream(202, "text/event-stream")); len(p) == 0 {
		t.Error("a stream with an undocumented status: no problem found")
	}
}
