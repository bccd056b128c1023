package store

import (
	"context"
	"slices"
	"time"
)

// Channels are the ways a bot is reached besides the API: today the chat
// widget on web sites, whose site token is accepted only from the
// channel's allowed origins. It is part of Store.
type Channels interface {
	// CreateChannel stores a bot's channel and fills in its ID, site token
	// and CreatedAt. Origins are kept as scheme://host[:port], lower case.
	// EINVALID for a kind other than ChannelWidget, or a widget without an
	// origin or with one that is not an http(s) origin; ENOTFOUND for a
	// bot not of the project.
	CreateChannel(ctx context.Context, c *Channel) error
	// BotChannels lists a project's bot's channels, oldest first.
	BotChannels(ctx context.Context, projectID, botID int64) ([]Channel, error)
	// ChannelBySiteToken returns the channel of a site token; ENOTFOUND if
	// there is none.
	ChannelBySiteToken(ctx context.Context, token string) (*Channel, error)
	// Channel returns one of a project's channels; ENOTFOUND if none.
	Channel(ctx context.Context, projectID, id int64) (*Channel, error)
	// DeleteChannel removes one of a project's channels (its site token
	// stops working; its dialogs stay); ENOTFOUND if none.
	DeleteChannel(ctx context.Context, projectID, id int64) error
}

// Channel kinds.
const (
	ChannelWidget = "widget"
)

// Channel is a way a bot is reached.
type Channel struct {
	ID             int64
	ProjectID      int64
	BotID          int64
	Kind           string
	Name           string
	AllowedOrigins []string
	// SiteToken names the channel in a web page's script tag; it is no
	// secret (every visitor sees it), so it is stored as it is: the
	// allowed origins are what keep other sites from using it.
	SiteToken string
	CreatedAt time.Time
}

// Allows reports whether a browser page of origin may use the channel.
func (c *Channel) Allows(origin string) bool {
	return slices.Contains(c.AllowedOrigins, origin)
}
