package worker_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
	"github.com/parleyhq/parley/worker"
)

// pool is a store with two AI tokens, each at a fake provider of its own:
// first (priority 1) and second (priority 2).
type pool struct {
	db            store.Store
	keys          *worker.AITokenKeys
	first, second *llmtest.Server
	ids           [2]int64
}

// newPool stores the tokens as given (Name, limits, ModelAccess), each
// with its key sealed and its provider's base URL.
func newPool(t *testing.T, first, second store.AIToken) *pool {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := &pool{db: db, keys: &worker.AITokenKeys{Store: db, Box: newBox(t), Policy: loopback}, first: llmtest.New(t), second: llmtest.New(t)}
	addTokens(t, db, p.keys.Box, p.ids[:], []*llmtest.Server{p.first, p.second}, first, second)
	return p
}

// addTokens stores tokens with priorities 1, 2... , the plain key
// "sk-<name>-secret" sealed with box and servers' URLs, into ids.
func addTokens(t *testing.T, db store.AITokens, box *secretbox.Box, ids []int64, servers []*llmtest.Server, tokens ...store.AIToken) {
	t.Helper()
	for i, tok := range tokens {
		sealed, err := box.Seal("sk-" + tok.Name + "-secret")
		if err != nil {
			t.Fatal(err)
		}
		tok.Sealed, tok.BaseURL, tok.Priority, tok.Active = sealed, servers[i].URL(), int64(i+1), true
		if err := db.CreateAIToken(t.Context(), &tok); err != nil {
			t.Fatal(err)
		}
		ids[i] = tok.ID
	}
}

// loopback lets the tokens call the fake providers, which listen there:
// their base URLs are guarded as an admin's are.
var loopback = netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

func newBox(t *testing.T) *secretbox.Box {
	t.Helper()
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// usage is each token's calls today.
func (p *pool) usage(t *testing.T) [2]int64 {
	t.Helper()
	all, err := p.db.AITokens(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out [2]int64
	for _, tok := range all {
		for i, id := range p.ids {
			if tok.ID == id {
				out[i] = tok.DailyUsage
			}
		}
	}
	return out
}

// chat asks the pool (falling back to fallback) with model, returning the
// answer and the deltas streamed.
func (p *pool) chat(t *testing.T, fallback llm.Provider, model string) (string, string, error) {
	t.Helper()
	var deltas strings.Builder
	resp, err := llm.NewPool(p.keys, fallback).Chat(t.Context(), llm.ChatRequest{Model: model,
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "hello"}}}, func(d string) { deltas.WriteString(d) })
	if err != nil {
		return "", deltas.String(), err
	}
	return resp.Content, deltas.String(), nil
}

// requests counts the requests each provider got.
func (p *pool) requests() [2]int { return [2]int{len(p.first.Requests()), len(p.second.Requests())} }

