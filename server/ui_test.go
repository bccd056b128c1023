package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/servertest"
)

// TestWebAppServed: /ui/ is the built app's page, every script and style it
// loads is served from the binary with its type, and nothing comes from
// another host.
func TestWebAppServed(t *testing.T) {
	e := servertest.New(t, dialects...)
	page := e.Do("GET", "/ui", "", nil)
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/ui: %d %s", page.Status, page.Header.Get("Content-Type"))
	}
	assets := regexp.MustCompile(`(?:src|href)="(/ui/assets/[^"]+)"`).FindAllStringSubmatch(string(page.Body), -1)
	if len(assets) == 0 {
		t.Fatalf("/ui/ loads no asset: %s", page.Body)
	}
	for _, a := range assets {
		r := e.Do("GET", a[1], "", nil)
		typ := r.Header.Get("Content-Type")
		if r.Status != http.StatusOK || len(r.Body) == 0 || !(strings.HasPrefix(typ, "text/javascript") || strings.HasPrefix(typ, "text/css")) {
			t.Errorf("%s: %d %s, %d bytes", a[1], r.Status, typ, len(r.Body))
		}
	}
	if regexp.MustCompile(`(?:src|href)="(https?:)?//`).Match(page.Body) {
		t.Error("/ui/ loads something from another host; the app is served from the binary")
	}
	if r := e.Do("GET", "/ui/assets/nope.js", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("a missing asset: %d", r.Status)
	}
}

// TestSecurityHeaders: every answer says nosniff; the web app's page has
// a CSP that runs only its own scripts (none inline, no eval) and may not
// be framed.
func TestSecurityHeaders(t *testing.T) {
	e := servertest.New(t, dialects...)
	page := e.Do("GET", "/ui", "", nil)
	csp := page.Header.Get("Content-Security-Policy")
	scripts := regexp.MustCompile(`script-src ([^;]*)`).FindStringSubmatch(csp)
	if len(scripts) != 2 || scripts[1] != "'self'" || !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "object-src 'none'") || page.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("/ui's CSP %q, X-Frame-Options %q", csp, page.Header.Get("X-Frame-Options"))
	}
	for _, r := range []*servertest.Response{page, e.Do("GET", "/v1/bots", e.A.Bearer(), nil), e.Do("GET", "/nothing", "", nil),
		e.Do("GET", "/v1/bots", "", nil)} {
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("an answer %d without X-Content-Type-Options: nosniff: %v", r.Status, r.Header)
		}
	}
}
