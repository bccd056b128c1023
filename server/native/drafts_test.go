package native_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

type draftAnswer struct {
	Bot, Source, Checksum, Author string
	BaseVersion                   int `json:"base_version"`
	Problems                      []struct {
		Line                 int
		Severity, Code, Node string
	}
}

// firstWords starts a dialog of shop and returns what the bot says first.
func firstWords(t *testing.T, e *servertest.Env) string {
	t.Helper()
	var created turn
	r := e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("creating a dialog: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &created)
	if len(created.Messages) == 0 {
		t.Fatalf("the new dialog said nothing: %s", r.Body)
	}
	return created.Messages[0].Text
}

// saveDraft puts source as shop's draft with the If-Match given ("" for none).
func saveDraft(e *servertest.Env, auth, source, match string) *servertest.Response {
	h := http.Header{"Authorization": {auth}, "Content-Type": {"application/yaml"}}
	if match != "" {
		h.Set("If-Match", strconv.Quote(match))
	}
	return e.DoWith("PUT", "/v1/bots/shop/draft", h, source)
}

// TestDrafts: a draft is saved however broken, with its problems; it never
// reaches a dialog until published; saves and publishes that name a draft
// someone replaced are refused; publishing makes the next version and
// discards the draft; viewers read and only owners write.
func TestDrafts(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shopV1); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/bots/shop/draft", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Fatalf("a bot without a draft: %d %s", r.Status, r.Body)
	}

	broken := strings.Replace(strings.Replace(shopV1, "text: Size?", "text: Which size?", 1), "next: human", "next: nowhere", 1)
	r := saveDraft(e, e.A.Bearer(), broken, "")
	if r.Status != http.StatusOK {
		t.Fatalf("saving a broken draft: %d %s", r.Status, r.Body)
	}
	var saved draftAnswer
	r.JSON(t, &saved)
	if saved.BaseVersion != 1 || saved.Checksum == "" || r.Header.Get("ETag") != strconv.Quote(saved.Checksum) {
		t.Errorf("saved draft: base %d, checksum %q, ETag %q", saved.BaseVersion, saved.Checksum, r.Header.Get("ETag"))
	}
	if len(saved.Problems) == 0 || saved.Problems[0].Node != "ask_size" || saved.Problems[0].Severity != "error" {
		t.Errorf("the broken draft's problems: %+v; want an error on ask_size", saved.Problems)
	}
	if got := firstWords(t, e); got != "Size?" {
		t.Errorf("a dialog started while a draft exists says %q; want the published %q", got, "Size?")
	}

	viewer := member(t, e, "viewer@example.com", store.RoleViewer)
	var read draftAnswer
	e.Do("GET", "/v1/bots/shop/draft", viewer, nil).JSON(t, &read)
	if read.Source != broken || read.Checksum != saved.Checksum || len(read.Problems) != len(saved.Problems) {
		t.Errorf("the draft as read: %+v", read)
	}
	if r := saveDraft(e, viewer, shopV1, ""); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's save: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/bots/shop/draft", e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's read: %d %s", r.Status, r.Body)
	}

	if r := e.Do("POST", "/v1/bots/shop/draft/publish", e.A.Bearer(), nil); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("publishing a broken draft: %d %s", r.Status, r.Body)
	}
	fixed := strings.Replace(broken, "next: nowhere", "next: human", 1)
	r = saveDraft(e, e.A.Bearer(), fixed, saved.Checksum)
	if r.Status != http.StatusOK {
		t.Fatalf("saving over the draft read: %d %s", r.Status, r.Body)
	}
	var second draftAnswer
	r.JSON(t, &second)
	if len(second.Problems) != 0 {
		t.Errorf("the fixed draft's problems: %+v", second.Problems)
	}
	// An editor still on the first draft is refused, for a save and a publish.
	if r := saveDraft(e, e.A.Bearer(), shopV1, saved.Checksum); r.Status != http.StatusConflict {
		t.Errorf("a save over a draft replaced since: %d %s", r.Status, r.Body)
	}
	stale := http.Header{"Authorization": {e.A.Bearer()}, "If-Match": {strconv.Quote(saved.Checksum)}}
	if r := e.DoWith("POST", "/v1/bots/shop/draft/publish", stale, nil); r.Status != http.StatusConflict {
		t.Errorf("publishing a draft replaced since: %d %s", r.Status, r.Body)
	}

	current := http.Header{"Authorization": {e.A.Bearer()}, "If-Match": {strconv.Quote(second.Checksum)}}
	r = e.DoWith("POST", "/v1/bots/shop/draft/publish", current, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("publishing the draft: %d %s", r.Status, r.Body)
	}
	var pub struct{ Version int }
	r.JSON(t, &pub)
	if pub.Version != 2 {
		t.Errorf("published version %d, want 2", pub.Version)
	}
	if r := e.Do("GET", "/v1/bots/shop/versions/1", e.A.Bearer(), nil); r.Status != http.StatusOK || string(r.Body) != shopV1 {
		t.Errorf("version 1: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/bots/shop/versions/2", e.A.Bearer(), nil); r.Status != http.StatusOK || string(r.Body) != fixed {
		t.Errorf("version 2: %d %s", r.Status, r.Body)
	}
	for _, v := range []string{"3", "0", "x"} {
		if r := e.Do("GET", "/v1/bots/shop/versions/"+v, e.A.Bearer(), nil); r.Status != http.StatusNotFound {
			t.Errorf("version %s: %d %s", v, r.Status, r.Body)
		}
	}
	if r := e.Do("GET", "/v1/bots/shop/versions/1", e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's version: %d", r.Status)
	}
	if got := firstWords(t, e); got != "Which size?" {
		t.Errorf("a dialog started after the publish says %q, want the draft's %q", got, "Which size?")
	}
	if r := e.Do("GET", "/v1/bots/shop/draft", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("the draft after its publish: %d %s", r.Status, r.Body)
	}

	// A draft of a bot not published yet, then discarded.
	h := http.Header{"Authorization": {e.A.Bearer()}}
	if r := e.DoWith("PUT", "/v1/bots/newbot/draft", h, "bot: newbot\n"); r.Status != http.StatusOK {
		t.Fatalf("a new bot's draft: %d %s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", "/v1/bots/newbot/draft", viewer, nil); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's delete: %d %s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", "/v1/bots/newbot/draft", e.A.Bearer(), nil); r.Status != http.StatusNoContent {
		t.Errorf("discarding the draft: %d %s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", "/v1/bots/newbot/draft", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("discarding it again: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/bots/newbot/flow", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("a draft made a bot: %d %s", r.Status, r.Body)
	}
}

// TestBotsList: the bots list shows each bot's version and draft, and the
// bots only a draft has begun; another project's are not there.
func TestBotsList(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shopV1)
	h := http.Header{"Authorization": {e.A.Bearer()}}
	e.DoWith("PUT", "/v1/bots/shop/draft", h, shopV1+"# editing\n")
	e.DoWith("PUT", "/v1/bots/aaa/draft", h, "bot: aaa\n")
	e.Do("PUT", "/v1/bots/zoo/flow", e.B.Bearer(), strings.Replace(shopV1, "bot: shop", "bot: zoo", 1))
	for range 2 {
		e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), map[string]any{"start": false})
	}
	var list struct {
		Bots []struct {
			Slug           string
			CurrentVersion int     `json:"current_version"`
			DialogsToday   int     `json:"dialogs_today"`
			UpdatedAt      *string `json:"updated_at"`
			Draft          *struct {
				BaseVersion int `json:"base_version"`
			}
		}
	}
	e.Do("GET", "/v1/bots", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Bots) != 2 {
		t.Fatalf("bots: %+v; want aaa and shop", list.Bots)
	}
	aaa, shop := list.Bots[0], list.Bots[1]
	if aaa.Slug != "aaa" || aaa.CurrentVersion != 0 || aaa.UpdatedAt != nil || aaa.Draft == nil || aaa.Draft.BaseVersion != 0 || aaa.DialogsToday != 0 {
		t.Errorf("the drafted bot: %+v", aaa)
	}
	if shop.Slug != "shop" || shop.CurrentVersion != 1 || shop.UpdatedAt == nil || shop.Draft == nil || shop.Draft.BaseVersion != 1 || shop.DialogsToday != 2 {
		t.Errorf("the published bot with a draft: %+v", shop)
	}
}

