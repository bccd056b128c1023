package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := s.(Clock) // Run's open returns one
	now := at(0)
	clock.SetNow(func() time.Time { return now })
	p, other := newProject(t, s), newProject(t, s)
	u, err := s.CreateUser(ctx, "ann@example.com", "Ann", "pw")
	noErr(t, err)
	noErr(t, s.SetMembership(ctx, p.ID, u.ID, store.RoleOperator))

	token, sess, err := s.CreateSession(ctx, store.CookieSession, u.ID, p.ID, time.Hour)
	noErr(t, err)
	if !strings.HasPrefix(token, "ps_") || len(token) < 40 || sess.ID == 0 || sess.Email != "ann@example.com" ||
		sess.Role != store.RoleOperator || !sess.ExpiresAt.Equal(utc(60)) {
		t.Fatalf("CreateSession = %q, %+v", token, sess)
	}
	got, err := s.SessionByToken(ctx, store.CookieSession, token)
	noErr(t, err)
	same(t, "the session read back", got, sess)

	// The role is read with the session: a changed membership counts at once.
	noErr(t, s.SetMembership(ctx, p.ID, u.ID, store.RoleViewer))
	got, err = s.SessionByToken(ctx, store.CookieSession, token)
	noErr(t, err)
	if got.Role != store.RoleViewer {
		t.Errorf("role after the membership changed: %s, want viewer", got.Role)
	}

	_, err = s.SessionByToken(ctx, store.CookieSession, token+"x")
	wantCode(t, err, store.EUNAUTHORIZED)

	// A bearer session (a JWT's jti, which anyone holding the JWT reads)
	// is not a cookie's, nor a cookie's a bearer's.
	bearer, _, err := s.CreateSession(ctx, store.BearerSession, u.ID, p.ID, time.Hour)
	noErr(t, err)
	if !strings.HasPrefix(bearer, "pj_") {
		t.Fatalf("a bearer session's token is %q, want pj_...", bearer)
	}
	_, err = s.SessionByToken(ctx, store.BearerSession, bearer)
	noErr(t, err)
	_, err = s.SessionByToken(ctx, store.CookieSession, bearer)
	wantCode(t, err, store.EUNAUTHORIZED)
	_, err = s.SessionByToken(ctx, store.BearerSession, token)
	wantCode(t, err, store.EUNAUTHORIZED)
	_, _, err = s.CreateSession(ctx, store.CookieSession, u.ID, other.ID, time.Hour)
	wantCode(t, err, store.EFORBIDDEN)
	_, _, err = s.CreateSession(ctx, store.CookieSession, 1<<40, p.ID, time.Hour)
	wantCode(t, err, store.ENOTFOUND)

	// Expired: refused; signing out: refused; another session lives on.
	second, _, err := s.CreateSession(ctx, store.CookieSession, u.ID, p.ID, 2*time.Hour)
	noErr(t, err)
	now = at(61)
	_, err = s.SessionByToken(ctx, store.CookieSession, token)
	wantCode(t, err, store.EUNAUTHORIZED)
	_, err = s.SessionByToken(ctx, store.CookieSession, second)
	noErr(t, err)
	noErr(t, s.DeleteSession(ctx, second))
	_, err = s.SessionByToken(ctx, store.CookieSession, second)
	wantCode(t, err, store.EUNAUTHORIZED)
	noErr(t, s.DeleteSession(ctx, "ps_unknown"))
}
