// Package v1example builds one realistic example of every v1 event, all of one workflow. The
// golden fixtures in contracts/v1/testdata are these examples; tests and benchmarks elsewhere
// use them as real inputs.
package v1example

import (
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// CorrelationID is the workflow of every example.
const CorrelationID = "6f1c2a4e-8d1b-5c3e-9a7f-0b2d4e6f8a1c"

var start = time.Date(2026, 11, 27, 14, 35, 0, 0, time.UTC)

func meta(t v1.DetailType, cause string, producer string, at time.Duration) v1.Metadata {
	return v1.Metadata{
		EventType:     t,
		EventID:       v1.DeriveEventID(cause, t),
		CorrelationID: CorrelationID,
		CausationID:   cause,
		SchemaVersion: v1.SchemaVersion,
		OccurredAt:    start.Add(at),
		Producer:      producer,
		Stage:         "dev",
		TradingMode:   v1.ModePaper,
	}
}

func dec(s string) v1.Decimal  { return v1.MustDecimal(s) }
func ptr(s string) *v1.Decimal { d := v1.MustDecimal(s); return &d }

// All returns one example of every event type, in workflow order.
func All() []v1.Event {
	started := WorkflowStarted()
	signal := SignalGenerated()
	plan := RebalancePlanned()
	trade := TradeExecuted()
	return []v1.Event{started, signal, plan, trade, StepFailed(), WorkflowCompleted(), WorkflowFailed(),
		TradingNotificationRequested(), ErrorNotificationRequested()}
}

// WorkflowStarted is a scheduled start.
func WorkflowStarted() *v1.WorkflowStarted {
	at := start
	return &v1.WorkflowStarted{
		Metadata:     meta(v1.TypeWorkflowStarted, "schedule:2026-11-27T14:35:00Z:trade", "orchestrator", 0),
		Trigger:      v1.TriggerSchedule,
		ScheduledFor: &at,
	}
}

// SignalGenerated is a two-strategy signal.
func SignalGenerated() *v1.SignalGenerated {
	return &v1.SignalGenerated{
		Metadata: meta(v1.TypeSignalGenerated, WorkflowStarted().EventID, "strategy", 40*time.Millisecond),
		AsOf:     "2026-11-26",
		Target: []v1.TargetWeight{
			{Symbol: "BIL", Weight: dec("0.25")},
			{Symbol: "SPY", Weight: dec("0.45")},
			{Symbol: "TQQQ", Weight: dec("0.3")},
		},
		Strategies: []v1.StrategySignal{
			{
				Name: "Trend Rider", File: "trend_rider.clj", Weight: dec("0.6"), Status: v1.StrategyOK,
				Allocation:         []v1.TargetWeight{{Symbol: "SPY", Weight: dec("0.5")}, {Symbol: "TQQQ", Weight: dec("0.5")}},
				Trace:              []string{"rsi(SPY,10)=61.20 > 79 -> else", "moving-average-price(SPY,200)=512.33 < current-price(SPY)=540.10 -> then"},
				RebalanceFrequency: "daily",
			},
			{
				Name: "Cash Buffer", File: "cash_buffer.clj", Weight: dec("0.4"), Status: v1.StrategyOK,
				Allocation: []v1.TargetWeight{{Symbol: "BIL", Weight: dec("0.625")}, {Symbol: "SPY", Weight: dec("0.375")}},
				Trace:      []string{"cumulative-return(TLT,60)=-3.10 < 0 -> then"},
			},
		},
		FailurePolicy: "fail",
	}
}

// RebalancePlanned is a plan with a sell, two buys and a hold.
func RebalancePlanned() *v1.RebalancePlanned {
	return &v1.RebalancePlanned{
		Metadata:    meta(v1.TypeRebalancePlanned, SignalGenerated().EventID, "portfolio", 70*time.Millisecond),
		PlanID:      "plan-3b9d1f0c2a6e",
		Equity:      dec("100000"),
		Cash:        dec("20000"),
		CashReserve: dec("0.01"),
		Items: []v1.PlanItem{
			{Symbol: "QQQ", Action: v1.ActionSell, CurrentQty: dec("40"), CurrentWeight: dec("0.2"), TargetWeight: dec("0"),
				CurrentValue: dec("20000"), TargetValue: dec("0"), Price: dec("500"), Qty: ptr("40"), Liquidate: true},
			{Symbol: "TQQQ", Action: v1.ActionBuy, CurrentQty: dec("0"), CurrentWeight: dec("0"), TargetWeight: dec("0.3"),
				CurrentValue: dec("0"), TargetValue: dec("29700"), Price: dec("82.5"), Notional: ptr("29700")},
			{Symbol: "BIL", Action: v1.ActionBuy, CurrentQty: dec("0"), CurrentWeight: dec("0"), TargetWeight: dec("0.25"),
				CurrentValue: dec("0"), TargetValue: dec("24750"), Price: dec("91.55"), Qty: ptr("270")},
			{Symbol: "SPY", Action: v1.ActionHold, CurrentQty: dec("80"), CurrentWeight: dec("0.44"), TargetWeight: dec("0.45"),
				CurrentValue: dec("44000"), TargetValue: dec("44550"), Price: dec("550"), Reason: "trade of $550 is below the minimum of $1000"},
		},
		Notes: []string{},
	}
}

// TradeExecuted is a fully filled plan.
func TradeExecuted() *v1.TradeExecuted {
	m := meta(v1.TypeTradeExecuted, RebalancePlanned().EventID, "execution", 900*time.Millisecond)
	return &v1.TradeExecuted{
		Metadata: m,
		PlanID:   "plan-3b9d1f0c2a6e",
		Outcome:  v1.OutcomeSuccess,
		Orders: []v1.OrderResult{
			{ClientOrderID: "alch-6f1c2a4e-plan-3b9d1f0c2a6e-QQQ-sell-0", BrokerOrderID: "0f4c6d7e-1a2b-4c3d-8e9f-000000000001",
				Symbol: "QQQ", Side: v1.SideSell, RequestedQty: ptr("40"), FilledQty: dec("40"), AvgPrice: ptr("499.95"), Status: "filled"},
			{ClientOrderID: "alch-6f1c2a4e-plan-3b9d1f0c2a6e-TQQQ-buy-0", BrokerOrderID: "0f4c6d7e-1a2b-4c3d-8e9f-000000000002",
				Symbol: "TQQQ", Side: v1.SideBuy, RequestedNotional: ptr("29700"), FilledQty: dec("359.975757"), AvgPrice: ptr("82.506"), Status: "filled"},
			{ClientOrderID: "alch-6f1c2a4e-plan-3b9d1f0c2a6e-BIL-buy-0", BrokerOrderID: "0f4c6d7e-1a2b-4c3d-8e9f-000000000003",
				Symbol: "BIL", Side: v1.SideBuy, RequestedQty: ptr("270"), FilledQty: dec("270"), AvgPrice: ptr("91.56"), Status: "filled"},
		},
		StartedAt:  start.Add(100 * time.Millisecond),
		FinishedAt: start.Add(850 * time.Millisecond),
	}
}

// StepFailed is a strategy that could not evaluate.
func StepFailed() *v1.StepFailed {
	return &v1.StepFailed{
		Metadata: meta(v1.TypeStepFailed, WorkflowStarted().EventID, "strategy", 30*time.Millisecond),
		Step:     v1.StepStrategy,
		Code:     "strategy_invalid",
		Reason:   "trend_rider.clj:12:7: unknown operator \"rsii\"",
	}
}

// WorkflowCompleted ends the example workflow.
func WorkflowCompleted() *v1.WorkflowCompleted {
	return &v1.WorkflowCompleted{
		Metadata:     meta(v1.TypeWorkflowCompleted, TradeExecuted().EventID, "orchestrator", 950*time.Millisecond),
		Outcome:      v1.OutcomeSuccess,
		StartedAt:    start,
		CompletedAt:  start.Add(950 * time.Millisecond),
		DurationMS:   950,
		OrdersPlaced: 3,
		OrdersFilled: 3,
	}
}

// WorkflowFailed is the end of a workflow whose strategy failed.
func WorkflowFailed() *v1.WorkflowFailed {
	return &v1.WorkflowFailed{
		Metadata:  meta(v1.TypeWorkflowFailed, StepFailed().EventID, "orchestrator", 60*time.Millisecond),
		Step:      v1.StepStrategy,
		Code:      "strategy_invalid",
		Reason:    "trend_rider.clj:12:7: unknown operator \"rsii\"",
		StartedAt: start,
		FailedAt:  start.Add(60 * time.Millisecond),
	}
}

// TradingNotificationRequested asks for the success email of the example workflow.
func TradingNotificationRequested() *v1.TradingNotificationRequested {
	sig, plan, trade := SignalGenerated(), RebalancePlanned(), TradeExecuted()
	return &v1.TradingNotificationRequested{
		Metadata:   meta(v1.TypeTradingNotificationRequested, WorkflowCompleted().EventID, "orchestrator", 960*time.Millisecond),
		Status:     v1.StatusSuccess,
		Outcome:    v1.OutcomeSuccess,
		Summary:    "3 orders placed, 3 filled",
		AsOf:       sig.AsOf,
		Target:     sig.Target,
		Strategies: sig.Strategies,
		PlanID:     plan.PlanID,
		Equity:     &plan.Equity,
		Plan:       plan.Items,
		Orders:     trade.Orders,
		Timeline: []v1.TimelineEntry{
			{At: start, Step: v1.StepOrchestrator, EventType: v1.TypeWorkflowStarted, EventID: WorkflowStarted().EventID},
			{At: sig.OccurredAt, Step: v1.StepStrategy, EventType: v1.TypeSignalGenerated, EventID: sig.EventID},
			{At: plan.OccurredAt, Step: v1.StepPortfolio, EventType: v1.TypeRebalancePlanned, EventID: plan.EventID},
			{At: trade.OccurredAt, Step: v1.StepExecution, EventType: v1.TypeTradeExecuted, EventID: trade.EventID, Note: "3 orders, 3 filled"},
		},
		StartedAt: start,
		EndedAt:   start.Add(950 * time.Millisecond),
	}
}

// ErrorNotificationRequested reports the failed example workflow.
func ErrorNotificationRequested() *v1.ErrorNotificationRequested {
	return &v1.ErrorNotificationRequested{
		Metadata: meta(v1.TypeErrorNotificationRequested, WorkflowFailed().EventID, "orchestrator", 70*time.Millisecond),
		Severity: v1.SeverityError,
		Step:     v1.StepStrategy,
		Code:     "strategy_invalid",
		Message:  "the strategy step failed: trend_rider.clj:12:7: unknown operator \"rsii\"",
		Report:   "Workflow 6f1c2a4e-8d1b-5c3e-9a7f-0b2d4e6f8a1c failed at strategy.\nFix the strategy file and start a new run.",
	}
}
