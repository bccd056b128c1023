package native_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const shopFlow = `bot: shop
nodes:
  ask:
    kind: question
    text: What would you like?
    next: done
  done:
    kind: end
    text: Sent.
`

// dialogPage is GET /v1/dialogs's answer.
type dialogPage struct {
	Dialogs []struct {
		ID, Bot, Status, Mode, Node string
		UserID                      string `json:"user_id"`
		CreatedAt                   string `json:"created_at"`
		UpdatedAt                   string `json:"updated_at"`
		Handoff                     handoffView
	}
	NextCursor *string `json:"next_cursor"`
}

func (p dialogPage) ids() []string {
	out := []string{}
	for _, d := range p.Dialogs {
		out = append(out, d.ID)
	}
	return out
}

// TestFindDialogs covers every filter of GET /v1/dialogs over HTTP, on
// SQLite and on PostgreSQL.
func TestFindDialogs(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			findDialogs(t, servertest.NewWith(t, servertest.Options{Postgres: pg}, native.Dialect))
		})
	}
}

func findDialogs(t *testing.T, e *servertest.Env) {
	for bot, flow := range map[string]string{"desk": servertest.DeskBot, "shop": shopFlow} {
		if r := e.Do("PUT", "/v1/bots/"+bot+"/flow", e.A.Bearer(), flow); r.Status != http.StatusOK {
			t.Fatalf("publishing %s: %d %s", bot, r.Status, r.Body)
		}
	}
	create := func(bot, user string) string {
		var tr turn
		e.Do("POST", "/v1/bots/"+bot+"/dialogs", e.A.Bearer(), map[string]any{"user": map[string]any{"id": user}}).JSON(t, &tr)
		return tr.ID
	}
	say := func(id, text string) {
		if r := e.Do("POST", "/v1/dialogs/"+id+"/messages", e.A.Bearer(), map[string]any{"text": text}); r.Status != http.StatusOK {
			t.Fatalf("saying %q: %d %s", text, r.Status, r.Body)
		}
	}
	requested := create("desk", "u1") // waits in billing
	say(requested, "A-42 refund")
	asking := create("desk", "u2") // waits at ask
	taken := create("desk", "u1")  // an operator has it
	say(taken, "B-7")
	if r := e.Do("POST", "/v1/dialogs/"+taken+"/operator", e.A.Bearer(), map[string]any{"action": "take", "operator": "Olga"}); r.Status != http.StatusOK {
		t.Fatalf("taking: %d %s", r.Status, r.Body)
	}
	done := create("shop", "u3") // completed
	say(done, "Tea")
	// Another project's dialog, which every filter below would match.
	e.Do("PUT", "/v1/bots/desk/flow", e.B.Bearer(), servertest.DeskBot)
	var theirs turn
	e.Do("POST", "/v1/bots/desk/dialogs", e.B.Bearer(), map[string]any{"user": map[string]any{"id": "u1"}}).JSON(t, &theirs)
	e.Do("POST", "/v1/dialogs/"+theirs.ID+"/messages", e.B.Bearer(), map[string]any{"text": "A-42 refund"})
	other := e.Do("GET", "/v1/dialogs", e.B.Bearer(), nil)
	var otherPage dialogPage
	other.JSON(t, &otherPage)

	list := func(t *testing.T, query string) dialogPage {
		t.Helper()
		r := e.Do("GET", "/v1/dialogs?"+query, e.A.Bearer(), nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET /v1/dialogs?%s: %d %s", query, r.Status, r.Body)
		}
		var p dialogPage
		r.JSON(t, &p)
		return p
	}
	all := list(t, "")
	if len(all.Dialogs) != 4 || all.NextCursor != nil {
		t.Fatalf("all dialogs = %+v", all)
	}
	if !slices.Equal(otherPage.ids(), []string{theirs.ID}) {
		t.Errorf("the other project lists %v, want only its own %s", otherPage.ids(), theirs.ID)
	}
	// of is the named dialogs in the list's order (the most recently
	// changed first).
	of := func(ids ...string) []string {
		out := []string{}
		for _, id := range all.ids() {
			if slices.Contains(ids, id) {
				out = append(out, id)
			}
		}
		return out
	}
	byID := map[string]int{}
	for i, d := range all.Dialogs {
		byID[d.ID] = i
	}
	at := func(id string, field func(i int) string) string { return url.QueryEscape(field(byID[id])) }
	created := func(i int) string { return all.Dialogs[i].CreatedAt }
	updated := func(i int) string { return all.Dialogs[i].UpdatedAt }
	if d := all.Dialogs[byID[taken]]; d.Bot != "desk" || d.UserID != "u1" || d.Handoff.Status != "active" || d.Mode != "operator" {
		t.Errorf("the taken dialog = %+v", d)
	}

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"bot=shop", of(done)},
		{"bot=desk", of(requested, asking, taken)},
		{"status=completed", of(done)},
		{"mode=operator", of(requested, taken)},
		{"handoff_status=requested", of(requested)},
		{"handoff_status=none", of(asking, done)},
		{"queue=billing", of(requested, taken)},
		{"queue=billing&handoff_status=active", of(taken)},
		{"waiting=ask", of(asking)},
		{"waiting=done", of()}, // shop's dialog ended there
		{"waiting=ask&waiting_longer_than=0s", of(asking)},
		{"waiting=ask&waiting_longer_than=1h", of()},
		{"user_id=u1", of(requested, taken)},
		{"created_from=" + at(taken, created), of(taken, done)},
		{"created_to=" + at(asking, created), of(requested, asking)},
		{"updated_from=" + at(requested, updated), []string{}},
		{"q=refund", of(requested)},
		{"q=ORDER+number", of(requested, asking, taken)}, // the bot's question
		{"q=tea&bot=shop&status=completed&user_id=u3", of(done)},
		{"q=refund+tea", of()},
	} {
		t.Run(c.query, func(t *testing.T) {
			got := list(t, c.query).ids()
			want := c.want
			if c.query == "updated_from="+at(requested, updated) { // the dialogs changed at or after it
				want = all.ids()[:byID[requested]+1]
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		var got []string
		query := "limit=2"
		for range 5 {
			p := list(t, query)
			got = append(got, p.ids()...)
			if p.NextCursor == nil {
				break
			}
			query = "limit=2&cursor=" + url.QueryEscape(*p.NextCursor)
		}
		if !slices.Equal(got, all.ids()) {
			t.Errorf("pages of 2 = %v, want %v", got, all.ids())
		}
		if p := list(t, "limit=4"); p.NextCursor != nil {
			t.Errorf("a page holding the last dialog has next_cursor %q", *p.NextCursor)
		}
	})

	for _, query := range []string{"status=open", "mode=bot", "handoff_status=taken", "waiting_longer_than=soon",
		"waiting_longer_than=-1h", "created_from=yesterday", "updated_to=2025-13-01", "q=%3F%21", "limit=0", "limit=1001",
		"cursor=nope"} {
		t.Run("bad "+query, func(t *testing.T) {
			r := e.Do("GET", "/v1/dialogs?"+query, e.A.Bearer(), nil)
			var body apiError
			r.JSON(t, &body)
			if r.Status != http.StatusBadRequest || body.Error.Message == "" {
				t.Errorf("%d %s, want 400 with a message", r.Status, r.Body)
			}
		})
	}
	if r := e.Do("GET", "/v1/dialogs?bot=nope", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("an unknown bot: %d %s, want 404", r.Status, r.Body)
	}
}
