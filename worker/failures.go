package worker

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/parleyhq/parley/metrics"
)

// heartbeatEvery is the longest the SDK may hold an activity's heartbeat
// back. Its own bound is 80% of the heartbeat timeout, which leaves a
// busy machine 20% (6 s of a model call's 30) before a call still running
// is deemed dead and run again; CI saw a slow model asked twice that way.
const heartbeatEvery = 5 * time.Second

// Options are the worker options of every worker that runs Register's
// workflow and activities: Interceptors(m), and heartbeats sent at least
// every heartbeatEvery.
func Options(m *metrics.Metrics) sdkworker.Options {
	return sdkworker.Options{Interceptors: Interceptors(m), MaxHeartbeatThrottleInterval: heartbeatEvery}
}

// Interceptors are the worker's interceptors: one counts every failed
// activity attempt, by activity and whether Temporal retries it. Set them
// as worker.Options.Interceptors of every worker that runs Register's
// activities.
func Interceptors(m *metrics.Metrics) []interceptor.WorkerInterceptor {
	if m == nil {
		return nil
	}
	return []interceptor.WorkerInterceptor{&failureCounter{m: m}}
}

type failureCounter struct {
	interceptor.WorkerInterceptorBase
	m *metrics.Metrics
}

func (f *failureCounter) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &activityFailures{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, m: f.m}
}

type activityFailures struct {
	interceptor.ActivityInboundInterceptorBase
	m *metrics.Metrics
}

func (a *activityFailures) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	out, err := a.Next.ExecuteActivity(ctx, in)
	if err != nil && !errors.Is(err, activity.ErrResultPending) {
		var app *temporal.ApplicationError
		final := errors.As(err, &app) && app.NonRetryable()
		a.m.ActivityFailed(activity.GetInfo(ctx).ActivityType.Name, !final)
	}
	return out, err
}
