package native

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine/convtest"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/internal/yamljson"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Bounds of a run of a bot's conversation tests from the editor.
const (
	testTimeout  = 30 * time.Second // each test's wall-clock time
	maxTestsRun  = 50               // tests in one run
	maxTestName  = 200              // characters of a test's name made from a dialog
	appendTrials = 3                // saves of an appended test raced by other saves
)

// testRuns lets one run of tests at a time use the machine's cores; the
// others wait for it (or for their client to give up).
var testRuns = make(chan struct{}, 1)

// mountTests routes a bot's conversation tests: viewers read them; owners
// save, run and add to them, as they do drafts.
func (h *handlers) mountTests(v1, own *gin.RouterGroup) {
	v1.GET("/bots/:slug/tests", h.tests)
	own.PUT("/bots/:slug/tests", h.saveTests)
	own.POST("/bots/:slug/tests/run", h.runTests)
	own.POST("/bots/:slug/tests/from-dialog", h.testFromDialog)
}

// testFileJSON is a bot's conversation tests: the file as written and
// what it holds.
type testFileJSON struct {
	Bot       string             `json:"bot"`
	Source    string             `json:"source"`   // "" when the bot has none yet
	Checksum  string             `json:"checksum"` // "" when the bot has none yet
	Author    string             `json:"author"`
	UpdatedAt *time.Time         `json:"updated_at"`
	Tests     []testCaseJSON     `json:"tests"`
	Problems  []graphProblemJSON `json:"problems"`
	Added     string             `json:"added,omitempty"`   // from-dialog: the new test's name
	Stopped   string             `json:"stopped,omitempty"` // from-dialog: why the test ends before the dialog
}

// testCaseJSON is one test: its name, its line and its steps, each as
// written (user, command, operator, mode, start, after, expect) with its
// line.
type testCaseJSON struct {
	Name  string           `json:"name"`
	Line  int              `json:"line"`
	Steps []map[string]any `json:"steps"`
}

// testFileOf renders a stored test file (nil: none yet) of bot slug.
func testFileOf(slug string, f *store.TestFile) testFileJSON {
	out := testFileJSON{Bot: slug, Tests: []testCaseJSON{}, Problems: []graphProblemJSON{}}
	if f == nil {
		return out
	}
	at := f.UpdatedAt.UTC()
	out.Source, out.Checksum, out.Author, out.UpdatedAt = f.Source, f.Checksum, f.Author, &at
	suite, problems := convtest.ParseFor(slug, []byte(f.Source))
	out.Problems = problemsJSON(nil, problems)
	written := stepsAsWritten([]byte(f.Source))
	for i, c := range suite.Tests {
		tc := testCaseJSON{Name: c.Name, Line: c.Line, Steps: []map[string]any{}}
		for j, st := range c.Steps {
			step := map[string]any{}
			if i < len(written) && j < len(written[i]) && written[i][j] != nil {
				step = written[i][j]
			}
			step["line"] = st.Line
			tc.Steps = append(tc.Steps, step)
		}
		out.Tests = append(out.Tests, tc)
	}
	return out
}

