package worker_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
	"github.com/parleyhq/parley/worker"
)

// TestBlockTokenSameOnRetry: with a BlockTokenKey, every call of one
// block attempt (Temporal retrying after a 5xx, or after the worker died
// mid-call) sends the service the same token, which the service can take
// as the attempt's idempotency key and complete with; another attempt or
// dialog gets another token. Without the key each call's token is new.
func TestBlockTokenSameOnRetry(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org, _ := db.CreateOrganization(t.Context(), "o")
	p, _ := db.CreateProject(t.Context(), org.ID, "p")
	pub, err := db.PublishFlow(t.Context(), store.Publish{ProjectID: p.ID, Slug: "b", Source: "name: b"})
	if err != nil {
		t.Fatal(err)
	}
	d := &store.Dialog{ProjectID: p.ID, Source: "api", DialogState: store.DialogState{BotID: pub.Bot.ID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	if err := db.CreateDialog(t.Context(), d); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var tokens []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Token string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		tokens = append(tokens, body.Token)
		first := len(tokens) == 1
		mu.Unlock()
		if first {
			w.WriteHeader(http.StatusServiceUnavailable) // Temporal retries the call
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	allow, err := netguard.ParseAllow("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	policy := netguard.Policy{Allow: allow}
	call := func(a *worker.Activities, attempt int) {
		t.Helper()
		_, _ = a.CallBlock(t.Context(), engine.BlockCall{ProjectID: p.ID, DialogID: d.ID, DialogUUID: d.UUID, Bot: "b", Node: "lookup",
			Attempt: attempt, URL: srv.URL, Wait: true, Timeout: 3 * time.Second, ExpiresAt: time.Now().Add(time.Minute)})
	}
	keyed := &worker.Activities{Store: db, Policy: policy, BlockTokenKey: []byte("a key of the installation, 32 b.")}
	call(keyed, 1) // 503
	call(keyed, 1) // the retry
	call(keyed, 2)
	random := &worker.Activities{Store: db, Policy: policy}
	call(random, 3)
	call(random, 3)
	mu.Lock()
	defer mu.Unlock()
	if len(tokens) != 5 || tokens[0] != tokens[1] || tokens[0] == "" {
		t.Fatalf("the retry of attempt 1 sent another token: %q", tokens)
	}
	if tokens[2] == tokens[0] {
		t.Errorf("attempt 2 got attempt 1's token")
	}
	if tokens[3] == tokens[4] {
		t.Errorf("without a key, two calls got the same token")
	}
	rec, err := db.BlockTokenByToken(t.Context(), tokens[0])
	if err != nil || rec.Attempt != 1 || rec.Node != "lookup" {
		t.Errorf("the retried token's record: %+v, %v", rec, err)
	}
}
