package worken_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

type bot struct {
	ID          string
	Name        string
	Description *string
	Status      string
	ProjectID   string `json:"project_id"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

type settings struct {
	AI struct {
		Instruction string
		Model       struct {
			ID               string
			Temperature      float64
			MaxTokens        int     `json:"max_tokens"`
			TopP             float64 `json:"top_p"`
			FrequencyPenalty float64 `json:"frequency_penalty"`
			PresencePenalty  float64 `json:"presence_penalty"`
		}
		Memory struct {
			LastMessages   int  `json:"lastMessages"`
			SemanticRecall bool `json:"semanticRecall"`
			WorkingMemory  struct{ Enabled bool }
			GenerateTitle  bool `json:"generateTitle"`
		}
		Formatting struct {
			RemoveEmojis   bool `json:"removeEmojis"`
			RemoveMarkdown bool `json:"removeMarkdown"`
		}
		Tools map[string]string
	}
}

func createBot(t *testing.T, e *servertest.Env, p servertest.Project, name string) bot {
	t.Helper()
	var b bot
	ok(t, e.Do("POST", "/bots", p.Bearer(), map[string]any{"name": name}), &b)
	return b
}

// source is the bot's current YAML.
func source(t *testing.T, e *servertest.Env, p servertest.Project, id string) (string, *store.Bot) {
	t.Helper()
	b, err := e.Store.BotByUUID(t.Context(), p.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.Store.FlowVersion(t.Context(), b.ID, b.CurrentVersion)
	if err != nil {
		t.Fatal(err)
	}
	return v.Source, b
}

func TestBots(t *testing.T) {
	e := newEnv(t)
	b := createBot(t, e, e.A, "Sales bot")
	if b.ID == "" || b.Name != "Sales bot" || b.Description != nil || b.Status != "active" || b.ProjectID == "" || b.CreatedAt == "" {
		t.Errorf("created %+v", b)
	}
	src, sb := source(t, e, e.A, b.ID)
	if sb.Slug != "sales-bot" || !strings.Contains(src, "kind: llm") || !strings.Contains(src, "converse: true") {
		t.Errorf("slug %q, flow:\n%s", sb.Slug, src)
	}
	t.Run("same name, another slug", func(t *testing.T) {
		other := createBot(t, e, e.A, "Sales bot")
		_, ob := source(t, e, e.A, other.ID)
		if ob.Slug != "sales-bot-2" {
			t.Errorf("slug %q", ob.Slug)
		}
		ok(t, e.Do("POST", "/bots/"+other.ID+"/delete", e.A.Bearer(), nil), &map[string]any{})
	})
	t.Run("list and get", func(t *testing.T) {
		var bots []bot
		ok(t, e.Do("GET", "/bots", e.A.Bearer(), nil), &bots)
		if len(bots) != 1 || bots[0].ID != b.ID {
			t.Errorf("bots %+v", bots)
		}
		var got bot
		ok(t, e.Do("GET", "/bots/"+b.ID, e.A.Bearer(), nil), &got)
		if got != b {
			t.Errorf("got %+v, want %+v", got, b)
		}
	})
	t.Run("update", func(t *testing.T) {
		var got bot
		ok(t, e.Do("POST", "/bots/"+b.ID, e.A.Bearer(), map[string]any{"description": "Sells things."}), &got)
		if got.Name != "Sales bot" || got.Description == nil || *got.Description != "Sells things." {
			t.Errorf("updated %+v", got)
		}
		ok(t, e.Do("POST", "/bots/"+b.ID, e.A.Bearer(), map[string]any{"name": "Seller"}), &got)
		if got.Name != "Seller" || got.Description == nil || *got.Description != "Sells things." {
			t.Errorf("renamed %+v", got)
		}
		wantError(t, e.Do("POST", "/bots/"+b.ID, e.A.Bearer(), map[string]any{"name": " "}), http.StatusUnprocessableEntity, "name")
	})
	t.Run("another project's bot", func(t *testing.T) {
		wantError(t, e.Do("GET", "/bots/"+b.ID, e.B.Bearer(), nil), http.StatusNotFound)
		wantError(t, e.Do("POST", "/bots/"+b.ID+"/settings", e.B.Bearer(), map[string]any{"ai": map[string]any{}}), http.StatusNotFound)
		var bots []bot
		ok(t, e.Do("GET", "/bots", e.B.Bearer(), nil), &bots)
		if len(bots) != 0 {
			t.Errorf("project B sees %+v", bots)
		}
	})
	t.Run("not a uuid", func(t *testing.T) {
		wantError(t, e.Do("GET", "/bots/nope", e.A.Bearer(), nil), http.StatusNotFound)
	})
	t.Run("no name", func(t *testing.T) {
		wantError(t, e.Do("POST", "/bots", e.A.Bearer(), map[string]any{}), http.StatusUnprocessableEntity, "name")
	})
}

func TestBotSettings(t *testing.T) {
	e := newEnv(t)
	b := createBot(t, e, e.A, "Support")
	var s settings
	ok(t, e.Do("GET", "/bots/"+b.ID+"/settings", e.A.Bearer(), nil), &s)
	if s.AI.Model.Temperature != 1 || s.AI.Model.TopP != 1 || s.AI.Memory.LastMessages != 20 || s.AI.Model.MaxTokens != 1024 ||
		s.AI.Instruction == "" || s.AI.Tools == nil {
		t.Errorf("defaults %+v", s)
	}
	// A comment elsewhere in the file survives a settings change.
	src, sb := source(t, e, e.A, b.ID)
	src = "# Support bot, edited by hand.\n" + strings.Replace(src, "nodes:\n", "nodes:\n  # the only node\n", 1)
	if _, err := e.Dialogs.Publish(t.Context(), e.A.ID, sb.Slug, src, "test"); err != nil {
		t.Fatal(err)
	}

	t.Run("partial merge", func(t *testing.T) {
		body := map[string]any{"ai": map[string]any{"model": map[string]any{"temperature": 0.7}, "memory": map[string]any{"generateTitle": true}}}
		var got settings
		ok(t, e.Do("POST", "/bots/"+b.ID+"/settings", e.A.Bearer(), body), &got)
		want := s
		want.AI.Model.Temperature, want.AI.Memory.GenerateTitle = 0.7, true
		if got.AI.Instruction != want.AI.Instruction || got.AI.Model != want.AI.Model || got.AI.Memory != want.AI.Memory || got.AI.Formatting != want.AI.Formatting {
			t.Errorf("merged %+v, want %+v", got, want)
		}
		var again settings
		ok(t, e.Do("GET", "/bots/"+b.ID+"/settings", e.A.Bearer(), nil), &again)
		if again.AI.Model != want.AI.Model || again.AI.Memory != want.AI.Memory {
			t.Errorf("read back %+v", again)
		}
		now, _ := source(t, e, e.A, b.ID)
		for _, kept := range []string{"# Support bot, edited by hand.", "# the only node", "converse: true", "temperature: 0.7"} {
			if !strings.Contains(now, kept) {
				t.Errorf("flow lost %q:\n%s", kept, now)
			}
		}
	})
	t.Run("instruction and tools", func(t *testing.T) {
		body := map[string]any{"ai": map[string]any{"instruction": "Be brief.", "tools": map[string]any{"handoff": "auto"}}}
		var got settings
		ok(t, e.Do("POST", "/bots/"+b.ID+"/settings", e.A.Bearer(), body), &got)
		if got.AI.Instruction != "Be brief." || got.AI.Tools["handoff"] != "auto" || got.AI.Model.Temperature != 0.7 {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("unknown field", func(t *testing.T) {
		body := map[string]any{"ai": map[string]any{"model": map[string]any{"temprature": 0.5}}}
		got := wantError(t, e.Do("POST", "/bots/"+b.ID+"/settings", e.A.Bearer(), body), http.StatusUnprocessableEntity, "ai.model.temprature")
		if got.Error.Param != "ai.model.temprature" {
			t.Errorf("param %q", got.Error.Param)
		}
	})
	t.Run("temperature out of range", func(t *testing.T) {
		body := map[string]any{"ai": map[string]any{"model": map[string]any{"temperature": 3.0}}}
		wantError(t, e.Do("POST", "/bots/"+b.ID+"/settings", e.A.Bearer(), body), http.StatusUnprocessableEntity, "ai.model.temperature", "from 0 to 2")
	})
	t.Run("wrong type", func(t *testing.T) {
		body := map[string]any{"ai": map[string]any{"memory": map[string]any{"semanticRecall": "yes"}}}
		wantError(t, e.Do("POST", "/bots/"+b.ID+"/settings", e.A.Bearer(), body), http.StatusUnprocessableEntity, "semanticRecall")
	})
}

func TestBotStatusCloneDelete(t *testing.T) {
	e := newEnv(t)
	b := createBot(t, e, e.A, "Shop")
	_, sb := source(t, e, e.A, b.ID)
	t.Run("disabled takes no new dialogs", func(t *testing.T) {
		var got bot
		ok(t, e.Do("POST", "/bots/"+b.ID+"/status", e.A.Bearer(), map[string]any{"status": "disabled"}), &got)
		if got.Status != "disabled" {
			t.Errorf("status %q", got.Status)
		}
		_, _, err := e.Dialogs.Create(t.Context(), e.A.ID, sb.Slug, dialogs.CreateInput{})
		if store.ErrorCode(err) != store.ECONFLICT || !strings.Contains(err.Error(), "disabled") {
			t.Errorf("creating a dialog of a disabled bot: %v", err)
		}
		wantError(t, e.Do("POST", "/bots/"+b.ID+"/status", e.A.Bearer(), map[string]any{"status": "sleepy"}), http.StatusUnprocessableEntity, "sleepy")
		ok(t, e.Do("POST", "/bots/"+b.ID+"/status", e.A.Bearer(), map[string]any{"status": "active"}), &got)
		if _, _, err := e.Dialogs.Create(t.Context(), e.A.ID, sb.Slug, dialogs.CreateInput{}); err != nil {
			t.Errorf("creating a dialog of an active bot: %v", err)
		}
	})
	t.Run("clone", func(t *testing.T) {
		ok(t, e.Do("POST", "/bots/"+b.ID+"/settings", e.A.Bearer(), map[string]any{"ai": map[string]any{"model": map[string]any{"temperature": 0.2}}}), &map[string]any{})
		var c bot
		ok(t, e.Do("POST", "/bots/"+b.ID+"/clone", e.A.Bearer(), nil), &c)
		if c.ID == b.ID || c.Name != "Shop (copy)" {
			t.Errorf("clone %+v", c)
		}
		var s settings
		ok(t, e.Do("GET", "/bots/"+c.ID+"/settings", e.A.Bearer(), nil), &s)
		if s.AI.Model.Temperature != 0.2 {
			t.Errorf("clone's settings %+v", s)
		}
	})
	t.Run("delete", func(t *testing.T) {
		wantError(t, e.Do("POST", "/bots/"+b.ID+"/delete", e.B.Bearer(), nil), http.StatusNotFound)
		ok(t, e.Do("POST", "/bots/"+b.ID+"/delete", e.A.Bearer(), nil), &map[string]any{})
		wantError(t, e.Do("GET", "/bots/"+b.ID, e.A.Bearer(), nil), http.StatusNotFound)
		wantError(t, e.Do("GET", "/bots/"+b.ID+"/settings", e.A.Bearer(), nil), http.StatusNotFound)
		wantError(t, e.Do("POST", "/bots/"+b.ID+"/delete", e.A.Bearer(), nil), http.StatusNotFound)
		var bots []bot
		ok(t, e.Do("GET", "/bots", e.A.Bearer(), nil), &bots)
		for _, x := range bots {
			if x.ID == b.ID {
				t.Errorf("deleted bot listed")
			}
		}
	})
}
