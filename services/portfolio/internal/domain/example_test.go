package domain_test

import (
	"fmt"
	"strings"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
)

// A $10,000 account holding SPY and an old position moves to 60% SPY and 40% QQQ: the old
// position is sold in full, SPY is trimmed, and QQQ is bought with the cash after sells less the
// 1% reserve.
func ExampleBuild() {
	in := domain.Input{
		Equity:    money("10000"),
		Cash:      money("1000"),
		Positions: []domain.Position{pos("SPY", "14"), pos("OLD", "20.5")},
		Targets:   []domain.Target{tgt("SPY", "0.6"), tgt("QQQ", "0.4")},
		Quotes: map[market.Symbol]domain.Quote{
			"SPY": {Bid: d("499.99"), Ask: d("500.01")},
			"QQQ": {Ask: d("401"), Last: d("400")}, // one-sided: valued at the last trade
			"OLD": {Bid: d("99.9"), Ask: d("100.1")},
		},
		Assets: map[market.Symbol]domain.Asset{
			"SPY": {Tradable: true, Fractionable: true},
			"QQQ": {Tradable: true, Fractionable: true},
			"OLD": {Tradable: true, Fractionable: false},
		},
	}
	plan, err := domain.Build(in, domain.DefaultParams())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range plan.Items {
		size := ""
		switch {
		case it.Qty != nil:
			size = it.Qty.String() + " shares"
		case it.Notional != nil:
			size = "$" + it.Notional.String()
		}
		fmt.Println(strings.TrimSpace(fmt.Sprint(it.Action, " ", it.Symbol, " ", size, " ", it.Reason)))
	}
	fmt.Println("cash for buys: $" + plan.Available.Decimal().StringFixed(2))
	// Output:
	// SELL OLD 20.5 shares target is 0: sell the whole position
	// SELL SPY 2.12 shares
	// BUY QQQ $3960
	// cash for buys: $4010.00
}
