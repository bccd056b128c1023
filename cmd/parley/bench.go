//go:build !slim

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/metrics"
)

// benchFlow pauses at a question every turn and never calls out: the turn
// cost is the engine's own.
const benchFlow = `bot: bench
variables:
  text: { type: string }
  n: { type: integer, default: 0 }
nodes:
  ask:
    kind: question
    text: Say something.
    save: text
    next: count
  count:
    kind: set
    assign: { n: n + 1 }
    next: echo
  echo:
    kind: message
    text: "You said {{ text }} ({{ n }})."
    next: ask
`

// benchLLMFlow adds a model call (a loopback model with a fixed delay) to
// every turn.
const benchLLMFlow = `bot: bench
nodes:
  ask:
    kind: question
    text: Say something.
    next: answer
  answer:
    kind: llm
    next: ask
`

// benchKnowledge indexes dir's folders inline and returns the LLM flow
// searching them all every turn.
func benchKnowledge(ctx context.Context, lib *knowledge.Library, projectID int64, dir string, out io.Writer) (string, error) {
	inline := *lib
	inline.Start = nil // index before the bench starts
	stores := loadKnowledgeDir(ctx, &inline, projectID, dir, out)
	if len(stores) == 0 {
		return "", fmt.Errorf("%s has no folders of documents to index", dir)
	}
	var names []string
	for _, s := range stores {
		names = append(names, strings.Fields(s)[0])
	}
	fmt.Fprintf(out, "knowledge: %s\n", strings.Join(stores, ", "))
	return strings.Replace(benchLLMFlow, "kind: llm\n", "kind: llm\n    knowledge: ["+strings.Join(names, ", ")+"]\n", 1), nil
}

const bareQueue = "bench-bare"

// bareWorkflow is the baseline: a workflow whose update does nothing.
func bareWorkflow(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandler(ctx, "noop", func(ctx workflow.Context, s string) (string, error) { return s, nil }); err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

type benchConfig struct {
	dialogs   int
	peakFor   time.Duration
	loadFor   time.Duration
	think     time.Duration
	oneTurns  int
	persist   time.Duration
	perRun    int
	llmDelay  time.Duration
	knowledge string
	cpuProf   string
	memProf   string
	// paused, when set, measures that many dialogs paused at a question
	// instead (see benchEnv.paused), with the worker's sticky cache
	// bounded to stickyCache workflows.
	paused      int
	stickyCache int
}

// runBench starts the embedded stack in-process and measures turns over
// real HTTP next to bare Temporal updates under the same load.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := benchConfig{}
	fs.IntVar(&cfg.dialogs, "dialogs", 500, "concurrent dialogs")
	fs.DurationVar(&cfg.peakFor, "peak", 15*time.Second, "how long the peak throughput run lasts")
	fs.DurationVar(&cfg.loadFor, "load", 30*time.Second, "how long the realistic load lasts")
	fs.DurationVar(&cfg.think, "think", 5*time.Second, "mean think time of a user under the realistic load")
	fs.IntVar(&cfg.oneTurns, "turns", 300, "turns of the one-dialog latency run")
	fs.DurationVar(&cfg.persist, "persist-delay", 0, "engine PersistDelay (0: the default)")
	fs.IntVar(&cfg.perRun, "updates-per-run", 0, "engine UpdatesPerRun: turns before a dialog continues as new (0: the default)")
	fs.DurationVar(&cfg.llmDelay, "llm-delay", 0, "when set, every turn also asks a loopback model that answers after this delay")
	fs.StringVar(&cfg.knowledge, "knowledge", "", "with -llm-delay: index this directory's folders as vector stores and search them every turn (offline embedder)")
	fs.StringVar(&cfg.cpuProf, "cpuprofile", "", "write a CPU profile of the measurements (not the setup) to this file")
	fs.StringVar(&cfg.memProf, "memprofile", "", "write an allocation profile to this file at the end, and the goroutines to FILE.goroutines")
	fs.IntVar(&cfg.paused, "paused", 0, "instead: create this many dialogs paused at a question and report RSS, creation time and the first answer after eviction")
	fs.IntVar(&cfg.stickyCache, "sticky-cache", 2000, "with -paused: the worker's sticky workflow cache, in workflows")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := bench(context.Background(), &cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "parley bench: %v\n", err)
		return 1
	}
	return 0
}

