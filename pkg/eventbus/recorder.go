package eventbus

import (
	"context"
	"log/slog"
	"sync"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// Recorder is an in-memory Publisher for unit tests. Like the EventBridge adapter it checks each
// event against the contract and applies the circuit breaker; it stores a decoded copy of each
// event, so later changes to the published value do not show.
type Recorder struct {
	// Err, when set, is returned by Publish instead of recording, to test failure paths.
	Err error
	// Logger receives the circuit breaker's warnings; nil means discard.
	Logger *slog.Logger

	mu     sync.Mutex
	events []v1.Event
}

var _ Publisher = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Publish records events, or returns Err, or an error wrapping ErrInvalidEvent naming the field
// when an event breaks the contract (then nothing is recorded).
func (r *Recorder) Publish(ctx context.Context, events ...v1.Event) error {
	if r.Err != nil {
		return r.Err
	}
	logger := r.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	events = breaker(ctx, logger, events)
	copies := make([]v1.Event, 0, len(events))
	for _, e := range events {
		_, c, err := encodeEvent(e)
		if err != nil {
			return err
		}
		copies = append(copies, c)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, copies...)
	return nil
}

// Events returns the events published so far, in order.
func (r *Recorder) Events() []v1.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]v1.Event(nil), r.events...)
}

// OfType returns the published events of type t, in order.
func (r *Recorder) OfType(t v1.DetailType) []v1.Event {
	var out []v1.Event
	for _, e := range r.Events() {
		if e.DetailType() == t {
			out = append(out, e)
		}
	}
	return out
}

// Reset forgets the published events.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}