// TestCannedReplies: operators save replies by shortcut, the same
// shortcut replaces the text, the list filters by what was typed, and
// another project sees none of them.
func TestCannedReplies(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	type reply struct {
		ID             int64
		Shortcut, Text string
	}
	r := e.Do("POST", "/v1/canned-replies", e.A.Bearer(), map[string]any{"shortcut": "/Refund", "text": "Refunded."})
	if r.Status != http.StatusCreated {
		t.Fatalf("saving a reply: %d %s", r.Status, r.Body)
	}
	var first reply
	r.JSON(t, &first)
	operator := member(t, e, "op@example.com", store.RoleOperator)
	r = e.Do("POST", "/v1/canned-replies", operator, map[string]any{"shortcut": "refund", "text": "Refunded in 3-5 days."})
	if r.Status != http.StatusOK {
		t.Fatalf("saving the shortcut again: %d %s", r.Status, r.Body)
	}
	var again reply
	r.JSON(t, &again)
	if again.ID != first.ID || again.Shortcut != "refund" {
		t.Errorf("saved again as %+v; want reply %d, shortcut refund", again, first.ID)
	}
	e.Do("POST", "/v1/canned-replies", e.A.Bearer(), map[string]any{"shortcut": "hello", "text": "Hi!"})

	var list struct {
		CannedReplies []reply `json:"canned_replies"`
	}
	e.Do("GET", "/v1/canned-replies?prefix=/re", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.CannedReplies) != 1 || list.CannedReplies[0].Text != "Refunded in 3-5 days." {
		t.Errorf("replies starting /re: %+v", list.CannedReplies)
	}
	viewer := member(t, e, "viewer@example.com", store.RoleViewer)
	e.Do("GET", "/v1/canned-replies", viewer, nil).JSON(t, &list)
	if len(list.CannedReplies) != 2 {
		t.Errorf("a viewer reads %d replies, want 2", len(list.CannedReplies))
	}
	if r := e.Do("POST", "/v1/canned-replies", viewer, map[string]any{"shortcut": "x", "text": "x"}); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's save: %d %s", r.Status, r.Body)
	}
	var bad apiError
	r = e.Do("POST", "/v1/canned-replies", e.A.Bearer(), map[string]any{"shortcut": "two words", "text": "x"})
	r.JSON(t, &bad)
	if r.Status != http.StatusBadRequest || !strings.Contains(bad.Error.Message, "1 to 32 letters") {
		t.Errorf("a bad shortcut: %d %s", r.Status, r.Body)
	}

	e.Do("GET", "/v1/canned-replies", e.B.Bearer(), nil).JSON(t, &list)
	if len(list.CannedReplies) != 0 {
		t.Errorf("another project lists %+v", list.CannedReplies)
	}
	path := "/v1/canned-replies/" + strconv.FormatInt(first.ID, 10)
	if r := e.Do("DELETE", path, e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's delete: %d %s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", path, operator, nil); r.Status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", path, operator, nil); r.Status != http.StatusNotFound {
		t.Errorf("delete again: %d %s", r.Status, r.Body)
	}
	if r := e.Do("DELETE", "/v1/canned-replies/abc", operator, nil); r.Status != http.StatusNotFound {
		t.Errorf("delete of a bad id: %d %s", r.Status, r.Body)
	}
}

