package native_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// TestPersonAndPath: operators see who they talk to (the profile the
// dialog began with, in the dialog and by name in lists), which node sent
// each bot message (the dialog's path) and which operator wrote.
func TestPersonAndPath(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shopFlow); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	profile := map[string]any{"id": "u-7", "name": "Ann Lee", "email": "ann@example.com"}
	var created turn
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), map[string]any{"user": profile}).JSON(t, &created)
	if r := e.Do("POST", "/v1/dialogs/"+created.ID+"/operator", e.A.Bearer(),
		map[string]any{"action": "message", "operator": "Olga", "text": "Hello from Olga"}); r.Status != http.StatusOK {
		t.Fatalf("an operator's message: %d %s", r.Status, r.Body)
	}

	var d struct {
		User     map[string]any
		Messages []struct{ Role, Text, Node, Operator string }
	}
	e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil).JSON(t, &d)
	if d.User["name"] != "Ann Lee" || d.User["email"] != "ann@example.com" || d.User["id"] != "u-7" {
		t.Errorf("the dialog's user: %v, want the profile it began with", d.User)
	}
	if len(d.Messages) != 2 || d.Messages[0].Node != "ask" || d.Messages[1].Operator != "Olga" || d.Messages[1].Node != "" {
		t.Errorf("messages: %+v, want the bot's from node ask, then Olga's", d.Messages)
	}

	var page struct {
		Dialogs []struct {
			UserName string `json:"user_name"`
		}
	}
	e.Do("GET", "/v1/dialogs", e.A.Bearer(), nil).JSON(t, &page)
	if len(page.Dialogs) != 1 || page.Dialogs[0].UserName != "Ann Lee" {
		t.Errorf("the list: %+v, want Ann Lee's dialog by name", page.Dialogs)
	}

	var anonymous struct{ User map[string]any }
	var bare turn
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), nil).JSON(t, &bare)
	e.Do("GET", "/v1/dialogs/"+bare.ID, e.A.Bearer(), nil).JSON(t, &anonymous)
	if anonymous.User == nil || len(anonymous.User) != 0 {
		t.Errorf("a dialog begun without a profile has user %v, want {}", anonymous.User)
	}

	// A dialog is also found by its number in the project, as people name it.
	var byNumber struct {
		ID     string
		Number int
	}
	e.Do("GET", "/v1/dialogs/"+strconv.Itoa(bare.Number), e.A.Bearer(), nil).JSON(t, &byNumber)
	if bare.Number != 2 || byNumber.ID != bare.ID {
		t.Errorf("GET /v1/dialogs/%d answered %+v, want dialog #2 %s", bare.Number, byNumber, bare.ID)
	}
	if r := e.Do("GET", "/v1/dialogs/2", e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's #2: %d %s", r.Status, r.Body)
	}
}
