package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
	parleyworker "github.com/parleyhq/parley/worker"
)

// The worker's side of the secret sweep: activities that handle secrets
// run while the sweep listens, against loopback services that say what
// they were given, so a secret the worker logs, stores or streams is
// caught, and the sweep fails if they did not run (a check of logs no
// secret passed through proves nothing).
//
//   - a block call: the worker mints a block token and POSTs it to the
//     block service; each token the service gets is a planted secret from
//     then on;
//   - a model call: an llm node asks the loopback model with the planted
//     AI token's key (the installation's token pool, as the worker runs it
//     when PARLEY_SECRET_KEY is set), and its answer streams as text
//     deltas;
//   - webhook deliveries: a dispatcher, as every worker process runs one,
//     signs the planted webhook's deliveries with both its planted
//     secrets and the planted Worken endpoint's with its own; what the
//     receiver gets is read too.

// sweepBot asks an order number, looks it up with a block service, then
// chats with the model: from the next user message on, each is answered
// by the model. %s is the block service's URL.
const sweepBot = `bot: sweep
name: Sweep
settings:
  ai:
    model: { id: sweep-model }
variables:
  order: { type: string }
  found: { type: object }
nodes:
  ask:
    kind: question
    text: Your order number?
    save: order
    next: lookup
  lookup:
    kind: block
    url: %s/lookup
    wait: false
    save: found
    on_error: chat
    next: chat
  chat:
    kind: llm
    instruction: Say where the parcel is.
    converse: true
`

// modelAnswer is what the loopback model answers every chat.
const modelAnswer = "Your parcel left the warehouse today."

// loopback is the outbound policy of the sweep's own calls.
var loopback = netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

// sweepWorker is the loopback services the worker calls, and what they got.
type sweepWorker struct {
	model  *llmtest.Server
	gate   *gatedModel
	blocks *httptest.Server
	hooks  *httptest.Server

	mu         sync.Mutex
	tokens     []string    // block tokens received, in order
	absorbed   int         // of tokens, those planted already
	deliveries []delivered // webhook deliveries received
}

type delivered struct {
	header http.Header
	body   []byte
}

// gatedModel is the worker's model: the installation's AI token pool
// once the sweep sets it and opens the gate, else none (Activities.model
// then says no model is configured). The matrix's cells run with it
// closed, as TestAccessMatrix's do.
type gatedModel struct {
	open atomic.Bool
	pool atomic.Pointer[llm.Pool]
}

var _ llm.Provider = (*gatedModel)(nil)

func (g *gatedModel) Configured(ctx context.Context) bool {
	p := g.pool.Load()
	return g.open.Load() && p != nil && p.Configured(ctx)
}

func (g *gatedModel) Chat(ctx context.Context, req llm.ChatRequest, onDelta func(string)) (*llm.ChatResponse, error) {
	if p := g.pool.Load(); p != nil && g.open.Load() {
		return p.Chat(ctx, req, onDelta)
	}
	return nil, errors.New("the sweep's model is closed")
}

func (g *gatedModel) Embed(ctx context.Context, model string, inputs []string) ([][]float32, error) {
	if p := g.pool.Load(); p != nil && g.open.Load() {
		return p.Embed(ctx, model, inputs)
	}
	return nil, errors.New("the sweep's model is closed")
}

// newSweepWorker starts the loopback services; they stop when the test
// ends.
func newSweepWorker(t testing.TB, model *llmtest.Server) *sweepWorker {
	w := &sweepWorker{model: model, gate: &gatedModel{}}
	model.ReplyAlways(modelAnswer)
	w.blocks = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var body struct{ Token string }
		data, _ := io.ReadAll(r.Body)
		if json.Unmarshal(data, &body) == nil && body.Token != "" {
			w.mu.Lock()
			w.tokens = append(w.tokens, body.Token)
			w.mu.Unlock()
		}
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprint(rw, `{"status": "shipped"}`)
	}))
	t.Cleanup(w.blocks.Close)
	w.hooks = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.deliveries = append(w.deliveries, delivered{r.Header.Clone(), data})
		w.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(w.hooks.Close)
	return w
}

