package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Sessions are the web app's signed-in users: a random token kept in an
// HttpOnly cookie, of which only the SHA-256 is stored, bound to one of
// the user's projects. It is part of Store.
type Sessions interface {
	// CreateSession signs a user in to one of their projects for ttl and
	// returns the plain token of the kind asked for (shown once: it goes
	// into the cookie or the JWT) with the session. ENOTFOUND for an
	// unknown user; EFORBIDDEN if the user is not a member of the project.
	CreateSession(ctx context.Context, kind SessionKind, userID, projectID int64, ttl time.Duration) (string, *Session, error)
	// SessionByToken returns the live session of a plain token of the
	// kind, with its user's email and role in the project now;
	// EUNAUTHORIZED if the token is unknown, of another kind or expired,
	// or the user is no longer a member.
	SessionByToken(ctx context.Context, kind SessionKind, token string) (*Session, error)
	// DeleteSession ends the session of a plain token (signing out); an
	// unknown token ends nothing.
	DeleteSession(ctx context.Context, token string) error
}

// Session is a signed-in user in a project.
type Session struct {
	ID        int64
	UserID    int64
	ProjectID int64
	Email     string // the user's, read with the session
	Role      Role   // the user's in ProjectID, read with the session
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionKind is what carries a session's token, which is the prefix
// the token starts with. A JWT's jti is readable by whoever holds the JWT;
// being of another kind, it never passes for a cookie's token.
type SessionKind string

const (
	// CookieSession is the web app's: the token is an HttpOnly cookie.
	CookieSession SessionKind = "ps_"
	// BearerSession is a signed bearer token's (a JWT): the token is its jti.
	BearerSession SessionKind = "pj_"
)

// Of reports whether token is a session token of kind k.
func (k SessionKind) Of(token string) bool { return strings.HasPrefix(token, string(k)) }

// sessionTokenLen is the random part of a session token: 43 base62
// characters, over 256 bits.
const sessionTokenLen = 43

// NewSessionToken returns a new random session token of a kind.
func NewSessionToken(kind SessionKind) (string, error) {
	s, err := RandomBase62(sessionTokenLen)
	if err != nil {
		return "", fmt.Errorf("generating a session token: %w", err)
	}
	return string(kind) + s, nil
}
