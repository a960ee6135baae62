package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
	"github.com/alchemiser/alchemiser/services/execution/internal/handler"
)

// golden is the contract's own golden RebalancePlanned.
var golden = filepath.Join("..", "..", "..", "..", "contracts", "v1", "testdata", "1.0.0", "RebalancePlanned.json")

type fakeExecutor struct {
	runs []app.Run
	rep  domain.Report
	err  error
}

func (f *fakeExecutor) Execute(_ context.Context, run app.Run) (domain.Report, error) {
	f.runs = append(f.runs, run)
	return f.rep, f.err
}

var metricsOut bytes.Buffer

func setup(t *testing.T, rep domain.Report, err error) (*lambdaevent.Router, *fakeExecutor, *eventbus.Recorder) {
	t.Helper()
	exec := &fakeExecutor{rep: rep, err: err}
	rec := eventbus.NewRecorder()
	metricsOut.Reset()
	m := emf.New(&metricsOut, "test")
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Metrics(m))
	r.Handle(v1.TypeRebalancePlanned, handler.New(exec, rec, "execution", v1.ModePaper, m).OnRebalancePlanned)
	return r, exec, rec
}

func goldenEvent(t *testing.T) *v1.RebalancePlanned {
	t.Helper()
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	ev, _, err := v1.DecodeDetail(b)
	if err != nil {
		t.Fatal(err)
	}
	return ev.(*v1.RebalancePlanned)
}

