package app_test

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

// behaviour says how the fake broker treats an order of a symbol.
type behaviour int

const (
	fill    behaviour = iota // market orders fill at once; limit orders fill when marketable
	reject                   // the broker accepts and then rejects the order
	refuse                   // the broker answers 403 (insufficient buying power)
	partial                  // half fills, the rest never does
	rest                     // the order never fills
)

// fakeBroker is a hand-written broker: it fills market orders at once at the quote, keeps the
// limit orders that are not marketable, and counts every call that changes something.
type fakeBroker struct {
	mu        sync.Mutex
	open      bool
	nextOpen  time.Time
	cash      decimal.Decimal
	quotes    map[market.Symbol]domain.Quote
	behave    map[market.Symbol]behaviour
	orders    []*domain.Order
	placed    []string // client order IDs, in order
	cancelled []string
	seq       int
	// hideFromList hides orders from OrdersWithPrefix, so only a duplicate 422 reveals them.
	hideFromList bool
	// crashAfter cancels crash after that many successful placements.
	crashAfter int
	crash      context.CancelFunc
}

var _ app.Broker = (*fakeBroker)(nil)

func newFakeBroker() *fakeBroker {
	return &fakeBroker{open: true, cash: decimal.NewFromInt(100_000), quotes: map[market.Symbol]domain.Quote{}, behave: map[market.Symbol]behaviour{}}
}

func (f *fakeBroker) quote(sym string, bid, ask string) {
	f.quotes[market.Symbol(sym)] = domain.Quote{Bid: decimal.RequireFromString(bid), Ask: decimal.RequireFromString(ask)}
}

func (f *fakeBroker) MarketClock(context.Context) (domain.MarketClock, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return domain.MarketClock{IsOpen: f.open, NextOpen: f.nextOpen}, nil
}

func (f *fakeBroker) Account(context.Context) (domain.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return domain.Account{Cash: f.cash, BuyingPower: f.cash}, nil
}

func (f *fakeBroker) Quotes(_ context.Context, syms []market.Symbol) (map[market.Symbol]domain.Quote, error) {
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

func (f *fakeBroker) OrdersWithPrefix(_ context.Context, prefix string) ([]domain.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hideFromList {
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

func (f *fakeBroker) OpenOrders(context.Context) ([]domain.Order, error) {
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

func (f *fakeBroker) OrderByClientID(_ context.Context, cid string) (domain.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orders {
		if o.ClientOrderID == cid {
			return *o, nil
		}
	}
	return domain.Order{}, app.ErrNotFound
}

func (f *fakeBroker) PlaceOrder(ctx context.Context, req domain.OrderRequest) (domain.Order, error) {
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
	if f.behave[req.Symbol] == refuse {
		return domain.Order{}, &app.RejectedError{Status: 403, Code: 40310000, Message: "insufficient buying power"}
	}
	f.seq++
	o := &domain.Order{ClientOrderID: req.ClientOrderID, BrokerOrderID: fmt.Sprintf("b-%d", f.seq), Symbol: req.Symbol, Side: req.Side,
		Type: req.Type, Qty: req.Qty, Notional: req.Notional, LimitPrice: req.LimitPrice, Status: domain.StatusNew, UpdatedAt: time.Unix(int64(f.seq), 0)}
	f.orders = append(f.orders, o)
	f.placed = append(f.placed, req.ClientOrderID)
	f.match(o)
	if f.crashAfter > 0 && len(f.placed) == f.crashAfter && f.crash != nil {
		f.crash()
	}
	return *o, nil
}

// match fills o if it should fill now.
func (f *fakeBroker) match(o *domain.Order) {
	q := f.quotes[o.Symbol]
	price := q.Ask
	if o.Side == domain.Sell {
		price = q.Bid
	}
	switch f.behave[o.Symbol] {
	case reject:
		o.Status, o.Error = domain.StatusRejected, "rejected by the exchange"
		return
	case rest:
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
	if f.behave[o.Symbol] == partial {
		qty = qty.Div(decimal.NewFromInt(2)).Truncate(0)
		o.Status = domain.StatusPartiallyFilled
	}
	o.FilledQty, o.AvgPrice = qty, price
	value := qty.Mul(price)
	if o.Side == domain.Buy {
		f.cash = f.cash.Sub(value)
	} else {
		f.cash = f.cash.Add(value)
	}
}

func (f *fakeBroker) CancelOrder(_ context.Context, id string) error {
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

func (f *fakeBroker) add(o domain.Order) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders = append(f.orders, &o)
}

func (f *fakeBroker) placements() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.placed...)
}

func (f *fakeBroker) order(cid string) domain.Order {
	o, _ := f.OrderByClientID(context.Background(), cid)
	return o
}
