package store

import "context"

// SealedSecrets reaches every value the store keeps sealed by its callers
// (secretbox), so that `parley rotate-secrets` can seal them again under a
// new key. It is part of Store.
type SealedSecrets interface {
	// SealedSecrets lists every sealed value the store keeps, by Kind (in
	// the order of SealedKinds) then ID; empty ones (a webhook's previous
	// secret when there is none) are left out.
	SealedSecrets(ctx context.Context) ([]SealedSecret, error)
	// ResealSecrets stores, in one transaction, each of rs's Resealed in
	// place of its Sealed where the stored value is still Sealed, and
	// returns how many it replaced: a value changed meanwhile (a webhook's
	// secret rotated) keeps its new value. EINVALID, storing none, for an
	// unknown Kind or an empty Resealed.
	ResealSecrets(ctx context.Context, rs []SealedSecret) (int, error)
}

// Kinds of sealed values.
const (
	SealedWebhookSecret   = "webhook_secret"          // webhooks' signing secret
	SealedWebhookPrevious = "webhook_previous_secret" // the one a rotation keeps signing for a while
	SealedIntegration     = "integration"             // integrations' auth_data (a Telegram bot token, OAuth tokens)
	SealedAIToken         = "ai_token"                // the AI token pool's provider keys
)

// SealedKinds lists the kinds of sealed values in the order SealedSecrets
// lists them.
var SealedKinds = []string{SealedWebhookSecret, SealedWebhookPrevious, SealedIntegration, SealedAIToken}

// SealedSecret is one sealed value: a column of one row.
type SealedSecret struct {
	Kind string // one of SealedKinds
	ID   int64  // the row's id
	// Ref names the row to people: a webhook's or an integration's UUID,
	// an AI token's name.
	Ref      string
	Sealed   string
	Resealed string // the value ResealSecrets stores instead
}
