package domain_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

// scenario is a random portfolio with the account consistent with it (equity = cash + value),
// unless skew makes the cash drift, as it does between broker snapshots.
func scenario(r *rand.Rand) (domain.Input, domain.Params) {
	n := 1 + r.IntN(25)
	in := domain.Input{
		Quotes: map[market.Symbol]domain.Quote{},
		Assets: map[market.Symbol]domain.Asset{},
	}
	value := decimal.Zero
	var targeted []market.Symbol
	for i := range n {
		sym := market.Symbol(fmt.Sprintf("S%02d", i))
		price := decimal.New(100+r.Int64N(300000), -2) // $1.00 to $3,001.00
		if r.IntN(10) == 0 {
			price = decimal.New(1+r.Int64N(99), -2) // a penny stock
		}
		spread := decimal.New(r.Int64N(50), -2)
		q := domain.Quote{Bid: price.Sub(spread), Ask: price.Add(spread), Last: price}
		switch r.IntN(12) {
		case 0:
			q.Bid = decimal.Zero // one-sided
		case 1:
			q.Bid, q.Ask = q.Ask.Add(decimal.New(5, -2)), q.Bid // crossed
		case 2:
			q = domain.Quote{} // no price at all
		}
		in.Quotes[sym] = q
		switch r.IntN(20) {
		case 0: // unknown to the broker
		case 1:
			in.Assets[sym] = domain.Asset{Tradable: false, Fractionable: true}
		default:
			in.Assets[sym] = domain.Asset{Tradable: true, Fractionable: r.IntN(3) > 0}
		}
		if r.IntN(3) > 0 {
			var qty decimal.Decimal
			switch r.IntN(3) {
			case 0:
				qty = decimal.NewFromInt(1 + r.Int64N(200))
			case 1:
				qty = decimal.New(1+r.Int64N(200_000_000), -6)
			default:
				qty = decimal.New(1+r.Int64N(999), -6) // a fractional remainder
			}
			in.Positions = append(in.Positions, domain.Position{Symbol: sym, Qty: qty})
			if p, ok := domain.ReferencePrice(q); ok {
				value = value.Add(qty.Mul(p))
			}
		}
		if r.IntN(3) > 0 {
			targeted = append(targeted, sym)
		}
	}
	// Weights: random integers normalised so they sum to exactly 1 (or less, sometimes).
	if len(targeted) > 0 && r.IntN(10) > 0 {
		raw := make([]int64, len(targeted))
		var sum int64
		for i := range raw {
			raw[i] = r.Int64N(100)
			if r.IntN(6) == 0 {
				raw[i] = 0
			}
			sum += raw[i]
		}
		if sum == 0 {
			raw[0], sum = 1, 1
		}
		left := decimal.NewFromInt(1)
		if r.IntN(8) == 0 {
			left = decimal.New(9, -1)
		}
		total := left
		for i, s := range targeted {
			w := decimal.NewFromInt(raw[i]).Mul(total).Div(decimal.NewFromInt(sum)).Truncate(6)
			if i == len(targeted)-1 {
				w = left
			}
			left = left.Sub(w)
			in.Targets = append(in.Targets, domain.Target{Symbol: s, Weight: market.NewWeight(w)})
		}
	}
	cash := decimal.New(r.Int64N(10_000_000), -2)
	switch r.IntN(5) {
	case 0:
		cash = cash.Neg().Div(decimal.NewFromInt(10)).Round(2) // negative cash
	case 1:
		cash = decimal.Zero
	}
	equity := cash.Add(value).Round(2)
	if r.IntN(6) == 0 {
		cash = cash.Add(decimal.New(r.Int64N(200_000)-100_000, -2)) // stale snapshot
	}
	if !equity.IsPositive() {
		equity = decimal.NewFromInt(1000)
	}
	in.Equity, in.Cash = market.NewMoney(equity), market.NewMoney(cash)
	r.Shuffle(len(in.Positions), func(i, j int) { in.Positions[i], in.Positions[j] = in.Positions[j], in.Positions[i] })
	r.Shuffle(len(in.Targets), func(i, j int) { in.Targets[i], in.Targets[j] = in.Targets[j], in.Targets[i] })

	p := domain.DefaultParams()
	if r.IntN(3) == 0 {
		p.CashReserve = decimal.New(r.Int64N(50), -3)
		p.MinTradeFraction = decimal.New(r.Int64N(30), -3)
		p.MinTradeFloor = decimal.New(r.Int64N(5000), -2)
	}
	return in, p
}

