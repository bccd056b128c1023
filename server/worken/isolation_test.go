package worken_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workenOperation is a route of the Worken API, as schemas/openapi.yaml
// documents it.
type workenOperation struct {
	method, path string
}

// keyedWorkenOperations are the documented Worken routes that take an API
// key and name an object in their path: every one must answer another
// project's key with 404.
func keyedWorkenOperations(t *testing.T) []workenOperation {
	t.Helper()
	raw, err := os.ReadFile("../../schemas/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type operation struct {
		Tags     []string
		Security *[]map[string][]string
	}
	var doc struct {
		Paths map[string]map[string]yaml.Node // operations, and the path's parameters
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var out []workenOperation
	for path, ops := range doc.Paths {
		if !strings.Contains(path, "{") {
			continue
		}
		for method, node := range ops {
			var op operation
			if method == "parameters" || node.Decode(&op) != nil {
				continue
			}
			worken := len(op.Tags) > 0 && strings.HasPrefix(op.Tags[0], "Worken ")
			if worken && takesAPIKey(op.Security) {
				out = append(out, workenOperation{strings.ToUpper(method), path})
			}
		}
	}
	return out
}

// takesAPIKey: an operation's security names the API key (the
// document's default is none).
func takesAPIKey(security *[]map[string][]string) bool {
	if security == nil {
		return false
	}
	for _, s := range *security {
		if _, ok := s["apiKey"]; ok {
			return true
		}
	}
	return false
}

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// TestEveryWorkenRouteIsProjectScoped: for every documented Worken route
// that names an object, project B's key on project A's object is 404 and
// leaves the object as it was. A new route with a path parameter this
// test does not know fails it until an object for it is added here.
func TestEveryWorkenRouteIsProjectScoped(t *testing.T) {
	e := newEnv(t)
	c, _ := flowChat(t, e, e.A, pizzaBot)
	chunks(t, e.Do("POST", "/chats/"+c.ID+"/threads/a-thread/stream", e.A.Bearer(), docBody("hi")))
	var th thread
	ok(t, e.Do("GET", "/threads/a-thread", e.A.Bearer(), nil), &th)
	f := uploadText(t, e, e.A, "a.txt", refunds)
	vs := createStore(t, e, e.A, map[string]any{"name": "A's", "file_ids": []string{f.ID}})
	ep := createEndpoint(t, e, e.A, "https://example.com/hook", "a secret")
	var in struct{ ID string }
	ok(t, e.Do("POST", "/integrations", e.A.Bearer(), map[string]any{"name": "Site", "vendor": "worken", "auth_data": map[string]any{}}), &in)
	projects := listProjects(t, e, e.A.Bearer())
	if len(projects) == 0 {
		t.Fatal("project A lists no project")
	}
	key := createKey(t, e, e.A.Bearer(), projects[0].ID, "ci")

	// Each route's object, by the path before the parameter and its name.
	objects := map[string]string{
		"{bot_id}": c.BotID, "{chat_id}": c.ID, "{thread_id}": th.ID, "{file_id}": f.ID, "{key_id}": key.ID,
	}
	idOf := map[string]string{
		"/vector_stores/": vs.ID, "/webhook-endpoints/": ep.ID, "/integrations/": in.ID, "/projects/": projects[0].ID,
	}
	ops := keyedWorkenOperations(t)
	if len(ops) < 30 {
		t.Fatalf("only %d keyed Worken routes with a path parameter are documented", len(ops))
	}
	for _, op := range ops {
		path := pathParam.ReplaceAllStringFunc(op.path, func(p string) string {
			if id, ok := objects[p]; ok {
				return id
			}
			if p == "{id}" {
				for prefix, id := range idOf {
					if strings.HasPrefix(op.path, prefix) {
						return id
					}
				}
			}
			t.Fatalf("%s %s: no object of project A for %s; add one to this test", op.method, op.path, p)
			return ""
		})
		var body any
		if op.method == "POST" || op.method == "PUT" {
			body = map[string]any{}
		}
		if r := e.Do(op.method, path, e.B.Bearer(), body); r.Status != http.StatusNotFound {
			t.Errorf("B: %s %s = %d %s, want 404", op.method, op.path, r.Status, r.Body)
		}
	}

	// A's objects are all still there.
	for _, path := range []string{"/bots/" + c.BotID, "/chats/" + c.ID, "/threads/" + th.ID, "/files/" + f.ID,
		"/vector_stores/" + vs.ID, "/integrations/" + in.ID} {
		if r := e.Do("GET", path, e.A.Bearer(), nil); r.Status != http.StatusOK {
			t.Errorf("A: GET %s = %d %s after B's calls", path, r.Status, r.Body)
		}
	}
	var msgs []message
	ok(t, e.Do("GET", "/chats/"+c.ID+"/threads/"+th.ID+"/messages", e.A.Bearer(), nil), &msgs)
	if len(msgs) == 0 {
		t.Error("A's thread lost its messages")
	}
	if keys := listKeys(t, e, e.A.Bearer(), projects[0].ID); len(keys) < 2 {
		t.Errorf("A's keys after B's calls: %+v", keys)
	}
}
