package domain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/shopspring/decimal"
)

var (
	one = decimal.NewFromInt(1)
	// half is used for the quote midpoint.
	half = decimal.New(5, -1)
	// weightTolerance is how far above 1 the target weights may sum.
	weightTolerance = decimal.New(1, -6)
)

// QtyPlaces is the number of decimals a fractional quantity is sized to.
const QtyPlaces = 6

// line is one symbol of the universe: held, targeted or both.
type line struct {
	sym      market.Symbol
	qty      decimal.Decimal
	weight   decimal.Decimal
	targeted bool
}

// pendingBuy is a buy sized before the cash check.
type pendingBuy struct {
	item  Item
	price decimal.Decimal
	frac  bool
	qty   decimal.Decimal // whole shares, when !frac
	cost  decimal.Decimal // notional, or qty × price
}

// Build plans the rebalance of in under p. It returns an error wrapping ErrInvalidInput when
// in or p cannot be planned at all; a symbol that cannot be planned is held with a note instead.
// A plan without trades is a valid plan.
func Build(in Input, p Params) (Plan, error) {
	if err := p.Validate(); err != nil {
		return Plan{}, err
	}
	equity := in.Equity.Decimal()
	if !equity.IsPositive() {
		return Plan{}, fmt.Errorf("%w: equity %s is not positive", ErrInvalidInput, equity)
	}
	lines, err := collect(in)
	if err != nil {
		return Plan{}, err
	}
	investable := equity.Mul(one.Sub(p.CashReserve))
	minTrade := decimal.Max(equity.Mul(p.MinTradeFraction), p.MinTradeFloor)
	reserve := equity.Mul(p.CashReserve)

	var (
		notes        []string
		sells, holds []Item
		pending      []pendingBuy
		proceeds     = decimal.Zero
		hold         = func(it Item, c Code, reason string) {
			it.Action, it.Code, it.Reason = Hold, c, reason
			holds = append(holds, it)
		}
		failed = func(it Item, c Code, reason string) {
			notes = append(notes, string(it.Symbol)+": "+reason+"; not traded")
			hold(it, c, reason)
		}
		assetFor = func(s market.Symbol) (Asset, Code, string) { return lookupAsset(in.Assets, s) }
	)
	for _, l := range lines {
		if l.qty.IsNegative() {
			notes = append(notes, fmt.Sprintf("%s: short position of %s shares is not managed by the planner; not traded", l.sym, l.qty))
			continue
		}
		it := Item{Symbol: l.sym, CurrentQty: market.NewQty(l.qty), TargetWeight: market.NewWeight(l.weight)}
		target := investable.Mul(l.weight)
		it.TargetValue = market.NewMoney(target.Round(2))
		if l.qty.IsZero() && l.weight.IsZero() {
			hold(it, CodeNothingToDo, "nothing held and the target is 0")
			continue
		}
		q := in.Quotes[l.sym]
		price, ok := ReferencePrice(q)
		if !ok {
			failed(it, CodeNoPrice, noPriceReason(q))
			continue
		}
		it.Price = market.NewMoney(price)
		current := l.qty.Mul(price)
		it.CurrentValue = market.NewMoney(current.Round(2))
		it.CurrentWeight = market.NewWeight(current.DivRound(equity, 6))
		drift := target.Sub(current)

		if !l.weight.IsZero() && drift.Abs().LessThan(minTrade) {
			hold(it, CodeBelowThreshold, fmt.Sprintf("drift $%s is below the minimum trade $%s", drift.Abs().StringFixed(2), minTrade.StringFixed(2)))
			continue
		}
		asset, code, reason := assetFor(l.sym)
		if code != CodeOnTarget {
			failed(it, code, reason)
			continue
		}
		switch {
		case l.weight.IsZero():
			qty := market.NewQty(l.qty)
			it.Action, it.Qty, it.Liquidate, it.Code = Sell, &qty, true, CodeLiquidate
			it.Reason = "target is 0: sell the whole position"
			proceeds = proceeds.Add(current)
			sells = append(sells, it)
		case drift.IsNegative():
			n, code, reason := sizeSell(drift.Neg(), price, l.qty, asset.Fractionable)
			if n.IsZero() {
				hold(it, code, reason)
				continue
			}
			qty := market.NewQty(n)
			it.Action, it.Qty, it.Code, it.Reason = Sell, &qty, code, reason
			proceeds = proceeds.Add(n.Mul(price))
			sells = append(sells, it)
		default:
			b := pendingBuy{item: it, price: price, frac: asset.Fractionable}
			if b.frac {
				b.cost = drift.Truncate(2)
			} else {
				var rest decimal.Decimal
				b.qty, rest = drift.QuoRem(price, 0)
				b.cost = b.qty.Mul(price)
				if b.qty.IsZero() {
					hold(it, CodeWholeShares, fmt.Sprintf("whole shares: one share at $%s costs more than the $%s to buy", price.StringFixed(2), drift.StringFixed(2)))
					continue
				}
				if !rest.IsZero() {
					b.item.Code = CodeWholeShares
					b.item.Reason = fmt.Sprintf("whole shares: buys %s shares ($%s) of the $%s the target asks for", b.qty, b.cost.StringFixed(2), drift.StringFixed(2))
				}
			}
			if b.cost.LessThan(p.MinNotional) {
				hold(it, CodeMinNotional, fmt.Sprintf("buy of $%s is under the minimum notional $%s", b.cost.StringFixed(2), p.MinNotional.StringFixed(2)))
				continue
			}
			pending = append(pending, b)
		}
	}

	available := in.Cash.Decimal().Add(proceeds).Sub(reserve)
	buys, held, note := fund(pending, available, p.MinNotional)
	holds = append(holds, held...)
	if note != "" {
		notes = append(notes, note)
	}
	slices.SortStableFunc(holds, func(a, b Item) int { return strings.Compare(string(a.Symbol), string(b.Symbol)) })

	items := make([]Item, 0, len(sells)+len(buys)+len(holds))
	items = append(append(append(items, sells...), buys...), holds...)
	if notes == nil {
		notes = []string{}
	}
	return Plan{
		Equity:      in.Equity,
		Cash:        in.Cash,
		CashReserve: p.CashReserve,
		MinTrade:    market.NewMoney(minTrade),
		Available:   market.NewMoney(available),
		Items:       items,
		Notes:       notes,
	}, nil
}