// TestPlanProperties checks the planner's promises over thousands of random portfolios.
func TestPlanProperties(t *testing.T) {
	const runs = 3000
	r := rand.New(rand.NewPCG(7, 2026))
	counts := map[domain.Code]int{}
	for run := range runs {
		in, p := scenario(r)
		plan, err := domain.Build(in, p)
		if err != nil {
			t.Fatalf("run %d: Build: %v", run, err)
		}
		for _, it := range plan.Items {
			counts[it.Code]++
		}
		if msg := violations(in, p, plan); msg != "" {
			t.Fatalf("run %d: %s\ninput: %+v\nplan:\n%s", run, msg, in, render(plan))
		}
		// Determinism: the same inputs in another order give the same plan and fingerprint.
		again := in
		again.Positions = append([]domain.Position(nil), in.Positions...)
		again.Targets = append([]domain.Target(nil), in.Targets...)
		r.Shuffle(len(again.Positions), func(i, j int) { again.Positions[i], again.Positions[j] = again.Positions[j], again.Positions[i] })
		r.Shuffle(len(again.Targets), func(i, j int) { again.Targets[i], again.Targets[j] = again.Targets[j], again.Targets[i] })
		plan2, err := domain.Build(again, p)
		if err != nil {
			t.Fatalf("run %d: Build again: %v", run, err)
		}
		if a, b := render(plan), render(plan2); a != b {
			t.Fatalf("run %d: plan differs on reordered input:\n%s\n---\n%s", run, a, b)
		}
		if domain.Fingerprint(in, p) != domain.Fingerprint(again, p) {
			t.Fatalf("run %d: fingerprint differs on reordered input", run)
		}
	}
	// The generator must reach every interesting branch, or the properties prove little.
	for _, c := range []domain.Code{domain.CodeOnTarget, domain.CodeLiquidate, domain.CodeBelowThreshold, domain.CodeWholeShares,
		domain.CodeCashShort, domain.CodeNoPrice, domain.CodeUnknownAsset, domain.CodeNotTradable, domain.CodeNothingToDo} {
		if counts[c] == 0 {
			t.Errorf("no item with code %q in %d runs", c, runs)
		}
	}
	t.Logf("items by code over %d runs: %v", runs, counts)
}