// TestDraftReplay: the user messages of the bot's real dialogs are played
// against the draft; a draft that answers the same changes none, one that
// words a reply otherwise changes each dialog at the turn that reply comes.
func TestDraftReplay(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/greeter/flow", e.A.Bearer(), servertest.GreeterBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	for _, name := range []string{"Ann", "Bob"} {
		var d turn
		e.Do("POST", "/v1/bots/greeter/dialogs", e.A.Bearer(), nil).JSON(t, &d)
		for _, text := range []string{name, "no"} {
			if r := e.Do("POST", "/v1/dialogs/"+d.ID+"/messages", e.A.Bearer(), map[string]any{"text": text}); r.Status != http.StatusOK {
				t.Fatalf("talking: %d %s", r.Status, r.Body)
			}
		}
	}
	type replay struct {
		Replayed, Changed int
		Dialogs           []struct {
			Turns           int
			ReplayedTurns   int `json:"replayed_turns"`
			FirstDifference *struct {
				Turn     int
				UserText string `json:"user_text"`
				Message  string
			} `json:"first_difference"`
		}
	}
	h := http.Header{"Authorization": {e.A.Bearer()}}
	run := func(draft string) replay {
		t.Helper()
		if r := e.DoWith("PUT", "/v1/bots/greeter/draft", h, draft); r.Status != http.StatusOK {
			t.Fatalf("saving the draft: %d %s", r.Status, r.Body)
		}
		r := e.Do("POST", "/v1/bots/greeter/draft/replay", e.A.Bearer(), map[string]any{"dialogs": 10})
		if r.Status != http.StatusOK {
			t.Fatalf("replay: %d %s", r.Status, r.Body)
		}
		var out replay
		r.JSON(t, &out)
		return out
	}

	same := run("# only a comment changed\n" + servertest.GreeterBot)
	if same.Replayed != 2 || same.Changed != 0 {
		t.Fatalf("an equivalent draft: %+v", same)
	}
	for _, d := range same.Dialogs {
		if d.Turns != 2 || d.ReplayedTurns != 2 || d.FirstDifference != nil {
			t.Errorf("an equivalent draft's dialog: %+v", d)
		}
	}

	reworded := run(strings.Replace(servertest.GreeterBot, "Hello, {{ name }}!", "Hi {{ name }}, welcome!", 1))
	if reworded.Changed != 2 {
		t.Fatalf("a reworded draft changed %d dialogs, want 2: %+v", reworded.Changed, reworded)
	}
	for _, d := range reworded.Dialogs {
		f := d.FirstDifference
		if f == nil || f.Turn != 1 || (f.UserText != "Ann" && f.UserText != "Bob") || !strings.Contains(f.Message, "Hi ") {
			t.Errorf("a reworded draft's dialog: %+v", d)
		}
	}

	// A test dialog talks to the draft as it is, and replays leave it out.
	var test turn
	r := e.Do("POST", "/v1/bots/greeter/draft/dialogs", e.A.Bearer(), nil)
	r.JSON(t, &test)
	if r.Status != http.StatusCreated {
		t.Fatalf("a test dialog: %d %s", r.Status, r.Body)
	}
	var answer turn
	e.Do("POST", "/v1/dialogs/"+test.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Cy"}).JSON(t, &answer)
	if len(answer.Messages) == 0 || answer.Messages[0].Text != "Hi Cy, welcome!" {
		t.Errorf("the test dialog answered %+v, want the draft's words", answer.Messages)
	}
	if again := run(strings.Replace(servertest.GreeterBot, "Hello, {{ name }}!", "Hi {{ name }}, welcome!", 1)); again.Replayed != 2 {
		t.Errorf("a replay counted the test dialog: %+v", again)
	}
	var created turn
	e.Do("POST", "/v1/bots/greeter/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	var published turn
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Di"}).JSON(t, &published)
	if len(published.Messages) == 0 || published.Messages[0].Text != "Hello, Di!" {
		t.Errorf("a real dialog answered %+v: the draft reached it", published.Messages)
	}

	if r := e.DoWith("PUT", "/v1/bots/greeter/draft", h, "bot: greeter\nnodes: {}\n"); r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
	if r := e.Do("POST", "/v1/bots/greeter/draft/replay", e.A.Bearer(), nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("replaying a broken draft: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/bots/greeter/draft/dialogs", e.A.Bearer(), nil); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("talking to a broken draft: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/bots/greeter/draft/replay", e.A.Bearer(), map[string]any{"dialogs": 500}); r.Status != http.StatusBadRequest {
		t.Errorf("500 dialogs: %d %s", r.Status, r.Body)
	}
}

// TestTemplates: the example bots are offered as templates, each valid,
// and a new bot begins as a draft of one.
func TestTemplates(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	var list struct {
		Templates []struct {
			ID, Name, Description, Source string
			Nodes                         int
		}
	}
	e.Do("GET", "/v1/templates", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Templates) < 3 {
		t.Fatalf("templates: %+v", list.Templates)
	}
	for _, tpl := range list.Templates {
		if tpl.Name == "" || tpl.Nodes == 0 || !strings.Contains(tpl.Source, "bot: "+tpl.ID) {
			t.Errorf("template %s: name %q, %d nodes", tpl.ID, tpl.Name, tpl.Nodes)
		}
	}
	src := strings.Replace(list.Templates[0].Source, "bot: "+list.Templates[0].ID, "bot: mine", 1)
	r := e.DoWith("PUT", "/v1/bots/mine/draft", http.Header{"Authorization": {e.A.Bearer()}}, src)
	var d draftAnswer
	r.JSON(t, &d)
	for _, p := range d.Problems {
		if p.Severity == "error" {
			t.Errorf("a draft from template %s has an error: %+v", list.Templates[0].ID, p)
		}
	}
}