// absorb plants the block tokens the service got since the last call.
func (s *sweep) absorb() {
	w := s.w
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, token := range w.tokens[w.absorbed:] {
		if len(token) >= 8 {
			s.secrets[token] = planted{what: "a block token"}
		}
	}
	w.absorbed = len(w.tokens)
}

// startModel makes the worker's model the installation's AI token pool,
// whose tokens call the loopback model (the planted one names it as its
// base_url; one added without a base_url would call it too).
func (s *sweep) startModel() {
	e := s.m.e
	s.w.gate.pool.Store(llm.NewPool(&parleyworker.AITokenKeys{Store: e.Store, Box: e.Secrets, BaseURL: s.w.model.URL(), Policy: loopback}, nil))
}

// converse runs the sweep bot once before the matrix's cells: a dialog
// whose answer makes the worker call the block service (a token to plant
// before any answer is read) and the model with the planted AI key.
func (s *sweep) converse() {
	m := s.m
	s.w.gate.open.Store(true)
	defer s.w.gate.open.Store(false)
	m.must(m.ownerReq("PUT", "/v1/bots/sweep/flow", "application/yaml", fmt.Sprintf(sweepBot, s.w.blocks.URL)), http.StatusOK)
	r := m.must(m.ownerReq("POST", "/v1/bots/sweep/dialogs", "application/json", `{"start": true}`), http.StatusCreated)
	id := jsonString(r["id"])
	m.must(m.ownerReq("POST", "/v1/dialogs/"+id+"/messages", "application/json", `{"text": "order 42"}`), http.StatusOK)     // the block call
	m.must(m.ownerReq("POST", "/v1/dialogs/"+id+"/messages", "application/json", `{"text": "Where is it?"}`), http.StatusOK) // the model
	// The model answers after the turn: wait for its answer.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := m.send(m.ownerReq("GET", "/v1/dialogs/"+id, "", ""))
		if bytes.Contains(body, []byte(modelAnswer)) {
			break
		}
		if time.Now().After(deadline) {
			m.t.Errorf("the sweep bot's model never answered: %s", excerpt(body))
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.absorb()
	s.workerRan("before the cells")
}

// workerRan fails the sweep unless the worker's activities handled
// secrets since the last call: a block token minted and sent, a planted
// AI token's key sent to the model.
func (s *sweep) workerRan(when string) {
	s.w.mu.Lock()
	tokens := len(s.w.tokens)
	s.w.mu.Unlock()
	if tokens == s.ran[0] {
		s.m.t.Errorf("%s: the block service got no block token: the worker's block call did not run", when)
	}
	used, requests := false, s.w.model.Requests()
	for _, r := range requests[s.ran[1]:] {
		key, _ := strings.CutPrefix(r.Authorization, "Bearer ")
		used = used || strings.HasPrefix(s.secrets[key].what, "an AI token's API key")
	}
	if !used {
		s.m.t.Errorf("%s: the model was not called with a planted AI token's key: the worker's model call did not run", when)
	}
	s.ran = [2]int{tokens, len(requests)}
}

// plantedHooks is the store as the sweep's dispatcher sees it: only the
// planted webhooks, so the matrix's hooks (at example.com) get nothing.
type plantedHooks struct {
	webhooks.Store
	ids map[int64]bool
}

func (p plantedHooks) ActiveWebhooks(ctx context.Context) ([]store.Webhook, error) {
	ws, err := p.Store.ActiveWebhooks(ctx)
	return p.keep(ws), err
}

func (p plantedHooks) ClaimStreams(ctx context.Context, owner string, now time.Time, lease time.Duration) ([]store.Webhook, error) {
	ws, err := p.Store.ClaimStreams(ctx, owner, now, lease)
	return p.keep(ws), err
}

func (p plantedHooks) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error) {
	ds, err := p.Store.ClaimDeliveries(ctx, now, lease, limit)
	var out []store.Delivery
	for _, d := range ds {
		if p.ids[d.WebhookID] {
			out = append(out, d)
		}
	}
	return out, err
}

func (p plantedHooks) keep(ws []store.Webhook) []store.Webhook {
	var out []store.Webhook
	for _, w := range ws {
		if p.ids[w.ID] {
			out = append(out, w)
		}
	}
	return out
}

