package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
	"github.com/parleyhq/parley/worker"
)

// testKey is a random key and its PARLEY_SECRET_KEY spelling.
func testKey(t *testing.T) ([]byte, string) {
	t.Helper()
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	return key, base64.StdEncoding.EncodeToString(key)
}

// plantSecrets stores, sealed with box, a webhook with a current and a
// previous secret, an integration's credentials and an AI token, and
// returns their plain values by kind (the previous secret's kind first).
func plantSecrets(t *testing.T, path string, box *secretbox.Box) map[string]string {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plain := map[string]string{
		store.SealedWebhookPrevious: "whsec_first", store.SealedWebhookSecret: "whsec_second",
		store.SealedIntegration: `{"token":"123456:telegram-bot-token"}`, store.SealedAIToken: "sk-ai-token",
	}
	seal := func(kind string) string {
		s, err := box.Seal(plain[kind])
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	o, err := db.CreateOrganization(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(ctx, o.ID, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	w := &store.Webhook{ProjectID: p.ID, URL: "https://example.com/hook", Events: []string{"dialog.*"}, Secret: seal(store.SealedWebhookPrevious)}
	must(t, db.CreateWebhook(ctx, w))
	must(t, db.RotateWebhookSecret(ctx, p.ID, w.UUID, seal(store.SealedWebhookSecret), time.Now().Add(time.Hour)))
	must(t, db.CreateIntegration(ctx, &store.Integration{ProjectID: p.ID, Name: "Bot", Vendor: "telegram", AuthData: seal(store.SealedIntegration)}))
	must(t, db.CreateAIToken(ctx, &store.AIToken{Name: "Primary", Sealed: seal(store.SealedAIToken), Active: true}))
	return plain
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readAll opens every sealed value of the database at path with box, as
// the processes that use them do, and fails t on any it cannot open or
// that is not the plain value planted.
func readAll(t *testing.T, path string, box *secretbox.Box, plain map[string]string) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := db.SealedSecrets(t.Context())
	if err != nil || len(all) != len(plain) {
		t.Fatalf("sealed secrets %d, %v; want %d", len(all), err, len(plain))
	}
	for _, s := range all {
		if got, err := box.Open(s.Sealed); err != nil || got != plain[s.Kind] {
			t.Errorf("%s: opened %q, %v; want %q", describeSealed(s), got, err, plain[s.Kind])
		}
	}
	keys, err := (&worker.AITokenKeys{Store: db, Box: box}).Usable(t.Context(), "gpt-4")
	if err != nil || len(keys) != 1 || keys[0].Secret != plain[store.SealedAIToken] {
		t.Errorf("the worker's AI token keys: %+v, %v", keys, err)
	}
}

// rotate runs parley rotate-secrets on dir and returns its exit code and
// output.
func rotate(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"rotate-secrets"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestRotateSecrets: values sealed under key A open when the processes
// start with key B and A as old; rotate-secrets re-seals them all under B,
// once (running it again changes nothing); then B alone opens them all.
// (JWTs signed under A: server's TestTokensAfterKeyRotation.)
func TestRotateSecrets(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "parley.db")
	keyA, encA := testKey(t)
	keyB, encB := testKey(t)
	boxA, _ := secretbox.New(keyA)
	plain := plantSecrets(t, path, boxA)

	t.Setenv(secretbox.EnvKey, encB)
	t.Setenv(secretbox.EnvOldKeys, encA)
	rotating, err := secretbox.FromEnv(keyB) // as the processes open it (secretKey)
	must(t, err)
	readAll(t, path, rotating, plain)

	code, out, errOut := rotate(t, "--data", dir)
	want := "Re-sealed 2 webhook secrets, 1 integration, 1 AI token; 0 already under the current key; 0 left under old keys.\n"
	if code != 0 || out != want {
		t.Fatalf("rotate-secrets = %d, %q %s; want 0, %q", code, out, errOut, want)
	}
	code, out, errOut = rotate(t, "--database", path)
	want = "Re-sealed 0 webhook secrets, 0 integrations, 0 AI tokens; 4 already under the current key; 0 left under old keys.\n"
	if code != 0 || out != want {
		t.Errorf("rotate-secrets again = %d, %q %s; want 0, %q", code, out, errOut, want)
	}

	t.Setenv(secretbox.EnvOldKeys, "")
	boxB, err := secretbox.FromEnv(keyB)
	must(t, err)
	readAll(t, path, boxB, plain)
}

// TestRotateSecretsRefuses: a value that opens under no given key stops
// the rotation before anything is written, naming the value; without a
// current key nothing is tried, and no key file is made.
func TestRotateSecretsRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "parley.db")
	keyA, encA := testKey(t)
	_, encB := testKey(t)
	keyC, _ := testKey(t)
	boxA, _ := secretbox.New(keyA)
	boxC, _ := secretbox.New(keyC)
	plantSecrets(t, path, boxA)
	db, err := sqlite.Open(t.Context(), path)
	must(t, err)
	sealedC, _ := boxC.Seal("sk-lost")
	must(t, db.CreateAIToken(t.Context(), &store.AIToken{Name: "Lost", Sealed: sealedC}))
	before, err := db.SealedSecrets(t.Context())
	must(t, err)
	db.Close()

	t.Setenv(secretbox.EnvKey, encB)
	t.Setenv(secretbox.EnvOldKeys, encA)
	code, out, errOut := rotate(t, "--database", path)
	if code != 1 || out != "" || !strings.Contains(errOut, `AI token "Lost"`) || !strings.Contains(errOut, "nothing was changed") {
		t.Errorf("rotate-secrets = %d, %q %q; want 1, naming the AI token and saying nothing was changed", code, out, errOut)
	}
	db, err = sqlite.Open(t.Context(), path)
	must(t, err)
	defer db.Close()
	after, err := db.SealedSecrets(t.Context())
	must(t, err)
	if len(after) != len(before) {
		t.Fatalf("%d sealed values after, %d before", len(after), len(before))
	}
	for i := range before {
		if after[i] != before[i] {
			t.Errorf("%s changed: %q, was %q", describeSealed(after[i]), after[i].Sealed, before[i].Sealed)
		}
	}

	t.Setenv(secretbox.EnvKey, "")
	empty := t.TempDir()
	code, _, errOut = rotate(t, "--data", empty)
	if code != 2 || !strings.Contains(errOut, secretbox.EnvKey) {
		t.Errorf("without a key: %d %q; want 2, naming %s", code, errOut, secretbox.EnvKey)
	}
	if _, err := os.Stat(filepath.Join(empty, "secret.key")); err == nil {
		t.Error("rotate-secrets made a key file")
	}
}
