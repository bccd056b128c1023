// Package wait has the one way Parley's loops pause: for a while, or
// until their context ends.
package wait

import (
	"context"
	"time"
)

// For waits d, or reports false when ctx ends first.
func For(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
