package native_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

type testFileAnswer struct {
	Bot, Source, Checksum, Author, Added, Stopped string
	UpdatedAt                                     *string `json:"updated_at"`
	Tests                                         []struct {
		Name  string
		Line  int
		Steps []map[string]any
	}
	Problems []any
}

type testRunAnswer struct {
	Target, Checksum string
	Version          int
	Passed, Failed   int
	Results          []struct {
		Name    string
		Line    int
		Passed  bool
		Failure *struct {
			Step          *int
			Line          int
			Message, Node string
			Expected, Got any
		}
	}
}

// shopTests are tests of shopV1: the first passes, the second fails at
// its second step (line 11), where the handoff node speaks.
const shopTests = `# shop's conversation tests
tests:
  - name: asks the size   # the happy path
    steps:
      - expect: { says: ["Size?"], waiting: ask_size }
      - user: M
        expect: { says: ["An operator will confirm."], variables: { size: M } }
  - name: wrong words
    steps:
      - expect: { says: ["Size?"] }
      - user: L
        expect: { says: ["Bye!"] }
`

func putTests(e *servertest.Env, auth, slug, source string) *servertest.Response {
	h := http.Header{"Authorization": {auth}, "Content-Type": {"application/yaml"}}
	return e.DoWith("PUT", "/v1/bots/"+slug+"/tests", h, source)
}

func runTests(t *testing.T, e *servertest.Env, body any) testRunAnswer {
	t.Helper()
	r := e.Do("POST", "/v1/bots/shop/tests/run", e.A.Bearer(), body)
	if r.Status != http.StatusOK {
		t.Fatalf("running the tests: %d %s", r.Status, r.Body)
	}
	var out testRunAnswer
	r.JSON(t, &out)
	return out
}

