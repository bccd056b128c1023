package worker_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/netguard/ssrftest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/worker"
)

// oneToken is a pool of one active AI token, whose uses are not counted.
type oneToken struct {
	store.Store
	tok store.AIToken
}

func (o oneToken) UsableAITokens(context.Context, string, time.Time) ([]store.AIToken, error) {
	return []store.AIToken{o.tok}, nil
}

func (oneToken) RecordAITokenUse(context.Context, int64, time.Time, int) error { return nil }

// tokenAt is the keys of one token whose base URL is base (the operator's
// when ""), guarded by policy; the operator's API is operator.
func tokenAt(t *testing.T, base, operator string, policy netguard.Policy) *worker.AITokenKeys {
	t.Helper()
	box := newBox(t)
	sealed, err := box.Seal("sk-admin-secret")
	if err != nil {
		t.Fatal(err)
	}
	tok := store.AIToken{ID: 1, Name: "admin's", Sealed: sealed, BaseURL: base, Active: true}
	return &worker.AITokenKeys{Store: oneToken{tok: tok}, Box: box, BaseURL: operator, Policy: policy}
}

func ask(t *testing.T, keys llm.KeySource) (string, error) {
	t.Helper()
	resp, err := llm.NewPool(keys, nil).Chat(t.Context(), llm.ChatRequest{Model: "gpt-4",
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "hello"}}}, nil)
	if err != nil {
		return "", err
	}
	return resp.Content, nil
}

// TestAITokenBaseURLGuarded: an admin's base URL on a private address is
// refused, before any request, unless the policy allows it; the
// operator's PARLEY_LLM_BASE_URL (a token without one) is not guarded.
func TestAITokenBaseURLGuarded(t *testing.T) {
	model := llmtest.New(t)
	model.ReplyAlways("hi")
	t.Run("private refused", func(t *testing.T) {
		_, err := ask(t, tokenAt(t, model.URL(), "", netguard.Policy{}))
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("err = %v, want the address refused", err)
		}
		if n := len(model.Requests()); n != 0 {
			t.Errorf("the model got %d requests, want none", n)
		}
	})
	t.Run("allowed", func(t *testing.T) {
		if got, err := ask(t, tokenAt(t, model.URL(), "", loopback)); err != nil || got != "hi" {
			t.Errorf("answer %q, %v", got, err)
		}
	})
	t.Run("operator's base URL", func(t *testing.T) {
		if got, err := ask(t, tokenAt(t, "", model.URL(), netguard.Policy{})); err != nil || got != "hi" {
			t.Errorf("answer %q, %v", got, err)
		}
	})
}

// TestModelGuardsBaseURL: worker.Model guards the tokens' base URLs with
// PARLEY_ALLOW_PRIVATE_URLS.
func TestModelGuardsBaseURL(t *testing.T) {
	p := newPool(t, store.AIToken{Name: "primary"}, store.AIToken{Name: "backup"})
	p.first.ReplyAlways("from the first")
	call := func() error {
		_, err := worker.Model(p.db, p.keys.Box, nil).Chat(t.Context(), llm.ChatRequest{Model: "gpt-4",
			Messages: []llm.Message{{Role: llm.RoleUser, Content: "hello"}}}, nil)
		return err
	}
	t.Setenv(netguard.EnvAllow, "")
	if err := call(); !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("without PARLEY_ALLOW_PRIVATE_URLS: err = %v, want the address refused", err)
	}
	t.Setenv(netguard.EnvAllow, "127.0.0.1")
	if err := call(); err != nil {
		t.Errorf("with PARLEY_ALLOW_PRIVATE_URLS=127.0.0.1: %v", err)
	}
}

// TestAITokenBaseURLRedirect: a base URL answering with a redirect gets
// no second request anywhere; the 3xx fails the call finally.
func TestAITokenBaseURLRedirect(t *testing.T) {
	target := llmtest.New(t)
	target.ReplyAlways("followed")
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL()+"/chat/completions", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)
	_, err := ask(t, tokenAt(t, redirecting.URL+"/v1", "", loopback))
	var e *llm.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTemporaryRedirect || !llm.IsRejected(err) {
		t.Errorf("err = %v, want the 307, final", err)
	}
	if n := len(target.Requests()); n != 0 {
		t.Errorf("the redirect was followed: %d requests", n)
	}
}

// TestSSRFAITokenBaseURL gives an AI token each URL of the SSRF set as
// its base URL: every call is refused, or its redirect not followed, or
// the token is skipped (a URL no client could call: the pool has no key).
func TestSSRFAITokenBaseURL(t *testing.T) {
	e := ssrftest.Start(t)
	refused := 0
	for _, h := range e.URLs {
		_, err := ask(t, tokenAt(t, h.URL, "", e.Policy))
		if errors.Is(err, netguard.ErrRefused) || errors.Is(err, llm.ErrNoKey) || h.Redirect && llm.IsRejected(err) {
			refused++
		} else {
			t.Errorf("%s (%s): %v, want refused", h.URL, h.What, err)
		}
	}
	e.Report(t, "AI token base_url", refused, len(e.URLs))
}
