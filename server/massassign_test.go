package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/servertest"
)

// injected are fields no request body may set: ids, the project, status,
// balances, roles and timestamps. Each dialect ignores them (or, where
// its document says so, answers 422); none is ever applied.
var injected = map[string]any{
	"id": 999999, "project_id": 999999, "user_id": 999999, "status": "completed", "mode": "operator",
	"balance": 1e9, "credits": 1e9, "is_admin": true, "role": "owner", "created_at": "2000-01-01T00:00:00Z",
	"updated_at": "2000-01-01T00:00:00Z",
}

// with returns body with the injected fields added.
func with(body map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range injected {
		out[k] = v
	}
	for k, v := range body {
		out[k] = v
	}
	return out
}

// applied reports which injected values a JSON answer shows.
func applied(body []byte) []string {
	var found []string
	for _, s := range []string{`999999`, `"2000-01-01T00:00:00Z"`, `"is_admin":true`, `1000000000`, `1e+09`} {
		if strings.Contains(string(body), s) {
			found = append(found, s)
		}
	}
	return found
}

// TestMassAssignment sends the injected fields with the bodies that
// create or change a user, a dialog and a bot, then reads the objects
// back: none of them took.
func TestMassAssignment(t *testing.T) {
	e := servertest.New(t, dialects...)
	check := func(what string, r *servertest.Response) {
		t.Helper()
		if r.Status >= 300 && r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s", what, r.Status, r.Body)
		}
		if found := applied(r.Body); len(found) > 0 {
			t.Errorf("%s applied %v: %s", what, found, r.Body)
		}
	}

	t.Run("ReplyX: register and users/me cannot make an admin", func(t *testing.T) {
		var reg struct {
			AccessToken string `json:"access_token"`
		}
		r := e.Do("POST", "/api/auth/register", "", with(map[string]any{"email": "mallory@example.com", "password": "password123", "first_name": "M"}))
		check("register", r)
		r.JSON(t, &reg)
		bearer := "Bearer " + reg.AccessToken
		check("users/me update", e.Do("PUT", "/api/users/me", bearer, with(map[string]any{"first_name": "Mal", "email": "boss@example.com"})))
		me := e.Do("GET", "/api/users/me", bearer, nil)
		check("users/me", me)
		if !strings.Contains(string(me.Body), `"mallory@example.com"`) || !strings.Contains(string(me.Body), `"Mal"`) {
			t.Errorf("users/me: %s", me.Body)
		}
		if r := e.Do("GET", "/api/admin/users", bearer, nil); r.Status != http.StatusForbidden {
			t.Errorf("the registered user reads the admin's users: %d", r.Status)
		}
	})

	t.Run("native: a dialog's id, status, mode and project", func(t *testing.T) {
		e.Do("PUT", "/v1/bots/echo/flow", e.A.Bearer(), echoBot)
		var created struct{ ID, Status, Mode string }
		r := e.Do("POST", "/v1/bots/echo/dialogs", e.A.Bearer(), with(map[string]any{}))
		check("create dialog", r)
		r.JSON(t, &created)
		if created.ID == "" || created.Status == "completed" || created.Mode == "operator" {
			t.Errorf("the dialog: %s", r.Body)
		}
		check("the dialog", e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil))
		if r := e.Do("GET", "/v1/dialogs/"+created.ID, e.B.Bearer(), nil); r.Status != http.StatusNotFound {
			t.Errorf("project B sees it: %d", r.Status)
		}
	})

	t.Run("Worken: a bot's id, project and timestamps", func(t *testing.T) {
		r := e.Do("POST", "/bots", e.A.Bearer(), with(map[string]any{"name": "Helper"}))
		check("create bot", r)
		var bot struct{ ID string }
		r.JSON(t, &bot)
		if r.Status == http.StatusOK {
			check("the bot", e.Do("GET", "/bots/"+bot.ID, e.A.Bearer(), nil))
			if r := e.Do("GET", "/bots/"+bot.ID, e.B.Bearer(), nil); r.Status != http.StatusNotFound {
				t.Errorf("project B sees it: %d", r.Status)
			}
		}
	})
}
