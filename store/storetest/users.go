package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// testAdminUsers: the admin's list of every user, with their first
// project's counts and their last sign-in.
func testAdminUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	ann, annProject, err := s.Register(ctx, store.NewUser{Email: "ann@example.com", Password: "long enough", FirstName: "Ann"})
	noErr(t, err)
	bob, _, err := s.Register(ctx, store.NewUser{Email: "bob@example.com", Password: "long enough", FirstName: "Bob"})
	noErr(t, err)
	loner, err := s.CreateUser(ctx, "loner@example.com", "Loner", "long enough")
	noErr(t, err)
	bot := newBot(t, s, annProject.ID)
	newBot(t, s, annProject.ID)
	newDialog(t, s, annProject.ID, bot.ID)

	if u, err := s.UserByEmail(ctx, " BOB@example.com"); err != nil || u.ID != bob.ID {
		t.Errorf("UserByEmail: %+v, %v", u, err)
	}
	_, err = s.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, store.ENOTFOUND)
	noErr(t, s.SetAdmin(ctx, bob.ID, true))
	wantCode(t, s.SetAdmin(ctx, 999_999, true), store.ENOTFOUND)
	if u, err := s.User(ctx, bob.ID); err != nil || !u.IsAdmin || u.LastLoginAt != nil {
		t.Fatalf("bob after SetAdmin: %+v, %v", u, err)
	}
	_, _, err = s.CreateSession(ctx, store.CookieSession, ann.ID, annProject.ID, time.Hour)
	noErr(t, err)
	_, err = s.OpenBillingAccount(ctx, annProject.ID, 1000, "start bonus")
	noErr(t, err)
	_, err = s.Charge(ctx, store.Charge{ProjectID: annProject.ID, Amount: 300, Description: "a model call"})
	noErr(t, err)

	users, total, err := s.ListUsers(ctx, store.Page{Limit: 10})
	noErr(t, err)
	if total != 3 || len(users) != 3 {
		t.Fatalf("ListUsers: %d of %d, want 3 of 3", len(users), total)
	}
	a, b, l := users[0], users[1], users[2]
	if a.ID != ann.ID || a.ProjectID != annProject.ID || a.Bots != 2 || a.Dialogs != 1 || a.IsAdmin || a.LastLoginAt == nil ||
		!a.AccountOpened || a.Balance != 700 || a.Spent != 300 {
		t.Errorf("ann listed as %+v", a)
	} else {
		inUTC(t, "last_login_at", *a.LastLoginAt)
	}
	if b.ID != bob.ID || !b.IsAdmin || b.Bots != 0 || b.Dialogs != 0 || b.ProjectID == 0 || b.LastLoginAt != nil ||
		b.AccountOpened || b.Balance != 0 || b.Spent != 0 {
		t.Errorf("bob listed as %+v", b)
	}
	if l.ID != loner.ID || l.ProjectID != 0 || l.Bots != 0 {
		t.Errorf("a user of no project listed as %+v", l)
	}
	totals, err := s.Totals(ctx)
	noErr(t, err)
	if totals != (store.Totals{Users: 3, ActiveBots: 2, LiveDialogs: 1}) {
		t.Errorf("Totals %+v, want 3 users, 2 active bots, 1 live dialog", totals)
	}
	if pool := s.Pool(); pool.Database == "" || pool.Open < 1 || pool.InUse < 0 {
		t.Errorf("Pool %+v", pool)
	}
	page, total, err := s.ListUsers(ctx, store.Page{Limit: 1, Offset: 1})
	noErr(t, err)
	if total != 3 || len(page) != 1 || page[0].ID != bob.ID {
		t.Errorf("second page of one: %+v of %d", page, total)
	}
	noErr(t, s.SetAdmin(ctx, bob.ID, false))
	if u, err := s.User(ctx, bob.ID); err != nil || u.IsAdmin {
		t.Errorf("bob after SetAdmin false: %+v, %v", u, err)
	}
}
