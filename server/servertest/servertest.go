// Package servertest starts Parley's HTTP API over real loopback HTTP,
// against an in-process Temporal server, a real worker and a SQLite store,
// with two projects to test isolation.
package servertest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/devtemporal"
	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/pgtest"
	"github.com/parleyhq/parley/store/sqlite"
	parleyworker "github.com/parleyhq/parley/worker"
)

// MaxUpload is the upload limit of test servers: small, to test 413.
const MaxUpload = 1 << 20

// Project is a test project and its credentials.
type Project struct {
	ID       int64
	Email    string
	Password string
	APIKey   string
}

// Bearer is the project's API key header value.
func (p Project) Bearer() string { return "Bearer " + p.APIKey }

// Basic is the project's user's Basic header value.
func (p Project) Basic() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(p.Email+":"+p.Password))
}

// Env is a running API.
type Env struct {
	T         testing.TB
	URL       string
	Store     store.Store
	Dialogs   *dialogs.Service
	Temporal  client.Client
	Bus       *events.Memory
	Knowledge *knowledge.Library // what indexes and searches vector stores
	Metrics   *metrics.Metrics   // what GET /metrics serves
	Secrets   *secretbox.Box     // seals webhook secrets, as the API does
	A, B      Project
}

// Options change what New starts.
type Options struct {
	LLM llm.Provider // the model llm nodes ask; nil: none configured
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Log, when set, receives the HTTP layer's logs as JSON lines;
	// otherwise they go to slog's default logger.
	Log io.Writer
	// WorkerLog, when set, receives the Temporal SDK's logs (the worker,
	// the workflows and activities, the client) as JSON lines, and
	// TemporalServerLog the in-process Temporal server's; otherwise the
	// SDK's go to the test's log and the server's nowhere (temporallog.go).
	WorkerLog, TemporalServerLog io.Writer
	// Postgres runs the API on PostgreSQL (a private schema in the
	// database PARLEY_TEST_DATABASE_URL names; the test is skipped without
	// it) instead of SQLite.
	Postgres bool
	// Undocumented says the test mounts routes schemas/openapi.yaml does
	// not have on purpose: its exchanges are not checked against it.
	Undocumented bool
	// Billing charges the worker's model calls and is the API's billing;
	// nil: billing off. Its Store is set to the test's.
	Billing *billing.Service
	// RequestRate limits each credential's requests; zero: no limit.
	RequestRate server.RequestRate
	// TokenClock is the clock JWTs are issued and checked by; nil: the
	// real one.
	TokenClock func() time.Time
	// RouteLimits replace the dialects' named route budgets.
	RouteLimits map[string]server.RouteLimit
	// StreamsPerKey caps the streams one credential holds open, as
	// server.Deps's: 0 is the default cap, a negative number none.
	StreamsPerKey int
	// SecretKey is the installation's PARLEY_SECRET_KEY; nil: a random
	// one.
	SecretKey []byte
	// Policy is the outbound address policy of block calls, url tools and
	// the API's checks of webhook URLs; nil: loopback allowed, for the
	// tests' own services.
	Policy *netguard.Policy
}

// NewTemporal starts an in-process Temporal server, tuned as parley dev's
// (one partition per task queue), that stops when the test ends.
func NewTemporal(t testing.TB, opts ...temporaltest.TestServerOption) *temporaltest.TestServer {
	t.Helper()
	config := devtemporal.DynamicConfig()
	// temporaltest sets this so search attributes are seen at once; ours
	// replaces its dynamic config, so keep it.
	config[dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key()] = true
	base := []temporaltest.TestServerOption{temporaltest.WithBaseServerOptions(temporal.WithDynamicConfigClient(config))}
	tt, isTest := t.(*testing.T)
	if isTest { // its logs go to the test, and it stops when the test ends
		base = append(base, temporaltest.WithT(tt))
	}
	ts := temporaltest.NewServer(append(base, opts...)...)
	if !isTest { // a benchmark
		t.Cleanup(ts.Stop)
	}
	return ts
}

// New starts everything; it all stops when the test ends.
func New(t testing.TB, dialects ...server.Dialect) *Env {
	t.Helper()
	return NewWith(t, Options{}, dialects...)
}

