package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram"
)

// The secret sweep: the access matrix's every cell (every documented
// route, sent by every principal) runs again with known secrets planted,
// and no answer, body or header, may show one; nor may any documented
// stream (server-sent events, WebSockets: secretleak_streams_test.go),
// the webhook deliveries the worker's dispatcher sends, the event log, or
// any log: the HTTP layer's, slog's default (handlers, the worker's
// activities), the dispatcher's, the Temporal SDK's (the worker, the
// workflows) and the Temporal server's. The worker's activities that
// handle secrets run while it listens (secretleak_worker_test.go). The
// exceptions are the documented one-time reveals below; what a reveal
// shows is a secret from then on, for every later answer and the logs.

// reveals are the answers that show a secret once, to the caller that
// made it: the JSON field (or the cookie) that holds it, and why it may.
var reveals = map[string]struct{ field, cookie, why string }{
	"POST /projects/{id}/api-keys":         {field: "key", why: "a new API key is shown once: Parley keeps only its hash"},
	"POST /v1/webhooks":                    {field: "secret", why: "a new webhook's signing secret is shown once, for its receiver to verify with"},
	"POST /v1/webhooks/{id}/rotate-secret": {field: "secret", why: "the new signing secret is shown once"},
	"POST /widget/v1/dialogs":              {field: "visitor_token", why: "the visitor's own token of the dialog it starts"},
	"POST /api/auth/login":                 {field: "access_token", why: "signing in hands the user a new JWT"},
	"POST /api/auth/register":              {field: "access_token", why: "a new account is signed in with a new JWT"},
	"POST /v1/session":                     {cookie: server.SessionCookie, why: "signing in sets the new session's cookie"},
}

// planted is a secret value and what it is.
type planted struct {
	what string
	// own: the caller that sends it may see it again (a visitor's own
	// token, a signed-in user's own JWT); nobody else may.
	own bool
}

// sweep is the running secret sweep.
type sweep struct {
	m       *matrix
	secrets map[string]planted
	routes  []routeRe
	leaks   []string
	seen    int            // answers checked
	shown   map[string]int // reveals by route
	// telegram is the planted Telegram integration's UUID and the secret
	// Telegram's calls to it carry.
	telegram [2]string

	w           *sweepWorker   // the loopback services the worker calls
	aiKey       string         // the planted AI token's key
	hookUUID    string         // the planted (rotated) webhook
	hookSecrets []string       // the planted webhook's two secrets and the Worken endpoint's
	hooked      []delivered    // the webhook deliveries the receiver got
	hookIDs     map[int64]bool // the planted webhooks' ids
	ran         [2]int         // block tokens and model calls as workerRan last saw them

	streamsRead, streamsOpened, streamEvents, deliveriesRead int
}

type routeRe struct {
	key string
	re  *regexp.Regexp
}

