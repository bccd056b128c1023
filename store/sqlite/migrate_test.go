package sqlite

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestDeliveryStatusCheck: 0016 makes webhook_deliveries again with its
// status rule written so that SQLite checks it in place; the rows a
// database had before keep their values, and a wrong status is still
// refused.
func TestDeliveryStatusCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	raw, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := t.Context()
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.HasSuffix(name, "0016_delivery_status_check.sql") {
			break
		}
		if err := apply(ctx, raw, name); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO organizations (id, name, created_at) VALUES (1, 'Acme', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO projects (id, org_id, name, created_at) VALUES (1, 1, 'P', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO webhooks (id, uuid, project_id, url, description, events, status, disabled_reason, secret, previous_secret,
			created_at, updated_at) VALUES (1, 'w', 1, 'https://example.com', '', '["*"]', 'active', '', 's', '',
			'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO webhook_deliveries (id, webhook_id, project_id, event_seq, event_type, attempts, status, next_attempt_at,
			last_status, last_error, delivered_at, created_at)
			VALUES (7, 1, 1, 3, 'message.created', 2, 'pending', '2026-01-02T00:00:00.000Z', 500, 'HTTP 500', NULL, '2026-01-01T00:00:00.000Z')`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := migrate(ctx, raw); err != nil {
		t.Fatal(err)
	}
	var got string
	err = raw.QueryRowContext(ctx, `SELECT id || ' ' || event_seq || ' ' || status || ' ' || next_attempt_at || ' ' || last_error
		FROM webhook_deliveries`).Scan(&got)
	if want := "7 3 pending 2026-01-02T00:00:00.000Z HTTP 500"; err != nil || got != want {
		t.Errorf("after 0016: %q (%v), want %q", got, err, want)
	}
	_, err = raw.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, project_id, event_seq, event_type, status, created_at)
		VALUES (1, 1, 4, 'x', 'lost', '2026-01-01T00:00:00.000Z')`)
	if err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Errorf("a wrong status: %v, want a CHECK failure", err)
	}
	plan := dumpQuery(t, raw, `EXPLAIN INSERT INTO webhook_deliveries (webhook_id, project_id, event_seq, event_type,
		status, created_at) VALUES (1, 1, 5, 'x', 'delivered', '2026-01-01T00:00:00.000Z')`)
	if strings.Contains(plan, "|OpenEphemeral|") {
		t.Errorf("inserting a delivery still builds a temporary b-tree (OpenEphemeral):\n%s", plan)
	}
}
