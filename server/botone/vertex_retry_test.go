package botone_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// A service that sends a message again after a lost answer, with the same
// client_message_id, stores it once and gets the first message_id back;
// another id is another message, and a too long one is refused.
func TestBlockMessageRetried(t *testing.T) {
	e := servertest.New(t, native.Dialect, botone.Dialect)
	svc := newBlockService(t, `{"accepted": true}`)
	id := startOrder(t, e, svc.URL, true)
	token, _ := svc.next(t)["token"].(string)

	send := func(text, clientID string) *servertest.Response {
		return e.Do("POST", "/api/vertex/v1/dialog/send_message", "", map[string]any{"token": token, "text": text, "client_message_id": clientID})
	}
	first := send("Looking it up...", "look-1")
	if first.Status != http.StatusOK {
		t.Fatalf("first send: %d %s", first.Status, first.Body)
	}
	if again := send("Looking it up...", "look-1"); again.Status != http.StatusOK || string(again.Body) != string(first.Body) {
		t.Errorf("the retry answered %d %s, want %s", again.Status, again.Body, first.Body)
	}
	if other := send("Almost there.", "look-2"); other.Status != http.StatusOK || string(other.Body) == string(first.Body) {
		t.Errorf("another id answered %d %s", other.Status, other.Body)
	}
	if long := send("Too long an id.", strings.Repeat("x", 201)); long.Status != http.StatusBadRequest || !strings.Contains(string(long.Body), "client_message_id") {
		t.Errorf("a 201-character id: %d %s, want 400 naming client_message_id", long.Status, long.Body)
	}
	if r := e.Do("POST", "/api/vertex/v1/complete", "", map[string]any{"token": token, "data": map[string]any{"status": "shipped"}}); r.Status != http.StatusNoContent {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	var view dialogView
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
	want := "assistant:Order? | user:A-7 | assistant:Looking it up... | assistant:Almost there. | assistant:Shipment shipped."
	if view.transcript() != want {
		t.Errorf("transcript:\n got %s\nwant %s", view.transcript(), want)
	}
}
