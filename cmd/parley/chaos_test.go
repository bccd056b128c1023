//go:build !slim

package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/store/postgres/pgtest"
)

// The kill loop (issue 15): dialogs that wait in every way Parley keeps
// across a crash (a block's service, a `wait` node, a question's timeout,
// a model calling a tool, an operator) are driven by concurrent clients
// while processes are SIGKILLed at random. The clients retry what a kill
// cut off, as real ones do: a message with its client_message_id, an
// operator's message with its own. In the end every dialog must hold its
// transcript with each message once, the block service must have been
// given one token per attempt, and every message's message.created must
// have reached the webhook receiver under one webhook-id.
//
// CHAOS_KILLS (default 20) and CHAOS_DIALOGS (default 100) size it;
// `make soak` runs 200 kills.

// chaosSetup is the processes a kill loop runs and kills.
type chaosSetup interface {
	urls() []string           // the API's base URLs
	kill(t *testing.T) string // SIGKILLs one process, starts it again and names it
	logs() string
}

type chaosRun struct {
	setup    chaosSetup
	svc      *chaosServices
	key      string
	dialogs  int
	kills    int
	next     atomic.Int64 // round-robin over the API's URLs
	mu       sync.Mutex
	ids      []string // the dialogs, by client
	problems []string // invariant violations
	retries  atomic.Int64
}

func chaosSize(t *testing.T, env string, def int) int {
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", env, v)
	}
	return n
}

func (c *chaosRun) url() string {
	urls := c.setup.urls()
	return urls[int(c.next.Add(1))%len(urls)]
}

