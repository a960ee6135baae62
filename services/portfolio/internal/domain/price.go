package domain

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// ReferencePrice returns the price a symbol is valued and sized at: the midpoint of the quote
// when both sides are positive and not crossed, else the last trade when it is positive. The
// boolean is false when there is no usable price.
func ReferencePrice(q Quote) (decimal.Decimal, bool) {
	if q.Bid.IsPositive() && q.Ask.IsPositive() && q.Ask.GreaterThanOrEqual(q.Bid) {
		return q.Bid.Add(q.Ask).Mul(half), true
	}
	if q.Last.IsPositive() {
		return q.Last, true
	}
	return decimal.Zero, false
}

// NeedsLastTrade reports whether ReferencePrice would fall back to the last trade for q, so a
// caller fetches trades only for the symbols that need them.
func NeedsLastTrade(q Quote) bool {
	return !(q.Bid.IsPositive() && q.Ask.IsPositive() && q.Ask.GreaterThanOrEqual(q.Bid))
}

// noPriceReason says why q gives no price.
func noPriceReason(q Quote) string {
	book := "no quote"
	switch {
	case q.Bid.IsPositive() && q.Ask.IsPositive():
		book = fmt.Sprintf("crossed quote (bid %s > ask %s)", q.Bid, q.Ask)
	case q.Bid.IsPositive() || q.Ask.IsPositive():
		book = fmt.Sprintf("one-sided quote (bid %s, ask %s)", q.Bid, q.Ask)
	}
	return "no usable price: " + book + " and no last trade"
}
