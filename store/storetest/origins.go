package storetest

import (
	"testing"

	"github.com/parleyhq/parley/store"
)

// testOrigins: a project's allowed origins are stored normalised (lower
// case, sorted, no repeats), replaced whole, kept per project, and found
// by origin across projects; anything but an http(s) origin is refused.
func testOrigins(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := newProject(t, s), newProject(t, s)
	t.Run("none at first", func(t *testing.T) {
		got, err := s.ProjectOrigins(ctx, a.ID)
		noErr(t, err)
		same(t, "ProjectOrigins", got, []string{})
	})
	t.Run("normalised", func(t *testing.T) {
		got, err := s.SetProjectOrigins(ctx, a.ID, []string{"https://Shop.Example.com", "http://localhost:3000/", "https://shop.example.com"})
		noErr(t, err)
		want := []string{"http://localhost:3000", "https://shop.example.com"}
		same(t, "SetProjectOrigins", got, want)
		got, err = s.ProjectOrigins(ctx, a.ID)
		noErr(t, err)
		same(t, "ProjectOrigins", got, want)
	})
	t.Run("per project", func(t *testing.T) {
		got, err := s.ProjectOrigins(ctx, b.ID)
		noErr(t, err)
		same(t, "ProjectOrigins of another project", got, []string{})
	})
	t.Run("listed", func(t *testing.T) {
		for origin, want := range map[string]bool{"https://shop.example.com": true, "http://localhost:3000": true,
			"https://evil.example.com": false, "https://shop.example.com:443": false} {
			got, err := s.OriginListed(ctx, origin)
			noErr(t, err)
			if got != want {
				t.Errorf("OriginListed(%q) = %v, want %v", origin, got, want)
			}
		}
	})
	t.Run("replaced", func(t *testing.T) {
		_, err := s.SetProjectOrigins(ctx, a.ID, []string{"https://app.example.com"})
		noErr(t, err)
		listed, err := s.OriginListed(ctx, "https://shop.example.com")
		noErr(t, err)
		if listed {
			t.Error("an origin removed from the only project that listed it is still listed")
		}
		_, err = s.SetProjectOrigins(ctx, a.ID, nil)
		noErr(t, err)
		got, err := s.ProjectOrigins(ctx, a.ID)
		noErr(t, err)
		same(t, "ProjectOrigins after clearing", got, []string{})
	})
	t.Run("invalid", func(t *testing.T) {
		for _, o := range []string{"*", "null", "https://example.com/path", "ftp://example.com", "https://user@example.com", ""} {
			_, err := s.SetProjectOrigins(ctx, a.ID, []string{o})
			wantCode(t, err, store.EINVALID)
			if f := store.ErrorOf(err).Field; f != "allowed_origins" {
				t.Errorf("SetProjectOrigins(%q): field %q, want allowed_origins", o, f)
			}
		}
	})
	t.Run("unknown project", func(t *testing.T) {
		_, err := s.SetProjectOrigins(ctx, 999_999, []string{"https://example.com"})
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.ProjectOrigins(ctx, 999_999)
		wantCode(t, err, store.ENOTFOUND)
	})
}
