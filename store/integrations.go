package store

import (
	"context"
	"slices"
	"time"
)

// Integrations are a project's credentials on outside platforms (Worken's
// integrations): a Telegram bot's token, an amoCRM account's OAuth
// tokens. Their chats are channels with the integration's ID. It is part
// of Store.
type Integrations interface {
	// CreateIntegration stores an integration and fills in its ID, UUID,
	// Status (active unless given), OutSeq (the project's last event: it
	// relays what happens from now on), CreatedAt and UpdatedAt. EINVALID
	// for an empty name, a vendor not in IntegrationVendors or a bad
	// status; ENOTFOUND for a project that does not exist.
	CreateIntegration(ctx context.Context, in *Integration) error
	// Integration returns one of a project's integrations by UUID;
	// ENOTFOUND if none.
	Integration(ctx context.Context, projectID int64, uuid string) (*Integration, error)
	// IntegrationOfAnyProject returns an integration by UUID whatever its
	// project, for a platform's calls (a Telegram webhook), which carry no
	// API key: the caller authenticates them otherwise. ENOTFOUND if none.
	IntegrationOfAnyProject(ctx context.Context, uuid string) (*Integration, error)
	// ProjectIntegrations lists a project's integrations, oldest first.
	ProjectIntegrations(ctx context.Context, projectID int64) ([]Integration, error)
	// VendorIntegrations lists every project's integrations of a vendor,
	// oldest first, for checks that span projects (a Telegram bot sends
	// its updates to one place only); callers show no other project's.
	VendorIntegrations(ctx context.Context, vendor string) ([]Integration, error)
	// UpdateIntegration stores in's Name, Status, AuthData and Settings
	// and sets its UpdatedAt; the same EINVALID as CreateIntegration,
	// ENOTFOUND if the project has no such integration.
	UpdateIntegration(ctx context.Context, in *Integration) error
	// DeleteIntegration removes an integration with its chats, in one
	// transaction; the chats' threads stay, in no chat (as a deleted
	// chat's do: see DeleteIntegrationChannel). ENOTFOUND if none.
	DeleteIntegration(ctx context.Context, projectID, id int64) error
	// DeleteIntegrationChannel removes one of an integration's chats; its
	// dialogs stay, with no channel. ENOTFOUND if the integration has no
	// such channel.
	DeleteIntegrationChannel(ctx context.Context, projectID, integrationID, channelID int64) error
	// IntegrationAuthLost marks an integration `error` and logs
	// EventIntegrationAuthLost with reason in the same transaction; it
	// reports false, and logs nothing, for one already in error.
	// ENOTFOUND if none.
	IntegrationAuthLost(ctx context.Context, projectID, id int64, reason string) (bool, error)
	// SetIntegrationOutSeq records that the integration has relayed the
	// project's events up to seq. ENOTFOUND if none.
	SetIntegrationOutSeq(ctx context.Context, projectID, id, seq int64) error
}

// Integration statuses.
const (
	IntegrationActive   = "active"
	IntegrationDisabled = "disabled"
	IntegrationError    = "error"
)

// IntegrationVendors are the platforms Worken names. Each is accepted and
// stored; Telegram's is a working channel so far.
var IntegrationVendors = []string{"telegram", "whatsapp", "vk", "ok", "max", "github", "google", "yandex",
	"amocrm", "bitrix", "avito", "sber", "worken"}

// IsIntegrationVendor reports whether v is one of IntegrationVendors.
func IsIntegrationVendor(v string) bool { return slices.Contains(IntegrationVendors, v) }

// Integration is a project's credentials on a platform.
type Integration struct {
	ID        int64
	UUID      string
	ProjectID int64
	Name      string
	Vendor    string
	Status    string
	// AuthData is the credentials' JSON as sealed by the caller
	// (secretbox): never shown to anyone.
	AuthData string
	Settings map[string]any
	// OutSeq is the last of the project's events the integration has
	// relayed to its platform (read only: see SetIntegrationOutSeq).
	OutSeq    int64
	CreatedAt time.Time
	UpdatedAt time.Time
}
