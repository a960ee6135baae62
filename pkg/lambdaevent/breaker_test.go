package lambdaevent_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/eventbus/eventbustest"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

// notifyOnFailure is what a service's error path does: on failure, ask for an error notification.
func notifyOnFailure(pub eventbus.Publisher) lambdaevent.Handler {
	return func(ctx context.Context, msg lambdaevent.Message) error {
		n := v1example.ErrorNotificationRequested()
		n.EventID = v1.DeriveEventID(msg.Event.Meta().EventID, v1.TypeErrorNotificationRequested)
		n.CausationID = msg.Event.Meta().EventID
		if err := pub.Publish(ctx, n); err != nil {
			return err
		}
		return errors.New("failed")
	}
}

func TestCircuitBreaker(t *testing.T) {
	srv := eventbustest.NewServer(t)
	adapter, err := eventbus.New(context.Background(), eventbus.Config{BusName: "b", Endpoint: srv.URL},
		eventbus.WithBackoff(func(int) time.Duration { return 0 }))
	if err != nil {
		t.Fatal(err)
	}
	rec := eventbus.NewRecorder()
	publishers := map[string]publisherUnderTest{
		"recorder":    {rec, func() int { return len(rec.Events()) }},
		"eventbridge": {adapter, func() int { return len(srv.Accepted()) }},
	}
	for name, p := range publishers {
		t.Run(name, func(t *testing.T) {
			r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Recover())
			r.Handle(v1.TypeErrorNotificationRequested, notifyOnFailure(p.pub))
			r.Handle(v1.TypeTradeExecuted, notifyOnFailure(p.pub))

			// Failing while handling an error notification emits nothing.
			if _, err := r.Invoke(context.Background(), envelope(t, v1example.ErrorNotificationRequested())); err == nil {
				t.Fatal("no error")
			}
			if n := p.delivered(); n != 0 {
				t.Fatalf("%d events published while handling an error notification, want 0", n)
			}
			// Failing while handling anything else notifies.
			if _, err := r.Invoke(context.Background(), envelope(t, v1example.TradeExecuted())); err == nil {
				t.Fatal("no error")
			}
			if n := p.delivered(); n != 1 {
				t.Fatalf("%d events published while handling a trade, want 1", n)
			}
		})
	}
}

type publisherUnderTest struct {
	pub       eventbus.Publisher
	delivered func() int
}
