package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
)

// hook is a receiver on loopback that answers each request with the next
// of statuses (200 once they run out) and keeps what it got.
type hook struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   [][]byte
}

func newHook(t *testing.T, statuses ...int) *hook {
	h := &hook{statuses: statuses}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.got, h.bodies = append(h.got, r), append(h.bodies, body)
		status := http.StatusOK
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) requests() ([]*http.Request, [][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*http.Request(nil), h.got...), append([][]byte(nil), h.bodies...)
}

// dispatchEnv is a store with a project, a secret box and a dispatcher
// whose retries come after 10 ms.
type dispatchEnv struct {
	db      store.Store
	project int64
	box     *secretbox.Box
	d       *Dispatcher
}

func newDispatchEnv(t *testing.T) *dispatchEnv {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org, err := db.CreateOrganization(t.Context(), "Acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(t.Context(), org.ID, "P")
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	d := &Dispatcher{Store: db, Box: box, Sender: &Sender{},
		Data:     func(ev store.Event) (json.RawMessage, error) { return json.Marshal(ev.Data) },
		Schedule: func(attempt int) (time.Duration, bool) { return 10 * time.Millisecond, attempt < MaxAttempts }}
	return &dispatchEnv{db: db, project: p.ID, box: box, d: d}
}

// webhook subscribes url to every event, with a new secret; it returns the
// webhook and the plain secret.
func (e *dispatchEnv) webhook(t *testing.T, url string) (*store.Webhook, string) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := e.box.Seal(secret)
	if err != nil {
		t.Fatal(err)
	}
	w := &store.Webhook{ProjectID: e.project, URL: url, Events: []string{store.WebhookAllEvents}, Secret: sealed}
	if err := e.db.CreateWebhook(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	return w, secret
}

// logTest logs an event every webhook subscribed to "*" is sent.
func (e *dispatchEnv) logTest(t *testing.T) {
	err := e.db.LogEvents(t.Context(), []store.Event{{ProjectID: e.project, Type: "bench.ping",
		Data: store.EventData{Extra: map[string]any{"hello": "world"}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// stepUntil steps the dispatcher until done says so, for at most 5 s.
func (e *dispatchEnv) stepUntil(t *testing.T, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("the dispatcher did not get there within 5s")
		}
		if _, err := e.d.Step(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

// verified reports whether r carries a valid Standard Webhooks signature by
// secret over body.
func verified(t *testing.T, r *http.Request, body []byte, secret string) bool {
	key, err := DecodeSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := strconv.ParseInt(r.Header.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return false
	}
	want := Sign([][]byte{key}, r.Header.Get(HeaderID), time.Unix(sec, 0), body)
	return strings.Contains(" "+r.Header.Get(HeaderSignature)+" ", " "+want+" ")
}

func TestDispatcherRetriesUntilDelivered(t *testing.T) {
	e := newDispatchEnv(t)
	h := newHook(t, 500, 503, 502) // fails three times, then takes it
	w, secret := e.webhook(t, h.URL)
	e.logTest(t)
	e.stepUntil(t, func() bool { got, _ := h.requests(); return len(got) == 4 })

	got, bodies := h.requests()
	id := got[0].Header.Get(HeaderID)
	for i, r := range got {
		if r.Header.Get(HeaderID) != id || !verified(t, r, bodies[i], secret) || r.Header.Get(HeaderWorken) != WorkenSignature(secret, bodies[i]) {
			t.Errorf("attempt %d: webhook-id %q (want %q), signatures %q %q", i+1, r.Header.Get(HeaderID), id, r.Header.Get(HeaderSignature), r.Header.Get(HeaderWorken))
		}
	}
	var body struct {
		ID, Type string
		Data     struct{ Extra map[string]any }
	}
	if err := json.Unmarshal(bodies[3], &body); err != nil || body.ID != id || body.Type != "bench.ping" || body.Data.Extra["hello"] != "world" {
		t.Errorf("body = %s", bodies[3])
	}
	ds, err := e.db.Deliveries(t.Context(), e.project, w.UUID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Status != store.DeliveryDelivered || ds[0].Attempts != 4 || ds[0].DeliveredAt == nil {
		t.Errorf("deliveries = %+v, want one delivered after 4 attempts", ds)
	}
	// Nothing more is sent.
	if _, err := e.d.Step(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.requests(); len(got) != 4 {
		t.Errorf("%d requests after delivery, want 4", len(got))
	}
}

// TestDispatcherResendsAfterALostStream: a dispatcher that stops mid-send
// (its process died) has recorded nothing; once its lease ends another
// sends the event again, with the same webhook-id.
func TestDispatcherResendsAfterALostStream(t *testing.T) {
	e := newDispatchEnv(t)
	hang := make(chan struct{})
	var hung sync.Once
	h := newHook(t)
	inner := h.Config.Handler
	h.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := false
		hung.Do(func() { first = true })
		if first { // the dying process's attempt: never answered
			io.Copy(io.Discard, r.Body) // then the server notices the client leave
			close(hang)
			select {
			case <-r.Context().Done():
			case <-t.Context().Done():
			}
			return
		}
		inner.ServeHTTP(w, r)
	})
	w, _ := e.webhook(t, h.URL)
	e.logTest(t)

	dead := *e.d
	dead.Owner, dead.Lease = "dead", 300*time.Millisecond
	ctx, die := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); dead.Step(ctx) }()
	<-hang
	die()
	<-done
	if ds := deliveriesOf(t, e, w); len(ds) != 0 {
		t.Fatalf("the dead dispatcher recorded %+v", ds)
	}
	if n, err := e.d.Step(t.Context()); err != nil || n != 0 {
		t.Errorf("while the lease runs another dispatcher sent %d (%v), want none", n, err)
	}
	time.Sleep(350 * time.Millisecond)
	e.stepUntil(t, func() bool { got, _ := h.requests(); return len(got) == 1 })
	got, _ := h.requests()
	seq := webhookNow(t, e, w).Cursor
	if want := EventID(w.ProjectID, seq); got[0].Header.Get(HeaderID) != want {
		t.Errorf("webhook-id %q, want %q", got[0].Header.Get(HeaderID), want)
	}
	ds := deliveriesOf(t, e, w)
	if len(ds) != 1 || ds[0].EventSeq != seq || ds[0].Status != store.DeliveryDelivered || ds[0].Attempts != 1 {
		t.Errorf("deliveries = %+v, want event %d delivered at the first attempt", ds, seq)
	}
}

// TestDispatcherResendsAfterALostRetry: a retry claimed by a process that
// died is claimed again when its lease ends.
func TestDispatcherResendsAfterALostRetry(t *testing.T) {
	e := newDispatchEnv(t)
	h := newHook(t)
	w, _ := e.webhook(t, h.URL)
	e.logTest(t)
	evs, err := e.db.Events(t.Context(), e.project, store.EventFilter{After: w.Cursor})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.FanOut(t.Context(), w.ID, evs); err != nil { // queued, as a failed attempt leaves it
		t.Fatal(err)
	}
	claimed, err := e.db.ClaimDeliveries(t.Context(), time.Now(), 200*time.Millisecond, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claimed %v, %v", claimed, err)
	}
	if n, err := e.d.Step(t.Context()); err != nil || n != 0 {
		t.Errorf("while the lease runs another dispatcher sent %d (%v), want none", n, err)
	}
	time.Sleep(250 * time.Millisecond)
	e.stepUntil(t, func() bool { got, _ := h.requests(); return len(got) == 1 })
	got, _ := h.requests()
	if want := EventID(w.ProjectID, claimed[0].EventSeq); got[0].Header.Get(HeaderID) != want {
		t.Errorf("webhook-id %q, want %q", got[0].Header.Get(HeaderID), want)
	}
}

func TestDispatcherGoneDisables(t *testing.T) {
	e := newDispatchEnv(t)
	h := newHook(t, http.StatusGone)
	w, _ := e.webhook(t, h.URL)
	e.logTest(t)
	e.stepUntil(t, func() bool { got, _ := h.requests(); return len(got) == 1 })
	got, err := e.db.Webhook(t.Context(), e.project, w.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.WebhookDisabled || got.DisabledReason == "" {
		t.Errorf("after 410: %+v, want disabled", got)
	}
	e.logTest(t)
	for range 3 {
		e.d.Step(t.Context())
	}
	if got, _ := h.requests(); len(got) != 1 {
		t.Errorf("a disabled endpoint got %d requests, want 1", len(got))
	}
}

func TestDispatcherSignsWithBothSecretsWhileRotating(t *testing.T) {
	e := newDispatchEnv(t)
	h := newHook(t)
	w, old := e.webhook(t, h.URL)
	fresh, _ := NewSecret()
	sealed, _ := e.box.Seal(fresh)
	if err := e.db.RotateWebhookSecret(t.Context(), e.project, w.UUID, sealed, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.logTest(t)
	e.stepUntil(t, func() bool { got, _ := h.requests(); return len(got) == 1 })
	got, bodies := h.requests()
	if !verified(t, got[0], bodies[0], fresh) || !verified(t, got[0], bodies[0], old) || got[0].Header.Get(HeaderWorken) != WorkenSignature(fresh, bodies[0]) {
		t.Errorf("while rotating: %q, want signatures by the new and the old secret", got[0].Header.Get(HeaderSignature))
	}
}

// TestDispatcherFansOutEveryWebhook: a webhook whose project logged nothing
// new does not keep the next webhook from its events.
func TestDispatcherFansOutEveryWebhook(t *testing.T) {
	e := newDispatchEnv(t)
	quiet, busy := newHook(t), newHook(t)
	org, err := e.db.CreateOrganization(t.Context(), "Quiet")
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.db.CreateProject(t.Context(), org.ID, "Q")
	if err != nil {
		t.Fatal(err)
	}
	mine := e.project
	e.project = other.ID
	e.webhook(t, quiet.URL) // first in line, with nothing to send
	e.project = mine
	e.webhook(t, busy.URL)
	e.logTest(t)
	e.logTest(t)
	e.stepUntil(t, func() bool { got, _ := busy.requests(); return len(got) == 2 })
	if got, _ := quiet.requests(); len(got) != 0 {
		t.Errorf("the quiet webhook got %d requests", len(got))
	}
}

func deliveriesOf(t *testing.T, e *dispatchEnv, w *store.Webhook) []store.Delivery {
	t.Helper()
	ds, err := e.db.Deliveries(t.Context(), e.project, w.UUID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func webhookNow(t *testing.T, e *dispatchEnv, w *store.Webhook) *store.Webhook {
	t.Helper()
	got, err := e.db.Webhook(t.Context(), e.project, w.UUID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// countingStore counts the dispatcher's writes.
type countingStore struct {
	Store
	mu              sync.Mutex
	claims, records int
}

func (c *countingStore) ClaimStreams(ctx context.Context, owner string, now time.Time, lease time.Duration) ([]store.Webhook, error) {
	c.mu.Lock()
	c.claims++
	c.mu.Unlock()
	return c.Store.ClaimStreams(ctx, owner, now, lease)
}

func (c *countingStore) RecordStream(ctx context.Context, b store.StreamBatch) error {
	c.mu.Lock()
	c.records++
	c.mu.Unlock()
	return c.Store.RecordStream(ctx, b)
}

// TestDispatcherSendsABatchWithOneWrite: a step sends every new event once,
// in order of the log, and records them all in one write, each delivery
// listed as delivered.
func TestDispatcherSendsABatchWithOneWrite(t *testing.T) {
	e := newDispatchEnv(t)
	h := newHook(t)
	w, _ := e.webhook(t, h.URL)
	if _, err := e.d.Step(t.Context()); err != nil { // claims the stream: nothing to send yet
		t.Fatal(err)
	}
	for range 30 {
		e.logTest(t)
	}
	counted := &countingStore{Store: e.d.Store}
	e.d.Store = counted
	e.d.Workers = 1 // one at a time, so the receiver sees the log's order
	if n, err := e.d.Step(t.Context()); err != nil || n != 30 {
		t.Fatalf("step = %d, %v; want 30 attempts", n, err)
	}
	got, _ := h.requests()
	ids := map[string]bool{}
	for i, r := range got {
		id := r.Header.Get(HeaderID)
		if ids[id] {
			t.Errorf("%s sent twice", id)
		}
		ids[id] = true
		if want := EventID(e.project, w.Cursor+int64(i)+1); id != want {
			t.Errorf("request %d is %s, want %s", i, id, want)
		}
	}
	if len(got) != 30 || counted.records != 1 || counted.claims != 0 {
		t.Errorf("%d requests, %d stream records, %d claims; want 30, 1, 0", len(got), counted.records, counted.claims)
	}
	ds := deliveriesOf(t, e, w)
	for _, d := range ds {
		if d.Status != store.DeliveryDelivered || d.Attempts != 1 || d.DeliveredAt == nil {
			t.Errorf("delivery %+v, want delivered at the first attempt", d)
		}
	}
	if len(ds) != 30 || webhookNow(t, e, w).Cursor != w.Cursor+30 {
		t.Errorf("%d deliveries, cursor %d; want 30, %d", len(ds), webhookNow(t, e, w).Cursor, w.Cursor+30)
	}
}

// TestDispatcherStopsAtGone: after a 410 no more of the batch is sent; the
// events after it wait in the log, and go once the webhook is enabled.
func TestDispatcherStopsAtGone(t *testing.T) {
	e := newDispatchEnv(t)
	h := newHook(t, http.StatusGone)
	w, _ := e.webhook(t, h.URL)
	for range 3 {
		e.logTest(t)
	}
	e.d.Workers = 1
	if _, err := e.d.Step(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.requests(); len(got) != 1 {
		t.Fatalf("%d requests, want 1: the first was answered 410", len(got))
	}
	off := webhookNow(t, e, w)
	if off.Status != store.WebhookDisabled || off.Cursor != w.Cursor+1 {
		t.Fatalf("after 410: status %s, cursor %d; want disabled at %d", off.Status, off.Cursor, w.Cursor+1)
	}
	off.Status = store.WebhookActive
	if err := e.db.UpdateWebhook(t.Context(), off); err != nil {
		t.Fatal(err)
	}
	// The two events the 410 held back, then the webhook.disabled it logged.
	e.stepUntil(t, func() bool { got, _ := h.requests(); return len(got) == 4 })
	got, bodies := h.requests()
	for i, want := range []int64{w.Cursor + 2, w.Cursor + 3, w.Cursor + 4} {
		if id := got[i+1].Header.Get(HeaderID); id != EventID(e.project, want) {
			t.Errorf("request %d is %s, want %s", i+2, id, EventID(e.project, want))
		}
	}
	if !strings.Contains(string(bodies[3]), store.EventWebhookDisabled) {
		t.Errorf("last body %s, want %s", bodies[3], store.EventWebhookDisabled)
	}
}

// TestRunGathersABusyLog: Run sends a lone event at once, and after a step
// that sent something waits Gather before the next, so what was logged
// meanwhile goes out as one batch (one write) instead of a step each.
func TestRunGathersABusyLog(t *testing.T) {
	e := newDispatchEnv(t)
	const gather = 2 * time.Second
	e.d.Gather, e.d.Every = gather, time.Hour
	var mu sync.Mutex
	var arrived []time.Time
	h := newHook(t)
	inner := h.Config.Handler
	h.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived = append(arrived, time.Now())
		mu.Unlock()
		inner.ServeHTTP(w, r)
	})
	w, _ := e.webhook(t, h.URL)
	wake := make(chan struct{}, 1)
	e.db.OnEvents(func(context.Context, []store.Event) {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); e.d.Run(ctx, wake) }()
	defer func() { cancel(); <-done }()

	received := func(n int) { // waits for n requests; Run is the only one stepping
		t.Helper()
		deadline := time.Now().Add(gather + 5*time.Second)
		for got, _ := h.requests(); len(got) < n; got, _ = h.requests() {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d events delivered in time", len(got), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	logged := time.Now()
	e.logTest(t)
	received(1)
	mu.Lock()
	first := arrived[0]
	mu.Unlock()
	if took := first.Sub(logged); took >= gather {
		t.Errorf("a lone event took %s to arrive, want it sent at once (under %s)", took, gather)
	}
	for range 3 {
		e.logTest(t)
	}
	received(4)
	mu.Lock()
	defer mu.Unlock()
	for i, at := range arrived[1:] {
		if at.Sub(first) < gather {
			t.Errorf("event %d arrived %s after the first, want at least the gathering time %s", i+2, at.Sub(first), gather)
		}
	}
	// The batch is recorded once its attempts are done, just after the
	// receiver answered the last.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ds, err := e.db.Deliveries(t.Context(), e.project, w.UUID, 10)
		if err == nil && len(ds) == 4 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries = %d (%v), want 4", len(ds), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
