package lambdaevent

import (
	"context"
	"fmt"
	"time"
)

// DeadlineMargin is the time Timeout keeps back before the invocation's own deadline (Lambda's),
// so that after the handler gives up there is still time to release its idempotency claim and
// log the error before Lambda stops the process.
const DeadlineMargin = 500 * time.Millisecond

// Timeout gives the handler a context that ends after d, or DeadlineMargin before the
// invocation's own deadline when that comes first. It does not abandon the handler: the handler
// must watch its context. If the handler fails after the deadline passed, the error says which
// deadline it was. d <= 0 applies only the invocation's deadline (with the margin).
func Timeout(d time.Duration) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) error {
			deadline, cause, ok := handlerDeadline(ctx, d)
			if !ok {
				return next(ctx, msg)
			}
			ctx, cancel := context.WithDeadlineCause(ctx, deadline, cause)
			defer cancel()
			err := next(ctx, msg)
			if err != nil && ctx.Err() != nil {
				if c := context.Cause(ctx); c != nil && c != err {
					return fmt.Errorf("%w (%v)", err, c)
				}
			}
			return err
		}
	}
}

// handlerDeadline returns the earlier of now+d and the parent's deadline less DeadlineMargin,
// and the cause to report when it passes.
func handlerDeadline(ctx context.Context, d time.Duration) (time.Time, error, bool) {
	var deadline time.Time
	var cause error
	if d > 0 {
		deadline = time.Now().Add(d)
		cause = fmt.Errorf("handler timeout %v: %w", d, context.DeadlineExceeded)
	}
	if parent, ok := ctx.Deadline(); ok {
		// A parent with less than the margin left keeps its own deadline.
		if early := parent.Add(-DeadlineMargin); time.Until(early) > 0 && (deadline.IsZero() || early.Before(deadline)) {
			deadline = early
			cause = fmt.Errorf("invocation deadline less %v: %w", DeadlineMargin, context.DeadlineExceeded)
		}
	}
	return deadline, cause, !deadline.IsZero()
}