// TestConversationTestFile: a bot's test file is saved byte for byte and
// read back with its tests; a file that is not conversation tests is 422
// with each problem's line and column; viewers read, only owners write;
// another project sees nothing.
func TestConversationTestFile(t *testing.T) {
	e := setup(t)
	var none testFileAnswer
	r := e.Do("GET", "/v1/bots/shop/tests", e.A.Bearer(), nil)
	r.JSON(t, &none)
	if r.Status != http.StatusOK || none.Bot != "shop" || none.Source != "" || none.UpdatedAt != nil || len(none.Tests) != 0 {
		t.Errorf("a bot without tests: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/v1/bots/nobot/tests"} {
		if r := e.Do("GET", path, e.A.Bearer(), nil); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
	if r := e.Do("GET", "/v1/bots/shop/tests", e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's bot: %d %s", r.Status, r.Body)
	}

	for _, tc := range []struct {
		name, source string
		line, column int
		code         string
	}{
		{"unknown field", "tests:\n  - name: a\n    steps:\n      - usr: Hi\n", 4, 9, "unknown_field"},
		{"wrong type", "tests:\n  - name: a\n    steps:\n      - expect: { pending: many }\n", 4, 28, "wrong_type"},
		{"syntax", "tests:\n  - name: a\n    steps: x: y\n", 3, 1, "yaml_syntax"},
		{"another bot", "bot: faq\ntests: []\n", 1, 6, "invalid_value"},
		{"files on disk", "files: [other.yaml]\ntests: []\n", 1, 1, "unsupported_yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := putTests(e, e.A.Bearer(), "shop", tc.source)
			var failed apiError
			r.JSON(t, &failed)
			p := failed.Error.Details.Problems
			if r.Status != http.StatusUnprocessableEntity || failed.Error.Code != "TESTS_INVALID" || len(p) != 1 ||
				p[0].Line != tc.line || p[0].Column != tc.column || p[0].Code != tc.code {
				t.Errorf("got %d %s; want 422 with %s at %d:%d", r.Status, r.Body, tc.code, tc.line, tc.column)
			}
		})
	}
	if r := e.Do("GET", "/v1/bots/shop/tests", e.A.Bearer(), nil); !strings.Contains(string(r.Body), `"source":""`) {
		t.Errorf("a refused file was stored: %s", r.Body)
	}

	r = putTests(e, e.A.Bearer(), "shop", shopTests)
	var saved testFileAnswer
	r.JSON(t, &saved)
	if r.Status != http.StatusOK || saved.Checksum == "" || r.Header.Get("ETag") != strconv.Quote(saved.Checksum) || saved.Author == "" {
		t.Fatalf("saving the tests: %d %s", r.Status, r.Body)
	}
	viewer := member(t, e, "viewer@example.com", store.RoleViewer)
	var read testFileAnswer
	e.Do("GET", "/v1/bots/shop/tests", viewer, nil).JSON(t, &read)
	if read.Source != shopTests || read.Checksum != saved.Checksum || read.UpdatedAt == nil || len(read.Problems) != 0 {
		t.Errorf("the tests as read: %+v", read)
	}
	if len(read.Tests) != 2 || read.Tests[1].Name != "wrong words" || read.Tests[1].Line != 8 || len(read.Tests[1].Steps) != 2 ||
		read.Tests[1].Steps[1]["user"] != "L" || read.Tests[1].Steps[1]["line"] != float64(11) {
		t.Errorf("the tests read: %+v", read.Tests)
	}
	if r := putTests(e, viewer, "shop", shopTests); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's save: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/bots/shop/tests/run", viewer, nil); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's run: %d %s", r.Status, r.Body)
	}
	if r := putTests(e, e.B.Bearer(), "shop", shopTests); r.Status != http.StatusNotFound {
		t.Errorf("another project's save: %d %s", r.Status, r.Body)
	}

	// If-Match guards a save; `bot:` may name the bot.
	stale := http.Header{"Authorization": {e.A.Bearer()}, "If-Match": {strconv.Quote("0000")}}
	if r := e.DoWith("PUT", "/v1/bots/shop/tests", stale, "tests: []\n"); r.Status != http.StatusConflict {
		t.Errorf("a save over a file changed since: %d %s", r.Status, r.Body)
	}
	current := http.Header{"Authorization": {e.A.Bearer()}, "If-Match": {strconv.Quote(saved.Checksum)}, "Content-Type": {"text/plain"}}
	if r := e.DoWith("PUT", "/v1/bots/shop/tests", current, "bot: shop\ntests: []\n"); r.Status != http.StatusOK {
		t.Errorf("a save naming the file read: %d %s", r.Status, r.Body)
	}
	// A bot only drafted may have tests.
	e.DoWith("PUT", "/v1/bots/newbot/draft", http.Header{"Authorization": {e.A.Bearer()}}, "bot: newbot\n")
	if r := putTests(e, e.A.Bearer(), "newbot", "tests:\n"); r.Status != http.StatusOK {
		t.Errorf("tests of a drafted bot: %d %s", r.Status, r.Body)
	}
}

