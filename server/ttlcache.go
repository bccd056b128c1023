package server

import (
	"sync"
	"time"
)

// ttlCache remembers lookups for originTTL within one epoch (see
// ForgetOrigins); failed lookups are not kept. Past maxCachedOrigins
// entries it starts over. It is safe for concurrent use.
type ttlCache[K comparable, V any] struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	value   V
	expires time.Time
	epoch   uint64
}

func newTTLCache[K comparable, V any]() *ttlCache[K, V] {
	return &ttlCache[K, V]{now: time.Now, entries: map[K]ttlEntry[V]{}}
}

// get returns key's value, from the cache when it was looked up in this
// epoch within originTTL, else from lookup.
func (c *ttlCache[K, V]) get(key K, epoch uint64, lookup func() (V, error)) (V, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && e.epoch == epoch && c.now().Before(e.expires) {
		return e.value, nil
	}
	v, err := lookup()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedOrigins {
		clear(c.entries)
	}
	c.entries[key] = ttlEntry[V]{value: v, expires: c.now().Add(originTTL), epoch: epoch}
	return v, nil
}
