package native_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// handoffView is the contract's Handoff.
type handoffView struct {
	Status       string
	Queue        string
	Reason       string
	RequestedAt  string `json:"requested_at"`
	LastUserText string `json:"last_user_text"`
	Operator     *struct{ ID, Name string }
	TakenAt      string `json:"taken_at"`
	ReleasedAt   string `json:"released_at"`
}

type deskTurn struct {
	turn
	Handoff handoffView
}

// startDesk publishes the desk bot and starts a dialog of it.
func startDesk(t *testing.T, e *servertest.Env) string {
	t.Helper()
	if r := e.Do("PUT", "/v1/bots/desk/flow", e.A.Bearer(), servertest.DeskBot); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	var created deskTurn
	if r := e.Do("POST", "/v1/bots/desk/dialogs", e.A.Bearer(), map[string]any{}); r.Status != http.StatusCreated {
		t.Fatalf("creating: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &created)
	}
	if created.Handoff.Status != store.HandoffNone {
		t.Errorf("a new dialog's handoff = %+v, want none", created.Handoff)
	}
	return created.ID
}

// loggedTypes lists the types of a dialog's logged events, in order.
func loggedTypes(t *testing.T, e *servertest.Env, uuid string) []string {
	t.Helper()
	d, err := e.Store.Dialog(t.Context(), e.A.ID, uuid)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := e.Store.Events(t.Context(), e.A.ID, store.EventFilter{DialogID: d.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

func TestHandoffLifecycle(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	id := startDesk(t, e)
	path := "/v1/dialogs/" + id

	var tr deskTurn
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "A-17"}).JSON(t, &tr)
	h := tr.Handoff
	if h.Status != store.HandoffRequested || h.Queue != "billing" || h.Reason != "Refund for A-17" || h.LastUserText != "A-17" ||
		h.RequestedAt == "" || h.Operator != nil {
		t.Fatalf("after the handoff node: %+v", h)
	}

	// The user writes on: counted as pending for the operators.
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "hello?"}).JSON(t, &tr)

	// A signed-in operator takes it; another cannot take it from them.
	e.Do("POST", path+"/operator", e.A.Basic(), map[string]any{"action": "take", "operator": "Olga"}).JSON(t, &tr)
	if h := tr.Handoff; h.Status != store.HandoffActive || h.Operator == nil || h.Operator.Name != "Olga" || h.TakenAt == "" {
		t.Fatalf("after take: %+v", h)
	}
	olga := tr.Handoff.Operator.ID
	if r := e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "take", "operator": "Ivan"}); r.Status != http.StatusConflict {
		t.Errorf("a second operator's take = %d %s, want 409", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/operator", e.A.Basic(), map[string]any{"action": "take", "operator": "Olga"}); r.Status != http.StatusOK {
		t.Errorf("taking again = %d %s, want 200", r.Status, r.Body)
	}

	// Transferred to another queue it waits again; to an operator, they have it.
	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "transfer", "queue": "vip"}).JSON(t, &tr)
	if h := tr.Handoff; h.Status != store.HandoffRequested || h.Queue != "vip" || h.Reason != "Refund for A-17" {
		t.Errorf("after a transfer to a queue: %+v", h)
	}
	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "transfer", "to_operator": olga, "to_operator_name": "Olga"}).JSON(t, &tr)
	if h := tr.Handoff; h.Status != store.HandoffActive || h.Operator == nil || h.Operator.ID != olga {
		t.Errorf("after a transfer to an operator: %+v", h)
	}

	// A release checks the variables' declared types first.
	r := e.Do("POST", path+"/operator", e.A.Basic(), map[string]any{"action": "release", "variables": map[string]any{"refund": "lots"}})
	if r.Status != http.StatusBadRequest {
		t.Errorf("release with a string for an integer = %d %s, want 400", r.Status, r.Body)
	}
	e.Do("POST", path+"/operator", e.A.Basic(), map[string]any{"action": "release", "variables": map[string]any{"refund": 25}}).JSON(t, &tr)
	if tr.said() != "Refunded 25 for A-17." || tr.Status != store.StatusCompleted || tr.Handoff.Status != store.HandoffReleased || tr.Handoff.ReleasedAt == "" {
		t.Errorf("after release: %s %+v", tr.said(), tr)
	}

	var view struct {
		Handoff handoffView
	}
	e.Do("GET", path, e.A.Bearer(), nil).JSON(t, &view)
	if view.Handoff.Status != store.HandoffReleased || view.Handoff.Operator == nil || view.Handoff.Operator.Name != "Olga" {
		t.Errorf("the stored dialog's handoff = %+v", view.Handoff)
	}

	got := loggedTypes(t, e, id)
	want := []string{
		store.EventDialogCreated, store.EventMessageCreated, // created, the bot asks
		store.EventDialogUpdated,                                                       // started
		store.EventMessageCreated, store.EventMessageCreated, store.EventDialogUpdated, // answer, handoff text, operator mode
		store.EventHandoffRequested,
		store.EventMessageCreated, store.EventDialogPending, // the user writes on
		store.EventHandoffStarted,                                                     // taken: the user's message still waits for an answer
		store.EventHandoffRequested,                                                   // to vip
		store.EventHandoffStarted,                                                     // to Olga
		store.EventMessageCreated, store.EventDialogUpdated, store.EventDialogPending, // released: the bot answers
		store.EventHandoffReleased, store.EventDialogCompleted,
	}
	if !slices.Equal(got, want) {
		t.Errorf("logged events:\n got %v\nwant %v", got, want)
	}
}

