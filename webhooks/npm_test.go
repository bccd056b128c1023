package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// verifyProject is the Node project that checks signatures with the
// standardwebhooks npm package.
const verifyProject = "testdata/verify"

// TestStandardWebhooksNPM checks that the reference JavaScript library
// accepts what Send signs, and rejects it once the body is changed.
func TestStandardWebhooksNPM(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs an npm package; skipped with -short")
	}
	node, nodeErr := exec.LookPath("node")
	npm, npmErr := exec.LookPath("npm")
	if nodeErr != nil || npmErr != nil {
		t.Skip("node and npm are not on PATH: install Node.js 18 or newer with npm (apt-get install nodejs npm) to run the standardwebhooks test")
	}
	dir, err := filepath.Abs(verifyProject)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if stale(filepath.Join(dir, "node_modules", ".package-lock.json"), filepath.Join(dir, "package-lock.json")) {
		ci := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		ci.Dir = dir
		if out, err := ci.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}

	// Sign for real, with the current time: the library refuses
	// timestamps more than five minutes off.
	srv, got := receiver(t, nil)
	newest, older := newSecret(t), newSecret(t)
	const raw = "a Worken client's own secret"
	body, err := Body("evt_npm", "thread.message.created", time.Now(), json.RawMessage(`{"text":"Привет, <world> & all"}`))
	if err != nil {
		t.Fatal(err)
	}
	send := func(secrets ...string) received {
		res := (&Sender{}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_npm", Body: body, Secrets: secrets})
		if !res.Delivered {
			t.Fatalf("Send = %+v, want delivered", res)
		}
		return <-got
	}
	rotating, own := send(newest, older), send(raw)

	for _, tc := range []struct {
		name   string
		r      received
		secret string
		raw    bool
		body   string
		want   int // node's exit code
	}{
		{"newest secret", rotating, newest, false, string(body), 0},
		{"older secret", rotating, older, false, string(body), 0},
		{"raw secret", own, raw, true, string(body), 0},
		{"tampered body", rotating, newest, false, strings.Replace(string(body), "world", "w0rld", 1), 1},
		{"unknown secret", rotating, newSecret(t), false, string(body), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := json.Marshal(map[string]any{
				"secret":    tc.secret,
				"raw":       tc.raw,
				"id":        tc.r.header.Get("webhook-id"),
				"timestamp": tc.r.header.Get("webhook-timestamp"),
				"signature": tc.r.header.Get("webhook-signature"),
				"body":      tc.body,
			})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, node, "verify.mjs")
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(string(in))
			out, err := cmd.CombinedOutput()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatalf("running node verify.mjs: %v", err)
			}
			if code != tc.want {
				t.Errorf("node verify.mjs exited %d, want %d:\n%s", code, tc.want, out)
			}
		})
	}
}

// stale reports whether the installed packages (npm's copy of the lock
// file in node_modules) are missing or older than the lock file.
func stale(installed, lock string) bool {
	i, err := os.Stat(installed)
	if err != nil {
		return true
	}
	l, err := os.Stat(lock)
	return err != nil || i.ModTime().Before(l.ModTime())
}
