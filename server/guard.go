package server

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/parleyhq/parley/store"
)

// Password guessing is slowed per email and per client address: each
// failed check takes a token from both buckets, and a check is refused
// (429, before the password is looked at) while either is empty. An email
// gets failedPerEmail tries at once, then one more every emailRefill; an
// address, shared by a whole office behind NAT, more. Successful checks
// take nothing. The buckets live in this process: N API processes allow N
// times as many guesses, still far too few to guess a password.
const (
	failedPerEmail = 5
	emailRefill    = time.Minute
	failedPerAddr  = 30
	addrRefill     = 2 * time.Second
	// maxGuarded bounds the buckets kept; when full, buckets back to
	// full are dropped first, everything if that is not enough.
	maxGuarded = 100_000
)

// PasswordGuard counts failed password checks; see the constants above.
type PasswordGuard struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	now     func() time.Time
}

// NewPasswordGuard returns an empty guard.
func NewPasswordGuard() *PasswordGuard {
	return &PasswordGuard{buckets: map[string]*rate.Limiter{}, now: time.Now}
}

// passwords guards every password check of this process: sign-in and
// Basic authentication on every dialect.
var passwords = NewPasswordGuard()

type clientAddrKey struct{}

// WithClientAddr keeps the client's address in ctx for CheckPassword.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// CheckPassword is db.Authenticate behind the process's PasswordGuard: a
// caller who failed too often lately gets ETOOMANY, saying when to retry,
// without the password being checked at all.
func CheckPassword(ctx context.Context, db store.Store, email, password string) (*store.User, error) {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return passwords.check(email, addr, func() (*store.User, error) { return db.Authenticate(ctx, email, password) })
}

func (g *PasswordGuard) check(email, addr string, authenticate func() (*store.User, error)) (*store.User, error) {
	keys := g.keys(email, addr)
	if wait := g.wait(keys); wait > 0 {
		return nil, &store.Error{Code: store.ETOOMANY, RetryAfter: wait, Message: fmt.Sprintf(
			"Too many failed sign-ins for this email or address; try again in %d seconds.", int(math.Ceil(wait.Seconds())))}
	}
	user, err := authenticate()
	if store.ErrorCode(err) == store.EUNAUTHORIZED {
		g.failed(keys)
	}
	return user, err
}

type guardKey struct {
	key    string
	burst  int
	refill time.Duration
}

func (g *PasswordGuard) keys(email, addr string) []guardKey {
	keys := []guardKey{{"email:" + strings.ToLower(strings.TrimSpace(email)), failedPerEmail, emailRefill}}
	if addr != "" {
		keys = append(keys, guardKey{"addr:" + addr, failedPerAddr, addrRefill})
	}
	return keys
}

// wait is how long until every bucket of keys holds a token; 0 when each does.
func (g *PasswordGuard) wait(keys []guardKey) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	var longest time.Duration
	for _, k := range keys {
		b, ok := g.buckets[k.key]
		if !ok {
			continue
		}
		if short := 1 - b.TokensAt(now); short > 0 {
			longest = max(longest, time.Duration(short*float64(k.refill)))
		}
	}
	return longest
}

// failed takes a token from each bucket of keys.
func (g *PasswordGuard) failed(keys []guardKey) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for _, k := range keys {
		b, ok := g.buckets[k.key]
		if !ok {
			g.makeRoom(now)
			b = rate.NewLimiter(rate.Every(k.refill), k.burst)
			g.buckets[k.key] = b
		}
		b.AllowN(now, 1)
	}
}

// makeRoom drops buckets that are full again when the guard is at its bound.
func (g *PasswordGuard) makeRoom(now time.Time) {
	if len(g.buckets) < maxGuarded {
		return
	}
	for k, b := range g.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(g.buckets, k)
		}
	}
	if len(g.buckets) >= maxGuarded {
		clear(g.buckets)
	}
}
