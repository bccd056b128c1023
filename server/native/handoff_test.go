package native_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

const deskFlow = `bot: desk
variables:
  order: { type: string }
  refund: { type: integer, default: 0 }
nodes:
  ask:
    kind: question
    text: Your order number?
    save: order
    next: human
  human:
    kind: handoff
    text: A person will look at order {{ order }}.
    reason: "Refund for {{ order }}"
    queue: billing
    next: done
  done:
    kind: end
    text: "Refunded {{ refund }} for {{ order }}."
`

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
	if r := e.Do("PUT", "/v1/bots/desk/flow", e.A.Bearer(), deskFlow); r.Status != http.StatusOK {
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
