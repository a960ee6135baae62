// Package apptest gives a hand-written, in-memory broker for the app's tests. The port's
// contract suite runs against it and against the Alpaca adapter, so it earns its trust.
package apptest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// Behaviour says how the fake broker treats an order of a symbol.
type Behaviour int

const (
	// Fill fills market orders at once and limit orders when marketable.
	Fill Behaviour = iota
	// Reject accepts and then rejects the order.
	Reject
	// Refuse answers 403 (insufficient buying power).
	Refuse
	// Partial fills half, and the rest never.
	Partial
	// Rest never fills.
	Rest
)

// FakeBroker is a hand-written broker: it fills market orders at once at the quote, keeps the
// limit orders that are not marketable, and counts every call that changes something.
type FakeBroker struct {
	mu sync.Mutex
	// Open and NextOpen are the market clock.
	Open     bool
	NextOpen time.Time
	// Cash is both the cash and the buying power.
	Cash   decimal.Decimal
	quotes map[market.Symbol]domain.Quote
	// Behave sets how a symbol's orders behave (Fill by default).
	Behave    map[market.Symbol]Behaviour
	orders    []*domain.Order
	placed    []string // client order IDs, in order
	cancelled []string
	seq       int
	// HideFromList hides orders from OrdersWithPrefix, so only a duplicate reveals them.
	HideFromList bool
	// CrashAfter calls Crash after that many successful placements.
	CrashAfter int
	Crash      context.CancelFunc
}

var _ app.Broker = (*FakeBroker)(nil)

// NewFakeBroker returns an open market with $100,000 and no quotes.
func NewFakeBroker() *FakeBroker {
	return &FakeBroker{Open: true, Cash: decimal.NewFromInt(100_000), quotes: map[market.Symbol]domain.Quote{}, Behave: map[market.Symbol]Behaviour{}}
}

// SetQuote sets a symbol's bid and ask.
func (f *FakeBroker) SetQuote(sym string, bid, ask string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.quotes[market.Symbol(sym)] = domain.Quote{Bid: decimal.RequireFromString(bid), Ask: decimal.RequireFromString(ask)}
}

// MarketClock implements app.Broker.
func (f *FakeBroker) MarketClock(context.Context) (domain.MarketClock, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return domain.MarketClock{IsOpen: f.Open, NextOpen: f.NextOpen}, nil
}

// Account implements app.Broker.
func (f *FakeBroker) Account(context.Context) (domain.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return domain.Account{Cash: f.Cash, BuyingPower: f.Cash}, nil
}

// Quotes implements app.Broker.
func (f *FakeBroker) Quotes(_ context.Context, syms []market.Symbol) (map[market.Symbol]domain.Quote, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[market.Symbol]domain.Quote{}
	for _, s := range syms {
		if q, ok := f.quotes[s]; ok {
			out[s] = q
		}
	}
	return out, nil
}

// OrdersWithPrefix implements app.Broker.
func (f *FakeBroker) OrdersWithPrefix(_ context.Context, prefix string, _ time.Time) ([]domain.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.HideFromList {
		return nil, nil
	}
	var out []domain.Order
	for _, o := range f.orders {
		if strings.HasPrefix(o.ClientOrderID, prefix) {
			out = append(out, *o)
		}
	}
	return out, nil
}

// OpenOrders implements app.Broker.
func (f *FakeBroker) OpenOrders(context.Context) ([]domain.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.Order
	for _, o := range f.orders {
		if !o.Status.Terminal() {
			out = append(out, *o)
		}
	}
	return out, nil
}

// OrderByClientID implements app.Broker.
func (f *FakeBroker) OrderByClientID(_ context.Context, cid string) (domain.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orders {
		if o.ClientOrderID == cid {
			return *o, nil
		}
	}
	return domain.Order{}, app.ErrNotFound
}

// PlaceOrder implements app.Broker.
func (f *FakeBroker) PlaceOrder(ctx context.Context, req domain.OrderRequest) (domain.Order, error) {
	if err := ctx.Err(); err != nil {
		return domain.Order{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orders {
		if o.ClientOrderID == req.ClientOrderID {
			return domain.Order{}, app.ErrDuplicate
		}
	}
	if f.Behave[req.Symbol] == Refuse {
		return domain.Order{}, &app.RejectedError{Status: 403, Code: 40310000, Message: "insufficient buying power"}
	}
	f.seq++
	o := &domain.Order{ClientOrderID: req.ClientOrderID, BrokerOrderID: fmt.Sprintf("b-%d", f.seq), Symbol: req.Symbol, Side: req.Side,
		Type: req.Type, Qty: req.Qty, Notional: req.Notional, LimitPrice: req.LimitPrice, Status: domain.StatusNew, UpdatedAt: time.Unix(int64(f.seq), 0)}
	f.orders = append(f.orders, o)
	f.placed = append(f.placed, req.ClientOrderID)
	f.match(o)
	if f.CrashAfter > 0 && len(f.placed) == f.CrashAfter && f.Crash != nil {
		f.Crash()
	}
	return *o, nil
}

// match fills o if it should fill now.
func (f *FakeBroker) match(o *domain.Order) {
	q := f.quotes[o.Symbol]
	price := q.Ask
	if o.Side == domain.Sell {
		price = q.Bid
	}
	switch f.Behave[o.Symbol] {
	case Reject:
		o.Status, o.Error = domain.StatusRejected, "rejected by the exchange"
		return
	case Rest:
		return
	}
	if o.Type == domain.Limit {
		marketable := (o.Side == domain.Buy && o.LimitPrice.GreaterThanOrEqual(q.Ask)) || (o.Side == domain.Sell && o.LimitPrice.LessThanOrEqual(q.Bid))
		if !marketable {
			return
		}
	}
	qty := o.Qty
	if qty.IsZero() {
		qty = o.Notional.DivRound(price, 9)
	}
	o.Status = domain.StatusFilled
	if f.Behave[o.Symbol] == Partial {
		qty = qty.Div(decimal.NewFromInt(2)).Truncate(0)
		o.Status = domain.StatusPartiallyFilled
	}
	o.FilledQty, o.AvgPrice = qty, price
	value := qty.Mul(price)
	if o.Side == domain.Buy {
		f.Cash = f.Cash.Sub(value)
	} else {
		f.Cash = f.Cash.Add(value)
	}
}

// CancelOrder implements app.Broker.
func (f *FakeBroker) CancelOrder(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orders {
		if o.BrokerOrderID == id {
			if o.Status.Terminal() {
				return &app.RejectedError{Status: 422, Code: 42210000, Message: "order is already " + string(o.Status)}
			}
			o.Status = domain.StatusCanceled
			f.seq++
			o.UpdatedAt = time.Unix(int64(f.seq), 0)
			f.cancelled = append(f.cancelled, o.ClientOrderID)
			return nil
		}
	}
	return app.ErrNotFound
}

// Add puts an order on the books, as if placed by someone.
func (f *FakeBroker) Add(o domain.Order) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders = append(f.orders, &o)
}

// Placements lists the client order IDs placed, in order.
func (f *FakeBroker) Placements() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.placed...)
}

// Order returns the order with client order ID cid.
func (f *FakeBroker) Order(cid string) domain.Order {
	o, _ := f.OrderByClientID(context.Background(), cid)
	return o
}

// Cancelled lists the client order IDs cancelled, in order.
func (f *FakeBroker) Cancelled() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cancelled...)
}
