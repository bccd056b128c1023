package botone_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const shopBot = `bot: shop
variables:
  name: { type: string, default: "" }
  location: { type: string, default: "" }
  size: { type: string }
nodes:
  ask:
    kind: question
    text: "Size, {{ name }}?"
    input: { type: choice, options: [S, M] }
    save: size
    next: bye
  bye:
    kind: end
    text: Bye!
`

const otherBot = `bot: other
nodes:
  hello:
    kind: question
    text: Other bot here.
    next: done
  done:
    kind: end
`

// botEnv has two bots published in project A, by integer BotID.
type botEnv struct {
	*servertest.Env
	shop, other int64
}

func newBotEnv(t *testing.T) *botEnv {
	e := &botEnv{Env: servertest.New(t, native.Dialect, botone.Dialect)}
	for _, b := range []struct {
		yaml string
		id   *int64
	}{{shopBot, &e.shop}, {otherBot, &e.other}} {
		var pub struct {
			BotID int64 `json:"bot_id"`
		}
		r := e.Do("PUT", "/v1/bots/"+strings.SplitN(strings.TrimPrefix(b.yaml, "bot: "), "\n", 2)[0]+"/flow", e.A.Bearer(), b.yaml)
		r.JSON(t, &pub)
		*b.id = pub.BotID
	}
	return e
}

// v2Conversation is GET /api/v2/conversation/{uuid}.
type v2Conversation struct {
	ID, Name, Status, IP, Location, Updated, Source string
	Duration                                        int64
	Data                                            string
}

