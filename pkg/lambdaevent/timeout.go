package lambdaevent

import (
	"context"
	"fmt"
	"time"
)

// Timeout gives the handler a context that ends after d, or earlier when the invocation's own
// deadline (Lambda's) comes first. It does not abandon the handler: the handler must watch its
// context. If the handler fails after the deadline passed, the error says so.
func Timeout(d time.Duration) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) error {
			if d <= 0 {
				return next(ctx, msg)
			}
			ctx, cancel := context.WithTimeoutCause(ctx, d, fmt.Errorf("handler timeout %v: %w", d, context.DeadlineExceeded))
			defer cancel()
			err := next(ctx, msg)
			if err != nil && ctx.Err() != nil {
				if cause := context.Cause(ctx); cause != nil && cause != err {
					return fmt.Errorf("%w (%v)", err, cause)
				}
			}
			return err
		}
	}
}