// TestSecretLeaks runs the sweep; see the comment above.
func TestSecretLeaks(t *testing.T) {
	began := time.Now()
	logs := map[string]*lockedBuffer{}
	for _, name := range logSources {
		logs[name] = &lockedBuffer{}
	}
	// atStop scans what is logged as the server, the worker and Temporal
	// stop: registered first, it runs after their cleanups.
	var atStop func()
	t.Cleanup(func() {
		if atStop != nil {
			atStop()
		}
	})
	defaultLog := slog.Default()
	// What handlers log without the router's logger, and the worker's
	// activities.
	slog.SetDefault(slog.New(slog.NewJSONHandler(logs[logDefault], &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(defaultLog) })
	key := randomBytes(secretbox.KeySize)
	w := newSweepWorker(t, llmtest.New(t))
	m := newMatrix(t, servertest.Options{Log: logs[logHTTP], SecretKey: key, LLM: w.gate,
		WorkerLog: logs[logWorker], TemporalServerLog: logs[logTemporal]})
	s := &sweep{m: m, secrets: map[string]planted{}, shown: map[string]int{}, w: w}
	for _, r := range m.routes { // documented paths hold no regexp syntax but their {params}
		s.routes = append(s.routes, routeRe{r.key, regexp.MustCompile("^" + pathParam.ReplaceAllString(r.path, `[^/]+`) + "$")})
	}
	s.plant(key)
	s.startModel()
	s.canary()
	m.observe = s.check
	s.converse()
	for _, c := range m.cells {
		m.run(c) // access is TestAccessMatrix's to judge: here only what the answers show
	}
	s.asAdmin()
	s.public()
	before, cellsDone := s.seen, time.Now()
	w.gate.open.Store(true)
	sw := s.streams(logs[logDispatcher])
	streamsDone := time.Now()
	s.again(sw)
	w.gate.open.Store(false)
	againDone := time.Now()
	s.workerRan("after the streams")
	m.observe = nil
	s.checkEvents()

	if !strings.Contains(logs[logHTTP].String(), `"msg":"request"`) {
		t.Fatal("the router's logs were not captured")
	}
	lines := 0
	var counts []string
	read := map[string]int{}
	for _, name := range logSources {
		text := logs[name].String()
		n := strings.Count(text, "\n")
		lines += n
		counts = append(counts, fmt.Sprintf("%s %d", name, n))
		if n == 0 && name != logDispatcher && name != logDefault { // those two log only what goes wrong
			t.Errorf("%s logged nothing: its logs were not captured", name)
		}
		s.leaks = append(s.leaks, s.logLeaks(name, text)...)
		read[name] = len(text)
	}
	atStop = func() {
		for _, name := range logSources {
			for _, l := range s.logLeaks(name+", stopping", logs[name].String()[read[name]:]) {
				t.Errorf("LEAK %s", l)
			}
		}
	}
	for _, l := range s.leaks {
		t.Errorf("LEAK %s", l)
	}

	var exceptions []string
	for key, r := range reveals {
		exceptions = append(exceptions, fmt.Sprintf("%s (%d shown): %s", key, s.shown[key], r.why))
	}
	slices.Sort(exceptions)
	t.Logf("reveals and exceptions:\n\t%s", strings.Join(exceptions, "\n\t"))
	t.Logf("answers read: %d before the streams, %d while and after", before, s.seen-before)
	t.Logf("took: setup and cells %v, streams %v, the owner's GETs again %v", cellsDone.Sub(began).Round(time.Millisecond),
		streamsDone.Sub(cellsDone).Round(time.Millisecond), againDone.Sub(streamsDone).Round(time.Millisecond))
	t.Logf("log lines read: %s", strings.Join(counts, ", "))
	t.Logf("SECRET SWEEP: %d secrets, %d answers, %d streams (%d opened, %d events), %d webhook deliveries, %d log lines, %d leaks (%v)",
		len(s.secrets), s.seen, s.streamsRead, s.streamsOpened, s.streamEvents, s.deliveriesRead, lines, len(s.leaks),
		time.Since(began).Round(time.Second))
}

// logLeaks are the secrets a log shows.
func (s *sweep) logLeaks(name, text string) []string {
	var out []string
	for value, p := range s.secrets {
		if shows([]byte(text), value) {
			out = append(out, fmt.Sprintf("%s shows %s: %s", name, p.what, around([]byte(text), value)))
		}
	}
	return out
}

// The logs the sweep reads, by where they come from.
const (
	logHTTP       = "the HTTP layer's logs"
	logDefault    = "slog's default logger (handlers, the worker's activities)"
	logDispatcher = "the webhook dispatcher's logs"
	logWorker     = "the Temporal SDK's logs (the worker, workflows, activities)"
	logTemporal   = "the Temporal server's logs"
)

var logSources = []string{logHTTP, logDefault, logDispatcher, logWorker, logTemporal}

// plant makes the secrets of every kind the server keeps or is given,
// and names them.
func (s *sweep) plant(key []byte) {
	m, e, ctx := s.m, s.m.e, s.m.t.Context()
	add := func(value, what string, own bool) {
		if len(value) < 8 {
			m.t.Fatalf("planting %s: %q is too short to look for", what, value)
		}
		s.secrets[value] = planted{what: what, own: own}
	}
	addKey := func(k []byte, what string) {
		add(base64.StdEncoding.EncodeToString(k), what, false)
		add(base64.RawURLEncoding.EncodeToString(k), what+" (base64url)", false)
		add(hex.EncodeToString(k), what+" (hex)", false)
	}
	addKey(key, "PARLEY_SECRET_KEY")
	addKey(e.Secrets.Derive("parley jwt v1"), "the JWT signing key")
	add(e.A.APIKey, "project A's API key", false)
	add(e.B.APIKey, "project B's API key", false)
	for _, c := range m.dead {
		switch c.kind {
		case kAPIKey, kSession, kBillingAdmin:
			add(c.value, c.name, false)
		case kJWT:
			add(c.value, c.name, true)
		}
	}
	for p, creds := range m.creds {
		if c, ok := creds[kSession]; ok {
			add(c.value, p.String()+"'s session id", false)
		}
		if c, ok := creds[kJWT]; ok {
			add(c.value, p.String()+"'s JWT", true)
		}
	}
	for _, p := range []person{m.owner, m.other, m.operator, m.viewer} {
		add(p.password, p.email+"'s password", false)
	}
	add("the-installation-admin-token", "the billing admin token", false)
	for _, kind := range []string{"widget.dialog.visitor", "widget.atfile.visitor"} {
		m.w0.get(strings.TrimSuffix(kind, ".visitor"))
		add(m.w0.vals[kind], "project A's widget visitor token", true)
	}
	add(m.bWidget[1], "project B's widget visitor token", true)

	seal := func(plain string) string {
		sealed, err := e.Secrets.Seal(plain)
		if err != nil {
			m.t.Fatal(err)
		}
		return sealed
	}
	// A webhook whose secret was rotated: both sign.
	first, second := "whsec_"+randomText(24), "whsec_"+randomText(24)
	add(first, "a webhook's previous signing secret", false)
	add(second, "a webhook's signing secret", false)
	// Both are the sweep's receiver's, whose deliveries the dispatcher
	// signs with them during the streams.
	hook := &store.Webhook{ProjectID: e.A.ID, URL: s.w.hooks.URL + "/planted", Events: []string{"message.created"}, Secret: seal(first)}
	must(m.t, e.Store.CreateWebhook(ctx, hook))
	must(m.t, e.Store.RotateWebhookSecret(ctx, e.A.ID, hook.UUID, seal(second), time.Now().Add(time.Hour)))
	// A Worken endpoint whose secret its caller chose.
	endpointSecret := "worken-endpoint-secret-" + randomText(16)
	m.must(m.ownerReq("POST", "/webhook-endpoints", "application/json",
		`{"url": "`+s.w.hooks.URL+`/planted-endpoint", "secret": "`+endpointSecret+`"}`), http.StatusOK)
	add(endpointSecret, "a Worken endpoint's signing secret", false)
	s.hookUUID, s.hookSecrets = hook.UUID, []string{first, second, endpointSecret}
	// Integrations' credentials: a Telegram bot's token (and the secret
	// Telegram's calls carry, made from it), an amoCRM account's OAuth
	// tokens, and credentials given through the API.
	botToken := "123456789:AA" + randomText(33)
	tg := &store.Integration{ProjectID: e.A.ID, Name: "planted bot", Vendor: "telegram", AuthData: seal(`{"token": "` + botToken + `"}`)}
	must(m.t, e.Store.CreateIntegration(ctx, tg))
	add(botToken, "a Telegram bot token", false)
	s.telegram = [2]string{tg.UUID, telegram.WebhookSecret(botToken, tg.UUID)}
	add(s.telegram[1], "a Telegram webhook's secret token", false)
	access, refresh := "amo-access-"+randomText(20), "amo-refresh-"+randomText(20)
	must(m.t, e.Store.CreateIntegration(ctx, &store.Integration{ProjectID: e.A.ID, Name: "planted CRM", Vendor: "amocrm",
		AuthData: seal(`{"access_token": "` + access + `", "refresh_token": "` + refresh + `", "subdomain": "acme"}`)}))
	add(access, "an amoCRM access token", false)
	add(refresh, "an amoCRM refresh token", false)
	given := "vk-" + randomText(24)
	m.must(m.ownerReq("POST", "/integrations", "application/json",
		`{"name": "planted VK", "vendor": "vk", "auth_data": {"access_token": "`+given+`"}}`), http.StatusOK)
	add(given, "integration credentials given through the API", false)
	// An AI token of the installation's pool, for the sweep's model.
	aiKey := "sk-planted-" + randomText(32)
	must(m.t, e.Store.CreateAIToken(ctx, &store.AIToken{Name: "planted", Sealed: seal(aiKey), BaseURL: s.w.model.URL(), Active: true}))
	add(aiKey, "an AI token's API key", false)
	s.aiKey = aiKey
}

// canary checks the sweep itself: an answer showing a planted secret is
// a leak, unless the secret is the caller's own and it sent it.
func (s *sweep) canary() {
	var aiKey, visitor string
	for v, p := range s.secrets {
		switch p.what {
		case "an AI token's API key":
			aiKey = v
		case "project B's widget visitor token":
			visitor = v
		}
	}
	s.check(mxReq("GET", "/v1/project", nil, "", ""), http.StatusOK, http.Header{"X-Echo": {aiKey}}, nil)
	own := mxReq("GET", "/widget/v1/dialogs/x/messages", http.Header{"X-Visitor-Token": {visitor}}, "", "")
	s.check(own, http.StatusOK, nil, []byte(visitor))
	if len(s.leaks) != 1 || !strings.Contains(s.leaks[0], "AI token") {
		s.m.t.Fatalf("the sweep's canary: leaks %q, want the AI key's alone", s.leaks)
	}
	// A stream is scanned as an answer is, its own token in its query
	// (an EventSource's) excepted.
	s.leaks = nil
	stream := &streamRead{req: mxReq("GET", "/widget/v1/dialogs/x/events?visitor_token="+visitor, nil, "", ""), status: http.StatusOK}
	fmt.Fprintf(&stream.body, "event: message.created\ndata: {\"file\": \"/f?visitor_token=%s\", \"text\": %q}\n\n", visitor, aiKey)
	s.checkStream(stream)
	if len(s.leaks) != 1 || !strings.Contains(s.leaks[0], "AI token") {
		s.m.t.Fatalf("the sweep's stream canary: leaks %q, want the AI key's alone", s.leaks)
	}
	s.leaks, s.seen, s.streamsRead, s.streamsOpened = nil, 0, 0, 0
}

// checkEvents looks for every secret in both projects' event logs, which
// event streams, WebSockets and webhooks send (what they rendered of it
// is read too, but only of the events the streams replayed).
func (s *sweep) checkEvents() {
	m := s.m
	for _, project := range []int64{m.e.A.ID, m.e.B.ID} {
		var after int64
		for {
			evs, err := m.e.Store.Events(m.t.Context(), project, store.EventFilter{After: after, Limit: 1000})
			must(m.t, err)
			if len(evs) == 0 {
				break
			}
			data, err := json.Marshal(evs)
			must(m.t, err)
			for value, p := range s.secrets {
				if shows(data, value) {
					s.leaks = append(s.leaks, fmt.Sprintf("project %d's event log shows %s", project, p.what))
				}
			}
			after = evs[len(evs)-1].Seq
		}
	}
}

// public sends the routes that take no credential, each with its spec
// example (or the matrix's body), then sign-ins with the right password,
// a wrong one and a JWT, and a Telegram call with a wrong secret.
func (s *sweep) public() {
	m, o := s.m, s.m.owner
	for _, r := range m.routes {
		if len(r.schemes) != 0 || slices.ContainsFunc(r.params, func(p string) bool { return fixtureOf(r, p) == "" }) {
			continue
		}
		req, _, _ := m.build(m.w0, r, pNone, credential{})
		m.send(req)
	}
	wrong := "wrong-password-" + randomText(12)
	s.secrets[wrong] = planted{what: "a wrong password tried"}
	registered := "registered-password-" + randomText(12)
	s.secrets[registered] = planted{what: "a new account's password"}
	asJSON := func(v any) string {
		data, err := json.Marshal(v)
		must(m.t, err)
		return string(data)
	}
	for _, body := range []map[string]any{{"email": o.email, "password": wrong}, {"email": o.email, "password": o.password}} {
		m.send(mxReq("POST", "/v1/session", nil, "application/json", asJSON(body)))
		m.send(mxReq("POST", "/api/auth/login", nil, "application/json", asJSON(body)))
	}
	m.send(mxReq("POST", "/v1/session", nil, "application/json", asJSON(map[string]any{"access_token": m.creds[pOwner][kJWT].value})))
	m.send(mxReq("POST", "/api/auth/register", nil, "application/json",
		asJSON(map[string]any{"email": "new@sweep.example", "password": registered, "first_name": "New"})))
	almost := s.telegram[1][:len(s.telegram[1])-1] + "x" // not hex: never the secret
	m.send(mxReq("POST", "/integrations/"+s.telegram[0]+"/telegram/webhook", http.Header{"X-Telegram-Bot-Api-Secret-Token": {almost}},
		"application/json", `{"update_id": 1}`))
}

// asAdmin sends every admin route's GET as an administrator, who sees
// the AI tokens (masked) and the users, and adds an AI token through the
// API: no admin answer shows a secret either.
func (s *sweep) asAdmin() {
	m, e, ctx := s.m, s.m.e, s.m.t.Context()
	password := "admin-password-" + randomText(12)
	u, err := e.Store.CreateUser(ctx, "admin@sweep.example", "Admin", password)
	must(m.t, err)
	must(m.t, e.Store.SetAdmin(ctx, u.ID, true))
	must(m.t, e.Store.SetMembership(ctx, e.A.ID, u.ID, store.RoleOwner))
	s.secrets[password] = planted{what: "the admin's password"}
	jwt, _, err := m.tokens.Issue(ctx, e.Store, u.ID, e.A.ID)
	must(m.t, err)
	s.secrets[jwt] = planted{what: "the admin's JWT", own: true}
	bearer := http.Header{"Authorization": {"Bearer " + jwt}}
	for _, r := range m.routes {
		if strings.HasPrefix(r.path, "/api/admin/") && r.method == http.MethodGet {
			m.send(mxReq(r.method, r.path, bearer.Clone(), "", ""))
		}
	}
	posted := "sk-posted-" + randomText(32)
	s.secrets[posted] = planted{what: "an AI token's API key, as posted"}
	status, body := m.send(mxReq("POST", "/api/admin/ai-tokens", bearer.Clone(), "application/json",
		`{"name": "posted in the sweep", "token": "`+posted+`"}`))
	if status != http.StatusCreated {
		m.t.Errorf("adding an AI token as the admin: %d %s", status, excerpt(body))
	}
	status, body = m.send(mxReq("GET", "/api/admin/ai-tokens", bearer.Clone(), "", ""))
	if status != http.StatusOK || !bytes.Contains(body, []byte("posted in the sweep")) {
		m.t.Errorf("listing AI tokens as the admin: %d %s", status, excerpt(body))
	}
}

// check looks for every secret in an answer; a reveal's own secret
// joins them after.
func (s *sweep) check(r *mxRequest, status int, h http.Header, body []byte) {
	s.seen++
	key := s.routeOf(r)
	s.leaks = append(s.leaks, s.leaksIn(r, h, body, fmt.Sprintf("%s = %d", key, status))...)
	if rv, ok := reveals[key]; ok && status/100 == 2 {
		s.shown[key]++
		shown := fieldValues(body, rv.field)
		if rv.cookie != "" {
			for _, c := range (&http.Response{Header: h}).Cookies() {
				if c.Name == rv.cookie {
					shown = append(shown, c.Value)
				}
			}
		}
		if len(shown) == 0 {
			s.leaks = append(s.leaks, fmt.Sprintf("%s = %d shows no secret where the sweep looks for one: %s", key, status, excerpt(body)))
		}
		for _, v := range shown {
			// The caller's own credential from now on: it may send it,
			// and see it where it does.
			s.secrets[v] = planted{what: "the secret " + key + " showed once", own: true}
		}
	}
}

// leaksIn lists the secrets an answer or a stream to r shows, in its
// body or headers, but the caller's own that it sent; where names it.
func (s *sweep) leaksIn(r *mxRequest, h http.Header, body []byte, where string) []string {
	var headers strings.Builder
	for name, vs := range h {
		fmt.Fprintf(&headers, "%s: %s\n", name, strings.Join(vs, ", "))
	}
	var out []string
	for value, p := range s.secrets {
		if !shows(body, value) && !shows([]byte(headers.String()), value) {
			continue
		}
		if p.own && sends(r, value) {
			continue
		}
		out = append(out, fmt.Sprintf("%s shows %s: %s", where, p.what, around(append([]byte(headers.String()), body...), value)))
	}
	return out
}

// forms are the ways value may be written where the sweep looks: as it
// is, escaped for a URL's query or path (a token in a link), or inside a
// JSON string.
func forms(value string) []string {
	out := []string{value}
	j, _ := json.Marshal(value)
	for _, f := range []string{url.QueryEscape(value), url.PathEscape(value), string(j[1 : len(j)-1])} {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// shows says whether b holds value in one of its forms.
func shows(b []byte, value string) bool {
	for _, f := range forms(value) {
		if bytes.Contains(b, []byte(f)) {
			return true
		}
	}
	return false
}

// around is the text about value (in any of its forms) in b, on one line.
func around(b []byte, value string) string {
	for _, f := range forms(value) {
		if i := bytes.Index(b, []byte(f)); i >= 0 {
			from, to := max(0, i-100), min(len(b), i+len(f)+100)
			return strings.Join(strings.Fields(string(b[from:to])), " ")
		}
	}
	return excerpt(b)
}

// routeOf is the documented route a request is of ("METHOD /path/{id}").
func (s *sweep) routeOf(r *mxRequest) string {
	path, _, _ := strings.Cut(r.path, "?")
	for _, rr := range s.routes {
		method, _, _ := strings.Cut(rr.key, " ")
		if method == r.method && rr.re.MatchString(path) {
			return rr.key
		}
	}
	return r.method + " " + path
}

// sends reports whether the request carries value: the caller's own.
func sends(r *mxRequest, value string) bool {
	if shows([]byte(r.path), value) || shows(r.body, value) {
		return true
	}
	for _, vs := range r.header {
		for _, v := range vs {
			if shows([]byte(v), value) {
				return true
			}
		}
	}
	return false
}

// fieldValues are the string values of field anywhere in a JSON answer.
func fieldValues(body []byte, field string) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if s, ok := child.(string); ok && k == field && len(s) >= 8 {
					out = append(out, s)
				}
				walk(child)
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	walk(v)
	return out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// randomText is n letters and digits.
func randomText(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := randomBytes(n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a buffer the server's goroutines write logs to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}