// TestRunConversationTests: the stored tests run against the published
// version or the draft; a failure names its step, the step's line and the
// node; a broken draft is 422; bad requests are 4xx.
func TestRunConversationTests(t *testing.T) {
	e := setup(t)
	if r := e.Do("POST", "/v1/bots/shop/tests/run", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("running a bot without tests: %d %s", r.Status, r.Body)
	}
	if r := putTests(e, e.A.Bearer(), "shop", shopTests); r.Status != http.StatusOK {
		t.Fatalf("saving the tests: %d %s", r.Status, r.Body)
	}

	run := runTests(t, e, nil)
	if run.Target != "published" || run.Version != 1 || run.Passed != 1 || run.Failed != 1 || len(run.Results) != 2 {
		t.Fatalf("the run: %+v", run)
	}
	if ok := run.Results[0]; !ok.Passed || ok.Name != "asks the size" || ok.Failure != nil || ok.Line != 3 {
		t.Errorf("the passing test: %+v", ok)
	}
	bad := run.Results[1]
	if f := bad.Failure; bad.Passed || f == nil || f.Step == nil || *f.Step != 1 || f.Line != 11 || f.Node != "human" ||
		!strings.Contains(f.Message, "Bye!") || f.Got == nil || f.Expected == nil {
		t.Errorf("the failing test: %+v %+v", bad, bad.Failure)
	}

	only := runTests(t, e, map[string]any{"names": []string{"wrong words"}, "target": "published"})
	if len(only.Results) != 1 || only.Results[0].Name != "wrong words" {
		t.Errorf("a run of one test: %+v", only)
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
	}{
		{"unknown test", map[string]any{"names": []string{"nope"}}, http.StatusBadRequest},
		{"unknown target", map[string]any{"target": "tomorrow"}, http.StatusBadRequest},
		{"no draft", map[string]any{"target": "draft"}, http.StatusNotFound},
		{"not JSON", "names: [a]", http.StatusBadRequest},
	} {
		if r := e.Do("POST", "/v1/bots/shop/tests/run", e.A.Bearer(), tc.body); r.Status != tc.status {
			t.Errorf("%s: %d %s; want %d", tc.name, r.Status, r.Body, tc.status)
		}
	}

	// With a draft, the draft is what runs.
	h := http.Header{"Authorization": {e.A.Bearer()}}
	e.DoWith("PUT", "/v1/bots/shop/draft", h, strings.Replace(shopV1, "text: Size?", "text: Which size?", 1))
	draft := runTests(t, e, nil)
	if draft.Target != "draft" || draft.Version != 0 || draft.Passed != 0 || draft.Failed != 2 {
		t.Fatalf("the run against the draft: %+v", draft)
	}
	if f := draft.Results[0].Failure; f == nil || *f.Step != 0 || f.Line != 5 || f.Node != "ask_size" {
		t.Errorf("the draft's first failure: %+v", f)
	}
	if again := runTests(t, e, map[string]any{"target": "published"}); again.Passed != 1 || again.Version != 1 {
		t.Errorf("the published version, with a draft: %+v", again)
	}
	e.DoWith("PUT", "/v1/bots/shop/draft", h, strings.Replace(shopV1, "next: human", "next: nowhere", 1))
	r := e.Do("POST", "/v1/bots/shop/tests/run", e.A.Bearer(), nil)
	var broken apiError
	r.JSON(t, &broken)
	if r.Status != http.StatusUnprocessableEntity || broken.Error.Code != "FLOW_INVALID" || len(broken.Error.Details.Problems) == 0 {
		t.Errorf("running against a broken draft: %d %s", r.Status, r.Body)
	}
}

