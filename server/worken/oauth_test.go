package worken_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/server/servertest"
)

const (
	oauthAccess  = "ya29.access-token-never-shown"
	oauthRefresh = "1//refresh-token-never-shown"
)

// fakeTokenEndpoint is a vendor's token endpoint on loopback: it takes the
// one code it was given, checked with the PKCE challenge of the start URL.
type fakeTokenEndpoint struct {
	*httptest.Server
	mu        sync.Mutex
	code      string // the code it takes
	challenge string // code_challenge of the start URL
	calls     int
	problems  []string
}

func newFakeTokenEndpoint(t *testing.T) *fakeTokenEndpoint {
	t.Helper()
	f := &fakeTokenEndpoint{code: "the-code"}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTokenEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		f.problems = append(f.problems, "not a form POST")
	}
	for name, want := range map[string]string{"grant_type": "authorization_code", "client_id": "cid", "client_secret": "csecret"} {
		if got := r.PostForm.Get(name); got != want {
			f.problems = append(f.problems, name+" is "+got+", want "+want)
		}
	}
	if !strings.HasSuffix(r.PostForm.Get("redirect_uri"), "/oauth/callback") {
		f.problems = append(f.problems, "redirect_uri is "+r.PostForm.Get("redirect_uri"))
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if got := base64.RawURLEncoding.EncodeToString(sum[:]); got != f.challenge {
		f.problems = append(f.problems, "sha256(code_verifier) is "+got+", want the code_challenge "+f.challenge)
	}
	w.Header().Set("Content-Type", "application/json")
	if r.PostForm.Get("code") != f.code || len(f.problems) > 0 {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error": "invalid_grant", "error_description": "Bad Request"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": oauthAccess, "refresh_token": oauthRefresh,
		"expires_in": 3600, "token_type": "Bearer"})
}

// stats are the calls so far and what was wrong with them.
func (f *fakeTokenEndpoint) stats() (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.problems
}

// oauthEnv is a Worken API with Google's OAuth client set, its token URL
// on fake, and a Google integration of project A that is disabled.
func oauthEnv(t *testing.T) (*servertest.Env, *fakeTokenEndpoint, tgIntegration) {
	t.Helper()
	fake := newFakeTokenEndpoint(t)
	t.Setenv("PARLEY_OAUTH_GOOGLE_CLIENT_ID", "cid")
	t.Setenv("PARLEY_OAUTH_GOOGLE_CLIENT_SECRET", "csecret")
	t.Setenv("PARLEY_OAUTH_GOOGLE_TOKEN_URL", fake.URL+"/token")
	t.Setenv(netguard.EnvAllow, "127.0.0.1")
	e := newEnv(t)
	auth := e.A.Bearer()
	var in tgIntegration
	r := e.Do("POST", "/integrations", auth, map[string]any{"name": "Calendar", "vendor": "google", "auth_data": map[string]any{"calendar": "primary"}})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &in)
	wantStatus(t, e.Do("POST", "/integrations/"+in.ID, auth, map[string]any{"status": "disabled"}), http.StatusOK)
	return e, fake, in
}

// oauthStart starts the flow and returns the authorization URL's query;
// fake gets its challenge.
func oauthStart(t *testing.T, e *servertest.Env, fake *fakeTokenEndpoint, id string) url.Values {
	t.Helper()
	var out struct{ URL string }
	r := e.Do("POST", "/integrations/"+id+"/oauth/start", e.A.Bearer(), nil)
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &out)
	u, err := url.Parse(out.URL)
	if err != nil || !strings.HasPrefix(out.URL, "https://accounts.google.com/o/oauth2/v2/auth?") {
		t.Fatalf("authorization URL %q (%v)", out.URL, err)
	}
	q := u.Query()
	if got, want := q.Get("redirect_uri"), e.URL+"/integrations/"+id+"/oauth/callback"; got != want {
		t.Errorf("redirect_uri %q, want %q", got, want)
	}
	if q.Get("client_id") != "cid" || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("state") == "" {
		t.Errorf("authorization URL %s", out.URL)
	}
	if q.Get("scope") != "openid email profile" { // Google refuses an authorization without a scope
		t.Errorf("scope %q, want Google's default", q.Get("scope"))
	}
	fake.mu.Lock()
	fake.challenge = q.Get("code_challenge")
	fake.mu.Unlock()
	return q
}

