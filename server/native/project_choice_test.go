package native_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// TestProjectChoice: a member of two projects reaches either with a
// password, X-Project-Id naming which (the first they joined without it),
// and signs in to either by ReplyX's login with project_id. A project
// they are not in is 403; a header that is no id is 401 (it is part of
// the sign-in). An API key carries its project and reads no header.
func TestProjectChoice(t *testing.T) {
	e := servertest.New(t, native.Dialect, replyx.Dialect)
	ctx := t.Context()
	ann, err := e.Store.UserByEmail(ctx, e.A.Email)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SetMembership(ctx, e.B.ID, ann.ID, store.RoleOperator); err != nil {
		t.Fatal(err)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(e.A.Email+":"+e.A.Password))
	ask := func(auth, project string) *servertest.Response {
		h := http.Header{"Authorization": {auth}}
		if project != "" {
			h.Set(server.ProjectHeader, project)
		}
		return e.DoWith("GET", "/v1/session", h, nil)
	}
	id := func(p int64) string { return strconv.FormatInt(p, 10) }
	for _, c := range []struct {
		name, auth, project string
		status              int
		inProject           int64
		role                string
	}{
		{"a password alone", basic, "", http.StatusOK, e.A.ID, "owner"},
		{"a password in the second project", basic, id(e.B.ID), http.StatusOK, e.B.ID, "operator"},
		{"a password in the first, named", basic, id(e.A.ID), http.StatusOK, e.A.ID, "owner"},
		{"a password in a project not theirs", basic, "999999", http.StatusForbidden, 0, ""},
		{"a header that is no id", basic, "B", http.StatusUnauthorized, 0, ""},
		{"an API key, another project named", e.A.Bearer(), id(e.B.ID), http.StatusOK, e.A.ID, "owner"},
	} {
		r := ask(c.auth, c.project)
		var s sessionAnswer
		if r.Status == http.StatusOK {
			r.JSON(t, &s)
		}
		if r.Status != c.status || s.ProjectID != c.inProject || s.Role != c.role {
			t.Errorf("%s: %d %s, want %d in project %d as %q", c.name, r.Status, r.Body, c.status, c.inProject, c.role)
		}
	}

	login := func(project int64) (*servertest.Response, string) {
		body := map[string]any{"email": e.A.Email, "password": e.A.Password}
		if project != 0 {
			body["project_id"] = project
		}
		r := e.Do("POST", "/api/auth/login", "", body)
		var in struct {
			AccessToken string `json:"access_token"`
		}
		if r.Status == http.StatusOK {
			r.JSON(t, &in)
		}
		return r, in.AccessToken
	}
	for _, want := range []int64{e.B.ID, e.A.ID} {
		r, jwt := login(want)
		var s sessionAnswer
		e.Do("GET", "/v1/session", "Bearer "+jwt, nil).JSON(t, &s)
		if r.Status != http.StatusOK || s.ProjectID != want {
			t.Errorf("ReplyX login with project_id %d: %d %s, then in project %d", want, r.Status, r.Body, s.ProjectID)
		}
	}
	if r, _ := login(999999); r.Status != http.StatusForbidden {
		t.Errorf("ReplyX login to a project not theirs: %d %s, want 403", r.Status, r.Body)
	}
}