// benchEnv is the running stack and the two things measured.
type benchEnv struct {
	url, key string
	tc       client.Client
	stages   *stageRecorder
	// webhook subscribes a loopback endpoint to every event and starts
	// delivering to it: how many deliveries it has received, and stop.
	webhook func(ctx context.Context) (received func() int64, stop func(), err error)
}

func bench(ctx context.Context, cfg *benchConfig, out io.Writer) error {
	data, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.paused > 0 {
		// Process-wide, and read when the first worker of the process
		// starts: that is one of the embedded server's own system workers,
		// so it must be set before the server starts.
		sdkworker.SetStickyWorkflowCacheSize(cfg.stickyCache)
	}
	ts, err := startDevTemporal(ctx, data, log)
	if err != nil {
		return err
	}
	defer ts.Stop()
	db, err := openStore(ctx, filepath.Join(data, "parley.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	// Metrics as in dev: the turn's path records them, and both the
	// dialogs and the bare workflows pay for the SDK's.
	m := metrics.New()
	defer m.Close()
	tc, err := dialTemporal(ts.HostPort(), ts.Namespace(), log, m)
	if err != nil {
		return err
	}
	defer tc.Close()
	boot, err := bootstrap(ctx, db, data)
	if err != nil {
		return err
	}
	bus := events.NewMemory() // as in dev
	defer bus.Close()
	db.OnEvents(events.Announce(bus))
	// The HTTP side sees a store and a client that time a turn's stages;
	// the worker below keeps the plain ones.
	timedDB := stagedStore{Store: db}
	svc := &dialogs.Service{Store: timedDB, Temporal: stagedClient{Client: tc}, Logger: log, Settings: engine.Settings{PersistDelay: cfg.persist, UpdatesPerRun: cfg.perRun}, Bus: bus, Metrics: m}
	flow := benchFlow
	if cfg.llmDelay > 0 {
		flow = benchLLMFlow
		model := llmtest.Start()
		defer model.Close()
		model.Delay(cfg.llmDelay)
		model.ReplyAlways("Noted.")
		os.Setenv(llm.EnvBaseURL, model.URL())
		os.Setenv("PARLEY_EMBEDDING_MODEL", "hash") // retrieval's own cost, not the model's
	}
	if os.Getenv("PARLEY_ROUTE_LIMITS") == "" {
		// The bench creates hundreds of dialogs a minute with one key: the
		// per-key budget of a real server would refuse them.
		os.Setenv("PARLEY_ROUTE_LIMITS", "dialogs=off")
	}
	lib, closeLib, err := newLibrary(ctx, db, tc, data)
	if err != nil {
		return err
	}
	defer closeLib()
	if cfg.llmDelay > 0 && cfg.knowledge != "" {
		if flow, err = benchKnowledge(ctx, lib, boot.projectID, cfg.knowledge, out); err != nil {
			return err
		}
	}
	if _, err := svc.Publish(ctx, boot.projectID, "bench", flow, "bench"); err != nil {
		return err
	}
	box, err := secretKey(data) // as in dev: the model calls go through the (empty) pool of AI tokens
	if err != nil {
		return err
	}
	w, err := startWorker(ctx, tc, db, bus, lib, m, box)
	if err != nil {
		return err
	}
	defer w.Stop()
	bw := sdkworker.New(tc, bareQueue, sdkworker.Options{})
	bw.RegisterWorkflowWithOptions(bareWorkflow, workflow.RegisterOptions{Name: "BenchBare"})
	if err := bw.Start(); err != nil {
		return err
	}
	defer bw.Stop()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hctx, stop := context.WithCancel(ctx)
	defer stop()
	h, err := newHandler(timedDB, svc, log, data, lib, ln.Addr(), nil)
	if err != nil {
		return err
	}
	stages := &stageRecorder{}
	go func() { _ = serveHTTP(hctx, ln, stages.handler(h)) }()
	env := &benchEnv{url: "http://" + ln.Addr().String(), key: boot.apiKey, tc: tc, stages: stages,
		webhook: func(ctx context.Context) (func() int64, func(), error) { return benchWebhook(ctx, db, boot.projectID) }}
	stopProfiles, err := startProfiles(cfg)
	if err != nil {
		return err
	}
	if cfg.paused > 0 {
		err = env.paused(ctx, *cfg, out)
	} else {
		err = env.run(ctx, *cfg, out)
	}
	if perr := stopProfiles(); err == nil {
		err = perr
	}
	return err
}

// startProfiles starts the CPU profile the flags ask for; the returned
// function stops it and writes the allocation profile.
func startProfiles(cfg *benchConfig) (func() error, error) {
	if cfg.cpuProf != "" {
		f, err := os.Create(cfg.cpuProf)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		stop := func() error { pprof.StopCPUProfile(); return f.Close() }
		return func() error { return errors.Join(stop(), writeMemProfile(cfg.memProf)) }, nil
	}
	return func() error { return writeMemProfile(cfg.memProf) }, nil
}

func writeMemProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close()); err != nil {
		return err
	}
	// The goroutines beside it, grouped by stack: what holds on to what.
	g, err := os.Create(path + ".goroutines")
	if err != nil {
		return err
	}
	return errors.Join(pprof.Lookup("goroutine").WriteTo(g, 1), g.Close())
}