func TestHandoffFromTheAPI(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	id := startDesk(t, e)
	path := "/v1/dialogs/" + id

	var tr deskTurn
	e.Do("POST", path+"/handoff", e.A.Bearer(), map[string]any{"reason": "VIP customer"}).JSON(t, &tr)
	if h := tr.Handoff; h.Status != store.HandoffRequested || h.Queue != store.DefaultQueue || h.Reason != "VIP customer" || tr.Mode != store.ModeOperator {
		t.Fatalf("after POST handoff: %+v", tr)
	}
	if r := e.Do("POST", path+"/handoff", e.A.Bearer(), nil); r.Status != http.StatusConflict {
		t.Errorf("a second handoff = %d %s, want 409", r.Status, r.Body)
	}
	// Released, the bot goes on where it was: the question still waits.
	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "release", "operator": "Kate"}).JSON(t, &tr)
	if tr.Handoff.Status != store.HandoffReleased || tr.Mode != store.ModeAuto || tr.Waiting == nil || tr.Waiting.Node != "ask" {
		t.Errorf("after release: %+v", tr)
	}
	if r := e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "release", "operator": "Kate"}); r.Status != http.StatusConflict {
		t.Errorf("releasing a released dialog = %d %s, want 409", r.Status, r.Body)
	}

	// An operator who writes into a dialog the bot runs takes it at once.
	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "message", "operator": "Kate", "text": "Hi, I am Kate."}).JSON(t, &tr)
	if h := tr.Handoff; h.Status != store.HandoffActive || h.Operator == nil || h.Operator.Name != "Kate" || tr.Mode != store.ModeOperator {
		t.Errorf("after an operator's message: %+v", tr)
	}

	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "close", "operator": "Kate"}).JSON(t, &tr)
	if tr.Status != store.StatusCompleted || tr.Handoff.Status != store.HandoffReleased {
		t.Errorf("after close: %+v", tr)
	}
	if r := e.Do("POST", path+"/handoff", e.A.Bearer(), nil); r.Status != http.StatusConflict {
		t.Errorf("handing off a closed dialog = %d %s, want 409", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/dialogs/"+id+"/handoff", e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's handoff = %d %s, want 404", r.Status, r.Body)
	}
}

