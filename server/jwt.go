package server

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

// DefaultTokenTTL is how long a JWT Tokens issues is valid.
const DefaultTokenTTL = 24 * time.Hour

// ErrTokenExpired is a JWT past its expiry (ReplyX's TOKEN_EXPIRED).
var ErrTokenExpired = store.Errorf(store.EUNAUTHORIZED, "The token has expired; sign in again.")

var errBadToken = store.Errorf(store.EUNAUTHORIZED, "The token is not one this server signed, or it was signed out; sign in again.")

// Tokens issues and checks the JWTs ReplyX's login hands out (HS256,
// golang-jwt/jwt/v5: a well-kept library, not JOSE by hand). Each token's
// jti names a bearer session of the store (store.Sessions; one of another
// kind than the web app's cookies, so the jti, which anyone holding the
// token can read, is no cookie), which is how a
// token is revoked at once in every process: logging out deletes the
// session, and every request checks it (no cache, unlike other
// credentials). That is an allowlist of live jtis rather than a denylist
// of dead ones: the same effect, and a member removed from the project
// loses the token too.
type Tokens struct {
	key []byte
	// old are keys derived from secret keys being rotated out: tokens
	// signed before a rotation still verify with them, so nobody is
	// signed out by it.
	old [][]byte
	TTL time.Duration    // 0: DefaultTokenTTL
	Now func() time.Time // nil: time.Now; tests move the clock
}

// NewTokens returns Tokens signing with a key derived from secrets' key,
// and verifying with it or with one derived from an old key.
func NewTokens(secrets *secretbox.Box) *Tokens {
	keys := secrets.DeriveAll("parley jwt v1")
	return &Tokens{key: keys[0], old: keys[1:]}
}

// keyfunc gives the parser the keys a signature may verify with.
func (t *Tokens) keyfunc(*jwt.Token) (any, error) {
	set := jwt.VerificationKeySet{Keys: []jwt.VerificationKey{t.key}}
	for _, k := range t.old {
		set.Keys = append(set.Keys, k)
	}
	return set, nil
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Tokens) ttl() time.Duration {
	if t.TTL > 0 {
		return t.TTL
	}
	return DefaultTokenTTL
}

// claims are a token's: the user (sub), the project and the session (jti).
type claims struct {
	jwt.RegisteredClaims
	ProjectID int64 `json:"pid"`
}

// Issue signs a user in to a project: a new session, and a JWT naming it.
func (t *Tokens) Issue(ctx context.Context, db store.Store, userID, projectID int64) (string, time.Time, error) {
	session, _, err := db.CreateSession(ctx, store.BearerSession, userID, projectID, t.ttl())
	if err != nil {
		return "", time.Time{}, err
	}
	now := t.now()
	expires := now.Add(t.ttl())
	c := claims{ProjectID: projectID, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "parley", Subject: strconv.FormatInt(userID, 10), ID: session,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(expires)}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.key)
	return signed, expires, err
}

// parse checks a token's signature and expiry (ErrTokenExpired past it).
func (t *Tokens) parse(raw string, allowExpired bool) (*claims, error) {
	var c claims
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("parley"),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(t.now),
		jwt.WithStrictDecoding()} // one spelling per token: base64's spare last bits must be zero
	_, err := jwt.ParseWithClaims(raw, &c, t.keyfunc, opts...)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired) && allowExpired:
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, ErrTokenExpired
	case err != nil:
		return nil, errBadToken
	}
	if !store.BearerSession.Of(c.ID) {
		return nil, errBadToken
	}
	return &c, nil
}

// check is who a token signs in, while its session lives. A nil Tokens
// (a server without a secret key) refuses every token.
func (t *Tokens) check(ctx context.Context, db store.Store, raw string) (Caller, error) {
	if t == nil {
		return Caller{}, errBadToken
	}
	c, err := t.parse(raw, false)
	if err != nil {
		return Caller{}, err
	}
	caller, err := sessionCaller(ctx, db, store.BearerSession, c.ID)
	if store.ErrorCode(err) == store.EUNAUTHORIZED {
		return Caller{}, errBadToken
	}
	caller.csrf = "" // a bearer token, which no browser sends by itself
	return caller, err
}

// Check is who a token signs in, while its session lives: EUNAUTHORIZED
// for a token that is not one of ours or was revoked, ErrTokenExpired past
// its expiry.
func (t *Tokens) Check(ctx context.Context, db store.Store, raw string) (Caller, error) {
	return t.check(ctx, db, raw)
}

// Revoke signs a token out in every process (its session is deleted). A
// token that is not one of ours is refused; an expired one is let be.
func (t *Tokens) Revoke(ctx context.Context, db store.Store, raw string) error {
	c, err := t.parse(raw, true)
	if err != nil {
		return err
	}
	return EndSession(ctx, db, c.ID)
}

// IsJWT reports whether a bearer credential looks like a JWT rather than
// an API key (sk-...): three dot-separated parts, a JSON header first.
func IsJWT(bearer string) bool {
	return strings.HasPrefix(bearer, "eyJ") && strings.Count(bearer, ".") == 2
}
