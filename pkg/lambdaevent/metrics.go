package lambdaevent

import (
	"context"
	"time"

	"github.com/alchemiser/alchemiser/pkg/emf"
)

// Metric names written by the Metrics middleware, with the dimension DetailType.
const (
	MetricInvocations = "Invocations"
	MetricErrors      = "Errors"
	MetricDuration    = "Duration"
	DimensionDetail   = "DetailType"
)

// Metrics records, per detail-type, one invocation, an error count (0 or 1) and the duration in
// milliseconds, and flushes m after each invocation (a Lambda may be frozen right after it
// returns). A flush error is ignored: metrics must not fail the invocation.
func Metrics(m *emf.Recorder) Middleware {
	return MetricsWithClock(m, time.Now)
}

// MetricsWithClock is Metrics with a clock, for deterministic tests.
func MetricsWithClock(m *emf.Recorder, now func() time.Time) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) error {
			if m == nil {
				return next(ctx, msg)
			}
			start := now()
			err := next(context.WithValue(ctx, metricsKey{}, m), msg)
			dim := emf.Dimension{Name: DimensionDetail, Value: string(msg.Event.DetailType())}
			m.Put(MetricInvocations, 1, emf.Count, dim)
			errs := 0.0
			if err != nil {
				errs = 1
			}
			m.Put(MetricErrors, errs, emf.Count, dim)
			m.Put(MetricDuration, float64(now().Sub(start).Microseconds())/1000, emf.Milliseconds, dim)
			_ = m.Flush()
			return err
		}
	}
}

type metricsKey struct{}

// MetricsFrom returns the Recorder of the Metrics middleware running this invocation, or nil.
// A handler puts its business figures on it (orders filled, account equity); the middleware
// flushes them with the invocation's own.
func MetricsFrom(ctx context.Context) *emf.Recorder {
	m, _ := ctx.Value(metricsKey{}).(*emf.Recorder)
	return m
}
