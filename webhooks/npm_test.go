package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/npmtest"
)

// verifyProject is the Node project that checks signatures with the
// standardwebhooks npm package.
const verifyProject = "testdata/verify"

// TestStandardWebhooksNPM checks that the reference JavaScript library
// accepts what Send signs, and rejects it once the body is changed.
func TestStandardWebhooksNPM(t *testing.T) {
	dir, node := npmtest.Project(t, verifyProject, "the standardwebhooks test")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

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
