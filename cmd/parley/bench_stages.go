//go:build !slim

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/store"
)

// The per-stage breakdown of a turn. The bench hands the HTTP handler and
// the dialog service a store and a Temporal client that time the calls a
// turn makes, and wraps the handler to time the whole request on the
// server. The spans travel in the request's context, so only the bench's
// own requests are timed: the worker keeps the plain store and client.
// What the wrappers cost (a few clock reads and a context value per call)
// is inside the figures.

// stage is one part of a turn.
type stage int

const (
	stageAuth   stage = iota // the credentials' store lookups
	stageLookup              // reading the dialog
	stageUpdate              // the Temporal update, sent until its result is read
	stageStore               // the turn's store transaction (SaveTurn)
	stageServer              // the whole request inside the HTTP handler
	nStages
)

// spans are the stages of one request.
type spans [nStages]time.Duration

type spansKey struct{}

func spansOf(ctx context.Context) *spans {
	s, _ := ctx.Value(spansKey{}).(*spans)
	return s
}

// timed adds the time since start to the request's stage, if ctx is timed.
func timed(ctx context.Context, st stage, start time.Time) {
	if s := spansOf(ctx); s != nil {
		s[st] += time.Since(start)
	}
}

// stageRecorder keeps the spans of the requests a phase times.
type stageRecorder struct {
	on   atomic.Bool
	mu   sync.Mutex
	runs []spans
}

// record starts (or stops) keeping spans; starting drops what was kept.
func (r *stageRecorder) record(on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		r.runs = nil
	}
	r.on.Store(on)
}

// handler times each request of h while recording.
func (r *stageRecorder) handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !r.on.Load() {
			h.ServeHTTP(w, req)
			return
		}
		s := &spans{}
		start := time.Now()
		h.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), spansKey{}, s)))
		s[stageServer] = time.Since(start)
		r.mu.Lock()
		r.runs = append(r.runs, *s)
		r.mu.Unlock()
	})
}

// breakdown prints the median of every stage of the recorded turns, whose
// client-side latencies are in turns, and the bare update's median.
func (r *stageRecorder) breakdown(out io.Writer, turns *samples, bare float64) {
	r.mu.Lock()
	runs := slices.Clone(r.runs)
	r.mu.Unlock()
	if len(runs) == 0 || turns.n() == 0 {
		return
	}
	med := func(f func(s spans) time.Duration) float64 {
		ds := make([]time.Duration, len(runs))
		for i, s := range runs {
			ds[i] = f(s)
		}
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	total := turns.pct(50)
	server := med(func(s spans) time.Duration { return s[stageServer] })
	rows := []struct {
		name string
		ms   float64
	}{
		{"client and loopback (HTTP client, JSON, TCP)", total - server},
		{"server: gin, middleware, JSON in and out", med(func(s spans) time.Duration {
			return s[stageServer] - s[stageAuth] - s[stageLookup] - s[stageUpdate] - s[stageStore]
		})},
		{"auth (API key or user lookup)", med(func(s spans) time.Duration { return s[stageAuth] })},
		{"dialog lookup", med(func(s spans) time.Duration { return s[stageLookup] })},
		{"update round trip (Temporal)", med(func(s spans) time.Duration { return s[stageUpdate] })},
		{"store transaction (SaveTurn)", med(func(s spans) time.Duration { return s[stageStore] })},
	}
	fmt.Fprintf(out, "    breakdown of a turn (medians of %d turns, ms; turn p50 %.2f, server %.2f):\n", len(runs), total, server)
	for _, row := range rows {
		fmt.Fprintf(out, "      %-46s %6.2f  %3.0f%%\n", row.name, row.ms, 100*row.ms/total)
	}
	fmt.Fprintf(out, "      %-46s %6.2f  (the update's share above it: %.2f)\n", "bare update, for comparison", bare, med(func(s spans) time.Duration { return s[stageUpdate] })-bare)
}

// stagedStore times the store calls of a turn: auth, lookup, SaveTurn.
type stagedStore struct {
	store.Store
}

func (s stagedStore) APIKeyByKey(ctx context.Context, key string) (*store.APIKey, error) {
	defer timed(ctx, stageAuth, time.Now())
	return s.Store.APIKeyByKey(ctx, key)
}

func (s stagedStore) Authenticate(ctx context.Context, email, password string) (*store.User, error) {
	defer timed(ctx, stageAuth, time.Now())
	return s.Store.Authenticate(ctx, email, password)
}

func (s stagedStore) Memberships(ctx context.Context, userID int64) ([]store.Membership, error) {
	defer timed(ctx, stageAuth, time.Now())
	return s.Store.Memberships(ctx, userID)
}

func (s stagedStore) Dialog(ctx context.Context, projectID int64, uuid string) (*store.Dialog, error) {
	defer timed(ctx, stageLookup, time.Now())
	return s.Store.Dialog(ctx, projectID, uuid)
}

func (s stagedStore) DialogByID(ctx context.Context, projectID, id int64) (*store.Dialog, error) {
	defer timed(ctx, stageLookup, time.Now())
	return s.Store.DialogByID(ctx, projectID, id)
}

func (s stagedStore) SaveTurn(ctx context.Context, t store.Turn) error {
	defer timed(ctx, stageStore, time.Now())
	return s.Store.SaveTurn(ctx, t)
}

// stagedClient times an update from sending it until its result is read.
type stagedClient struct {
	client.Client
}

func (c stagedClient) UpdateWorkflow(ctx context.Context, opts client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	start := time.Now()
	h, err := c.Client.UpdateWorkflow(ctx, opts)
	if err != nil {
		timed(ctx, stageUpdate, start)
		return nil, err
	}
	return stagedHandle{WorkflowUpdateHandle: h, start: start}, nil
}

type stagedHandle struct {
	client.WorkflowUpdateHandle
	start time.Time
}

func (h stagedHandle) Get(ctx context.Context, valuePtr any) error {
	defer timed(ctx, stageUpdate, h.start)
	return h.WorkflowUpdateHandle.Get(ctx, valuePtr)
}
