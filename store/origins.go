package store

import "context"

// Origins keeps the web origins each project lets browsers call its API
// from (CORS). It is part of Store.
type Origins interface {
	// ProjectOrigins lists a project's allowed origins, sorted; none for a
	// project that lists none. ENOTFOUND for an unknown project.
	ProjectOrigins(ctx context.Context, projectID int64) ([]string, error)
	// SetProjectOrigins replaces a project's allowed origins and returns
	// them as stored: scheme://host[:port] in lower case, sorted, without
	// repeats. EINVALID (field allowed_origins) for anything that is not
	// an http or https origin, "*" included; ENOTFOUND for an unknown
	// project.
	SetProjectOrigins(ctx context.Context, projectID int64, origins []string) ([]string, error)
	// OriginListed reports whether any project lists origin, compared as
	// stored.
	OriginListed(ctx context.Context, origin string) (bool, error)
}