// violations returns what plan breaks of the planner's promises, or "".
func violations(in domain.Input, p domain.Params, plan domain.Plan) string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	equity := in.Equity.Decimal()
	held := map[market.Symbol]decimal.Decimal{}
	for _, x := range in.Positions {
		held[x.Symbol] = x.Qty
	}
	weights := map[market.Symbol]decimal.Decimal{}
	for _, x := range in.Targets {
		weights[x.Symbol] = x.Weight.Decimal()
	}
	investable := equity.Mul(decimal.NewFromInt(1).Sub(p.CashReserve))
	minTrade := decimal.Max(equity.Mul(p.MinTradeFraction), p.MinTradeFloor)
	cent := decimal.New(1, -2)

	proceeds, buys := decimal.Zero, decimal.Zero
	seen := map[market.Symbol]bool{}
	for _, it := range plan.Items {
		seen[it.Symbol] = true
		price := it.Price.Decimal()
		qty := held[it.Symbol]
		after := qty
		switch it.Action {
		case domain.Sell:
			if it.Qty == nil || it.Notional != nil || !it.Qty.Decimal().IsPositive() {
				fail("%s: a sell needs a positive qty only", it.Symbol)
				continue
			}
			n := it.Qty.Decimal()
			if n.GreaterThan(qty) {
				fail("%s: sells %s of %s held: the position would go negative", it.Symbol, n, qty)
			}
			if n.Exponent() < -domain.QtyPlaces {
				fail("%s: sell qty %s has more than %d decimals", it.Symbol, n, domain.QtyPlaces)
			}
			if a := in.Assets[it.Symbol]; !a.Fractionable && !it.Liquidate && !n.Equal(n.Floor()) {
				fail("%s: fractional sell %s of a whole-share asset", it.Symbol, n)
			}
			proceeds = proceeds.Add(n.Mul(price))
			after = qty.Sub(n)
		case domain.Buy:
			a := in.Assets[it.Symbol]
			var cost decimal.Decimal
			switch {
			case a.Fractionable && it.Notional != nil && it.Qty == nil:
				cost = it.Notional.Decimal()
				after = qty.Add(cost.Div(price))
			case !a.Fractionable && it.Qty != nil && it.Notional == nil:
				n := it.Qty.Decimal()
				if !n.Equal(n.Floor()) || !n.IsPositive() {
					fail("%s: whole-share buy of %s", it.Symbol, n)
				}
				cost = n.Mul(price)
				after = qty.Add(n)
			default:
				fail("%s: buy sized wrongly for fractionable=%t", it.Symbol, a.Fractionable)
				continue
			}
			if cost.LessThan(p.MinNotional) {
				fail("%s: buy of $%s is under $%s", it.Symbol, cost, p.MinNotional)
			}
			buys = buys.Add(cost)
		case domain.Hold:
			if it.Reason == "" {
				fail("%s: a hold without a reason", it.Symbol)
			}
		}
		if after.IsNegative() {
			fail("%s: position goes negative (%s)", it.Symbol, after)
		}
		w, targeted := weights[it.Symbol]
		// Liquidations are complete.
		if qty.IsPositive() && (!targeted || w.IsZero()) && it.Code == domain.CodeOnTarget {
			fail("%s: target 0 but not liquidated", it.Symbol)
		}
		if it.Liquidate && (it.Action != domain.Sell || !after.IsZero()) {
			fail("%s: liquidation leaves %s", it.Symbol, after)
		}
		// After the trades each weight is within the threshold of its target, unless a stated
		// reason says why not.
		target := investable.Mul(w)
		drift := after.Mul(price).Sub(target).Abs()
		switch it.Code {
		case domain.CodeOnTarget, domain.CodeBelowThreshold, domain.CodeLiquidate, domain.CodeNothingToDo:
			if drift.GreaterThan(minTrade.Add(cent)) {
				fail("%s: drift after trades $%s exceeds the minimum trade $%s without a stated reason", it.Symbol, drift, minTrade)
			}
			if it.Action != domain.Hold && it.Code == domain.CodeOnTarget && drift.GreaterThan(cent.Add(price.Mul(decimal.New(1, -domain.QtyPlaces)))) {
				fail("%s: a plain trade misses its target by $%s", it.Symbol, drift)
			}
		case domain.CodeWholeShares:
			if in.Assets[it.Symbol].Fractionable {
				fail("%s: whole-share reason on a fractionable asset", it.Symbol)
			}
			if drift.GreaterThanOrEqual(price) && drift.GreaterThan(minTrade) {
				fail("%s: whole shares leave a drift of $%s, more than a share ($%s)", it.Symbol, drift, price)
			}
			fallthrough
		default:
			if it.Reason == "" {
				fail("%s: code %q without a reason", it.Symbol, it.Code)
			}
		}
		if it.Code == domain.CodeNoPrice || it.Code == domain.CodeUnknownAsset || it.Code == domain.CodeNotTradable {
			if it.Action != domain.Hold || !hasNote(plan, string(it.Symbol)+":") {
				fail("%s: failed symbol must be a hold with a note", it.Symbol)
			}
		}
	}
	// Every held or targeted symbol has an item (short positions are noted instead).
	for s, q := range held {
		if !seen[s] && !(q.IsNegative() && hasNote(plan, string(s)+":")) {
			fail("%s: held but no item", s)
		}
	}
	for s := range weights {
		if !seen[s] {
			fail("%s: targeted but no item", s)
		}
	}
	// Buys are funded by cash after sells less the reserve: never margin.
	available := in.Cash.Decimal().Add(proceeds).Sub(equity.Mul(p.CashReserve))
	if buys.IsPositive() && buys.GreaterThan(available) {
		fail("buys $%s exceed cash after sells less reserve $%s", buys, available)
	}
	return strings.Join(bad, "; ")
}

func hasNote(p domain.Plan, prefix string) bool {
	for _, n := range p.Notes {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}
