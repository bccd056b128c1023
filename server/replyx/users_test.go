package replyx_test

import (
	"net/http"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
)

type me struct {
	ID                  int64
	Email               string
	FirstName           string `json:"first_name"`
	LastName            string `json:"last_name"`
	IsAdmin             bool   `json:"is_admin"`
	Balance             float64
	WelcomeBonus        float64 `json:"welcome_bonus"`
	Plan                string
	OnboardingCompleted bool   `json:"onboarding_completed"`
	CreatedAt           string `json:"created_at"`
}

// signUp registers a user and returns its bearer header.
func signUp(t *testing.T, e *servertest.Env, email, password string) string {
	t.Helper()
	var in signedIn
	r := e.Do("POST", "/api/auth/register", "", map[string]any{"email": email, "password": password, "first_name": "John", "last_name": "Doe"})
	r.JSON(t, &in)
	if r.Status != http.StatusOK {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	return "Bearer " + in.AccessToken
}

// TestUsersMe: the profile in the document's shape, a partial update with
// the document's body, and the password change signing out the user's
// other tokens but not this one.
func TestUsersMe(t *testing.T) {
	e := servertest.New(t, native.Dialect, replyx.Dialect)
	bearer := signUp(t, e, "user@example.com", "password123")
	var got me
	e.Do("GET", "/api/users/me", bearer, nil).JSON(t, &got)
	if got.Email != "user@example.com" || got.FirstName != "John" || got.LastName != "Doe" || got.Plan == "" ||
		got.OnboardingCompleted || got.CreatedAt == "" || got.Balance != got.WelcomeBonus {
		t.Errorf("me %+v", got)
	}

	var updated me
	r := e.Do("PUT", "/api/users/me", bearer, map[string]any{"first_name": "John", "last_name": "Smith"})
	r.JSON(t, &updated)
	if r.Status != http.StatusOK || updated.FirstName != "John" || updated.LastName != "Smith" || updated.Email != got.Email {
		t.Errorf("PUT: %d %s", r.Status, r.Body)
	}
	e.Do("PUT", "/api/users/me", bearer, map[string]any{"onboarding_completed": true}).JSON(t, &updated)
	if !updated.OnboardingCompleted || updated.LastName != "Smith" {
		t.Errorf("a partial PUT changed what it did not name: %+v", updated)
	}

	t.Run("change password", func(t *testing.T) {
		var other signedIn
		e.Do("POST", "/api/auth/login", "", map[string]any{"email": "user@example.com", "password": "password123"}).JSON(t, &other)
		wantError(t, e.Do("POST", "/api/users/change-password", bearer, map[string]any{"current_password": "wrong one", "new_password": "new_password123"}),
			http.StatusUnprocessableEntity, "VALIDATION_ERROR", "current_password")
		wantError(t, e.Do("POST", "/api/users/change-password", bearer, map[string]any{"current_password": "password123", "new_password": "short"}),
			http.StatusUnprocessableEntity, "VALIDATION_ERROR", "new_password")
		r := e.Do("POST", "/api/users/change-password", bearer, map[string]any{"current_password": "password123", "new_password": "new_password123"})
		if r.Status != http.StatusOK {
			t.Fatalf("change-password: %d %s", r.Status, r.Body)
		}
		wantError(t, e.Do("GET", "/api/users/me", "Bearer "+other.AccessToken, nil), http.StatusUnauthorized, "UNAUTHORIZED", "")
		if r := e.Do("GET", "/api/users/me", bearer, nil); r.Status != http.StatusOK {
			t.Errorf("this request's token after the change: %d %s", r.Status, r.Body)
		}
		wantError(t, e.Do("POST", "/api/auth/login", "", map[string]any{"email": "user@example.com", "password": "password123"}),
			http.StatusUnauthorized, "INVALID_CREDENTIALS", "")
	})

	t.Run("errors", func(t *testing.T) {
		wantError(t, e.Do("GET", "/api/users/me", "", nil), http.StatusUnauthorized, "UNAUTHORIZED", "")
		wantError(t, e.Do("GET", "/api/users/me", e.A.Bearer(), nil), http.StatusForbidden, "INSUFFICIENT_PERMISSIONS", "")
		long := make([]byte, 101)
		for i := range long {
			long[i] = 'a'
		}
		wantError(t, e.Do("PUT", "/api/users/me", bearer, map[string]any{"first_name": string(long)}), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "first_name")
		wantError(t, e.Do("PUT", "/api/users/me", bearer, map[string]any{"first_name": 7}), http.StatusBadRequest, "BAD_REQUEST", "")
	})
}
