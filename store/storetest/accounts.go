package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// testPing: an open store answers; a closed one says it does not.
func testPing(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping on an open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping on a closed store succeeded")
	}
}

func testProjects(t *testing.T, s store.Store) {
	ctx := t.Context()
	t.Run("ok", func(t *testing.T) {
		o, err := s.CreateOrganization(ctx, "Acme")
		noErr(t, err)
		if o.ID == 0 || o.Name != "Acme" {
			t.Errorf("organization = %+v, want an id and name Acme", o)
		}
		inUTC(t, "organization CreatedAt", o.CreatedAt)
		p, err := s.CreateProject(ctx, o.ID, "Support")
		noErr(t, err)
		if p.ID == 0 || p.OrgID != o.ID || p.Name != "Support" {
			t.Errorf("project = %+v, want an id, org %d and name Support", p, o.ID)
		}
		inUTC(t, "project CreatedAt", p.CreatedAt)
		got, err := s.Project(ctx, p.ID)
		noErr(t, err)
		same(t, "Project", got, p)
	})
	t.Run("unknown organization", func(t *testing.T) {
		_, err := s.CreateProject(ctx, 999_999, "Orphan")
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("unknown project", func(t *testing.T) {
		_, err := s.Project(ctx, 999_999)
		wantCode(t, err, store.ENOTFOUND)
	})
}

func testRegister(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, p, err := s.Register(ctx, store.NewUser{Email: " Zoe@Example.com", Password: "long enough", FirstName: "Zoe Ann", LastName: " Doe "})
	noErr(t, err)
	if u.ID == 0 || u.Email != "zoe@example.com" || u.Name != "Zoe Ann Doe" || u.FirstName != "Zoe Ann" || u.LastName != "Doe" ||
		p.ID == 0 || p.OrgID == 0 || p.Name != "Zoe Ann Doe" {
		t.Fatalf("registered %+v in %+v", u, p)
	}
	ms, err := s.Memberships(ctx, u.ID)
	noErr(t, err)
	if len(ms) != 1 || ms[0].ProjectID != p.ID || ms[0].Role != store.RoleOwner {
		t.Errorf("memberships %+v, want owner of %d", ms, p.ID)
	}
	got, err := s.Authenticate(ctx, "zoe@example.com", "long enough")
	noErr(t, err)
	if got.ID != u.ID || got.FirstName != "Zoe Ann" || got.LastName != "Doe" {
		t.Errorf("authenticated %+v", got)
	}
	t.Run("email taken", func(t *testing.T) {
		_, _, err := s.Register(ctx, store.NewUser{Email: "ZOE@example.com", Password: "long enough"})
		wantCode(t, err, store.ECONFLICT)
	})
	t.Run("no password", func(t *testing.T) {
		_, _, err := s.Register(ctx, store.NewUser{Email: "yan@example.com"})
		wantCode(t, err, store.EINVALID)
	})
	t.Run("profile", func(t *testing.T) {
		u.FirstName, u.LastName, u.OnboardingCompleted = "Zoë", "Smith", true
		noErr(t, s.UpdateProfile(ctx, u))
		got, err := s.User(ctx, u.ID)
		noErr(t, err)
		if got.Name != "Zoë Smith" || got.FirstName != "Zoë" || got.LastName != "Smith" || !got.OnboardingCompleted || got.Email != u.Email {
			t.Errorf("after UpdateProfile %+v", got)
		}
		_, err = s.User(ctx, 999_999)
		wantCode(t, err, store.ENOTFOUND)
		wantCode(t, s.UpdateProfile(ctx, &store.User{ID: 999_999}), store.ENOTFOUND)
	})
	t.Run("change password ends the other sessions", func(t *testing.T) {
		mine, _, err := s.CreateSession(ctx, store.CookieSession, u.ID, p.ID, time.Hour)
		noErr(t, err)
		other, _, err := s.CreateSession(ctx, store.CookieSession, u.ID, p.ID, time.Hour)
		noErr(t, err)
		wantCode(t, s.ChangePassword(ctx, u.ID, "wrong", "newer password", mine), store.EUNAUTHORIZED)
		noErr(t, s.ChangePassword(ctx, u.ID, "long enough", "newer password", mine))
		_, err = s.SessionByToken(ctx, store.CookieSession, mine)
		noErr(t, err)
		_, err = s.SessionByToken(ctx, store.CookieSession, other)
		wantCode(t, err, store.EUNAUTHORIZED)
		_, err = s.Authenticate(ctx, u.Email, "long enough")
		wantCode(t, err, store.EUNAUTHORIZED)
		_, err = s.Authenticate(ctx, u.Email, "newer password")
		noErr(t, err)
	})
}

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	u, err := s.CreateUser(ctx, "  Ann@Example.COM ", "Ann", "correct horse")
	noErr(t, err)
	t.Run("ok", func(t *testing.T) {
		if u.ID == 0 || u.Email != "ann@example.com" || u.Name != "Ann" {
			t.Errorf("user = %+v, want an id, email ann@example.com and name Ann", u)
		}
		inUTC(t, "CreatedAt", u.CreatedAt)
	})
	t.Run("email taken in other case", func(t *testing.T) {
		_, err := s.CreateUser(ctx, "ANN@example.com", "Other Ann", "x")
		wantCode(t, err, store.ECONFLICT)
	})
	for _, c := range []struct{ name, email, password string }{
		{"empty email", "", "secret"},
		{"blank email", "   ", "secret"},
		{"empty password", "bob@example.com", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, c.email, "Bob", c.password)
			wantCode(t, err, store.EINVALID)
		})
	}
	t.Run("authenticated in any case", func(t *testing.T) {
		got, err := s.Authenticate(ctx, "ANN@example.com", "correct horse")
		noErr(t, err)
		same(t, "Authenticate", got, u)
	})
	t.Run("wrong password and unknown email look the same", func(t *testing.T) {
		_, wrong := s.Authenticate(ctx, "ann@example.com", "Correct horse")
		wantCode(t, wrong, store.EUNAUTHORIZED)
		_, unknown := s.Authenticate(ctx, "nobody@example.com", "correct horse")
		wantCode(t, unknown, store.EUNAUTHORIZED)
		if got, want := store.ErrorMessage(unknown), store.ErrorMessage(wrong); got != want {
			t.Errorf("unknown email message %q, want the wrong password's %q", got, want)
		}
	})
	t.Run("empty password refused", func(t *testing.T) {
		_, err := s.Authenticate(ctx, "ann@example.com", "")
		wantCode(t, err, store.EUNAUTHORIZED)
	})
}

