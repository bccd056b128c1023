package botone_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// blockService is an external custom-block service on loopback: it
// remembers every call and answers with the scripted statuses.
type blockService struct {
	*httptest.Server
	calls    chan map[string]any
	headers  chan http.Header
	statuses []int
	n        atomic.Int32
	answer   string
}

func newBlockService(t *testing.T, answer string, statuses ...int) *blockService {
	s := &blockService{calls: make(chan map[string]any, 10), headers: make(chan http.Header, 10), statuses: statuses, answer: answer}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		s.calls <- body
		s.headers <- r.Header
		i := int(s.n.Add(1)) - 1
		status := http.StatusAccepted
		if len(s.statuses) > 0 {
			status = s.statuses[min(i, len(s.statuses)-1)]
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, s.answer)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *blockService) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case body := <-s.calls:
		return body
	case <-time.After(20 * time.Second):
		t.Fatal("the block service was never called")
		return nil
	}
}

const ordersBot = `bot: orders
variables:
  order: { type: string }
  shipment: { type: object }
nodes:
  ask:
    kind: question
    text: Order?
    save: order
    next: track
  track:
    kind: block
    url: %s/track
    payload: { order: "{{ order }}", fixed: 42 }
    headers: { X-Key: "secret-{{ order }}" }
    save: shipment
    wait: %t
    timeout: 10m
    on_error: failed
    next: done
  done:
    kind: end
    text: "Shipment {{ shipment.status }}."
  failed:
    kind: end
    text: The order service failed.
`

type dialogView struct {
	Status   string
	Messages []struct{ Role, Text string }
	Data     []struct{ Question, Type, Answer, Variable string }
}

func (v dialogView) transcript() string {
	var lines []string
	for _, m := range v.Messages {
		lines = append(lines, m.Role+":"+m.Text)
	}
	return strings.Join(lines, " | ")
}

// startOrder publishes the orders bot for url and answers its question.
func startOrder(t *testing.T, e *servertest.Env, url string, wait bool) string {
	t.Helper()
	if r := e.Do("PUT", "/v1/bots/orders/flow", e.A.Bearer(), fmt.Sprintf(ordersBot, url, wait)); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/orders/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "A-7"})
	return created.ID
}