// TestTestFromDialog: a test dialog of the draft becomes a test appended
// to the file, the rest of it kept byte for byte, and the test passes;
// names that clash get a number; another project's or another bot's
// dialog is 404.
func TestTestFromDialog(t *testing.T) {
	e := setup(t)
	h := http.Header{"Authorization": {e.A.Bearer()}}
	e.DoWith("PUT", "/v1/bots/shop/draft", h, strings.Replace(shopV1, "text: Size?", "text: Which size?", 1))
	var chat turn
	if r := e.Do("POST", "/v1/bots/shop/draft/dialogs", e.A.Bearer(), nil); r.Status != http.StatusCreated {
		t.Fatalf("a test dialog: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &chat)
	}
	var answer turn
	e.Do("POST", "/v1/dialogs/"+chat.ID+"/messages", e.A.Bearer(), map[string]any{"text": "M"}).JSON(t, &answer)
	if len(answer.Messages) == 0 {
		t.Fatalf("the test dialog said nothing: %+v", answer)
	}

	// The first test makes the file.
	var first testFileAnswer
	r := e.Do("POST", "/v1/bots/shop/tests/from-dialog", e.A.Bearer(), map[string]any{"dialog": chat.ID})
	r.JSON(t, &first)
	want := "Dialog #" + strconv.Itoa(chat.Number)
	if r.Status != http.StatusOK || first.Added != want || !strings.HasPrefix(first.Source, "bot: shop\ntests:\n  - name: ") || len(first.Tests) != 1 {
		t.Fatalf("the first test from a dialog: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(first.Source, "Which size?") || !strings.Contains(first.Source, "user: M") ||
		!strings.Contains(first.Source, "waiting: human") || !strings.Contains(first.Source, "status: operator") {
		t.Errorf("the test does not play the dialog:\n%s", first.Source)
	}

	// Then it is appended to what the author wrote, as written.
	if r := putTests(e, e.A.Bearer(), "shop", shopTests); r.Status != http.StatusOK {
		t.Fatalf("saving the tests: %d %s", r.Status, r.Body)
	}
	var added testFileAnswer
	r = e.Do("POST", "/v1/bots/shop/tests/from-dialog", e.A.Bearer(), map[string]any{"dialog": chat.ID, "name": "asks the size"})
	r.JSON(t, &added)
	if r.Status != http.StatusOK || added.Added != "asks the size (2)" || !strings.HasPrefix(added.Source, shopTests) ||
		len(added.Tests) != 3 || r.Header.Get("ETag") != strconv.Quote(added.Checksum) {
		t.Fatalf("a test added to a file: %d %s", r.Status, r.Body)
	}
	var read testFileAnswer
	e.Do("GET", "/v1/bots/shop/tests", e.A.Bearer(), nil).JSON(t, &read)
	if read.Source != added.Source {
		t.Errorf("the file as read differs from the answer:\n%s", read.Source)
	}
	// A dialog still waiting for an answer: the test expects it waiting there.
	var waiting turn
	e.Do("POST", "/v1/bots/shop/draft/dialogs", e.A.Bearer(), nil).JSON(t, &waiting)
	r = e.Do("POST", "/v1/bots/shop/tests/from-dialog", e.A.Bearer(), map[string]any{"dialog": waiting.ID, "name": "waits"})
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `waiting: ask_size\n          status: in-process\n`) {
		t.Errorf("a test from a waiting dialog: %d %s", r.Status, r.Body)
	}
	run := runTests(t, e, map[string]any{"names": []string{"asks the size (2)", "waits"}})
	if run.Target != "draft" || run.Passed != 2 {
		t.Errorf("the tests from the dialogs, run against the draft: %+v", run)
	}

	// Not this project's or not this bot's dialogs.
	e.Do("PUT", "/v1/bots/shop/flow", e.B.Bearer(), shopV1)
	var theirs turn
	e.Do("POST", "/v1/bots/shop/dialogs", e.B.Bearer(), nil).JSON(t, &theirs)
	e.Do("PUT", "/v1/bots/other/flow", e.A.Bearer(), strings.Replace(shopV1, "bot: shop", "bot: other", 1))
	var other turn
	e.Do("POST", "/v1/bots/other/dialogs", e.A.Bearer(), nil).JSON(t, &other)
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
	}{
		{"another project's dialog", "/v1/bots/shop/tests/from-dialog", map[string]any{"dialog": theirs.ID}, http.StatusNotFound},
		{"another bot's dialog", "/v1/bots/shop/tests/from-dialog", map[string]any{"dialog": other.ID}, http.StatusNotFound},
		{"no such dialog", "/v1/bots/shop/tests/from-dialog", map[string]any{"dialog": "99999"}, http.StatusNotFound},
		{"another project's bot", "/v1/bots/other/tests/from-dialog", map[string]any{"dialog": theirs.ID}, http.StatusNotFound},
		{"no dialog", "/v1/bots/shop/tests/from-dialog", map[string]any{"name": "x"}, http.StatusBadRequest},
		{"a name of two lines", "/v1/bots/shop/tests/from-dialog", map[string]any{"dialog": chat.ID, "name": "a\nb"}, http.StatusBadRequest},
	} {
		auth := e.A.Bearer()
		if tc.name == "another project's bot" {
			auth = e.B.Bearer()
		}
		if r := e.Do("POST", tc.path, auth, tc.body); r.Status != tc.status {
			t.Errorf("%s: %d %s; want %d", tc.name, r.Status, r.Body, tc.status)
		}
	}
	viewer := member(t, e, "viewer@example.com", store.RoleViewer)
	if r := e.Do("POST", "/v1/bots/shop/tests/from-dialog", viewer, map[string]any{"dialog": chat.ID}); r.Status != http.StatusForbidden {
		t.Errorf("a viewer's test from a dialog: %d %s", r.Status, r.Body)
	}
}
