package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/schemas"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// The access matrix: every route schemas/openapi.yaml documents, read at
// test time, is sent by every principal below, and each answer is judged
// against who may do what. A new documented route joins by itself: the
// test fails until its path parameters name a fixture here (pathFixtures)
// or it is listed as public with a reason (publicRoutes).
//
// A signed-in principal sends every credential it holds that the route's
// security takes (an owner: its JWT, the project's API key, its session
// cookie and its password), each judged alone; the expired principal sends
// every dead credential of a kind the route takes, and the wrong-kind
// principal every live one of a kind it does not. What the spec says a
// route accepts is exactly what is tried.
//
// A leak is a 2xx to a principal who may not have it, a 403 to another
// project's owner for project A's object (it confirms the object exists:
// the answer is 404), a 2xx that shows another project's owner project
// A's data, or a 5xx anywhere. Any other departure from the expected
// answer (an owner refused, a 404 where a 401 is due) fails too, as a
// mismatch: it means the cell did not test what it says.

// principal is who sends a cell's request.
type principal int

const (
	pNone     principal = iota // no credentials at all
	pWrong                     // project A's owner's credential of a kind the route does not take
	pExpired                   // project A's owner's expired or revoked token
	pViewer                    // a viewer of project A
	pOperator                  // an operator of project A
	pOther                     // project B's owner, on project A's objects
	pOwner                     // project A's owner
)

var principalNames = [...]string{"no credentials", "wrong kind of credential", "expired or revoked token", "viewer", "operator",
	"another project's owner", "owner"}

var principalShort = [...]string{"none", "wrong", "dead", "viewer", "operator", "other", "owner"}

func (p principal) String() string { return principalNames[p] }

// Credential kinds: the spec's security schemes a principal's credential
// satisfies.
const (
	kAPIKey       = "apiKey"
	kBasic        = "basic"
	kJWT          = "jwt"
	kSession      = "session"
	kSiteToken    = "siteToken"
	kVisitorToken = "visitorToken"
	kVisitorQuery = "visitorTokenQuery"
	kBillingAdmin = "billingAdmin"
)

// publicRoutes answer without credentials by design (their spec security
// is empty); they are not cells of the matrix. A route the spec makes
// public that is missing here fails the test, and so does one listed here
// that the spec no longer makes public.
var publicRoutes = map[string]string{
	"GET /healthz":               "liveness probe, no data",
	"GET /readyz":                "readiness probe, no data",
	"GET /metrics":               "Prometheus metrics of the process (served on the main router only when no metrics listener is set)",
	"GET /openapi.yaml":          "the API document",
	"GET /openapi.json":          "the API document",
	"GET /docs":                  "the API document's viewer",
	"GET /docs/redoc.js":         "the API document's viewer",
	"GET /ui":                    "the web app's page; its API calls are the cells",
	"GET /ui/assets/{file}":      "the web app's static files",
	"GET /ui/widget-demo":        "the widget's demo page",
	"GET /widget.js":             "the widget's script, loaded by any site",
	"OPTIONS /widget/v1/dialogs": "CORS preflight: carries no token by the browser's rules",
	"OPTIONS /widget/v1/dialogs/{id}/messages": "CORS preflight: carries no token by the browser's rules",
	"OPTIONS /widget/v1/dialogs/{id}/files":    "CORS preflight: carries no token by the browser's rules",
	"POST /v1/session":                         "signs in with an email and password or a JWT in the body (tested in native/session_test.go)",
	"POST /api/auth/login":                     "signs in with an email and password in the body",
	"POST /api/auth/register":                  "makes an account",
	"POST /api/vertex/v1/complete":             "a custom block's callback: its block token in the body is the credential (botone/vertex_test.go)",
	"POST /api/vertex/v1/dialog/send_message":  "a custom block's callback: its block token in the body is the credential (botone/vertex_test.go)",
	"POST /api/vertex/v1/send_message":         "a custom block's callback: its block token in the body is the credential (botone/vertex_test.go)",
	"GET /billing/pay/{invoice_id}":            "the payment page: the random invoice id is the key (worken/billing_test.go)",
	"GET /integrations/{id}/oauth/callback":    "the vendor's redirect: the OAuth state is the proof (worken/oauth_test.go)",
	"POST /integrations/{id}/telegram/webhook": "Telegram's calls: the secret token header is the proof (worken/integrations_test.go)",
}

// queryTokenRoutes take their credential in a query parameter the spec
// documents as a parameter rather than a security scheme: they are cells,
// with the token there.
var queryTokenRoutes = map[string]struct {
	param   string
	schemes []string
	// fixtures are the path parameters' fixtures a scheme names instead
	// of pathFixtures'.
	fixtures map[string]map[string]string
}{
	// A browser's WebSocket cannot send headers: an operator's panel sends
	// its JWT, a widget its site token. A widget names its dialog by the
	// UUID it was given (a number is 403 before anything is looked up).
	"GET /ws/dialogs/{id}": {"token", []string{kJWT, kSiteToken}, map[string]map[string]string{kSiteToken: {"id": "widget.dialog"}}},
}

// selfRoutes act on the caller's own account or sign-in: every signed-in
// principal may use them, each on itself.
var selfRoutes = map[string]bool{
	"GET /v1/session": true, "DELETE /v1/session": true, "POST /api/auth/logout": true,
	"GET /api/users/me": true, "PUT /api/users/me": true, "POST /api/users/change-password": true,
}

// adminRoute: routes of the installation's administrator (a user marked
// admin, or the billing admin token); no principal of the matrix is one,
// so every one is refused.
func adminRoute(r *mxRoute) bool {
	return strings.HasPrefix(r.path, "/api/admin/") || slices.Contains(r.schemes, kBillingAdmin)
}

// ownerOnly are the routes that need a project's owner: publishing and
// configuring bots, channels, webhooks, knowledge and money. As native's
// router says: a viewer reads; an operator also runs dialogs and the desk;
// an owner also publishes flows and manages webhooks. A prefix ending in
// "/" covers every method under it.
var ownerOnly = []string{
	"PUT /v1/bots/{slug}/flow", "PUT /v1/bots/{slug}/draft", "DELETE /v1/bots/{slug}/draft", "POST /v1/bots/{slug}/draft/publish",
	"POST /v1/bots/{slug}/draft/replay", "PUT /v1/bots/{slug}/tests", "POST /v1/bots/{slug}/tests/run",
	"POST /v1/bots/{slug}/tests/from-dialog", "POST /v1/bots/{slug}/channels", "DELETE /v1/channels/{id}",
	"* /v1/webhooks", "* /v1/webhooks/", "PATCH /v1/project",
	"POST /api/assistants", "PUT /api/assistants/{id}", "DELETE /api/assistants/{id}", "POST /api/documents/upload",
	"DELETE /api/documents/{id}", "POST /api/qa-knowledge", "POST /api/balance/top-up",
}

// actingGets are GET routes that change something: an operator's.
var actingGets = map[string]bool{
	"GET /api/v1/dialog/{bot}/create": true, "GET /api/v2/dialog/{bot}/create": true, // they create a dialog
}

// readingPosts are POST routes that change nothing: a viewer's.
var readingPosts = map[string]bool{
	"POST /v1/flows/graph": true, // lays out the flow it is sent
}

// upsertRoutes create the object their path names in the caller's own
// project when it has none: another project's owner may use them (on a
// namesake of its own), after which project A's object must be as it was.
var upsertRoutes = map[string]string{
	"PUT /v1/bots/{slug}/flow":  "GET /v1/bots/{slug}/flow",
	"PUT /v1/bots/{slug}/draft": "GET /v1/bots/{slug}/draft",
}

// ownerMay are answers other than 2xx an owner gets on a fixture of its
// own for a reason of the route's, not of access.
var ownerMay = map[string]struct {
	status int
	says   string // the answer's body says it: the cause is the one named
	why    string
}{
	"POST /v1/dialogs/{id}/approvals/{approval}": {http.StatusNotFound, "waits for an operator's approval",
		"no model runs here, so no tool call waits for an approval (the dialog was found: the answer names the approval)"},
}

// refusedMay are answers other than 401 and 403 a route gives a
// credential it refuses, as its document says.
var refusedMay = map[string]struct {
	status int
	why    string
}{
	"POST /api/auth/logout": {http.StatusUnprocessableEntity, "an API key is no sign-in to end: VALIDATION_ERROR, as documented"},
}

// neededRole is the least role a route needs in its project.
func neededRole(r *mxRoute) store.Role {
	for _, o := range ownerOnly {
		method, path, _ := strings.Cut(o, " ")
		if (method == "*" || method == r.method) && (path == r.path || strings.HasSuffix(path, "/") && strings.HasPrefix(r.path, path)) {
			return store.RoleOwner
		}
	}
	switch {
	case actingGets[r.key]:
		return store.RoleOperator
	case readingPosts[r.key], r.method == http.MethodGet, r.method == http.MethodHead:
		return store.RoleViewer
	}
	return store.RoleOperator
}

