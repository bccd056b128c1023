package rules

import "github.com/parleyhq/parley/store"

// BlockToken returns the record SaveBlockToken stores for t: the binding
// and ExpiresAt as stored, and nothing the store fills in. EINVALID for an
// empty token or a zero ExpiresAt.
func BlockToken(token string, t store.BlockToken) (store.BlockToken, error) {
	switch {
	case token == "":
		return store.BlockToken{}, store.Errorf(store.EINVALID, "A block token is required.")
	case t.ExpiresAt.IsZero():
		return store.BlockToken{}, store.Errorf(store.EINVALID, "A block token needs an expiry time.")
	}
	return store.BlockToken{ProjectID: t.ProjectID, DialogID: t.DialogID, Node: Clean(t.Node),
		Attempt: t.Attempt, ExpiresAt: Time(t.ExpiresAt)}, nil
}

// SameBlock returns ErrBlockTokenTaken unless the stored record of a token
// is bound to the same attempt of the same block as the one being saved, so
// a save is a retry, never a way to read or take over another's token.
func SameBlock(stored, saved store.BlockToken) error {
	if stored.ProjectID != saved.ProjectID || stored.DialogID != saved.DialogID ||
		stored.Node != saved.Node || stored.Attempt != saved.Attempt {
		return ErrBlockTokenTaken
	}
	return nil
}