// benchResult is the last line of `parley bench`.
type benchResult struct {
	Dialogs         int     `json:"dialogs"`
	Turns           int     `json:"turns"`
	P50             float64 `json:"p50_ms"`
	P99             float64 `json:"p99_ms"`
	UpdateP50       float64 `json:"update_p50_ms"`
	RatioP50        float64 `json:"ratio_p50"`
	TurnsPerS       float64 `json:"turns_per_s"`
	UpdateTurnsPerS float64 `json:"update_turns_per_s"`
	LoadTurnsPerS   float64 `json:"load_turns_per_s"`
	LoadP99         float64 `json:"load_p99_ms"`
	UpdateLoadP99   float64 `json:"update_load_p99_ms"`
	// (d) runs (b) again in windows by turns: WebhookTurnsPerS with a
	// webhook subscribed to every event, UnhookedTurnsPerS without;
	// WebhookShare is the first's share of the second.
	WebhookTurnsPerS  float64 `json:"webhook_turns_per_s"`
	UnhookedTurnsPerS float64 `json:"unhooked_turns_per_s"`
	WebhookShare      float64 `json:"webhook_share"`
}

func (e *benchEnv) run(ctx context.Context, cfg benchConfig, out io.Writer) error {
	res := benchResult{Dialogs: cfg.dialogs}
	fmt.Fprintf(out, "Creating %d dialogs and %d bare workflows...\n", cfg.dialogs, cfg.dialogs)
	ds, err := e.createDialogs(ctx, cfg.dialogs)
	if err != nil {
		return err
	}
	bares, err := e.startBare(ctx, cfg.dialogs)
	if err != nil {
		return err
	}

	// Every dialog's first turn is stored by its caller but acknowledged
	// only by its next message, so each workflow stores it again
	// PersistDelay after it was created: 500 writes due within seconds of
	// each other, which (a) would otherwise measure (see settle).
	e.settle(out, cfg)
	fmt.Fprintf(out, "(a) one dialog, %d turns one at a time...\n", cfg.oneTurns)
	e.stages.record(true)
	one, bareOne := e.alternate(ctx, ds[0], bares[0], cfg.oneTurns)
	e.stages.record(false)
	res.P50, res.P99, res.UpdateP50 = one.pct(50), one.pct(99), bareOne.pct(50)
	res.RatioP50 = round(res.P50 / res.UpdateP50)
	fmt.Fprintf(out, "    turn p50 %.1f ms, p99 %.1f ms; bare update p50 %.1f ms, p99 %.1f ms; ratio %.2f\n", res.P50, res.P99, res.UpdateP50, bareOne.pct(99), res.RatioP50)
	e.stages.breakdown(out, one, res.UpdateP50)

	fmt.Fprintf(out, "(b) %d dialogs sending as fast as replies come, %s each...\n", cfg.dialogs, cfg.peakFor)
	peak := e.closedLoop(ctx, ds, cfg.peakFor, 0, e.turn)
	barePeak := e.closedLoop(ctx, bares, cfg.peakFor, 0, e.bareUpdate)
	res.TurnsPerS, res.UpdateTurnsPerS = peak.rate(), barePeak.rate()
	fmt.Fprintf(out, "    %.0f turns/s (p99 %.0f ms, %d errors); bare updates %.0f/s (p99 %.0f ms)\n", res.TurnsPerS, peak.pct(99), peak.errors, res.UpdateTurnsPerS, barePeak.pct(99))

	e.settle(out, cfg)
	fmt.Fprintf(out, "(c) %d dialogs, users answering every %s on average, for %s...\n", cfg.dialogs, cfg.think, cfg.loadFor)
	load := e.openLoop(ctx, ds, cfg, e.turn)
	bareLoad := e.openLoop(ctx, bares, cfg, e.bareUpdate)
	res.LoadTurnsPerS, res.LoadP99, res.UpdateLoadP99 = load.rate(), load.pct(99), bareLoad.pct(99)
	fmt.Fprintf(out, "    %.0f turns/s, p99 %.0f ms (%d errors); bare updates p99 %.0f ms\n", res.LoadTurnsPerS, res.LoadP99, load.errors, res.UpdateLoadP99)

	e.settle(out, cfg)
	fmt.Fprintf(out, "(d) as (b), in %d windows of %s, half of them with a webhook subscribed to every event (a loopback receiver)...\n", len(webhookOrder), cfg.peakFor/2)
	hooked, unhooked, deliveries, err := e.webhookWindows(ctx, out, ds, cfg.peakFor)
	if err != nil {
		return err
	}
	res.WebhookTurnsPerS, res.UnhookedTurnsPerS = hooked.rate(), unhooked.rate()
	res.WebhookShare = round(res.WebhookTurnsPerS / res.UnhookedTurnsPerS)
	fmt.Fprintf(out, "    with the webhook %.0f turns/s (p99 %.0f ms, %d errors), without %.0f turns/s: %.0f%%; %d deliveries received\n",
		res.WebhookTurnsPerS, hooked.pct(99), hooked.errors, res.UnhookedTurnsPerS, 100*res.WebhookShare, deliveries)

	res.Turns = one.n() + peak.n() + load.n() + hooked.n() + unhooked.n()
	line, _ := json.Marshal(res)
	fmt.Fprintln(out, string(line))
	return nil
}

