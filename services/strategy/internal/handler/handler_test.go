package handler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/pkg/nyse"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/internal/handler"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

var now = time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)

// walk serves a deterministic walk on NYSE trading days; err, when set, is returned instead.
type walk struct {
	err     error
	missing string
}

func (w walk) DailyCloses(_ context.Context, syms []string, from, to time.Time) (symphony.History, error) {
	if w.err != nil {
		return nil, w.err
	}
	h := symphony.History{}
	for k, s := range syms {
		if s == w.missing {
			continue
		}
		p := 40.0 + float64(k)
		for i, d := range nyse.TradingDays(from, to) {
			p *= 1 + 0.004*float64((i*5+k)%7-3)
			h[s] = append(h[s], symphony.Close{Date: d, Price: p})
		}
	}
	return h, nil
}

func started() *v1.WorkflowStarted {
	return &v1.WorkflowStarted{
		Metadata: v1.Metadata{EventType: v1.TypeWorkflowStarted, EventID: "11111111-1111-4111-8111-111111111111",
			CorrelationID: "22222222-2222-4222-8222-222222222222", CausationID: "11111111-1111-4111-8111-111111111111",
			SchemaVersion: v1.SchemaVersion, OccurredAt: now, Producer: "orchestrator", Stage: "dev", TradingMode: v1.ModePaper},
		Trigger: v1.TriggerManual,
	}
}

func TestOnWorkflowStarted(t *testing.T) {
	tests := []struct {
		name     string
		data     walk
		strats   string
		wantType v1.DetailType
		wantCode string
		wantErr  bool
	}{
		{"signal", walk{}, "", v1.TypeSignalGenerated, "", false},
		{"named allocation", walk{}, "prod", v1.TypeSignalGenerated, "", false},
		{"unknown allocation", walk{}, "nope", v1.TypeStepFailed, "strategy_invalid", false},
		{"missing data is not retried", walk{missing: "SPY"}, "prod", v1.TypeStepFailed, "no_data", false},
		{"retryable data error", walk{err: fmt.Errorf("get daily bars: %w", strategy.ErrRetryable)}, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := eventbus.NewRecorder()
			h := handler.New(&strategy.Runner{Closes: tt.data}, strategy.LoadAllocation, rec, "strategy", "dev", func() time.Time { return now })
			ev := started()
			ev.Strategies = tt.strats
			err := h.OnWorkflowStarted(context.Background(), lambdaevent.Message{Event: ev})
			if tt.wantErr {
				if err == nil || !errors.Is(err, strategy.ErrRetryable) || len(rec.Events()) != 0 {
					t.Fatalf("err = %v, events %v; want a retryable error and nothing published", err, rec.Events())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			evs := rec.Events()
			if len(evs) != 1 || evs[0].DetailType() != tt.wantType {
				t.Fatalf("published %v, want one %s", evs, tt.wantType)
			}
			switch out := evs[0].(type) {
			case *v1.SignalGenerated:
				if out.AsOf != "2026-11-27" || len(out.Target) == 0 || out.CorrelationID != ev.CorrelationID || out.CausationID != ev.EventID {
					t.Fatalf("signal %+v", out)
				}
				if out.EventID != v1.DeriveEventID(ev.EventID, v1.TypeSignalGenerated) {
					t.Fatalf("event ID %s is not derived from the cause", out.EventID)
				}
				if len(out.Strategies) == 0 || len(out.Strategies[0].Trace) == 0 {
					t.Fatalf("strategies without traces: %+v", out.Strategies)
				}
			case *v1.StepFailed:
				if out.Code != tt.wantCode || out.Step != v1.StepStrategy {
					t.Fatalf("step failed %+v, want code %s", out, tt.wantCode)
				}
				if tt.wantCode == "no_data" && !strings.Contains(out.Reason, "SPY") {
					t.Fatalf("reason %q does not name the symbol", out.Reason)
				}
			}
		})
	}
}
