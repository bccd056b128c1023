package replyx_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
)

type qaView struct {
	ID          int64
	AssistantID int64 `json:"assistant_id"`
	Question    string
	Answer      string
	Tags        []string
	Score       *float64
}

// TestQAKnowledge: the document's Q&A body makes an entry GET finds by
// keyword and by meaning; the assistant answers that question with the
// entry's answer without calling the model (which the loopback model
// would see), and other questions still go to the model.
func TestQAKnowledge(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, replyx.Dialect)
	key := e.A.Bearer()
	var a assistantView
	e.Do("POST", "/api/assistants", key, map[string]any{"name": "Помощник", "system_prompt": "Ты дружелюбный помощник"}).JSON(t, &a)

	const answer = "Для настройки бота перейдите в раздел..."
	var qa qaView
	r := e.Do("POST", "/api/qa-knowledge", key, map[string]any{"assistant_id": a.ID, "question": "Как настроить бота?",
		"answer": answer, "tags": []string{"настройка", "бот"}})
	r.JSON(t, &qa)
	if r.Status != http.StatusOK || qa.ID == 0 || qa.AssistantID != a.ID || qa.Answer != answer || len(qa.Tags) != 2 {
		t.Fatalf("created: %d %s", r.Status, r.Body)
	}
	for query, want := range map[string]int{"настройка": 1, "как настроить бота": 1, "оплата картой": 0} {
		var found []qaView
		e.Do("GET", fmt.Sprintf("/api/qa-knowledge?assistant_id=%d&q=%s", a.ID, url.QueryEscape(query)), key, nil).JSON(t, &found)
		if len(found) != want || (want == 1 && (found[0].ID != qa.ID || found[0].Score == nil)) {
			t.Errorf("q=%s: %+v", query, found)
		}
	}
	var all []qaView
	e.Do("GET", "/api/qa-knowledge", key, nil).JSON(t, &all)
	if len(all) != 1 {
		t.Errorf("all entries: %+v", all)
	}
	e.Do("GET", "/api/qa-knowledge", e.B.Bearer(), nil).JSON(t, &all)
	if len(all) != 0 {
		t.Errorf("B sees %+v", all)
	}
	wantError(t, e.Do("POST", "/api/qa-knowledge", e.B.Bearer(), map[string]any{"assistant_id": a.ID, "question": "q", "answer": "a"}),
		http.StatusNotFound, "NOT_FOUND", "")
	wantError(t, e.Do("POST", "/api/qa-knowledge", key, map[string]any{"assistant_id": a.ID, "question": "q"}),
		http.StatusUnprocessableEntity, "VALIDATION_ERROR", "answer")
	wantError(t, e.Do("POST", "/api/qa-knowledge", key, map[string]any{"question": "q", "answer": "a"}),
		http.StatusUnprocessableEntity, "VALIDATION_ERROR", "assistant_id")

	ctx := t.Context()
	d := assistantDialog(t, e, a.ID)
	before := len(model.Requests())
	turn, err := e.Dialogs.SendMessage(ctx, d, dialogs.Message{Text: "как настроить бота"})
	if err != nil {
		t.Fatal(err)
	}
	last := turn.Messages[len(turn.Messages)-1]
	if last.Text != answer || len(model.Requests()) != before {
		t.Fatalf("the Q&A question: %q, the model asked %d times", last.Text, len(model.Requests())-before)
	}
	msgs, err := e.Store.Messages(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if src := msgs[len(msgs)-1].Sources; len(src) != 1 || src[0].Document != fmt.Sprintf("qa-%d", qa.ID) {
		t.Errorf("the answer's source: %+v", src)
	}

	model.Reply("Оплатить можно картой.")
	turn, err = e.Dialogs.SendMessage(ctx, d, dialogs.Message{Text: "Как оплатить?"})
	if err != nil {
		t.Fatal(err)
	}
	if last := turn.Messages[len(turn.Messages)-1]; last.Text != "Оплатить можно картой." || len(model.Requests()) != before+1 {
		t.Errorf("another question: %q, %d model calls", last.Text, len(model.Requests())-before)
	}
}
