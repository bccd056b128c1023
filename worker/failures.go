package worker

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/metrics"
)

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