// TestPoolFailover: a key refused (401) or rate-limited (429) hands the
// call to the next key, which is counted; a key at its limit or not
// allowed the model is not called; other failures, and a stream cut
// after text, are not tried on another key.
func TestPoolFailover(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusUnauthorized} {
		t.Run(http.StatusText(status)+" moves on", func(t *testing.T) {
			p := newPool(t, store.AIToken{Name: "primary"}, store.AIToken{Name: "backup"})
			p.first.Fail(status, "no")
			p.second.Reply("from the backup")
			got, deltas, err := p.chat(t, nil, "gpt-4")
			if err != nil || got != "from the backup" || deltas != got {
				t.Fatalf("answer %q, deltas %q, %v", got, deltas, err)
			}
			if got := p.requests(); got != [2]int{1, 1} {
				t.Errorf("requests %v, want one to each", got)
			}
			if auth := p.second.Requests()[0].Authorization; auth != "Bearer sk-backup-secret" {
				t.Errorf("the backup was called with %q", auth)
			}
			if got := p.usage(t); got != [2]int64{0, 1} {
				t.Errorf("usage %v, want only the backup's call", got)
			}
		})
	}
	t.Run("daily limit skips", func(t *testing.T) {
		p := newPool(t, store.AIToken{Name: "primary", DailyLimit: 1}, store.AIToken{Name: "backup"})
		p.first.Reply("one")
		p.second.Reply("two")
		for _, want := range []string{"one", "two"} {
			if got, _, err := p.chat(t, nil, "gpt-4"); err != nil || got != want {
				t.Fatalf("answer %q, %v; want %q", got, err, want)
			}
		}
		if got := p.requests(); got != [2]int{1, 1} {
			t.Errorf("requests %v, want the primary's one, then the backup's", got)
		}
		if got := p.usage(t); got != [2]int64{1, 1} {
			t.Errorf("usage %v", got)
		}
	})
	t.Run("model access skips", func(t *testing.T) {
		p := newPool(t, store.AIToken{Name: "primary", ModelAccess: []string{"gpt-4"}}, store.AIToken{Name: "backup"})
		p.second.Reply("mini")
		if got, _, err := p.chat(t, nil, "gpt-4o-mini"); err != nil || got != "mini" {
			t.Fatalf("answer %q, %v", got, err)
		}
		if got := p.requests(); got != [2]int{0, 1} {
			t.Errorf("requests %v", got)
		}
	})
	t.Run("server error returned", func(t *testing.T) {
		p := newPool(t, store.AIToken{Name: "primary"}, store.AIToken{Name: "backup"})
		p.first.Fail(http.StatusInternalServerError, "boom")
		_, _, err := p.chat(t, nil, "gpt-4")
		var e *llm.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusInternalServerError {
			t.Fatalf("error %v, want the 500", err)
		}
		if got := p.requests(); got != [2]int{1, 0} {
			t.Errorf("requests %v: a 500 is the activity's to retry", got)
		}
	})
	t.Run("cut stream returned", func(t *testing.T) {
		p := newPool(t, store.AIToken{Name: "primary"}, store.AIToken{Name: "backup"})
		p.first.ReplyCut("half an")
		_, deltas, err := p.chat(t, nil, "gpt-4")
		if !llm.IsRetryable(err) || deltas != "half an" || p.requests() != [2]int{1, 0} {
			t.Errorf("error %v, deltas %q, requests %v", err, deltas, p.requests())
		}
	})
	t.Run("every key refused", func(t *testing.T) {
		p := newPool(t, store.AIToken{Name: "primary"}, store.AIToken{Name: "backup"})
		p.first.Fail(http.StatusUnauthorized, "bad key")
		p.second.FailWithRetryAfter(http.StatusTooManyRequests, 7)
		_, _, err := p.chat(t, nil, "gpt-4")
		var e *llm.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests || e.RetryAfter != 7*time.Second {
			t.Fatalf("error %v, want the last one, the 429", err)
		}
		if got := p.usage(t); got != [2]int64{0, 0} {
			t.Errorf("usage %v, want none", got)
		}
	})
	t.Run("no usable key", func(t *testing.T) {
		p := newPool(t, store.AIToken{Name: "primary", ModelAccess: []string{"gpt-4"}}, store.AIToken{Name: "backup", ModelAccess: []string{"gpt-4"}})
		fallback := llmtest.New(t)
		fallback.Reply("from PARLEY_LLM_BASE_URL")
		if got, _, err := p.chat(t, llm.NewOpenAI(fallback.URL(), "env-key"), "claude"); err != nil || got != "from PARLEY_LLM_BASE_URL" {
			t.Fatalf("with a fallback: %q, %v", got, err)
		}
		_, _, err := p.chat(t, nil, "claude")
		if !errors.Is(err, llm.ErrNoKey) || !strings.Contains(err.Error(), "claude") || !strings.Contains(err.Error(), "/api/admin/ai-tokens") {
			t.Fatalf("without one: %v", err)
		}
		if got := p.requests(); got != [2]int{0, 0} {
			t.Errorf("requests %v", got)
		}
	})
}