// webhookOrder is the order of (d)'s windows, true with the webhook: as
// many of each in every half, so a drift of the background work in either
// direction meets both alike.
var webhookOrder = []bool{false, true, true, false, true, false, false, true}

// webhookWindows is (d): after a warm-up it runs the closed loop of (b) in
// windows of total/2 each, in webhookOrder, without a webhook or with one
// subscribed to every event (a new one each time). Measured one after the
// other, the two met different background work (Temporal's, the deferred
// writes). It prints each window's rate and returns the windows with the
// webhook joined, those without, and the deliveries received.
func (e *benchEnv) webhookWindows(ctx context.Context, out io.Writer, ds []string, total time.Duration) (hooked, unhooked *samples, deliveries int64, err error) {
	window := total / 2
	e.closedLoop(ctx, ds, window/4, 0, e.turn) // every dialog sending before the first window
	hooked, unhooked = &samples{}, &samples{}
	fmt.Fprint(out, "    turns/s by window:")
	for _, withHook := range webhookOrder {
		if !withHook {
			s := e.closedLoop(ctx, ds, window, 0, e.turn)
			fmt.Fprintf(out, " %.0f", s.rate())
			unhooked.join(s)
			continue
		}
		received, stop, err := e.webhook(ctx)
		if err != nil {
			return nil, nil, 0, err
		}
		s := e.closedLoop(ctx, ds, window, 0, e.turn)
		stop()
		fmt.Fprintf(out, " %.0f*", s.rate())
		hooked.join(s)
		deliveries += received()
	}
	fmt.Fprintln(out, " (* with the webhook)")
	return hooked, unhooked, deliveries, nil
}

