package store

import (
	"context"
	"slices"
	"time"
)

// Channels are the ways a bot is reached (Worken's chats): every bot's
// API channel, made with the bot; the chat widget on web sites, whose
// site token is accepted only from the channel's allowed origins; and a
// messenger integration's chats. Dialogs remember the channel they came
// through. It is part of Store.
type Channels interface {
	// CreateChannel stores a bot's channel and fills in its ID, UUID, site
	// token, Status (active unless given), CreatedAt and UpdatedAt. Origins
	// are kept as scheme://host[:port], lower case. EINVALID for kind api
	// (every bot has its own already), a widget without an origin or with
	// one that is not an http(s) origin, or another kind without an
	// integration; ENOTFOUND for a bot or an integration not of the
	// project.
	CreateChannel(ctx context.Context, c *Channel) error
	// ProjectChannels lists a project's channels of bots not deleted,
	// oldest first.
	ProjectChannels(ctx context.Context, projectID int64) ([]Channel, error)
	// ChannelByUUID returns one of a project's channels of a bot not
	// deleted; ENOTFOUND if none.
	ChannelByUUID(ctx context.Context, projectID int64, uuid string) (*Channel, error)
	// APIChannel returns a project's bot's API channel; ENOTFOUND if none.
	APIChannel(ctx context.Context, projectID, botID int64) (*Channel, error)
	// ChannelEvents counts the project's logged events since a time, by
	// the channel of their dialog (events of no dialog are not counted).
	ChannelEvents(ctx context.Context, projectID int64, since time.Time) (map[int64]int, error)
	// BotChannels lists a project's bot's channels but its API channel,
	// oldest first.
	BotChannels(ctx context.Context, projectID, botID int64) ([]Channel, error)
	// ChannelBySiteToken returns the widget channel of a site token;
	// ENOTFOUND if there is none.
	ChannelBySiteToken(ctx context.Context, token string) (*Channel, error)
	// Channel returns one of a project's channels; ENOTFOUND if none.
	Channel(ctx context.Context, projectID, id int64) (*Channel, error)
	// DeleteChannel removes one of a project's channels (its site token
	// stops working; its dialogs stay); ENOTFOUND if none, or for a bot's
	// API channel, which goes with its bot.
	DeleteChannel(ctx context.Context, projectID, id int64) error
	// UpdateChannel stores one of a project's channels' Name, Settings
	// and, for a widget, AllowedOrigins (checked as CreateChannel checks
	// them: EINVALID), and sets its UpdatedAt; ENOTFOUND if none.
	UpdateChannel(ctx context.Context, c *Channel) error
	// SetChannelStatus sets one of a project's channels' Status (active,
	// disabled or error: EINVALID otherwise); ENOTFOUND if none.
	SetChannelStatus(ctx context.Context, projectID, id int64, status string) error
	// IntegrationChannels lists an integration's channels of bots not
	// deleted, oldest first.
	IntegrationChannels(ctx context.Context, projectID, integrationID int64) ([]Channel, error)
}

// Channel kinds: a bot's API channel, the web widget, and a messenger's
// (the vendor of the channel's integration, as "telegram").
const (
	ChannelAPI      = "api"
	ChannelWidget   = "widget"
	ChannelTelegram = "telegram"
)

// Channel statuses: a disabled channel takes no messages.
const (
	ChannelActive   = "active"
	ChannelDisabled = "disabled"
	ChannelError    = "error"
)

// Channel is a way a bot is reached.
type Channel struct {
	ID        int64
	UUID      string
	ProjectID int64
	BotID     int64
	Kind      string
	Name      string
	Status    string
	// IntegrationID is the integration whose credentials the channel
	// uses; 0 for the API channel and a widget of none.
	IntegrationID   int64
	IntegrationUUID string // read only
	Settings        map[string]any
	AllowedOrigins  []string
	// SiteToken names the channel in a web page's script tag; it is no
	// secret (every visitor sees it), so it is stored as it is: the
	// allowed origins are what keep other sites from using it.
	SiteToken string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Allows reports whether a browser page of origin may use the channel.
func (c *Channel) Allows(origin string) bool {
	return slices.Contains(c.AllowedOrigins, origin)
}
