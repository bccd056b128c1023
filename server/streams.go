package server

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// DefaultStreamsPerKey is how many event streams and WebSockets one
// credential may hold open at once unless PARLEY_STREAMS_PER_KEY says
// otherwise: enough for an operator's tabs and a few services, far from
// the thousands that would each hold a goroutine, a bus subscription and
// a connection.
const DefaultStreamsPerKey = 20

// streamRetryAfter is the Retry-After of a refused stream: a slot frees
// when another stream of the key closes, which no clock says, so it is a
// pause for the client rather than a promise.
const streamRetryAfter = 10 * time.Second

// ParseStreamsPerKey reads PARLEY_STREAMS_PER_KEY for Deps.StreamsPerKey:
// "" is the default, "0" or "off" no cap, else a whole number.
func ParseStreamsPerKey(v string) (int, error) {
	switch v = strings.TrimSpace(v); v {
	case "":
		return 0, nil
	case "0", "off":
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not how many streams one key may hold open, like 20 (or off)", v)
	}
	return n, nil
}

// openStreams counts the open streams of each key against a cap. The
// counts live in this process: N `parley serve` processes behind a
// balancer allow N times the cap. It is safe for concurrent use.
type openStreams struct {
	max  int
	mu   sync.Mutex
	open map[string]int
}

// newOpenStreams caps each key at perKey (0: DefaultStreamsPerKey); nil,
// which caps nothing, for a negative perKey.
func newOpenStreams(perKey int) *openStreams {
	if perKey < 0 {
		return nil
	}
	if perKey == 0 {
		perKey = DefaultStreamsPerKey
	}
	return &openStreams{max: perKey, open: map[string]int{}}
}

// acquire takes one of key's slots; release gives it back and may be
// called more than once. ETOOMANY, saying how many are open, when key has
// them all.
func (s *openStreams) acquire(key string) (release func(), err error) {
	if s == nil {
		return func() {}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.open[key]; n >= s.max {
		return nil, &store.Error{Code: store.ETOOMANY, RetryAfter: streamRetryAfter, Message: fmt.Sprintf(
			"Too many open streams: these credentials hold %d event streams or WebSockets open, and at most %d may be open at once "+
				"(PARLEY_STREAMS_PER_KEY). Close one you no longer read, then connect again.", n, s.max)}
	}
	s.open[key]++
	var once sync.Once
	return func() { once.Do(func() { s.release(key) }) }, nil
}

func (s *openStreams) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[key]--; s.open[key] <= 0 {
		delete(s.open, key) // the map holds only keys with streams open
	}
}

// OpenStream takes one of key's stream slots for an event stream or a
// WebSocket the request is about to open; the handler defers release,
// which frees the slot when the client goes away. ETOOMANY when key holds
// as many as Deps.StreamsPerKey allows: render it in the dialect's shape
// before anything is written.
func (d Deps) OpenStream(key string) (release func(), err error) {
	return d.streams.acquire(key)
}

// StreamKey is the key whose streams a request counts against: its
// authenticated caller (an API key, or a user), as CallerKey keys it.
func StreamKey(c *gin.Context) string { return CallerKey(c) }

// VisitorStreamKey is the key of a widget visitor's streams: the dialog
// their visitor token (or the page's site token) opens, since a site
// token is shared by every visitor of a site.
func VisitorStreamKey(dialogUUID string) string { return "visitor:" + dialogUUID }
