package native_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/internal/npmtest"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// TestEventSourceResumes: a client of the eventsource npm package whose
// connection drops reconnects with Last-Event-ID and gets exactly the
// events it missed, then the rest, each once
// (testdata/eventsource/resume.mjs).
func TestEventSourceResumes(t *testing.T) {
	dir, node := npmtest.Project(t, "testdata/eventsource", "the eventsource resume test")
	e := servertest.New(t, native.Dialect)
	id := startDesk(t, e)
	script := exec.CommandContext(t.Context(), node, "resume.mjs")
	script.Dir = dir
	script.Env = append(os.Environ(), "PARLEY_URL="+e.URL, "PARLEY_AUTH="+e.A.Bearer(), "DIALOG="+id)
	out, err := script.Output()
	if err != nil {
		t.Fatalf("resume.mjs: %v\n%s", err, out)
	}
	var got struct {
		Received     []struct{ ID, Type string }
		LastEventIDs []string `json:"lastEventIds"`
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got.Received) < 3 || len(got.LastEventIDs) < 2 {
		t.Fatalf("resume.mjs printed %s (%v)", out, err)
	}
	first, err := strconv.ParseInt(got.Received[0].ID, 10, 64)
	if err != nil {
		t.Fatalf("the first event has id %q", got.Received[0].ID)
	}
	want := loggedAfter(t, e, first-1, store.EventFilter{})
	var have []string
	for _, ev := range got.Received {
		have = append(have, ev.ID+" "+ev.Type)
	}
	if !slices.Equal(have, want) {
		t.Errorf("the client got\n %v\nwant every logged event once, in order:\n %v", have, want)
	}
	t.Logf("got %v; Last-Event-ID per connect %q", have, got.LastEventIDs)
	if got.LastEventIDs[0] != "" || got.LastEventIDs[1] == "" || !slices.ContainsFunc(got.Received, func(ev struct{ ID, Type string }) bool { return ev.ID == got.LastEventIDs[1] }) {
		t.Errorf("Last-Event-ID sent on each connect: %q, want none, then the last id the first connection got", got.LastEventIDs)
	}
}
