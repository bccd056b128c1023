package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/netguard"
)

func TestWebhookLease(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "2s": 2 * time.Second, "5m": 5 * time.Minute} {
		t.Setenv("PARLEY_WEBHOOK_LEASE", v)
		if got, err := webhookLease(); err != nil || got != want {
			t.Errorf("PARLEY_WEBHOOK_LEASE=%q: %v %v, want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"soon", "0s", "-1m"} {
		t.Setenv("PARLEY_WEBHOOK_LEASE", v)
		if _, err := webhookLease(); err == nil || !strings.Contains(err.Error(), "PARLEY_WEBHOOK_LEASE") {
			t.Errorf("PARLEY_WEBHOOK_LEASE=%q: %v, want an error naming the variable", v, err)
		}
	}
}

// TestWebhookClientKeepsConns: the dispatcher's attempts at one endpoint
// reuse as many connections as it makes at once.
func TestWebhookClientKeepsConns(t *testing.T) {
	c := webhookClient(netguard.Policy{})
	if got := c.Transport.(*http.Transport).MaxIdleConnsPerHost; got != webhookConns {
		t.Errorf("idle connections per endpoint = %d, want %d", got, webhookConns)
	}
}
