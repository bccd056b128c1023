package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// CreateSession signs a user in; see store.Sessions.
func (d *DB) CreateSession(ctx context.Context, kind store.SessionKind, userID, projectID int64, ttl time.Duration) (string, *store.Session, error) {
	token, err := store.NewSessionToken(kind)
	if err != nil {
		return "", nil, err
	}
	now := d.now()
	s := &store.Session{UserID: userID, ProjectID: projectID, CreatedAt: now, ExpiresAt: rules.Time(now.Add(ttl))}
	err = d.write(ctx, "signing in", func(t *tx) error {
		err := t.queryRow(ctx, `SELECT u.email, m.role FROM users u
			LEFT JOIN memberships m ON m.user_id = u.id AND m.project_id = ? WHERE u.id = ?`, projectID, userID).
			Scan(&s.Email, (*nullRole)(&s.Role))
		if err != nil {
			return notFound(err, "User", userID)
		}
		if s.Role == "" {
			return store.Errorf(store.EFORBIDDEN, "%s is not a member of project %d.", s.Email, projectID)
		}
		// A user's expired sessions go as they sign in again; a session
		// made is a sign-in, the admin's last_login_at.
		if _, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?`, userID, d.ts(now)); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, d.ts(now), userID); err != nil {
			return err
		}
		return t.queryRow(ctx, `INSERT INTO sessions (token_hash, user_id, project_id, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, store.HashSecret(token), userID, projectID, d.ts(now), d.ts(s.ExpiresAt)).Scan(&s.ID)
	})
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// nullRole scans a role that a LEFT JOIN may leave NULL as "".
type nullRole store.Role

func (r *nullRole) Scan(v any) error {
	var s sql.NullString
	if err := s.Scan(v); err != nil {
		return err
	}
	*r = nullRole(s.String)
	return nil
}

var errNoSession = store.Errorf(store.EUNAUTHORIZED, "You are signed out (the session ended); sign in again.")

// SessionByToken returns a live session; see store.Sessions.
func (d *DB) SessionByToken(ctx context.Context, kind store.SessionKind, token string) (*store.Session, error) {
	if !kind.Of(token) {
		return nil, errNoSession
	}
	s := &store.Session{}
	err := d.queryRow(ctx, `SELECT s.id, s.user_id, s.project_id, u.email, m.role, s.created_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		JOIN memberships m ON m.user_id = s.user_id AND m.project_id = s.project_id
		WHERE s.token_hash = ?`, store.HashSecret(token)).
		Scan(&s.ID, &s.UserID, &s.ProjectID, &s.Email, &s.Role, timeScanner{&s.CreatedAt}, timeScanner{&s.ExpiresAt})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errNoSession
	case err != nil:
		return nil, fmt.Errorf("reading a session: %w", err)
	case !d.now().Before(s.ExpiresAt):
		return nil, errNoSession
	}
	return s, nil
}

// DeleteSession signs out; see store.Sessions.
func (d *DB) DeleteSession(ctx context.Context, token string) error {
	return d.write(ctx, "signing out", func(t *tx) error {
		_, err := t.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, store.HashSecret(token))
		return err
	})
}
