package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const channelColumns = `id, uuid, project_id, bot_id, kind, name, status, integration_id,
	(SELECT i.uuid FROM integrations i WHERE i.id = channels.integration_id), settings, allowed_origins,
	site_token, created_at, updated_at`

// liveChannel keeps channels of deleted bots out of lookups.
const liveChannel = ` AND bot_id IN (SELECT id FROM bots WHERE deleted_at IS NULL)`

func scanChannel(r scanner, c *store.Channel) error {
	var origins, settings string
	var integration sql.NullInt64
	var integrationUUID sql.NullString
	if err := r.Scan(&c.ID, &c.UUID, &c.ProjectID, &c.BotID, &c.Kind, &c.Name, &c.Status, &integration, &integrationUUID, &settings, &origins,
		&c.SiteToken, timeScanner{&c.CreatedAt}, timeScanner{&c.UpdatedAt}); err != nil {
		return err
	}
	c.IntegrationID, c.IntegrationUUID = integration.Int64, integrationUUID.String
	if err := json.Unmarshal([]byte(origins), &c.AllowedOrigins); err != nil {
		return fmt.Errorf("decoding channel %d's origins: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(settings), &c.Settings); err != nil {
		return fmt.Errorf("decoding channel %d's settings: %w", c.ID, err)
	}
	return nil
}

// CreateChannel stores a bot's channel; see store.Channels.
func (d *DB) CreateChannel(ctx context.Context, ch *store.Channel) error {
	c, err := rules.Channel(*ch)
	if err != nil {
		return err
	}
	random, err := store.RandomBase62(32)
	if err != nil {
		return err
	}
	c.SiteToken, c.CreatedAt, c.UpdatedAt, c.UUID = "st_"+random, d.now(), d.now(), uuid.NewString()
	err = d.write(ctx, "creating a channel", func(t *tx) error {
		if c.BotID == 0 {
			return rules.NotFound("Bot", 0)
		}
		if err := t.checkBot(ctx, c.ProjectID, c.BotID); err != nil {
			return err
		}
		if c.IntegrationID != 0 {
			var one int
			err := t.queryRow(ctx, `SELECT 1 FROM integrations WHERE id = ? AND project_id = ?`, c.IntegrationID, c.ProjectID).Scan(&one)
			if err := notFound(err, "Integration", c.IntegrationID); err != nil {
				return err
			}
		}
		return t.insertChannel(ctx, &c)
	})
	if err != nil {
		return err
	}
	*ch = c
	return nil
}

// insertChannel stores c, filling in its ID.
func (t *tx) insertChannel(ctx context.Context, c *store.Channel) error {
	origins, err := rules.JSON(c.AllowedOrigins)
	if err != nil {
		return err
	}
	settings, err := rules.JSON(c.Settings)
	if err != nil {
		return err
	}
	return t.queryRow(ctx, `INSERT INTO channels (uuid, project_id, bot_id, kind, name, status, integration_id, settings,
			allowed_origins, site_token, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.UUID, c.ProjectID, c.BotID, c.Kind, c.Name, c.Status,
		nullID(c.IntegrationID), settings, origins, c.SiteToken, t.db.ts(c.CreatedAt), t.db.ts(c.UpdatedAt)).Scan(&c.ID)
}

// addAPIChannel gives a new bot its API channel.
func (t *tx) addAPIChannel(ctx context.Context, b *store.Bot) error {
	c := store.Channel{UUID: uuid.NewString(), ProjectID: b.ProjectID, BotID: b.ID, Kind: store.ChannelAPI, Name: b.Name,
		Status: store.ChannelActive, SiteToken: "api_" + b.UUID, CreatedAt: b.CreatedAt, UpdatedAt: b.CreatedAt}
	return t.insertChannel(ctx, &c)
}

// ProjectChannels lists a project's channels; see store.Channels.
func (d *DB) ProjectChannels(ctx context.Context, projectID int64) ([]store.Channel, error) {
	return list(ctx, d, "listing channels", scanChannel,
		`SELECT `+channelColumns+` FROM channels WHERE project_id = ?`+liveChannel+` ORDER BY id`, projectID)
}

// ChannelByUUID returns a project's channel; see store.Channels.
func (d *DB) ChannelByUUID(ctx context.Context, projectID int64, id string) (*store.Channel, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, rules.NotFound("Chat", id)
	}
	c := &store.Channel{}
	err = scanChannel(d.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE project_id = ? AND uuid = ?`+liveChannel,
		projectID, u.String()), c)
	if err != nil {
		return nil, wrap("reading a channel", notFound(err, "Chat", id))
	}
	return c, nil
}