func envelope(t *testing.T, ev v1.Event, replay string) []byte {
	t.Helper()
	b, err := v1.Wrap(ev, "envelope-1", "123456789012", "us-east-1", time.Date(2026, 11, 27, 14, 35, 1, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if replay != "" {
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		m["replay-name"] = replay
		b, _ = json.Marshal(m)
	}
	return b
}

var filledReport = domain.Report{
	Outcome: domain.Success,
	Orders: []domain.Order{
		{ClientOrderID: "alch-x-QQQ-s-0", BrokerOrderID: "b1", Symbol: "QQQ", Side: domain.Sell, Qty: decimal.NewFromInt(40), FilledQty: decimal.NewFromInt(40), AvgPrice: decimal.RequireFromString("500.1"), Status: domain.StatusFilled},
		{ClientOrderID: "alch-x-TQQQ-b-0", BrokerOrderID: "b2", Symbol: "TQQQ", Side: domain.Buy, Notional: decimal.NewFromInt(29700), FilledQty: decimal.RequireFromString("359.5"), AvgPrice: decimal.RequireFromString("82.6"), Status: domain.StatusFilled},
		{ClientOrderID: "alch-x-BIL-b-0", Symbol: "BIL", Side: domain.Buy, Qty: decimal.NewFromInt(270), Status: domain.StatusRejected, Error: "insufficient buying power"},
	},
	StartedAt:  time.Date(2026, 11, 27, 14, 35, 2, 0, time.UTC),
	FinishedAt: time.Date(2026, 11, 27, 14, 35, 9, 0, time.UTC),
}

func TestGoldenPlanIsExecutedAndReported(t *testing.T) {
	r, exec, rec := setup(t, filledReport, nil)
	ev := goldenEvent(t)
	if _, err := r.Invoke(context.Background(), envelope(t, ev, "")); err != nil {
		t.Fatal(err)
	}
	if len(exec.runs) != 1 {
		t.Fatalf("%d runs", len(exec.runs))
	}
	p := exec.runs[0].Plan
	if p.ID != ev.PlanID || p.CorrelationID != ev.CorrelationID || len(p.Items) != 3 {
		t.Fatalf("plan %+v", p)
	}
	if p.Items[0].Side != domain.Sell || !p.Items[0].Qty.Equal(decimal.NewFromInt(40)) || !p.Items[1].Notional.Equal(decimal.NewFromInt(29700)) || p.Items[1].ByQty() {
		t.Fatalf("items %+v", p.Items)
	}
	out := rec.OfType(v1.TypeTradeExecuted)
	if len(out) != 1 {
		t.Fatalf("published %v", rec.Events())
	}
	te := out[0].(*v1.TradeExecuted)
	if te.EventID != v1.DeriveEventID(ev.EventID, v1.TypeTradeExecuted) || te.CausationID != ev.EventID || te.CorrelationID != ev.CorrelationID || te.DryRun {
		t.Fatalf("metadata %+v", te.Metadata)
	}
	if !strings.Contains(metricsOut.String(), handler.MetricOrdersFilled) {
		t.Fatalf("metrics: %s", metricsOut.String())
	}
	// The event survives the contract's strict decoder.
	b, err := v1.Marshal(te)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := v1.DecodeDetail(b)
	if err != nil {
		t.Fatalf("published TradeExecuted does not decode: %v\n%s", err, b)
	}
	got := back.(*v1.TradeExecuted)
	if got.Outcome != v1.OutcomeSuccess || len(got.Orders) != 3 || got.Orders[1].RequestedNotional == nil || got.Orders[1].RequestedQty != nil ||
		got.Orders[2].AvgPrice != nil || got.Orders[2].Error == "" || got.Orders[0].AvgPrice.String() != "500.1" {
		t.Fatalf("orders %+v", got.Orders)
	}
}

func TestReplayIsMarkedAndGetsItsOwnEventID(t *testing.T) {
	rep := filledReport
	rep.Outcome = domain.DryRun
	r, exec, rec := setup(t, rep, nil)
	ev := goldenEvent(t)
	if _, err := r.Invoke(context.Background(), envelope(t, ev, "nightly-replay")); err != nil {
		t.Fatal(err)
	}
	if exec.runs[0].ReplayName != "nightly-replay" {
		t.Fatalf("run %+v", exec.runs[0])
	}
	te := rec.OfType(v1.TypeTradeExecuted)[0].(*v1.TradeExecuted)
	if !te.DryRun || te.EventID == v1.DeriveEventID(ev.EventID, v1.TypeTradeExecuted) || te.Outcome != v1.OutcomeDryRun {
		t.Fatalf("replay reported as %+v", te.Metadata)
	}
}

func TestPlansThatCannotBeTradedFailTheStep(t *testing.T) {
	tests := []struct {
		name   string
		change func(*v1.RebalancePlanned)
		code   string
	}{
		{"live plan on a paper function", func(ev *v1.RebalancePlanned) { ev.TradingMode = v1.ModeLive }, "trading_mode_mismatch"},
		{"symbol twice", func(ev *v1.RebalancePlanned) { ev.Items[2].Symbol = "TQQQ" }, "plan_invalid"},
		{"bad symbol", func(ev *v1.RebalancePlanned) { ev.Items[0].Symbol = "QQ Q" }, "plan_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, exec, rec := setup(t, filledReport, nil)
			ev := goldenEvent(t)
			tt.change(ev)
			if _, err := r.Invoke(context.Background(), envelope(t, ev, "")); err != nil {
				t.Fatalf("returned %v; want nil after StepFailed", err)
			}
			if len(exec.runs) != 0 {
				t.Fatal("executed anyway")
			}
			sf := rec.OfType(v1.TypeStepFailed)
			if len(sf) != 1 || sf[0].(*v1.StepFailed).Code != tt.code || sf[0].(*v1.StepFailed).Step != v1.StepExecution {
				t.Fatalf("published %+v", rec.Events())
			}
		})
	}
}

func TestBrokerFailureIsRetried(t *testing.T) {
	r, _, rec := setup(t, domain.Report{}, errors.New("broker unavailable"))
	_, err := r.Invoke(context.Background(), envelope(t, goldenEvent(t), ""))
	if err == nil || lambdaevent.IsPermanent(err) {
		t.Fatalf("error %v; want a retryable error", err)
	}
	if len(rec.Events()) != 0 {
		t.Fatalf("published %v", rec.Events())
	}
}
