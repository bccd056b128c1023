package worker

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

// AITokenKeys are the installation's AI tokens (store.AITokens) as the
// keys of an llm.Pool: it opens each sealed key with Box and gives the
// tokens that name no API BaseURL.
type AITokenKeys struct {
	Store   store.AITokens
	Box     *secretbox.Box
	BaseURL string           // of tokens without one (llm.BaseURLFromEnv)
	Now     func() time.Time // the day and month limits count in; nil: time.Now
	// Policy guards the calls to a token's own base URL, which an admin
	// set through the API: no internal address unless allowed, no
	// redirect followed. BaseURL is the operator's, and is not guarded.
	Policy netguard.Policy

	clientOnce sync.Once
	client     *http.Client
}

var _ llm.KeySource = (*AITokenKeys)(nil)

// Usable returns the tokens that may call model now, first to try first.
// A token that does not open (sealed under another PARLEY_SECRET_KEY) is
// skipped with a warning, so the others still serve.
func (k *AITokenKeys) Usable(ctx context.Context, model string) ([]llm.Key, error) {
	tokens, err := k.Store.UsableAITokens(ctx, model, k.now())
	if err != nil {
		return nil, err
	}
	keys := make([]llm.Key, 0, len(tokens))
	for _, t := range tokens {
		secret, err := k.Box.Open(t.Sealed)
		if err != nil {
			slog.Warn("skipping an AI token that does not open: was it added under another PARLEY_SECRET_KEY? "+
				"List that key in PARLEY_SECRET_KEY_OLD, or add the token again.",
				"token", t.ID, "name", t.Name)
			continue
		}
		key := llm.Key{ID: t.ID, Secret: secret, BaseURL: k.BaseURL}
		if t.BaseURL != "" {
			// A URL no policy allows (another scheme, an odd spelling of
			// an address) is skipped here; the guarded client refuses
			// internal addresses when it connects.
			if _, err := netguard.ParseURL(t.BaseURL); err != nil {
				slog.Warn("skipping an AI token whose base_url is refused", "token", t.ID, "name", t.Name, "reason", netguard.Reason(err))
				continue
			}
			key.BaseURL, key.Client = t.BaseURL, k.guarded()
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// Used counts a call of token id and its tokens.
func (k *AITokenKeys) Used(ctx context.Context, id int64, u llm.Usage) error {
	return k.Store.RecordAITokenUse(ctx, id, k.now(), u.PromptTokens+u.CompletionTokens)
}

// Any reports whether an active token exists.
func (k *AITokenKeys) Any(ctx context.Context) (bool, error) {
	return k.Store.HasActiveAIToken(ctx)
}

// guarded is the client of the base URLs admins set, made once so that
// its connections are reused.
func (k *AITokenKeys) guarded() *http.Client {
	k.clientOnce.Do(func() { k.client = k.Policy.Client(0) }) // each call has the llm timeout
	return k.client
}

func (k *AITokenKeys) now() time.Time {
	if k.Now == nil {
		return time.Now()
	}
	return k.Now()
}

// Model is the provider of the worker's model calls: env (PARLEY_LLM_*,
// nil when unset) alone without box, which the tokens need to be read;
// otherwise a pool of the AI tokens falling back to env. A pool with
// neither env nor an active token is as no model (Activities.model), and
// takes an admin's first token within seconds, without a restart.
//
// The tokens' own base URLs may reach internal addresses only where
// PARLEY_ALLOW_PRIVATE_URLS allows; when it does not parse (the worker
// refuses to start on it before), none.
func Model(db store.AITokens, box *secretbox.Box, env llm.Provider) llm.Provider {
	if box == nil {
		return env
	}
	policy, err := netguard.PolicyFromEnv()
	if err != nil {
		policy = netguard.Policy{}
	}
	return llm.PoolFromEnv(&AITokenKeys{Store: db, Box: box, BaseURL: llm.BaseURLFromEnv(), Policy: policy}, env)
}

// configured is what a provider that may have no model to call (a Pool)
// says of itself.
type configured interface {
	Configured(ctx context.Context) bool
}

// model is the provider of model calls, nil when none is configured.
func (a *Activities) model(ctx context.Context) llm.Provider {
	if c, ok := a.LLM.(configured); ok && !c.Configured(ctx) {
		return nil
	}
	return a.LLM
}
