package server

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/cors"

	"github.com/parleyhq/parley/store"
)

// CORS for the API: a browser page may call it only from an origin its
// project lists (PATCH /v1/project, store.Origins). The answer names the
// exact origin, never "*", with Vary: Origin; credentials are allowed
// because only exact, listed origins are ever answered.
//
// The project is known only once a request is authenticated, and a
// preflight carries no credentials by the browser's rules. So:
//   - a preflight is answered when any project lists its origin, else
//     answered with no CORS headers, which the browser takes as a refusal;
//   - the actual request is answered with CORS headers only when the
//     caller's own project lists the origin (authenticateWith).
//
// An origin listed by project A thus passes the preflight of a request
// made with project B's credentials, but B's answer carries no
// Access-Control-Allow-Origin, so the browser hides it from the page; and
// such a request needs B's credentials, which the page then holds anyway.
// An origin no project lists gets nothing at all. The widget answers its
// own CORS per channel (Dialect.OwnCORS).

// originTTL is how long a project's origins, or whether an origin is
// listed, are believed without asking the store again; ForgetOrigins
// makes this process's own changes count at once.
const originTTL = 10 * time.Second

// maxCachedOrigins bounds each cache of a corsPolicy: preflights from
// any number of unknown origins must not grow it without end.
const maxCachedOrigins = 10_000

// originsEpoch counts ForgetOrigins calls; an entry cached in an earlier
// epoch is not believed.
var originsEpoch atomic.Uint64

// ForgetOrigins makes every CORS check of this process ask the store
// again: whatever changes a project's origins calls it after the change.
func ForgetOrigins() { originsEpoch.Add(1) }

// corsPolicy answers CORS from the projects' allowed origins, through
// rs/cors, which does the protocol (preflight headers, Vary, exposure).
type corsPolicy struct {
	db       store.Store
	log      *slog.Logger
	cors     *cors.Cors
	projects *ttlCache[int64, []string] // a project's origins
	listed   *ttlCache[string, bool]    // whether any project lists an origin
}

// corsProjectKey carries the caller's project to the origin check of an
// actual request; a preflight has none.
type corsProjectKey struct{}

func newCORSPolicy(db store.Store, log *slog.Logger) *corsPolicy {
	p := &corsPolicy{db: db, log: log, projects: newTTLCache[int64, []string](), listed: newTTLCache[string, bool]()}
	p.cors = cors.New(cors.Options{
		AllowOriginVaryRequestFunc: p.allows,
		AllowedMethods:             []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		// Any request header: headers grant nothing (the credential in
		// them does), and SDKs in browsers send their own (x-stainless-*).
		AllowedHeaders: []string{"*"},
		ExposedHeaders: []string{"ETag", "Location", "Content-Disposition", "Retry-After", "X-RateLimit-Limit",
			"X-RateLimit-Remaining", "X-RateLimit-Reset", RequestIDHeader, "x-vercel-ai-ui-message-stream"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	return p
}

// allows is rs/cors's origin check: the request's project's origins for
// an actual request, every project's for a preflight. A store that fails
// allows nothing.
func (p *corsPolicy) allows(r *http.Request, origin string) (bool, []string) {
	if origin == "" {
		return false, nil
	}
	ctx, epoch := r.Context(), originsEpoch.Load()
	if projectID, ok := ctx.Value(corsProjectKey{}).(int64); ok {
		origins, err := p.projects.get(projectID, epoch, func() ([]string, error) { return p.db.ProjectOrigins(ctx, projectID) })
		return p.checked(err, origin) && slices.Contains(origins, origin), nil
	}
	listed, err := p.listed.get(origin, epoch, func() (bool, error) { return p.db.OriginListed(ctx, origin) })
	return p.checked(err, origin) && listed, nil
}

// checked logs a failed lookup; false for one.
func (p *corsPolicy) checked(err error, origin string) bool {
	if err != nil {
		p.log.Warn("looking up CORS origins failed; the request gets no CORS headers", "origin", origin, "error", err)
	}
	return err == nil
}

// preflight answers a browser's CORS preflight on a path of a dialect
// that does not answer CORS itself, and ends the request there: it
// carries no credentials, so no route would let it through.
func (p *corsPolicy) preflight(o owners) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" || !o.apiCORS(r.URL.Path) {
			return
		}
		p.cors.HandlerFunc(c.Writer, r) // answers 204, with CORS headers if the origin is listed
		c.Abort()
	}
}

// actual adds the CORS headers of an authenticated request from an
// origin its project lists, before the route's answer (or refusal) is
// written, so the page can read either.
func (p *corsPolicy) actual(c *gin.Context, projectID int64) {
	r := c.Request
	if p == nil || r.Header.Get("Origin") == "" || r.Method == http.MethodOptions {
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), corsProjectKey{}, projectID))
	p.cors.HandlerFunc(c.Writer, r)
}
