package native_test

import (
	"encoding/base64"
	"net/http"
	"sync"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// member adds a user with role to project A and returns their Basic header.
func member(t *testing.T, e *servertest.Env, email string, role store.Role) string {
	t.Helper()
	u, err := e.Store.CreateUser(t.Context(), email, email, "pw-"+email)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SetMembership(t.Context(), e.A.ID, u.ID, role); err != nil {
		t.Fatal(err)
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":pw-"+email))
}

// waitingIn starts n desk dialogs and hands each off into queue, in order.
func waitingIn(t *testing.T, e *servertest.Env, queue string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := startDesk(t, e)
		if r := e.Do("POST", "/v1/dialogs/"+id+"/handoff", e.A.Bearer(), map[string]any{"queue": queue, "reason": string(rune('a' + i))}); r.Status != http.StatusOK {
			t.Fatalf("handoff: %d %s", r.Status, r.Body)
		}
		ids = append(ids, id)
	}
	return ids
}

type queueList struct {
	Queues []struct {
		Name              string
		Waiting, Taken    int
		OldestWaitSeconds float64 `json:"oldest_wait_seconds"`
	}
}

type waitingList struct {
	Name    string
	Dialogs []struct {
		ID          string
		Position    int
		Reason      string
		WaitSeconds float64 `json:"wait_seconds"`
	}
}

func TestQueuesInOrder(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	ids := waitingIn(t, e, "billing", 3)
	waitingIn(t, e, "", 1)

	var ql queueList
	e.Do("GET", "/v1/queues", e.A.Bearer(), nil).JSON(t, &ql)
	if len(ql.Queues) != 2 || ql.Queues[0].Name != "billing" || ql.Queues[0].Waiting != 3 || ql.Queues[0].Taken != 0 ||
		ql.Queues[0].OldestWaitSeconds <= 0 || ql.Queues[1].Name != store.DefaultQueue || ql.Queues[1].Waiting != 1 {
		t.Fatalf("queues = %+v", ql)
	}

	var wl waitingList
	e.Do("GET", "/v1/queues/billing", e.A.Bearer(), nil).JSON(t, &wl)
	if len(wl.Dialogs) != 3 {
		t.Fatalf("billing = %+v", wl)
	}
	for i, d := range wl.Dialogs {
		if d.ID != ids[i] || d.Position != i+1 || d.Reason != string(rune('a'+i)) {
			t.Errorf("position %d = %+v, want dialog %s with reason %c", i+1, d, ids[i], 'a'+i)
		}
	}
	if r := e.Do("GET", "/v1/queues/billing?limit=0", e.A.Bearer(), nil); r.Status != http.StatusBadRequest {
		t.Errorf("limit=0 = %d, want 400", r.Status)
	}

	var taken struct {
		ID      string
		Handoff handoffView
	}
	e.Do("POST", "/v1/queues/billing/take", e.A.Bearer(), map[string]any{"operator": "Kate"}).JSON(t, &taken)
	if taken.ID != ids[0] || taken.Handoff.Status != store.HandoffActive || taken.Handoff.Operator == nil || taken.Handoff.Operator.Name != "Kate" {
		t.Errorf("take-next = %+v, want the first dialog, taken by Kate", taken)
	}
	e.Do("GET", "/v1/queues", e.A.Bearer(), nil).JSON(t, &ql)
	if ql.Queues[0].Waiting != 2 || ql.Queues[0].Taken != 1 {
		t.Errorf("billing after a take = %+v", ql.Queues[0])
	}
	// The dialog released goes back to the bot, out of the queue.
	e.Do("POST", "/v1/dialogs/"+ids[1]+"/operator", e.A.Bearer(), map[string]any{"action": "release", "operator": "Kate"})
	e.Do("GET", "/v1/queues/billing", e.A.Bearer(), nil).JSON(t, &wl)
	if len(wl.Dialogs) != 1 || wl.Dialogs[0].ID != ids[2] || wl.Dialogs[0].Position != 1 {
		t.Errorf("billing after a release = %+v", wl)
	}
	if r := e.Do("GET", "/v1/queues", e.B.Bearer(), nil); r.Status != http.StatusOK || string(r.Body) != `{"queues":[]}` {
		t.Errorf("another project's queues = %d %s", r.Status, r.Body)
	}
}

