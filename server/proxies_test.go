package server_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const echoBot = `bot: echo
nodes:
  ask:
    kind: question
    text: Hello, what is it?
    next: ask
`

// TestClientAddress: a dialog keeps its client's address. X-Forwarded-For
// is believed only from a configured proxy; by default anyone could
// choose the address a dialog records.
func TestClientAddress(t *testing.T) {
	for _, tt := range []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no proxy trusted", nil, "127.0.0.1"},
		{"the loopback proxy trusted", []string{"127.0.0.1"}, "203.0.113.9"},
		{"another proxy trusted", []string{"10.0.0.0/8"}, "127.0.0.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := servertest.NewWith(t, servertest.Options{TrustedProxies: tt.proxies}, native.Dialect)
			if r := e.Do("PUT", "/v1/bots/echo/flow", e.A.Bearer(), echoBot); r.Status != http.StatusOK {
				t.Fatalf("publishing: %d %s", r.Status, r.Body)
			}
			header := http.Header{"Authorization": {e.A.Bearer()}, "X-Forwarded-For": {"203.0.113.9"}}
			var created struct{ ID string }
			r := e.DoWith("POST", "/v1/bots/echo/dialogs", header, map[string]any{})
			if r.Status != http.StatusCreated {
				t.Fatalf("creating a dialog: %d %s", r.Status, r.Body)
			}
			r.JSON(t, &created)
			d, err := e.Store.Dialog(t.Context(), e.A.ID, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.IP != tt.want {
				t.Errorf("the dialog's IP is %q, want %q", d.IP, tt.want)
			}
		})
	}
}
