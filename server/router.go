package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

// Deps are what the HTTP layer needs.
type Deps struct {
	Store     store.Store
	Dialogs   *dialogs.Service
	Logger    *slog.Logger
	Files     blobs.Dir // where uploaded files are kept
	MaxUpload int64     // bytes; 0 means dialogs.DefaultMaxUpload
	Knowledge *knowledge.Library
	Bus       events.Bus // what event streams read; nil: none
	// PublicURL is where clients reach this server (PARLEY_PUBLIC_URL, or
	// the listen address): the base of the links it hands out. Links never
	// come from the request's Host header, which a client chooses.
	PublicURL string
	// TrustedProxies are the addresses (IPs or CIDRs) whose
	// X-Forwarded-For is believed (PARLEY_TRUSTED_PROXIES). None by
	// default: the client's address is the connection's.
	TrustedProxies []string
	// Metrics records every request; nil records nothing.
	Metrics *metrics.Metrics
	// MetricsOnMainRouter serves GET /metrics on this router. Off when
	// PARLEY_METRICS_ADDR serves the metrics on a listener of their own.
	MetricsOnMainRouter bool
	// Secrets seals webhook signing secrets (PARLEY_SECRET_KEY); nil: the
	// server cannot create webhooks or rotate their secrets.
	Secrets *secretbox.Box
	// Billing is the projects' billing (Worken's /billing routes); nil:
	// billing off, the default offers and Parley's own payment page.
	Billing *billing.Service
	// RequestRate limits each credential's requests (PARLEY_RATE_LIMIT);
	// zero: no limit.
	RequestRate RequestRate
	limits      *RouteLimiter // New's, from RequestRate: one for every dialect
	// Tokens issues and checks JWTs (ReplyX's login); nil: New makes them
	// from Secrets, and without Secrets no JWT is accepted.
	Tokens *Tokens
	// RouteLimits replace a dialect's named route budgets
	// (PARLEY_ROUTE_LIMITS; ReplyX's login, api, ...).
	RouteLimits map[string]RouteLimit
	// URLPolicy is what the URLs users give Parley to call (webhook
	// endpoints) are checked against when they are set; nil:
	// PARLEY_ALLOW_PRIVATE_URLS, read at each check.
	URLPolicy *netguard.Policy
	// StreamsPerKey caps the event streams and WebSockets one credential
	// holds open at once (PARLEY_STREAMS_PER_KEY): 0 is
	// DefaultStreamsPerKey, a negative number no cap.
	StreamsPerKey int
	streams       *openStreams  // New's, from StreamsPerKey: one for every dialect
	dialogLimit   *RouteLimiter // New's, the "dialogs" budget: one for every dialect
	cors          *corsPolicy   // New's: the projects' allowed origins
}

// RouteLimit is the budget named name: RouteLimits' if it has one, else def.
func (d Deps) RouteLimit(name string, def RouteLimit) RouteLimit {
	if l, ok := d.RouteLimits[name]; ok {
		return l
	}
	return def
}

// BillingService is the projects' billing: Deps.Billing, or with billing
// off the default offers and Parley's own payment page.
func (d Deps) BillingService() *billing.Service {
	if d.Billing != nil {
		return d.Billing
	}
	return &billing.Service{Store: d.Store, Config: billing.Default(), Provider: billing.Builtin{BaseURL: d.PublicURL}}
}

// Dialect is one API dialect: its routes and how it renders errors.
type Dialect struct {
	Name string
	// Owns are the path prefixes the dialect answers under, whole
	// segments ("/v1" owns /v1 and /v1/..., not /v1x): an unknown path or
	// a panic there is rendered in the dialect's shape.
	Owns  []string
	Mount func(r *gin.Engine, d Deps)
	// Fail renders err in the dialect's shape and aborts the request.
	Fail func(c *gin.Context, err error)
	// OwnCORS says the dialect answers CORS itself (the widget, per
	// channel); the others' is the projects' allowed origins (cors.go).
	OwnCORS bool
}

// New returns the HTTP handler with every given dialect mounted. It fails
// for a trusted proxy that is not an IP or CIDR.
func New(d Deps, dialects ...Dialect) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, fmt.Errorf("setting PARLEY_TRUSTED_PROXIES: %w", err)
	}
	d.limits = newRequestLimiter(d.RequestRate)
	d.streams = newOpenStreams(d.StreamsPerKey)
	d.dialogLimit = NewRouteLimiter(d.RouteLimit(DialogLimitName, DefaultDialogLimit))
	if d.Tokens == nil && d.Secrets != nil {
		d.Tokens = NewTokens(d.Secrets)
	}
	owners := ownersOf(dialects)
	logger := d.Logger
	if logger == nil {
		logger = slog.Default()
	}
	d.cors = newCORSPolicy(d.Store, logger)
	r.Use(logRequests(logger), noSniff)
	if d.Metrics != nil {
		r.Use(recordRequests(d.Metrics))
	}
	r.Use(gin.CustomRecovery(func(c *gin.Context, err any) {
		Logger(c).Error("panic serving request", "route", route(c), "panic", err)
		owners.fail(c.Request.URL.Path)(c, fmt.Errorf("panic: %v", err))
	}))
	r.Use(d.cors.preflight(owners))
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", ready(d))
	if d.Metrics != nil && d.MetricsOnMainRouter {
		r.GET("/metrics", metricsRoute(d.Metrics))
	}
	if err := mountDocs(r); err != nil {
		return nil, fmt.Errorf("reading the OpenAPI document: %w", err)
	}
	mountUI(r)
	for _, dialect := range dialects {
		dialect.Mount(r, d)
	}
	r.NoRoute(func(c *gin.Context) {
		owners.fail(c.Request.URL.Path)(c, store.Errorf(store.ENOTFOUND, "There is no route %s %s.", c.Request.Method, c.Request.URL.Path))
	})
	return r, nil
}

// owners maps path prefixes to the dialect that renders their errors.
type owners []owner

type owner struct {
	prefix  string
	fail    func(c *gin.Context, err error)
	ownCORS bool
}

func ownersOf(dialects []Dialect) owners {
	var o owners
	for _, d := range dialects {
		for _, p := range d.Owns {
			o = append(o, owner{prefix: strings.TrimSuffix(p, "/"), fail: d.Fail, ownCORS: d.OwnCORS})
		}
	}
	return o
}

// of is the owner of path by its longest prefix; false for a path no
// dialect owns.
func (o owners) of(path string) (owner, bool) {
	best, found := owner{}, false
	for _, w := range o {
		if (!found || len(w.prefix) > len(best.prefix)) && (path == w.prefix || strings.HasPrefix(path, w.prefix+"/")) {
			best, found = w, true
		}
	}
	return best, found
}

// fail is the renderer of the dialect owning path; Fail (the native
// shape) for a path no dialect owns.
func (o owners) fail(path string) func(c *gin.Context, err error) {
	if w, ok := o.of(path); ok {
		return w.fail
	}
	return Fail
}

// apiCORS says whether path is the API's whose CORS is the projects'
// allowed origins: a dialect's that does not answer CORS itself.
func (o owners) apiCORS(path string) bool {
	w, ok := o.of(path)
	return ok && !w.ownCORS
}

// URLGuard is the policy user-given URLs are checked against: URLPolicy,
// or PARLEY_ALLOW_PRIVATE_URLS's when none was given.
func (d Deps) URLGuard() (*netguard.Policy, error) {
	if d.URLPolicy != nil {
		return d.URLPolicy, nil
	}
	p, err := netguard.PolicyFromEnv()
	if err != nil {
		return nil, err
	}
	return &p, nil
}
