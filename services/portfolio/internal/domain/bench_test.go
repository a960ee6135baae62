package domain_test

import (
	"fmt"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

// bigPortfolio returns n held positions, each also targeted, with every third one off target.
func bigPortfolio(n int) domain.Input {
	in := domain.Input{
		Quotes: make(map[market.Symbol]domain.Quote, n),
		Assets: make(map[market.Symbol]domain.Asset, n),
	}
	value := decimal.Zero
	w := decimal.NewFromInt(1).Div(decimal.NewFromInt(int64(n))).Truncate(8)
	left := decimal.NewFromInt(1)
	for i := range n {
		sym := market.Symbol(fmt.Sprintf("S%04d", i))
		price := decimal.New(1000+int64(i)*37, -1)
		qty := decimal.New(int64(1000+i%7*150), -2)
		in.Positions = append(in.Positions, domain.Position{Symbol: sym, Qty: qty})
		in.Quotes[sym] = domain.Quote{Bid: price.Sub(decimal.New(1, -2)), Ask: price.Add(decimal.New(1, -2)), Last: price}
		in.Assets[sym] = domain.Asset{Tradable: true, Fractionable: i%4 != 0}
		tw := w
		if i == n-1 {
			tw = left
		}
		left = left.Sub(tw)
		in.Targets = append(in.Targets, domain.Target{Symbol: sym, Weight: market.NewWeight(tw)})
		value = value.Add(qty.Mul(price))
	}
	in.Cash = market.NewMoney(decimal.NewFromInt(25_000))
	in.Equity = market.NewMoney(value.Add(decimal.NewFromInt(25_000)))
	return in
}

// BenchmarkBuild500 plans a 500-position rebalance.
func BenchmarkBuild500(b *testing.B) {
	in, p := bigPortfolio(500), domain.DefaultParams()
	p.MinTradeFraction, p.MinTradeFloor = decimal.Zero, decimal.NewFromInt(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := domain.Build(in, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValuation500 is the baseline for BenchmarkBuild500: only the valuation map, the
// least any planner must do (a reference price and a value per position).
func BenchmarkValuation500(b *testing.B) {
	in := bigPortfolio(500)
	b.ReportAllocs()
	for b.Loop() {
		values := make(map[market.Symbol]decimal.Decimal, len(in.Positions))
		for _, x := range in.Positions {
			p, _ := domain.ReferencePrice(in.Quotes[x.Symbol])
			values[x.Symbol] = x.Qty.Mul(p)
		}
		if len(values) != 500 {
			b.Fatal("lost positions")
		}
	}
}

// BenchmarkFingerprint500 measures the canonical text a plan ID is derived from.
func BenchmarkFingerprint500(b *testing.B) {
	in, p := bigPortfolio(500), domain.DefaultParams()
	b.ReportAllocs()
	for b.Loop() {
		_ = domain.Fingerprint(in, p)
	}
}
