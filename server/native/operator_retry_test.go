package native_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// TestOperatorMessageRetried: an operator's message sent again with the
// same client_message_id (a retry after a lost answer) answers the same
// message and stores it once, even after the dialog has been released;
// another id sends another message.
func TestOperatorMessageRetried(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	id := startDesk(t, e)
	send := func(text, clientID string) *servertest.Response {
		return e.Do("POST", "/v1/dialogs/"+id+"/operator", e.A.Bearer(), map[string]any{
			"action": "message", "operator": "Kate", "text": text, "client_message_id": clientID})
	}
	first := send("Hello, I have it.", "op-1")
	if first.Status != http.StatusOK {
		t.Fatalf("first: %d %s", first.Status, first.Body)
	}
	if again := send("Hello, I have it.", "op-1"); again.Status != http.StatusOK || string(again.Body) != string(first.Body) {
		t.Errorf("the retry answered %d %s\nwant %s", again.Status, again.Body, first.Body)
	}
	if r := e.Do("POST", "/v1/dialogs/"+id+"/operator", e.A.Bearer(), map[string]any{"action": "release", "operator": "Kate"}); r.Status != http.StatusOK {
		t.Fatalf("release: %d %s", r.Status, r.Body)
	}
	if late := send("Hello, I have it.", "op-1"); late.Status != http.StatusOK {
		t.Errorf("a retry after the release: %d %s, want the first answer", late.Status, late.Body)
	}
	if other := send("One more thing.", "op-2"); other.Status != http.StatusOK {
		t.Fatalf("another message: %d %s", other.Status, other.Body)
	}
	var view struct{ Messages []struct{ Role, Text string } }
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
	var got []string
	for _, m := range view.Messages {
		if m.Role == "operator" {
			got = append(got, m.Text)
		}
	}
	if strings.Join(got, "|") != "Hello, I have it.|One more thing." {
		t.Errorf("operator messages stored: %q", got)
	}
}
