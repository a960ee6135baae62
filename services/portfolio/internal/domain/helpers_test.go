package domain_test

import (
	"fmt"
	"strings"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func money(s string) market.Money { return market.NewMoney(d(s)) }

func weight(s string) market.Weight { return market.NewWeight(d(s)) }

func pos(sym, qty string) domain.Position {
	return domain.Position{Symbol: market.Symbol(sym), Qty: d(qty)}
}

func tgt(sym, w string) domain.Target {
	return domain.Target{Symbol: market.Symbol(sym), Weight: weight(w)}
}

// mid returns a two-sided quote whose midpoint is p.
func mid(p string) domain.Quote {
	x := d(p)
	c := decimal.New(1, -2)
	return domain.Quote{Bid: x.Sub(c), Ask: x.Add(c)}
}

var (
	frac    = domain.Asset{Tradable: true, Fractionable: true}
	whole   = domain.Asset{Tradable: true, Fractionable: false}
	blocked = domain.Asset{Tradable: false, Fractionable: true}
)

// render prints a plan canonically, for comparisons and failure messages.
func render(p domain.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "equity=%s cash=%s reserve=%s min=%s avail=%s\n", p.Equity, p.Cash, p.CashReserve, p.MinTrade, p.Available)
	for _, it := range p.Items {
		b.WriteString(renderItem(it))
		b.WriteByte('\n')
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

func renderItem(it domain.Item) string {
	size := "-"
	switch {
	case it.Qty != nil:
		size = "qty " + it.Qty.String()
	case it.Notional != nil:
		size = "$" + it.Notional.String()
	}
	return fmt.Sprintf("%-4s %-6s %s held=%s price=%s cur=%s/%s tgt=%s/%s liq=%t code=%q reason=%q",
		it.Action, it.Symbol, size, it.CurrentQty, it.Price, it.CurrentValue, it.CurrentWeight,
		it.TargetValue, it.TargetWeight, it.Liquidate, it.Code, it.Reason)
}

func item(p domain.Plan, sym string) (domain.Item, bool) {
	for _, it := range p.Items {
		if string(it.Symbol) == sym {
			return it, true
		}
	}
	return domain.Item{}, false
}
