package worken_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/servertest"
)

type project struct {
	ID             string
	Name           string
	OrganizationID string  `json:"organization_id"`
	AvatarURL      *string `json:"avatar_url"`
	CreatedAt      string  `json:"created_at"`
}

type apiKey struct {
	ID         string
	Name       string
	Key        string
	LastUsedAt *string `json:"last_used_at"`
	CreatedAt  string  `json:"created_at"`
}

var workenKey = regexp.MustCompile(`^sk-[0-9A-Za-z]{48}$`)

func listProjects(t *testing.T, e *servertest.Env, auth string) []project {
	t.Helper()
	var ps []project
	ok(t, e.Do("GET", "/projects", auth, nil), &ps)
	return ps
}

func createKey(t *testing.T, e *servertest.Env, auth, projectID, name string) apiKey {
	t.Helper()
	var k apiKey
	ok(t, e.Do("POST", "/projects/"+projectID+"/api-keys", auth, map[string]any{"name": name}), &k)
	return k
}

func listKeys(t *testing.T, e *servertest.Env, auth, projectID string) []apiKey {
	t.Helper()
	var ks []apiKey
	ok(t, e.Do("GET", "/projects/"+projectID+"/api-keys", auth, nil), &ks)
	return ks
}

func keyNamed(t *testing.T, keys []apiKey, name string) apiKey {
	t.Helper()
	for _, k := range keys {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no key %q in %+v", name, keys)
	return apiKey{}
}

func TestProjects(t *testing.T) {
	e := newEnv(t)
	a, b := strconv.FormatInt(e.A.ID, 10), strconv.FormatInt(e.B.ID, 10)
	mine := listProjects(t, e, e.A.Bearer())
	if len(mine) != 1 || mine[0].ID != a || mine[0].Name != "a@example.com" || mine[0].OrganizationID == "" ||
		mine[0].AvatarURL != nil || mine[0].CreatedAt == "" {
		t.Fatalf("projects of A: %+v", mine)
	}
	org := mine[0].OrganizationID

	var created project
	t.Run("created in the caller's organization", func(t *testing.T) {
		ok(t, e.Do("POST", "/projects", e.A.Bearer(), map[string]any{"name": "Sales", "organization_id": org}), &created)
		if created.ID == "" || created.ID == a || created.Name != "Sales" || created.OrganizationID != org || created.AvatarURL != nil {
			t.Errorf("created %+v", created)
		}
		got := listProjects(t, e, e.A.Bearer())
		if len(got) != 2 || got[0].ID != a || got[1] != created {
			t.Errorf("listed %+v, want A's project then %+v", got, created)
		}
	})
	t.Run("another organization's projects are not listed", func(t *testing.T) {
		got := listProjects(t, e, e.B.Bearer())
		if len(got) != 1 || got[0].ID != b || got[0].OrganizationID == org {
			t.Errorf("B lists %+v", got)
		}
	})
	t.Run("another organization", func(t *testing.T) {
		theirs := listProjects(t, e, e.B.Bearer())[0].OrganizationID
		for _, orgID := range []string{theirs, "999999", "acme"} {
			r := e.Do("POST", "/projects", e.A.Bearer(), map[string]any{"name": "Sales", "organization_id": orgID})
			if got := wantError(t, r, http.StatusNotFound, orgID, org); got.Error.Param != "organization_id" {
				t.Errorf("param %q, want organization_id", got.Error.Param)
			}
		}
	})
	for _, c := range []struct {
		name   string
		body   any
		status int
		param  string
	}{
		{"no name", map[string]any{"organization_id": org}, http.StatusUnprocessableEntity, "name"},
		{"blank name", map[string]any{"name": "  ", "organization_id": org}, http.StatusUnprocessableEntity, "name"},
		{"name too long", map[string]any{"name": strings.Repeat("x", 257), "organization_id": org}, http.StatusUnprocessableEntity, "name"},
		{"no organization", map[string]any{"name": "Sales"}, http.StatusUnprocessableEntity, "organization_id"},
		{"organization a number", map[string]any{"name": "Sales", "organization_id": 1}, http.StatusBadRequest, ""},
		{"not an object", []string{"Sales"}, http.StatusBadRequest, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := wantError(t, e.Do("POST", "/projects", e.A.Bearer(), c.body), c.status)
			if got.Error.Param != c.param {
				t.Errorf("param %q, want %q", got.Error.Param, c.param)
			}
			if !strings.Contains(got.Error.Message, c.param) {
				t.Errorf("message %q does not name %s", got.Error.Message, c.param)
			}
		})
	}
	t.Run("a password is refused", func(t *testing.T) {
		wantError(t, e.Do("GET", "/projects", e.A.Basic(), nil), http.StatusUnauthorized)
	})
}

