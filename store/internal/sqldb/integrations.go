package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const integrationColumns = `id, uuid, project_id, name, vendor, status, auth_data, settings, out_seq, created_at, updated_at`

func scanIntegration(r scanner, in *store.Integration) error {
	var settings string
	if err := r.Scan(&in.ID, &in.UUID, &in.ProjectID, &in.Name, &in.Vendor, &in.Status, &in.AuthData, &settings, &in.OutSeq,
		timeScanner{&in.CreatedAt}, timeScanner{&in.UpdatedAt}); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(settings), &in.Settings); err != nil {
		return fmt.Errorf("decoding integration %d's settings: %w", in.ID, err)
	}
	return nil
}

// checkIntegration normalises an integration's name, status and settings
// and returns EINVALID for what the store does not keep.
func checkIntegration(in store.Integration) (store.Integration, error) {
	in.Name = rules.Clean(strings.TrimSpace(in.Name))
	if in.Status == "" {
		in.Status = store.IntegrationActive
	}
	if in.Settings == nil {
		in.Settings = map[string]any{}
	}
	switch {
	case in.Name == "":
		return in, store.FieldErrorf(store.EINVALID, "name", "Name the integration.")
	case !store.IsIntegrationVendor(in.Vendor):
		return in, store.FieldErrorf(store.EINVALID, "vendor", "The vendor is one of %s; got %q.",
			strings.Join(store.IntegrationVendors, ", "), in.Vendor)
	case in.Status != store.IntegrationActive && in.Status != store.IntegrationDisabled && in.Status != store.IntegrationError:
		return in, store.FieldErrorf(store.EINVALID, "status", "The integration status is active, disabled or error, got %q.", in.Status)
	}
	return in, nil
}

// CreateIntegration stores an integration; see store.Integrations.
func (d *DB) CreateIntegration(ctx context.Context, in *store.Integration) error {
	c, err := checkIntegration(*in)
	if err != nil {
		return err
	}
	settings, err := rules.JSON(c.Settings)
	if err != nil {
		return err
	}
	c.UUID, c.CreatedAt = uuid.NewString(), d.now()
	c.UpdatedAt = c.CreatedAt
	err = d.write(ctx, "creating an integration", func(t *tx) error {
		// Replies are relayed from now on, not from the log's past.
		last, err := t.lastEventSeq(ctx, c.ProjectID, 0)
		if err != nil {
			return notFound(err, "Project", c.ProjectID)
		}
		c.OutSeq = last
		return t.queryRow(ctx, `INSERT INTO integrations (uuid, project_id, name, vendor, status, auth_data, settings, out_seq,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.UUID, c.ProjectID, c.Name, c.Vendor,
			c.Status, c.AuthData, settings, c.OutSeq, d.ts(c.CreatedAt), d.ts(c.UpdatedAt)).Scan(&c.ID)
	})
	if err != nil {
		return err
	}
	*in = c
	return nil
}

// Integration returns a project's integration; see store.Integrations.
func (d *DB) Integration(ctx context.Context, projectID int64, id string) (*store.Integration, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, rules.NotFound("Integration", id)
	}
	in := &store.Integration{}
	err = scanIntegration(d.queryRow(ctx, `SELECT `+integrationColumns+` FROM integrations WHERE project_id = ? AND uuid = ?`,
		projectID, u.String()), in)
	if err != nil {
		return nil, wrap("reading an integration", notFound(err, "Integration", id))
	}
	return in, nil
}

// IntegrationOfAnyProject returns an integration by UUID; see
// store.Integrations.
func (d *DB) IntegrationOfAnyProject(ctx context.Context, id string) (*store.Integration, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, rules.NotFound("Integration", id)
	}
	in := &store.Integration{}
	err = scanIntegration(d.queryRow(ctx, `SELECT `+integrationColumns+` FROM integrations WHERE uuid = ?`, u.String()), in)
	if err != nil {
		return nil, wrap("reading an integration", notFound(err, "Integration", id))
	}
	return in, nil
}

// ProjectIntegrations lists a project's integrations; see
// store.Integrations.
func (d *DB) ProjectIntegrations(ctx context.Context, projectID int64) ([]store.Integration, error) {
	return list(ctx, d, "listing integrations", scanIntegration,
		`SELECT `+integrationColumns+` FROM integrations WHERE project_id = ? ORDER BY id`, projectID)
}

// VendorIntegrations lists every project's integrations of a vendor.
func (d *DB) VendorIntegrations(ctx context.Context, vendor string) ([]store.Integration, error) {
	return list(ctx, d, "listing integrations", scanIntegration,
		`SELECT `+integrationColumns+` FROM integrations WHERE vendor = ? ORDER BY id`, vendor)
}

// UpdateIntegration stores an integration's changes; see
// store.Integrations.
func (d *DB) UpdateIntegration(ctx context.Context, in *store.Integration) error {
	c, err := checkIntegration(*in)
	if err != nil {
		return err
	}
	settings, err := rules.JSON(c.Settings)
	if err != nil {
		return err
	}
	c.UpdatedAt = d.now()
	err = d.write(ctx, "updating an integration", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE integrations SET name = ?, status = ?, auth_data = ?, settings = ?, updated_at = ?
			WHERE project_id = ? AND id = ?`, c.Name, c.Status, c.AuthData, settings, d.ts(c.UpdatedAt), c.ProjectID, c.ID)
		return changed(res, err, "Integration", c.UUID)
	})
	if err != nil {
		return err
	}
	*in = c
	return nil
}

