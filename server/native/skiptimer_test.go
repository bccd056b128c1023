package native_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// patientBot asks once, reminds after 15 minutes, gives up after an hour.
const patientBot = `bot: patient
variables:
  email: { type: string }
nodes:
  ask:
    kind: question
    text: Your email?
    save: email
    timeout: 1h
    remind:
      - after: 15m
        text: Still there?
    on_timeout: bye
    next: thanks
  thanks:
    kind: message
    text: Thanks!
  bye:
    kind: message
    text: We'll write later.
`

type timedTurn struct {
	ID       string
	Status   string
	Messages []message
	Waiting  *struct {
		Node  string
		Timer *struct {
			At   time.Time
			What string
		}
	}
}

// TestSkipTimer: a test dialog tells its next timer and fires it on
// request, running what the timer would (the reminder, then the
// timeout's path); a real dialog's time is never skipped.
func TestSkipTimer(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/patient/flow", e.A.Bearer(), patientBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("PUT", "/v1/bots/patient/draft", http.Header{"Authorization": {e.A.Bearer()}}, patientBot); r.Status != http.StatusOK {
		t.Fatalf("draft: %d %s", r.Status, r.Body)
	}
	var test timedTurn
	e.Do("POST", "/v1/bots/patient/draft/dialogs", e.A.Bearer(), nil).JSON(t, &test)
	next := func(tt timedTurn) string {
		if tt.Waiting == nil || tt.Waiting.Timer == nil {
			return ""
		}
		return tt.Waiting.Timer.What
	}
	if next(test) != "reminder" || time.Until(test.Waiting.Timer.At) < 14*time.Minute {
		t.Fatalf("a new test dialog's timer: %+v", test.Waiting)
	}

	skip := func(id string) (timedTurn, *servertest.Response) {
		var tt timedTurn
		r := e.Do("POST", "/v1/dialogs/"+id+"/skip-timer", e.A.Bearer(), nil)
		if r.Status == http.StatusOK {
			r.JSON(t, &tt)
		}
		return tt, r
	}
	reminded, r := skip(test.ID)
	if r.Status != http.StatusOK || len(reminded.Messages) != 1 || reminded.Messages[0].Text != "Still there?" || next(reminded) != "question timeout" {
		t.Fatalf("the first skip: %d %s", r.Status, r.Body)
	}
	timedOut, r := skip(test.ID)
	if r.Status != http.StatusOK || len(timedOut.Messages) != 1 || timedOut.Messages[0].Text != "We'll write later." || timedOut.Status != "completed" {
		t.Fatalf("the second skip: %d %s", r.Status, r.Body)
	}
	if _, r := skip(test.ID); r.Status != http.StatusConflict {
		t.Errorf("skipping in an ended dialog: %d %s", r.Status, r.Body)
	}

	var real timedTurn
	e.Do("POST", "/v1/bots/patient/dialogs", e.A.Bearer(), nil).JSON(t, &real)
	if next(real) != "reminder" {
		t.Errorf("a real dialog's timer: %+v", real.Waiting)
	}
	if _, r := skip(real.ID); r.Status != http.StatusConflict {
		t.Errorf("skipping a real dialog's time: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/dialogs/"+real.ID+"/skip-timer", e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project skipping: %d %s", r.Status, r.Body)
	}
}

// TestReleaseTestDialog: an operator takes a test dialog of a draft
// (version 0, a flow no version holds) and releases it with variables,
// checked against the draft's declarations like any dialog's.
func TestReleaseTestDialog(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/desk/flow", e.A.Bearer(), servertest.DeskBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	draft := strings.Replace(servertest.DeskBot, `"Refunded {{ refund }} for {{ order }}."`, `"Draft: refunded {{ refund }}."`, 1)
	if r := e.DoWith("PUT", "/v1/bots/desk/draft", http.Header{"Authorization": {e.A.Bearer()}}, draft); r.Status != http.StatusOK {
		t.Fatalf("draft: %d %s", r.Status, r.Body)
	}
	var test timedTurn
	e.Do("POST", "/v1/bots/desk/draft/dialogs", e.A.Bearer(), nil).JSON(t, &test)
	path := "/v1/dialogs/" + test.ID
	if r := e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "A-1"}); r.Status != http.StatusOK {
		t.Fatalf("handing off: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/operator", e.A.Basic(), map[string]any{"action": "take"}); r.Status != http.StatusOK {
		t.Fatalf("taking: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/operator", e.A.Basic(), map[string]any{"action": "release", "variables": map[string]any{"refund": "lots"}}); r.Status != http.StatusBadRequest {
		t.Errorf("a release with a mistyped variable: %d %s", r.Status, r.Body)
	}
	var released timedTurn
	r := e.Do("POST", path+"/operator", e.A.Basic(), map[string]any{"action": "release", "variables": map[string]any{"refund": 25}})
	r.JSON(t, &released)
	if r.Status != http.StatusOK || len(released.Messages) == 0 || released.Messages[len(released.Messages)-1].Text != "Draft: refunded 25." {
		t.Errorf("releasing the test dialog: %d %s", r.Status, r.Body)
	}
}
