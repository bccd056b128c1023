package storetest

import (
	"regexp"
	"testing"

	"github.com/parleyhq/parley/store"
)

var keyPattern = regexp.MustCompile(`^sk-[0-9A-Za-z]{48}$`)

func testAPIKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	t.Run("created", func(t *testing.T) {
		key, k, err := s.CreateAPIKey(ctx, p.ID, "ci")
		noErr(t, err)
		if !keyPattern.MatchString(key) {
			t.Errorf("key %q, want sk- and 48 base62 characters", key)
		}
		if k.ID == 0 || k.ProjectID != p.ID || k.Name != "ci" || k.Prefix != key[:7] {
			t.Errorf("key record = %+v, want an id, project %d, name ci and prefix %q", k, p.ID, key[:7])
		}
		inUTC(t, "CreatedAt", k.CreatedAt)
		got, err := s.APIKeyByKey(ctx, key)
		noErr(t, err)
		same(t, "APIKeyByKey", got, k)
	})
	t.Run("every key new", func(t *testing.T) {
		a, _, err := s.CreateAPIKey(ctx, p.ID, "a")
		noErr(t, err)
		b, _, err := s.CreateAPIKey(ctx, p.ID, "b")
		noErr(t, err)
		if a == b {
			t.Errorf("two keys are both %q", a)
		}
	})
	t.Run("created for unknown project", func(t *testing.T) {
		_, _, err := s.CreateAPIKey(ctx, 999_999, "x")
		wantCode(t, err, store.ENOTFOUND)
	})

	const devKey = "sk-dev-0123456789abcdef"
	var registered *store.APIKey
	t.Run("registered", func(t *testing.T) {
		k, err := s.RegisterAPIKey(ctx, p.ID, "dev", devKey)
		noErr(t, err)
		if k.ID == 0 || k.ProjectID != p.ID || k.Name != "dev" || k.Prefix != "sk-dev-" {
			t.Errorf("key record = %+v, want an id, project %d, name dev and prefix sk-dev-", k, p.ID)
		}
		got, err := s.APIKeyByKey(ctx, devKey)
		noErr(t, err)
		same(t, "APIKeyByKey", got, k)
		registered = k
	})
	t.Run("registered again is a no-op", func(t *testing.T) {
		k, err := s.RegisterAPIKey(ctx, p.ID, "renamed", devKey)
		noErr(t, err)
		same(t, "RegisterAPIKey again", k, registered)
	})
	for _, c := range []struct {
		name    string
		project int64
		key     string
		code    string
	}{
		{"registered for another project", other.ID, devKey, store.ECONFLICT},
		{"registered for unknown project", 999_999, "sk-unknown-project-key", store.ENOTFOUND},
		{"too short", p.ID, "sk-0123456789abcdef", store.EINVALID}, // 19 characters
		{"without sk-", p.ID, "pk-0123456789abcdef0123", store.EINVALID},
		{"empty", p.ID, "", store.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.RegisterAPIKey(ctx, c.project, "x", c.key)
			wantCode(t, err, c.code)
		})
	}
	t.Run("shortest valid registered", func(t *testing.T) {
		_, err := s.RegisterAPIKey(ctx, p.ID, "short", "sk-0123456789abcdefg") // 20 characters
		noErr(t, err)
	})
	t.Run("unknown key", func(t *testing.T) {
		_, err := s.APIKeyByKey(ctx, "sk-"+devKey)
		wantCode(t, err, store.EUNAUTHORIZED)
	})
	t.Run("empty key", func(t *testing.T) {
		_, err := s.APIKeyByKey(ctx, "")
		wantCode(t, err, store.EUNAUTHORIZED)
	})
}
