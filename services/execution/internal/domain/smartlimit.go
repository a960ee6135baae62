package domain

import (
	"time"

	"github.com/shopspring/decimal"
)

// SmartLimit is the "smart limit" order policy: a DAY limit order inside the spread, re-pegged
// to the far side of the spread after RepegAfter, switched to a market order after
// MarketAfter. Aggression places the first limit between the near side (0) and the far side
// (1) of the spread; 0.5 is the mid.
type SmartLimit struct {
	RepegAfter  time.Duration
	MarketAfter time.Duration
	Aggression  decimal.Decimal
}

// The legs of a smart limit item.
const (
	LegInside = 0 // a limit order inside the spread
	LegFar    = 1 // a limit order at the far side
	LegMarket = 2 // a market order for what is left
)

// Step is what a smart limit item should do next.
type Step int

// The steps.
const (
	// Wait for the current leg.
	Wait Step = iota
	// Repeg the order to the far side.
	Repeg
	// GoMarket replaces the order by a market order.
	GoMarket
)

// Next says what an item whose current leg is leg, first placed elapsed ago, should do.
func (p SmartLimit) Next(leg int, elapsed time.Duration) Step {
	switch {
	case leg < LegMarket && elapsed >= p.MarketAfter:
		return GoMarket
	case leg < LegFar && elapsed >= p.RepegAfter:
		return Repeg
	}
	return Wait
}

// InsidePrice is the first leg's limit price: from the near side toward the far side of the
// spread by the aggression, rounded to a valid tick on the safe side. ok is false when the quote
// cannot price an order.
func (p SmartLimit) InsidePrice(side Side, q Quote) (decimal.Decimal, bool) {
	if !q.Valid() {
		return decimal.Zero, false
	}
	spread := q.Ask.Sub(q.Bid)
	if side == Buy {
		return RoundPrice(q.Bid.Add(spread.Mul(p.Aggression)), side), true
	}
	return RoundPrice(q.Ask.Sub(spread.Mul(p.Aggression)), side), true
}

// FarPrice is the re-pegged leg's limit price: the ask for a buy, the bid for a sell.
func FarPrice(side Side, q Quote) (decimal.Decimal, bool) {
	if !q.Valid() {
		return decimal.Zero, false
	}
	if side == Buy {
		return RoundPrice(q.Ask, side), true
	}
	return RoundPrice(q.Bid, side), true
}

// RoundPrice rounds a limit price to Alpaca's tick: cents at $1 and above, 1/100 cent below.
// A buy rounds down and a sell up, so the price never crosses further than intended.
func RoundPrice(p decimal.Decimal, side Side) decimal.Decimal {
	places := int32(2)
	if p.LessThan(decimal.NewFromInt(1)) {
		places = 4
	}
	if side == Buy {
		return p.RoundFloor(places)
	}
	return p.RoundCeil(places)
}

// Simulate prices an item against a quote for a dry run: a buy at the ask, a sell at the bid,
// filled in full. Without a valid quote the reference price is used and the order says so.
func Simulate(clientOrderID string, it Item, q Quote) Order {
	o := Order{ClientOrderID: clientOrderID, Symbol: it.Symbol, Side: it.Side, Type: Market,
		Qty: it.Qty, Notional: it.Notional, Status: StatusSimulated}
	price := q.Ask
	if it.Side == Sell {
		price = q.Bid
	}
	if !q.Valid() {
		price = it.RefPrice
		o.Error = "no quote; priced at the plan's reference price"
	}
	if !price.IsPositive() {
		o.Error = "no quote and no reference price; not priced"
		return o
	}
	o.AvgPrice = price
	if it.ByQty() {
		o.FilledQty = it.Qty
	} else {
		o.FilledQty = it.Notional.DivRound(price, 9)
	}
	return o
}
