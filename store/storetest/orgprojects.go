package storetest

import (
	"testing"

	"github.com/parleyhq/parley/store"
)

// testOrgProjects: an organization's projects are listed oldest first,
// and only its own.
func testOrgProjects(t *testing.T, s store.Store) {
	ctx := t.Context()
	o, err := s.CreateOrganization(ctx, "Acme")
	noErr(t, err)
	a, err := s.CreateProject(ctx, o.ID, "Support")
	noErr(t, err)
	newProject(t, s) // another organization's
	b, err := s.CreateProject(ctx, o.ID, "Sales")
	noErr(t, err)
	t.Run("listed", func(t *testing.T) {
		got, err := s.Projects(ctx, o.ID)
		noErr(t, err)
		same(t, "Projects", got, []store.Project{*a, *b})
	})
	t.Run("unknown organization", func(t *testing.T) {
		got, err := s.Projects(ctx, 999_999)
		noErr(t, err)
		same(t, "Projects", got, []store.Project{})
	})
}
