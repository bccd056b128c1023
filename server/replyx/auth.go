package replyx

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

const (
	loginBody    = `{"email": "user@example.com", "password": "password123"}`
	registerBody = `{"email": "user@example.com", "password": "password123", "first_name": "John", "last_name": "Doe"}`
	// minPassword is the shortest password register takes.
	minPassword = 8
)

// userJSON is the user a login answers with.
type userJSON struct {
	ID      int64   `json:"id"`
	Email   string  `json:"email"`
	IsAdmin bool    `json:"is_admin"`
	Balance float64 `json:"balance"`
}

// loginJSON is what login and register answer.
type loginJSON struct {
	AccessToken string   `json:"access_token"`
	TokenType   string   `json:"token_type"`
	User        userJSON `json:"user"`
}

// login is POST /api/auth/login: a JWT for the project of project_id (a
// Parley extension), or else for the user's first project. Failed tries
// are slowed as every password check is (server.CheckPassword).
func (h *handlers) login(c *gin.Context) {
	var body struct {
		Email, Password string
		ProjectID       int64 `json:"project_id"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: loginBody}); err != nil {
		fail(c, err)
		return
	}
	ctx := server.WithClientAddr(c.Request.Context(), c.ClientIP())
	user, err := server.CheckPassword(ctx, h.Store, body.Email, body.Password)
	if store.ErrorCode(err) == store.EUNAUTHORIZED || store.ErrorCode(err) == store.EINVALID {
		err = errInvalidCredentials
	}
	if err != nil {
		fail(c, err)
		return
	}
	m, err := server.Membership(c.Request.Context(), h.Store, user, body.ProjectID)
	if err != nil {
		fail(c, err)
		return
	}
	h.signIn(c, user, m.ProjectID)
}

// signIn answers with a new JWT for a user in a project.
func (h *handlers) signIn(c *gin.Context, user *store.User, projectID int64) {
	if h.Tokens == nil {
		fail(c, store.Errorf(store.EINTERNAL, "this server has no secret key to sign tokens with"))
		return
	}
	ctx := c.Request.Context()
	token, _, err := h.Tokens.Issue(ctx, h.Store, user.ID, projectID)
	if err != nil {
		fail(c, err)
		return
	}
	account, err := h.BillingService().Account(ctx, projectID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(200, loginJSON{AccessToken: token, TokenType: "bearer", User: userJSON{
		ID: user.ID, Email: user.Email, IsAdmin: user.IsAdmin, Balance: (account.Credits + account.Bonus).Float()}})
}

// register is POST /api/auth/register: the account, its organization
// and project, signed in at once.
func (h *handlers) register(c *gin.Context) {
	var body struct {
		Email     string `json:"email"`
		Password  string `json:"password"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: registerBody}); err != nil {
		fail(c, err)
		return
	}
	if err := checkSignUp(body.Email, body.Password); err != nil {
		fail(c, err)
		return
	}
	user, project, err := h.Store.Register(c.Request.Context(),
		store.NewUser{Email: body.Email, Password: body.Password, FirstName: body.FirstName, LastName: body.LastName})
	if store.ErrorCode(err) == store.ECONFLICT {
		err = &store.Error{Code: store.ECONFLICT, Field: "email", Message: "An account with this email exists already; sign in instead."}
	}
	if err != nil {
		fail(c, err)
		return
	}
	h.signIn(c, user, project.ID)
}

// checkSignUp refuses an email that is not one and a weak password, naming
// the field.
func checkSignUp(email, password string) error {
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil || addr.Name != "" || !strings.Contains(addr.Address, ".") {
		return store.FieldErrorf(store.EINVALID, "email", "%q is not an email address, like user@example.com.", email)
	}
	return checkPassword("password", password, email)
}

// checkPassword refuses a weak password: too short, the email, or one
// character repeated.
func checkPassword(field, password, email string) error {
	if utf8.RuneCountInString(password) < minPassword {
		return store.FieldErrorf(store.EINVALID, field, "The password is too short: use at least %d characters.", minPassword)
	}
	if strings.EqualFold(password, strings.TrimSpace(email)) || len(strings.Trim(password, password[:1])) == 0 {
		return store.FieldErrorf(store.EINVALID, field, "The password is too easy to guess: not the email, not one character repeated.")
	}
	return nil
}

// logout is POST /api/auth/logout: the token is refused from now on, by
// every process.
func (h *handlers) logout(c *gin.Context) {
	scheme, token, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "bearer") || !server.IsJWT(token) {
		fail(c, store.Errorf(store.EINVALID, "Sign out with the token login gave: Authorization: Bearer <access_token>."))
		return
	}
	if err := h.Tokens.Revoke(c.Request.Context(), h.Store, token); err != nil {
		fail(c, err)
		return
	}
	c.JSON(200, gin.H{"message": "Signed out."})
}
