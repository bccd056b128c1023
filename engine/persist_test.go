package engine_test

import (
	"fmt"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// TestCallersStoreTurnsSoTheWorkflowDoesNot checks the write path of a
// lively dialog: the HTTP layer stores every turn and acknowledges it with
// the next message, so the workflow runs no persist activity while the
// user keeps talking, and stores the last turn itself once PersistDelay
// has passed without an acknowledgement.
func TestCallersStoreTurnsSoTheWorkflowDoesNot(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	e.Dialogs.Settings = engine.Settings{PersistDelay: 3 * time.Second}
	if r := e.Do("PUT", "/v1/bots/counter/flow", e.A.Bearer(), counterBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/counter/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	for i := range 5 {
		if r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": fmt.Sprint(i)}); r.Status != 200 {
			t.Fatalf("message %d: %d %s", i, r.Status, r.Body)
		}
	}
	id := engine.WorkflowID(created.ID)
	if n := persistActivities(t, e, id); n != 0 {
		t.Errorf("the workflow stored turns %d times while the user was talking, want 0", n)
	}
	deadline := time.Now().Add(20 * time.Second)
	for persistActivities(t, e, id) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if n := persistActivities(t, e, id); n != 1 {
		t.Errorf("after PersistDelay the workflow stored %d times, want 1", n)
	}
}

func persistActivities(t *testing.T, e *servertest.Env, workflowID string) int {
	t.Helper()
	n := 0
	iter := e.Temporal.GetWorkflowHistory(t.Context(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.ActivityType.GetName() == engine.ActivityPersist {
			n++
		}
	}
	return n
}
