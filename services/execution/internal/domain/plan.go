package domain

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
)

// Side is buy or sell.
type Side string

// The sides.
const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

func (s Side) letter() byte {
	if s == Sell {
		return 's'
	}
	return 'b'
}

// Item is one trade of a plan: a number of shares (Qty) or, for fractional buys, a dollar
// amount (Notional). Exactly one of them is positive.
type Item struct {
	Symbol market.Symbol
	Side   Side
	// Qty is the number of shares; zero when the item is sized by Notional.
	Qty decimal.Decimal
	// Notional is the dollar amount; zero when the item is sized by Qty.
	Notional decimal.Decimal
	// RefPrice is the price the planner sized the item with.
	RefPrice decimal.Decimal
}

// ByQty reports whether the item is sized in shares.
func (it Item) ByQty() bool { return it.Qty.IsPositive() }

// WholeShares reports whether the item is a whole number of shares.
func (it Item) WholeShares() bool { return it.ByQty() && it.Qty.Equal(it.Qty.Truncate(0)) }

// EstimatedNotional is the item's dollar value: Notional, or Qty times price (RefPrice when
// price is zero).
func (it Item) EstimatedNotional(price decimal.Decimal) decimal.Decimal {
	if !it.ByQty() {
		return it.Notional
	}
	if !price.IsPositive() {
		price = it.RefPrice
	}
	return it.Qty.Mul(price)
}

// String names the item for messages, such as "buy 10 SPY" or "buy $250 SPY".
func (it Item) String() string {
	if it.ByQty() {
		return fmt.Sprintf("%s %s %s", it.Side, it.Qty, it.Symbol)
	}
	return fmt.Sprintf("%s $%s %s", it.Side, it.Notional.StringFixed(2), it.Symbol)
}

// Plan is what execution trades: the items of a RebalancePlanned that are not holds.
type Plan struct {
	ID            string
	CorrelationID string
	Items         []Item
}

// Phases splits items into sells and buys, each in plan order. Sells go first so that their
// proceeds pay for the buys.
func Phases(items []Item) (sells, buys []Item) {
	for _, it := range items {
		if it.Side == Sell {
			sells = append(sells, it)
		} else {
			buys = append(buys, it)
		}
	}
	return sells, buys
}

// Limits caps how much one order and one run may trade. A zero cap means no cap.
type Limits struct {
	MaxOrderNotional decimal.Decimal
	MaxRunNotional   decimal.Decimal
}

// Refusal is an item that a guard stopped, with the reason.
type Refusal struct {
	Item   Item
	Reason string
}

// ApplyLimits keeps the items within the limits, in order, and refuses the rest with a reason.
// An item larger than the per-order cap is refused; so is any item that would take the run's
// total over the per-run cap (smaller later items may still fit).
func ApplyLimits(items []Item, l Limits) (kept []Item, refused []Refusal) {
	total := decimal.Zero
	for _, it := range items {
		n := it.EstimatedNotional(decimal.Zero)
		switch {
		case l.MaxOrderNotional.IsPositive() && n.GreaterThan(l.MaxOrderNotional):
			refused = append(refused, Refusal{it, fmt.Sprintf("refused: %s is about $%s, over the per-order limit of $%s",
				it, n.StringFixed(2), l.MaxOrderNotional.StringFixed(2))})
		case l.MaxRunNotional.IsPositive() && total.Add(n).GreaterThan(l.MaxRunNotional):
			refused = append(refused, Refusal{it, fmt.Sprintf("refused: %s (about $%s) would take the run to $%s, over the per-run limit of $%s",
				it, n.StringFixed(2), total.Add(n).StringFixed(2), l.MaxRunNotional.StringFixed(2))})
		default:
			total = total.Add(n)
			kept = append(kept, it)
		}
	}
	return kept, refused
}

// minNotional is Alpaca's smallest notional order.
var minNotional = decimal.NewFromInt(1)

// ScaleBuys fits buys into the dollars available. prices gives the price each qty buy is
// valued at (the plan's reference price when missing); buffer is the fraction kept back for
// slippage, such as 0.005. When the buys fit, they are returned unchanged with factor 1.
// Otherwise every buy is scaled by the same factor: whole-share quantities round down to whole
// shares, fractional quantities to 9 decimals, notionals down to the cent; a buy that scales to
// nothing (or under $1 notional) is refused with the reason.
func ScaleBuys(buys []Item, prices map[market.Symbol]decimal.Decimal, available, buffer decimal.Decimal) (scaled []Item, factor decimal.Decimal, refused []Refusal) {
	need := decimal.Zero
	for _, it := range buys {
		need = need.Add(it.EstimatedNotional(prices[it.Symbol]))
	}
	need = need.Mul(decimal.NewFromInt(1).Add(buffer))
	one := decimal.NewFromInt(1)
	if !need.IsPositive() || available.GreaterThanOrEqual(need) {
		return buys, one, nil
	}
	if available.IsNegative() {
		available = decimal.Zero
	}
	factor = available.DivRound(need, 8)
	for _, it := range buys {
		s := it
		switch {
		case it.WholeShares():
			s.Qty = it.Qty.Mul(factor).Truncate(0)
		case it.ByQty():
			s.Qty = it.Qty.Mul(factor).Truncate(9)
		default:
			s.Notional = it.Notional.Mul(factor).Truncate(2)
		}
		reason := ""
		switch {
		case it.ByQty() && !s.Qty.IsPositive(), !it.ByQty() && s.Notional.LessThan(minNotional):
			reason = fmt.Sprintf("refused: buying power $%s covers %s%% of the buys; %s scales to nothing",
				available.StringFixed(2), factor.Mul(decimal.NewFromInt(100)).StringFixed(1), it)
		}
		if reason != "" {
			refused = append(refused, Refusal{it, reason})
			continue
		}
		scaled = append(scaled, s)
	}
	return scaled, factor, refused
}
