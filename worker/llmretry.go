package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/netguard"
)

// Model calls are retried by the retry policies of the activities that
// make them, and only there: the llm provider makes one attempt per call.
// These bound how long a retry may wait for a provider that asks for time
// (Retry-After); one asking for longer fails the call now and says why.
const (
	// maxChatRetryDelay: a dialog's turn waits for this answer, so a
	// person is waiting too.
	maxChatRetryDelay = time.Minute
	// maxIndexRetryDelay: indexing runs in the background.
	maxIndexRetryDelay = 10 * time.Minute
)

// modelError hands a failed model call to the activity's retry policy: a
// request the provider refused (a 4xx other than 408 and 429) or
// redirected, or an address the guard refused, is not retried, and a
// transient failure whose provider said when to try again is retried then,
// or not at all when that is later than maxDelay. Other errors, and those
// of a call whose activity is ending, are returned as they are.
func modelError(ctx context.Context, err error, maxDelay time.Duration) error {
	var e *llm.Error
	if err == nil || ctx.Err() != nil || !errors.As(err, &e) {
		return err
	}
	switch {
	case llm.IsRejected(err) || errors.Is(err, netguard.ErrRefused):
		return temporal.NewNonRetryableApplicationError(err.Error(), engine.ErrLLMRejected, nil)
	case e.RetryAfter > maxDelay:
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%v (the provider asks to wait %v before trying again)", err, e.RetryAfter), engine.ErrLLMRejected, nil)
	case e.RetryAfter > 0 && llm.IsRetryable(err):
		return temporal.NewApplicationErrorWithOptions(err.Error(), engine.ErrLLMRetryLater,
			temporal.ApplicationErrorOptions{NextRetryDelay: e.RetryAfter})
	}
	return err
}

// keepAlive heartbeats until stop is called, so that the activity's
// heartbeat timeout notices a worker that died, not a model slow to answer:
// without it, a model thinking longer than the timeout before its first
// token would have the call retried while it still runs.
func keepAlive(ctx context.Context) (stop func()) {
	timeout := activity.GetInfo(ctx).HeartbeatTimeout
	if timeout <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(timeout / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}