// callback is the browser coming back from the vendor.
func callback(e *servertest.Env, id string, q url.Values) *servertest.Response {
	return e.Do("GET", "/integrations/"+id+"/oauth/callback?"+q.Encode(), "", nil)
}

// authData opens an integration's sealed auth_data as stored.
func authData(t *testing.T, e *servertest.Env, id string) (map[string]any, string, time.Time) {
	t.Helper()
	in, err := e.Store.Integration(t.Context(), e.A.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := e.Secrets.Open(in.AuthData)
	if err != nil {
		t.Fatal(err)
	}
	auth := map[string]any{}
	if err := json.Unmarshal([]byte(plain), &auth); err != nil {
		t.Fatal(err)
	}
	return auth, in.Status, in.UpdatedAt
}

// wantNoTokens fails if r shows the tokens or auth_data.
func wantNoTokens(t *testing.T, r *servertest.Response) {
	t.Helper()
	for _, s := range []string{oauthAccess, oauthRefresh, "auth_data", "verifier"} {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("a response shows %s: %s", s, r.Body)
		}
	}
}

// Start (422 naming the variables without a client), the user
// authorizes, the callback trades the code: the tokens are sealed in
// auth_data, the integration is active, and the state cannot be used
// again.
func TestOAuthCallback(t *testing.T) {
	e, fake, in := oauthEnv(t)
	t.Run("start without a client", func(t *testing.T) {
		t.Setenv("PARLEY_OAUTH_GOOGLE_CLIENT_SECRET", "")
		r := e.Do("POST", "/integrations/"+in.ID+"/oauth/start", e.A.Bearer(), nil)
		wantError(t, r, http.StatusUnprocessableEntity, "PARLEY_OAUTH_GOOGLE_CLIENT_ID", "PARLEY_OAUTH_GOOGLE_CLIENT_SECRET")
	})
	t.Run("scopes from the environment", func(t *testing.T) {
		t.Setenv("PARLEY_OAUTH_GOOGLE_SCOPES", "openid https://www.googleapis.com/auth/calendar")
		var out struct{ URL string }
		e.Do("POST", "/integrations/"+in.ID+"/oauth/start", e.A.Bearer(), nil).JSON(t, &out)
		if u, err := url.Parse(out.URL); err != nil || u.Query().Get("scope") != "openid https://www.googleapis.com/auth/calendar" {
			t.Errorf("authorization URL %s", out.URL)
		}
	})
	q := oauthStart(t, e, fake, in.ID)

	r := callback(e, in.ID, url.Values{"code": {fake.code}, "state": {q.Get("state")}})
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.Body), "close this tab") {
		t.Fatalf("callback: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	wantNoTokens(t, r)
	if calls, problems := fake.stats(); calls != 1 || len(problems) > 0 {
		t.Errorf("token endpoint: %d calls, %v", calls, problems)
	}

	auth, status, _ := authData(t, e, in.ID)
	if status != "active" {
		t.Errorf("status %q, want active", status)
	}
	if auth["access_token"] != oauthAccess || auth["refresh_token"] != oauthRefresh || auth["token_type"] != "Bearer" || auth["calendar"] != "primary" {
		t.Errorf("auth_data %v", auth)
	}
	if _, started := auth["_oauth"]; started {
		t.Errorf("auth_data keeps the flow: %v", auth)
	}
	if at, err := time.Parse(time.RFC3339, auth["expires_at"].(string)); err != nil || time.Until(at) < 50*time.Minute || time.Until(at) > 61*time.Minute {
		t.Errorf("expires_at %v (%v), want in an hour", auth["expires_at"], err)
	}

	r = e.Do("GET", "/integrations/"+in.ID, e.A.Bearer(), nil)
	wantStatus(t, r, http.StatusOK)
	wantNoTokens(t, r)
	var got tgIntegration
	r.JSON(t, &got)
	if got.Status != "active" {
		t.Errorf("GET /integrations/%s: %s", in.ID, r.Body)
	}

	r = callback(e, in.ID, url.Values{"code": {fake.code}, "state": {q.Get("state")}})
	wantError(t, r, http.StatusBadRequest, "used already")
	if calls, _ := fake.stats(); calls != 1 {
		t.Errorf("a used state reached the token endpoint")
	}
}

// A wrong, missing or expired state, a refused code, an unreachable or
// loopback token endpoint: each is refused and leaves the integration as
// it was; the flow then still finishes.
func TestOAuthCallbackRefused(t *testing.T) {
	e, fake, in := oauthEnv(t)
	q := oauthStart(t, e, fake, in.ID)
	state := q.Get("state")
	before, _, updated := authData(t, e, in.ID)
	unchanged := func(t *testing.T) {
		t.Helper()
		auth, status, at := authData(t, e, in.ID)
		if status != "disabled" || !at.Equal(updated) || auth["access_token"] != nil || auth["_oauth"] == nil {
			t.Errorf("the integration changed: %s, %v, %v", status, at, auth)
		}
	}

	for _, tc := range []struct {
		name   string
		q      url.Values
		status int
		says   string
	}{
		{"wrong state", url.Values{"code": {fake.code}, "state": {state + "x"}}, http.StatusBadRequest, "not valid"},
		{"no state", url.Values{"code": {fake.code}}, http.StatusBadRequest, "not valid"},
		{"no code", url.Values{"state": {state}}, http.StatusBadRequest, "no code"},
		{"user declined", url.Values{"error": {"access_denied"}, "state": {state}}, http.StatusBadRequest, "access_denied"},
		{"code refused", url.Values{"code": {"another-code"}, "state": {state}}, http.StatusBadRequest, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := callback(e, in.ID, tc.q)
			wantError(t, r, tc.status, tc.says)
			wantNoTokens(t, r)
			unchanged(t)
		})
	}

	t.Run("loopback not allowed", func(t *testing.T) {
		t.Setenv(netguard.EnvAllow, "")
		r := callback(e, in.ID, url.Values{"code": {fake.code}, "state": {state}})
		if r.Status != http.StatusBadGateway || !strings.Contains(string(r.Body), netguard.EnvAllow) {
			t.Errorf("callback: %d %s", r.Status, r.Body)
		}
		unchanged(t)
	})
	t.Run("unreachable", func(t *testing.T) {
		down := httptest.NewServer(http.NotFoundHandler())
		down.Close()
		t.Setenv("PARLEY_OAUTH_GOOGLE_TOKEN_URL", down.URL+"/token")
		r := callback(e, in.ID, url.Values{"code": {fake.code}, "state": {state}})
		if r.Status != http.StatusBadGateway || !strings.Contains(string(r.Body), "could not get tokens from google") {
			t.Errorf("callback: %d %s", r.Status, r.Body)
		}
		unchanged(t)
	})
	t.Run("unknown integration", func(t *testing.T) {
		r := callback(e, "00000000-0000-0000-0000-000000000000", url.Values{"code": {fake.code}, "state": {state}})
		wantError(t, r, http.StatusNotFound)
	})
	t.Run("expired", func(t *testing.T) {
		stored, err := e.Store.Integration(t.Context(), e.A.ID, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		aged := map[string]any{}
		for k, v := range before {
			aged[k] = v
		}
		flow := before["_oauth"].(map[string]any)
		aged["_oauth"] = map[string]any{"state": flow["state"], "verifier": flow["verifier"], "at": time.Now().Add(-16 * time.Minute).UTC().Format(time.RFC3339)}
		data, _ := json.Marshal(aged)
		if stored.AuthData, err = e.Secrets.Seal(string(data)); err != nil {
			t.Fatal(err)
		}
		if err := e.Store.UpdateIntegration(t.Context(), stored); err != nil {
			t.Fatal(err)
		}
		r := callback(e, in.ID, url.Values{"code": {fake.code}, "state": {state}})
		wantError(t, r, http.StatusBadRequest, "older than 15 minutes")
		if auth, _, _ := authData(t, e, in.ID); auth["access_token"] != nil {
			t.Errorf("an expired state stored tokens: %v", auth)
		}
	})
	t.Run("a new start still finishes", func(t *testing.T) {
		q := oauthStart(t, e, fake, in.ID)
		r := callback(e, in.ID, url.Values{"code": {fake.code}, "state": {state}})
		wantError(t, r, http.StatusBadRequest, "not valid") // the old state was replaced
		r = callback(e, in.ID, url.Values{"code": {fake.code}, "state": {q.Get("state")}})
		if r.Status != http.StatusOK {
			t.Fatalf("callback: %d %s", r.Status, r.Body)
		}
		if auth, status, _ := authData(t, e, in.ID); status != "active" || auth["access_token"] != oauthAccess {
			t.Errorf("after the callback: %s %v", status, auth)
		}
	})
}
