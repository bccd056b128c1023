package store

import (
	"context"
	"time"
)

// Bots keeps a project's bots and the versions of their flows. It is part
// of Store.
type Bots interface {
	// PublishFlow stores a new version of a bot's flow, creating the bot on
	// its first version. Publishing the same source as the current version
	// returns the current version unchanged (Created false). EINVALID
	// without a slug or a source; ENOTFOUND for an unknown project.
	PublishFlow(ctx context.Context, p Publish) (*Published, error)
	// Bot returns a project's bot by slug; ENOTFOUND if there is none.
	Bot(ctx context.Context, projectID int64, slug string) (*Bot, error)
	// BotByID returns a project's bot by id, a deleted one too, so that its
	// dialogs stay readable; ENOTFOUND if there is none.
	BotByID(ctx context.Context, projectID, id int64) (*Bot, error)
	// BotByUUID returns a project's bot by UUID; ENOTFOUND if there is
	// none, it is deleted or uuid is not a UUID.
	BotByUUID(ctx context.Context, projectID int64, uuid string) (*Bot, error)
	// Bots lists a project's bots by slug, deleted ones left out.
	Bots(ctx context.Context, projectID int64) ([]Bot, error)
	// SetBotStatus sets a bot's status; EINVALID for a status other than
	// BotActive, BotDisabled and BotError; ENOTFOUND for an unknown or
	// deleted bot.
	SetBotStatus(ctx context.Context, projectID, id int64, status string) (*Bot, error)
	// DeleteBot deletes a bot softly: it leaves Bot, BotByUUID and Bots
	// and frees its slug, while its versions and dialogs stay. ENOTFOUND
	// for an unknown or deleted bot.
	DeleteBot(ctx context.Context, projectID, id int64) error
	// FlowVersion returns one version of a bot's flow; ENOTFOUND if there is none.
	FlowVersion(ctx context.Context, botID int64, version int) (*FlowVersion, error)
	// FlowVersions lists a bot's versions, newest first.
	FlowVersions(ctx context.Context, botID int64) ([]FlowVersion, error)
}

// Publish is a request to store a new flow version.
type Publish struct {
	ProjectID int64
	Slug      string
	Name      string // the bot's display name; updates the bot's name
	Source    string // the YAML as written
	Author    string
	Note      string
}

// Published is the result of PublishFlow.
type Published struct {
	Bot     *Bot
	Version *FlowVersion
	Created bool // false when the source equals the current version's
}

// Bot is a project's bot; its flow is versioned.
type Bot struct {
	ID             int64 // from the sequence dialogs share
	UUID           string
	ProjectID      int64
	Slug           string
	Name           string
	CurrentVersion int
	Status         string // BotActive (for a new bot), BotDisabled or BotError
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Bot statuses: a disabled bot takes no new dialogs.
const (
	BotActive   = "active"
	BotDisabled = "disabled"
	BotError    = "error"
)

// FlowVersion is one published version of a bot's flow.
type FlowVersion struct {
	BotID     int64
	Version   int // 1, 2, ...
	Source    string
	Checksum  string // hex SHA-256 of Source
	Author    string
	Note      string
	CreatedAt time.Time
}
