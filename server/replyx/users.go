package replyx

import (
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

const (
	profileBody  = `{"first_name": "John", "last_name": "Smith"}`
	passwordBody = `{"current_password": "old_password", "new_password": "new_password123"}`
	// maxName bounds a first or last name, in characters.
	maxName = 100
)

// meJSON is ReplyX's user.
type meJSON struct {
	ID                  int64     `json:"id"`
	Email               string    `json:"email"`
	FirstName           string    `json:"first_name"`
	LastName            string    `json:"last_name"`
	IsAdmin             bool      `json:"is_admin"`
	Balance             float64   `json:"balance"`
	WelcomeBonus        float64   `json:"welcome_bonus"`
	Plan                string    `json:"plan"`
	OnboardingCompleted bool      `json:"onboarding_completed"`
	CreatedAt           time.Time `json:"created_at"`
}

// me is the signed-in user; an API key, which is no user, is refused.
func (h *handlers) me(c *gin.Context) (*store.User, bool) {
	caller := server.CallerOf(c)
	if caller.UserID == 0 {
		fail(c, store.Errorf(store.EFORBIDDEN, "An API key is no user: sign in with POST /api/auth/login and send its access_token."))
		return nil, false
	}
	u, err := h.Store.User(c.Request.Context(), caller.UserID)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return u, true
}

// showMe answers with the user, its balance the project's account.
func (h *handlers) showMe(c *gin.Context, u *store.User) {
	a, err := h.BillingService().Account(c.Request.Context(), server.CallerOf(c).ProjectID)
	if err != nil {
		fail(c, err)
		return
	}
	plan := a.Tariff
	if plan == "" {
		plan = "trial"
	}
	c.JSON(200, meJSON{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, IsAdmin: u.IsAdmin,
		Balance: (a.Credits + a.Bonus).Float(), WelcomeBonus: a.Bonus.Float(), Plan: plan,
		OnboardingCompleted: u.OnboardingCompleted, CreatedAt: u.CreatedAt.UTC()})
}

// getMe is GET /api/users/me.
func (h *handlers) getMe(c *gin.Context) {
	if u, ok := h.me(c); ok {
		h.showMe(c, u)
	}
}

// updateMe is PUT /api/users/me: the fields sent change, the others stay.
func (h *handlers) updateMe(c *gin.Context) {
	u, ok := h.me(c)
	if !ok {
		return
	}
	var body struct {
		FirstName           *string `json:"first_name"`
		LastName            *string `json:"last_name"`
		OnboardingCompleted *bool   `json:"onboarding_completed"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: profileBody}); err != nil {
		fail(c, err)
		return
	}
	for field, v := range map[string]*string{"first_name": body.FirstName, "last_name": body.LastName} {
		if v != nil && utf8.RuneCountInString(*v) > maxName {
			fail(c, store.FieldErrorf(store.EINVALID, field, "%s has %d characters; at most %d.", field, utf8.RuneCountInString(*v), maxName))
			return
		}
	}
	if body.FirstName != nil {
		u.FirstName = *body.FirstName
	}
	if body.LastName != nil {
		u.LastName = *body.LastName
	}
	if body.OnboardingCompleted != nil {
		u.OnboardingCompleted = *body.OnboardingCompleted
	}
	if err := h.Store.UpdateProfile(c.Request.Context(), u); err != nil {
		fail(c, err)
		return
	}
	h.showMe(c, u)
}

// changePassword is POST /api/users/change-password: the current password
// checked, the new one as strong as register asks, and every other
// session of the user (other tokens, the web app elsewhere) signed out.
func (h *handlers) changePassword(c *gin.Context) {
	u, ok := h.me(c)
	if !ok {
		return
	}
	var body struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: passwordBody}); err != nil {
		fail(c, err)
		return
	}
	if err := checkPassword("new_password", body.New, u.Email); err != nil {
		fail(c, err)
		return
	}
	err := h.Store.ChangePassword(c.Request.Context(), u.ID, body.Current, body.New, server.CallerOf(c).Session())
	if store.ErrorCode(err) == store.EUNAUTHORIZED {
		err = store.FieldErrorf(store.EINVALID, "current_password", "The current password is not right.")
	}
	if err != nil {
		fail(c, err)
		return
	}
	server.ForgetCredentials()
	c.JSON(200, gin.H{"message": "The password is changed; your other sessions are signed out."})
}
