package server

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley/store"
)

// RouteLimit is a budget of requests: N per Period, for each key (a
// client address, a caller). A zero N sets no limit.
type RouteLimit struct {
	N      int
	Period time.Duration
}

// ParseRouteLimits reads "name=N/period,..." (periods as time.ParseDuration
// takes them, or a bare unit: 5/m, 100/1m, 3/10m), e.g.
// PARLEY_ROUTE_LIMITS="login=5/5m,api=100/1m". "name=off" sets no limit.
func ParseRouteLimits(v string) (map[string]RouteLimit, error) {
	out := map[string]RouteLimit{}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, spec, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not name=N/period, like login=5/5m", item)
		}
		if spec == "off" {
			out[name] = RouteLimit{}
			continue
		}
		n, period, ok := strings.Cut(spec, "/")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || count < 0 {
			return nil, fmt.Errorf("%q is not name=N/period, like login=5/5m", item)
		}
		if period != "" && !strings.ContainsAny(period[:1], "0123456789") {
			period = "1" + period // a bare unit: 100/m
		}
		d, err := time.ParseDuration(period)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q: the period %q is not a duration like 5m", item, period)
		}
		out[name] = RouteLimit{N: count, Period: d}
	}
	return out, nil
}

// RouteLimiter counts requests against a RouteLimit, one token bucket per
// key (x/time/rate): N at once, refilled over Period. The buckets live in
// this process, so N `parley serve` processes behind a balancer allow N
// times the budget. It is safe for concurrent use.
type RouteLimiter struct {
	limit   RouteLimit
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	now     func() time.Time
}

// NewRouteLimiter returns a limiter of l; nil for no limit.
func NewRouteLimiter(l RouteLimit) *RouteLimiter {
	if l.N <= 0 || l.Period <= 0 {
		return nil
	}
	return &RouteLimiter{limit: l, buckets: map[string]*rate.Limiter{}, now: time.Now}
}

// take spends a token of key's bucket: whether there was one, what is
// left, and when the bucket is full again.
func (l *RouteLimiter) take(key string) (ok bool, left int, full time.Time, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxGuarded {
			clear(l.buckets)
		}
		b = rate.NewLimiter(rate.Every(l.limit.Period/time.Duration(l.limit.N)), l.limit.N)
		l.buckets[key] = b
	}
	ok = b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	perToken := l.limit.Period / time.Duration(l.limit.N)
	full = now.Add(time.Duration((float64(l.limit.N) - tokens) * float64(perToken)))
	if !ok {
		wait = time.Duration((1 - tokens) * float64(perToken))
	}
	return ok, int(math.Floor(tokens)), full, wait
}

// Middleware limits the requests of each key(c): every answer carries
// X-RateLimit-Limit, -Remaining and -Reset (Unix seconds when the budget
// is whole again), and one over the budget is ETOOMANY with Retry-After,
// rendered by fail. A nil limiter lets everything through.
func (l *RouteLimiter) Middleware(key func(*gin.Context) string, fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if l == nil {
			return
		}
		ok, left, full, wait := l.take(key(c))
		h := c.Writer.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(l.limit.N))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(left))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(full.UnixNano())/1e9)), 10))
		if !ok {
			fail(c, l.tooMany(wait))
		}
	}
}

// tooMany is the ETOOMANY of a request over the budget.
func (l *RouteLimiter) tooMany(wait time.Duration) error {
	return &store.Error{Code: store.ETOOMANY, RetryAfter: wait, Message: fmt.Sprintf(
		"Too many requests: at most %d every %s. Retry in %d s (Retry-After).", l.limit.N, l.limit.Period, retryAfterSeconds(wait))}
}

// tooManyDialogs is the ETOOMANY of a dialog over the dialogs budget.
func (l *RouteLimiter) tooManyDialogs(wait time.Duration) error {
	return &store.Error{Code: store.ETOOMANY, RetryAfter: wait, Message: fmt.Sprintf(
		"Too many new dialogs: these credentials may create at most %d every %s (PARLEY_ROUTE_LIMITS %s=N/period). Retry in %d s (Retry-After).",
		l.limit.N, l.limit.Period, DialogLimitName, retryAfterSeconds(wait))}
}

// ClientKey keys a request by its client's address (the connection's, or
// X-Forwarded-For's from a trusted proxy only).
func ClientKey(c *gin.Context) string { return "addr:" + c.ClientIP() }

// CallerKey keys a request by its caller once authenticated (the API key
// or the user), else by its client's address.
func CallerKey(c *gin.Context) string {
	v, ok := c.Get(callerKey)
	if !ok {
		return ClientKey(c)
	}
	return v.(Caller).bucketKey()
}

// bucketKey is the caller's key in a RouteLimiter: its API key, or its
// user.
func (c Caller) bucketKey() string {
	if c.APIKeyID != 0 {
		return "key:" + strconv.FormatInt(c.APIKeyID, 10)
	}
	return "user:" + strconv.FormatInt(c.UserID, 10)
}
