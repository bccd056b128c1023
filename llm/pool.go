package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// OpenAIBaseURL is the API of keys that name none when PARLEY_LLM_BASE_URL
// is unset too.
const OpenAIBaseURL = "https://api.openai.com/v1"

// ErrNoKey is what a Pool answers when no key may call the model and it
// has no fallback (errors.Is).
var ErrNoKey = errors.New("no AI token may call the model")

// Key is a provider key of a Pool.
type Key struct {
	ID      int64
	Secret  string // the plain API key
	BaseURL string // the OpenAI-compatible API it is for
	// Client calls BaseURL; nil: the pool's options' (http.DefaultClient
	// unless WithHTTPClient). A BaseURL an admin set through the API gets
	// a guarded one (netguard), as any URL Parley's users configure.
	Client *http.Client
}

// KeySource is where a Pool takes its keys from (the installation's AI
// tokens) and counts their use.
type KeySource interface {
	// Usable returns the keys that may call model now, first to try
	// first: active, allowed the model, with calls left.
	Usable(ctx context.Context, model string) ([]Key, error)
	// Used counts a call the provider answered with key keyID.
	Used(ctx context.Context, keyID int64, u Usage) error
	// Any reports whether there is an active key at all, for any model.
	Any(ctx context.Context) (bool, error)
}

// Pool is a Provider that calls with a pool of keys: the first usable
// key, then the next when the provider refuses it (401, 402, 403) or
// rate-limits it (429). Without a usable key it uses its fallback.
//
// Limits are checked before a call and counted after it, so workers
// calling at once may each see the last call left and overshoot a limit
// by the calls in flight: a limit is a budget, not a hard cap.
type Pool struct {
	keys     KeySource
	fallback Provider
	model    string   // of requests that name none
	opts     []Option // of each key's client
	mu       sync.Mutex
	clients  map[Key]*OpenAI
	// checked is when Configured last asked keys, which had one if any.
	checked time.Time
	any     bool
}

// configuredFor is how long Configured trusts what keys said: an admin's
// first token is used within it, without a restart.
const configuredFor = 10 * time.Second

var _ Provider = (*Pool)(nil)

// NewPool returns a pool of the keys of keys, with fallback (nil for
// none) for when none may call the model. opts configure each key's
// client as NewOpenAI's (WithDefaultModel sets the pool's too).
//
// Every call asks keys for the usable ones: with an installation's few
// keys that is one small read (none at all when the table is empty),
// cheap beside a model's answer; a cache would have a new key, or one
// at its limit, seen late.
func NewPool(keys KeySource, fallback Provider, opts ...Option) *Pool {
	return &Pool{keys: keys, fallback: fallback, model: NewOpenAI("", "", opts...).model,
		opts: opts, clients: map[Key]*OpenAI{}}
}

// PoolFromEnv is NewPool with the default model of PARLEY_LLM_MODEL, as
// FromEnv's provider has.
func PoolFromEnv(keys KeySource, fallback Provider) *Pool {
	var opts []Option
	if m := strings.TrimSpace(os.Getenv(EnvModel)); m != "" {
		opts = append(opts, WithDefaultModel(m))
	}
	return NewPool(keys, fallback, opts...)
}

// Configured reports whether the pool has a model to call at all: a
// fallback, or an active key (asked of keys at most every configuredFor).
// A pool that is not is as no model configured: callers say what to set
// rather than fail each call with ErrNoKey. An error reading the keys
// counts as configured, so the call says what went wrong.
func (p *Pool) Configured(ctx context.Context) bool {
	if p.fallback != nil {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.checked) < configuredFor {
		return p.any
	}
	found, err := p.keys.Any(ctx)
	p.checked, p.any = time.Now(), found || err != nil
	return p.any
}

// BaseURLFromEnv is the API of keys that name none: PARLEY_LLM_BASE_URL,
// or OpenAI's when it is unset.
func BaseURLFromEnv() string {
	if base := strings.TrimSpace(os.Getenv(EnvBaseURL)); base != "" {
		return base
	}
	return OpenAIBaseURL
}

// Chat runs the completion with the first key that gets an answer.
func (p *Pool) Chat(ctx context.Context, req ChatRequest, onDelta func(string)) (*ChatResponse, error) {
	if req.Model == "" {
		req.Model = p.model
	}
	var resp *ChatResponse
	err := p.each(ctx, req.Model, func(c Provider) (Usage, bool, error) {
		streamed := false
		var err error
		resp, err = c.Chat(ctx, req, func(d string) {
			streamed = true
			if onDelta != nil {
				onDelta(d)
			}
		})
		if err != nil {
			return Usage{}, streamed, err
		}
		return resp.Usage, false, nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Embed embeds with the first key that gets an answer; model is the
// embedding model the keys must be allowed.
func (p *Pool) Embed(ctx context.Context, model string, inputs []string) ([][]float32, error) {
	if len(inputs) == 0 {
		return nil, nil // no call, so none to count
	}
	var vectors [][]float32
	err := p.each(ctx, model, func(c Provider) (Usage, bool, error) {
		var err error
		vectors, err = c.Embed(ctx, model, inputs)
		return Usage{}, false, err // the client does not report an embedding's tokens
	})
	if err != nil {
		return nil, err
	}
	return vectors, nil
}

// each runs call with each usable key in turn until one is answered, and
// counts that call; with no usable key, it runs call with the fallback.
// call says whether it streamed text before failing: another key would
// stream it again, so its error is final. Other errors than a refused or
// rate-limited key are returned as they are: the caller's retry policy
// knows them (see IsRetryable). When every key is refused, the last
// refusal is returned, so a rate limit is retried later.
func (p *Pool) each(ctx context.Context, model string, call func(Provider) (Usage, bool, error)) error {
	keys, err := p.keys.Usable(ctx, model)
	if err != nil {
		return fmt.Errorf("llm: choosing an AI token for %s: %w", model, err)
	}
	if len(keys) == 0 {
		if p.fallback == nil {
			return fmt.Errorf("%w %s: none is active, allowed the model and under its daily and monthly limits, "+
				"and PARLEY_LLM_BASE_URL is not set. Add a token or raise a limit (POST /api/admin/ai-tokens), "+
				"or set PARLEY_LLM_BASE_URL and PARLEY_LLM_API_KEY", ErrNoKey, model)
		}
		_, _, err := call(p.fallback)
		return err
	}
	for _, k := range keys {
		var u Usage
		var streamed bool
		u, streamed, err = call(p.client(k))
		if err == nil {
			// The provider answered: the call counts even if the caller's
			// context ends now, and a failure to count does not undo it.
			if err := p.keys.Used(context.WithoutCancel(ctx), k.ID, u); err != nil {
				slog.Warn("llm: counting an AI token's call", "token", k.ID, "err", err)
			}
			return nil
		}
		if streamed || !refusedKey(err) {
			return err
		}
	}
	return err
}

// refusedKey reports whether the provider refused the key rather than the
// request: a wrong or revoked key (401, 403), one out of credit (402) or
// rate-limited (429). Another key may well get an answer.
func refusedKey(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusPaymentRequired, http.StatusForbidden, http.StatusTooManyRequests:
		return true
	}
	return false
}

// client is the provider of key k, made on first use.
func (p *Pool) client(k Key) *OpenAI {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.clients[k]
	if c == nil {
		opts := p.opts
		if k.Client != nil {
			opts = append(slices.Clip(opts), WithHTTPClient(k.Client))
		}
		c = NewOpenAI(k.BaseURL, k.Secret, opts...)
		p.clients[k] = c
	}
	return c
}