// APIChannel returns a bot's API channel; see store.Channels.
func (d *DB) APIChannel(ctx context.Context, projectID, botID int64) (*store.Channel, error) {
	c := &store.Channel{}
	err := scanChannel(d.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE project_id = ? AND bot_id = ? AND kind = 'api'`,
		projectID, botID), c)
	if err != nil {
		return nil, wrap("reading a channel", notFound(err, "Bot", botID))
	}
	return c, nil
}

// ChannelEvents counts events by their dialog's channel; see
// store.Channels.
func (d *DB) ChannelEvents(ctx context.Context, projectID int64, since time.Time) (map[int64]int, error) {
	type count struct {
		channel int64
		n       int
	}
	counts, err := list(ctx, d, "counting events", func(r scanner, c *count) error { return r.Scan(&c.channel, &c.n) },
		`SELECT d.channel_id, count(*) FROM events e JOIN dialogs d ON d.id = e.dialog_id
		WHERE e.project_id = ? AND e.created_at >= ? AND d.channel_id IS NOT NULL GROUP BY d.channel_id`, projectID, d.ts(since))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(counts))
	for _, c := range counts {
		out[c.channel] = c.n
	}
	return out, nil
}

// BotChannels lists a bot's channels; see store.Channels.
func (d *DB) BotChannels(ctx context.Context, projectID, botID int64) ([]store.Channel, error) {
	return list(ctx, d, "listing channels", scanChannel,
		`SELECT `+channelColumns+` FROM channels WHERE project_id = ? AND bot_id = ? AND kind <> 'api' ORDER BY id`, projectID, botID)
}

// ChannelBySiteToken returns a site token's channel; see store.Channels.
func (d *DB) ChannelBySiteToken(ctx context.Context, token string) (*store.Channel, error) {
	c := &store.Channel{}
	if err := scanChannel(d.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE site_token = ? AND kind = 'widget'`, token), c); err != nil {
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
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM channels WHERE project_id = ? AND id = ? AND kind <> 'api'`, projectID, id).Scan(&one)
		if err := notFound(err, "Channel", id); err != nil {
			return err
		}
		// Its dialogs stay, of no channel.
		if _, err := t.exec(ctx, `UPDATE dialogs SET channel_id = NULL WHERE channel_id = ?`, id); err != nil {
			return err
		}
		_, err = t.exec(ctx, `DELETE FROM channels WHERE id = ?`, id)
		return err
	})
}

// UpdateChannel stores a channel's name, settings and, for a widget, its
// allowed origins; see store.Channels.
func (d *DB) UpdateChannel(ctx context.Context, ch *store.Channel) error {
	c, err := rules.Channel(*ch)
	if err != nil {
		return err
	}
	data, err := rules.JSON(c.Settings)
	if err != nil {
		return err
	}
	origins, err := rules.JSON(c.AllowedOrigins)
	if err != nil {
		return err
	}
	now := d.now()
	err = d.write(ctx, "updating a channel", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE channels SET name = ?, settings = ?, allowed_origins = CASE WHEN kind = 'widget' THEN ? ELSE allowed_origins END,
			updated_at = ? WHERE project_id = ? AND id = ?`, c.Name, data, origins, d.ts(now), c.ProjectID, c.ID)
		return changed(res, err, "Chat", c.UUID)
	})
	if err == nil {
		ch.Name, ch.Settings, ch.AllowedOrigins, ch.UpdatedAt = c.Name, c.Settings, c.AllowedOrigins, now
	}
	return err
}

// SetChannelStatus sets a channel's status; see store.Channels.
func (d *DB) SetChannelStatus(ctx context.Context, projectID, id int64, status string) error {
	if status != store.ChannelActive && status != store.ChannelDisabled && status != store.ChannelError {
		return store.FieldErrorf(store.EINVALID, "status", "The chat status is active, disabled or error, got %q.", status)
	}
	return d.write(ctx, "setting a channel's status", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE channels SET status = ?, updated_at = ? WHERE project_id = ? AND id = ?`,
			status, d.ts(d.now()), projectID, id)
		return changed(res, err, "Chat", id)
	})
}

// IntegrationChannels lists an integration's channels; see store.Channels.
func (d *DB) IntegrationChannels(ctx context.Context, projectID, integrationID int64) ([]store.Channel, error) {
	return list(ctx, d, "listing channels", scanChannel,
		`SELECT `+channelColumns+` FROM channels WHERE project_id = ? AND integration_id = ?`+liveChannel+` ORDER BY id`,
		projectID, integrationID)
}
