package worken

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// An API key manages the projects of its own project's organization: it
// lists them, creates more and manages their keys. Any other organization's
// project, and any id that is no project, is a 404. Ids are the numeric
// ids, as strings.

const (
	createProjectBody = `{"name": "Support", "organization_id": "1"}`
	createAPIKeyBody  = `{"name": "CI"}`
)

// projectJSON is Worken's Project; Parley keeps no avatars.
type projectJSON struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	OrganizationID string  `json:"organization_id"`
	AvatarURL      *string `json:"avatar_url"`
	CreatedAt      string  `json:"created_at"`
}

// apiKeyJSON is Worken's ApiKey: never the key itself.
type apiKeyJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	LastUsedAt *string `json:"last_used_at"`
	CreatedAt  string  `json:"created_at"`
}

// createdAPIKeyJSON is Worken's CreateApiKeyResponse, the only answer
// that shows the key.
type createdAPIKeyJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Key       string `json:"key"`
	CreatedAt string `json:"created_at"`
}

func projectShape(p *store.Project) projectJSON {
	return projectJSON{ID: numID(p.ID), Name: p.Name, OrganizationID: numID(p.OrgID), CreatedAt: timestamp(p.CreatedAt)}
}

func apiKeyShape(k *store.APIKey) apiKeyJSON {
	out := apiKeyJSON{ID: numID(k.ID), Name: k.Name, CreatedAt: timestamp(k.CreatedAt)}
	if k.LastUsedAt != nil {
		used := timestamp(*k.LastUsedAt)
		out.LastUsedAt = &used
	}
	return out
}

// numID is a numeric id as Worken's string ids.
func numID(n int64) string { return strconv.FormatInt(n, 10) }

// organization is the caller's organization: its API key's project's.
func (h *handlers) organization(c *gin.Context) (int64, error) {
	p, err := h.Store.Project(c.Request.Context(), project(c))
	if err != nil {
		return 0, err
	}
	return p.OrgID, nil
}

// orgProject is the project of the path's id when it is of the caller's
// organization; ENOTFOUND otherwise, whether it is another's or none.
func (h *handlers) orgProject(c *gin.Context) (*store.Project, bool) {
	org, err := h.organization(c)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	raw := c.Param("id")
	notFound := store.Errorf(store.ENOTFOUND, "Your organization has no project %q; GET /projects lists its projects.", raw)
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		fail(c, notFound)
		return nil, false
	}
	p, err := h.Store.Project(c.Request.Context(), n)
	if store.ErrorCode(err) == store.ENOTFOUND || err == nil && p.OrgID != org {
		err = notFound
	}
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return p, true
}

// requireName refuses an empty name or one over maxNameRunes; what is what
// is named, example a body with a good one.
func requireName(name, what, example string) error {
	if strings.TrimSpace(name) == "" {
		return store.FieldErrorf(store.EINVALID, "name", "Give the %s a name, e.g. %s.", what, example)
	}
	if n := len([]rune(name)); n > maxNameRunes {
		return store.FieldErrorf(store.EINVALID, "name", "The name has %d characters; use at most %d.", n, maxNameRunes)
	}
	return nil
}

// listProjects is GET /projects: the organization's projects, oldest first.
func (h *handlers) listProjects(c *gin.Context) {
	org, err := h.organization(c)
	if err != nil {
		fail(c, err)
		return
	}
	projects, err := h.Store.Projects(c.Request.Context(), org)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]projectJSON, 0, len(projects))
	for i := range projects {
		out = append(out, projectShape(&projects[i]))
	}
	c.JSON(http.StatusOK, out)
}

// createProject is POST /projects, in the caller's organization only.
func (h *handlers) createProject(c *gin.Context) {
	var body struct {
		Name           string `json:"name"`
		OrganizationID string `json:"organization_id"`
	}
	if err := bindJSON(c, &body, createProjectBody); err != nil {
		fail(c, err)
		return
	}
	if err := requireName(body.Name, "project", createProjectBody); err != nil {
		fail(c, err)
		return
	}
	org, err := h.organization(c)
	if err != nil {
		fail(c, err)
		return
	}
	switch strings.TrimSpace(body.OrganizationID) {
	case "":
		fail(c, store.FieldErrorf(store.EINVALID, "organization_id", "Say which organization the project is for: organization_id %q is yours, e.g. %s.", numID(org), createProjectBody))
		return
	case numID(org):
	default:
		fail(c, store.FieldErrorf(store.ENOTFOUND, "organization_id", "Your API key has no organization %q; it can create projects only in its own, %q.", body.OrganizationID, numID(org)))
		return
	}
	p, err := h.Store.CreateProject(c.Request.Context(), org, body.Name)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, projectShape(p))
}

// createAPIKey is POST /projects/:id/api-keys: the only answer with the key.
func (h *handlers) createAPIKey(c *gin.Context) {
	p, ok := h.orgProject(c) // first: another organization's project is 404 whatever the body
	if !ok {
		return
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := bindJSON(c, &body, createAPIKeyBody); err != nil {
		fail(c, err)
		return
	}
	if err := requireName(body.Name, "API key", createAPIKeyBody); err != nil {
		fail(c, err)
		return
	}
	key, k, err := h.Store.CreateAPIKey(c.Request.Context(), p.ID, body.Name)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, createdAPIKeyJSON{ID: numID(k.ID), Name: k.Name, Key: key, CreatedAt: timestamp(k.CreatedAt)})
}

// listAPIKeys is GET /projects/:id/api-keys, oldest first.
func (h *handlers) listAPIKeys(c *gin.Context) {
	p, ok := h.orgProject(c)
	if !ok {
		return
	}
	keys, err := h.Store.APIKeys(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]apiKeyJSON, 0, len(keys))
	for i := range keys {
		out = append(out, apiKeyShape(&keys[i]))
	}
	c.JSON(http.StatusOK, out)
}

// deleteAPIKey is DELETE /projects/:id/api-keys/:key_id. The key is
// refused from the next request on, in this process at once (its
// credential caches are dropped) and in others within their cache's TTL.
func (h *handlers) deleteAPIKey(c *gin.Context) {
	p, ok := h.orgProject(c)
	if !ok {
		return
	}
	raw := c.Param("key_id")
	noKey := store.Errorf(store.ENOTFOUND, "Project %s has no API key %q; GET /projects/%s/api-keys lists its keys.", numID(p.ID), raw, numID(p.ID))
	keyID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || keyID <= 0 {
		fail(c, noKey)
		return
	}
	err = h.Store.DeleteAPIKey(c.Request.Context(), p.ID, keyID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		err = noKey
	}
	if err != nil {
		fail(c, err)
		return
	}
	server.ForgetCredentials()
	c.JSON(http.StatusOK, deletedJSON{ID: numID(keyID), Object: "api_key", Deleted: true})
}