func TestBlockServiceSendsMessagesAndCompletes(t *testing.T) {
	e := servertest.New(t, native.Dialect, botone.Dialect)
	svc := newBlockService(t, `{"accepted": true}`)
	id := startOrder(t, e, svc.URL, true)

	body := svc.next(t)
	header := <-svc.headers
	token, _ := body["token"].(string)
	dialog, _ := body["dialog"].(map[string]any)
	if len(token) < 40 || dialog["id"] != id || dialog["bot"] != "orders" || dialog["number"] != float64(1) ||
		body["node"] != "track" || body["order"] != "A-7" || body["fixed"] != float64(42) || header.Get("X-Key") != "secret-A-7" {
		t.Fatalf("the service got %v with headers %v", body, header)
	}
	if vars, _ := body["variables"].(map[string]any); vars["order"] != "A-7" {
		t.Errorf("variables sent: %v", body["variables"])
	}
	if data, _ := body["data"].([]any); len(data) != 1 {
		t.Errorf("collected data sent: %v", body["data"])
	}

	for _, text := range []string{"Looking it up...", "Almost there."} {
		var sent struct {
			MessageID int64 `json:"message_id"`
			CreatedAt int64 `json:"created_at"`
		}
		r := e.Do("POST", "/api/vertex/v1/dialog/send_message", "", map[string]any{"token": token, "text": text, "typing": true})
		r.JSON(t, &sent)
		if r.Status != 200 || sent.MessageID == 0 || time.Since(time.Unix(sent.CreatedAt, 0)) > time.Minute {
			t.Fatalf("send_message: %d %s", r.Status, r.Body)
		}
	}
	if r := e.Do("POST", "/api/vertex/v1/complete", "", map[string]any{"token": token, "data": map[string]any{"status": "shipped"}}); r.Status != http.StatusNoContent {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	var view dialogView
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
	want := "assistant:Order? | user:A-7 | assistant:Looking it up... | assistant:Almost there. | assistant:Shipment shipped."
	if view.Status != "completed" || view.transcript() != want {
		t.Errorf("dialog: %s %s", view.Status, view.transcript())
	}
	if last := view.Data[len(view.Data)-1]; last.Type != "block" || last.Question != "track" || last.Answer != `{"status":"shipped"}` || last.Variable != "shipment" {
		t.Errorf("block data: %+v", view.Data)
	}

	refused := []struct {
		name, path string
		body       map[string]any
		status     int
	}{
		{"second complete", "/api/vertex/v1/complete", map[string]any{"token": token, "data": nil}, 403},
		{"message after complete", "/api/vertex/v1/send_message", map[string]any{"token": token, "text": "late"}, 403},
		{"unknown token", "/api/vertex/v1/complete", map[string]any{"token": "nope", "data": nil}, 403},
		{"missing text", "/api/vertex/v1/dialog/send_message", map[string]any{"token": token}, 400},
		{"missing token", "/api/vertex/v1/complete", map[string]any{"data": 1}, 400},
	}
	for _, tt := range refused {
		if r := e.Do("POST", tt.path, "", tt.body); r.Status != tt.status || !strings.Contains(string(r.Body), `"message"`) {
			t.Errorf("%s: %d %s, want %d", tt.name, r.Status, r.Body, tt.status)
		}
	}
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
	if strings.Contains(view.transcript(), "late") {
		t.Errorf("a refused call changed the dialog: %s", view.transcript())
	}
}

func TestSynchronousBlockRetries5xx(t *testing.T) {
	e := servertest.New(t, native.Dialect, botone.Dialect)
	svc := newBlockService(t, `{"status": "packed"}`, 500, 500, 200)
	id := startOrder(t, e, svc.URL, false)
	var view dialogView
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
	if got := svc.n.Load(); got != 3 || view.Status != "completed" || !strings.HasSuffix(view.transcript(), "assistant:Shipment packed.") {
		t.Errorf("after %d calls: %s %s", got, view.Status, view.transcript())
	}
}

func TestBlockServiceErrorsFollowOnError(t *testing.T) {
	e := servertest.New(t, native.Dialect, botone.Dialect)
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"4xx is final", func(t *testing.T) string { return newBlockService(t, `{}`, 404).URL }},
		{"private address", func(t *testing.T) string { return "http://10.0.0.1" }},
		{"cloud metadata address", func(t *testing.T) string { return "http://169.254.169.254" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := startOrder(t, e, tt.url(t), false)
			var view dialogView
			e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
			if view.Status != "completed" || !strings.HasSuffix(view.transcript(), "assistant:The order service failed.") {
				t.Errorf("%s %s", view.Status, view.transcript())
			}
		})
	}
}

const slowBot = `bot: slow
nodes:
  track:
    kind: block
    url: %s/track
    timeout: 2s
    on_timeout: late
    next: done
  late:
    kind: end
    text: Too late.
  done:
    kind: end
    text: Done.
`

// TestExpiredTokenIsRefused lets a block's timeout pass: the dialog follows
// on_timeout and the token, which expired with it, gets 403.
func TestExpiredTokenIsRefused(t *testing.T) {
	e := servertest.New(t, native.Dialect, botone.Dialect)
	svc := newBlockService(t, `{}`)
	if r := e.Do("PUT", "/v1/bots/slow/flow", e.A.Bearer(), fmt.Sprintf(slowBot, svc.URL)); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/slow/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	token, _ := svc.next(t)["token"].(string)
	var view dialogView
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil).JSON(t, &view)
		if view.Status == "completed" {
			break
		}
	}
	if view.transcript() != "assistant:Too late." {
		t.Fatalf("after the timeout: %s %s", view.Status, view.transcript())
	}
	if r := e.Do("POST", "/api/vertex/v1/complete", "", map[string]any{"token": token, "data": nil}); r.Status != 403 {
		t.Errorf("complete with an expired token: %d %s", r.Status, r.Body)
	}
}
