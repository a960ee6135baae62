package lambdaevent

import (
	"context"
	"errors"
	"runtime/debug"
)

// Recover turns a panic in the handler into a *PanicError carrying the stack, which the Logging
// middleware (or the Router) logs once. The error is retryable: a panic is a bug, and the
// dead-letter queue keeps the event for when it is fixed.
func Recover() Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = &PanicError{Value: v, Stack: debug.Stack()}
				}
			}()
			return next(ctx, msg)
		}
	}
}

func asPanic(err error) *PanicError {
	var p *PanicError
	if errors.As(err, &p) {
		return p
	}
	return nil
}
