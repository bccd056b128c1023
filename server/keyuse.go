package server

import (
	"context"
	"sync"
	"time"

	"github.com/parleyhq/parley/store"
)

// An API key's last_used_at is written from the auth path, but at most
// once per keyUseInterval per key in this process: a key calling on every
// request costs a write a minute, not a write a request. So last_used_at
// is when the key was last used to within keyUseInterval; N processes
// write it up to N times a minute, and the store never moves it back.
const keyUseInterval = time.Minute

// maxKeyUses bounds a keyUses: when full, entries older than
// keyUseInterval are dropped first, everything if that is not enough.
const maxKeyUses = 10_000

// keyUses remembers when this process last wrote each key's last_used_at.
type keyUses struct {
	now     func() time.Time
	mu      sync.Mutex
	written map[keyUse]time.Time
}

// keyUse names a key by its id and creation time: SQLite can give a
// deleted key's id to the next key made, which must not inherit the
// deleted one's last write.
type keyUse struct {
	id      int64
	created int64 // Unix microseconds
}

func newKeyUses() *keyUses {
	return &keyUses{now: time.Now, written: map[keyUse]time.Time{}}
}

// apiKeyUses are the key uses of every authentication of this process.
var apiKeyUses = newKeyUses()

// record writes the caller's key's last_used_at unless this process did
// within keyUseInterval. A caller that is not an API key is no key use. A
// failed write is returned and forgotten, so the next request tries again.
func (u *keyUses) record(ctx context.Context, db store.Store, caller Caller) error {
	if caller.APIKeyID == 0 {
		return nil
	}
	k := keyUse{id: caller.APIKeyID, created: caller.keyCreated.UnixMicro()}
	now, ok := u.claim(k)
	if !ok {
		return nil
	}
	err := db.TouchAPIKey(ctx, k.id, now)
	if err != nil && store.ErrorCode(err) != store.ENOTFOUND { // deleted meanwhile: nothing to record
		u.release(k, now)
		return err
	}
	return nil
}

// claim notes a write of k now, unless one was noted within keyUseInterval.
// Noting it before writing makes concurrent requests of one key write once.
func (u *keyUses) claim(k keyUse) (time.Time, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.now()
	if last, ok := u.written[k]; ok && now.Sub(last) < keyUseInterval {
		return now, false
	}
	if len(u.written) >= maxKeyUses {
		for old, at := range u.written {
			if now.Sub(at) >= keyUseInterval {
				delete(u.written, old)
			}
		}
		if len(u.written) >= maxKeyUses {
			clear(u.written)
		}
	}
	u.written[k] = now
	return now, true
}

// release forgets the write claim noted at, unless a later one replaced it.
func (u *keyUses) release(k keyUse, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.written[k].Equal(at) {
		delete(u.written, k)
	}
}
