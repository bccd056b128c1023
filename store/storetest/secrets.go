package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// SecretsHashed checks, through dump (every row of a raw table as text),
// that neither a plain API key, nor a plain password, nor a plain block
// token is stored anywhere: only argon2id and SHA-256 hashes.
func SecretsHashed(t *testing.T, db store.Store, dump func(table string) string) {
	t.Helper()
	ctx := t.Context()
	o, err := db.CreateOrganization(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(ctx, o.ID, "P")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := db.CreateAPIKey(ctx, p.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	const devKey, password = "sk-dev-key-0123456789", "hunter2-password"
	if _, err := db.RegisterAPIKey(ctx, p.ID, "dev", devKey); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, "a@example.com", "A", password); err != nil {
		t.Fatal(err)
	}
	d := &store.Dialog{ProjectID: p.ID}
	if err := db.CreateDialog(ctx, d); err != nil {
		t.Fatal(err)
	}
	const blockToken = "block-token-0123456789"
	if _, err := db.SaveBlockToken(ctx, blockToken, store.BlockToken{ProjectID: p.ID, DialogID: d.ID, Node: "crm",
		ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"api_keys", "users", "block_tokens"} {
		for _, secret := range []string{key, devKey, password, blockToken} {
			if dump := dump(table); strings.Contains(dump, secret) {
				t.Errorf("table %s holds the plain secret %q:\n%s", table, secret, dump)
			}
		}
	}
	if dump := dump("users"); !strings.Contains(dump, "$argon2id$v=19$") {
		t.Errorf("users holds no argon2id hash:\n%s", dump)
	}
	if dump := dump("block_tokens"); !strings.Contains(dump, store.HashSecret(blockToken)) {
		t.Errorf("block_tokens holds no SHA-256 of the token:\n%s", dump)
	}
}
