package native

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

type loginRequest struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	ProjectID int64  `json:"project_id"` // which of the user's projects; 0: the first they joined
	// AccessToken, instead of the email and password, is a JWT (ReplyX's
	// login's): the app opened with one signs in to the token's project.
	AccessToken string `json:"access_token"`
}

type sessionUserJSON struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

type membershipJSON struct {
	ProjectID int64      `json:"project_id"`
	Role      store.Role `json:"role"`
}

// sessionJSON is who the caller is: a signed-in user (with the CSRF
// token the app sends with every change, and their projects) or an API key.
type sessionJSON struct {
	User      *sessionUserJSON `json:"user"` // null for an API key
	Name      string           `json:"name"`
	ProjectID int64            `json:"project_id"`
	Role      store.Role       `json:"role"`
	CSRFToken string           `json:"csrf_token,omitempty"` // signed in by the session cookie only
	ExpiresAt *time.Time       `json:"expires_at,omitempty"`
	Projects  []membershipJSON `json:"projects"`
}

// login checks an email and password and signs the user in to one of
// their projects with a session cookie.
func (h *handlers) login(c *gin.Context) {
	var req loginRequest
	if !bind(c, &req, `{"email": "ann@example.com", "password": "..."}`) {
		return
	}
	ctx := c.Request.Context()
	user, project, err := h.signingIn(c, req)
	if err != nil {
		fail(c, err)
		return
	}
	projects, err := h.memberships(c, user.ID)
	if err != nil {
		fail(c, err)
		return
	}
	if project == 0 && len(projects) > 0 {
		project = projects[0].ProjectID
	}
	token, s, err := h.Store.CreateSession(ctx, store.CookieSession, user.ID, project, server.SessionTTL)
	if err != nil {
		fail(c, err)
		return
	}
	server.SetSessionCookie(c, token, s.ExpiresAt, h.SecureCookies(c))
	c.JSON(http.StatusOK, sessionJSON{User: &sessionUserJSON{ID: user.ID, Email: user.Email}, Name: user.Email,
		ProjectID: s.ProjectID, Role: s.Role, CSRFToken: server.CSRFToken(token), ExpiresAt: &s.ExpiresAt, Projects: projects})
}

// signingIn is who a sign-in names and in which project (0: their first):
// a JWT's user in its project, or the user of an email and password.
func (h *handlers) signingIn(c *gin.Context, req loginRequest) (*store.User, int64, error) {
	ctx := c.Request.Context()
	if req.AccessToken == "" {
		user, err := server.CheckPassword(server.WithClientAddr(ctx, c.ClientIP()), h.Store, req.Email, req.Password)
		return user, req.ProjectID, err
	}
	caller, err := h.Tokens.Check(ctx, h.Store, req.AccessToken)
	if err != nil {
		return nil, 0, err
	}
	user, err := h.Store.User(ctx, caller.UserID)
	return user, caller.ProjectID, err
}

func (h *handlers) memberships(c *gin.Context, userID int64) ([]membershipJSON, error) {
	ms, err := h.Store.Memberships(c.Request.Context(), userID)
	if err != nil {
		return nil, err
	}
	out := make([]membershipJSON, len(ms))
	for i, m := range ms {
		out[i] = membershipJSON{ProjectID: m.ProjectID, Role: m.Role}
	}
	return out, nil
}

// session says who the caller is, as the app asks when a page loads.
func (h *handlers) session(c *gin.Context) {
	caller := server.CallerOf(c)
	out := sessionJSON{Name: caller.Name, ProjectID: caller.ProjectID, Role: caller.Role, CSRFToken: caller.CSRF(), Projects: []membershipJSON{}}
	if caller.UserID != 0 {
		out.User = &sessionUserJSON{ID: caller.UserID, Email: caller.Name}
		projects, err := h.memberships(c, caller.UserID)
		if err != nil {
			fail(c, err)
			return
		}
		out.Projects = projects
	}
	c.JSON(http.StatusOK, out)
}

// logout ends the session the request signed in with, a cookie's or a
// JWT's, at once in this process (and within the credential cache's few
// seconds in others). A password or an API key holds no session: it is
// refused, so nobody takes a 204 for a revoked key.
func (h *handlers) logout(c *gin.Context) {
	caller := server.CallerOf(c)
	if caller.Session() == "" {
		fail(c, store.Errorf(store.EFORBIDDEN, "A password or an API key holds no session to sign out of; sign out with the session cookie or the JWT you signed in with, or delete the API key to stop it working."))
		return
	}
	if err := server.EndSession(c.Request.Context(), h.Store, caller.Session()); err != nil {
		fail(c, err)
		return
	}
	if caller.CSRF() != "" { // signed in by the cookie
		server.ClearSessionCookie(c, h.SecureCookies(c))
	}
	c.Status(http.StatusNoContent)
}
