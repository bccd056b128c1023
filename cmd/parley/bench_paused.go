//go:build !slim

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// pausedResult is the last line of `parley bench -paused N`.
type pausedResult struct {
	Paused      int     `json:"paused"`
	StickyCache int     `json:"sticky_cache"`
	CreateS     float64 `json:"create_s"`
	CreatePerS  float64 `json:"create_per_s"`
	RSSMiB      []int   `json:"rss_mib"`  // after each tenth of the dialogs
	HeapMiB     []int   `json:"heap_mib"` // Go heap in use after a GC, likewise
	// Goroutines, likewise: a workflow the sticky cache holds runs a
	// goroutine per coroutine; one it evicted should run none.
	Goroutines []int   `json:"goroutines"`
	ResumeP50  float64 `json:"resume_p50_ms"`
	ResumeP99  float64 `json:"resume_p99_ms"`
}

// resumeSample is how many of the oldest dialogs are answered at the end:
// the longest out of the worker's sticky cache.
const resumeSample = 200

// paused creates cfg.paused dialogs that wait at their question, as a
// chatbot's users leave them, and reports what they cost: the time to
// create them, the process's RSS and Go heap as they pile up (with the
// sticky cache bounded they must level off, not grow with the dialogs;
// cadence#3075 is a worker killed by 32K waiting workflows), and the
// first answer of dialogs evicted from the cache, whose workflow is
// replayed from its history.
func (e *benchEnv) paused(ctx context.Context, cfg benchConfig, out io.Writer) error {
	res := pausedResult{Paused: cfg.paused, StickyCache: cfg.stickyCache}
	fmt.Fprintf(out, "Creating %d dialogs paused at a question (sticky cache %d workflows)...\n", cfg.paused, cfg.stickyCache)
	step := max(cfg.paused/10, 1)
	var ids []string
	start := time.Now()
	for len(ids) < cfg.paused {
		batch, err := e.createDialogs(ctx, min(step, cfg.paused-len(ids)))
		if err != nil {
			return err
		}
		ids = append(ids, batch...)
		heap := heapMiB()
		res.RSSMiB, res.HeapMiB = append(res.RSSMiB, rssMiB()), append(res.HeapMiB, heap)
		res.Goroutines = append(res.Goroutines, runtime.NumGoroutine())
		fmt.Fprintf(out, "    %6d dialogs, %5.0f s: RSS %d MiB, Go heap %d MiB, %d goroutines\n", len(ids), time.Since(start).Seconds(),
			res.RSSMiB[len(res.RSSMiB)-1], heap, runtime.NumGoroutine())
	}
	took := time.Since(start)
	res.CreateS, res.CreatePerS = round(took.Seconds()), round(float64(cfg.paused)/took.Seconds())
	fmt.Fprintf(out, "Answering the %d oldest, evicted from the cache, one at a time...\n", min(resumeSample, len(ids)))
	s := &samples{}
	for i := range min(resumeSample, len(ids)) {
		t0 := time.Now()
		err := e.turn(ctx, ids[i], 1)
		s.add(time.Since(t0), err)
	}
	if s.errors > 0 {
		return fmt.Errorf("%d of %d first answers failed", s.errors, s.n())
	}
	res.ResumeP50, res.ResumeP99 = round(s.pct(50)), round(s.pct(99))
	fmt.Fprintf(out, "    created %d in %.0f s (%.0f/s); first answer after eviction p50 %.1f ms, p99 %.1f ms\n",
		cfg.paused, res.CreateS, res.CreatePerS, res.ResumeP50, res.ResumeP99)
	line, _ := json.Marshal(res)
	fmt.Fprintln(out, string(line))
	return nil
}

// rssMiB is the process's resident memory (Linux; 0 elsewhere): the
// embedded Temporal server's and the worker's together.
func rssMiB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb >> 10
		}
	}
	return 0
}

func heapMiB() int {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int(m.HeapInuse >> 20)
}
