package events

import (
	"context"
	"sync"
	"time"
)

// DefaultBuffer is how many events a subscriber of a memory bus may fall
// behind before it loses events.
const DefaultBuffer = 256

// Memory is a Bus inside one process. It is safe for concurrent use.
//
// Publish never waits: each subscriber has a bounded buffer, and an event
// that does not fit is dropped for that subscriber alone (and counted in
// the Lost of the next event it gets), so a slow client cannot stall the
// engine.
type Memory struct {
	buffer int

	mu     sync.RWMutex
	subs   map[key]map[*subscriber]struct{}
	closed bool
}

// key is what a subscription listens to; dialog 0 is every dialog of the
// project.
type key struct{ project, dialog int64 }

type subscriber struct {
	ch   chan Event
	mu   sync.Mutex // concurrent publishers share the read lock
	lost int64      // events dropped since the last one delivered; guarded by mu
	once sync.Once  // closes ch
}

var _ Bus = (*Memory)(nil)

// NewMemory returns an empty in-process bus with DefaultBuffer.
func NewMemory() *Memory { return NewMemoryBuffer(DefaultBuffer) }

// NewMemoryBuffer returns an in-process bus whose subscribers may fall
// behind by n events (at least 1).
func NewMemoryBuffer(n int) *Memory {
	return &Memory{buffer: max(n, 1), subs: map[key]map[*subscriber]struct{}{}}
}

// Publish delivers ev to the dialog's and the project's subscribers
// without blocking.
func (m *Memory) Publish(_ context.Context, ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for s := range m.subs[key{ev.ProjectID, ev.DialogID}] {
		s.send(ev)
	}
	if ev.DialogID != 0 {
		for s := range m.subs[key{ev.ProjectID, 0}] {
			s.send(ev)
		}
	}
}

// send must be called with Memory.mu held (for reading at least), so the
// channel is not closed meanwhile.
func (s *subscriber) send(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev.Lost = s.lost
	select {
	case s.ch <- ev:
		s.lost = 0
	default:
		s.lost++
	}
}

// Subscribe listens to one dialog, or to the whole project with dialogID 0.
// After Close, the channel is closed at once.
func (m *Memory) Subscribe(ctx context.Context, projectID, dialogID int64) (<-chan Event, func()) {
	s := &subscriber{ch: make(chan Event, m.buffer)}
	k := key{projectID, dialogID}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		close(s.ch)
		return s.ch, func() {}
	}
	if m.subs[k] == nil {
		m.subs[k] = map[*subscriber]struct{}{}
	}
	m.subs[k][s] = struct{}{}
	m.mu.Unlock()

	stop := func() { m.remove(k, s) }
	after := context.AfterFunc(ctx, stop)
	return s.ch, func() {
		after()
		stop()
	}
}

func (m *Memory) remove(k key, s *subscriber) {
	s.once.Do(func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if set := m.subs[k]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(m.subs, k)
			}
		}
		close(s.ch)
	})
}

// Close ends every subscription (their channels close) and makes later
// ones end at once, so streams finish when a server shuts down. Publish
// after Close does nothing.
func (m *Memory) Close() {
	m.mu.Lock()
	m.closed = true
	all := m.subs
	m.subs = map[key]map[*subscriber]struct{}{}
	m.mu.Unlock()
	for _, set := range all {
		for s := range set {
			s.once.Do(func() { close(s.ch) })
		}
	}
}

// Subscribers counts live subscriptions (for metrics and tests).
func (m *Memory) Subscribers() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, set := range m.subs {
		n += len(set)
	}
	return n
}