func TestTakeNextConcurrently(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	ids := waitingIn(t, e, "billing", 2)
	got := make([]string, 3)
	status := make([]int, 3)
	var wg sync.WaitGroup
	for i, op := range []string{"Kate", "Ivan", "Olga"} {
		wg.Go(func() {
			r := e.Do("POST", "/v1/queues/billing/take", e.A.Bearer(), map[string]any{"operator": op})
			status[i] = r.Status
			var taken struct{ ID string }
			if r.Status == http.StatusOK {
				r.JSON(t, &taken)
			}
			got[i] = taken.ID
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	notFound := 0
	for i := range got {
		switch status[i] {
		case http.StatusOK:
			if seen[got[i]] {
				t.Errorf("dialog %s was given to two operators", got[i])
			}
			seen[got[i]] = true
		case http.StatusNotFound:
			notFound++
		default:
			t.Errorf("take %d = %d", i, status[i])
		}
	}
	if len(seen) != 2 || !seen[ids[0]] || !seen[ids[1]] || notFound != 1 {
		t.Errorf("three operators taking two dialogs got %v (statuses %v), want each dialog once and one 404", got, status)
	}
}

func TestDeskRoles(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	ids := waitingIn(t, e, "billing", 2)
	viewer := member(t, e, "viewer@example.com", store.RoleViewer)
	operator := member(t, e, "operator@example.com", store.RoleOperator)
	dialog := "/v1/dialogs/" + ids[0]
	for _, c := range []struct {
		who, auth, method, path string
		body                    any
		want                    int
	}{
		{"viewer", viewer, "GET", "/v1/queues", nil, 200},
		{"viewer", viewer, "GET", "/v1/queues/billing", nil, 200},
		{"viewer", viewer, "GET", dialog, nil, 200},
		{"viewer", viewer, "POST", "/v1/queues/billing/take", nil, 403},
		{"viewer", viewer, "POST", dialog + "/operator", map[string]any{"action": "take"}, 403},
		{"viewer", viewer, "POST", dialog + "/handoff", nil, 403},
		{"viewer", viewer, "POST", dialog + "/messages", map[string]any{"text": "hi"}, 403},
		{"viewer", viewer, "PUT", "/v1/bots/desk/flow", servertest.DeskBot, 403},
		{"operator", operator, "POST", "/v1/queues/billing/take", nil, 200},
		{"operator", operator, "POST", dialog + "/operator", map[string]any{"action": "message", "text": "Hello"}, 200},
		{"operator", operator, "PUT", "/v1/bots/desk/flow", servertest.DeskBot, 403},
		{"owner", e.A.Basic(), "PUT", "/v1/bots/desk/flow", servertest.DeskBot, 200},
		{"owner", e.A.Basic(), "POST", "/v1/dialogs/" + ids[1] + "/operator", map[string]any{"action": "take"}, 200},
		{"another project", e.B.Bearer(), "POST", dialog + "/operator", map[string]any{"action": "take"}, 404},
		{"another project", e.B.Bearer(), "GET", "/v1/queues/billing", nil, 200},
	} {
		r := e.Do(c.method, c.path, c.auth, c.body)
		if r.Status != c.want {
			t.Errorf("%s: %s %s = %d %s, want %d", c.who, c.method, c.path, r.Status, r.Body, c.want)
		}
	}
	var view struct{ Handoff handoffView }
	e.Do("GET", dialog, e.A.Bearer(), nil).JSON(t, &view)
	if op := view.Handoff.Operator; op == nil || op.Name != "operator@example.com" || op.ID == "" {
		t.Errorf("the operator's dialog = %+v, want it taken by operator@example.com", view.Handoff)
	}
	var other waitingList
	e.Do("GET", "/v1/queues/billing", e.B.Bearer(), nil).JSON(t, &other)
	if len(other.Dialogs) != 0 {
		t.Errorf("another project sees %d of A's waiting dialogs", len(other.Dialogs))
	}
}
