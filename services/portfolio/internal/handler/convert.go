package handler

import (
	"errors"
	"fmt"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
)

// errBadSignal marks a signal that cannot become a request; it is reported, never retried.
var errBadSignal = errors.New("bad signal")

// toRequest turns a signal into a plan request.
func toRequest(sig *v1.SignalGenerated) (app.Request, error) {
	req := app.Request{CorrelationID: sig.CorrelationID, Targets: make([]domain.Target, 0, len(sig.Target))}
	if sig.CorrelationID == "" {
		return app.Request{}, fmt.Errorf("%w: correlation_id: empty", errBadSignal)
	}
	for i, t := range sig.Target {
		sym, err := market.ParseSymbol(t.Symbol)
		if err != nil {
			return app.Request{}, fmt.Errorf("%w: target[%d].symbol: %w", errBadSignal, i, err)
		}
		req.Targets = append(req.Targets, domain.Target{Symbol: sym, Weight: market.NewWeight(t.Weight.Decimal)})
	}
	return req, nil
}

// toEvent turns a plan into the RebalancePlanned event caused by sig.
func toEvent(res app.Result, sig *v1.SignalGenerated, producer string, now time.Time) *v1.RebalancePlanned {
	p := res.Plan
	ev := &v1.RebalancePlanned{
		Metadata:    v1.NewMetadata(v1.TypeRebalancePlanned, &sig.Metadata, producer, now),
		PlanID:      res.PlanID,
		Equity:      v1.D(p.Equity.Decimal()),
		Cash:        v1.D(p.Cash.Decimal()),
		CashReserve: v1.D(p.CashReserve),
		Items:       make([]v1.PlanItem, 0, len(p.Items)),
		Notes:       append([]string{}, p.Notes...),
	}
	for _, it := range p.Items {
		ev.Items = append(ev.Items, toItem(it))
	}
	return ev
}

func toItem(it domain.Item) v1.PlanItem {
	out := v1.PlanItem{
		Symbol:        string(it.Symbol),
		Action:        toAction(it.Action),
		CurrentQty:    v1.D(it.CurrentQty.Decimal()),
		CurrentWeight: v1.D(it.CurrentWeight.Decimal()),
		TargetWeight:  v1.D(it.TargetWeight.Decimal()),
		CurrentValue:  v1.D(it.CurrentValue.Decimal()),
		TargetValue:   v1.D(it.TargetValue.Decimal()),
		Price:         v1.D(it.Price.Decimal()),
		Liquidate:     it.Liquidate,
		Reason:        it.Reason,
	}
	if it.Qty != nil {
		q := v1.D(it.Qty.Decimal())
		out.Qty = &q
	}
	if it.Notional != nil {
		n := v1.D(it.Notional.Decimal())
		out.Notional = &n
	}
	return out
}

func toAction(a domain.Action) v1.Action {
	switch a {
	case domain.Buy:
		return v1.ActionBuy
	case domain.Sell:
		return v1.ActionSell
	}
	return v1.ActionHold
}

// stepFailed reports a failure that retrying will not fix.
func stepFailed(sig *v1.SignalGenerated, code string, err error, producer string, now time.Time) *v1.StepFailed {
	return &v1.StepFailed{
		Metadata: v1.NewMetadata(v1.TypeStepFailed, &sig.Metadata, producer, now),
		Step:     v1.StepPortfolio,
		Code:     code,
		Reason:   err.Error(),
	}
}