// pathFixtures maps a path parameter to the fixture of project A it names:
// the first entry whose pattern matches the route (a pattern starting
// with "/" is a path prefix, else a "METHOD /path" prefix) and whose
// param is the parameter's. A kind "literal:v" is a value that names no
// object of project A (a queue's name, a version number).
var pathFixtures = []struct{ pattern, param, kind string }{
	{"/v1/bots/{slug}/draft", "slug", "draft.slug"},
	{"POST /v1/bots/{slug}/tests/run", "slug", "tests.slug"},
	{"/v1/bots/", "slug", "bot.slug"},
	{"/v1/bots/", "version", "literal:1"},
	{"/v1/canned-replies/", "id", "canned.id"},
	{"/v1/channels/", "id", "channel.id"},
	{"POST /v1/dialogs/{id}/files", "id", "dialog.atfile"},
	{"POST /v1/dialogs/{id}/skip-timer", "id", "timer.uuid"},
	{"/v1/dialogs/", "id", "dialog.uuid"},
	{"/v1/dialogs/", "approval", "literal:call_none"},
	{"/v1/dialogs/", "seq", "literal:1"},
	{"/v1/bulk/", "id", "bulk.id"},
	{"/v1/files/", "id", "file.id"},
	{"/v1/queues/", "queue", "literal:billing"},
	{"/v1/webhooks/", "id", "webhook.id"},
	{"/v1/webhooks/", "delivery_id", "delivery.id"},
	{"/api/v1/conversation/", "id", "dialog.id"},
	{"/api/v2/conversation/", "id", "dialog.uuid"},
	{"/api/v1/dialog/", "bot", "bot.id"},
	{"/api/v2/dialog/", "bot", "bot.id"},
	{"/api/v1/file/", "id", "file.id"},
	{"/api/v2/file/", "id", "file.id"},
	{"/api/v1/chatmessage/", "id", "chatflow.uuid"},
	{"/chatmessage/", "id", "chatflow.uuid"},
	{"GET /api/v1/feedback/", "id", "chatflow.uuid"},
	{"PUT /api/v1/feedback/", "id", "feedback.id"},
	{"/api/assistants/", "id", "assistant.id"},
	{"/api/documents/", "id", "document.id"},
	{"POST /api/dialogs/{id}/handoff/release", "id", "taken.number"},
	{"/api/dialogs/", "id", "dialog.number"},
	{"/ws/dialogs/", "id", "dialog.number"},
	{"POST /widget/v1/dialogs/{id}/files", "id", "widget.atfile"},
	{"/widget/v1/dialogs/", "id", "widget.dialog"},
	{"/widget/v1/dialogs/", "file_id", "widget.file"},
	{"/bots/", "bot_id", "wbot.uuid"},
	{"/chats/", "chat_id", "wchat.uuid"},
	{"/chats/", "thread_id", "thread.id"},
	{"POST /threads/{thread_id}/send", "thread_id", "thread.operator"},
	{"/threads/", "thread_id", "thread.id"},
	{"/files/", "file_id", "wfile.id"},
	{"/vector_stores/", "id", "vstore.id"},
	{"/vector_stores/", "file_id", "vsfile.id"},
	{"/webhook-endpoints/", "id", "endpoint.id"},
	{"/integrations/", "chat_id", "ichat.id"},
	{"/integrations/", "id", "integration.id"},
	{"/projects/", "key_id", "apikey.id"},
	{"/projects/", "id", "project.id"},
	{"/billing/pay/", "invoice_id", "invoice.id"},
}

// bodies are the request bodies of routes whose spec example does not
// fit (it names objects of the spec's, or calls another service):
// templates where ${kind} is a fixture of project A, ${path.name} the
// path's parameter and ${self.password} the caller's password. A
// multipart route's entry lists its form's fields beside the file.
var bodies = map[string]string{
	"PUT /v1/bots/{slug}/flow":                         "bot: ${path.slug}\nnodes:\n  greet:\n    kind: message\n    text: Hello!\n",
	"PUT /v1/bots/{slug}/draft":                        "bot: ${path.slug}\nnodes:\n  greet:\n    kind: message\n    text: Hello!\n",
	"POST /v1/bots/{slug}/tests/from-dialog":           `{"dialog": "${dialog.uuid}", "name": "from a dialog"}`,
	"POST /v1/bots/{slug}/tests/run":                   `{}`,
	"PUT /v1/bots/{slug}/tests":                        "tests:\n  - name: asks the order\n    steps:\n      - expect: { says: [\"Your order number?\"], waiting: ask }\n",
	"POST /v1/dialogs/bulk":                            `{"filter": {"user_id": "nobody-at-all"}, "action": "stop"}`,
	"POST /v1/bots/{slug}/dialogs":                     `{"start": true, "user": {"name": "created in the matrix"}}`,
	"POST /v1/webhooks":                                `{"url": "https://example.com/matrix", "events": ["message.created"]}`,
	"POST /api/v2/conversation/{id}/command":           `{"body": "goto ${bot.id}"}`,
	"POST /api/v1/feedback":                            `{"chatflowid": "${bot.uuid}", "chatId": "${dialog.uuid}", "messageId": "${dialog.uuid}-1", "rating": "THUMBS_UP"}`,
	"PUT /api/v1/feedback/{id}":                        `{"rating": "THUMBS_DOWN", "content": "wrong"}`,
	"POST /api/assistants":                             `{"name": "made in the matrix", "system_prompt": "Be brief."}`,
	"PUT /api/assistants/{id}":                         `{"name": "renamed in the matrix"}`,
	"POST /api/qa-knowledge":                           `{"assistant_id": ${assistant.id}, "question": "Opening hours?", "answer": "Nine to five."}`,
	"POST /api/documents/upload":                       `{"assistant_id": "${assistant.id}"}`,
	"POST /api/dialogs/{id}/handoff/take":              `{"operator_name": "Anna"}`,
	"POST /api/balance/top-up":                         `{"amount": 100, "payment_method": "card"}`,
	"POST /api/users/change-password":                  `{"current_password": "${self.password}", "new_password": "${self.password}"}`,
	"POST /widget/v1/dialogs/{id}/files":               `{"text": "my scan"}`,
	"POST /billing/invoices":                           `{"offer_id": "${offer.id}"}`,
	"POST /integrations":                               `{"name": "made in the matrix", "vendor": "worken", "auth_data": {}}`,
	"POST /integrations/{id}":                          `{"name": "renamed in the matrix"}`,
	"POST /integrations/{id}/chats":                    `{"bot_id": "${bot.uuid}", "name": "matrix chat", "settings": {"allowed_origins": ["https://a.example"]}}`,
	"POST /integrations/{id}/chats/{chat_id}":          `{"name": "renamed in the matrix"}`,
	"POST /projects":                                   `{"name": "made in the matrix", "organization_id": "${org.id}"}`,
	"POST /projects/{id}/api-keys":                     `{"name": "matrix"}`,
	"POST /chats/{chat_id}/threads/{thread_id}/stream": `{"messages": [{"role": "user", "content": "hello"}]}`,
	"POST /chats/{chat_id}/threads/{thread_id}/mode":   `{"mode": "operator"}`,
	"POST /threads/{thread_id}/send":                   `{"text": "an operator's hello"}`,
	"POST /webhook-endpoints":                          `{"url": "https://example.com/matrix", "secret": "matrix secret"}`,
	"PUT /webhook-endpoints/{id}":                      `{"status": "disabled"}`,
	"POST /bots":                                       `{"name": "made in the matrix"}`,
	"POST /bots/{bot_id}":                              `{"name": "renamed in the matrix"}`,
	"POST /bots/{bot_id}/status":                       `{"status": "active"}`,
	"POST /bots/{bot_id}/settings":                     `{"ai": {"instruction": "Be brief."}}`,
	"POST /vector_stores":                              `{"name": "matrix store", "file_ids": ["${wfile.id}"]}`,
	"POST /vector_stores/{id}":                         `{"name": "renamed in the matrix"}`,
	"POST /vector_stores/{id}/files":                   `{"file_id": "${wfile.id}"}`,
}

// marker is in the text of project A's fixtures: another project's owner
// must never see it.
const marker = "A-ONLY"

// origin is the page origin project A's widget channels allow.
const origin = "https://a.example"

// mxRoute is a documented operation.
type mxRoute struct {
	method, path, key string
	schemes           []string // every scheme its security alternatives name; none: public
	params            []string // the path's parameters, in order
	body              *mxBody
	queryToken        string // the query parameter its credential goes in (queryTokenRoutes)
}

// mxBody is an operation's request body as the spec gives it.
type mxBody struct {
	contentType string
	example     any // nil: none given
	schema      map[string]any
}

var pathParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// readFrame reads the ReplyX WebSocket's next frame, answering the pings
// before it.
func readFrame(ctx context.Context, conn *websocket.Conn) ([]byte, error) {
	for {
		_, data, err := conn.Read(ctx)
		if err != nil || string(data) != "__ping__" {
			return data, err
		}
		_ = conn.Write(ctx, websocket.MessageText, []byte("__pong__"))
	}
}

// openAPIDoc is schemas/openapi.yaml as a map, and what resolves a
// value's $ref in it (following a chain of them).
func openAPIDoc(t *testing.T) (map[string]any, func(any) map[string]any) {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(schemas.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	resolve := func(v any) map[string]any {
		for range 10 {
			m, _ := v.(map[string]any)
			ref, ok := m["$ref"].(string)
			if !ok {
				return m
			}
			var cur any = doc
			for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				cur = cur.(map[string]any)[part]
			}
			v = cur
		}
		t.Fatalf("$ref loop at %v", v)
		return nil
	}
	return doc, resolve
}

