package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// The web app signs users in with a session: a random token in an
// HttpOnly, SameSite=Lax cookie (scripts cannot read it, other sites'
// forms and scripts do not send it on a POST), and a CSRF token derived
// from it that the app sends as X-CSRF-Token with every change, which a
// page of another origin cannot know (the synchronizer token pattern,
// without storing the token).
const (
	// SessionCookie is the cookie's name.
	SessionCookie = "parley_session"
	// SessionTTL is how long a sign-in lasts.
	SessionTTL = 14 * 24 * time.Hour
	// CSRFHeader carries the CSRF token of a session.
	CSRFHeader = "X-CSRF-Token"
	// sessionScheme marks a session cookie's token where an Authorization
	// header's value would be: a NUL byte no header can hold, so no
	// header can pass for a cookie.
	sessionScheme = "\x00session"
)

// sessionCredential is the request's session cookie as a credential
// authenticate reads, or "" without one.
func sessionCredential(c *gin.Context) string {
	token, err := c.Cookie(SessionCookie)
	if err != nil || token == "" {
		return ""
	}
	return sessionScheme + " " + token
}

// EndSession signs a session out (a cookie's token or a JWT's jti): its
// store row goes, and every cached credential of this process is asked
// for again (others follow within the cache's few seconds).
func EndSession(ctx context.Context, db store.Store, token string) error {
	if err := db.DeleteSession(ctx, token); err != nil {
		return err
	}
	ForgetCredentials()
	return nil
}

// sessionCaller is who a session token of a kind signs in.
func sessionCaller(ctx context.Context, db store.Store, kind store.SessionKind, token string) (Caller, error) {
	s, err := db.SessionByToken(ctx, kind, token)
	if err != nil {
		return Caller{}, err
	}
	return Caller{ProjectID: s.ProjectID, UserID: s.UserID, Name: s.Email, Role: s.Role, csrf: CSRFToken(token), session: token}, nil
}

// CSRFToken is the X-CSRF-Token of a session token: a hash of it, which
// only a holder of the cookie can compute.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("parley csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CSRF returns the CSRF token of a caller signed in by a session cookie,
// "" for other credentials.
func (c Caller) CSRF() string { return c.csrf }

// checkCSRF refuses a change (any method but GET, HEAD and OPTIONS) a
// session cookie signed in without the session's X-CSRF-Token.
func checkCSRF(c *gin.Context, caller Caller) error {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if caller.csrf == "" || hmac.Equal([]byte(c.GetHeader(CSRFHeader)), []byte(caller.csrf)) {
		return nil
	}
	return store.Errorf(store.EFORBIDDEN, "This request is signed in by a session cookie; send its %s (from POST /v1/session or GET /v1/session) to change anything.", CSRFHeader)
}

// SetSessionCookie gives the client a session's cookie; secure says the
// client reaches the server over HTTPS, so the cookie travels on nothing
// else.
func SetSessionCookie(c *gin.Context, token string, expires time.Time, secure bool) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		MaxAge: int(time.Until(expires).Seconds()), HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie from the client.
func ClearSessionCookie(c *gin.Context, secure bool) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// SecureCookies reports whether clients reach the server over HTTPS: the
// public URL says so, or the request came over TLS.
func (d Deps) SecureCookies(c *gin.Context) bool {
	return strings.HasPrefix(d.PublicURL, "https://") || c.Request.TLS != nil
}