// settle waits until the dialogs of the last phase have stored their last
// unacknowledged turns (PersistDelay after they went quiet). All 500 went
// quiet at the same instant, which no real traffic does; without the wait
// their synchronized writes would land in the next measurement.
func (e *benchEnv) settle(out io.Writer, cfg benchConfig) {
	wait := cfg.persist
	if wait <= 0 {
		wait = engine.DefaultPersistDelay
	}
	wait += 5 * time.Second
	fmt.Fprintf(out, "    waiting %s for the deferred writes of that phase...\n", wait)
	time.Sleep(wait)
}

func round(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// samples collects latencies of one measurement.
type samples struct {
	mu     sync.Mutex
	lat    []time.Duration
	errors int
	// done counts the answers rate counts: every one, or for a closed
	// loop of a set duration those that came within it.
	done    int
	elapsed time.Duration
}

func (s *samples) add(d time.Duration, err error) { s.record(d, err, true) }

// record adds an answer's latency, counting it for rate if counted.
func (s *samples) record(d time.Duration, err error, counted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors++
		return
	}
	s.lat = append(s.lat, d)
	if counted {
		s.done++
	}
}

func (s *samples) n() int { return len(s.lat) }

// join adds another measurement's latencies, errors and time to s.
func (s *samples) join(o *samples) {
	s.lat = append(s.lat, o.lat...)
	s.errors += o.errors
	s.done += o.done
	s.elapsed += o.elapsed
}

// pct is the p-th percentile in milliseconds.
func (s *samples) pct(p float64) float64 {
	if len(s.lat) == 0 {
		return 0
	}
	sorted := slices.Clone(s.lat)
	slices.Sort(sorted)
	i := min(len(sorted)-1, int(float64(len(sorted))*p/100))
	return round(float64(sorted[i].Microseconds()) / 1000)
}

func (s *samples) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return round(float64(s.done) / s.elapsed.Seconds())
}

type turnFunc func(ctx context.Context, id string, i int) error

// alternate sends a turn to one dialog and a bare update to one workflow
// by turns, n of each, so both meet the same background work (the
// workflows just started, the deferred writes); measured one after the
// other, whichever ran first paid for it.
func (e *benchEnv) alternate(ctx context.Context, dialog, bare string, n int) (turns, bares *samples) {
	turns, bares = &samples{}, &samples{}
	for i := range n {
		t := time.Now()
		err := e.turn(ctx, dialog, i)
		turns.add(time.Since(t), err)
		t = time.Now()
		err = e.bareUpdate(ctx, bare, i)
		bares.add(time.Since(t), err)
	}
	return turns, bares
}

// closedLoop has every target send its next request as soon as the last
// one answered, for a duration or a number of turns. For a duration its
// rate counts the answers that came within it: under 500 dialogs a few
// requests take seconds (p99 up to 17 s on the 2-core box, bare updates
// alike), and waiting for them would stretch the time it divides by and
// halve the rate of a run that did the same work. Their latencies still
// count.
func (e *benchEnv) closedLoop(ctx context.Context, ids []string, d time.Duration, turns int, do turnFunc) *samples {
	s := &samples{}
	start := time.Now()
	var wg sync.WaitGroup
	var count atomic.Int64
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if (d > 0 && time.Since(start) > d) || (turns > 0 && count.Add(1) > int64(turns)) {
					return
				}
				t := time.Now()
				err := do(ctx, id, i)
				s.record(time.Since(t), err, d <= 0 || time.Since(start) <= d)
			}
		}()
	}
	wg.Wait()
	s.elapsed = time.Since(start)
	if d > 0 {
		s.elapsed = d
	}
	return s
}