// matrixRoutes reads every operation of schemas/openapi.yaml.
func matrixRoutes(t *testing.T) []*mxRoute {
	t.Helper()
	doc, resolve := openAPIDoc(t)
	methods := []string{"get", "put", "post", "delete", "patch", "head", "options"}
	var out []*mxRoute
	for path, item := range doc["paths"].(map[string]any) {
		for method, raw := range item.(map[string]any) {
			if !slices.Contains(methods, method) {
				continue
			}
			op := raw.(map[string]any)
			r := &mxRoute{method: strings.ToUpper(method), path: path}
			r.key = r.method + " " + path
			security, ok := op["security"]
			if !ok {
				security = doc["security"]
			}
			list, _ := security.([]any)
			for _, alt := range list {
				for scheme := range alt.(map[string]any) {
					if !slices.Contains(r.schemes, scheme) {
						r.schemes = append(r.schemes, scheme)
					}
				}
			}
			sort.Strings(r.schemes)
			if q, ok := queryTokenRoutes[r.key]; ok && len(r.schemes) == 0 {
				r.schemes, r.queryToken = q.schemes, q.param
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				r.params = append(r.params, m[1])
			}
			if rb := resolve(op["requestBody"]); rb != nil {
				content, _ := rb["content"].(map[string]any)
				types := make([]string, 0, len(content))
				for ct := range content {
					types = append(types, ct)
				}
				sort.Slice(types, func(i, j int) bool { // JSON first, then YAML, then the rest
					rank := func(ct string) int {
						switch {
						case ct == "application/json":
							return 0
						case ct == "application/yaml":
							return 1
						}
						return 2
					}
					return rank(types[i]) < rank(types[j]) || rank(types[i]) == rank(types[j]) && types[i] < types[j]
				})
				if len(types) > 0 {
					c := resolve(content[types[0]])
					b := &mxBody{contentType: types[0], schema: expand(resolve, c["schema"], 0)}
					if ex, ok := c["example"]; ok {
						b.example = ex
					} else if exs, ok := c["examples"].(map[string]any); ok && len(exs) > 0 {
						names := make([]string, 0, len(exs))
						for n := range exs {
							names = append(names, n)
						}
						sort.Strings(names)
						b.example = resolve(exs[names[0]])["value"]
					}
					r.body = b
				}
			}
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// expand resolves a schema's references (to a depth), so sample can read
// it on its own.
func expand(resolve func(any) map[string]any, v any, depth int) map[string]any {
	s := resolve(v)
	if s == nil || depth > 8 {
		return s
	}
	out := map[string]any{}
	for k, v := range s {
		switch k {
		case "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = expand(resolve, p, depth+1)
			}
			out[k] = props
		case "items":
			out[k] = expand(resolve, v, depth+1)
		case "allOf", "oneOf", "anyOf":
			var list []any
			for _, x := range v.([]any) {
				list = append(list, expand(resolve, x, depth+1))
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	return out
}

// sample is a minimal value of a schema: its example, default or first
// enum value, else its required properties' samples.
func sample(s map[string]any) any {
	if s == nil {
		return nil
	}
	if ex, ok := s["example"]; ok {
		return ex
	}
	if exs, ok := s["examples"].([]any); ok && len(exs) > 0 {
		return exs[0]
	}
	if d, ok := s["default"]; ok {
		return d
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	for _, k := range []string{"allOf", "oneOf", "anyOf"} {
		if list, ok := s[k].([]any); ok && len(list) > 0 {
			m, _ := list[0].(map[string]any)
			return sample(m)
		}
	}
	typ := s["type"]
	if list, ok := typ.([]any); ok {
		for _, x := range list {
			if x != "null" {
				typ = x
				break
			}
		}
	}
	if typ == nil && s["properties"] != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, r := range required {
			name := r.(string)
			p, _ := props[name].(map[string]any)
			out[name] = sample(p)
		}
		return out
	case "array":
		return []any{}
	case "string":
		return "x"
	case "integer", "number":
		return 1
	case "boolean":
		return true
	}
	return nil
}

// credential is a principal's proof of identity of one kind.
type credential struct {
	kind  string // a security scheme
	value string // the token; for basic the whole Authorization value
	csrf  string // a session's X-CSRF-Token
	name  string // what it is, for the report
}

// person is a user of a project.
type person struct {
	userID, projectID int64
	email, password   string
}

// matrix is the running test: the API, its principals and fixtures.
type matrix struct {
	t      *testing.T
	e      *servertest.Env
	tokens *server.Tokens
	serial atomic.Int64

	owner, operator, viewer, other person
	creds                          map[principal]map[string]credential
	dead                           []credential // the expired principal's, every kind
	w0                             *world       // project A's fixtures most cells name
	wdead                          *world       // fixtures whose widget channel was deleted
	bWidget                        [2]string    // project B's widget dialog and its visitor token
	markers                        []string     // strings of project A's fixtures another project must not see
	offer                          string       // an offer's id, for invoices
	org                            string       // project A's organization, as Worken shows it

	routes   []*mxRoute // every documented route
	cells    []cell     // the routes' cells, in the order they run
	excluded []string   // the public routes, with why
	// observe, when set, sees every answer send reads (a stream's or an
	// upgrade's without its body).
	observe func(r *mxRequest, status int, h http.Header, body []byte)
}

func (m *matrix) next() int64 { return m.serial.Add(1) }

// TestAccessMatrix sends every documented route as each principal and
// fails on any leak or mismatch; see the comment at the top of the file.
func TestAccessMatrix(t *testing.T) {
	started := time.Now()
	m := newMatrix(t, servertest.Options{Log: io.Discard})
	routes, cells, excluded := m.routes, m.cells, m.excluded
	setupTook := time.Since(started)

	var leaks, mismatches, shallow []string
	table := map[string]*[pOwner + 1]string{}
	requests := 0
	byKind := map[string]*[pOwner + 1]int{} // requests by credential kind and principal
	for _, c := range cells {
		res := m.run(c)
		requests += len(res.statuses)
		for _, k := range res.kinds {
			if k == "" {
				k = "none"
			}
			if byKind[k] == nil {
				byKind[k] = &[pOwner + 1]int{}
			}
			byKind[k][c.who]++
		}
		row := table[c.route.key]
		if row == nil {
			row = &[pOwner + 1]string{}
			table[c.route.key] = row
		}
		var codes []string
		for _, s := range res.statuses {
			codes = append(codes, strconv.Itoa(s))
		}
		row[c.who] = strings.Join(codes, "/")
		if res.leak != "" {
			leaks = append(leaks, res.leak)
		}
		if res.mismatch != "" {
			mismatches = append(mismatches, res.mismatch)
		}
		if res.shallow {
			shallow = append(shallow, fmt.Sprintf("%s as %s: %s", c.route.key, c.who, row[c.who]))
		}
	}
	m.checkNumbers()
	for _, l := range leaks {
		t.Errorf("LEAK %s", l)
	}
	for _, mm := range mismatches {
		t.Errorf("mismatch %s", mm)
	}
	var lines []string
	for _, r := range routes {
		if row := table[r.key]; row != nil {
			line := r.key + ":"
			for p := pNone; p <= pOwner; p++ {
				line += fmt.Sprintf(" %s %s;", principalShort[p], row[p])
			}
			lines = append(lines, line)
		}
	}
	t.Logf("the matrix (none, wrong kind, expired/revoked, viewer, operator, other project, owner):\n\t%s", strings.Join(lines, "\n\t"))
	t.Logf("permitted cells answered about their body or state, not 2xx: %d\n\t%s", len(shallow), strings.Join(shallow, "\n\t"))
	t.Logf("excluded (public) routes: %d\n\t%s", len(excluded), strings.Join(excluded, "\n\t"))
	var kindLines []string
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		line := k + ":"
		for p := pNone; p <= pOwner; p++ {
			if n := byKind[k][p]; n > 0 {
				line += fmt.Sprintf(" %s %d;", principalShort[p], n)
			}
		}
		kindLines = append(kindLines, line)
	}
	t.Logf("requests by credential kind and principal:\n\t%s", strings.Join(kindLines, "\n\t"))
	t.Logf("setup %v, cells %v", setupTook.Round(time.Millisecond), time.Since(started).Round(time.Millisecond)-setupTook.Round(time.Millisecond))
	t.Logf("ACCESS MATRIX: %d routes, %d cells, %d requests, %d leaks", len(table), len(cells), requests, len(leaks))
}

// newMatrix starts the API with opts, the matrix's billing and no route
// limits, and returns the matrix on it, set up: its principals, its first
// fixtures, and a cell for every documented route and principal. It
// fails t at once when a route is not covered.
func newMatrix(t *testing.T, opts servertest.Options) *matrix {
	bill := &billing.Service{Config: billing.Default()}
	bill.Config.AdminToken = "the-installation-admin-token"
	noLimits := map[string]server.RouteLimit{"api": {}, "login": {}, "upload": {}, "top-up": {}, "ws": {}, "dialogs": {}}
	opts.RouteLimits, opts.Billing = noLimits, bill
	e := servertest.NewWith(t, opts, dialects...)
	m := &matrix{t: t, e: e, tokens: server.NewTokens(e.Secrets), creds: map[principal]map[string]credential{}}
	routes := matrixRoutes(t)

	var cells []cell
	var excluded []string
	for _, r := range routes {
		why, listed := publicRoutes[r.key]
		switch {
		case len(r.schemes) == 0 && !listed:
			t.Errorf("%s: the spec gives it no security; list it in publicRoutes with the reason it is public, or give it a credential", r.key)
			continue
		case len(r.schemes) == 0:
			excluded = append(excluded, r.key+": "+why)
			continue
		case listed:
			t.Errorf("%s is listed in publicRoutes, but the spec gives it security %v", r.key, r.schemes)
		}
		for _, p := range r.params {
			if kind := fixtureOf(r, p); kind == "" {
				t.Errorf("%s: no fixture of project A for {%s}; add one to pathFixtures", r.key, p)
			}
		}
		for p := pNone; p <= pOwner; p++ {
			cells = append(cells, cell{route: r, who: p})
		}
	}
	for key := range publicRoutes {
		if !slices.ContainsFunc(routes, func(r *mxRoute) bool { return r.key == key }) {
			t.Errorf("publicRoutes lists %s, which the spec does not have", key)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	m.setup()
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].order() < cells[j].order() })
	m.routes, m.cells, m.excluded = routes, cells, excluded
	return m
}

// cell is one route sent by one principal.
type cell struct {
	route *mxRoute
	who   principal
}

// order runs the principals who may not act first, then those who may,
// and the routes that sign their caller out or change a password last of
// all. (A cell that changes anything has fixtures of its own; see run.)
func (c cell) order() int {
	phase := int(c.who)
	if selfRoutes[c.route.key] {
		phase = 1000 + int(c.who)
		switch {
		case c.route.key == "POST /api/users/change-password": // signs out the user's other sessions
			phase += 200
		case c.route.method != http.MethodGet:
			phase += 100
		}
	}
	return phase
}

// ---- fixtures ----

// world is a set of project A's objects, made when first named.
type world struct {
	m    *matrix
	name string
	vals map[string]string
}

func (m *matrix) newWorld(name string) *world {
	return &world{m: m, name: name, vals: map[string]string{}}
}

// get is the fixture of a kind, made now if the world has none yet.
func (w *world) get(kind string) string {
	if v, ok := strings.CutPrefix(kind, "literal:"); ok {
		return v
	}
	if v, ok := w.vals[kind]; ok {
		return v
	}
	maker, ok := makers[kind]
	if !ok {
		w.m.t.Fatalf("no maker of fixture %q (for %s)", kind, w.name)
	}
	maker(w)
	v, ok := w.vals[kind]
	if !ok {
		w.m.t.Fatalf("the maker of %q did not make it (for %s)", kind, w.name)
	}
	return v
}

func (w *world) set(kind, v string) {
	if v == "" {
		w.m.t.Fatalf("fixture %s is empty", kind)
	}
	w.vals[kind] = v
}

// makers make a fixture kind (and those made with it) in project A; set
// in init, as they name the world's get, which names them.
var makers map[string]func(w *world)

func init() { makers = fixtureMakers() }

func fixtureMakers() map[string]func(w *world) {
	return map[string]func(w *world){
		"bot.slug": makeBot, "bot.id": makeBot, "bot.uuid": makeBot,
		"draft.slug": func(w *world) {
			slug := w.get("bot.slug")
			w.m.must(w.m.ownerReq("PUT", "/v1/bots/"+slug+"/draft", "application/yaml", botFlow(slug)), http.StatusOK)
			w.set("draft.slug", slug)
		},
		"tests.slug": func(w *world) {
			slug := w.get("bot.slug")
			w.m.must(w.m.ownerReq("PUT", "/v1/bots/"+slug+"/tests", "application/yaml", bodies["PUT /v1/bots/{slug}/tests"]), http.StatusOK)
			w.set("tests.slug", slug)
		},
		"dialog.uuid": makeDialog, "dialog.id": makeDialog, "dialog.number": makeDialog,
		"chatflow.uuid": func(w *world) { // a bot with a dialog: a chatflow with messages
			w.get("dialog.uuid")
			w.set("chatflow.uuid", w.get("bot.uuid"))
		},
		"dialog.atfile": func(w *world) {
			id := w.newDialog()
			w.m.must(w.m.ownerReq("POST", "/v1/dialogs/"+id+"/messages", "application/json", `{"text": "`+marker+` order 42"}`), http.StatusOK)
			w.set("dialog.atfile", id)
		},
		"timer.uuid": func(w *world) { // a test dialog of the draft, waiting on its question's timeout
			r := w.m.must(w.m.ownerReq("POST", "/v1/bots/"+w.get("draft.slug")+"/draft/dialogs", "application/json", `{"start": true}`), http.StatusCreated)
			w.set("timer.uuid", jsonString(r["id"]))
		},
		"taken.number": func(w *world) { // a dialog an operator took from the billing queue
			id := w.newDialog()
			w.m.must(w.m.ownerReq("POST", "/v1/dialogs/"+id+"/handoff", "application/json", `{"queue": "billing"}`), http.StatusOK)
			w.m.must(w.m.ownerReq("POST", "/v1/dialogs/"+id+"/operator", "application/json", `{"action": "take", "operator": "Kate"}`), http.StatusOK)
			d, err := w.m.e.Store.Dialog(w.m.t.Context(), w.m.owner.projectID, id)
			if err != nil {
				w.m.t.Fatal(err)
			}
			w.set("taken.number", strconv.FormatInt(d.Number, 10))
		},
		"file.id": func(w *world) {
			w.set("file.id", w.attach(w.get("dialog.uuid")))
		},
		"canned.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/v1/canned-replies", "application/json",
				fmt.Sprintf(`{"shortcut": "mx%d", "text": "%s canned"}`, w.m.next(), marker)), http.StatusCreated)
			w.set("canned.id", jsonString(r["id"]))
		},
		"channel.id": makeChannel, "channel.token": makeChannel,
		"widget.dialog": func(w *world) {
			id, token := w.startWidget(false)
			w.set("widget.dialog", id)
			w.set("widget.dialog.visitor", token)
		},
		"widget.atfile": func(w *world) {
			id, token := w.startWidget(true)
			w.set("widget.atfile", id)
			w.set("widget.atfile.visitor", token)
		},
		"widget.file": func(w *world) {
			w.set("widget.file", w.attach(w.get("widget.dialog")))
		},
		"bulk.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/v1/dialogs/bulk", "application/json", bodies["POST /v1/dialogs/bulk"]), http.StatusAccepted)
			w.set("bulk.id", jsonString(r["id"]))
		},
		"webhook.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/v1/webhooks", "application/json",
				fmt.Sprintf(`{"url": "https://example.com/%s-%d", "events": ["message.created"], "description": "%s hook"}`, strings.ToLower(marker), w.m.next(), marker)),
				http.StatusCreated)
			w.set("webhook.id", jsonString(r["id"]))
		},
		"delivery.id": func(w *world) {
			// A dispatcher makes deliveries; none runs here, so the test
			// event is fanned out as it would.
			hook := w.get("webhook.id")
			w.m.must(w.m.ownerReq("POST", "/v1/webhooks/"+hook+"/test", "", ""), http.StatusAccepted)
			ctx, db := w.m.t.Context(), w.m.e.Store
			evs, err := db.Events(ctx, w.m.owner.projectID, store.EventFilter{Types: []string{store.EventWebhookTest}, Limit: 1000})
			if err != nil {
				w.m.t.Fatal(err)
			}
			stored, err := db.Webhook(ctx, w.m.owner.projectID, hook)
			if err != nil {
				w.m.t.Fatal(err)
			}
			if err := db.FanOut(ctx, stored.ID, evs); err != nil {
				w.m.t.Fatal(err)
			}
			r := w.m.must(w.m.ownerReq("GET", "/v1/webhooks/"+hook+"/deliveries", "", ""), http.StatusOK)
			list, _ := r["deliveries"].([]any)
			if len(list) == 0 {
				w.m.t.Fatalf("webhook %s has no delivery after its test", hook)
			}
			w.set("delivery.id", jsonString(list[0].(map[string]any)["id"]))
		},
		"feedback.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/api/v1/feedback", "application/json", w.fill(bodies["POST /api/v1/feedback"], nil)), http.StatusOK)
			w.set("feedback.id", jsonString(r["id"]))
		},
		"assistant.id": func(w *world) {
			r := w.m.must(w.m.request(pOwner, "POST", "/api/assistants", kJWT, "application/json",
				fmt.Sprintf(`{"name": "%s assistant %d", "system_prompt": "Be brief."}`, marker, w.m.next())), http.StatusOK)
			w.set("assistant.id", jsonString(r["id"]))
		},
		"document.id": func(w *world) {
			body, ct := form(map[string]string{"assistant_id": w.get("assistant.id")}, "a.txt", marker+" opening hours are nine to five.")
			r := w.m.must(w.m.request(pOwner, "POST", "/api/documents/upload", kJWT, ct, body), http.StatusOK)
			w.set("document.id", jsonString(r["id"]))
		},
		"wbot.uuid": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/bots", "application/json", fmt.Sprintf(`{"name": "%s bot %d"}`, marker, w.m.next())), http.StatusOK)
			w.set("wbot.uuid", jsonString(r["id"]))
		},
		"wchat.uuid": func(w *world) {
			bot := w.get("bot.uuid")
			list := w.m.mustList(w.m.ownerReq("GET", "/chats", "", ""))
			for _, c := range list {
				c := c.(map[string]any)
				if c["bot_id"] == bot && c["integration_id"] == nil {
					w.set("wchat.uuid", jsonString(c["id"]))
					return
				}
			}
			w.m.t.Fatalf("bot %s has no API chat among %v", bot, list)
		},
		"thread.id": func(w *world) {
			name := fmt.Sprintf("mx-thread-%d", w.m.next())
			w.m.must(w.m.ownerReq("POST", "/chats/"+w.get("wchat.uuid")+"/threads/"+name+"/stream", "application/json",
				`{"messages": [{"role": "user", "content": "`+marker+` hello"}]}`), http.StatusOK)
			r := w.m.must(w.m.ownerReq("GET", "/threads/"+name, "", ""), http.StatusOK)
			w.set("thread.id", jsonString(r["id"]))
		},
		"thread.operator": func(w *world) { // a thread in manual mode: an operator answers it
			thread := w.get("thread.id")
			w.m.must(w.m.ownerReq("POST", "/chats/"+w.get("wchat.uuid")+"/threads/"+thread+"/mode", "application/json", `{"mode": "manual"}`), http.StatusOK)
			w.set("thread.operator", thread)
		},
		"wfile.id": func(w *world) {
			body, ct := form(map[string]string{"purpose": "assistants"}, "refunds.txt", marker+" refunds take five days.")
			r := w.m.must(w.m.ownerReq("POST", "/files", ct, body), http.StatusOK)
			w.set("wfile.id", jsonString(r["id"]))
		},
		"vstore.id": func(w *world) {
			file := w.get("wfile.id")
			r := w.m.must(w.m.ownerReq("POST", "/vector_stores", "application/json",
				fmt.Sprintf(`{"name": "%s store %d", "file_ids": [%q]}`, marker, w.m.next(), file)), http.StatusOK)
			w.set("vstore.id", jsonString(r["id"]))
			w.set("vsfile.id", file)
		},
		"vsfile.id": func(w *world) { w.get("vstore.id") },
		"endpoint.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/webhook-endpoints", "application/json",
				fmt.Sprintf(`{"url": "https://example.com/%s-%d", "secret": "%s secret"}`, strings.ToLower(marker), w.m.next(), marker)), http.StatusOK)
			w.set("endpoint.id", jsonString(r["id"]))
		},
		"integration.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/integrations", "application/json",
				fmt.Sprintf(`{"name": "%s site %d", "vendor": "worken", "auth_data": {}}`, marker, w.m.next())), http.StatusOK)
			w.set("integration.id", jsonString(r["id"]))
		},
		"ichat.id": func(w *world) {
			in := w.get("integration.id")
			r := w.m.must(w.m.ownerReq("POST", "/integrations/"+in+"/chats", "application/json", w.fill(bodies["POST /integrations/{id}/chats"], nil)), http.StatusOK)
			w.set("ichat.id", jsonString(r["id"]))
		},
		"project.id": func(w *world) { w.set("project.id", strconv.FormatInt(w.m.owner.projectID, 10)) },
		"org.id":     func(w *world) { w.set("org.id", w.m.org) },
		"apikey.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/projects/"+w.get("project.id")+"/api-keys", "application/json",
				fmt.Sprintf(`{"name": "%s key %d"}`, marker, w.m.next())), http.StatusOK)
			w.set("apikey.id", jsonString(r["id"]))
		},
		"offer.id": func(w *world) { w.set("offer.id", w.m.offer) },
		"invoice.id": func(w *world) {
			r := w.m.must(w.m.ownerReq("POST", "/billing/invoices", "application/json", `{"offer_id": "`+w.m.offer+`"}`), http.StatusOK)
			inv, _ := r["invoice"].(map[string]any)
			w.set("invoice.id", jsonString(inv["id"]))
		},
	}
}

