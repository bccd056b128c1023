package native_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/npmtest"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
)

// received is one request a webhook receiver got.
type received struct {
	header http.Header
	body   []byte
}

// TestWebhookDeliversATurn follows a turn from the API to a receiver: a
// webhook made over HTTP, a dialog's messages, the dispatcher a worker
// runs, and a delivery the standardwebhooks npm package verifies.
func TestWebhookDeliversATurn(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, received{r.Header.Clone(), body})
	}))
	t.Cleanup(srv.Close)

	var created struct{ ID, Secret string }
	r := e.Do("POST", "/v1/webhooks", e.A.Bearer(), map[string]any{"url": srv.URL, "events": []string{store.EventMessageCreated}})
	r.JSON(t, &created)
	if r.Status != http.StatusCreated {
		t.Fatalf("creating the webhook: %d %s", r.Status, r.Body)
	}
	id := startDesk(t, e) // the bot asks: one message.created

	loopback := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	d := &webhooks.Dispatcher{Store: e.Store, Box: e.Secrets, Sender: &webhooks.Sender{Client: loopback.Client(webhooks.AttemptTimeout)},
		Data: native.WebhookData}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := d.Step(t.Context()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing was delivered within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	delivery := got[0]
	var body struct {
		ID, Type string
		Data     struct {
			Dialog  string `json:"dialog_id"`
			Message struct{ Role, Text string }
		}
	}
	if err := json.Unmarshal(delivery.body, &body); err != nil || body.Type != store.EventMessageCreated || body.Data.Dialog != id ||
		body.Data.Message.Text != "Your order number?" || body.ID != delivery.header.Get(webhooks.HeaderID) {
		t.Errorf("delivery = %s (%v)", delivery.body, err)
	}
	if delivery.header.Get(webhooks.HeaderWorken) != webhooks.WorkenSignature(created.Secret, delivery.body) {
		t.Errorf("x-worken-signature %q does not verify", delivery.header.Get(webhooks.HeaderWorken))
	}

	dir, node := npmtest.Project(t, "../../webhooks/testdata/verify", "the standardwebhooks check of a delivery")
	in, _ := json.Marshal(map[string]any{"secret": created.Secret, "id": delivery.header.Get(webhooks.HeaderID),
		"timestamp": delivery.header.Get(webhooks.HeaderTimestamp), "signature": delivery.header.Get(webhooks.HeaderSignature),
		"body": string(delivery.body)})
	verify := exec.CommandContext(t.Context(), node, "verify.mjs")
	verify.Dir, verify.Stdin = dir, bytes.NewReader(in)
	if out, err := verify.CombinedOutput(); err != nil {
		t.Errorf("standardwebhooks refused the delivery: %v\n%s", err, out)
	}
}
