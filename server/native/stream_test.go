package native_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// logIDs reads n events of a project stream and returns "id type" of each.
func logIDs(t *testing.T, ch <-chan servertest.SSE, n int) []string {
	t.Helper()
	var out []string
	for range n {
		ev := servertest.NextEvent(t, ch)
		out = append(out, ev.ID+" "+ev.Event)
	}
	return out
}

// logged lists the project's logged events after seq as "id type".
func loggedAfter(t *testing.T, e *servertest.Env, after int64, f store.EventFilter) []string {
	t.Helper()
	f.After, f.Limit = after, 1000
	evs, err := e.Store.Events(t.Context(), e.A.ID, f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, strconv.FormatInt(ev.Seq, 10)+" "+ev.Type)
	}
	return out
}

func TestProjectEventsResume(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	ch, stop := e.Stream("/v1/events", e.A.Bearer(), "")
	id := startDesk(t, e) // dialog.created, message.created, dialog.updated
	got := logIDs(t, ch, 3)
	if want := loggedAfter(t, e, 0, store.EventFilter{}); !slices.Equal(got, want) {
		t.Fatalf("live events = %v, want the log's %v", got, want)
	}
	stop()

	// Missed while away: the answer, the handoff.
	last := seqOf(t, got[len(got)-1])
	e.Do("POST", "/v1/dialogs/"+id+"/messages", e.A.Bearer(), map[string]any{"text": "A-17"})
	missed := loggedAfter(t, e, last, store.EventFilter{})
	if len(missed) < 4 {
		t.Fatalf("the answer logged %v", missed)
	}
	ch, _ = e.Stream("/v1/events", e.A.Bearer(), strconv.FormatInt(last, 10))
	if got := logIDs(t, ch, len(missed)); !slices.Equal(got, missed) {
		t.Errorf("resumed = %v, want exactly the missed %v", got, missed)
	}
	// Then live, and typing without an id.
	e.Do("POST", "/v1/dialogs/"+id+"/typing", e.A.Bearer(), map[string]any{"operator": "Kate"})
	if ev := servertest.NextEvent(t, ch); ev.Event != "typing" || ev.ID != "" || dialogOf(t, ev) != id {
		t.Errorf("typing = %+v", ev)
	}
	e.Do("POST", "/v1/dialogs/"+id+"/operator", e.A.Bearer(), map[string]any{"action": "take", "operator": "Kate"})
	if ev := servertest.NextEvent(t, ch); ev.Event != store.EventHandoffStarted || ev.ID == "" {
		t.Errorf("after take = %+v", ev)
	}
}

// seqOf is the seq of a "seq type" line.
func seqOf(t *testing.T, line string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.Fields(line)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestProjectEventsFilters(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	waitingIn(t, e, "billing", 1)
	waitingIn(t, e, "vip", 1)
	ch, _ := e.Stream("/v1/events?types=handoff.requested&queue=vip", e.A.Bearer(), "0")
	want := loggedAfter(t, e, 0, store.EventFilter{Types: []string{store.EventHandoffRequested}, Queue: "vip"})
	if len(want) != 1 {
		t.Fatalf("logged %v", want)
	}
	if got := logIDs(t, ch, 1); !slices.Equal(got, want) {
		t.Errorf("filtered = %v, want %v", got, want)
	}
	// Live: another vip handoff arrives, billing ones do not.
	waitingIn(t, e, "billing", 1)
	ids := waitingIn(t, e, "vip", 1)
	ev := servertest.NextEvent(t, ch)
	if ev.Event != store.EventHandoffRequested || dialogOf(t, ev) != ids[0] {
		t.Errorf("live filtered = %+v, want vip's handoff.requested of %s", ev, ids[0])
	}

	for _, c := range []struct{ query string }{{"bot=nobody"}, {"dialog=00000000-0000-0000-0000-000000000000"}} {
		if r := e.Do("GET", "/v1/events?"+c.query, e.A.Bearer(), nil); r.Status != http.StatusNotFound {
			t.Errorf("%s = %d %s, want 404", c.query, r.Status, r.Body)
		}
	}
	h := http.Header{"Authorization": {e.A.Bearer()}, "Last-Event-ID": {"x"}}
	if r := e.DoWith("GET", "/v1/events", h, nil); r.Status != http.StatusBadRequest {
		t.Errorf("a bad Last-Event-ID = %d, want 400", r.Status)
	}
}

func TestProjectEventsTrimmed(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	startDesk(t, e)
	if _, err := e.Store.TrimEvents(t.Context(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	id := startDesk(t, e)
	ch, _ := e.Stream("/v1/events", e.A.Bearer(), "1")
	ev := servertest.NextEvent(t, ch)
	first := seqOf(t, loggedAfter(t, e, 0, store.EventFilter{})[0])
	var trimmed struct {
		FirstSeq int64 `json:"first_seq"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &trimmed); err != nil || ev.Event != native.TypeLogTrimmed || ev.ID != "" || trimmed.FirstSeq != first {
		t.Errorf("resuming from a trimmed part = %+v, want log.trimmed with first_seq %d", ev, first)
	}
	if ev := servertest.NextEvent(t, ch); ev.Event != store.EventDialogCreated || dialogOf(t, ev) != id {
		t.Errorf("then %+v, want the kept dialog.created of %s", ev, id)
	}
}

// dialogOf is the dialog_id of an event's data.
func dialogOf(t *testing.T, ev servertest.SSE) string {
	t.Helper()
	var d struct {
		Dialog string `json:"dialog_id"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &d); err != nil {
		t.Fatalf("event %s: data %q is not JSON: %v", ev.Event, ev.Data, err)
	}
	return d.Dialog
}
