package convtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
	"github.com/parleyhq/parley/worker"
)

// Failure is one expectation that did not hold.
type Failure struct {
	Test string
	Line int
	// Step is the failing step's index in its test, from 0; -1 for a
	// failure of the whole test (its workflow failed, its time ran out).
	Step int
	// Node is the node concerned: the one that said the first message
	// that differs, else where the dialog was (waiting) when the step was
	// checked; "" when not known.
	Node    string
	Message string
	// Expected and Got are the values compared, for a failure that is a
	// mismatch of values (as JSON would read them); nil otherwise.
	Expected, Got any
}

func (f Failure) String() string { return fmt.Sprintf("%d: %s: %s", f.Line, f.Test, f.Message) }

// Result is the outcome of a suite.
type Result struct {
	Passed   int
	Failures []Failure
	Cases    []CaseResult // in the suite's order
}

// CaseResult is the outcome of one test.
type CaseResult struct {
	Name     string
	Line     int
	Duration time.Duration // wall clock
	Failures []Failure     // none when it passed
}

// startTime is where every test's clock starts, so `now()` is repeatable.
var startTime = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Run runs every test of the suite, each in its own time-skipping
// environment, against a fresh SQLite store in a temporary directory.
func Run(ctx context.Context, s *Suite) (*Result, error) {
	dir, err := os.MkdirTemp("", "parley-convtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "parley.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	project, bot, err := publishAll(ctx, db, s)
	if err != nil {
		return nil, err
	}
	lib, err := indexAll(ctx, db, filepath.Join(dir, "files"), project, s.Knowledge)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	res := &Result{}
	for _, c := range s.Tests {
		began := time.Now()
		var failures []Failure
		if err := ctx.Err(); err != nil {
			failures = []Failure{{Test: c.Name, Line: c.Line, Step: -1, Message: "not run: the run was stopped before this test"}}
		} else if failures, err = runCase(ctx, db, lib, project, bot, c, s.Timeout); err != nil {
			if ctx.Err() == nil {
				return nil, fmt.Errorf("%s: test %q: %w", s.Path, c.Name, err)
			}
			failures = []Failure{{Test: c.Name, Line: c.Line, Step: -1, Message: "the run was stopped during this test"}}
		}
		if len(failures) == 0 {
			res.Passed++
		}
		res.Failures = append(res.Failures, failures...)
		res.Cases = append(res.Cases, CaseResult{Name: c.Name, Line: c.Line, Duration: time.Since(began), Failures: failures})
	}
	return res, nil
}

// publishAll validates and publishes the suite's bot files into a new
// project and returns it with the bot under test.
func publishAll(ctx context.Context, db store.Store, s *Suite) (int64, *store.Bot, error) {
	org, err := db.CreateOrganization(ctx, "Tests")
	if err != nil {
		return 0, nil, err
	}
	project, err := db.CreateProject(ctx, org.ID, "Tests")
	if err != nil {
		return 0, nil, err
	}
	var main *store.Bot
	files, err := s.read()
	if err != nil {
		return 0, nil, err
	}
	for _, f := range files {
		path, src := f.path, f.src
		flow, problems := nodes.Load(path, src)
		if problems.HasErrors() {
			return 0, nil, fmt.Errorf("%s is not valid:\n%v", path, problems.Errors())
		}
		pub, err := db.PublishFlow(ctx, store.Publish{ProjectID: project.ID, Slug: flow.Bot, Name: flow.Name, Source: string(src), Author: "parley test"})
		if err != nil {
			return 0, nil, err
		}
		if main == nil {
			main = pub.Bot
		}
	}
	if main == nil {
		return 0, nil, fmt.Errorf("%s has no bot file", s.Path)
	}
	if s.Bot != "" && s.Bot != main.Slug {
		return 0, nil, fmt.Errorf("%s: `bot: %s` does not match %s, which defines bot %q", s.Path, s.Bot, files[0].path, main.Slug)
	}
	return project.ID, main, nil
}

type botFile struct {
	path string
	src  []byte
}

// read returns the suite's bot files: Files from disk, then Sources.
func (s *Suite) read() ([]botFile, error) {
	var out []botFile
	for _, path := range s.Files {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, botFile{path, src})
	}
	for i, src := range s.Sources {
		out = append(out, botFile{fmt.Sprintf("source %d", i+1), []byte(src)})
	}
	return out, nil
}

// TestTitle is the title the test model gives every dialog.
const TestTitle = "A test conversation"

// indexAll indexes the suite's documents into vector stores of the
// project, with the offline embedder, and fails on a document that does
// not index.
func indexAll(ctx context.Context, db store.Store, files string, projectID int64, stores map[string][]string) (*knowledge.Library, error) {
	lib := &knowledge.Library{Store: db, Index: knowledge.NewStoreIndex(db), Embedder: knowledge.NewHashEmbedder(knowledge.DefaultHashDim), Blobs: blobs.Dir(files)}
	for _, name := range slices.Sorted(maps.Keys(stores)) {
		vs, err := lib.StoreNamed(ctx, projectID, name)
		if err != nil {
			return nil, err
		}
		for _, path := range stores[name] {
			if err := addDocument(ctx, lib, vs, path); err != nil {
				return nil, err
			}
		}
	}
	return lib, nil
}