func (c *chaosRun) violation(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// call sends a request until it gets an answer below 500: a kill makes
// the connection fail or a dying process answer 5xx, and the client
// tries again (on another API process, where there are several).
func (c *chaosRun) call(ctx context.Context, method, path string, body any) (int, map[string]any) {
	return c.callWith(ctx, method, path, nil, body)
}

// callWith is call with more headers.
func (c *chaosRun) callWith(ctx context.Context, method, path string, header http.Header, body any) (int, map[string]any) {
	data, _ := json.Marshal(body)
	for attempt := 0; ctx.Err() == nil; attempt++ {
		if attempt > 0 {
			c.retries.Add(1)
			time.Sleep(time.Duration(min(attempt, 10)) * 100 * time.Millisecond)
		}
		req, _ := http.NewRequestWithContext(ctx, method, c.url()+path, bytes.NewReader(data))
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set("Authorization", "Bearer "+c.key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode < 500 {
			return resp.StatusCode, out
		}
	}
	return 0, nil
}

// view is the dialog as GET /v1/dialogs/{id} shows it.
func (c *chaosRun) view(ctx context.Context, id string) map[string]any {
	_, v := c.call(ctx, "GET", "/v1/dialogs/"+id, nil)
	return v
}

// waitFor polls the dialog until ok holds.
func (c *chaosRun) waitFor(ctx context.Context, id, what string, ok func(map[string]any) bool) bool {
	for ctx.Err() == nil {
		if v := c.view(ctx, id); v != nil && ok(v) {
			return true
		}
		time.Sleep(150 * time.Millisecond)
	}
	c.violation("dialog %s: never %s", id, what)
	return false
}

func lastText(v map[string]any) string {
	msgs, _ := v["messages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	text, _ := msgs[len(msgs)-1].(map[string]any)["text"].(string)
	return text
}

// client drives dialog number i from its start to its end.
func (c *chaosRun) client(ctx context.Context, i int) {
	name := fmt.Sprintf("U%d", i)
	// The key makes a create retried after a kill answer the first dialog.
	key := http.Header{"Idempotency-Key": {fmt.Sprintf("chaos-%d", i)}}
	status, created := c.callWith(ctx, "POST", "/v1/bots/chaos/dialogs", key, map[string]any{})
	if status != http.StatusCreated {
		c.violation("client %d: creating a dialog: %d %v", i, status, created)
		return
	}
	id := created["id"].(string)
	c.mu.Lock()
	c.ids[i] = id
	c.mu.Unlock()
	step := func(what string, status int, out map[string]any) bool {
		if status != http.StatusOK {
			c.violation("dialog %s: %s: %d %v", id, what, status, out)
			return false
		}
		return true
	}
	if s, out := c.call(ctx, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": name, "client_message_id": "name"}); !step("the name", s, out) {
		return
	}
	if !c.waitFor(ctx, id, "asked for more", func(v map[string]any) bool { return lastText(v) == "Anything else, "+name+"?" }) {
		return
	}
	if s, out := c.call(ctx, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": "A human, please.", "client_message_id": "more"}); !step("asking for a human", s, out) {
		return
	}
	if !c.operator(ctx, id, name) {
		return
	}
	c.waitFor(ctx, id, "completed", func(v map[string]any) bool { return v["status"] == "completed" })
}

// operator takes the dialog, writes and releases it. A take or release
// whose answer a kill lost is 409 when tried again; the dialog then shows
// that it happened.
func (c *chaosRun) operator(ctx context.Context, id, name string) bool {
	act := func(action string, extra map[string]any, done func(map[string]any) bool) bool {
		body := map[string]any{"action": action, "operator": "Kate"}
		for k, v := range extra {
			body[k] = v
		}
		status, out := c.call(ctx, "POST", "/v1/dialogs/"+id+"/operator", body)
		if status == http.StatusOK {
			return true
		}
		if status == http.StatusConflict {
			// The first try's answer was lost; what it did reaches the
			// store once the workflow stores it, which waits for a
			// worker when the kill took the one storing it.
			return c.waitFor(ctx, id, action+" done after a 409", done)
		}
		c.violation("dialog %s: operator %s: %d %v", id, action, status, out)
		return false
	}
	handoff := func(v map[string]any) map[string]any { h, _ := v["handoff"].(map[string]any); return h }
	if !c.waitFor(ctx, id, "handed off", func(v map[string]any) bool { return handoff(v)["status"] == "requested" }) {
		return false
	}
	return act("take", nil, func(v map[string]any) bool { return handoff(v)["status"] == "active" }) &&
		act("message", map[string]any{"text": "Hi " + name + ", this is Kate.", "client_message_id": "kate-1"}, func(map[string]any) bool { return false }) &&
		act("release", nil, func(v map[string]any) bool { return v["status"] == "completed" || lastText(v) == "Bye "+name+"." })
}

// runChaos starts the dialogs spread over the kill loop, kills, waits for
// every dialog and delivery, and checks the invariants.
func runChaos(t *testing.T, name string, setup chaosSetup, svc *chaosServices, key string) {
	c := &chaosRun{setup: setup, svc: svc, key: key, dialogs: chaosSize(t, "CHAOS_DIALOGS", 100), kills: chaosSize(t, "CHAOS_KILLS", 20)}
	c.ids = make([]string, c.dialogs)
	// Each dialog gets 3 minutes after the last kill: a call cut off by
	// a kill is retried once its start-to-close timeout (35 s for a block
	// or tool, a 30 s heartbeat for a model call) has passed.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	start := time.Now()
	var clients sync.WaitGroup
	started := 0
	startUpTo := func(n int) {
		for ; started < n; started++ {
			clients.Add(1)
			go func(i int) { defer clients.Done(); c.client(ctx, i) }(started)
		}
	}
	killed := map[string]int{}
	for k := range c.kills {
		startUpTo(c.dialogs * k / c.kills)
		time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
		killed[setup.kill(t)]++
	}
	startUpTo(c.dialogs)
	lastKill := time.Now()
	stop := time.AfterFunc(3*time.Minute, cancel)
	clients.Wait()
	settled := time.Since(lastKill)
	if !stop.Stop() {
		ctx = t.Context() // the check reads the dialogs as they are
	}
	messages, deliveries := c.check(ctx)
	svc.mu.Lock()
	svc.errs, c.problems = nil, append(c.problems, svc.errs...)
	repeated, blockCalls := 0, 0
	for _, tokens := range svc.tokens {
		for _, n := range tokens {
			blockCalls += n
			repeated += n - 1
		}
	}
	toolCalls, toolRepeats, toolKeys := 0, 0, 0
	for _, keys := range svc.tools {
		for _, n := range keys {
			toolCalls += n
			toolRepeats += n - 1
		}
		toolKeys += len(keys)
	}
	hookMsgs := svc.hookMsgs
	svc.mu.Unlock()
	var kills []string
	for what, n := range killed {
		kills = append(kills, fmt.Sprintf("%s %d", what, n))
	}
	t.Logf("CHAOS %s: %d kills (%s) survived; %d dialogs, %d messages, %d violations; "+
		"block calls %d (%d repeated with the same token), url tool calls %d (%d repeated with the same key, %d keys for %d orders), message.created deliveries %d for %d messages; "+
		"client retries %d; all done %.1fs after the last kill, %.0fs in all",
		name, c.kills, strings.Join(kills, ", "), c.dialogs, messages, len(c.problems), blockCalls, repeated, toolCalls, toolRepeats, toolKeys, len(svc.tools),
		hookMsgs, deliveries, c.retries.Load(), settled.Seconds(), time.Since(start).Seconds())
	for i, p := range c.problems {
		if i == 20 {
			t.Errorf("... and %d more", len(c.problems)-20)
			break
		}
		t.Errorf("violation: %s", p)
	}
}

// check compares each dialog with its transcript and waits for the
// webhook receiver to have every message; it returns the messages stored
// and those delivered.
func (c *chaosRun) check(ctx context.Context) (messages, delivered int) {
	type msg struct{ dialog, id string }
	var all []msg
	clients := 0
	for i, id := range c.ids {
		if id == "" {
			continue
		}
		clients++
		v := c.view(ctx, id)
		want := chaosTranscript(fmt.Sprintf("U%d", i))
		if got := transcript(v); got != want {
			c.violation("dialog %s (%v): transcript\n  %s\nwant\n  %s", id, v["status"], got, want)
		}
		for _, m := range v["messages"].([]any) {
			all = append(all, msg{id, m.(map[string]any)["id"].(string)})
		}
		c.svc.mu.Lock()
		if n := len(c.svc.tokens[id]); n != 1 {
			c.violation("dialog %s: the block service got %d tokens for its one attempt", id, n)
		}
		c.svc.mu.Unlock()
	}
	if n := c.stored(ctx); n != clients {
		c.violation("the project has %d dialogs for %d clients: a create retried after a kill made another", n, clients)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for _, m := range all {
		for {
			ok, ids := c.svc.delivered(m.dialog, m.id)
			if ok {
				delivered++
				if ids > 1 {
					c.violation("dialog %s: message %s was delivered under %d webhook-ids", m.dialog, m.id, ids)
				}
				break
			}
			if time.Now().After(deadline) {
				c.violation("dialog %s: message %s never reached the webhook receiver", m.dialog, m.id)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return len(all), delivered
}

// stored counts the project's dialogs, a page at a time.
func (c *chaosRun) stored(ctx context.Context) int {
	n, cursor := 0, ""
	for {
		_, page := c.call(ctx, "GET", "/v1/dialogs?limit=100&cursor="+url.QueryEscape(cursor), nil)
		list, _ := page["dialogs"].([]any)
		n += len(list)
		if cursor, _ = page["next_cursor"].(string); cursor == "" {
			return n
		}
	}
}

// devChaos is `parley dev` on SQLite: one process, killed whole.
type devChaos struct {
	dev                  *devProcess
	data, flowsDir, addr string
}

func (d *devChaos) urls() []string { return []string{d.dev.url} }
func (d *devChaos) logs() string   { return d.dev.logs.String() }
func (d *devChaos) kill(t *testing.T) string {
	d.dev.kill(t)
	d.dev = startDev(t, d.data, d.flowsDir, d.addr)
	return "parley dev"
}

// TestChaosDev is the kill loop on `parley dev`: SQLite and the embedded
// Temporal server, killed with everything else.
func TestChaosDev(t *testing.T) {
	if testing.Short() {
		t.Skip("the kill loop starts parley dev many times; skipped with -short")
	}
	setup := &devChaos{data: t.TempDir(), flowsDir: t.TempDir(), addr: freeAddr(t)}
	svc := newChaosServices(t, func() string { return "http://" + setup.addr })
	t.Setenv("PARLEY_ALLOW_PRIVATE_URLS", "127.0.0.1")
	t.Setenv("PARLEY_ROUTE_LIMITS", "dialogs=off") // one key creates them all, faster than a real client would
	t.Setenv("PARLEY_WEBHOOK_LEASE", "2s")
	t.Setenv("PARLEY_LLM_BASE_URL", svc.model.URL())
	setup.dev = startDev(t, setup.data, setup.flowsDir, setup.addr)
	setup.dev.call(t, "PUT", "/v1/bots/chaos/flow", rawYAML(fmt.Sprintf(chaosFlow, svc.URL)))
	setup.dev.call(t, "POST", "/v1/webhooks", map[string]any{"url": svc.URL + "/hook", "events": []string{"message.created"}})
	runChaos(t, "parley dev", setup, svc, crashKey)
}

// syncBuffer is the logs of several processes at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// clusterChaos is the production shape on one machine: `parley temporal`,
// two `parley serve` and two `parley worker` on PostgreSQL. Workers are
// killed four times as often as serve processes; Temporal is not killed.
type clusterChaos struct {
	env     []string
	out     *syncBuffer
	serves  []*exec.Cmd
	addrs   []string
	workers []*exec.Cmd
	kills   int
}

func (c *clusterChaos) urls() []string {
	out := make([]string, len(c.addrs))
	for i, a := range c.addrs {
		out[i] = "http://" + a
	}
	return out
}

func (c *clusterChaos) logs() string { return c.out.String() }

// newCluster starts `parley temporal` and readies the environment of the
// serves and workers (none started yet) of a cluster on PostgreSQL at
// dbURL, with more settings in extra.
func newCluster(t *testing.T, dbURL string, serves, workers int, extra ...string) *clusterChaos {
	t.Helper()
	c := &clusterChaos{out: &syncBuffer{}, serves: make([]*exec.Cmd, serves), workers: make([]*exec.Cmd, workers)}
	for range serves {
		c.addrs = append(c.addrs, freeAddr(t))
	}
	temporalAddr := freeAddr(t)
	_, port, _ := net.SplitHostPort(temporalAddr)
	secret := make([]byte, 32)
	_, _ = crand.Read(secret)
	c.env = append(append(os.Environ(), "PARLEY_TEST_AS_PARLEY=1", "PARLEY_DATABASE_URL="+dbURL,
		"PARLEY_TEMPORAL_ADDRESS="+temporalAddr, "PARLEY_DATA="+t.TempDir(),
		"PARLEY_SECRET_KEY="+base64.StdEncoding.EncodeToString(secret), "PARLEY_ROUTE_LIMITS=dialogs=off"), extra...)
	c.start(t, "temporal", "--data", t.TempDir(), "--port", port)
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(c.out.String(), "Temporal is serving"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("parley temporal did not start:\n%s", c.out)
		}
	}
	return c
}

// start starts `parley args...` with the cluster's environment.
func (c *clusterChaos) start(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.env, c.out, c.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

func (c *clusterChaos) startServe(t *testing.T, i int) {
	c.serves[i] = c.start(t, "serve", "--addr", c.addrs[i])
	waitHealthy(t, &apiProcess{url: "http://" + c.addrs[i], logs: &bytes.Buffer{}})
}

func (c *clusterChaos) kill(t *testing.T) string {
	c.kills++
	if c.kills%5 == 0 {
		i := rand.IntN(len(c.serves))
		_ = c.serves[i].Process.Signal(syscall.SIGKILL)
		_ = c.serves[i].Wait()
		c.startServe(t, i)
		return "parley serve"
	}
	i := rand.IntN(len(c.workers))
	_ = c.workers[i].Process.Signal(syscall.SIGKILL)
	_ = c.workers[i].Wait()
	c.workers[i] = c.start(t, "worker")
	return "parley worker"
}

// TestChaosCluster is the kill loop on the production shape: serve and
// worker processes on PostgreSQL sharing one `parley temporal`.
func TestChaosCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("the kill loop starts processes many times; skipped with -short")
	}
	dbURL := pgtest.URL(t)
	key := seedProject(t, dbURL)
	var c *clusterChaos
	svc := newChaosServices(t, func() string { return c.urls()[rand.IntN(len(c.addrs))] })
	c = newCluster(t, dbURL, 2, 2, "PARLEY_ALLOW_PRIVATE_URLS=127.0.0.1", "PARLEY_WEBHOOK_LEASE=2s", "PARLEY_LLM_BASE_URL="+svc.model.URL())
	for i := range c.workers {
		c.workers[i] = c.start(t, "worker")
	}
	for i := range c.serves {
		c.startServe(t, i)
	}
	api := &apiProcess{url: c.urls()[0], key: key, logs: &bytes.Buffer{}}
	api.call(t, "PUT", "/v1/bots/chaos/flow", rawYAML(fmt.Sprintf(chaosFlow, svc.URL)))
	api.call(t, "POST", "/v1/webhooks", map[string]any{"url": svc.URL + "/hook", "events": []string{"message.created"}})
	runChaos(t, "serve x2 + worker x2 on PostgreSQL", c, svc, key)
}
