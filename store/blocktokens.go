package store

import (
	"context"
	"time"
)

// BlockTokens keeps the tokens that external services present to complete
// a block node of a dialog. It is part of Store.
type BlockTokens interface {
	// SaveBlockToken stores the SHA-256 hash of token (never the token) bound to
	// one attempt of a block node of a dialog. Saving the same token again is a
	// no-op that returns the stored record (activity retries). EINVALID for an
	// empty token or a zero ExpiresAt; ENOTFOUND if the dialog is not the project's.
	// Of t, only ProjectID, DialogID, Node, Attempt and ExpiresAt are read.
	// Saving a stored token for another binding (project, dialog, node or
	// attempt) is ECONFLICT; a different ExpiresAt is not, and the first is
	// kept. token must be long and random: it is hashed with a fast hash.
	SaveBlockToken(ctx context.Context, token string, t BlockToken) (*BlockToken, error)
	// BlockTokenByToken returns the record of a plain token; EFORBIDDEN if unknown
	// (expiry and completion are the caller's to check, from the record).
	BlockTokenByToken(ctx context.Context, token string) (*BlockToken, error)
	// CompleteBlockToken marks a token completed, once: EFORBIDDEN if it was
	// completed before (so a second `complete` is refused atomically, even
	// under concurrent calls); ENOTFOUND for an unknown id.
	CompleteBlockToken(ctx context.Context, id int64) error
}

// BlockToken binds an external service's token to one attempt of a block.
// Only the token's hash is stored.
type BlockToken struct {
	ID          int64
	ProjectID   int64
	DialogID    int64
	Node        string
	Attempt     int
	ExpiresAt   time.Time
	CompletedAt *time.Time // nil until CompleteBlockToken
	CreatedAt   time.Time
}
