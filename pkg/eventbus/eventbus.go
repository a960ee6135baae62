// Package eventbus publishes Alchemiser events to EventBridge: the Publisher port, the EventBridge
// adapter on aws-sdk-go-v2 (batching, partial-failure retries, a configurable endpoint for the
// local bus), an in-memory Recorder for unit tests, and the circuit breaker that keeps error
// notifications from feeding on themselves.
//
// Every publisher checks each event before it leaves: the event is marshalled and decoded again
// with the contract's strict decoder, so a producer bug fails at the producer with a message
// naming the field instead of in a consumer's dead-letter queue.
package eventbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// Publisher publishes events to the bus. Publish returns when every event was accepted, or an
// error; a retried Publish is safe because consumers deduplicate on the (deterministic) event ID.
type Publisher interface {
	Publish(ctx context.Context, events ...v1.Event) error
}

// ErrInvalidEvent marks an event that breaks the contract and was not published. Retrying does
// not help.
var ErrInvalidEvent = errors.New("invalid event")

// encodeEvent marshals e and checks it with the contract's strict decoder, returning the JSON
// detail and the decoded copy.
func encodeEvent(e v1.Event) ([]byte, v1.Event, error) {
	if e == nil {
		return nil, nil, fmt.Errorf("publish: nil event: %w", ErrInvalidEvent)
	}
	detail, err := v1.Marshal(e)
	if err != nil {
		return nil, nil, fmt.Errorf("publish %s: %w: %w", e.DetailType(), ErrInvalidEvent, err)
	}
	c, _, err := v1.DecodeDetail(detail)
	if err != nil {
		return nil, nil, fmt.Errorf("publish %s %s: %w: %w", e.DetailType(), e.Meta().EventID, ErrInvalidEvent, err)
	}
	return detail, c, nil
}

type handlingKey struct{}

// WithHandling returns a copy of ctx that records that the event of type t is being handled.
// pkg/lambdaevent's Router calls it for every invocation; the circuit breaker reads it.
func WithHandling(ctx context.Context, t v1.DetailType) context.Context {
	return context.WithValue(ctx, handlingKey{}, t)
}

// Handling returns the detail-type of the event being handled in ctx, if any.
func Handling(ctx context.Context) (v1.DetailType, bool) {
	t, ok := ctx.Value(handlingKey{}).(v1.DetailType)
	return t, ok
}

// tripped reports whether publishing e in ctx is forbidden by the circuit breaker: while an
// ErrorNotificationRequested is being handled, no event that reports a failure may be published.
// An ErrorNotificationRequested would notify about the notification directly; a StepFailed or
// WorkflowFailed would make the orchestrator do so one hop later.
func tripped(ctx context.Context, e v1.Event) bool {
	if e == nil {
		return false
	}
	if t, ok := Handling(ctx); !ok || Reportable(t) {
		return false
	}
	switch e.DetailType() {
	case v1.TypeErrorNotificationRequested, v1.TypeStepFailed, v1.TypeWorkflowFailed:
		return true
	}
	return false
}

// Reportable reports whether a failure to handle an event of type t may be reported with an
// error notification (directly, or through StepFailed or WorkflowFailed). It is false only for
// ErrorNotificationRequested: nothing notifies about an error notification. Code that reports
// failures from outside a handler, such as a dead-letter queue monitor, asks it too.
func Reportable(t v1.DetailType) bool { return t != v1.TypeErrorNotificationRequested }

// breaker drops the events that the circuit breaker forbids, logging each, and returns the rest.
// It does not modify events.
func breaker(ctx context.Context, logger *slog.Logger, events []v1.Event) []v1.Event {
	var keep []v1.Event
	for i, e := range events {
		if !tripped(ctx, e) {
			if keep != nil {
				keep = append(keep, e)
			}
			continue
		}
		if keep == nil {
			keep = append(make([]v1.Event, 0, len(events)), events[:i]...)
		}
		logger.WarnContext(ctx, "circuit breaker dropped a failure event published while handling an error notification",
			slog.String("dropped_detail_type", string(e.DetailType())), slog.String("dropped_event_id", e.Meta().EventID),
			slog.String("dropped_code", codeOf(e)))
	}
	if keep == nil {
		return events
	}
	return keep
}

func codeOf(e v1.Event) string {
	switch x := e.(type) {
	case *v1.ErrorNotificationRequested:
		return x.Code
	case *v1.StepFailed:
		return x.Code
	}
	return ""
}

// Guard wraps p with the circuit breaker: while an ErrorNotificationRequested is being handled
// (see WithHandling), publishing another ErrorNotificationRequested, or a StepFailed or
// WorkflowFailed that would lead to one, drops the event and logs a warning instead. The EventBridge adapter and the Recorder apply the same rule themselves; Guard is for
// other publishers.
func Guard(p Publisher, logger *slog.Logger) Publisher {
	if logger == nil {
		logger = slog.Default()
	}
	return guard{next: p, logger: logger}
}

type guard struct {
	next   Publisher
	logger *slog.Logger
}

// Publish drops the events the circuit breaker forbids and publishes the rest.
func (g guard) Publish(ctx context.Context, events ...v1.Event) error {
	events = breaker(ctx, g.logger, events)
	if len(events) == 0 {
		return nil
	}
	return g.next.Publish(ctx, events...)
}