// botFlow is the flow of project A's bots: a text question (with a
// timeout), a file question, then a person in the billing queue.
func botFlow(slug string) string {
	return "bot: " + slug + "\nname: " + marker + ` bot
variables:
  order: { type: string }
  scan: { type: object }
nodes:
  ask:
    kind: question
    text: Your order number?
    save: order
    timeout: 1h
    on_timeout: done
    next: scan
  scan:
    kind: question
    text: A scan of the receipt, please.
    input: { type: file }
    save: scan
    next: human
  human:
    kind: handoff
    text: A person will look at order {{ order }}.
    queue: billing
    next: done
  done:
    kind: end
    text: Done.
`
}

func makeBot(w *world) {
	slug := fmt.Sprintf("mx%d", w.m.next())
	r := w.m.must(w.m.ownerReq("PUT", "/v1/bots/"+slug+"/flow", "application/yaml", botFlow(slug)), http.StatusOK)
	b, err := w.m.e.Store.Bot(w.m.t.Context(), w.m.owner.projectID, slug)
	if err != nil {
		w.m.t.Fatal(err)
	}
	w.set("bot.slug", slug)
	w.set("bot.id", jsonString(r["bot_id"]))
	w.set("bot.uuid", b.UUID)
}

// newDialog starts a dialog with the world's bot.
func (w *world) newDialog() string {
	r := w.m.must(w.m.ownerReq("POST", "/v1/bots/"+w.get("bot.slug")+"/dialogs", "application/json",
		`{"start": true, "user": {"name": "`+marker+` visitor"}}`), http.StatusCreated)
	return jsonString(r["id"])
}

