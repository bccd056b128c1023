//go:build !slim

package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/webhooks"
)

// hangingReceiver is a loopback webhook receiver that takes the first
// request and never answers it (the sender dies meanwhile), and answers
// 200 to the rest. It keeps every request it got.
type hangingReceiver struct {
	*httptest.Server
	inFlight chan struct{} // closed once the first request has come
	mu       sync.Mutex
	headers  []http.Header
	bodies   [][]byte
}

func newHangingReceiver(t *testing.T) *hangingReceiver {
	h := &hangingReceiver{inFlight: make(chan struct{})}
	release := make(chan struct{})
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body) // read it all, so the server notices the sender leave
		h.mu.Lock()
		h.headers, h.bodies = append(h.headers, r.Header.Clone()), append(h.bodies, body)
		first := len(h.headers) == 1
		h.mu.Unlock()
		if first {
			close(h.inFlight)
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	t.Cleanup(func() { close(release) }) // runs before Close, which waits for the handler
	return h
}

// got returns the requests received so far.
func (h *hangingReceiver) got() ([]http.Header, [][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]http.Header(nil), h.headers...), append([][]byte(nil), h.bodies...)
}

// TestDevRedeliversAfterSIGKILL kills `parley dev` while a webhook
// delivery is in flight (the receiver has the request and has not
// answered), restarts it on the same data directory and checks that the
// receiver gets the delivery again with the same webhook-id, signed with
// the webhook's secret, and that the deliveries list shows it delivered.
func TestDevRedeliversAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev twice; skipped with -short")
	}
	t.Setenv("PARLEY_ALLOW_PRIVATE_URLS", "127.0.0.1") // the receiver is on loopback
	t.Setenv("PARLEY_WEBHOOK_LEASE", "2s")             // how long the dead process's stream stays its own
	recv := newHangingReceiver(t)
	data, flowsDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(flowsDir, "crash.yaml"), []byte(crashBot), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	dev := startDev(t, data, flowsDir, addr)
	hook := dev.call(t, "POST", "/v1/webhooks", map[string]any{"url": recv.URL, "events": []string{"message.created"}})
	dev.call(t, "POST", "/v1/bots/crash/dialogs", map[string]any{}) // the bot asks: one message.created
	select {
	case <-recv.inFlight:
	case <-time.After(30 * time.Second):
		t.Fatalf("no delivery was attempted within 30s\n%s", dev.logs)
	}
	dev.kill(t)

	dev = startDev(t, data, flowsDir, addr)
	deadline := time.Now().Add(60 * time.Second)
	headers, bodies := recv.got()
	for len(headers) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the delivery was not sent again within 60s of the restart\n%s", dev.logs)
		}
		time.Sleep(100 * time.Millisecond)
		headers, bodies = recv.got()
	}
	if len(headers) != 2 {
		t.Errorf("the receiver got %d requests, want 2 (the one cut off, the one sent again)", len(headers))
	}
	first, again := headers[0], headers[1]
	if id := first.Get(webhooks.HeaderID); id == "" || again.Get(webhooks.HeaderID) != id {
		t.Errorf("webhook-id %q after the restart, want %q as before", again.Get(webhooks.HeaderID), id)
	}
	if !strings.Contains(string(bodies[1]), `"id":"`+again.Get(webhooks.HeaderID)+`"`) || !strings.Contains(string(bodies[1]), `"type":"message.created"`) {
		t.Errorf("body sent again = %s", bodies[1])
	}
	if !signedBy(t, again, bodies[1], hook["secret"].(string)) {
		t.Errorf("the delivery sent again is not signed with the webhook's secret: %q", again.Get(webhooks.HeaderSignature))
	}

	// The listing shows it once, delivered; the attempt cut off was never recorded.
	var ds []any
	for time.Now().Before(deadline) {
		ds = dev.call(t, "GET", "/v1/webhooks/"+hook["id"].(string)+"/deliveries", nil)["deliveries"].([]any)
		if len(ds) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(ds) != 1 || ds[0].(map[string]any)["status"] != "delivered" {
		t.Errorf("deliveries = %v, want one, delivered", ds)
	}
}

// signedBy reports whether a request's webhook-signature holds a
// signature by secret (whsec_...) of its webhook-id, timestamp and body.
func signedBy(t *testing.T, h http.Header, body []byte, secret string) bool {
	t.Helper()
	key, err := webhooks.DecodeSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := strconv.ParseInt(h.Get(webhooks.HeaderTimestamp), 10, 64)
	if err != nil {
		return false
	}
	want := webhooks.Sign([][]byte{key}, h.Get(webhooks.HeaderID), time.Unix(sec, 0), body)
	return strings.Contains(" "+h.Get(webhooks.HeaderSignature)+" ", " "+want+" ")
}
