package store

import (
	"context"
	"fmt"
	"time"
)

// Sessions are the web app's signed-in users: a random token kept in an
// HttpOnly cookie, of which only the SHA-256 is stored, bound to one of
// the user's projects. It is part of Store.
type Sessions interface {
	// CreateSession signs a user in to one of their projects for ttl and
	// returns the plain token (shown once: it goes into the cookie) with
	// the session. ENOTFOUND for an unknown user; EFORBIDDEN if the user
	// is not a member of the project.
	CreateSession(ctx context.Context, userID, projectID int64, ttl time.Duration) (string, *Session, error)
	// SessionByToken returns the live session of a plain token, with its
	// user's email and role in the project now; EUNAUTHORIZED if the
	// token is unknown or expired, or the user is no longer a member.
	SessionByToken(ctx context.Context, token string) (*Session, error)
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

// sessionTokenLen is the random part of a session token: 43 base62
// characters, over 256 bits.
const sessionTokenLen = 43

// NewSessionToken returns a new random session token.
func NewSessionToken() (string, error) {
	s, err := RandomBase62(sessionTokenLen)
	if err != nil {
		return "", fmt.Errorf("generating a session token: %w", err)
	}
	return "ps_" + s, nil
}
