package handler_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/handler"
	"github.com/shopspring/decimal"
)

// planner is a hand-written app stand-in that returns a fixed result and records the request.
type planner struct {
	res app.Result
	err error
	got app.Request
}

func (p *planner) Plan(_ context.Context, req app.Request) (app.Result, error) {
	p.got = req
	return p.res, p.err
}

var now = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

func sig() *v1.SignalGenerated {
	return &v1.SignalGenerated{
		Metadata: v1.Metadata{EventType: v1.TypeSignalGenerated, EventID: "e1", CorrelationID: "c1", CausationID: "w1",
			SchemaVersion: v1.SchemaVersion, OccurredAt: now, Producer: "strategy", Stage: "local", TradingMode: v1.ModePaper, DryRun: true},
		AsOf:          "2026-11-27",
		Target:        []v1.TargetWeight{{Symbol: "spy", Weight: v1.MustDecimal("1")}},
		FailurePolicy: "fail",
	}
}

func TestSignalGeneratedConvertsBothWays(t *testing.T) {
	q, n := market.NewQty(decimal.NewFromInt(3)), market.NewMoney(decimal.RequireFromString("12.34"))
	p := &planner{res: app.Result{PlanID: "p1", Plan: domain.Plan{
		Equity: market.NewMoney(decimal.NewFromInt(100)), Cash: market.NewMoney(decimal.NewFromInt(50)), CashReserve: decimal.New(1, -2),
		Items: []domain.Item{
			{Symbol: "AAA", Action: domain.Sell, Qty: &q, Liquidate: true, Reason: "target is 0"},
			{Symbol: "SPY", Action: domain.Buy, Notional: &n},
		},
	}}}
	bus := eventbus.NewRecorder()
	h := handler.New(p, bus, "portfolio", func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := h.SignalGenerated(context.Background(), lambdaevent.Message{Event: sig()}); err != nil {
		t.Fatalf("SignalGenerated: %v", err)
	}
	if p.got.CorrelationID != "c1" || len(p.got.Targets) != 1 || p.got.Targets[0].Symbol != "SPY" {
		t.Errorf("request %+v: want correlation c1 and the symbol upper-cased", p.got)
	}
	evs := bus.Events()
	if len(evs) != 1 {
		t.Fatalf("published %v", evs)
	}
	e := evs[0].(*v1.RebalancePlanned)
	if e.PlanID != "p1" || !e.DryRun || e.Producer != "portfolio" || e.Notes == nil || len(e.Items) != 2 ||
		e.Items[0].Action != v1.ActionSell || e.Items[0].Qty.String() != "3" || !e.Items[0].Liquidate ||
		e.Items[1].Action != v1.ActionBuy || e.Items[1].Notional.String() != "12.34" || e.Items[1].Qty != nil {
		t.Errorf("event %+v", e)
	}
}

func TestSignalGeneratedDecidesFailures(t *testing.T) {
	tests := []struct {
		name      string
		msg       lambdaevent.Message
		err       error
		wantErr   bool
		permanent bool
		stepFail  string
	}{
		{name: "wrong event type", msg: lambdaevent.Message{Event: &v1.StepFailed{}}, wantErr: true, permanent: true},
		{name: "retryable", msg: lambdaevent.Message{Event: sig()}, err: errors.New("timeout"), wantErr: true},
		{name: "permanent", msg: lambdaevent.Message{Event: sig()}, err: app.ErrPermanent, stepFail: handler.CodePlanFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bus := eventbus.NewRecorder()
			h := handler.New(&planner{err: tt.err}, bus, "portfolio", func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			err := h.SignalGenerated(context.Background(), tt.msg)
			if (err != nil) != tt.wantErr || lambdaevent.IsPermanent(err) != tt.permanent {
				t.Fatalf("err = %v (permanent %t)", err, lambdaevent.IsPermanent(err))
			}
			fails := bus.OfType(v1.TypeStepFailed)
			if tt.stepFail == "" && len(fails) != 0 || tt.stepFail != "" && (len(fails) != 1 || fails[0].(*v1.StepFailed).Code != tt.stepFail) {
				t.Errorf("published %v", bus.Events())
			}
		})
	}
}