// DeleteIntegration removes an integration and its chats; see
// store.Integrations.
func (d *DB) DeleteIntegration(ctx context.Context, projectID, id int64) error {
	return d.write(ctx, "deleting an integration", func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE dialogs SET channel_id = NULL
			WHERE channel_id IN (SELECT id FROM channels WHERE project_id = ? AND integration_id = ?)`, projectID, id)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM channels WHERE project_id = ? AND integration_id = ?`, projectID, id); err != nil {
			return err
		}
		res, err := t.exec(ctx, `DELETE FROM integrations WHERE project_id = ? AND id = ?`, projectID, id)
		return changed(res, err, "Integration", id)
	})
}

// DeleteIntegrationChannel removes an integration's channel; see
// store.Integrations.
func (d *DB) DeleteIntegrationChannel(ctx context.Context, projectID, integrationID, channelID int64) error {
	return d.write(ctx, "deleting a channel", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM channels WHERE project_id = ? AND integration_id = ? AND id = ?`,
			projectID, integrationID, channelID).Scan(&one)
		if err := notFound(err, "Chat", channelID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE dialogs SET channel_id = NULL WHERE channel_id = ?`, channelID); err != nil {
			return err
		}
		_, err = t.exec(ctx, `DELETE FROM channels WHERE id = ?`, channelID)
		return err
	})
}

// IntegrationAuthLost marks an integration in error with its event; see
// store.Integrations.
func (d *DB) IntegrationAuthLost(ctx context.Context, projectID, id int64, reason string) (bool, error) {
	lost := false
	err := d.write(ctx, "marking an integration's credentials lost", func(t *tx) error {
		var id2, vendor, status string
		err := t.queryRow(ctx, `SELECT uuid, vendor, status FROM integrations WHERE project_id = ? AND id = ?`, projectID, id).
			Scan(&id2, &vendor, &status)
		if err := notFound(err, "Integration", id); err != nil || status == store.IntegrationError {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE integrations SET status = ?, updated_at = ? WHERE id = ?`,
			store.IntegrationError, d.ts(d.now()), id); err != nil {
			return err
		}
		t.log(store.Event{ProjectID: projectID, Type: store.EventIntegrationAuthLost,
			Data: store.EventData{Extra: map[string]any{"integration_id": id2, "vendor": vendor, "reason": reason}}})
		lost = true
		return nil
	})
	return lost, err
}

// SetIntegrationOutSeq records how far an integration has relayed; see
// store.Integrations.
func (d *DB) SetIntegrationOutSeq(ctx context.Context, projectID, id, seq int64) error {
	return d.write(ctx, "recording an integration's relayed events", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE integrations SET out_seq = ? WHERE project_id = ? AND id = ? AND out_seq < ?`,
			seq, projectID, id, seq)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		var one int
		return notFound(t.queryRow(ctx, `SELECT 1 FROM integrations WHERE project_id = ? AND id = ?`, projectID, id).Scan(&one),
			"Integration", id)
	})
}