func (e *botEnv) conversation(t *testing.T, uuid string) v2Conversation {
	t.Helper()
	var c v2Conversation
	r := e.Do("GET", "/api/v2/conversation/"+uuid, e.A.Basic(), nil)
	if r.Status != 200 {
		t.Fatalf("conversation: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &c)
	return c
}

func TestCreateDialogs(t *testing.T) {
	e := newBotEnv(t)
	vars := url.QueryEscape(`{"name":"Dasha"}`)
	var created struct{ DialogID string }
	r := e.Do("GET", fmt.Sprintf("/api/v1/dialog/%d/create?variables=%s", e.shop, vars), e.A.Basic(), nil)
	r.JSON(t, &created)
	if r.Status != 200 || !isUUID(created.DialogID) || string(r.Body) != fmt.Sprintf(`{"dialogId":%q}`, created.DialogID) {
		t.Fatalf("v1 create: %d %s", r.Status, r.Body)
	}
	if c := e.conversation(t, created.DialogID); c.Status != "created" || c.Source != "api" || c.Name != "#1 Unknown" {
		t.Errorf("a created dialog: %+v", c)
	}
	r = e.Do("GET", fmt.Sprintf("/api/v2/dialog/%d/create?variables=%s", e.shop, vars), e.A.Basic(), nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"dialogId":"`) {
		t.Errorf("v2 GET create: %d %s", r.Status, r.Body)
	}

	var started struct {
		DialogID   int64  `json:"dialogId"`
		DialogUUID string `json:"dialogUUID"`
	}
	r = e.Do("POST", fmt.Sprintf("/api/v2/dialog/%d/create?variables=%s&response=true", e.shop, vars), e.A.Basic(),
		map[string]any{"response": true, "variables": `{ "name": "User" }`})
	r.JSON(t, &started)
	if r.Status != 200 || started.DialogID == 0 || !isUUID(started.DialogUUID) {
		t.Fatalf("v2 POST create: %d %s", r.Status, r.Body)
	}
	var view struct {
		Status    string
		Variables map[string]any
		Messages  []struct{ Text string }
	}
	e.Do("GET", "/v1/dialogs/"+started.DialogUUID, e.A.Bearer(), nil).JSON(t, &view)
	if view.Status != "in-process" || view.Variables["name"] != "User" || len(view.Messages) != 1 || view.Messages[0].Text != "Size, User?" {
		t.Errorf("a created and started dialog: %+v", view)
	}
	if r := e.Do("POST", fmt.Sprintf("/api/v2/dialog/%d/create", e.shop), e.A.Basic(), nil); r.Status != 200 || string(r.Body) != "{}" {
		t.Errorf("POST create without response: %d %s", r.Status, r.Body)
	}

	failures := []struct {
		name, method, path, auth string
		want                     int
	}{
		{"no credentials", "GET", fmt.Sprintf("/api/v1/dialog/%d/create", e.shop), "", 401},
		{"wrong password", "GET", fmt.Sprintf("/api/v1/dialog/%d/create", e.shop), "Basic " + basic(e.A.Email, "wrong"), 401},
		{"unknown bot", "GET", "/api/v1/dialog/999999/create", e.A.Basic(), 404},
		{"another project's bot", "GET", fmt.Sprintf("/api/v2/dialog/%d/create", e.shop), e.B.Basic(), 404},
		{"bot id not a number", "POST", "/api/v2/dialog/shop/create", e.A.Basic(), 400},
		{"variables not JSON", "GET", fmt.Sprintf("/api/v1/dialog/%d/create?variables=%s", e.shop, url.QueryEscape("{name")), e.A.Basic(), 400},
		{"variables nested 65 deep", "GET", fmt.Sprintf("/api/v1/dialog/%d/create?variables=%s", e.shop,
			url.QueryEscape(`{"a":`+strings.Repeat("[", 64)+strings.Repeat("]", 64)+`}`)), e.A.Basic(), 400},
	}
	for _, tt := range failures {
		if r := e.Do(tt.method, tt.path, tt.auth, nil); r.Status != tt.want || !strings.Contains(string(r.Body), `"message":`) {
			t.Errorf("%s: %d %s, want %d", tt.name, r.Status, r.Body, tt.want)
		}
	}
}

func basic(user, password string) string {
	return strings.TrimPrefix(servertest.Project{Email: user, Password: password}.Basic(), "Basic ")
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func isUUID(s string) bool { return uuidPattern.MatchString(s) }

// startShop creates and starts a shop dialog and returns its UUID and id.
func (e *botEnv) startShop(t *testing.T, vars string) (string, int64) {
	t.Helper()
	var started struct {
		DialogID   int64  `json:"dialogId"`
		DialogUUID string `json:"dialogUUID"`
	}
	e.Do("POST", fmt.Sprintf("/api/v2/dialog/%d/create?response=true&variables=%s", e.shop, url.QueryEscape(vars)), e.A.Basic(), nil).JSON(t, &started)
	return started.DialogUUID, started.DialogID
}

func TestStopSendStartWhileAQuestionWaits(t *testing.T) {
	e := newBotEnv(t)
	uuid, _ := e.startShop(t, `{"name":"Ann"}`)
	path := "/api/v2/conversation/" + uuid
	if r := e.Do("POST", path+"/stop", e.A.Basic(), nil); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("stop: %d %s", r.Status, r.Body)
	}
	if c := e.conversation(t, uuid); c.Status != "operator" {
		t.Errorf("after stop the status is %q", c.Status)
	}
	if r := e.Do("POST", path+"/send", e.A.Basic(), map[string]any{"body": "Привет, я оператор."}); r.Status != 204 {
		t.Errorf("send: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/send", e.A.Basic(), map[string]any{}); r.Status != 400 {
		t.Errorf("send without body: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/start", e.A.Basic(), nil); r.Status != 204 {
		t.Errorf("start: %d %s", r.Status, r.Body)
	}
	if c := e.conversation(t, uuid); c.Status != "in-process" {
		t.Errorf("after start the status is %q", c.Status)
	}
	var tr struct{ Messages []struct{ Text string } }
	e.Do("POST", "/v1/dialogs/"+uuid+"/messages", e.A.Bearer(), map[string]any{"text": "M"}).JSON(t, &tr)
	if len(tr.Messages) != 1 || tr.Messages[0].Text != "Bye!" {
		t.Errorf("the question still waited after start: %+v", tr)
	}
	var view struct{ Messages []struct{ Role, Text string } }
	e.Do("GET", "/v1/dialogs/"+uuid, e.A.Bearer(), nil).JSON(t, &view)
	if len(view.Messages) != 4 || view.Messages[1].Role != "operator" || view.Messages[1].Text != "Привет, я оператор." {
		t.Errorf("transcript: %+v", view.Messages)
	}
	if r := e.Do("POST", path+"/stop", e.A.Basic(), nil); r.Status != 403 {
		t.Errorf("stop of a completed dialog: %d %s, want 403", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/stop", e.B.Basic(), nil); r.Status != 404 {
		t.Errorf("stop from another project: %d %s, want 404", r.Status, r.Body)
	}
}

func TestGotoCommand(t *testing.T) {
	e := newBotEnv(t)
	uuid, _ := e.startShop(t, `{}`)
	path := "/api/v2/conversation/" + uuid + "/command"
	r := e.Do("POST", path, e.A.Basic(), map[string]any{"body": fmt.Sprintf("goto %d", e.other)})
	if r.Status != 200 || string(r.Body) != `{"message":"Goto command complete"}` {
		t.Fatalf("goto: %d %s", r.Status, r.Body)
	}
	var view struct {
		Bot      string
		Messages []struct{ Text string }
	}
	e.Do("GET", "/v1/dialogs/"+uuid, e.A.Bearer(), nil).JSON(t, &view)
	if view.Bot != "other" || view.Messages[len(view.Messages)-1].Text != "Other bot here." {
		t.Errorf("after goto: %+v", view)
	}
	for _, tt := range []struct {
		body string
		want int
	}{{"dance", 400}, {"goto", 400}, {"goto 999999", 404}, {"goto abc", 400}} {
		if r := e.Do("POST", path, e.A.Basic(), map[string]any{"body": tt.body}); r.Status != tt.want {
			t.Errorf("%q: %d %s, want %d", tt.body, r.Status, r.Body, tt.want)
		}
	}
}

func TestConversationData(t *testing.T) {
	e := newBotEnv(t)
	uuid, id := e.startShop(t, `{"location":"Perm"}`)
	before := time.Now().UTC()
	e.Do("POST", "/v1/dialogs/"+uuid+"/messages", e.A.Bearer(), map[string]any{"text": "S"})
	var v1 map[string]any
	r := e.Do("GET", fmt.Sprintf("/api/v1/conversation/%d", id), e.A.Basic(), nil)
	r.JSON(t, &v1)
	keys := regexp.MustCompile(`"(\w+)":`).FindAllStringSubmatch(strings.SplitN(string(r.Body), `"data"`, 2)[0], -1)
	var order []string
	for _, k := range keys {
		order = append(order, k[1])
	}
	if got := strings.Join(order, ","); got != "id,name,status,ip,location,updated,duration" {
		t.Errorf("v1 field order: %s", got)
	}
	updated, err := time.Parse("2006-01-02T15:04:05-07:00", v1["updated"].(string))
	if v1["id"] != float64(id) || v1["name"] != "#1 Perm" || v1["status"] != "completed" || v1["location"] != "Perm" ||
		err != nil || !strings.HasSuffix(v1["updated"].(string), "+00:00") || updated.Before(before.Add(-2*time.Second)) {
		t.Errorf("v1 conversation: %s", r.Body)
	}
	data, _ := json.Marshal(v1["data"])
	want := `[{"answer":"S","deleted":false,"question":"Size, ?","type":"choice","variable":"size"}]`
	if string(data) != want {
		t.Errorf("v1 data: %s\nwant %s", data, want)
	}
	c := e.conversation(t, uuid)
	if c.ID != uuid || c.Source != "api" || c.Data != `[{"question":"Size, ?","type":"choice","answer":"S","variable":"size","deleted":false}]` {
		t.Errorf("v2 conversation: %+v", c)
	}
	if r := e.Do("GET", "/api/v1/conversation/"+uuid, e.A.Basic(), nil); r.Status != 400 {
		t.Errorf("v1 with a UUID: %d", r.Status)
	}
	if r := e.Do("GET", fmt.Sprintf("/api/v1/conversation/%d", id), e.B.Basic(), nil); r.Status != 404 {
		t.Errorf("v1 from another project: %d", r.Status)
	}
}

func TestConversationsList(t *testing.T) {
	e := newBotEnv(t)
	var uuids []string
	for i := range 12 {
		bot := e.shop
		if i%3 == 2 {
			bot = e.other
		}
		var started struct{ DialogUUID string }
		e.Do("POST", fmt.Sprintf("/api/v2/dialog/%d/create?response=true", bot), e.A.Basic(), nil).JSON(t, &started)
		uuids = append(uuids, started.DialogUUID)
	}
	e.Do("POST", "/v1/dialogs/"+uuids[0]+"/messages", e.A.Bearer(), map[string]any{"text": "S"}) // the newest update
	today := time.Now().UTC().Format("2006-01-02")
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Format("2006-01-02")

	list := func(version, query string) (map[string]json.RawMessage, []string, int) {
		t.Helper()
		r := e.Do("GET", "/api/"+version+"/conversations"+query, e.A.Basic(), nil)
		var body map[string]json.RawMessage
		if r.Status == 200 {
			r.JSON(t, &body)
		}
		var keys []string
		for _, m := range regexp.MustCompile(`^\{"(\d+)"|,"(\d+)":\{"id"`).FindAllStringSubmatch(string(r.Body), -1) {
			keys = append(keys, m[1]+m[2])
		}
		return body, keys, r.Status
	}
	body, keys, status := list("v2", "")
	if status != 200 || len(keys) != 12 || keys[10] != "10" || keys[2] != "2" {
		t.Fatalf("keys %v (status %d)", keys, status)
	}
	var first struct{ ID string }
	_ = json.Unmarshal(body["0"], &first)
	if first.ID != uuids[0] {
		t.Errorf("the most recently updated dialog is not first: %s", body["0"])
	}
	var meta struct{ Pagination map[string]any }
	_ = json.Unmarshal(body["meta"], &meta)
	if fmt.Sprint(meta.Pagination) != "map[count:12 current_page:1 links:map[] per_page:40 total:12 total_pages:1]" {
		t.Errorf("meta: %s", body["meta"])
	}

	cases := []struct {
		name, version, query string
		count                int
		status               int
	}{
		{"document example v1", "v1", fmt.Sprintf("?UpdatedFrom=2023-05-01&UpdatedTo=2023-05-29&BotID=%d", e.shop), 0, 200},
		{"document example v2", "v2", fmt.Sprintf("?BotID=%d&CreatedFrom=2023-05-01&CreatedTo=2023-05-29", e.shop), 0, 200},
		{"bot", "v1", fmt.Sprintf("?BotID=%d", e.other), 4, 200},
		{"page 2 of 5", "v2", "?PageNumber=2&PageCount=5", 5, 200},
		{"last page", "v2", "?PageNumber=3&PageCount=5", 2, 200},
		{"past the end", "v2", "?PageNumber=9&PageCount=5", 0, 200},
		{"created today", "v2", "?CreatedFrom=" + today + "&CreatedTo=" + today, 12, 200},
		{"created from tomorrow", "v2", "?CreatedFrom=" + tomorrow, 0, 200},
		{"created with zone", "v2", "?CreatedTo=" + url.QueryEscape(today+"T00:00:00+03:00"), 0, 200},
		{"updated today", "v2", "?UpdatedFrom=" + today, 1, 200},
		{"updated until tomorrow", "v2", "?UpdatedTo=" + tomorrow, 1, 200},
		{"bad date", "v2", "?CreatedFrom=yesterday", 0, 400},
		{"bad page", "v1", "?PageNumber=0", 0, 400},
		{"bad bot", "v1", "?BotID=shop", 0, 400},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			body, keys, status := list(tt.version, tt.query)
			if status != tt.status || (status == 200 && (len(keys) != tt.count || body["meta"] == nil)) {
				t.Errorf("status %d, %d items, want %d and %d", status, len(keys), tt.status, tt.count)
			}
		})
	}
	var v1item map[string]any
	b, _, _ := list("v1", "?PageCount=1")
	_ = json.Unmarshal(b["0"], &v1item)
	if _, hasSource := v1item["source"]; hasSource || v1item["updated"] == "" {
		t.Errorf("v1 item: %v", v1item)
	}
	if r := e.Do("GET", "/api/v2/conversations", e.B.Basic(), nil); !strings.Contains(string(r.Body), `"total":0`) {
		t.Errorf("another project sees dialogs: %s", r.Body)
	}
	if r := e.Do("GET", "/api/v2/conversations", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("no credentials: %d", r.Status)
	}
}
