package storetest

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// BenchParallelism is how many goroutines per GOMAXPROCS BenchSaveTurn runs.
const BenchParallelism = 32

// BenchSaveTurn measures SaveTurn under contention, as many live dialogs
// cause it: BenchParallelism goroutines per GOMAXPROCS, each with a dialog
// of its own, each operation one turn of two messages, a data item and a
// newer state. ns/op is the store's throughput (wall time per turn, all
// goroutines together); p50-ms, p99-ms and max-ms are the latencies of
// single turns.
func BenchSaveTurn(b *testing.B, s store.Store) {
	ctx := b.Context()
	p := newProject(b, s)
	bot := newBot(b, s, p.ID)
	dialogs := make([]*store.Dialog, BenchParallelism*runtime.GOMAXPROCS(0))
	for i := range dialogs {
		dialogs[i] = newDialog(b, s, p.ID, bot.ID)
	}
	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
	)
	b.SetParallelism(BenchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		d := dialogs[next.Add(1)-1]
		var mine []time.Duration
		for n := int64(1); pb.Next(); n++ {
			turn := benchTurn(d, n)
			start := time.Now()
			if err := s.SaveTurn(ctx, turn); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	ms := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}

// BenchSaveTurnOne measures SaveTurn one turn at a time on one dialog:
// what a single conversation's turn waits for when nothing else writes.
func BenchSaveTurnOne(b *testing.B, s store.Store) {
	ctx := b.Context()
	p := newProject(b, s)
	d := newDialog(b, s, p.ID, newBot(b, s, p.ID).ID)
	b.ResetTimer()
	for n := int64(1); n <= int64(b.N); n++ {
		if err := s.SaveTurn(ctx, benchTurn(d, n)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchTurn is the nth turn of d: the user's answer, the data it fills in,
// the bot's next question and the state after it.
func benchTurn(d *store.Dialog, n int64) store.Turn {
	now := time.Now()
	seq := 3 * n
	msg := func(seq int64, role, text string) store.Message {
		return store.Message{ID: fmt.Sprintf("%s-%d", d.UUID, seq), DialogID: d.ID, Seq: seq, Role: role,
			Text: text, Node: "ask", CreatedAt: now}
	}
	return store.Turn{
		Messages: []store.Message{msg(seq-2, store.MessageUser, "Billing"), msg(seq, store.MessageAssistant, "Anything else?")},
		Data: []store.DataItem{{DialogID: d.ID, Seq: seq - 1, Question: "Topic?", Type: "choice", Answer: "Billing",
			Variable: "topic", CreatedAt: now}},
		State: &store.DialogState{DialogID: d.ID, StateSeq: n, BotID: d.BotID, Version: d.Version,
			Status: store.StatusInProcess, Mode: store.ModeAuto, Node: "ask", Variables: map[string]any{"topic": "Billing", "n": n},
			LastUserAt: &now, UpdatedAt: now},
	}
}
