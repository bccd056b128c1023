package replyx_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
)

type dialogView struct {
	ID                 int64
	AssistantID        int64  `json:"assistant_id"`
	AssistantName      string `json:"assistant_name"`
	Platform           string
	FirstName          *string `json:"first_name"`
	LastName           *string `json:"last_name"`
	Status             string
	HandoffStatus      string  `json:"handoff_status"`
	IsTakenOver        bool    `json:"is_taken_over"`
	LastMessage        *string `json:"last_message"`
	HandoffReason      *string `json:"handoff_reason"`
	HandoffRequestedAt *string `json:"handoff_requested_at"`
	TakenOverBy        *string `json:"taken_over_by"`
}

type messageView struct {
	ID           int64
	Sender, Text string
	OperatorName string `json:"operator_name"`
}

// TestDialogs: a dialog as ReplyX lists and shows it, its filters, its
// messages, and a handoff requested, taken by the document's operator,
// answered and released, with the document's bodies.
func TestDialogs(t *testing.T) {
	e := servertest.New(t, native.Dialect, replyx.Dialect)
	ctx := t.Context()
	out, err := e.Dialogs.Publish(ctx, e.A.ID, "greeter", servertest.GreeterBot, "test")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := e.Dialogs.Create(ctx, e.A.ID, "greeter", dialogs.CreateInput{Start: true, Source: "api", User: map[string]any{"name": "John Doe"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Dialogs.SendMessage(ctx, d, dialogs.Message{Text: "John"}); err != nil {
		t.Fatal(err)
	}
	key := e.A.Bearer()
	path := fmt.Sprintf("/api/dialogs/%d", d.Number)

	var page struct {
		Dialogs []dialogView
		Total   int
		HasMore bool `json:"has_more"`
	}
	r := e.Do("GET", "/api/dialogs", key, nil)
	r.JSON(t, &page)
	if r.Status != http.StatusOK || page.Total != 1 || page.HasMore || len(page.Dialogs) != 1 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	got := page.Dialogs[0]
	if got.ID != d.Number || got.AssistantID != out.Bot.ID || got.Platform != "api" || got.Status != "active" || got.HandoffStatus != "none" ||
		got.FirstName == nil || *got.FirstName != "John" || got.LastName == nil || *got.LastName != "Doe" ||
		got.LastMessage == nil || *got.LastMessage != "Anything else?" {
		t.Errorf("listed %s", r.Body)
	}
	for query, want := range map[string]int{"status=active": 1, "status=archived": 0, "platform=api": 1, "platform=telegram": 0,
		"handoff_status=none": 1, "handoff_status=requested": 0, "limit=1&offset=1": 1} {
		e.Do("GET", "/api/dialogs?"+query, key, nil).JSON(t, &page)
		if page.Total != want {
			t.Errorf("?%s: total %d, want %d", query, page.Total, want)
		}
	}
	wantError(t, e.Do("GET", "/api/dialogs?status=open", key, nil), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "status")
	wantError(t, e.Do("GET", "/api/dialogs?platform=vk", key, nil), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "platform")
	wantError(t, e.Do("GET", "/api/dialogs?limit=0", key, nil), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "limit")

	var detail dialogView
	e.Do("POST", path+"/handoff/request", key, map[string]any{"reason": "keyword", "last_user_text": "Хочу поговорить с оператором"}).JSON(t, &detail)
	if detail.HandoffStatus != "requested" || detail.HandoffReason == nil || *detail.HandoffReason != "keyword" || detail.HandoffRequestedAt == nil ||
		detail.AssistantName != out.Bot.Name {
		t.Errorf("after request: %+v", detail)
	}
	e.Do("POST", path+"/handoff/take", key, map[string]any{"operator_name": "Анна", "operator_id": 5}).JSON(t, &detail)
	if detail.HandoffStatus != "active" || !detail.IsTakenOver || detail.TakenOverBy == nil || *detail.TakenOverBy != "Анна" {
		t.Errorf("after take: %+v", detail)
	}
	var sent messageView
	r = e.Do("POST", path+"/messages", key, map[string]any{"text": "Сообщение от оператора", "operator_name": "Анна"})
	r.JSON(t, &sent)
	if r.Status != http.StatusOK || sent.Sender != "operator" || sent.Text != "Сообщение от оператора" || sent.OperatorName != "Анна" || sent.ID == 0 {
		t.Errorf("operator message: %d %s", r.Status, r.Body)
	}
	var msgs struct{ Messages []messageView }
	e.Do("GET", path+"/messages", key, nil).JSON(t, &msgs)
	var senders []string
	for _, m := range msgs.Messages {
		senders = append(senders, m.Sender+":"+m.Text)
	}
	want := []string{"assistant:Your name?", "user:John", "assistant:Hello, John!", "assistant:Anything else?", "operator:Сообщение от оператора"}
	if fmt.Sprint(senders) != fmt.Sprint(want) {
		t.Errorf("messages %v, want %v", senders, want)
	}
	e.Do("POST", path+"/handoff/release", key, nil).JSON(t, &detail)
	if detail.HandoffStatus != "released" || detail.IsTakenOver || detail.TakenOverBy != nil {
		t.Errorf("after release: %+v", detail)
	}
	wantError(t, e.Do("POST", path+"/handoff/release", key, nil), http.StatusConflict, "CONFLICT", "")

	t.Run("another project's dialog, and ids that name none", func(t *testing.T) {
		for _, p := range []string{path, path + "/messages", "/api/dialogs/abc", "/api/dialogs/999"} {
			wantError(t, e.Do("GET", p, e.B.Bearer(), nil), http.StatusNotFound, "NOT_FOUND", "")
		}
		wantError(t, e.Do("POST", path+"/handoff/take", e.B.Bearer(), map[string]any{"operator_name": "Eve"}), http.StatusNotFound, "NOT_FOUND", "")
		var theirs struct{ Total int }
		e.Do("GET", "/api/dialogs", e.B.Bearer(), nil).JSON(t, &theirs)
		if theirs.Total != 0 {
			t.Errorf("B lists %d dialogs", theirs.Total)
		}
	})
}
