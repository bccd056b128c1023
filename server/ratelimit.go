package server

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley/store"
)

// RequestRate is how many requests one credential (an API key, a user's
// password or session) may make: PerSecond on average and Burst at once.
// A zero PerSecond sets no limit. Over it a request is 429 with
// Retry-After, in its dialect's error shape (PARLEY_RATE_LIMIT).
type RequestRate struct {
	PerSecond float64
	Burst     int
}

// requestLimiter keeps a token bucket per credential (x/time/rate: a
// well-kept bucket, not a hand-written one). The buckets live in this
// process: N API processes allow N times the rate.
type requestLimiter struct {
	rate    RequestRate
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	now     func() time.Time
}

func newRequestLimiter(r RequestRate) *requestLimiter {
	if r.PerSecond <= 0 {
		return nil
	}
	r.Burst = max(r.Burst, 1)
	return &requestLimiter{rate: r, buckets: map[string]*rate.Limiter{}, now: time.Now}
}

// check takes a token of the caller's bucket; ETOOMANY, with how long to
// wait, when there is none. A nil limiter allows everything.
func (l *requestLimiter) check(caller Caller) error {
	if l == nil {
		return nil
	}
	key := "user:" + strconv.FormatInt(caller.UserID, 10)
	if caller.APIKeyID != 0 {
		key = "key:" + strconv.FormatInt(caller.APIKeyID, 10)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxGuarded {
			clear(l.buckets) // a full bucket for everyone: at worst a burst more
		}
		b = rate.NewLimiter(rate.Limit(l.rate.PerSecond), l.rate.Burst)
		l.buckets[key] = b
	}
	if b.AllowN(now, 1) {
		return nil
	}
	wait := time.Duration((1 - b.TokensAt(now)) / l.rate.PerSecond * float64(time.Second))
	return &store.Error{Code: store.ETOOMANY, RetryAfter: wait, Message: fmt.Sprintf(
		"Too many requests with this credential: at most %g a second, %d at once. Retry in %d s (Retry-After).",
		l.rate.PerSecond, l.rate.Burst, retryAfterSeconds(wait))}
}

// retryAfterSeconds is a wait in whole seconds, at least 1, as
// Retry-After counts it.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// setRetryAfter sets Retry-After for an error that says how long to wait.
func setRetryAfter(c *gin.Context, err error) {
	if e := store.ErrorOf(err); e != nil && e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(retryAfterSeconds(e.RetryAfter)))
	}
}
