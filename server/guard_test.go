package server

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// TestPasswordGuard: failures empty an email's bucket and then every check
// of it is refused, a right password included, until it refills; another
// email from the same address is not blocked by it; successes cost nothing.
func TestPasswordGuard(t *testing.T) {
	g := NewPasswordGuard()
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	checked := 0
	attempt := func(email string, right bool) error {
		_, err := g.check(email, "192.0.2.7", func() (*store.User, error) {
			checked++
			if right {
				return &store.User{Email: email}, nil
			}
			return nil, store.Errorf(store.EUNAUTHORIZED, "Email or password is incorrect.")
		})
		return err
	}
	for range 10 {
		if err := attempt("ann@example.com", true); err != nil {
			t.Fatalf("a right password: %v", err)
		}
	}
	for i := range failedPerEmail {
		if err := attempt("Ann@example.com", false); store.ErrorCode(err) != store.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v, want unauthorized", i+1, err)
		}
	}
	before := checked
	err := attempt("ann@example.com", true)
	if store.ErrorCode(err) != store.ETOOMANY || checked != before {
		t.Fatalf("after %d failures: %v (password checked: %v), want refused unchecked", failedPerEmail, err, checked != before)
	}
	if err := attempt("bob@example.com", true); err != nil {
		t.Errorf("another email from the same address: %v", err)
	}
	now = now.Add(emailRefill)
	if err := attempt("ann@example.com", true); err != nil {
		t.Errorf("a minute later: %v, want one more try", err)
	}
}

// TestPasswordGuardAddress: one address guessing across many emails is
// stopped too.
func TestPasswordGuardAddress(t *testing.T) {
	g := NewPasswordGuard()
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	wrong := func() (*store.User, error) { return nil, store.Errorf(store.EUNAUTHORIZED, "no") }
	for i := range failedPerAddr {
		if _, err := g.check("user"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com", "192.0.2.9", wrong); store.ErrorCode(err) != store.EUNAUTHORIZED {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := g.check("fresh@example.com", "192.0.2.9", wrong); store.ErrorCode(err) != store.ETOOMANY {
		t.Errorf("a fresh email from a guessing address: %v, want refused", err)
	}
	if _, err := g.check("fresh@example.com", "198.51.100.1", wrong); store.ErrorCode(err) != store.EUNAUTHORIZED {
		t.Errorf("the same email from another address: %v, want checked", err)
	}
}
