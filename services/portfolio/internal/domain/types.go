package domain

import (
	"errors"
	"fmt"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/shopspring/decimal"
)

// ErrInvalidInput marks an Input or Params that cannot be planned at all, such as a non-positive
// equity or a symbol listed twice. Retrying does not help; errors.Is finds it.
var ErrInvalidInput = errors.New("invalid planning input")

// Position is a holding in the account. Qty may be fractional; a negative Qty is a short
// position, which the planner reports and never trades.
type Position struct {
	Symbol market.Symbol
	Qty    decimal.Decimal
}

// Target is a symbol's target share of the portfolio, between 0 and 1.
type Target struct {
	Symbol market.Symbol
	Weight market.Weight
}

// Quote is what the market data says about a symbol's price. A zero field means unknown.
type Quote struct {
	// Bid and Ask are the top of the book.
	Bid, Ask decimal.Decimal
	// Last is the price of the last trade, used when the book is one-sided or crossed.
	Last decimal.Decimal
}

// Asset is what the broker says about a symbol.
type Asset struct {
	// Tradable says whether the broker accepts orders for it.
	Tradable bool
	// Fractionable says whether it trades in fractions of a share (and in notional).
	Fractionable bool
}

// Input is everything a plan is computed from.
type Input struct {
	// Equity is the account equity: the portfolio value every weight applies to.
	Equity market.Money
	// Cash is the account cash; it may be negative.
	Cash market.Money
	// Positions are the current holdings, in any order.
	Positions []Position
	// Targets is the target allocation, in any order; a held symbol without a target has target 0.
	Targets []Target
	// Quotes holds the latest quote (and last trade) per symbol.
	Quotes map[market.Symbol]Quote
	// Assets holds the broker's asset facts per symbol.
	Assets map[market.Symbol]Asset
}

// Params are the planner's settings.
type Params struct {
	// CashReserve is the fraction of equity kept as cash, in [0, 1).
	CashReserve decimal.Decimal
	// MinTradeFraction is the minimum trade as a fraction of equity.
	MinTradeFraction decimal.Decimal
	// MinTradeFloor is the minimum trade in dollars, whatever the equity.
	MinTradeFloor decimal.Decimal
	// MinNotional is the smallest buy in dollars.
	MinNotional decimal.Decimal
}

// DefaultParams returns the defaults: a 1% reserve, a minimum trade of 1% of equity but at
// least $10, and no buy under $1.
func DefaultParams() Params {
	return Params{
		CashReserve:      decimal.New(1, -2),
		MinTradeFraction: decimal.New(1, -2),
		MinTradeFloor:    decimal.NewFromInt(10),
		MinNotional:      decimal.NewFromInt(1),
	}
}

// Validate checks that the settings make sense.
func (p Params) Validate() error {
	switch {
	case p.CashReserve.IsNegative() || p.CashReserve.GreaterThanOrEqual(one):
		return fmt.Errorf("%w: cash reserve %s is outside [0, 1)", ErrInvalidInput, p.CashReserve)
	case p.MinTradeFraction.IsNegative() || p.MinTradeFraction.GreaterThan(one):
		return fmt.Errorf("%w: minimum trade fraction %s is outside [0, 1]", ErrInvalidInput, p.MinTradeFraction)
	case p.MinTradeFloor.IsNegative():
		return fmt.Errorf("%w: minimum trade floor %s is negative", ErrInvalidInput, p.MinTradeFloor)
	case p.MinNotional.IsNegative():
		return fmt.Errorf("%w: minimum notional %s is negative", ErrInvalidInput, p.MinNotional)
	}
	return nil
}

// Action is what an item does.
type Action string

// The actions.
const (
	Buy  Action = "BUY"
	Sell Action = "SELL"
	Hold Action = "HOLD"
)

// Code says, in a machine-readable way, why an item is what it is. The empty Code is a plain
// trade to the target.
type Code string

// The codes.
const (
	// CodeOnTarget: a trade that reaches the target (up to cents or 6 decimals).
	CodeOnTarget Code = ""
	// CodeLiquidate: the target is 0 and the whole position is sold.
	CodeLiquidate Code = "liquidate"
	// CodeBelowThreshold: the drift is below the minimum trade; held.
	CodeBelowThreshold Code = "below_threshold"
	// CodeNothingToDo: nothing is held and the target is 0.
	CodeNothingToDo Code = "nothing_to_do"
	// CodeWholeShares: the asset trades whole shares, so the target cannot be met exactly.
	CodeWholeShares Code = "whole_shares"
	// CodeCashShort: the buys did not fit the available cash and were scaled down or held.
	CodeCashShort Code = "cash_short"
	// CodeMinNotional: the buy would be under the minimum notional; held.
	CodeMinNotional Code = "min_notional"
	// CodeNoPrice: no usable price; the symbol failed planning and is held.
	CodeNoPrice Code = "no_price"
	// CodeUnknownAsset: the broker does not know the asset; the symbol failed planning.
	CodeUnknownAsset Code = "unknown_asset"
	// CodeNotTradable: the broker does not accept orders for the asset; held.
	CodeNotTradable Code = "not_tradable"
)

// Item is one symbol's part of a plan.
type Item struct {
	Symbol        market.Symbol
	Action        Action
	CurrentQty    market.Qty
	CurrentWeight market.Weight
	TargetWeight  market.Weight
	CurrentValue  market.Money
	TargetValue   market.Money
	// Price is the reference price the item was sized with; zero when there was none.
	Price market.Money
	// Qty is the number of shares to trade: set for sells and whole-share buys, else nil.
	Qty *market.Qty
	// Notional is the dollars to buy: set for fractional buys, else nil.
	Notional *market.Money
	// Liquidate marks the sale of the whole position.
	Liquidate bool
	// Code and Reason say why the item is a hold or was adjusted.
	Code   Code
	Reason string
}

// Plan is the result of planning.
type Plan struct {
	Equity      market.Money
	Cash        market.Money
	CashReserve decimal.Decimal
	// MinTrade is the minimum trade in dollars that was applied.
	MinTrade market.Money
	// Available is the cash for buys: cash + estimated sell proceeds − reserve.
	Available market.Money
	// Items are the sells, then the buys, then the holds, each group by symbol.
	Items []Item
	// Notes say what could not be planned, one line each.
	Notes []string
}

// Trades counts the items that are not holds.
func (p Plan) Trades() int {
	n := 0
	for _, it := range p.Items {
		if it.Action != Hold {
			n++
		}
	}
	return n
}
