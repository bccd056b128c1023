package sqldb

import (
	"context"

	"github.com/parleyhq/parley/store"
)

// sealedColumn is where the values of one kind of sealed secret live.
type sealedColumn struct {
	table, column, ref string
}

// sealedColumns maps each of store.SealedKinds to its column. The names
// are constants: they are written into queries.
var sealedColumns = map[string]sealedColumn{
	store.SealedWebhookSecret:   {"webhooks", "secret", "uuid"},
	store.SealedWebhookPrevious: {"webhooks", "previous_secret", "uuid"},
	store.SealedIntegration:     {"integrations", "auth_data", "uuid"},
	store.SealedAIToken:         {"ai_tokens", "sealed_token", "name"},
}

// SealedSecrets lists every sealed value; see store.SealedSecrets.
func (d *DB) SealedSecrets(ctx context.Context) ([]store.SealedSecret, error) {
	out := []store.SealedSecret{}
	err := d.read(ctx, "listing sealed secrets", func(t *tx) error {
		for _, kind := range store.SealedKinds {
			c := sealedColumns[kind]
			rows, err := t.query(ctx, `SELECT id, `+c.ref+`, `+c.column+` FROM `+c.table+
				` WHERE `+c.column+` <> '' ORDER BY id`)
			if err != nil {
				return err
			}
			some, err := collect(rows, func(r scanner, s *store.SealedSecret) error {
				s.Kind = kind
				return r.Scan(&s.ID, &s.Ref, &s.Sealed)
			})
			if err != nil {
				return err
			}
			out = append(out, some...)
		}
		return nil
	})
	return out, err
}

// ResealSecrets replaces sealed values that are unchanged; see
// store.SealedSecrets.
func (d *DB) ResealSecrets(ctx context.Context, rs []store.SealedSecret) (int, error) {
	for _, r := range rs {
		if _, ok := sealedColumns[r.Kind]; !ok {
			return 0, store.Errorf(store.EINVALID, "There is no sealed secret of kind %q.", r.Kind)
		}
		if r.Resealed == "" {
			return 0, store.Errorf(store.EINVALID, "The new sealed value of %s %d is empty.", r.Kind, r.ID)
		}
	}
	n := 0
	err := d.write(ctx, "resealing secrets", func(t *tx) error {
		n = 0
		for _, r := range rs {
			c := sealedColumns[r.Kind]
			// Only where the value is still the one read: what changed
			// meanwhile was sealed by its writer, and stays.
			res, err := t.exec(ctx, `UPDATE `+c.table+` SET `+c.column+` = ? WHERE id = ? AND `+c.column+` = ?`,
				r.Resealed, r.ID, r.Sealed)
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(m)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
