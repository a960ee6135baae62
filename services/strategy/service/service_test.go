package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/nyse"
	"github.com/alchemiser/alchemiser/services/strategy/service"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

type flat struct{ calls int }

func (f *flat) DailyCloses(_ context.Context, syms []string, from, to time.Time) (symphony.History, error) {
	f.calls++
	h := symphony.History{}
	for k, s := range syms {
		for i, d := range nyse.TradingDays(from, to) {
			h[s] = append(h[s], symphony.Close{Date: d, Price: 30 + float64(k) + float64(i%9)})
		}
	}
	return h, nil
}

func TestRouterPublishesSignalOnce(t *testing.T) {
	now := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)
	rec := eventbus.NewRecorder()
	data := &flat{}
	cfg, err := service.ConfigFromEnv(func(k string) string {
		return map[string]string{"STAGE": "dev", "EVENT_BUS_NAME": "alchemiser", "ALPACA_KEY_ID": "k", "ALPACA_SECRET_KEY": "s",
			"ALPACA_TRADING_URL": "http://127.0.0.1:1", "ALPACA_DATA_URL": "http://127.0.0.1:1"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := service.NewWithDeps(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Deps{
		Publisher: rec, Store: idempotency.NewMemory(), Metrics: emf.New(io.Discard, "test"), Closes: data,
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := &v1.WorkflowStarted{Metadata: v1.Metadata{EventType: v1.TypeWorkflowStarted, EventID: "33333333-3333-4333-8333-333333333333",
		CorrelationID: "44444444-4444-4444-8444-444444444444", CausationID: "33333333-3333-4333-8333-333333333333",
		SchemaVersion: v1.SchemaVersion, OccurredAt: now, Producer: "orchestrator", Stage: "dev", TradingMode: v1.ModePaper},
		Trigger: v1.TriggerCLI, AsOf: "2026-11-25"}
	payload, err := v1.Wrap(ev, "e1", "000000000000", "us-east-1", now)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a redelivery is handled once
		if _, err := r.Invoke(context.Background(), payload); err != nil {
			t.Fatal(err)
		}
	}
	sigs := rec.OfType(v1.TypeSignalGenerated)
	if len(sigs) != 1 || data.calls != 1 {
		t.Fatalf("%d signals, %d data requests; want 1 and 1", len(sigs), data.calls)
	}
	if got := sigs[0].(*v1.SignalGenerated).AsOf; got != "2026-11-25" {
		t.Fatalf("as of %s", got)
	}
}