// stepsAsWritten are the fields of each test's steps as JSON values.
func stepsAsWritten(src []byte) [][]map[string]any {
	var file struct {
		Tests []struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"tests"`
	}
	if yaml.Unmarshal(src, &file) != nil {
		return nil
	}
	out := make([][]map[string]any, len(file.Tests))
	for i, t := range file.Tests {
		for _, st := range t.Steps {
			plain, _ := yamljson.Plain(map[string]any(st)).(map[string]any)
			out[i] = append(out[i], plain)
		}
	}
	return out
}

// answerTests renders a bot's test file with its checksum as the ETag.
func answerTests(c *gin.Context, out testFileJSON) {
	if out.Checksum != "" {
		c.Header("ETag", strconv.Quote(out.Checksum))
	}
	c.JSON(http.StatusOK, out)
}

// botOrDraft returns ENOTFOUND unless the caller's project has bot slug,
// published or only drafted.
func (h *handlers) botOrDraft(ctx context.Context, project int64, slug string) error {
	_, err := h.Store.Bot(ctx, project, slug)
	if store.ErrorCode(err) != store.ENOTFOUND {
		return err
	}
	if _, err := h.Store.Draft(ctx, project, slug); store.ErrorCode(err) == store.ENOTFOUND {
		return store.Errorf(store.ENOTFOUND, "Bot %s not found.", slug)
	} else if err != nil {
		return err
	}
	return nil
}

// testFile is the project's test file of bot slug, nil when it has none.
func (h *handlers) testFile(ctx context.Context, project int64, slug string) (*store.TestFile, error) {
	if err := h.botOrDraft(ctx, project, slug); err != nil {
		return nil, err
	}
	f, err := h.Store.TestFile(ctx, project, slug)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, nil
	}
	return f, err
}

// tests answers a bot's test file; a bot without one has an empty source
// and no tests.
func (h *handlers) tests(c *gin.Context) {
	slug := c.Param("slug")
	f, err := h.testFile(c.Request.Context(), server.CallerOf(c).ProjectID, slug)
	if err != nil {
		fail(c, err)
		return
	}
	answerTests(c, testFileOf(slug, f))
}

// failTests renders a test file's problems: 422 TESTS_INVALID.
func failTests(c *gin.Context, problems flows.Problems) {
	failWith(c, http.StatusUnprocessableEntity, "TESTS_INVALID",
		fmt.Sprintf("The test file has %d problem(s); fix them and send it again. The first: line %d: %s.",
			len(problems), problems[0].Line, problems[0].Message),
		gin.H{"problems": problemsJSON(nil, problems)})
}

// saveTests stores the body, a test file (YAML), as the bot's tests, when
// it reads as one.
func (h *handlers) saveTests(c *gin.Context) {
	body, ok := flowBody(c)
	if !ok {
		return
	}
	if len(body) > convtest.MaxFileSize {
		fail(c, store.Errorf(store.ETOOLARGE, "The test file is over %d bytes; split it or remove tests.", convtest.MaxFileSize))
		return
	}
	ctx, caller, slug := c.Request.Context(), server.CallerOf(c), c.Param("slug")
	if err := h.botOrDraft(ctx, caller.ProjectID, slug); err != nil {
		fail(c, err)
		return
	}
	if _, problems := convtest.ParseFor(slug, body); len(problems) > 0 {
		failTests(c, problems)
		return
	}
	f := &store.TestFile{ProjectID: caller.ProjectID, Slug: slug, Source: string(body), Author: caller.Name}
	if err := h.Store.SaveTestFile(ctx, f, ifMatch(c)); err != nil {
		fail(c, err)
		return
	}
	answerTests(c, testFileOf(slug, f))
}

type runTestsRequest struct {
	Target string   `json:"target"` // draft or published; "" for the draft if there is one
	Names  []string `json:"names"`  // the tests to run; none for all
}

type runTestsJSON struct {
	Bot      string           `json:"bot"`
	Target   string           `json:"target"`
	Version  int              `json:"version"`  // 0 for the draft
	Checksum string           `json:"checksum"` // of the bot file run
	Passed   int              `json:"passed"`
	Failed   int              `json:"failed"`
	Results  []testResultJSON `json:"results"`
}

type testResultJSON struct {
	Name       string            `json:"name"`
	Line       int               `json:"line"`
	Passed     bool              `json:"passed"`
	DurationMS int64             `json:"duration_ms"`
	Failure    *testFailureJSON  `json:"failure"` // the first; null when it passed
	Failures   []testFailureJSON `json:"failures"`
}

type testFailureJSON struct {
	Step     *int   `json:"step"` // from 0; null for the test as a whole
	Line     int    `json:"line"`
	Message  string `json:"message"`
	Node     string `json:"node"`
	Expected any    `json:"expected"`
	Got      any    `json:"got"`
}

func failureOf(f convtest.Failure) testFailureJSON {
	out := testFailureJSON{Line: f.Line, Message: f.Message, Node: f.Node, Expected: jsonValue(f.Expected), Got: jsonValue(f.Got)}
	if f.Step >= 0 {
		step := f.Step
		out.Step = &step
	}
	return out
}

// jsonValue is v if JSON can write it (YAML's maps with keys not text and
// .inf made writable), else nil.
func jsonValue(v any) any {
	v = yamljson.Plain(v)
	if _, err := json.Marshal(v); err != nil {
		return nil
	}
	return v
}

// runTests runs a bot's stored tests against its draft or its published
// version, in convtest's environment (time skips, nothing real changes).
func (h *handlers) runTests(c *gin.Context) {
	var req runTestsRequest
	if !bind(c, &req, `{"target": "draft", "names": ["greets"]}`) {
		return
	}
	ctx, project, slug := c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug")
	f, err := h.testFile(ctx, project, slug)
	if err != nil {
		fail(c, err)
		return
	}
	if f == nil {
		fail(c, store.Errorf(store.ENOTFOUND, "Bot %s has no tests yet; save a test file or add a test from a dialog.", slug))
		return
	}
	suite, problems := convtest.ParseFor(slug, []byte(f.Source))
	if len(problems) > 0 {
		failTests(c, problems)
		return
	}
	if suite.Tests, err = chosenTests(suite.Tests, req.Names); err != nil {
		fail(c, err)
		return
	}
	out := runTestsJSON{Bot: slug, Target: req.Target, Results: []testResultJSON{}}
	source, err := h.fileToTest(ctx, project, slug, &out)
	if err != nil {
		fail(c, err)
		return
	}
	suite.Sources, suite.Timeout = []string{source}, testTimeout
	select {
	case testRuns <- struct{}{}:
		defer func() { <-testRuns }()
	case <-ctx.Done():
		fail(c, store.Errorf(store.ECONFLICT, "The run was cancelled while it waited for another run to end."))
		return
	}
	res, err := convtest.Run(ctx, suite)
	if err != nil {
		fail(c, fmt.Errorf("running the tests of %s: %w", slug, err))
		return
	}
	for _, r := range res.Cases {
		tr := testResultJSON{Name: r.Name, Line: r.Line, Passed: len(r.Failures) == 0, DurationMS: r.Duration.Milliseconds(), Failures: []testFailureJSON{}}
		for _, f := range r.Failures {
			tr.Failures = append(tr.Failures, failureOf(f))
		}
		if len(tr.Failures) > 0 {
			tr.Failure = &tr.Failures[0]
			out.Failed++
		} else {
			out.Passed++
		}
		out.Results = append(out.Results, tr)
	}
	c.JSON(http.StatusOK, out)
}

// chosenTests are the tests named (all when none are), at most maxTestsRun.
func chosenTests(all []convtest.Case, names []string) ([]convtest.Case, error) {
	if len(names) == 0 {
		if len(all) > maxTestsRun {
			return nil, store.FieldErrorf(store.EINVALID, "names", "The file has %d tests; a run takes at most %d: name the ones to run in `names`.", len(all), maxTestsRun)
		}
		return all, nil
	}
	if len(names) > maxTestsRun {
		return nil, store.FieldErrorf(store.EINVALID, "names", "A run takes at most %d tests; %d were named.", maxTestsRun, len(names))
	}
	var out []convtest.Case
	for _, name := range names {
		i := slices.IndexFunc(all, func(c convtest.Case) bool { return c.Name == name })
		if i < 0 {
			return nil, store.FieldErrorf(store.EINVALID, "names", "There is no test named %q; GET the tests for their names.", name)
		}
		if !slices.ContainsFunc(out, func(c convtest.Case) bool { return c.Name == name }) {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// fileToTest is the bot file a run tests, filling in the target, version
// and checksum: the draft (a *dialogs.FlowError when it has errors) or
// the published current version; by default the draft when there is one.
func (h *handlers) fileToTest(ctx context.Context, project int64, slug string, out *runTestsJSON) (string, error) {
	switch out.Target {
	case "", "draft":
		d, err := h.Store.Draft(ctx, project, slug)
		switch {
		case err == nil:
			if errs := dialogs.DraftProblems(d).Errors(); len(errs) > 0 {
				return "", &dialogs.FlowError{Problems: errs}
			}
			out.Target, out.Checksum = "draft", d.Checksum
			return d.Source, nil
		case store.ErrorCode(err) != store.ENOTFOUND:
			return "", err
		case out.Target == "draft":
			return "", store.Errorf(store.ENOTFOUND, "Bot %s has no draft; run the tests against the published version (target published).", slug)
		}
	case "published":
	default:
		return "", store.FieldErrorf(store.EINVALID, "target", "`target` is draft or published, not %q.", out.Target)
	}
	bot, err := h.Store.Bot(ctx, project, slug)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return "", store.Errorf(store.ENOTFOUND, "Bot %s has never been published; run its tests against the draft.", slug)
	} else if err != nil {
		return "", err
	}
	v, err := h.Store.FlowVersion(ctx, bot.ID, bot.CurrentVersion)
	if err != nil {
		return "", err
	}
	out.Target, out.Version, out.Checksum = "published", v.Version, v.Checksum
	return v.Source, nil
}

// dialogRef is a dialog's UUID or number in the project (dialogs.Service.Find), given
// as a JSON string or number.
type dialogRef string

func (r *dialogRef) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*r = dialogRef(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*r = dialogRef(s)
	return nil
}

type testFromDialogRequest struct {
	Dialog dialogRef `json:"dialog"`
	Name   string    `json:"name"`
}

// testFromDialog writes a test from a dialog of the bot and appends it to
// the bot's test file as text, keeping the rest of the file as it is.
func (h *handlers) testFromDialog(c *gin.Context) {
	var req testFromDialogRequest
	if !bind(c, &req, `{"dialog": "318", "name": "orders a pizza"}`) {
		return
	}
	ctx, caller, slug := c.Request.Context(), server.CallerOf(c), c.Param("slug")
	req.Name = strings.TrimSpace(req.Name)
	switch {
	case strings.TrimSpace(string(req.Dialog)) == "":
		fail(c, store.FieldErrorf(store.EINVALID, "dialog", "Name the dialog to make a test of: its UUID or number in `dialog`."))
		return
	case len([]rune(req.Name)) > maxTestName || strings.ContainsAny(req.Name, "\r\n"):
		fail(c, store.FieldErrorf(store.EINVALID, "name", "A test's name is one line of at most %d characters.", maxTestName))
		return
	}
	d, err := h.dialogOfBot(ctx, caller.ProjectID, slug, string(req.Dialog))
	if err != nil {
		fail(c, err)
		return
	}
	msgs, err := h.Store.Messages(ctx, d.ID)
	if err != nil {
		fail(c, err)
		return
	}
	transcript := convtest.Transcript{Messages: msgs, Status: d.Status, Node: d.Node, CreatedAt: d.CreatedAt}
	for range appendTrials {
		f, name, stopped, err := h.appendTest(ctx, caller, slug, req.Name, d.Number, transcript)
		if store.ErrorCode(err) == store.ECONFLICT && strings.Contains(err.Error(), "changed since") {
			continue // saved by someone else meanwhile: append to theirs
		}
		if err != nil {
			fail(c, err)
			return
		}
		out := testFileOf(slug, f)
		out.Added, out.Stopped = name, stopped
		answerTests(c, out)
		return
	}
	fail(c, store.Errorf(store.ECONFLICT, "The tests of %s kept changing while the test was added; try again.", slug))
}

// dialogOfBot finds the caller's dialog id, which must be one of bot slug.
func (h *handlers) dialogOfBot(ctx context.Context, project int64, slug, id string) (*store.Dialog, error) {
	bot, err := h.Store.Bot(ctx, project, slug)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, store.Errorf(store.ENOTFOUND, "Bot %s has never been published, so it has no dialogs.", slug)
	} else if err != nil {
		return nil, err
	}
	d, err := h.Dialogs.Find(ctx, project, id)
	if err != nil {
		return nil, err
	}
	if d.BotID != bot.ID {
		return nil, store.Errorf(store.ENOTFOUND, "Dialog %s is not a dialog of bot %s.", id, slug)
	}
	return d, nil
}

// appendTest writes the test and saves the bot's test file with it at the
// end, unless someone saved the file since it was read (ECONFLICT).
func (h *handlers) appendTest(ctx context.Context, caller server.Caller, slug, name string, number int64, t convtest.Transcript) (*store.TestFile, string, string, error) {
	f, err := h.testFile(ctx, caller.ProjectID, slug)
	if err != nil {
		return nil, "", "", err
	}
	src, match := "", ""
	if f != nil {
		src, match = f.Source, f.Checksum
	}
	suite, _ := convtest.ParseFor(slug, []byte(src))
	name = uniqueName(cmp.Or(name, fmt.Sprintf("Dialog #%d", number)), suite.Tests)
	rec, err := convtest.CaseFrom(name, t)
	if err != nil {
		return nil, "", "", err
	}
	next, err := convtest.AppendTest([]byte(src), slug, rec.YAML)
	if err != nil {
		return nil, "", "", store.Errorf(store.ECONFLICT, "The test cannot be added to the file: %v.", err)
	}
	if len(next) > convtest.MaxFileSize {
		return nil, "", "", store.Errorf(store.ETOOLARGE, "With this test the file would be over %d bytes; remove some tests first.", convtest.MaxFileSize)
	}
	saved := &store.TestFile{ProjectID: caller.ProjectID, Slug: slug, Source: string(next), Author: caller.Name}
	if err := h.Store.SaveTestFile(ctx, saved, match); err != nil {
		return nil, "", "", err
	}
	return saved, name, rec.Stopped, nil
}

// uniqueName is name, or name (2), name (3), ... when a test has it.
func uniqueName(name string, tests []convtest.Case) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(tests, func(c convtest.Case) bool { return c.Name == n })
	}
	try := name
	for i := 2; taken(try); i++ {
		try = fmt.Sprintf("%s (%d)", name, i)
	}
	return try
}