// sizeSell returns the shares to sell to move a position of held shares at price down by value
// dollars: to 6 decimals for a fractionable asset, else the whole number of shares that ends
// closest to the target (ties sell fewer), never more than is held.
func sizeSell(value, price, held decimal.Decimal, fractionable bool) (decimal.Decimal, Code, string) {
	if fractionable {
		n := decimal.Min(value.DivRound(price, QtyPlaces), held)
		if n.IsZero() {
			return n, CodeBelowThreshold, fmt.Sprintf("sell of $%s rounds to 0 shares", value.StringFixed(2))
		}
		return n, CodeOnTarget, ""
	}
	// value = whole × price + rest, exactly; round up when rest is more than half a share.
	whole, rest := value.QuoRem(price, 0)
	n := whole
	if rest.Add(rest).GreaterThan(price) {
		n = n.Add(one)
	}
	n = decimal.Min(n, held.Floor())
	switch {
	case n.IsZero():
		return n, CodeWholeShares, fmt.Sprintf("whole shares: the nearest whole-share sale to the $%s asked for is 0 shares at $%s", value.StringFixed(2), price.StringFixed(2))
	case !rest.IsZero() || !n.Equal(whole):
		return n, CodeWholeShares, fmt.Sprintf("whole shares: sells %s shares ($%s) of the $%s the target asks for", n, n.Mul(price).StringFixed(2), value.StringFixed(2))
	}
	return n, CodeOnTarget, ""
}

