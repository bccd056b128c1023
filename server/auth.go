package server

import (
	"encoding/base64"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// Caller is who made a request and in which project.
type Caller struct {
	ProjectID int64
	UserID    int64  // 0 for API keys
	Name      string // the user's email or the key's name
}

const callerKey = "parley.caller"

// CallerOf returns the authenticated caller of a request.
func CallerOf(c *gin.Context) Caller {
	v, _ := c.Get(callerKey)
	caller, _ := v.(Caller)
	return caller
}

// Authenticate accepts `Authorization: Basic email:password` and
// `Authorization: Bearer sk-...`; anything else is rendered by fail.
func Authenticate(db store.Store, fail func(c *gin.Context, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		caller, err := authenticate(c, db)
		if err != nil {
			fail(c, err)
			return
		}
		c.Set(callerKey, caller)
		c.Next()
	}
}

var errNoCredentials = store.Errorf(store.EUNAUTHORIZED, "Send `Authorization: Basic <email:password>` or `Authorization: Bearer sk-...`.")

func authenticate(c *gin.Context, db store.Store) (Caller, error) {
	header := c.GetHeader("Authorization")
	scheme, value, _ := strings.Cut(header, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		return basicCaller(c, db, value)
	case "bearer":
		key, err := db.APIKeyByKey(c.Request.Context(), strings.TrimSpace(value))
		if err != nil {
			return Caller{}, err
		}
		return Caller{ProjectID: key.ProjectID, Name: key.Name}, nil
	}
	return Caller{}, errNoCredentials
}

func basicCaller(c *gin.Context, db store.Store, value string) (Caller, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	email, password, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok {
		return Caller{}, errNoCredentials
	}
	user, err := db.Authenticate(c.Request.Context(), email, password)
	if err != nil {
		return Caller{}, err
	}
	ms, err := db.Memberships(c.Request.Context(), user.ID)
	if err != nil {
		return Caller{}, err
	}
	if len(ms) == 0 {
		return Caller{}, store.Errorf(store.EFORBIDDEN, "%s is not a member of any project.", user.Email)
	}
	return Caller{ProjectID: ms[0].ProjectID, UserID: user.ID, Name: user.Email}, nil
}
