package lambdaevent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
)

// DefaultRetention is how long a completed event ID is remembered. It is longer than
// EventBridge's and Lambda's retry windows (24 hours and 6 hours).
const DefaultRetention = 7 * 24 * time.Hour

// ErrInProgress means another delivery of the same event holds the claim. It is retryable: the
// retry finds the event done, or takes it over when the other delivery's lease ran out.
var ErrInProgress = errors.New("event is being processed by another delivery")

// Idempotency runs the handler at most once per event ID for consumer (until DefaultRetention).
// It claims the key "consumer/event_id" in store with a lease: a concurrent delivery gets an error
// wrapping ErrInProgress (retryable), and a delivery of a completed event returns nil without
// running the handler. When the handler fails, the claim is released so that a retry can run.
// lease must exceed the handler's timeout, or a slow handler may run twice. When the context has
// a deadline (Lambda's), the lease is cut to the time left plus LeaseMargin: the handler cannot
// outlive its invocation, and a delivery that died with its process (a crash, kill -9, a Lambda
// timeout) then frees the event for the next retry instead of blocking it for the whole lease.
// now is the clock.
//
// An event replayed from an archive is a deliberate re-run: its key also names the replay
// ("consumer/replay/NAME/event_id"), so each replay processes each event once.
//
// Idempotency panics when store is nil, consumer is empty or lease is not positive: these are
// mistakes in a composition root, found at start-up.
func Idempotency(store idempotency.Store, consumer string, lease time.Duration, now func() time.Time) Middleware {
	switch {
	case store == nil:
		panic("lambdaevent: Idempotency: nil store")
	case consumer == "":
		panic("lambdaevent: Idempotency: empty consumer name")
	case lease <= 0:
		panic(fmt.Sprintf("lambdaevent: Idempotency: lease %v is not positive", lease))
	}
	if now == nil {
		now = time.Now
	}
	return func(next Handler) Handler {
		return func(ctx context.Context, msg Message) error {
			id := msg.Event.Meta().EventID
			if id == "" {
				return Permanent(errors.New("claim event: empty event_id"))
			}
			key := Key(consumer, msg)
			owner := ownerID(ctx)
			res, err := store.Claim(ctx, key, owner, now(), leaseFor(ctx, lease))
			if err != nil {
				return fmt.Errorf("claim event %s: %w", id, err)
			}
			switch res {
			case idempotency.Done:
				LoggerFrom(ctx).InfoContext(ctx, "skipped duplicate event", slog.String("consumer", consumer))
				return nil
			case idempotency.InProgress:
				return fmt.Errorf("claim event %s: %w", id, ErrInProgress)
			}
			if err := runReleasing(ctx, next, msg, store, key, owner); err != nil {
				return err
			}
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := store.Complete(cctx, key, owner, now(), DefaultRetention); err != nil {
				// The work is done and a retry cannot improve on it: the claim lapses with its
				// lease, and consumers downstream deduplicate the (deterministic) events published.
				LoggerFrom(ctx).WarnContext(ctx, "handled event but could not mark it done", slog.Any("error", err))
			}
			return nil
		}
	}
}

// LeaseMargin is added to an invocation's remaining time to make its idempotency lease.
const LeaseMargin = 5 * time.Second

// leaseFor returns lease, cut to the context's remaining time plus LeaseMargin.
func leaseFor(ctx context.Context, lease time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) + LeaseMargin; left > 0 && left < lease {
			return left
		}
	}
	return lease
}

// runReleasing runs next and releases the claim when it fails or panics (the panic goes on to
// Recover), so that a retry can run at once.
func runReleasing(ctx context.Context, next Handler, msg Message, store idempotency.Store, key, owner string) (err error) {
	release := func() error {
		// The invocation's context may be done (a timeout); releasing must still happen.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return store.Release(rctx, key, owner)
	}
	defer func() {
		if v := recover(); v != nil {
			if rerr := release(); rerr != nil {
				LoggerFrom(ctx).ErrorContext(ctx, "release event after panic", slog.Any("error", rerr))
			}
			panic(v)
		}
	}()
	if err := next(ctx, msg); err != nil {
		if rerr := release(); rerr != nil {
			return errors.Join(err, fmt.Errorf("release event %s: %w", msg.Event.Meta().EventID, rerr))
		}
		return err
	}
	return nil
}

// Key returns the idempotency key of msg for consumer.
func Key(consumer string, msg Message) string {
	id := msg.Event.Meta().EventID
	if msg.ReplayName != "" {
		return consumer + "/replay/" + msg.ReplayName + "/" + id
	}
	return consumer + "/" + id
}

// ownerID names this delivery: the Lambda request ID, or a random ID outside Lambda.
func ownerID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID + "/" + randomID()
	}
	return randomID()
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