// fund fits the pending buys into the available cash: all of them when they fit, else each
// scaled down by the same factor, else none. It returns the buys and the buys that became holds.
func fund(pending []pendingBuy, available, minNotional decimal.Decimal) (buys, holds []Item, note string) {
	if len(pending) == 0 {
		return nil, nil, ""
	}
	total := decimal.Zero
	for _, b := range pending {
		total = total.Add(b.cost)
	}
	if total.LessThanOrEqual(available) {
		for _, b := range pending {
			buys = append(buys, b.finish(b.qty, b.cost))
		}
		return buys, nil, ""
	}
	if !available.IsPositive() {
		reason := fmt.Sprintf("no cash for buys: cash after sells less reserve is $%s", available.StringFixed(2))
		for _, b := range pending {
			it := b.item
			it.Action, it.Code, it.Reason = Hold, CodeCashShort, reason
			holds = append(holds, it)
		}
		return nil, holds, fmt.Sprintf("buys of $%s held: cash after sells less reserve is $%s", total.StringFixed(2), available.StringFixed(2))
	}
	pct := available.Mul(decimal.NewFromInt(100)).Div(total).StringFixed(2)
	reason := fmt.Sprintf("cash short: buys of $%s scaled to %s%% to fit the $%s after sells less reserve", total.StringFixed(2), pct, available.StringFixed(2))
	for _, b := range pending {
		// QuoRem truncates exactly, so every scaled buy, and so their sum, stays at or under
		// its pro-rata share of the available cash.
		var qty, cost decimal.Decimal
		if b.frac {
			cost, _ = b.cost.Mul(available).QuoRem(total, 2)
		} else {
			qty, _ = b.qty.Mul(available).QuoRem(total, 0)
			cost = qty.Mul(b.price)
		}
		if cost.LessThan(minNotional) || (!b.frac && qty.IsZero()) || !cost.IsPositive() {
			it := b.item
			it.Action, it.Code, it.Reason = Hold, CodeCashShort, reason+"; the scaled buy is too small to place"
			holds = append(holds, it)
			continue
		}
		it := b.finish(qty, cost)
		it.Code, it.Reason = CodeCashShort, reason
		buys = append(buys, it)
	}
	return buys, holds, fmt.Sprintf("buys of $%s scaled to %s%%: cash after sells less reserve is $%s", total.StringFixed(2), pct, available.StringFixed(2))
}

// finish turns a pending buy into a BUY item of qty whole shares or cost dollars.
func (b pendingBuy) finish(qty, cost decimal.Decimal) Item {
	it := b.item
	it.Action = Buy
	if b.frac {
		n := market.NewMoney(cost)
		it.Notional = &n
	} else {
		n := market.NewQty(qty)
		it.Qty = &n
	}
	return it
}

// lookupAsset returns the asset of s, or the code and reason why it cannot be traded.
func lookupAsset(assets map[market.Symbol]Asset, s market.Symbol) (Asset, Code, string) {
	a, ok := assets[s]
	switch {
	case !ok:
		return a, CodeUnknownAsset, "the broker does not know the asset"
	case !a.Tradable:
		return a, CodeNotTradable, "the broker does not accept orders for the asset"
	}
	return a, CodeOnTarget, ""
}

// collect merges positions and targets into one line per symbol, sorted by symbol, and checks
// that no symbol is listed twice and that the weights are in [0, 1] and sum to at most 1.
func collect(in Input) ([]line, error) {
	idx := make(map[market.Symbol]int, len(in.Positions)+len(in.Targets))
	lines := make([]line, 0, len(in.Positions)+len(in.Targets))
	for i, pos := range in.Positions {
		if pos.Symbol == "" {
			return nil, fmt.Errorf("%w: positions[%d]: empty symbol", ErrInvalidInput, i)
		}
		if _, dup := idx[pos.Symbol]; dup {
			return nil, fmt.Errorf("%w: positions[%d]: %s listed twice", ErrInvalidInput, i, pos.Symbol)
		}
		idx[pos.Symbol] = len(lines)
		lines = append(lines, line{sym: pos.Symbol, qty: pos.Qty})
	}
	sum := decimal.Zero
	for i, t := range in.Targets {
		w := t.Weight.Decimal()
		switch {
		case t.Symbol == "":
			return nil, fmt.Errorf("%w: targets[%d]: empty symbol", ErrInvalidInput, i)
		case w.IsNegative() || w.GreaterThan(one):
			return nil, fmt.Errorf("%w: targets[%d]: weight %s of %s is outside [0, 1]", ErrInvalidInput, i, w, t.Symbol)
		}
		sum = sum.Add(w)
		j, ok := idx[t.Symbol]
		if !ok {
			j = len(lines)
			idx[t.Symbol] = j
			lines = append(lines, line{sym: t.Symbol})
		}
		if lines[j].targeted {
			return nil, fmt.Errorf("%w: targets[%d]: %s listed twice", ErrInvalidInput, i, t.Symbol)
		}
		lines[j].weight, lines[j].targeted = w, true
	}
	if sum.Sub(one).GreaterThan(weightTolerance) {
		return nil, fmt.Errorf("%w: target weights sum to %s, more than 1", ErrInvalidInput, sum)
	}
	slices.SortFunc(lines, func(a, b line) int { return strings.Compare(string(a.sym), string(b.sym)) })
	return lines, nil
}
