package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const channelColumns = `id, project_id, bot_id, kind, name, allowed_origins, site_token, created_at`

func scanChannel(r scanner, c *store.Channel) error {
	var origins string
	if err := r.Scan(&c.ID, &c.ProjectID, &c.BotID, &c.Kind, &c.Name, &origins, &c.SiteToken, timeScanner{&c.CreatedAt}); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(origins), &c.AllowedOrigins); err != nil {
		return fmt.Errorf("decoding channel %d's origins: %w", c.ID, err)
	}
	return nil
}

// CreateChannel stores a bot's channel; see store.Channels.
func (d *DB) CreateChannel(ctx context.Context, ch *store.Channel) error {
	c, err := rules.Channel(*ch)
	if err != nil {
		return err
	}
	origins, err := rules.JSON(c.AllowedOrigins)
	if err != nil {
		return err
	}
	random, err := store.RandomBase62(32)
	if err != nil {
		return err
	}
	c.SiteToken, c.CreatedAt = "st_"+random, d.now()
	err = d.write(ctx, "creating a channel", func(t *tx) error {
		if c.BotID == 0 {
			return rules.NotFound("Bot", 0)
		}
		if err := t.checkBot(ctx, c.ProjectID, c.BotID); err != nil {
			return err
		}
		return t.queryRow(ctx, `INSERT INTO channels (project_id, bot_id, kind, name, allowed_origins, site_token, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ProjectID, c.BotID, c.Kind, c.Name, origins, c.SiteToken, d.ts(c.CreatedAt)).Scan(&c.ID)
	})
	if err != nil {
		return err
	}
	*ch = c
	return nil
}

// BotChannels lists a bot's channels; see store.Channels.
func (d *DB) BotChannels(ctx context.Context, projectID, botID int64) ([]store.Channel, error) {
	return list(ctx, d, "listing channels", scanChannel,
		`SELECT `+channelColumns+` FROM channels WHERE project_id = ? AND bot_id = ? ORDER BY id`, projectID, botID)
}

// ChannelBySiteToken returns a site token's channel; see store.Channels.
func (d *DB) ChannelBySiteToken(ctx context.Context, token string) (*store.Channel, error) {
	c := &store.Channel{}
	if err := scanChannel(d.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE site_token = ?`, token), c); err != nil {
		return nil, wrap("reading a channel", notFound(err, "Site token", "given"))
	}
	return c, nil
}

// Channel returns a project's channel; see store.Channels.
func (d *DB) Channel(ctx context.Context, projectID, id int64) (*store.Channel, error) {
	c := &store.Channel{}
	err := scanChannel(d.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE project_id = ? AND id = ?`, projectID, id), c)
	if err != nil {
		return nil, wrap("reading a channel", notFound(err, "Channel", id))
	}
	return c, nil
}

// DeleteChannel removes a project's channel; see store.Channels.
func (d *DB) DeleteChannel(ctx context.Context, projectID, id int64) error {
	return d.write(ctx, "deleting a channel", func(t *tx) error {
		res, err := t.exec(ctx, `DELETE FROM channels WHERE project_id = ? AND id = ?`, projectID, id)
		return changed(res, err, "Channel", id)
	})
}
