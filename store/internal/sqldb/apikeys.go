package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	apiKeyColumns = `id, project_id, name, prefix, created_at, last_used_at`
	selectAPIKey  = `SELECT ` + apiKeyColumns + ` FROM api_keys WHERE key_hash = ?`
)

func scanAPIKey(r scanner, k *store.APIKey) error {
	return r.Scan(&k.ID, &k.ProjectID, &k.Name, &k.Prefix, timeScanner{&k.CreatedAt}, nullTimeScanner{&k.LastUsedAt})
}

// CreateAPIKey makes, stores (hashed) and returns a new random key.
func (d *DB) CreateAPIKey(ctx context.Context, projectID int64, name string) (string, *store.APIKey, error) {
	key, err := store.NewAPIKey()
	if err != nil {
		return "", nil, fmt.Errorf("creating API key: %w", err)
	}
	k, err := d.storeAPIKey(ctx, "creating API key", projectID, name, key)
	if err != nil {
		return "", nil, err
	}
	return key, k, nil
}

// RegisterAPIKey stores a key chosen by the caller; see store.Accounts.
func (d *DB) RegisterAPIKey(ctx context.Context, projectID int64, name, key string) (*store.APIKey, error) {
	if err := store.CheckAPIKey(key); err != nil {
		return nil, err
	}
	return d.storeAPIKey(ctx, "registering API key", projectID, name, key)
}

// storeAPIKey inserts the key unless its hash is stored already, then
// returns the stored record: a key stored again for its own project is a
// no-op, for another project ECONFLICT. ON CONFLICT makes concurrent
// registrations of one key wait for each other instead of failing.
func (d *DB) storeAPIKey(ctx context.Context, what string, projectID int64, name, key string) (*store.APIKey, error) {
	k := &store.APIKey{}
	err := d.write(ctx, what, func(t *tx) error {
		if err := t.mustExist(ctx, "projects", "Project", projectID); err != nil {
			return err
		}
		hash := store.HashAPIKey(key)
		if _, err := t.exec(ctx, `INSERT INTO api_keys (project_id, name, prefix, key_hash, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (key_hash) DO NOTHING`,
			projectID, name, store.APIKeyPrefix(key), hash, d.ts(d.now())); err != nil {
			return err
		}
		if err := scanAPIKey(t.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE key_hash = ?`, hash), k); err != nil {
			return err
		}
		if k.ProjectID != projectID {
			return rules.ErrAPIKeyTaken
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// APIKeyByKey returns the record of a plain key; EUNAUTHORIZED if unknown.
func (d *DB) APIKeyByKey(ctx context.Context, key string) (*store.APIKey, error) {
	k := &store.APIKey{}
	err := scanAPIKey(d.queryRow(ctx, selectAPIKey, store.HashAPIKey(key)), k)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, rules.ErrUnknownAPIKey
		}
		return nil, fmt.Errorf("looking up API key: %w", err)
	}
	return k, nil
}

// APIKeys lists a project's keys, oldest first.
func (d *DB) APIKeys(ctx context.Context, projectID int64) ([]store.APIKey, error) {
	return list(ctx, d, "listing API keys", scanAPIKey,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE project_id = ? ORDER BY id`, projectID)
}

// DeleteAPIKey deletes a project's key; ENOTFOUND if the project has none of that id.
func (d *DB) DeleteAPIKey(ctx context.Context, projectID, keyID int64) error {
	return d.write(ctx, "deleting API key", func(t *tx) error {
		res, err := t.exec(ctx, `DELETE FROM api_keys WHERE id = ? AND project_id = ?`, keyID, projectID)
		return changed(res, err, "API key", keyID)
	})
}

// TouchAPIKey moves a key's last_used_at forward to at; ENOTFOUND if no
// key has the id. It never moves it back, so processes writing it out of
// order keep the latest.
func (d *DB) TouchAPIKey(ctx context.Context, keyID int64, at time.Time) error {
	return d.write(ctx, "recording API key use", func(t *tx) error {
		at := d.ts(at)
		res, err := t.exec(ctx, `UPDATE api_keys SET last_used_at = CASE
			WHEN last_used_at IS NULL OR last_used_at < ? THEN ? ELSE last_used_at END WHERE id = ?`, at, at, keyID)
		return changed(res, err, "API key", keyID)
	})
}