// TestPoolEmbeds: embeddings go through the pool too, the embedding model
// choosing the keys.
func TestPoolEmbeds(t *testing.T) {
	p := newPool(t, store.AIToken{Name: "primary", ModelAccess: []string{"gpt-4"}}, store.AIToken{Name: "backup"})
	vecs, err := llm.NewPool(p.keys, nil).Embed(t.Context(), "text-embedding-3-small", []string{"hello"})
	if err != nil || len(vecs) != 1 || p.requests() != [2]int{0, 1} || p.usage(t) != [2]int64{0, 1} {
		t.Errorf("vectors %d, %v; requests %v, usage %v", len(vecs), err, p.requests(), p.usage(t))
	}
}

// TestModel: without a secret key the worker's model is PARLEY_LLM_*'s as
// it was (nil: none); with one it is a pool, which is as no model while it
// has neither PARLEY_LLM_* nor an active token.
func TestModel(t *testing.T) {
	p := newPool(t, store.AIToken{Name: "primary"}, store.AIToken{Name: "backup"})
	env := llm.NewOpenAI(p.first.URL(), "")
	empty, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if got := worker.Model(p.db, nil, env); got != llm.Provider(env) {
		t.Errorf("no box: %T, want PARLEY_LLM_*'s provider", got)
	}
	if got := worker.Model(p.db, nil, nil); got != nil {
		t.Errorf("no box, no model: %T, want nil", got)
	}
	for name, c := range map[string]struct {
		db         store.AITokens
		env        llm.Provider
		configured bool
	}{
		"no token, no model": {db: empty},
		"no token":           {db: empty, env: env, configured: true},
		"tokens":             {db: p.db, configured: true},
	} {
		got, isPool := worker.Model(c.db, p.keys.Box, c.env).(*llm.Pool)
		if !isPool || got.Configured(t.Context()) != c.configured {
			t.Errorf("%s: %T, configured %v; want a pool, configured %v", name, got, isPool && got.Configured(t.Context()), c.configured)
		}
	}
	inactive := store.AIToken{Name: "off", Sealed: "v1:x"}
	if err := empty.CreateAIToken(t.Context(), &inactive); err != nil {
		t.Fatal(err)
	}
	if worker.Model(empty, p.keys.Box, nil).(*llm.Pool).Configured(t.Context()) {
		t.Error("a pool of inactive tokens counts as configured")
	}
}

// lateKeys hands out the keys of the test server's store, set once it is
// made: the worker is made before it.
type lateKeys struct {
	keys atomic.Pointer[worker.AITokenKeys]
}

func (l *lateKeys) Usable(ctx context.Context, model string) ([]llm.Key, error) {
	return l.keys.Load().Usable(ctx, model)
}

func (l *lateKeys) Used(ctx context.Context, id int64, u llm.Usage) error {
	return l.keys.Load().Used(ctx, id, u)
}

func (l *lateKeys) Any(ctx context.Context) (bool, error) { return l.keys.Load().Any(ctx) }

// TestDialogUsesPool: a dialog's llm node asks through the pool: the
// primary's 429 hands it to the backup, whose call is counted.
func TestDialogUsesPool(t *testing.T) {
	first, second := llmtest.New(t), llmtest.New(t)
	late := &lateKeys{}
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewPool(late, nil)}, native.Dialect)
	keys := &worker.AITokenKeys{Store: e.Store, Box: e.Secrets, Policy: loopback}
	late.keys.Store(keys)
	var ids [2]int64
	addTokens(t, e.Store, e.Secrets, ids[:], []*llmtest.Server{first, second},
		store.AIToken{Name: "primary", ModelAccess: []string{"test-model"}}, store.AIToken{Name: "backup"})
	if r := e.Do("PUT", "/v1/bots/chat/flow", e.A.Bearer(), "bot: chat\nsettings:\n  ai:\n    model: { id: test-model }\n"); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	first.Fail(http.StatusTooManyRequests, "Rate limit reached for requests")
	second.Reply("answered by the backup")
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/chat/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	var turn struct{ Messages []struct{ Text string } }
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "hello"}).JSON(t, &turn)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "answered by the backup" {
		t.Fatalf("reply: %+v", turn)
	}
	all, err := e.Store.AITokens(t.Context(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].DailyUsage != 0 || all[1].DailyUsage != 1 || len(first.Requests()) != 1 {
		t.Errorf("tokens %+v, primary's requests %d", all, len(first.Requests()))
	}
}
