package v1

import (
	"errors"
	"fmt"
	"time"
)

// Outcome is how an execution run, and so a workflow, ended.
type Outcome string

// The outcomes.
const (
	OutcomeSuccess Outcome = "success"
	OutcomePartial Outcome = "partial"
	OutcomeFailed  Outcome = "failed"
	OutcomeSkipped Outcome = "skipped"
	OutcomeDryRun  Outcome = "dry_run"
)

func (Outcome) enumValues() []string {
	return []string{string(OutcomeSuccess), string(OutcomePartial), string(OutcomeFailed), string(OutcomeSkipped), string(OutcomeDryRun)}
}

// Side is buy or sell.
type Side string

// The sides.
const (
	SideBuy  Side = "buy"
	SideSell Side = "sell"
)

func (Side) enumValues() []string { return []string{string(SideBuy), string(SideSell)} }

// TradeExecuted reports every order of a plan. The execution service publishes it; the
// orchestrator consumes it.
type TradeExecuted struct {
	Metadata
	PlanID string `json:"plan_id"`
	// Outcome is success, partial, failed, skipped (market closed, kill switch) or dry_run.
	Outcome Outcome `json:"outcome"`
	// Reason explains a skipped, failed or partial outcome.
	Reason string `json:"reason,omitempty"`
	// NextOpen is the next market open, when the run was skipped because the market was closed.
	NextOpen *time.Time `json:"next_open,omitempty"`
	// Orders lists every order, placed or simulated.
	Orders     []OrderResult `json:"orders"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
}

// OrderResult is one order's outcome.
type OrderResult struct {
	ClientOrderID     string   `json:"client_order_id"`
	BrokerOrderID     string   `json:"broker_order_id,omitempty"`
	Symbol            string   `json:"symbol"`
	Side              Side     `json:"side"`
	RequestedQty      *Decimal `json:"requested_qty,omitempty"`
	RequestedNotional *Decimal `json:"requested_notional,omitempty"`
	FilledQty         Decimal  `json:"filled_qty"`
	AvgPrice          *Decimal `json:"avg_price,omitempty"`
	// Status is the broker's order status (new, partially_filled, filled, canceled, expired,
	// rejected) or "simulated" for a dry run, "refused" for an order a guard stopped.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// DetailType returns TypeTradeExecuted.
func (*TradeExecuted) DetailType() DetailType { return TypeTradeExecuted }

// Source returns SourceExecution.
func (*TradeExecuted) Source() Source { return SourceExecution }

// Validate checks that quantities are not negative and every order is identified.
func (e *TradeExecuted) Validate() error {
	if e.PlanID == "" {
		return fieldErr("plan_id", errors.New("empty"))
	}
	for i, o := range e.Orders {
		p := fmt.Sprintf("orders[%d]", i)
		if o.ClientOrderID == "" {
			return fieldErr(p+".client_order_id", errors.New("empty"))
		}
		if len(o.ClientOrderID) > 128 {
			return fieldErr(p+".client_order_id", errors.New("longer than 128 characters"))
		}
		if o.FilledQty.IsNegative() {
			return fieldErr(p+".filled_qty", fmt.Errorf("%s is negative", o.FilledQty))
		}
		if o.RequestedQty != nil && o.RequestedQty.IsNegative() {
			return fieldErr(p+".requested_qty", fmt.Errorf("%s is negative", o.RequestedQty))
		}
	}
	return nil
}
