package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/server/worken"
)

const (
	appOrigin  = "https://app.example.com"
	evilOrigin = "https://evil.example.com"
)

// preflight sends a browser's CORS preflight of method at path from
// origin.
func preflight(e *servertest.Env, path, origin, method string) *servertest.Response {
	return e.DoWith("OPTIONS", path, http.Header{"Origin": {origin}, "Access-Control-Request-Method": {method},
		"Access-Control-Request-Headers": {"authorization,content-type"}}, nil)
}

// from is a request's headers with a credential and a page's origin.
func fromPage(auth, origin string) http.Header {
	return http.Header{"Authorization": {auth}, "Origin": {origin}}
}

// wantAllowed fails unless r lets a page of origin read it: the exact
// origin (never *), credentials, and Vary: Origin.
func wantAllowed(t *testing.T, what string, r *servertest.Response, origin string) {
	t.Helper()
	h := r.Header
	if h.Get("Access-Control-Allow-Origin") != origin || h.Get("Access-Control-Allow-Credentials") != "true" || !varyOrigin(h) {
		t.Errorf("%s: %d, Allow-Origin %q, Allow-Credentials %q, Vary %q; want %q, true, Origin", what, r.Status,
			h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"), h.Values("Vary"), origin)
	}
}

// wantRefused fails unless r carries no CORS permission at all.
func wantRefused(t *testing.T, what string, r *servertest.Response) {
	t.Helper()
	for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods"} {
		if v := r.Header.Get(name); v != "" {
			t.Errorf("%s: %d with %s %q, want none", what, r.Status, name, v)
		}
	}
}

func varyOrigin(h http.Header) bool {
	return slices.ContainsFunc(h.Values("Vary"), func(v string) bool { return strings.Contains(v, "Origin") })
}

// TestProjectCORS: a project's allowed origins are set and read at
// /v1/project; a preflight is answered for a listed origin only; an
// actual request carries the exact origin (never *), credentials and
// Vary: Origin only when the caller's own project lists it, in every
// dialect but the widget, which keeps answering per channel.
func TestProjectCORS(t *testing.T) {
	// Undocumented: preflights of the API's routes are answered by a
	// middleware, not routes of the document.
	e := servertest.NewWith(t, servertest.Options{Undocumented: true}, native.Dialect, worken.Dialect, widget.Dialect)
	r := e.Do("PATCH", "/v1/project", e.A.Bearer(), map[string]any{"allowed_origins": []string{"https://App.example.com/", "http://localhost:3000"}})
	var project struct {
		AllowedOrigins []string `json:"allowed_origins"`
	}
	r.JSON(t, &project)
	if r.Status != http.StatusOK || !slices.Equal(project.AllowedOrigins, []string{"http://localhost:3000", appOrigin}) {
		t.Fatalf("PATCH /v1/project: %d %s", r.Status, r.Body)
	}

	t.Run("preflight", func(t *testing.T) {
		for _, path := range []string{"/v1/bots", "/v1/dialogs/x/messages", "/threads/events"} {
			r := preflight(e, path, appOrigin, "POST")
			if r.Status != http.StatusNoContent {
				t.Errorf("preflight of %s: %d %s", path, r.Status, r.Body)
			}
			wantAllowed(t, "preflight of "+path, r, appOrigin)
			wantRefused(t, "preflight of "+path+" from an origin no project lists", preflight(e, path, evilOrigin, "POST"))
		}
	})
	t.Run("actual requests", func(t *testing.T) {
		wantAllowed(t, "native, the project's key", e.DoWith("GET", "/v1/bots", fromPage(e.A.Bearer(), appOrigin), nil), appOrigin)
		wantAllowed(t, "Worken, the project's key", e.DoWith("GET", "/bots", fromPage(e.A.Bearer(), appOrigin), nil), appOrigin)
		wantAllowed(t, "a refusal after sign-in, so the page reads it", e.DoWith("GET", "/v1/dialogs/nothing", fromPage(e.A.Bearer(), appOrigin), nil), appOrigin)
		wantRefused(t, "an origin the project does not list", e.DoWith("GET", "/v1/bots", fromPage(e.A.Bearer(), evilOrigin), nil))
		wantRefused(t, "another project's key from this project's origin", e.DoWith("GET", "/v1/bots", fromPage(e.B.Bearer(), appOrigin), nil))
		wantRefused(t, "no credentials", e.DoWith("GET", "/v1/bots", http.Header{"Origin": {appOrigin}}, nil))
		if r := e.DoWith("GET", "/v1/bots", http.Header{"Authorization": {e.A.Bearer()}}, nil); r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("a request with no Origin got Allow-Origin %q", r.Header.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("the widget answers its own", func(t *testing.T) {
		r := preflight(e, "/widget/v1/dialogs", evilOrigin, "POST")
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != evilOrigin {
			t.Errorf("the widget's preflight: %d, Allow-Origin %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("cleared at once", func(t *testing.T) {
		if r := e.Do("PATCH", "/v1/project", e.A.Bearer(), map[string]any{"allowed_origins": []string{}}); r.Status != http.StatusOK {
			t.Fatalf("clearing: %d %s", r.Status, r.Body)
		}
		wantRefused(t, "preflight after clearing", preflight(e, "/v1/bots", appOrigin, "GET"))
		wantRefused(t, "a request after clearing", e.DoWith("GET", "/v1/bots", fromPage(e.A.Bearer(), appOrigin), nil))
	})
}

// TestProjectSettings: GET and PATCH /v1/project as the document says:
// anyone of the project reads; only an owner changes; a wildcard or a
// URL with a path is no origin; an absent field changes nothing.
func TestProjectSettings(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	set := func(body any) *servertest.Response { return e.Do("PATCH", "/v1/project", e.A.Bearer(), body) }
	if r := set(map[string]any{"allowed_origins": []string{appOrigin}}); r.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	for _, bad := range []string{"*", "https://app.example.com/path", "null"} {
		r := set(map[string]any{"allowed_origins": []string{bad}})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"field":"allowed_origins"`) {
			t.Errorf("PATCH %q: %d %s, want 400 on allowed_origins", bad, r.Status, r.Body)
		}
	}
	var got struct {
		ID             int64    `json:"id"`
		AllowedOrigins []string `json:"allowed_origins"`
	}
	set(map[string]any{}).JSON(t, &got)
	if got.ID != e.A.ID || !slices.Equal(got.AllowedOrigins, []string{appOrigin}) {
		t.Errorf("PATCH with no field: %+v, want the origins unchanged", got)
	}
	e.Do("GET", "/v1/project", e.B.Bearer(), nil).JSON(t, &got)
	if got.ID != e.B.ID || len(got.AllowedOrigins) != 0 {
		t.Errorf("another project's GET: %+v, want its own, with no origins", got)
	}
}
