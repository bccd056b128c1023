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

// testAPIKeyLifecycle: a project's keys are listed without their secrets,
// record when they were last used and stop working once deleted.
func testAPIKeyLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	first, k1, err := s.CreateAPIKey(ctx, p.ID, "first")
	noErr(t, err)
	second, k2, err := s.CreateAPIKey(ctx, p.ID, "second")
	noErr(t, err)
	_, k3, err := s.CreateAPIKey(ctx, other.ID, "other")
	noErr(t, err)
	names := func(keys []store.APIKey) []string { return pluck(keys, func(k store.APIKey) string { return k.Name }) }

	t.Run("listed oldest first, unused", func(t *testing.T) {
		keys, err := s.APIKeys(ctx, p.ID)
		noErr(t, err)
		same(t, "APIKeys", keys, []store.APIKey{*k1, *k2})
	})
	t.Run("none listed for an unknown project", func(t *testing.T) {
		keys, err := s.APIKeys(ctx, 999_999)
		noErr(t, err)
		same(t, "APIKeys", keys, []store.APIKey{})
	})
	t.Run("touched", func(t *testing.T) {
		noErr(t, s.TouchAPIKey(ctx, k1.ID, at(10)))
		got, err := s.APIKeyByKey(ctx, first)
		noErr(t, err)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(utc(10)) {
			t.Fatalf("LastUsedAt = %v, want %v", got.LastUsedAt, utc(10))
		}
		inUTC(t, "LastUsedAt", *got.LastUsedAt)
		keys, err := s.APIKeys(ctx, p.ID)
		noErr(t, err)
		if keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(utc(10)) || keys[1].LastUsedAt != nil {
			t.Errorf("listed LastUsedAt = %v and %v, want %v and nil", keys[0].LastUsedAt, keys[1].LastUsedAt, utc(10))
		}
	})
	t.Run("an earlier touch keeps the later time", func(t *testing.T) {
		noErr(t, s.TouchAPIKey(ctx, k1.ID, at(9)))
		got, err := s.APIKeyByKey(ctx, first)
		noErr(t, err)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(utc(10)) {
			t.Errorf("LastUsedAt = %v, want %v still", got.LastUsedAt, utc(10))
		}
		noErr(t, s.TouchAPIKey(ctx, k1.ID, at(11)))
		got, err = s.APIKeyByKey(ctx, first)
		noErr(t, err)
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(utc(11)) {
			t.Errorf("LastUsedAt = %v, want %v", got.LastUsedAt, utc(11))
		}
	})
	t.Run("touched unknown", func(t *testing.T) {
		wantCode(t, s.TouchAPIKey(ctx, 999_999, at(10)), store.ENOTFOUND)
	})
	t.Run("another project's key is not deleted", func(t *testing.T) {
		wantCode(t, s.DeleteAPIKey(ctx, other.ID, k1.ID), store.ENOTFOUND)
		_, err := s.APIKeyByKey(ctx, first)
		noErr(t, err)
	})
	t.Run("deleted", func(t *testing.T) {
		noErr(t, s.DeleteAPIKey(ctx, p.ID, k2.ID))
		_, err := s.APIKeyByKey(ctx, second)
		wantCode(t, err, store.EUNAUTHORIZED)
		keys, err := s.APIKeys(ctx, p.ID)
		noErr(t, err)
		same(t, "names", names(keys), []string{"first"})
		keys, err = s.APIKeys(ctx, other.ID)
		noErr(t, err)
		same(t, "other project's keys", keys, []store.APIKey{*k3})
	})
	t.Run("deleted again", func(t *testing.T) {
		wantCode(t, s.DeleteAPIKey(ctx, p.ID, k2.ID), store.ENOTFOUND)
	})
	t.Run("a deleted key is not touched", func(t *testing.T) {
		wantCode(t, s.TouchAPIKey(ctx, k2.ID, at(12)), store.ENOTFOUND)
	})
}