func TestNotesAndScheduledMessages(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	id := startDesk(t, e)
	path := "/v1/dialogs/" + id
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "A-17"})

	var note struct {
		ID       int64
		Text     string
		Operator struct{ ID, Name string }
	}
	r := e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "note", "operator": "Olga", "text": "Refund approved by finance"})
	r.JSON(t, &note)
	if r.Status != http.StatusCreated || note.ID == 0 || note.Operator.Name != "Olga" {
		t.Fatalf("note = %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "note", "text": " "}); r.Status != http.StatusBadRequest {
		t.Errorf("an empty note = %d, want 400", r.Status)
	}

	soon := time.Now().Add(2 * time.Second).UTC()
	later := time.Now().Add(time.Hour).UTC()
	for _, at := range []time.Time{soon, later} {
		var tr deskTurn
		e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "message", "operator": "Olga", "text": "At " + at.Format(time.RFC3339Nano), "scheduled_at": at}).JSON(t, &tr)
		if len(tr.Messages) != 0 {
			t.Errorf("scheduling sent %s now", tr.said())
		}
	}
	if r := e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "message", "text": "Too late", "scheduled_at": time.Now().Add(-time.Minute)}); r.Status != http.StatusBadRequest {
		t.Errorf("scheduling in the past = %d %s, want 400", r.Status, r.Body)
	}

	type view struct {
		Messages  []message
		Notes     []struct{ Text string }
		Scheduled []struct {
			ID          string
			Text        string
			ScheduledAt time.Time `json:"scheduled_at"`
		}
	}
	var v view
	e.Do("GET", path, e.A.Bearer(), nil).JSON(t, &v)
	if len(v.Notes) != 1 || v.Notes[0].Text != "Refund approved by finance" {
		t.Errorf("notes = %+v", v.Notes)
	}
	if len(v.Scheduled) != 2 || !v.Scheduled[0].ScheduledAt.Equal(soon.Truncate(time.Microsecond)) || !v.Scheduled[1].ScheduledAt.Equal(later.Truncate(time.Microsecond)) {
		t.Fatalf("scheduled = %+v, want the two in order", v.Scheduled)
	}
	for _, m := range v.Messages {
		if m.Text == "Refund approved by finance" {
			t.Errorf("the note is in the transcript: %+v", m)
		}
	}

	// The later one is cancelled; cancelling it again is 404.
	cancel := map[string]any{"action": "cancel_scheduled", "scheduled_id": v.Scheduled[1].ID}
	if r := e.Do("POST", path+"/operator", e.A.Bearer(), cancel); r.Status != http.StatusOK {
		t.Errorf("cancel = %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/operator", e.A.Bearer(), cancel); r.Status != http.StatusNotFound {
		t.Errorf("cancelling again = %d %s, want 404", r.Status, r.Body)
	}

	// The soon one is sent by its timer.
	want := "At " + soon.Format(time.RFC3339Nano)
	deadline := time.Now().Add(20 * time.Second)
	for {
		e.Do("GET", path, e.A.Bearer(), nil).JSON(t, &v)
		if len(v.Messages) > 0 && v.Messages[len(v.Messages)-1].Text == want && len(v.Scheduled) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scheduled message was not sent: messages %v, scheduled %+v", texts(v.Messages), v.Scheduled)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if last := v.Messages[len(v.Messages)-1]; last.Role != "operator" {
		t.Errorf("the scheduled message = %+v, want an operator's", last)
	}
}

// TestHandoffTimeout: nobody takes the dialog in time, so the bot goes on
// at on_timeout and the handoff is released; releasing the live dialog
// then is 409.
func TestHandoffTimeout(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	flow := strings.Replace(servertest.DeskBot, "    queue: billing\n", "    queue: billing\n    timeout: 1s\n    on_timeout: sorry\n", 1) +
		"  sorry:\n    kind: question\n    text: Nobody is free, sorry. Your email?\n    save: order\n    next: done\n"
	if r := e.Do("PUT", "/v1/bots/desk/flow", e.A.Bearer(), flow); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	var created deskTurn
	e.Do("POST", "/v1/bots/desk/dialogs", e.A.Bearer(), map[string]any{}).JSON(t, &created)
	path := "/v1/dialogs/" + created.ID
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "A-17"})
	var v struct {
		Status   string
		Handoff  handoffView
		Messages []message
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		e.Do("GET", path, e.A.Bearer(), nil).JSON(t, &v)
		if v.Handoff.Status == store.HandoffReleased {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the handoff did not time out: %+v", v)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if v.Status != store.StatusInProcess || v.Handoff.ReleasedAt == "" || v.Handoff.Operator != nil ||
		v.Messages[len(v.Messages)-1].Text != "Nobody is free, sorry. Your email?" {
		t.Errorf("after the timeout: %+v", v)
	}
	r := e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "release", "operator": "Kate"})
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "not handed off (released)") {
		t.Errorf("releasing a timed-out handoff = %d %s, want 409 saying it is not handed off", r.Status, r.Body)
	}
}