// deliver runs a webhook dispatcher, logging where the sweep reads, for
// the planted webhooks until stop is called. They have heard of every
// message since they were planted: that backlog is skipped, so the
// deliveries are the streams phase's events.
func (s *sweep) deliver(log io.Writer) (stop func()) {
	m, e, ctx := s.m, s.m.e, s.m.t.Context()
	ids := map[int64]bool{}
	list, err := e.Store.ListWebhooks(ctx, e.A.ID)
	must(m.t, err)
	for _, w := range list {
		if strings.HasPrefix(w.URL, s.w.hooks.URL) {
			ids[w.ID] = true
		}
	}
	if len(ids) != 2 {
		m.t.Fatalf("the planted webhooks: %d of project A's %d point at the receiver, want 2", len(ids), len(list))
	}
	end := s.logEnd()
	last, err := e.Store.Events(ctx, e.A.ID, store.EventFilter{After: end - 1, Limit: 1})
	must(m.t, err)
	for id := range ids {
		must(m.t, e.Store.FanOut(ctx, id, last))
	}
	s.hookIDs = ids
	d := &webhooks.Dispatcher{Store: plantedHooks{Store: e.Store, ids: ids}, Box: e.Secrets, Data: native.WebhookData,
		Sender: &webhooks.Sender{Client: loopback.Client(webhooks.AttemptTimeout)},
		Log:    slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})), Every: 50 * time.Millisecond}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(runCtx, nil)
	}()
	return func() {
		cancel()
		<-done
	}
}

// signedDeliveries waits (up to 10 s) until the dispatcher has sent the
// planted webhooks every event logged so far (their cursors reached the
// log's end) and the receiver has deliveries signed with each planted
// webhook secret and the Worken endpoint's; the sweep fails if they never
// come.
func (s *sweep) signedDeliveries() {
	m, e, ctx := s.m, s.m.e, s.m.t.Context()
	end := s.logEnd()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.w.mu.Lock()
		got := len(s.w.deliveries)
		missing := s.unsigned(s.w.deliveries)
		s.w.mu.Unlock()
		behind := 0
		list, err := e.Store.ListWebhooks(ctx, e.A.ID)
		must(m.t, err)
		for _, w := range list {
			if s.hookIDs[w.ID] && w.Cursor < end {
				behind++
			}
		}
		if len(missing) == 0 && behind == 0 {
			return
		}
		if time.Now().After(deadline) {
			m.t.Errorf("within 10s the dispatcher left %d planted webhooks behind the log, and signed no delivery with %s (%d deliveries)",
				behind, strings.Join(missing, ", "), got)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logEnd is the seq of project A's last logged event.
func (s *sweep) logEnd() int64 {
	m, e := s.m, s.m.e
	end := int64(0)
	for {
		evs, err := e.Store.Events(m.t.Context(), e.A.ID, store.EventFilter{After: end, Limit: 1000})
		must(m.t, err)
		if len(evs) == 0 {
			return end
		}
		end = evs[len(evs)-1].Seq
	}
}

// received is what the webhook receiver got.
func (s *sweep) received() []delivered {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return append([]delivered(nil), s.w.deliveries...)
}

// unsigned are the planted webhook secrets no delivery of got is signed
// with.
func (s *sweep) unsigned(got []delivered) []string {
	var missing []string
	for _, secret := range s.hookSecrets {
		signed := false
		for _, d := range got {
			if strings.HasPrefix(secret, webhooks.SecretPrefix) {
				key, err := webhooks.DecodeSecret(secret)
				if err == nil && verifiesStandard(d, key) {
					signed = true
				}
			} else if d.header.Get(webhooks.HeaderWorken) == webhooks.WorkenSignature(secret, d.body) {
				signed = true
			}
		}
		if !signed {
			missing = append(missing, s.secrets[secret].what)
		}
	}
	return missing
}

// verifiesStandard says whether one of a delivery's webhook-signatures is
// key's.
func verifiesStandard(d delivered, key []byte) bool {
	var sec int64
	if _, err := fmt.Sscan(d.header.Get(webhooks.HeaderTimestamp), &sec); err != nil {
		return false
	}
	want := webhooks.Sign([][]byte{key}, d.header.Get(webhooks.HeaderID), time.Unix(sec, 0), d.body)
	for _, sig := range strings.Fields(d.header.Get(webhooks.HeaderSignature)) {
		if sig == want {
			return true
		}
	}
	return false
}
