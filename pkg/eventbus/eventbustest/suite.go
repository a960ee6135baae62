package eventbustest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/eventbus"
)

// Subject is a publisher under test and a way to read back what it delivered.
type Subject struct {
	Publisher eventbus.Publisher
	// Delivered returns the events that reached the bus, in order.
	Delivered func() ([]v1.Event, error)
}

// Run runs the publisher contract suite; newSubject makes a fresh publisher for each subtest.
func Run(t *testing.T, newSubject func(t *testing.T) Subject) {
	ctx := context.Background()
	check := func(t *testing.T, s Subject, want []v1.Event) {
		t.Helper()
		got, err := s.Delivered()
		if err != nil {
			t.Fatalf("read delivered events: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("delivered events (-want +got):\n%s", diff)
		}
	}
	t.Run("EveryEventTypeRoundTrips", func(t *testing.T) {
		s := newSubject(t)
		all := v1example.All()
		if err := s.Publisher.Publish(ctx, all...); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		check(t, s, all)
	})
	t.Run("ManyEventsKeepOrder", func(t *testing.T) {
		s := newSubject(t)
		var want []v1.Event
		for i := range 23 {
			e := v1example.WorkflowStarted()
			e.EventID = v1.DeriveID("suite", string(rune('a'+i)))
			want = append(want, e)
		}
		if err := s.Publisher.Publish(ctx, want...); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		check(t, s, want)
	})
	t.Run("NothingToPublish", func(t *testing.T) {
		s := newSubject(t)
		if err := s.Publisher.Publish(ctx); err != nil {
			t.Fatalf("Publish(): %v", err)
		}
		check(t, s, nil)
	})
	t.Run("InvalidEventIsRejectedBeforeSending", func(t *testing.T) {
		s := newSubject(t)
		bad := v1example.ErrorNotificationRequested()
		bad.Message = ""
		err := s.Publisher.Publish(ctx, v1example.WorkflowStarted(), bad)
		if !errors.Is(err, eventbus.ErrInvalidEvent) {
			t.Fatalf("Publish of an event without message: got %v, want ErrInvalidEvent", err)
		}
		check(t, s, nil)
	})
	t.Run("CircuitBreaker", func(t *testing.T) {
		s := newSubject(t)
		hctx := eventbus.WithHandling(ctx, v1.TypeErrorNotificationRequested)
		other := v1example.TradingNotificationRequested()
		if err := s.Publisher.Publish(hctx, v1example.ErrorNotificationRequested(), v1example.StepFailed(),
			v1example.WorkflowFailed(), other); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		check(t, s, []v1.Event{other})
		// Handling anything else, failures are reported.
		failures := []v1.Event{v1example.ErrorNotificationRequested(), v1example.StepFailed()}
		if err := s.Publisher.Publish(eventbus.WithHandling(ctx, v1.TypeTradeExecuted), failures...); err != nil {
			t.Fatalf("Publish: %v", err)
		}
		check(t, s, append([]v1.Event{other}, failures...))
	})
}
