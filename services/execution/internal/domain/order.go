package domain

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
)

// Status is an order's status as the broker reports it, plus Simulated and Refused.
type Status string

// The statuses.
const (
	StatusNew             Status = "new"
	StatusAccepted        Status = "accepted"
	StatusPendingNew      Status = "pending_new"
	StatusPartiallyFilled Status = "partially_filled"
	StatusFilled          Status = "filled"
	StatusCanceled        Status = "canceled"
	StatusExpired         Status = "expired"
	StatusRejected        Status = "rejected"
	StatusDoneForDay      Status = "done_for_day"
	StatusReplaced        Status = "replaced"
	StatusPendingCancel   Status = "pending_cancel"
	// StatusSimulated marks an order of a dry run: priced against a quote, never sent.
	StatusSimulated Status = "simulated"
	// StatusRefused marks an order a guard stopped before it was sent.
	StatusRefused Status = "refused"
)

// Terminal reports whether an order in status s will not change again.
func (s Status) Terminal() bool {
	switch s {
	case StatusFilled, StatusCanceled, StatusExpired, StatusRejected, StatusDoneForDay, StatusReplaced,
		StatusSimulated, StatusRefused:
		return true
	}
	return false
}

// OrderType is market or limit.
type OrderType string

// The order types.
const (
	Market OrderType = "market"
	Limit  OrderType = "limit"
)

// OrderRequest is an order to send.
type OrderRequest struct {
	ClientOrderID string
	Symbol        market.Symbol
	Side          Side
	Type          OrderType
	// Qty or Notional: exactly one is positive.
	Qty      decimal.Decimal
	Notional decimal.Decimal
	// LimitPrice is set for limit orders.
	LimitPrice decimal.Decimal
}

// Order is an order as the broker (or the simulation) knows it.
type Order struct {
	ClientOrderID string
	BrokerOrderID string
	Symbol        market.Symbol
	Side          Side
	Type          OrderType
	Qty           decimal.Decimal
	Notional      decimal.Decimal
	LimitPrice    decimal.Decimal
	FilledQty     decimal.Decimal
	// AvgPrice is the average fill price; zero when nothing filled.
	AvgPrice decimal.Decimal
	Status   Status
	// Error says why the order failed or was refused.
	Error string
	// UpdatedAt is the broker's last update of the order; later updates win.
	UpdatedAt time.Time
}

// Newer reports whether o is a later state of the same order than old: a terminal status wins
// over an open one, then the later update, then the larger fill.
func (o Order) Newer(old Order) bool {
	if o.Status.Terminal() != old.Status.Terminal() {
		return o.Status.Terminal()
	}
	if !o.UpdatedAt.Equal(old.UpdatedAt) {
		return o.UpdatedAt.After(old.UpdatedAt)
	}
	return o.FilledQty.GreaterThan(old.FilledQty) || o.Status != old.Status && o.Status.Terminal()
}

// Account is what the buy phase needs to know about the account.
type Account struct {
	Cash        decimal.Decimal
	BuyingPower decimal.Decimal
}

// Spendable is what the buys may use: the smaller of cash and buying power, so a margin
// account never borrows.
func (a Account) Spendable() decimal.Decimal {
	return decimal.Min(a.Cash, a.BuyingPower)
}

// MarketClock is the broker's market clock.
type MarketClock struct {
	Now      time.Time
	IsOpen   bool
	NextOpen time.Time
}

// Quote is the latest bid and ask of a symbol.
type Quote struct {
	Bid, Ask decimal.Decimal
}

// Valid reports whether the quote has a positive bid and ask, the ask not below the bid.
func (q Quote) Valid() bool {
	return q.Bid.IsPositive() && q.Ask.IsPositive() && q.Ask.GreaterThanOrEqual(q.Bid)
}
