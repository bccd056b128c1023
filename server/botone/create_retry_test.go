package botone_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestCreateRetried: Bot.one's creates take the native API's
// Idempotency-Key (a Parley extension): a retry answers the same dialog
// and starts nothing again, and the key with another bot is 403, as
// Bot.one answers conflicts.
func TestCreateRetried(t *testing.T) {
	e := newBotEnv(t)
	create := func(bot int64, key string) (int, string, int64) {
		h := http.Header{"Authorization": {e.A.Basic()}, "Idempotency-Key": {key}}
		r := e.DoWith("POST", fmt.Sprintf("/api/v2/dialog/%d/create?response=true", bot), h, nil)
		var started struct {
			DialogID   int64  `json:"dialogId"`
			DialogUUID string `json:"dialogUUID"`
		}
		if r.Status == http.StatusOK {
			r.JSON(t, &started)
		}
		return r.Status, started.DialogUUID, started.DialogID
	}
	status, first, id := create(e.shop, "order-7")
	if status != http.StatusOK || first == "" {
		t.Fatalf("the first create: %d", status)
	}
	if status, again, againID := create(e.shop, "order-7"); status != http.StatusOK || again != first || againID != id {
		t.Errorf("the retry: %d %s (%d), want dialog %s (%d)", status, again, againID, first, id)
	}
	h := http.Header{"Authorization": {e.A.Basic()}, "Idempotency-Key": {"order-7"}}
	if r := e.DoWith("GET", fmt.Sprintf("/api/v1/dialog/%d/create", e.shop), h, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), first) {
		t.Errorf("a v1 create with the key: %d %s, want dialog %s", r.Status, r.Body, first)
	}
	var view struct{ Messages []struct{ Text string } }
	e.Do("GET", "/v1/dialogs/"+first, e.A.Bearer(), nil).JSON(t, &view)
	if len(view.Messages) != 1 {
		t.Errorf("after the retries the dialog has %d messages, want the one greeting: %+v", len(view.Messages), view.Messages)
	}
	if status, _, _ := create(e.other, "order-7"); status != http.StatusForbidden {
		t.Errorf("the key with another bot: %d, want 403", status)
	}
	var list struct{ Dialogs []struct{ ID string } }
	e.Do("GET", "/v1/dialogs", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Dialogs) != 1 {
		t.Errorf("%d dialogs stored, want 1", len(list.Dialogs))
	}
}