func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	a, b := strconv.FormatInt(e.A.ID, 10), strconv.FormatInt(e.B.ID, 10)
	org := listProjects(t, e, e.A.Bearer())[0].OrganizationID
	var sales project
	ok(t, e.Do("POST", "/projects", e.A.Bearer(), map[string]any{"name": "Sales", "organization_id": org}), &sales)

	ci := createKey(t, e, e.A.Bearer(), a, "CI")
	t.Run("created and shown once", func(t *testing.T) {
		if !workenKey.MatchString(ci.Key) || ci.ID == "" || ci.Name != "CI" || ci.CreatedAt == "" {
			t.Errorf("created %+v", ci)
		}
		r := e.Do("GET", "/projects/"+a+"/api-keys", e.A.Bearer(), nil)
		if strings.Contains(string(r.Body), ci.Key) || strings.Contains(string(r.Body), `"key"`) {
			t.Errorf("the list shows a secret: %s", r.Body)
		}
		listed := keyNamed(t, listKeys(t, e, e.A.Bearer(), a), "CI")
		if listed.ID != ci.ID || listed.CreatedAt != ci.CreatedAt || listed.LastUsedAt != nil {
			t.Errorf("listed %+v, want %s unused", listed, ci.ID)
		}
	})
	t.Run("works as Bearer", func(t *testing.T) {
		got := listProjects(t, e, "Bearer "+ci.Key)
		if len(got) != 2 {
			t.Errorf("the new key lists %+v", got)
		}
	})
	t.Run("last_used_at set on use, not rewritten within a minute", func(t *testing.T) {
		first := keyNamed(t, listKeys(t, e, e.A.Bearer(), a), "CI").LastUsedAt
		if first == nil {
			t.Fatal("last_used_at is null after the key was used")
		}
		stored := func() string {
			keys, err := e.Store.APIKeys(t.Context(), e.A.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				if strconv.FormatInt(k.ID, 10) == ci.ID && k.LastUsedAt != nil {
					return k.LastUsedAt.String() // to the microsecond, unlike the API's
				}
			}
			t.Fatalf("key %s has no last use in the store", ci.ID)
			return ""
		}
		before := stored()
		listProjects(t, e, "Bearer "+ci.Key)
		if after := stored(); after != before {
			t.Errorf("last_used_at rewritten within a minute: %s, then %s", before, after)
		}
	})
	t.Run("for another project of the organization", func(t *testing.T) {
		k := createKey(t, e, e.A.Bearer(), sales.ID, "Sales CI")
		if got := listKeys(t, e, e.A.Bearer(), sales.ID); len(got) != 1 || got[0].ID != k.ID {
			t.Errorf("Sales keys %+v", got)
		}
		// It manages the organization's projects too.
		if got := listKeys(t, e, "Bearer "+k.Key, a); len(got) != 2 {
			t.Errorf("A's keys seen with Sales's key: %+v", got)
		}
	})
	t.Run("another organization's project", func(t *testing.T) {
		wantError(t, e.Do("GET", "/projects/"+a+"/api-keys", e.B.Bearer(), nil), http.StatusNotFound, a)
		wantError(t, e.Do("POST", "/projects/"+a+"/api-keys", e.B.Bearer(), map[string]any{"name": "x"}), http.StatusNotFound, a)
		wantError(t, e.Do("DELETE", "/projects/"+a+"/api-keys/"+ci.ID, e.B.Bearer(), nil), http.StatusNotFound, a)
		for _, id := range []string{"999999", "nope", "0"} {
			wantError(t, e.Do("GET", "/projects/"+id+"/api-keys", e.A.Bearer(), nil), http.StatusNotFound, id)
		}
	})
	t.Run("another project's key", func(t *testing.T) {
		bKeys, err := e.Store.APIKeys(t.Context(), e.B.ID)
		if err != nil || len(bKeys) != 1 {
			t.Fatalf("B's keys: %v, %v", bKeys, err)
		}
		theirs := strconv.FormatInt(bKeys[0].ID, 10)
		wantError(t, e.Do("DELETE", "/projects/"+a+"/api-keys/"+theirs, e.A.Bearer(), nil), http.StatusNotFound, theirs)
		wantError(t, e.Do("DELETE", "/projects/"+sales.ID+"/api-keys/"+ci.ID, e.A.Bearer(), nil), http.StatusNotFound, ci.ID)
		wantError(t, e.Do("DELETE", "/projects/"+a+"/api-keys/nope", e.A.Bearer(), nil), http.StatusNotFound, "nope")
		listKeys(t, e, e.B.Bearer(), b) // B's key still works
		listKeys(t, e, "Bearer "+ci.Key, a)
	})
	for _, c := range []struct {
		name   string
		body   any
		status int
	}{
		{"no name", map[string]any{}, http.StatusUnprocessableEntity},
		{"name too long", map[string]any{"name": strings.Repeat("x", 257)}, http.StatusUnprocessableEntity},
		{"name a number", map[string]any{"name": 7}, http.StatusBadRequest},
		{"no body", nil, http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := wantError(t, e.Do("POST", "/projects/"+a+"/api-keys", e.A.Bearer(), c.body), c.status, "name")
			if c.status == http.StatusUnprocessableEntity && got.Error.Param != "name" {
				t.Errorf("param %q, want name", got.Error.Param)
			}
		})
	}
	t.Run("deleted, refused at once", func(t *testing.T) {
		listProjects(t, e, "Bearer "+ci.Key) // believed by the credential cache now
		var d deleted
		ok(t, e.Do("DELETE", "/projects/"+a+"/api-keys/"+ci.ID, e.A.Bearer(), nil), &d)
		if d.ID != ci.ID || !d.Deleted {
			t.Errorf("deleted %+v", d)
		}
		wantError(t, e.Do("GET", "/projects", "Bearer "+ci.Key, nil), http.StatusUnauthorized)
		for _, k := range listKeys(t, e, e.A.Bearer(), a) {
			if k.ID == ci.ID {
				t.Errorf("the deleted key is listed: %+v", k)
			}
		}
		wantError(t, e.Do("DELETE", "/projects/"+a+"/api-keys/"+ci.ID, e.A.Bearer(), nil), http.StatusNotFound, ci.ID)
	})
	t.Run("a key deletes itself", func(t *testing.T) {
		self := createKey(t, e, e.A.Bearer(), a, "short-lived")
		ok(t, e.Do("DELETE", "/projects/"+a+"/api-keys/"+self.ID, "Bearer "+self.Key, nil), &deleted{})
		wantError(t, e.Do("GET", "/projects", "Bearer "+self.Key, nil), http.StatusUnauthorized)
	})
}