func addDocument(ctx context.Context, lib *knowledge.Library, vs *store.VectorStore, path string) error {
	added, err := lib.AddLocalFile(ctx, vs, path)
	if err != nil {
		return err
	}
	if added.Status != store.FileProcessed {
		return fmt.Errorf("%s did not index: %s", path, added.Error)
	}
	return nil
}

// quietLogger drops the test environment's logs.
var quietLogger = log.NewStructuredLogger(slog.New(slog.DiscardHandler))

// runCase plays one test: each step runs a second after the previous one
// (plus its `after`); 3 ms later the block services called meanwhile send
// their messages and completions; at 10 ms the expectations are checked
// against what was stored.
// A timeout above 0 bounds the test's wall-clock time: a test still
// running then fails and is stopped.
func runCase(ctx context.Context, db store.Store, lib *knowledge.Library, projectID int64, bot *store.Bot, c Case, timeout time.Duration) ([]Failure, error) {
	version, err := db.FlowVersion(ctx, bot.ID, bot.CurrentVersion)
	if err != nil {
		return nil, err
	}
	d := &store.Dialog{ProjectID: projectID, Source: "test", DialogState: store.DialogState{BotID: bot.ID, Version: version.Version, Status: store.StatusCreated, Mode: store.ModeAuto, Variables: c.Variables}}
	if err := db.CreateDialog(ctx, d); err != nil {
		return nil, err
	}
	suite := &testsuite.WorkflowTestSuite{}
	suite.SetLogger(quietLogger)
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(startTime)
	var deadline time.Time
	if timeout > 0 {
		env.SetTestTimeout(timeout) // the longest nothing may happen (an activity that never returns)
		deadline = time.Now().Add(timeout)
	}
	svc := &services{mocks: c.Mocks, calls: map[string]int{}}
	acts := &worker.Activities{Store: db, Transport: svc, Knowledge: lib}
	if c.LLM != nil {
		model := llmtest.Start() // an OpenAI-compatible server on loopback
		defer model.Close()
		for _, reply := range c.LLM {
			if reply.Tool != "" {
				model.ReplyToolCall(reply.Tool, reply.Arguments)
			} else {
				model.Reply(reply.Text)
			}
		}
		model.ReplyWhenSystem(worker.TitleInstruction, TestTitle)
		acts.LLM = llm.NewOpenAI(model.URL(), "")
	}
	worker.Register(env, acts)
	p := &player{ctx: ctx, db: db, env: env, dialog: d, test: c.Name, svc: svc, deadline: deadline, timeout: timeout}
	at := time.Duration(0)
	for i := range c.Steps {
		st := &c.Steps[i]
		st.index = i
		at += time.Second + st.after
		env.RegisterDelayedCallback(func() { p.act(st) }, at)
		env.RegisterDelayedCallback(func() { p.serve(st) }, at+3*time.Millisecond)
		last := i == len(c.Steps)-1
		env.RegisterDelayedCallback(func() { p.checkWhenDone(st, last, 0, time.Time{}) }, at+10*time.Millisecond)
	}
	if len(c.Steps) == 0 {
		env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
	}
	params := engine.Params{
		ProjectID: projectID, DialogID: d.ID, DialogUUID: d.UUID, Number: d.Number, Source: "test",
		Flow:      engine.FlowRef{BotID: bot.ID, Slug: bot.Slug, Version: version.Version, Source: version.Source},
		Variables: c.Variables, Start: c.Start == nil || *c.Start,
		// Expectations read the store, so turns are stored right away.
		Settings: engine.Settings{PersistDelay: time.Millisecond},
	}
	if err := execute(env, params); err != nil && !temporal.IsCanceledError(err) {
		var stuck *stuckError
		if errors.As(err, &stuck) {
			p.stopped = true // what was stored is not worth checking
		}
		p.failures = append(p.failures, Failure{Test: c.Name, Line: c.Line, Step: -1, Node: p.node, Message: stoppedBecause(err, timeout)})
	}
	p.finish(c.Steps)
	return p.failures, nil
}

// execute runs the dialog's workflow to its end and returns its error. The
// environment panics when nothing happens for its test timeout; that is
// an error here, so one stuck test never takes its caller down.
func execute(env *testsuite.TestWorkflowEnvironment, params engine.Params) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &stuckError{fmt.Sprint(r)}
		}
	}()
	env.ExecuteWorkflow(engine.WorkflowName, params)
	return env.GetWorkflowError()
}

// stuckError is a test environment that gave up waiting.
type stuckError struct{ msg string }

func (e *stuckError) Error() string { return e.msg }

// stoppedBecause says why a test's workflow ended in error.
func stoppedBecause(err error, timeout time.Duration) string {
	var stuck *stuckError
	if !errors.As(err, &stuck) {
		return fmt.Sprintf("the dialog workflow failed: %v", err)
	}
	if strings.HasPrefix(stuck.msg, "test timeout") {
		return fmt.Sprintf("the test was stopped: nothing happened for %s (a call that never answered?)", timeout)
	}
	msg, _, _ := strings.Cut(stuck.msg, "\n")
	return "the test was stopped: " + msg
}