func makeDialog(w *world) {
	id := w.newDialog()
	d, err := w.m.e.Store.Dialog(w.m.t.Context(), w.m.owner.projectID, id)
	if err != nil {
		w.m.t.Fatal(err)
	}
	w.set("dialog.uuid", id)
	w.set("dialog.id", strconv.FormatInt(d.ID, 10))
	w.set("dialog.number", strconv.FormatInt(d.Number, 10))
}

func makeChannel(w *world) {
	r := w.m.must(w.m.ownerReq("POST", "/v1/bots/"+w.get("bot.slug")+"/channels", "application/json",
		`{"kind": "widget", "name": "`+marker+` site", "allowed_origins": ["`+origin+`"]}`), http.StatusCreated)
	w.set("channel.id", jsonString(r["id"]))
	w.set("channel.token", jsonString(r["site_token"]))
}

// attach uploads an operator's attachment into a dialog: a file of it.
func (w *world) attach(dialog string) string {
	body, ct := form(nil, "note.txt", marker+" attachment")
	r := w.m.must(w.m.ownerReq("POST", "/v1/dialogs/"+dialog+"/attachments", ct, body), http.StatusCreated)
	return jsonString(r["id"])
}

// startWidget starts a dialog through the world's widget channel, as a
// visitor; atFile answers its first question so it waits for a file.
func (w *world) startWidget(atFile bool) (id, token string) {
	h := http.Header{"X-Site-Token": {w.get("channel.token")}, "Origin": {origin}}
	r := w.m.must(mxReq("POST", "/widget/v1/dialogs", h, "application/json", `{"user": {"name": "`+marker+` visitor"}}`), http.StatusCreated)
	id, token = jsonString(r["id"]), jsonString(r["visitor_token"])
	if atFile {
		h := http.Header{"X-Visitor-Token": {token}, "Origin": {origin}}
		w.m.must(mxReq("POST", "/widget/v1/dialogs/"+id+"/messages", h, "application/json", `{"text": "`+marker+` order 7"}`), http.StatusOK)
	}
	return id, token
}

// kill deletes the world's widget channel once its widget dialogs and
// file are made: their visitor tokens are dead then. A new widget channel
// of the same bot follows, which SQLite gives the freed id: the tokens
// must stay dead.
func (w *world) kill() {
	for _, kind := range []string{"widget.dialog", "widget.atfile", "widget.file"} {
		w.get(kind)
	}
	w.m.must(w.m.ownerReq("DELETE", "/v1/channels/"+w.get("channel.id"), "", ""), http.StatusNoContent)
	r := w.m.must(w.m.ownerReq("POST", "/v1/bots/"+w.get("bot.slug")+"/channels", "application/json",
		`{"kind": "widget", "allowed_origins": ["`+origin+`"]}`), http.StatusCreated)
	if id := jsonString(r["id"]); id != w.get("channel.id") {
		w.m.t.Logf("the new channel is %s, not the deleted %s: the store does not reuse ids", id, w.get("channel.id"))
	}
}

// fill replaces each ${kind} of a template with the world's fixture;
// refs, when given, is set when one names an object of project A.
func (w *world) fill(tmpl string, refs *bool) string {
	return placeholder.ReplaceAllStringFunc(tmpl, func(s string) string {
		kind := s[2 : len(s)-1]
		if strings.HasPrefix(kind, "self.") || strings.HasPrefix(kind, "path.") {
			return s // filled by the caller
		}
		if refs != nil && !strings.HasPrefix(kind, "literal:") && kind != "offer.id" {
			*refs = true
		}
		return w.get(kind)
	})
}

var placeholder = regexp.MustCompile(`\$\{[a-z0-9_.:]+\}`)

// form is a multipart body: fields, then a text file.
func form(fields map[string]string, filename, content string) (string, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		_ = mw.WriteField(k, fields[k])
	}
	part, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {fmt.Sprintf(`form-data; name="file"; filename=%q`, filename)},
		"Content-Type": {"text/plain"}})
	_, _ = part.Write([]byte(content))
	_ = mw.Close()
	return b.String(), mw.FormDataContentType()
}

func jsonString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatInt(int64(x), 10)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// ---- principals ----

