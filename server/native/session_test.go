package native_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

type sessionAnswer struct {
	User      *struct{ ID int64 }
	ProjectID int64 `json:"project_id"`
	Role      string
	CSRFToken string `json:"csrf_token"`
}

// signIn signs email in and returns the session cookie and CSRF token.
func signIn(t *testing.T, e *servertest.Env, email, password string) (*http.Cookie, string) {
	t.Helper()
	r := e.Do("POST", "/v1/session", "", map[string]any{"email": email, "password": password})
	if r.Status != http.StatusOK {
		t.Fatalf("signing in %s: %d %s", email, r.Status, r.Body)
	}
	var s sessionAnswer
	r.JSON(t, &s)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "parley_session" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 {
				t.Errorf("the session cookie: %+v; want HttpOnly, SameSite=Lax, Path=/, a lifetime", c)
			}
			return c, s.CSRFToken
		}
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return nil, ""
}

// withCookie is a request signed in only by the session cookie, with the
// CSRF token when csrf is not "".
func withCookie(c *http.Cookie, csrf string) http.Header {
	h := http.Header{"Cookie": {c.Name + "=" + c.Value}}
	if csrf != "" {
		h.Set("X-CSRF-Token", csrf)
	}
	return h
}

// TestSessions: the web app signs in with email and password; the cookie
// then reads, changes only with the CSRF token, keeps the user's role,
// and stops working when the user signs out.
func TestSessions(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("POST", "/v1/session", "", map[string]any{"email": e.A.Email, "password": "wrong"}); r.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong password: %d %s", r.Status, r.Body)
	}
	cookie, csrf := signIn(t, e, e.A.Email, e.A.Password)
	if csrf == "" {
		t.Fatal("no CSRF token")
	}

	var who sessionAnswer
	e.DoWith("GET", "/v1/session", withCookie(cookie, ""), nil).JSON(t, &who)
	if who.User == nil || who.ProjectID != e.A.ID || who.Role != "owner" || who.CSRFToken != csrf {
		t.Errorf("GET /v1/session: %+v", who)
	}
	if r := e.DoWith("GET", "/v1/dialogs", withCookie(cookie, ""), nil); r.Status != http.StatusOK {
		t.Errorf("a read with the cookie: %d %s", r.Status, r.Body)
	}
	reply := map[string]any{"shortcut": "hi", "text": "Hello!"}
	if r := e.DoWith("POST", "/v1/canned-replies", withCookie(cookie, ""), reply); r.Status != http.StatusForbidden {
		t.Errorf("a change with the cookie and no CSRF token: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("POST", "/v1/canned-replies", withCookie(cookie, "forged"), reply); r.Status != http.StatusForbidden {
		t.Errorf("a change with a wrong CSRF token: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("POST", "/v1/canned-replies", withCookie(cookie, csrf), reply); r.Status != http.StatusCreated {
		t.Errorf("a change with the CSRF token: %d %s", r.Status, r.Body)
	}
	// An API key needs no CSRF token: a browser never sends it by itself.
	if r := e.Do("POST", "/v1/canned-replies", e.A.Bearer(), reply); r.Status != http.StatusOK {
		t.Errorf("a change with the API key: %d %s", r.Status, r.Body)
	}

	// A viewer's session keeps the viewer's role.
	member(t, e, "viewer@example.com", store.RoleViewer)
	vc, vcsrf := signIn(t, e, "viewer@example.com", "pw-viewer@example.com")
	if r := e.DoWith("POST", "/v1/canned-replies", withCookie(vc, vcsrf), reply); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's change: %d %s", r.Status, r.Body)
	}

	if r := e.DoWith("DELETE", "/v1/session", withCookie(cookie, ""), nil); r.Status != http.StatusForbidden {
		t.Errorf("signing out without the CSRF token: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("DELETE", "/v1/session", withCookie(cookie, csrf), nil); r.Status != http.StatusNoContent {
		t.Fatalf("signing out: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("GET", "/v1/session", withCookie(cookie, ""), nil); r.Status != http.StatusUnauthorized {
		t.Errorf("the cookie after signing out: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("GET", "/v1/session", withCookie(vc, ""), nil); r.Status != http.StatusOK {
		t.Errorf("another user's session after the sign-out: %d %s", r.Status, r.Body)
	}
}

// TestSignInGuessing: after five wrong passwords for an email, signing in
// as it is refused with 429, the right password included, while another
// member signs in as usual.
func TestSignInGuessing(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	// An email of this test's own: the guard is the process's, shared by every test.
	email, password := "guessed-"+strconv.FormatInt(time.Now().UnixNano(), 36)+"@example.com", "correct horse battery"
	u, err := e.Store.CreateUser(t.Context(), email, "Guessed", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SetMembership(t.Context(), e.A.ID, u.ID, store.RoleOperator); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if r := e.Do("POST", "/v1/session", "", map[string]any{"email": email, "password": "guess " + strconv.Itoa(i)}); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := e.Do("POST", "/v1/session", "", map[string]any{"email": email, "password": password})
	var body apiError
	r.JSON(t, &body)
	if r.Status != http.StatusTooManyRequests || body.Error.Code != "RATE_LIMITED" || !strings.Contains(body.Error.Message, "try again in") {
		t.Errorf("the right password after five wrong: %d %s, want 429 RATE_LIMITED", r.Status, r.Body)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
	if r := e.Do("GET", "/v1/session", basic, nil); r.Status != http.StatusTooManyRequests {
		t.Errorf("Basic authentication as the guessed email: %d %s, want 429", r.Status, r.Body)
	}
	signIn(t, e, e.A.Email, e.A.Password)
}

// TestSessionFromJWT: the web app opened with a JWT (ReplyX's login's)
// trades it for its own cookie session in the token's project; a revoked,
// expired or foreign token is 401 and sets no cookie.
func TestSessionFromJWT(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	ctx := t.Context()
	tokens := server.NewTokens(e.Secrets)
	user, jwt := ownerJWT(t, e, tokens)
	r := e.Do("POST", "/v1/session", "", map[string]any{"access_token": jwt})
	var s sessionAnswer
	r.JSON(t, &s)
	cookies := (&http.Response{Header: r.Header}).Cookies()
	if r.Status != http.StatusOK || s.User == nil || s.User.ID != user.ID || s.ProjectID != e.A.ID || s.CSRFToken == "" || len(cookies) != 1 {
		t.Fatalf("signing in with a JWT: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("POST", "/v1/canned-replies", withCookie(cookies[0], s.CSRFToken), map[string]any{"shortcut": "hi", "text": "Hello!"}); r.Status != http.StatusCreated {
		t.Errorf("a change with the cookie the JWT gave: %d %s", r.Status, r.Body)
	}

	if err := tokens.Revoke(ctx, e.Store, jwt); err != nil {
		t.Fatal(err)
	}
	expired := server.NewTokens(e.Secrets)
	expired.Now = func() time.Time { return time.Now().Add(-48 * time.Hour) }
	old, _, err := expired.Issue(ctx, e.Store, user.ID, e.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{"revoked": jwt, "expired": old, "not ours": jwt[:len(jwt)-4] + "AAAA"} {
		r := e.Do("POST", "/v1/session", "", map[string]any{"access_token": token})
		if r.Status != http.StatusUnauthorized || r.Header.Get("Set-Cookie") != "" {
			t.Errorf("a %s token: %d %s %v", name, r.Status, r.Body, r.Header.Get("Set-Cookie"))
		}
	}
}

// TestSignOutEndsWhatSignedIn: DELETE /v1/session ends a JWT's session as
// it does a cookie's, so the token is refused from then on; a password or
// an API key holds no session and is refused with 403, working on.
func TestSignOutEndsWhatSignedIn(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	_, jwt := ownerJWT(t, e, server.NewTokens(e.Secrets))
	if r := e.Do("DELETE", "/v1/session", "Bearer "+jwt, nil); r.Status != http.StatusNoContent || r.Header.Get("Set-Cookie") != "" {
		t.Fatalf("signing out a JWT: %d %s (Set-Cookie %q)", r.Status, r.Body, r.Header.Get("Set-Cookie"))
	}
	if r := e.Do("GET", "/v1/session", "Bearer "+jwt, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("the JWT after signing out: %d %s", r.Status, r.Body)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(e.A.Email+":"+e.A.Password))
	for name, auth := range map[string]string{"an API key": e.A.Bearer(), "a password": basic} {
		r := e.Do("DELETE", "/v1/session", auth, nil)
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "no session") {
			t.Errorf("signing out %s: %d %s, want 403 saying it holds no session", name, r.Status, r.Body)
		}
		if r := e.Do("GET", "/v1/session", auth, nil); r.Status != http.StatusOK {
			t.Errorf("%s after the refused sign-out: %d %s", name, r.Status, r.Body)
		}
	}
}

// ownerJWT signs project A's owner in with a JWT of tokens.
func ownerJWT(t *testing.T, e *servertest.Env, tokens *server.Tokens) (*store.User, string) {
	t.Helper()
	user, err := e.Store.UserByEmail(t.Context(), e.A.Email)
	if err != nil {
		t.Fatal(err)
	}
	jwt, _, err := tokens.Issue(t.Context(), e.Store, user.ID, e.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	return user, jwt
}
