//go:build !slim

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store/postgres/pgtest"
)

const pausedFlow = `bot: waits
variables:
  answer: { type: string }
nodes:
  ask:
    kind: question
    text: Still there?
    save: answer
    next: bye
  bye:
    kind: end
    text: Bye.
`

// TestPausedWorker is the production shape's answer to "what does a
// worker cost for dialogs that wait": `parley temporal`, one `parley serve`
// and one `parley worker` with PARLEY_WORKFLOW_CACHE set, on PostgreSQL.
// It leaves PARLEY_PAUSED_DIALOGS (400) dialogs paused at a question and
// reads the worker's own RSS and goroutines (its /metrics) after each
// tenth, then answers the oldest, long evicted from the cache. The
// worker's goroutines must stop growing once the cache is full: each
// workflow it keeps runs goroutines, one it evicted none (cadence#3075 is
// a worker killed by 32K waiting workflows). make soak runs 20,000.
func TestPausedWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of processes; skipped with -short")
	}
	n := chaosSize(t, "PARLEY_PAUSED_DIALOGS", 400)
	cache := chaosSize(t, "PARLEY_PAUSED_CACHE", max(n/4, 1))
	dbURL := pgtest.URL(t)
	key := seedProject(t, dbURL)
	c := newCluster(t, dbURL, 1, 1, "PARLEY_WORKFLOW_CACHE="+strconv.Itoa(cache))
	metricsAddr := freeAddr(t)
	base := c.env
	c.env = append(slices.Clip(base), "PARLEY_METRICS_ADDR="+metricsAddr) // the worker's alone
	c.workers[0] = c.start(t, "worker")
	c.env = base
	c.startServe(t, 0)
	api := &apiProcess{url: c.urls()[0], key: key, logs: &bytes.Buffer{}}
	api.call(t, "PUT", "/v1/bots/waits/flow", rawYAML(pausedFlow))

	sample := func() workerSample { return readWorkerMetrics(t, "http://"+metricsAddr+"/metrics") }
	before := sample()
	var ids []string
	var atCache workerSample
	var lines []string
	start := time.Now()
	step := max(n/10, 1)
	for len(ids) < n {
		ids = append(ids, createPaused(t, api, min(step, n-len(ids)))...)
		s := sample()
		if len(ids) <= cache {
			atCache = s
		}
		lines = append(lines, fmt.Sprintf("%d: RSS %d MiB, %d goroutines", len(ids), s.rssMiB, s.goroutines))
	}
	took := time.Since(start)
	end := sample()

	oldest := ids[:min(50, len(ids))]
	times := make([]time.Duration, 0, len(oldest))
	for _, id := range oldest {
		t0 := time.Now()
		turn := api.call(t, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": "yes"})
		times = append(times, time.Since(t0))
		if said(turn) != "Bye." {
			t.Errorf("dialog %s answered %q after eviction, want Bye.", id, said(turn))
		}
	}
	slices.Sort(times)
	p50, p99 := times[len(times)/2], times[(len(times)*99)/100]
	t.Logf("PAUSED worker: %d dialogs, workflow cache %d; created in %.0f s (%.0f/s); worker before: RSS %d MiB, %d goroutines; %s; "+
		"first answer after eviction p50 %.1f ms, p99 %.1f ms",
		n, cache, took.Seconds(), float64(n)/took.Seconds(), before.rssMiB, before.goroutines, strings.Join(lines, "; "),
		ms(p50), ms(p99))

	// With the cache bounded, the dialogs after the cache's worth add
	// (almost) no goroutines; unbounded, they would add 3 times what the
	// first cache's worth did.
	if n >= 2*cache && atCache.goroutines > 0 {
		grew, filled := end.goroutines-atCache.goroutines, atCache.goroutines-before.goroutines
		if grew > filled/2 {
			t.Errorf("the worker's goroutines grew by %d after the cache (%d workflows) was full, against %d while it filled: the cache does not bound them",
				grew, cache, filled)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// createPaused creates count dialogs, 8 at a time, each paused at its
// question, and returns their ids in order.
func createPaused(t *testing.T, api *apiProcess, count int) []string {
	t.Helper()
	ids, errs := make([]string, count), make([]error, count)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ids[i], errs[i] = createDialog(t.Context(), api)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return ids
}

// createDialog creates a dialog of the waits bot and returns its id.
func createDialog(ctx context.Context, api *apiProcess) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", api.url+"/v1/bots/waits/dialogs", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+api.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var created struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("creating a dialog: %d %v", resp.StatusCode, err)
	}
	return created.ID, nil
}

type workerSample struct{ rssMiB, goroutines int }

// readWorkerMetrics reads the worker's RSS and goroutines from its
// Prometheus metrics.
func readWorkerMetrics(t *testing.T, url string) workerSample {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var s workerSample
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				name, value, _ := strings.Cut(sc.Text(), " ")
				v, _ := strconv.ParseFloat(value, 64)
				switch name {
				case "process_resident_memory_bytes":
					s.rssMiB = int(v / (1 << 20))
				case "go_goroutines":
					s.goroutines = int(v)
				}
			}
			resp.Body.Close()
			return s
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the worker's metrics at %s: %v", url, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