// NewWith is New with options.
func NewWith(t testing.TB, opts Options, dialects ...server.Dialect) *Env {
	t.Helper()
	m := metrics.New() // as in dev: the SDK's metrics and the worker's land in it too
	t.Cleanup(m.Close)
	ts := NewTemporal(t, append(serverLogOptions(opts.TemporalServerLog),
		temporaltest.WithBaseClientOptions(client.Options{MetricsHandler: m.TemporalHandler(), Logger: sdkLogger(opts.WorkerLog)}),
		temporaltest.WithBaseWorkerOptions(parleyworker.Options(m)))...)
	db := openStore(t, opts.Postgres)
	bus := events.NewMemory() // the worker, the service and the API share it, as in dev
	db.OnEvents(events.Announce(bus))
	files := blobs.Dir(filepath.Join(t.TempDir(), "files"))
	// Knowledge indexes in a workflow, as in dev, with the offline embedder.
	lib := &knowledge.Library{Store: db, Index: knowledge.NewStoreIndex(db), Embedder: knowledge.NewHashEmbedder(knowledge.DefaultHashDim),
		Blobs: files, Start: parleyworker.IndexStarter(ts.GetDefaultClient())}
	// Block services in tests are loopback servers.
	policy := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	if opts.Policy != nil {
		policy = *opts.Policy
	}
	if opts.Billing != nil {
		opts.Billing.Store = db
	}
	ts.NewWorker(engine.TaskQueue, func(r worker.Registry) {
		parleyworker.Register(r, &parleyworker.Activities{Store: db, Policy: policy, LLM: opts.LLM, Bus: bus, Knowledge: lib, Metrics: m,
			Billing: opts.Billing})
	})
	svc := &dialogs.Service{Store: db, Temporal: ts.GetDefaultClient(), Bus: bus, Files: files, Metrics: m}
	key := opts.SecretKey
	if key == nil {
		key = make([]byte, secretbox.KeySize)
		rand.Read(key) // never fails (crypto/rand)
	}
	secrets, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil) // listening: its URL is known before it serves
	deps := server.Deps{Store: db, Dialogs: svc, Files: files, MaxUpload: MaxUpload, Bus: bus, Knowledge: lib,
		PublicURL: "http://" + srv.Listener.Addr().String(), TrustedProxies: opts.TrustedProxies, Metrics: m, MetricsOnMainRouter: true,
		Secrets: secrets, Billing: opts.Billing, RequestRate: opts.RequestRate, Tokens: server.NewTokens(secrets),
		RouteLimits: opts.RouteLimits, StreamsPerKey: opts.StreamsPerKey, URLPolicy: &policy}
	deps.Tokens.Now = opts.TokenClock
	if opts.Log != nil {
		deps.Logger = slog.New(slog.NewJSONHandler(opts.Log, nil))
	}
	handler, err := server.New(deps, dialects...)
	if err != nil {
		t.Fatal(err)
	}
	if !opts.Undocumented {
		handler = specChecked(t, handler)
	}
	srv.Config.Handler = handler
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(bus.Close) // runs first: open event streams end, so srv.Close need not wait for them
	e := &Env{T: t, URL: srv.URL, Store: db, Dialogs: svc, Temporal: ts.GetDefaultClient(), Bus: bus, Knowledge: lib, Metrics: m,
		Secrets: secrets}
	e.A = e.project("a@example.com")
	e.B = e.project("b@example.com")
	return e
}

// openStore opens a fresh store, closed when t ends.
func openStore(t testing.TB, postgresDB bool) store.Store {
	var db store.Store
	var err error
	if postgresDB {
		db, err = postgres.Open(t.Context(), pgtest.URL(t))
	} else {
		db, err = sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (e *Env) project(email string) Project {
	ctx := e.T.Context()
	org, err := e.Store.CreateOrganization(ctx, email)
	must(e.T, err)
	p, err := e.Store.CreateProject(ctx, org.ID, email)
	must(e.T, err)
	u, err := e.Store.CreateUser(ctx, email, email, "secret-"+email)
	must(e.T, err)
	must(e.T, e.Store.SetMembership(ctx, p.ID, u.ID, store.RoleOwner))
	key, _, err := e.Store.CreateAPIKey(ctx, p.ID, "test")
	must(e.T, err)
	return Project{ID: p.ID, Email: email, Password: "secret-" + email, APIKey: key}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
}

// Do sends a request. body may be nil, a string or bytes (sent as is), or
// a value sent as JSON.
func (e *Env) Do(method, path, auth string, body any) *Response {
	e.T.Helper()
	header := http.Header{}
	if auth != "" {
		header.Set("Authorization", auth)
	}
	return e.DoWith(method, path, header, body)
}

// DoWith is Do with the request's headers given.
func (e *Env) DoWith(method, path string, header http.Header, body any) *Response {
	e.T.Helper()
	var r io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		r, contentType = bytes.NewBufferString(b), "application/yaml"
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		must(e.T, err)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(e.T.Context(), method, e.URL+path, r)
	must(e.T, err)
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := http.DefaultClient.Do(req)
	must(e.T, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	must(e.T, err)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// specChecked wraps handler so that every exchange is validated against
// schemas/openapi.yaml; the test fails, after its server stops, listing
// each one that departs from it.
func specChecked(t testing.TB, handler http.Handler) http.Handler {
	t.Helper()
	check, err := Spec()
	if err != nil {
		t.Fatalf("schemas/openapi.yaml: %v", err)
	}
	var mu sync.Mutex
	var found []string
	// Registered before the server's own cleanup, so it runs after the
	// server has stopped and every exchange has been checked.
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, f := range found {
			t.Errorf("not as schemas/openapi.yaml says: %s", f)
		}
	})
	return check.checked(handler, func(x Exchange, problems []string) {
		mu.Lock()
		defer mu.Unlock()
		found = append(found, fmt.Sprintf("%s %s -> %d: %s", x.Request.Method, x.Request.URL.RequestURI(), x.Status, strings.Join(problems, "; ")))
	})
}
