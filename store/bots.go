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
	// BotByID returns a project's bot by id; ENOTFOUND if there is none.
	BotByID(ctx context.Context, projectID, id int64) (*Bot, error)
	// Bots lists a project's bots by slug.
	Bots(ctx context.Context, projectID int64) ([]Bot, error)
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
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

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
