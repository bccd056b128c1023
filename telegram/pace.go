package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultChatInterval is the least time between two sends to one chat:
// Telegram lets a bot send about one message a second to a chat.
const DefaultChatInterval = time.Second

// botPerSecond is how many messages a bot sends a second over all its
// chats: Telegram's limit is about 30.
const botPerSecond = 30

// pacer runs the relay's jobs: one chat's in order, at most one send per
// interval, while other chats' run beside them, so a burst to one chat
// holds up no other. The limits are token buckets of
// golang.org/x/time/rate (already a dependency, for the API's guard): a
// limiter with a burst of one is exactly "at most one per interval", it
// waits without a goroutine of its own, and a chat idle for an interval
// is as good as new, so its limiter is dropped then.
type pacer struct {
	every time.Duration
	all   *rate.Limiter
	done  chan result // each job's outcome, in each chat's order

	mu    sync.Mutex
	lines map[string]*line
	wg    sync.WaitGroup
}

// job is a message to send: run calls pace before each send to the chat.
type job struct {
	seq int64
	run func(ctx context.Context, pace func(context.Context) error) error
}

type result struct {
	seq int64
	err error
}

// line is one chat's jobs, run by one goroutine while there are any.
type line struct {
	lim  *rate.Limiter
	jobs []job
	busy bool
	idle time.Time // when its last job ended
}

func newPacer(every time.Duration) *pacer {
	if every <= 0 {
		every = DefaultChatInterval
	}
	return &pacer{every: every, all: rate.NewLimiter(botPerSecond, 1), done: make(chan result, 64), lines: map[string]*line{}}
}

// add queues a job for a chat. The outcome comes on done, unless ctx ends
// first; a job that fails drops the chat's queue (the relay stops then).
func (p *pacer) add(ctx context.Context, chatID string, j job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for id, l := range p.lines {
		if !l.busy && now.Sub(l.idle) >= p.every {
			delete(p.lines, id)
		}
	}
	l := p.lines[chatID]
	if l == nil {
		l = &line{lim: rate.NewLimiter(rate.Every(p.every), 1)}
		p.lines[chatID] = l
	}
	l.jobs = append(l.jobs, j)
	if !l.busy {
		l.busy = true
		p.wg.Add(1)
		go p.drain(ctx, l)
	}
}

// drain runs a line's jobs until it has none.
func (p *pacer) drain(ctx context.Context, l *line) {
	defer p.wg.Done()
	pace := func(ctx context.Context) error { return p.pace(ctx, l) }
	for {
		p.mu.Lock()
		if len(l.jobs) == 0 || ctx.Err() != nil {
			l.jobs, l.busy, l.idle = nil, false, time.Now()
			p.mu.Unlock()
			return
		}
		j := l.jobs[0]
		l.jobs = l.jobs[1:]
		p.mu.Unlock()
		err := j.run(ctx, pace)
		select {
		case p.done <- result{j.seq, err}:
		case <-ctx.Done():
		}
		if err != nil {
			p.mu.Lock()
			l.jobs = nil
			p.mu.Unlock()
		}
	}
}

// pace waits for the bot's turn, then the chat's: in that order, so the
// send follows the chat's turn at once and one chat's sends are never
// closer than the interval.
func (p *pacer) pace(ctx context.Context, l *line) error {
	if p.all.Wait(ctx) != nil || l.lim.Wait(ctx) != nil {
		// Only an ending ctx fails a wait (or one its deadline would cut
		// short): wait for the end, so the caller sees ctx's error.
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// wait waits for every running job to end: cancel their ctx first.
func (p *pacer) wait() { p.wg.Wait() }