func testMemberships(t *testing.T, s store.Store) {
	ctx := t.Context()
	p1, p2 := newProject(t, s), newProject(t, s)
	u, err := s.CreateUser(ctx, "op@example.com", "Op", "pw")
	noErr(t, err)
	t.Run("none", func(t *testing.T) {
		got, err := s.Memberships(ctx, u.ID)
		noErr(t, err)
		same(t, "Memberships", got, []store.Membership{})
	})
	t.Run("oldest first", func(t *testing.T) {
		noErr(t, s.SetMembership(ctx, p2.ID, u.ID, store.RoleOwner))
		noErr(t, s.SetMembership(ctx, p1.ID, u.ID, store.RoleViewer))
		got, err := s.Memberships(ctx, u.ID)
		noErr(t, err)
		same(t, "Memberships", got, []store.Membership{
			{ProjectID: p2.ID, UserID: u.ID, Role: store.RoleOwner},
			{ProjectID: p1.ID, UserID: u.ID, Role: store.RoleViewer},
		})
	})
	t.Run("role replaced in place", func(t *testing.T) {
		noErr(t, s.SetMembership(ctx, p2.ID, u.ID, store.RoleOperator))
		got, err := s.Memberships(ctx, u.ID)
		noErr(t, err)
		same(t, "Memberships", got, []store.Membership{
			{ProjectID: p2.ID, UserID: u.ID, Role: store.RoleOperator},
			{ProjectID: p1.ID, UserID: u.ID, Role: store.RoleViewer},
		})
	})
	for _, c := range []struct {
		name          string
		project, user int64
		role          store.Role
		code          string
	}{
		{"unknown role", p1.ID, u.ID, "admin", store.EINVALID},
		{"empty role", p1.ID, u.ID, "", store.EINVALID},
		{"unknown project", 999_999, u.ID, store.RoleViewer, store.ENOTFOUND},
		{"unknown user", p1.ID, 999_999, store.RoleViewer, store.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, s.SetMembership(ctx, c.project, c.user, c.role), c.code)
		})
	}
}
