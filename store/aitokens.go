package store

import (
	"context"
	"slices"
	"time"
)

// AITokens keeps the installation's pool of language model provider keys
// (ReplyX's AI tokens) and counts the calls made with each. The keys are
// the installation's, not a project's: admins manage them. Limits count
// calls per UTC day and UTC month. It is part of Store.
type AITokens interface {
	// CreateAIToken stores a key and fills in its ID and CreatedAt.
	// EINVALID, naming the field, without a name or a sealed key, for a
	// negative limit or priority, an empty model name, or a base URL that
	// is not http(s).
	CreateAIToken(ctx context.Context, t *AIToken) error
	// AITokens lists every key, first tried first (by Priority, then ID),
	// with its usage on the UTC day and month of at.
	AITokens(ctx context.Context, at time.Time) ([]AIToken, error)
	// UsableAITokens lists, as AITokens, the active keys allowed model
	// that have calls left on the UTC day and month of at.
	UsableAITokens(ctx context.Context, model string, at time.Time) ([]AIToken, error)
	// HasActiveAIToken reports whether any key is active: whether the pool
	// can make a call at all, asked before every model call is routed.
	HasActiveAIToken(ctx context.Context) (bool, error)
	// RecordAITokenUse counts one call of key id on the UTC day of at,
	// which used tokens (prompt and completion). ENOTFOUND for no such
	// key.
	RecordAITokenUse(ctx context.Context, id int64, at time.Time, tokens int) error
}

// AIToken is a provider key of the pool.
type AIToken struct {
	ID   int64
	Name string
	// Sealed is the key as sealed by the caller (secretbox): the store
	// never sees the key itself.
	Sealed string
	// BaseURL is the OpenAI-compatible API the key is for; "" for the
	// installation's (PARLEY_LLM_BASE_URL).
	BaseURL string
	// ModelAccess lists the models the key may call; empty for every one.
	ModelAccess []string
	// DailyLimit and MonthlyLimit bound the calls per UTC day and month;
	// 0 is no limit.
	DailyLimit   int64
	MonthlyLimit int64
	// Priority orders the keys: the lowest is tried first.
	Priority  int64
	Active    bool
	Notes     string
	CreatedAt time.Time

	// DailyUsage and MonthlyUsage are the calls made on the day and in
	// the month a list was asked for; not stored by CreateAIToken.
	DailyUsage   int64
	MonthlyUsage int64
}

// Allows reports whether the key may call model.
func (t *AIToken) Allows(model string) bool {
	return len(t.ModelAccess) == 0 || slices.Contains(t.ModelAccess, model)
}

// HasQuota reports whether the key has calls left today and this month.
func (t *AIToken) HasQuota() bool {
	return (t.DailyLimit == 0 || t.DailyUsage < t.DailyLimit) &&
		(t.MonthlyLimit == 0 || t.MonthlyUsage < t.MonthlyLimit)
}
