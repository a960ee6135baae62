package handler

import (
	"fmt"

	"github.com/shopspring/decimal"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// toPlan converts the contract's plan into the domain's: holds are dropped, symbols are
// validated, and a symbol may trade only once per side (its client order IDs would collide).
func toPlan(ev *v1.RebalancePlanned) (domain.Plan, error) {
	p := domain.Plan{ID: ev.PlanID, CorrelationID: ev.CorrelationID}
	seen := map[string]bool{}
	for i, it := range ev.Items {
		var side domain.Side
		switch it.Action {
		case v1.ActionHold:
			continue
		case v1.ActionBuy:
			side = domain.Buy
		case v1.ActionSell:
			side = domain.Sell
		default:
			return domain.Plan{}, fmt.Errorf("items[%d].action: %q is not BUY, SELL or HOLD", i, it.Action)
		}
		sym, err := market.ParseSymbol(it.Symbol)
		if err != nil {
			return domain.Plan{}, fmt.Errorf("items[%d].symbol: %w", i, err)
		}
		key := string(sym) + "/" + string(side)
		if seen[key] {
			return domain.Plan{}, fmt.Errorf("items[%d]: %s %s appears twice", i, side, sym)
		}
		seen[key] = true
		item := domain.Item{Symbol: sym, Side: side, RefPrice: it.Price.Decimal}
		switch {
		case it.Qty != nil:
			item.Qty = it.Qty.Decimal
		case it.Notional != nil:
			item.Notional = it.Notional.Decimal
		}
		if !item.Qty.IsPositive() && !item.Notional.IsPositive() {
			return domain.Plan{}, fmt.Errorf("items[%d]: %s %s has no positive qty or notional", i, side, sym)
		}
		p.Items = append(p.Items, item)
	}
	return p, nil
}

// toTradeExecuted converts a run's report into the event. Its ID derives from the plan
// event's, so a retried run publishes the same event; a replay gets its own ID, so a replay's
// dry run is not mistaken for the original run.
func toTradeExecuted(ev *v1.RebalancePlanned, rep domain.Report, producer, replayName string) *v1.TradeExecuted {
	meta := v1.NewMetadata(v1.TypeTradeExecuted, &ev.Metadata, producer, rep.FinishedAt)
	if replayName != "" {
		meta.EventID = v1.DeriveID(ev.EventID, string(v1.TypeTradeExecuted), "replay", replayName)
	}
	if rep.Outcome == domain.DryRun {
		meta.DryRun = true
	}
	out := &v1.TradeExecuted{Metadata: meta, PlanID: ev.PlanID, Outcome: v1.Outcome(rep.Outcome), Reason: rep.Reason,
		Orders: make([]v1.OrderResult, 0, len(rep.Orders)), StartedAt: rep.StartedAt.UTC(), FinishedAt: rep.FinishedAt.UTC()}
	if rep.NextOpen != nil {
		t := rep.NextOpen.UTC()
		out.NextOpen = &t
	}
	for _, o := range rep.Orders {
		out.Orders = append(out.Orders, toOrderResult(o))
	}
	return out
}

func toOrderResult(o domain.Order) v1.OrderResult {
	r := v1.OrderResult{ClientOrderID: o.ClientOrderID, BrokerOrderID: o.BrokerOrderID, Symbol: string(o.Symbol),
		Side: v1.Side(o.Side), FilledQty: v1.D(o.FilledQty), Status: string(o.Status), Error: o.Error}
	r.RequestedQty = positive(o.Qty)
	r.RequestedNotional = positive(o.Notional)
	r.AvgPrice = positive(o.AvgPrice)
	return r
}

func positive(d decimal.Decimal) *v1.Decimal {
	if !d.IsPositive() {
		return nil
	}
	v := v1.D(d)
	return &v
}