func (m *matrix) setup() {
	t, e, ctx := m.t, m.e, m.t.Context()
	user := func(p servertest.Project) person {
		u, err := e.Store.UserByEmail(ctx, p.Email)
		if err != nil {
			t.Fatal(err)
		}
		return person{userID: u.ID, projectID: p.ID, email: p.Email, password: p.Password}
	}
	member := func(email string, role store.Role) person {
		password := "secret-" + email
		u, err := e.Store.CreateUser(ctx, email, email, password)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Store.SetMembership(ctx, e.A.ID, u.ID, role); err != nil {
			t.Fatal(err)
		}
		return person{userID: u.ID, projectID: e.A.ID, email: email, password: password}
	}
	m.owner, m.other = user(e.A), user(e.B)
	m.operator = member("operator@a.example", store.RoleOperator)
	m.viewer = member("viewer@a.example", store.RoleViewer)
	m.creds[pOwner] = m.userCreds(m.owner, "A's owner")
	m.creds[pOwner][kAPIKey] = credential{kind: kAPIKey, value: e.A.APIKey, name: "A's API key"}
	m.creds[pOther] = m.userCreds(m.other, "B's owner")
	m.creds[pOther][kAPIKey] = credential{kind: kAPIKey, value: e.B.APIKey, name: "B's API key"}
	m.creds[pOperator] = m.userCreds(m.operator, "A's operator")
	m.creds[pViewer] = m.userCreds(m.viewer, "A's viewer")
	m.creds[pNone] = map[string]credential{}

	// Worken's figures of project A.
	projects := m.mustList(m.ownerReq("GET", "/projects", "", ""))
	if len(projects) == 0 {
		t.Fatal("project A's key lists no project")
	}
	m.org = jsonString(projects[0].(map[string]any)["organization_id"])
	offers := m.mustList(m.ownerReq("GET", "/billing/offers", "", ""))
	if len(offers) == 0 {
		t.Fatal("no billing offer")
	}
	m.offer = jsonString(offers[0].(map[string]any)["id"])

	// Dialog numbers are per project: project A's fixtures get numbers
	// project B never reaches, so /api/dialogs/{number} of A's names no
	// dialog of B's.
	m.w0 = m.newWorld("w0")
	for range fillers {
		if _, _, err := e.Dialogs.Create(ctx, e.A.ID, m.w0.get("bot.slug"), dialogs.CreateInput{Source: "api"}); err != nil {
			t.Fatal(err)
		}
	}

	// Project B: a bot with a widget channel and a visitor's dialog.
	bReq := func(method, path, ct, body string) *mxRequest {
		return mxReq(method, path, http.Header{"Authorization": {"Bearer " + e.B.APIKey}}, ct, body)
	}
	m.must(bReq("PUT", "/v1/bots/bbot/flow", "application/yaml", "bot: bbot\nname: B bot\nnodes:\n  ask:\n    kind: question\n    text: Yes?\n"), http.StatusOK)
	ch := m.must(bReq("POST", "/v1/bots/bbot/channels", "application/json", `{"kind": "widget", "allowed_origins": ["`+origin+`"]}`), http.StatusCreated)
	m.creds[pOther][kSiteToken] = credential{kind: kSiteToken, value: jsonString(ch["site_token"]), name: "B's site token"}
	bw := m.must(mxReq("POST", "/widget/v1/dialogs", http.Header{"X-Site-Token": {jsonString(ch["site_token"])}, "Origin": {origin}}, "application/json", ""),
		http.StatusCreated)
	m.bWidget = [2]string{jsonString(bw["id"]), jsonString(bw["visitor_token"])}

	// Project A's dead credentials.
	key, _, err := e.Store.CreateAPIKey(ctx, e.A.ID, "revoked")
	if err != nil {
		t.Fatal(err)
	}
	keys := m.mustList(m.ownerReq("GET", "/projects/"+strconv.FormatInt(e.A.ID, 10)+"/api-keys", "", ""))
	for _, k := range keys {
		if k := k.(map[string]any); k["name"] == "revoked" {
			m.must(m.ownerReq("DELETE", "/projects/"+strconv.FormatInt(e.A.ID, 10)+"/api-keys/"+jsonString(k["id"]), "", ""), http.StatusOK)
		}
	}
	expiredTokens := server.NewTokens(e.Secrets)
	expiredTokens.Now = func() time.Time { return time.Now().Add(-2 * server.DefaultTokenTTL) }
	expired, _, err := expiredTokens.Issue(ctx, e.Store, m.owner.userID, e.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	revoked := m.jwt(m.owner)
	if err := m.tokens.Revoke(ctx, e.Store, revoked); err != nil {
		t.Fatal(err)
	}
	session, _, err := e.Store.CreateSession(ctx, store.CookieSession, m.owner.userID, e.A.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.DeleteSession(ctx, session); err != nil {
		t.Fatal(err)
	}
	jti := jtiOf(t, m.jwt(m.owner)) // of a live JWT: readable by whoever holds it
	m.wdead = m.newWorld("dead")
	m.wdead.kill()
	m.dead = []credential{
		{kind: kAPIKey, value: key, name: "a revoked API key"},
		{kind: kJWT, value: expired, name: "an expired JWT"},
		{kind: kJWT, value: revoked, name: "a signed-out JWT"},
		{kind: kSession, value: session, csrf: server.CSRFToken(session), name: "a signed-out session cookie"},
		{kind: kSession, value: jti, csrf: server.CSRFToken(jti), name: "a live JWT's jti as a session cookie"},
		{kind: kSiteToken, value: m.wdead.get("channel.token"), name: "a deleted channel's site token"},
		{kind: kVisitorToken, name: "a visitor token of a deleted channel"}, // the dialog's, from wdead
		{kind: kVisitorQuery, name: "a visitor token of a deleted channel, in the query"},
		{kind: kBillingAdmin, value: "a-former-installation-admin-token", name: "an admin token that is no longer the installation's"},
	}
	for _, c := range m.creds[pOwner] {
		if c.kind != kBasic {
			m.markers = append(m.markers, c.value)
		}
	}
	m.markers = append(m.markers, marker)
}

// userCreds are a member's: Basic, a JWT and a web app session.
func (m *matrix) userCreds(p person, who string) map[string]credential {
	session, _, err := m.e.Store.CreateSession(m.t.Context(), store.CookieSession, p.userID, p.projectID, time.Hour)
	if err != nil {
		m.t.Fatal(err)
	}
	return map[string]credential{
		kBasic:   {kind: kBasic, value: "Basic " + base64.StdEncoding.EncodeToString([]byte(p.email+":"+p.password)), name: who + "'s password"},
		kJWT:     {kind: kJWT, value: m.jwt(p), name: who + "'s JWT"},
		kSession: {kind: kSession, value: session, csrf: server.CSRFToken(session), name: who + "'s session cookie"},
	}
}

// jtiOf reads a JWT's jti as anyone holding the token can.
func jtiOf(t *testing.T, token string) string {
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct{ Jti string }
	if err == nil {
		err = json.Unmarshal(payload, &claims)
	}
	if err != nil || claims.Jti == "" {
		t.Fatalf("reading the jti of %q: %v", token, err)
	}
	return claims.Jti
}

func (m *matrix) jwt(p person) string {
	token, _, err := m.tokens.Issue(m.t.Context(), m.e.Store, p.userID, p.projectID)
	if err != nil {
		m.t.Fatal(err)
	}
	return token
}

func (m *matrix) personOf(p principal) person {
	switch p {
	case pOperator:
		return m.operator
	case pViewer:
		return m.viewer
	case pOther:
		return m.other
	}
	return m.owner
}

// checkNumbers: project A's dialog numbers the cells used are numbers no
// dialog of project B's has. A's fixtures were numbered after fillers;
// B's dialogs, numbered from 1, must not have caught up.
func (m *matrix) checkNumbers() {
	if _, err := m.e.Store.DialogByNumber(m.t.Context(), m.e.B.ID, fillers+1); err == nil {
		m.t.Errorf("project B has a dialog number %d: the cells naming project A's dialogs by number (/api/dialogs/{id}, /ws/dialogs/{id}) may have met B's own", fillers+1)
	}
}

// fillers are the dialogs project A starts before its fixtures.
const fillers = 12

// ---- requests ----

type mxRequest struct {
	method, path string
	header       http.Header
	body         []byte
}

func mxReq(method, path string, h http.Header, contentType, body string) *mxRequest {
	if h == nil {
		h = http.Header{}
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &mxRequest{method: method, path: path, header: h, body: []byte(body)}
}

// ownerReq is a request with project A's API key.
func (m *matrix) ownerReq(method, path, contentType, body string) *mxRequest {
	return mxReq(method, path, http.Header{"Authorization": {"Bearer " + m.e.A.APIKey}}, contentType, body)
}

// request is a request with a principal's credential of a kind.
func (m *matrix) request(p principal, method, path, kind, contentType, body string) *mxRequest {
	r := mxReq(method, path, nil, contentType, body)
	m.present(r, m.creds[p][kind], nil, false)
	return r
}

// send sends r and reads its answer; a stream's or an upgrade's body is
// not read (its status is the answer).
func (m *matrix) send(r *mxRequest) (int, []byte) {
	ctx, cancel := context.WithTimeout(m.t.Context(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.method, m.e.URL+r.path, bytes.NewReader(r.body))
	if err != nil {
		m.t.Fatal(err)
	}
	req.Header = r.header.Clone()
	began := time.Now()
	defer func() {
		if took := time.Since(began); took > 2*time.Second {
			m.t.Logf("slow: %s %s took %v", r.method, r.path, took.Round(time.Millisecond))
		}
	}()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Errorf("%s %s: %v", r.method, r.path, err)
		return 0, nil
	}
	defer resp.Body.Close()
	var data []byte
	if resp.StatusCode != http.StatusSwitchingProtocols && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		data, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	}
	if m.observe != nil {
		m.observe(r, resp.StatusCode, resp.Header, data)
	}
	return resp.StatusCode, data
}

// must sends a fixture's request and decodes its JSON object answer.
func (m *matrix) must(r *mxRequest, want int) map[string]any {
	m.t.Helper()
	status, body := m.send(r)
	if status != want {
		m.t.Fatalf("making a fixture: %s %s = %d, want %d: %s", r.method, r.path, status, want, excerpt(body))
	}
	var out map[string]any
	if len(body) > 0 && body[0] == '{' {
		if err := json.Unmarshal(body, &out); err != nil {
			m.t.Fatalf("%s %s: %v", r.method, r.path, err)
		}
	}
	return out
}

// mustList sends a fixture's request and decodes its JSON array answer.
func (m *matrix) mustList(r *mxRequest) []any {
	m.t.Helper()
	status, body := m.send(r)
	var out []any
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil {
		m.t.Fatalf("%s %s = %d: %s", r.method, r.path, status, excerpt(body))
	}
	return out
}

func excerpt(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// slots are where a credential of each scheme goes.
func (m *matrix) present(r *mxRequest, c credential, route *mxRoute, foreign bool) {
	if c.kind == "" {
		return
	}
	bearer := func(v string) { r.header.Set("Authorization", "Bearer "+v) }
	query := func(name, v string) {
		sep := "?"
		if strings.Contains(r.path, "?") {
			sep = "&"
		}
		r.path += sep + name + "=" + url.QueryEscape(v)
	}
	switch {
	case c.kind == kBasic:
		r.header.Set("Authorization", c.value)
	case c.kind == kSession:
		r.header.Set("Cookie", server.SessionCookie+"="+c.value)
		if !foreign && r.method != http.MethodGet && r.method != http.MethodHead {
			r.header.Set(server.CSRFHeader, c.csrf)
		}
	case route != nil && route.queryToken != "":
		query(route.queryToken, c.value)
		r.header.Set("Origin", origin)
	case foreign:
		// A token of the wrong kind goes where the route reads its own.
		schemes := []string{kAPIKey}
		if route != nil {
			schemes = route.schemes
		}
		for _, s := range schemes {
			switch s {
			case kSiteToken:
				r.header.Set("X-Site-Token", c.value)
			case kVisitorToken:
				r.header.Set("X-Visitor-Token", c.value)
			case kVisitorQuery:
				query("visitor_token", c.value)
			default:
				bearer(c.value)
			}
		}
		r.header.Set("Origin", origin)
	case c.kind == kSiteToken:
		r.header.Set("X-Site-Token", c.value)
		r.header.Set("Origin", origin)
	case c.kind == kVisitorToken:
		r.header.Set("X-Visitor-Token", c.value)
		r.header.Set("Origin", origin)
	case c.kind == kVisitorQuery:
		query("visitor_token", c.value)
		r.header.Set("Origin", origin)
	default:
		bearer(c.value)
	}
}

// accepted are the credential kinds a route takes: its spec security,
// nothing more (a kind the code takes and the spec does not name is tried
// as a wrong kind, and its 2xx is a leak).
func accepted(r *mxRoute) []string { return r.schemes }

// preference is the order in which a principal sends its credentials
// among those a route takes: the first is the one the cell's fixtures are
// judged with, the others follow (see picks).
var preference = map[principal][]string{
	pOwner:    {kJWT, kAPIKey, kSession, kBasic, kSiteToken, kVisitorToken, kVisitorQuery},
	pOther:    {kAPIKey, kJWT, kSession, kBasic, kSiteToken, kVisitorToken, kVisitorQuery},
	pOperator: {kSession, kJWT, kBasic},
	pViewer:   {kBasic, kJWT, kSession},
}

// attempt is one request of a cell.
type attempt struct {
	req  *mxRequest
	cred string
	kind string
}

// outcome is what a cell found: its answers' statuses, and a leak or a
// mismatch.
type outcome struct {
	statuses       []int
	kinds          []string // the credential kind of each answer ("" for none)
	leak, mismatch string
	shallow        bool // permitted, but answered about the body or the state: not 2xx
}

// expectation is what a principal may get from a route.
type expectation int

const (
	permitted       expectation = iota // 2xx, or a 4xx about the body or the object's state
	refused                            // 401 or 403
	unauthenticated                    // 401
	forbidden                          // 403: signed in, but the role does not allow it
	isolated                           // 404: another project's object
)

// run sends a cell's requests and judges their answers.
func (m *matrix) run(c cell) outcome {
	r := c.route
	w := m.w0
	changes := r.method != http.MethodGet && r.method != http.MethodHead && !selfRoutes[r.key]
	if changes {
		// It may change or delete what it names, rightly or by a leak:
		// its own objects, so no cell depends on another's outcome.
		w = m.newWorld(fmt.Sprintf("%s %s", c.who, r.key))
	}
	// Each attempt is made just before it is sent: one may sign out what
	// an earlier one would have been made with (a password change ends the
	// user's other sessions).
	var attempts []func() attempt
	build := func(w *world, p principal, cred credential, foreign bool) (*mxRequest, bool) {
		req, cred, refs := m.build(w, r, p, cred)
		m.present(req, cred, r, foreign)
		return req, refs
	}
	exp := permitted
	switch c.who {
	case pNone:
		attempts = append(attempts, func() attempt {
			req, _, _ := m.build(w, r, c.who, credential{})
			return attempt{req: req, cred: "none"}
		})
		exp = unauthenticated
	case pWrong:
		for _, cred := range m.foreign(r) {
			attempts = append(attempts, func() attempt {
				req, _ := build(w, c.who, cred, true)
				return attempt{req: req, cred: cred.name, kind: cred.kind}
			})
		}
		exp = refused
	case pExpired:
		for _, cred := range m.dead {
			if !slices.Contains(accepted(r), cred.kind) {
				continue
			}
			w := w
			if cred.kind == kVisitorToken || cred.kind == kVisitorQuery {
				w = m.wdead // the token's dialog, whose channel is deleted
			}
			attempts = append(attempts, func() attempt {
				req, _ := build(w, c.who, cred, false)
				return attempt{req: req, cred: cred.name, kind: cred.kind}
			})
		}
		exp = unauthenticated
	default:
		creds := m.picks(c.who, r)
		switch {
		case len(creds) == 0: // the route takes no credential this principal has: its own kind is refused
			cred := m.creds[c.who][kJWT]
			if key, ok := m.creds[c.who][kAPIKey]; ok && slices.Contains(r.schemes, kBillingAdmin) {
				cred = key
			}
			creds = []credential{cred}
			exp = refused
		case adminRoute(r):
			exp = refused
		case selfRoutes[r.key]:
			exp = permitted
		case c.who == pOperator || c.who == pViewer:
			role := store.RoleOperator
			if c.who == pViewer {
				role = store.RoleViewer
			}
			if !role.AtLeast(neededRole(r)) {
				exp = forbidden
			}
		}
		for i, cred := range creds {
			attempts = append(attempts, func() attempt {
				w := w
				if i > 0 && changes && exp == permitted && c.who != pOther {
					// the first credential changed the first world's objects
					w = m.newWorld(fmt.Sprintf("%s %s (%s)", c.who, r.key, cred.kind))
				}
				if selfRoutes[r.key] && r.method != http.MethodGet && exp == permitted { // it may sign the credential out: a fresh one
					cred = m.fresh(c.who, cred)
				}
				req, refs := build(w, c.who, cred, false)
				// Another project's owner naming project A's objects is
				// isolated from them: said by the first attempt, before any
				// answer is judged.
				if i == 0 && c.who == pOther && exp == permitted && refs {
					if _, ok := upsertRoutes[r.key]; !ok {
						exp = isolated
					}
				}
				return attempt{req: req, cred: cred.name, kind: cred.kind}
			})
		}
	}
	if len(attempts) == 0 {
		return outcome{mismatch: fmt.Sprintf("%s as %s: the matrix has no credential of this kind for a route that takes %v", r.key, c.who, r.schemes)}
	}
	var statuses []int
	var kinds []string
	var first attempt
	shallow := false
	for i, next := range attempts {
		a := next()
		if i == 0 {
			first = a
		}
		status, body := m.send(a.req)
		statuses = append(statuses, status)
		kinds = append(kinds, a.kind)
		o := m.judge(c, a, exp, status, body)
		if o.leak != "" || o.mismatch != "" {
			o.statuses, o.kinds = statuses, kinds
			return o
		}
		if exp == permitted && (status < 200 || status > 299) && status != http.StatusSwitchingProtocols {
			shallow = true
		}
	}
	if r.queryToken != "" && statuses[0] == http.StatusSwitchingProtocols && c.who != pOther {
		if o := m.probeSocket(c, first, w); o.leak != "" || o.mismatch != "" {
			o.statuses, o.kinds = statuses, kinds
			return o
		}
	}
	if c.who == pOther && exp == permitted {
		if check, ok := upsertRoutes[r.key]; ok {
			// project A's object is as it was
			path := pathParam.ReplaceAllStringFunc(strings.TrimPrefix(check, "GET "), func(p string) string {
				return w.get(fixtureOf(r, p[1:len(p)-1]))
			})
			status, body := m.send(m.ownerReq("GET", path, "", ""))
			if status != http.StatusOK || !strings.Contains(string(body), marker) {
				return outcome{statuses: statuses, kinds: kinds, leak: fmt.Sprintf("%s as %s changed project A's object: %s now %d %s", r.key, c.who, path, status, excerpt(body))}
			}
		}
	}
	return outcome{statuses: statuses, kinds: kinds, shallow: shallow}
}

// probeSocket writes into a dialog through the WebSocket a cell opened:
// what is sent there is an operator's message, so a member whose role may
// not write in dialogs must get an error frame and leave the dialog as it
// was, and one whose role may must see the message stored.
func (m *matrix) probeSocket(c cell, a attempt, w *world) outcome {
	r := c.route
	ctx, cancel := context.WithTimeout(m.t.Context(), 10*time.Second)
	defer cancel()
	opts := &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(m.e.URL, "http")+a.req.path, opts)
	where := fmt.Sprintf("%s as %s (%s), writing through the socket", r.key, c.who, a.cred)
	if err != nil {
		return outcome{mismatch: where + ": " + err.Error()}
	}
	defer conn.CloseNow()
	text := fmt.Sprintf("socket probe %d", m.next())
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type": "send_message", "text": "`+text+`"}`)); err != nil {
		return outcome{mismatch: where + ": " + err.Error()}
	}
	may := m.personRole(c.who).AtLeast(store.RoleOperator)
	n, _ := strconv.ParseInt(w.get("dialog.number"), 10, 64)
	stored := func() bool {
		d, err := m.e.Store.DialogByNumber(m.t.Context(), m.owner.projectID, n)
		if err != nil {
			return false
		}
		msgs, _ := m.e.Store.Messages(m.t.Context(), d.ID)
		return slices.ContainsFunc(msgs, func(msg store.Message) bool { return msg.Text == text })
	}
	frames := make(chan []byte, 16)
	go func() { // a read whose context ends closes the socket: one reader, for the probe's whole time
		defer close(frames)
		for {
			data, err := readFrame(ctx, conn)
			if err != nil {
				return
			}
			frames <- data
		}
	}()
	refused := false
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !refused && ctx.Err() == nil && !stored() {
		select {
		case data, ok := <-frames:
			if !ok {
				return outcome{mismatch: where + ": the socket closed"}
			}
			if strings.Contains(string(data), `"type":"error"`) {
				if !strings.Contains(string(data), "INSUFFICIENT_PERMISSIONS") {
					return outcome{mismatch: where + ": " + excerpt(data)}
				}
				refused = true
			}
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	switch {
	case may && !stored():
		return outcome{mismatch: where + ": the message was not stored"}
	case !may && stored():
		return outcome{leak: where + ": the message was stored"}
	case !may && !refused:
		return outcome{mismatch: where + ": no error frame refused the message"}
	}
	return outcome{}
}

// personRole is a principal's role in project A.
func (m *matrix) personRole(p principal) store.Role {
	switch p {
	case pViewer:
		return store.RoleViewer
	case pOperator:
		return store.RoleOperator
	}
	return store.RoleOwner
}

// picks are the credentials a principal sends on a route: every kind it
// holds that the route takes, in its order of preference. A widget token
// is completed by build from the cell's world.
func (m *matrix) picks(p principal, r *mxRoute) []credential {
	var out []credential
	for _, kind := range preference[p] {
		if !slices.Contains(accepted(r), kind) {
			continue
		}
		switch c, ok := m.creds[p][kind]; {
		case ok:
			out = append(out, c)
		case kind == kVisitorToken && (p == pOwner || p == pOther):
			out = append(out, credential{kind: kVisitorToken, name: p.String() + "'s visitor token"})
		case kind == kVisitorQuery && (p == pOwner || p == pOther):
			out = append(out, credential{kind: kVisitorQuery, name: p.String() + "'s visitor token in the query"})
		case kind == kSiteToken && p == pOwner:
			out = append(out, credential{kind: kSiteToken, name: "A's site token"})
		}
	}
	return out
}

// fresh is a new credential of the same kind for the same person, for a
// route that may sign it out.
func (m *matrix) fresh(p principal, c credential) credential {
	person := m.personOf(p)
	switch c.kind {
	case kJWT:
		c.value = m.jwt(person)
	case kSession:
		token, _, err := m.e.Store.CreateSession(m.t.Context(), store.CookieSession, person.userID, person.projectID, time.Hour)
		if err != nil {
			m.t.Fatal(err)
		}
		c.value, c.csrf = token, server.CSRFToken(token)
	}
	return c
}

// foreign are project A's owner's credentials of kinds the route does
// not take: a session cookie (or, where one is taken, one without its
// CSRF token on a change), widget tokens, an API key, a JWT, a password.
func (m *matrix) foreign(r *mxRoute) []credential {
	takes := accepted(r)
	own := m.creds[pOwner]
	var out []credential
	switch {
	case !slices.Contains(takes, kSession):
		out = append(out, own[kSession])
	case r.method != http.MethodGet && r.method != http.MethodHead:
		c := own[kSession]
		c.name += " without its CSRF token"
		out = append(out, c)
	}
	if !slices.Contains(takes, kSiteToken) {
		out = append(out, credential{kind: kSiteToken, value: m.w0.get("channel.token"), name: "A's widget site token"})
	}
	if !slices.Contains(takes, kVisitorToken) && !slices.Contains(takes, kVisitorQuery) {
		out = append(out, credential{kind: kVisitorToken, value: m.w0.get("widget.dialog.visitor"), name: "A's widget visitor token"})
	}
	if !slices.Contains(takes, kAPIKey) {
		out = append(out, own[kAPIKey])
	}
	if !slices.Contains(takes, kJWT) {
		out = append(out, own[kJWT])
	}
	if !slices.Contains(takes, kBasic) {
		out = append(out, own[kBasic])
	}
	return out
}

// fixtureOf is the fixture kind a route's path parameter names.
func fixtureOf(r *mxRoute, param string) string {
	for _, f := range pathFixtures {
		if f.param != param {
			continue
		}
		if strings.HasPrefix(f.pattern, "/") && strings.HasPrefix(r.path, f.pattern) || strings.HasPrefix(r.key, f.pattern) {
			return f.kind
		}
	}
	return ""
}

// build makes a cell's request, without its credential, in a world, and
// completes a widget credential with the world's token; refs says whether
// the request names an object of project A.
func (m *matrix) build(w *world, r *mxRoute, p principal, cred credential) (*mxRequest, credential, bool) {
	refs := false
	widget := "widget.dialog"
	values := map[string]string{}
	path := pathParam.ReplaceAllStringFunc(r.path, func(s string) string {
		name := s[1 : len(s)-1]
		kind := fixtureOf(r, name)
		if k, ok := queryTokenRoutes[r.key].fixtures[cred.kind][name]; ok {
			kind = k
		}
		if !strings.HasPrefix(kind, "literal:") {
			refs = true
		}
		if strings.HasPrefix(kind, "widget.") && kind != "widget.file" {
			widget = kind
		}
		values["${path."+name+"}"] = w.get(kind)
		return url.PathEscape(values["${path."+name+"}"])
	})
	req := mxReq(r.method, path, nil, "", "")
	if r.queryToken != "" { // a WebSocket's handshake
		key := make([]byte, 16)
		rand.Read(key)
		req.header.Set("Connection", "Upgrade")
		req.header.Set("Upgrade", "websocket")
		req.header.Set("Sec-WebSocket-Version", "13")
		req.header.Set("Sec-WebSocket-Key", base64.StdEncoding.EncodeToString(key))
	}
	if r.body != nil {
		body, ct := m.body(w, r, p, values, &refs)
		req.body = []byte(body)
		req.header.Set("Content-Type", ct)
	}
	// A visitor token opens its own dialog only: the path's.
	visitor := cred.kind == kVisitorToken || cred.kind == kVisitorQuery
	switch {
	case visitor && p == pOther:
		cred.value = m.bWidget[1]
	case visitor && cred.value == "":
		cred.value = w.get(widget + ".visitor")
	case cred.kind == kSiteToken && cred.value == "":
		cred.value = w.get("channel.token")
	}
	return req, cred, refs
}

// body is a route's request body in a world and its content type.
func (m *matrix) body(w *world, r *mxRoute, p principal, values map[string]string, refs *bool) (string, string) {
	tmpl, ok := bodies[r.key]
	values["${self.password}"] = m.personOf(p).password
	fillSelf := func(s string) string {
		for k, v := range values {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	if strings.HasPrefix(r.body.contentType, "multipart/") {
		fields := map[string]string{}
		if ok {
			var raw map[string]string
			if err := json.Unmarshal([]byte(w.fill(tmpl, refs)), &raw); err != nil {
				m.t.Fatalf("%s: the form fields %s: %v", r.key, tmpl, err)
			}
			fields = raw
		}
		return form(fields, "scan.txt", "a scan")
	}
	if ok {
		return fillSelf(w.fill(tmpl, refs)), r.body.contentType
	}
	v := r.body.example
	if v == nil {
		v = sample(r.body.schema)
	}
	if s, ok := v.(string); ok && r.body.contentType != "application/json" {
		return s, r.body.contentType
	}
	data, err := json.Marshal(v)
	if err != nil {
		m.t.Fatalf("%s: its example: %v", r.key, err)
	}
	return string(data), "application/json"
}

// judge says whether an answer is what the principal may get.
func (m *matrix) judge(c cell, a attempt, exp expectation, status int, body []byte) outcome {
	r := c.route
	where := fmt.Sprintf("%s as %s (%s) = %d %s", r.key, c.who, a.cred, status, excerpt(body))
	leak := func() outcome { return outcome{leak: where} }
	mismatch := func(want string) outcome { return outcome{mismatch: where + "; want " + want} }
	ok2xx := status >= 200 && status < 300 || status == http.StatusSwitchingProtocols
	if status >= 500 || status == 0 {
		return leak()
	}
	switch exp {
	case permitted:
		switch {
		case ok2xx:
			if c.who == pOther {
				markers := slices.Clone(m.markers)
				for _, v := range m.w0.vals {
					if len(v) >= 20 { // UUIDs, tokens, "file-..." ids: not numbers or names
						markers = append(markers, v)
					}
				}
				for _, mk := range markers {
					if strings.Contains(string(body), mk) {
						return outcome{leak: where + fmt.Sprintf(" (shows project A's %q)", mk)}
					}
				}
			}
			return outcome{}
		case status == http.StatusBadRequest, status == http.StatusConflict, status == http.StatusRequestEntityTooLarge,
			status == http.StatusUnsupportedMediaType, status == http.StatusUnprocessableEntity:
			return outcome{} // about the body or the object's state
		case status == http.StatusNotFound && c.who == pOther:
			return outcome{} // its own namespace has no such thing
		}
		if may, ok := ownerMay[r.key]; ok && may.status == status && strings.Contains(string(body), may.says) {
			return outcome{}
		}
		return mismatch("2xx: this principal may do this")
	case refused:
		if ok2xx {
			return leak()
		}
		if may, ok := refusedMay[r.key]; ok && may.status == status {
			return outcome{}
		}
		if status != http.StatusUnauthorized && status != http.StatusForbidden {
			return mismatch("401 or 403")
		}
	case unauthenticated:
		if ok2xx {
			return leak()
		}
		if status != http.StatusUnauthorized {
			return mismatch("401")
		}
	case forbidden:
		if ok2xx {
			return leak()
		}
		if status != http.StatusForbidden {
			return mismatch("403: the role does not allow it")
		}
	case isolated:
		if ok2xx || status == http.StatusForbidden {
			return leak()
		}
		if status == http.StatusUnauthorized && (a.kind == kVisitorToken || a.kind == kVisitorQuery) {
			return outcome{} // a visitor token opens its own dialog only
		}
		if status != http.StatusNotFound {
			return mismatch("404: another project's object")
		}
	}
	return outcome{}
}
