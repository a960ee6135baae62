package v1

import (
	"errors"
	"fmt"
)

// Action is what a plan item does.
type Action string

// The actions.
const (
	ActionBuy  Action = "BUY"
	ActionSell Action = "SELL"
	ActionHold Action = "HOLD"
)

func (Action) enumValues() []string {
	return []string{string(ActionBuy), string(ActionSell), string(ActionHold)}
}

// RebalancePlanned is the plan that turns the current positions into the target. The portfolio
// service publishes it; execution and the orchestrator consume it. A plan with no trades is
// still a plan.
type RebalancePlanned struct {
	Metadata
	// PlanID is derived from the correlation ID and the plan's inputs: the same inputs give the
	// same ID.
	PlanID string `json:"plan_id"`
	// Equity is the account equity the plan was sized on.
	Equity Decimal `json:"equity"`
	// Cash is the account's cash before the plan.
	Cash Decimal `json:"cash"`
	// CashReserve is the fraction of equity kept as cash, such as "0.01".
	CashReserve Decimal `json:"cash_reserve"`
	// Items has one entry per symbol held or targeted, sells first, then buys, then holds.
	Items []PlanItem `json:"items"`
	// Notes says what the planner could not do, such as a symbol that had no price.
	Notes []string `json:"notes"`
}

// PlanItem is one symbol's part of a plan.
type PlanItem struct {
	Symbol        string  `json:"symbol"`
	Action        Action  `json:"action"`
	CurrentQty    Decimal `json:"current_qty"`
	CurrentWeight Decimal `json:"current_weight"`
	TargetWeight  Decimal `json:"target_weight"`
	CurrentValue  Decimal `json:"current_value"`
	TargetValue   Decimal `json:"target_value"`
	// Price is the reference price the item was sized with.
	Price Decimal `json:"price"`
	// Qty is the number of shares to trade; set for sells and for whole-share buys.
	Qty *Decimal `json:"qty,omitempty"`
	// Notional is the dollar amount to buy; set for fractional buys.
	Notional *Decimal `json:"notional,omitempty"`
	// Liquidate marks a sell of the whole position (target 0).
	Liquidate bool `json:"liquidate,omitempty"`
	// Reason explains a HOLD or an adjustment.
	Reason string `json:"reason,omitempty"`
}

// DetailType returns TypeRebalancePlanned.
func (*RebalancePlanned) DetailType() DetailType { return TypeRebalancePlanned }

// Source returns SourcePortfolio.
func (*RebalancePlanned) Source() Source { return SourcePortfolio }

// Validate checks that every trade has exactly one positive size and nothing is negative.
func (e *RebalancePlanned) Validate() error {
	if e.PlanID == "" {
		return fieldErr("plan_id", errors.New("empty"))
	}
	if e.CashReserve.IsNegative() {
		return fieldErr("cash_reserve", errors.New("negative"))
	}
	for i, it := range e.Items {
		p := fmt.Sprintf("items[%d]", i)
		if it.Symbol == "" {
			return fieldErr(p+".symbol", errors.New("empty"))
		}
		for name, d := range map[string]Decimal{"current_qty": it.CurrentQty, "target_value": it.TargetValue, "price": it.Price} {
			if d.IsNegative() {
				return fieldErr(p+"."+name, fmt.Errorf("%s is negative", d))
			}
		}
		if it.Action == ActionHold {
			continue
		}
		switch {
		case it.Qty != nil && it.Notional != nil:
			return fieldErr(p, errors.New("has both qty and notional"))
		case it.Qty == nil && it.Notional == nil:
			return fieldErr(p, fmt.Errorf("%s needs qty or notional", it.Action))
		case it.Qty != nil && !it.Qty.IsPositive():
			return fieldErr(p+".qty", fmt.Errorf("%s is not positive", it.Qty))
		case it.Notional != nil && !it.Notional.IsPositive():
			return fieldErr(p+".notional", fmt.Errorf("%s is not positive", it.Notional))
		case it.Action == ActionSell && it.Notional != nil:
			return fieldErr(p+".notional", errors.New("sells are sized in qty"))
		}
	}
	return nil
}
