package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestURLToolIdempotencyKey: a url tool's service gets an Idempotency-Key
// that is the same on the retry of one call (here after a 503; a worker
// killed mid-call retries the same way) and differs for the next call, so
// a service that acts can act once per call.
func TestURLToolIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusServiceUnavailable) // the activity tries again
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status": "shipped"}`)
	}))
	defer service.Close()
	e, model := shopEnv(t, service.URL, "Orders ship in two days.")
	model.ReplyToolCall("lookup_order", `{"order_id": "AB1234"}`)
	model.ReplyToolCall("lookup_order", `{"order_id": "CD5678"}`)
	model.Reply("Both have shipped.")
	if turn := shopTurn(t, e, "Where are AB1234 and CD5678?"); turn.lastText() != "Both have shipped." {
		t.Fatalf("turn: %+v", turn)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 3 {
		t.Fatalf("the service was called %d times, want 3 (a 503, its retry, the second call): %q", len(keys), keys)
	}
	if keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("the retry of one call came with another key: %q", keys[:2])
	}
	if keys[2] == "" || keys[2] == keys[0] {
		t.Errorf("the second call came with the first one's key: %q", keys)
	}
}
