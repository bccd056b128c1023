package engine_test

import (
	"cmp"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// soakBot counts the turns in a variable, so the count must survive every
// continue-as-new (a run takes 100 updates).
const soakBot = `bot: soak
variables:
  n: { type: integer, default: 0 }
nodes:
  ask:
    kind: question
    text: Say something
    next: count
  count:
    kind: set
    assign: { n: n + 1 }
    next: reply
  reply:
    kind: message
    text: "Turn {{ n }}"
    next: ask
`

// TestSoak drives one dialog through many turns, across continue-as-new:
// every turn is answered with its number (the state carried from run to
// run), and it reports the p50 of the first and last windows of turns and
// the process's heap and goroutines. make test runs 300 turns; make soak
// runs 5,000 (PARLEY_SOAK_TURNS) and holds the figures to the issue's
// bounds: the last window's p50 within 10% of the first's, memory flat.
func TestSoak(t *testing.T) {
	turns, strict := 300, false
	if v := os.Getenv("PARLEY_SOAK_TURNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			t.Fatalf("PARLEY_SOAK_TURNS=%q: want a number of turns, 100 or more", v)
		}
		turns, strict = n, true
	}
	window := min(500, turns/5)
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/soak/flow", e.A.Bearer(), soakBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/soak/dialogs", e.A.Bearer(), nil).JSON(t, &created)

	took := make([]time.Duration, 0, turns)
	var heapAfterFirst, goroutinesAfterFirst uint64
	for i := 1; i <= turns; i++ {
		start := time.Now()
		r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "hi"})
		took = append(took, time.Since(start))
		if want := fmt.Sprintf(`"text":"Turn %d"`, i); r.Status != 200 || !strings.Contains(string(r.Body), want) {
			t.Fatalf("turn %d: %d %s", i, r.Status, r.Body)
		}
		if i == window {
			heapAfterFirst, goroutinesAfterFirst = heapInUse(), uint64(runtime.NumGoroutine())
		}
	}
	heapAtEnd, goroutinesAtEnd := heapInUse(), uint64(runtime.NumGoroutine())
	runs := countRuns(t, e, created.ID)
	if runs < turns/100 {
		t.Errorf("%d workflow runs for %d turns: the dialog did not continue as new every 100 updates", runs, turns)
	}
	first, last := p50(took[:window]), p50(took[turns-window:])
	drift := float64(last-first) / float64(first)
	t.Logf("SOAK: %d turns, %d runs; p50 of the first %d %v, of the last %d %v (%+.0f%%); heap %d → %d MiB, goroutines %d → %d",
		turns, runs, window, first.Round(10*time.Microsecond), window, last.Round(10*time.Microsecond), drift*100,
		heapAfterFirst>>20, heapAtEnd>>20, goroutinesAfterFirst, goroutinesAtEnd)
	var windows []string
	for i := 0; i+window <= turns; i += window {
		windows = append(windows, p50(took[i:i+window]).Round(100*time.Microsecond).String())
	}
	t.Logf("SOAK: p50 of each %d turns: %s", window, strings.Join(windows, " "))
	if strict && drift > 0.10 {
		t.Errorf("the last turns' p50 is %+.0f%% of the first's; want within 10%%", drift*100)
	}
	if goroutinesAtEnd > goroutinesAfterFirst+50 {
		t.Errorf("goroutines grew from %d to %d", goroutinesAfterFirst, goroutinesAtEnd)
	}
}

func p50(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// countRuns counts the dialog's workflow runs (each continue-as-new starts
// one), as Temporal lists them.
func countRuns(t *testing.T, e *servertest.Env, dialog string) int {
	t.Helper()
	var d struct{ UUID string }
	e.Do("GET", "/v1/dialogs/"+dialog, e.A.Bearer(), nil).JSON(t, &d)
	query := fmt.Sprintf("WorkflowId = '%s'", engine.WorkflowID(cmp.Or(d.UUID, dialog)))
	runs := 0
	var token []byte
	for {
		resp, err := e.Temporal.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		runs += len(resp.Executions)
		if token = resp.NextPageToken; len(token) == 0 {
			return runs
		}
	}
}
