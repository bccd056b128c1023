package telegram

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// sends records when each job of the pacer sent, by chat.
type sends struct {
	mu sync.Mutex
	at map[string][]time.Time
}

// job is a message that sends once, in its turn.
func (s *sends) job(seq int64, chat string) job {
	return job{seq: seq, run: func(ctx context.Context, pace func(context.Context) error) error {
		if err := pace(ctx); err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.at[chat] = append(s.at[chat], time.Now())
		return nil
	}}
}

// results waits for n outcomes from the pacer.
func results(t *testing.T, p *pacer, n int) []result {
	t.Helper()
	var out []result
	for range n {
		select {
		case r := <-p.done:
			out = append(out, r)
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d jobs ended", len(out), n)
		}
	}
	return out
}

// Three messages to one chat go out an interval apart, in order; a
// message to another chat, queued after them, goes out at once.
func TestPaceOneChatAtATime(t *testing.T) {
	const every = 150 * time.Millisecond
	p := newPacer(every)
	ctx, cancel := context.WithCancel(t.Context())
	defer p.wait()
	defer cancel()
	s := &sends{at: map[string][]time.Time{}}
	start := time.Now()
	for i, chat := range []string{"a", "a", "a", "b"} {
		p.add(ctx, chat, s.job(int64(i+1), chat))
	}
	var order []int64
	for _, r := range results(t, p, 4) {
		if r.err != nil {
			t.Fatal(r.err)
		}
		order = append(order, r.seq)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, b := s.at["a"], s.at["b"]
	if len(a) != 3 || len(b) != 1 {
		t.Fatalf("sent to a %d times, to b %d times", len(a), len(b))
	}
	for i := 1; i < len(a); i++ {
		// The limiter allows each send at an exact interval from the
		// last; a goroutine woken late shortens the next gap a little.
		if gap := a[i].Sub(a[i-1]); gap < every-10*time.Millisecond {
			t.Errorf("send %d to a came %v after the one before, under %v", i+1, gap, every)
		}
	}
	if wait := b[0].Sub(start); wait >= every {
		t.Errorf("b waited %v behind a's messages", wait)
	}
	if order[len(order)-1] != 3 {
		t.Errorf("outcomes in order %v: a's last should end last", order)
	}
}

// A chat idle for an interval sends at once again.
func TestPaceIdleChat(t *testing.T) {
	const every = 50 * time.Millisecond
	p := newPacer(every)
	ctx, cancel := context.WithCancel(t.Context())
	defer p.wait()
	defer cancel()
	s := &sends{at: map[string][]time.Time{}}
	p.add(ctx, "a", s.job(1, "a"))
	results(t, p, 1)
	time.Sleep(every) // the idleness under test, not a wait for a result
	start := time.Now()
	p.add(ctx, "a", s.job(2, "a"))
	results(t, p, 1)
	if wait := time.Since(start); wait >= every/2 {
		t.Errorf("an idle chat's message waited %v", wait)
	}
}

// A job that fails drops the rest of its chat's queue (the relay stops
// and reads them again), and other chats go on.
func TestPaceFailedJob(t *testing.T) {
	p := newPacer(10 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	defer p.wait()
	defer cancel()
	s := &sends{at: map[string][]time.Time{}}
	boom := errors.New("boom")
	p.add(ctx, "a", job{seq: 1, run: func(context.Context, func(context.Context) error) error { return boom }})
	p.add(ctx, "a", s.job(2, "a"))
	p.add(ctx, "b", s.job(3, "b"))
	got := map[int64]error{}
	for _, r := range results(t, p, 2) {
		got[r.seq] = r.err
	}
	if !errors.Is(got[1], boom) || got[3] != nil {
		t.Fatalf("outcomes %v", got)
	}
	select {
	case r := <-p.done:
		t.Fatalf("job %d ran after its chat's failure", r.seq)
	case <-time.After(50 * time.Millisecond):
	}
}

// Cancelling stops a job waiting for its turn.
func TestPaceCancel(t *testing.T) {
	p := newPacer(time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	s := &sends{at: map[string][]time.Time{}}
	p.add(ctx, "a", s.job(1, "a"))
	p.add(ctx, "a", s.job(2, "a"))
	results(t, p, 1)
	cancel()
	done := make(chan struct{})
	go func() { p.wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a job waiting for its turn did not stop")
	}
}
