package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	apiKeyColumns = `id, project_id, name, prefix, created_at`
	selectAPIKey  = `SELECT ` + apiKeyColumns + ` FROM api_keys WHERE key_hash = ?`
)

func scanAPIKey(r scanner, k *store.APIKey) error {
	return r.Scan(&k.ID, &k.ProjectID, &k.Name, &k.Prefix, timeScanner{&k.CreatedAt})
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
