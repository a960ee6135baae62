package alpacatest_test

import (
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
)

func qtyOf(s string) *market.Qty {
	q := market.NewQty(decimal.RequireFromString(s))
	return &q
}
