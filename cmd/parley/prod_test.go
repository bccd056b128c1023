package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/parleyhq/parley/devtemporal"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/pgtest"
)

// TestServeAndWorkerOnPostgres runs the production shape: `parley serve`
// and `parley worker` as separate processes against a Temporal server they
// reach by address and PostgreSQL, and drives a dialog through the API.
func TestServeAndWorkerOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes; skipped with -short")
	}
	dbURL := pgtest.URL(t)
	ts, err := devtemporal.Start(t.Context(), devtemporal.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Stop() })
	key := seedProject(t, dbURL)
	env := append(os.Environ(), "PARLEY_TEST_AS_PARLEY=1", "PARLEY_DATABASE_URL="+dbURL,
		"PARLEY_TEMPORAL_ADDRESS="+ts.HostPort(), "PARLEY_TEMPORAL_NAMESPACE="+ts.Namespace())
	addr := freeAddr(t)
	logs := &bytes.Buffer{}
	for _, args := range [][]string{{"worker"}, {"serve", "--addr", addr}} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	api := &apiProcess{url: "http://" + addr, logs: logs}
	waitHealthy(t, api)
	api.key = key
	api.call(t, "PUT", "/v1/bots/crash/flow", rawYAML(crashBot))
	created := api.call(t, "POST", "/v1/bots/crash/dialogs", map[string]any{})
	id := created["id"].(string)
	if got := said(api.call(t, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": "Bea"})); got != "Colour, Bea?" {
		t.Fatalf("reply = %q\n%s", got, logs)
	}
	if got := said(api.call(t, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": "red"})); got != "Bye Bea." {
		t.Fatalf("reply = %q\n%s", got, logs)
	}
	view := api.call(t, "GET", "/v1/dialogs/"+id, nil)
	want := "assistant:Name? | user:Bea | assistant:Colour, Bea? | user:red | assistant:Bye Bea."
	if got := transcript(view); view["status"] != "completed" || got != want {
		t.Errorf("status %v, transcript %s", view["status"], got)
	}
}

// seedProject creates a project with an API key in the database, as an
// administrator would, and returns the key.
func seedProject(t *testing.T, dbURL string) string {
	t.Helper()
	db, err := postgres.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.CreateOrganization(t.Context(), "Prod")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(t.Context(), org.ID, "Prod")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := db.CreateAPIKey(t.Context(), p.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	var _ store.Store = db
	return key
}

func waitHealthy(t *testing.T, p *apiProcess) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if resp, err := httpGet(ctx, p.url+"/healthz"); err == nil && resp == 200 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("parley serve did not start:\n%s", p.logs)
}
