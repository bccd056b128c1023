package server

import (
	"math"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

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

// newRequestLimiter is the RouteLimiter of a RequestRate: Burst requests
// at once, refilled at PerSecond. nil for no limit.
func newRequestLimiter(r RequestRate) *RouteLimiter {
	if r.PerSecond <= 0 {
		return nil
	}
	burst := max(r.Burst, 1)
	return NewRouteLimiter(RouteLimit{N: burst, Period: time.Duration(float64(burst) / r.PerSecond * float64(time.Second))})
}

// checkCaller takes a token of an authenticated caller's bucket (keyed as
// CallerKey keys it); ETOOMANY, with how long to wait, when there is
// none. A nil limiter allows everything.
func (l *RouteLimiter) checkCaller(caller Caller) error {
	if l == nil {
		return nil
	}
	if ok, _, _, wait := l.take(caller.bucketKey()); !ok {
		return l.tooMany(wait)
	}
	return nil
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
