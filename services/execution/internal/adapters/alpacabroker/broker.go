// Package alpacabroker adapts the shared Alpaca adapter (pkg/alpaca/alpacaclient) to the
// execution app's ports, and streams trade updates through Alpaca's own client.
package alpacabroker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

var _ app.Broker = (*Broker)(nil)

// listLimit is how many recent orders a plan's orders are looked for in (Alpaca's maximum).
const listLimit = 500

// Broker implements app.Broker over an alpacaclient.Client.
type Broker struct {
	c *alpacaclient.Client
}

// New returns a Broker over c.
func New(c *alpacaclient.Client) *Broker { return &Broker{c: c} }

// MarketClock reads the market clock.
func (b *Broker) MarketClock(ctx context.Context) (domain.MarketClock, error) {
	k, err := b.c.Clock(ctx)
	if err != nil {
		return domain.MarketClock{}, err
	}
	return domain.MarketClock{Now: k.Timestamp, IsOpen: k.IsOpen, NextOpen: k.NextOpen}, nil
}

// Account reads the cash and buying power.
func (b *Broker) Account(ctx context.Context) (domain.Account, error) {
	a, err := b.c.Account(ctx)
	if err != nil {
		return domain.Account{}, err
	}
	return domain.Account{Cash: a.Cash.Decimal(), BuyingPower: a.BuyingPower.Decimal()}, nil
}

// Quotes reads the latest quotes; symbols without one are left out.
func (b *Broker) Quotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Quote, error) {
	if len(symbols) == 0 {
		return map[market.Symbol]domain.Quote{}, nil
	}
	qs, err := b.c.LatestQuotes(ctx, symbols)
	if err != nil {
		return nil, err
	}
	out := make(map[market.Symbol]domain.Quote, len(qs))
	for s, q := range qs {
		out[s] = domain.Quote{Bid: q.Bid.Decimal(), Ask: q.Ask.Decimal()}
	}
	return out, nil
}

// OrdersWithPrefix lists the orders submitted after since (at most the 500 most recent) and
// keeps those whose client order ID starts with prefix. An order beyond the 500 is still
// found by its duplicate client order ID when it is placed again.
func (b *Broker) OrdersWithPrefix(ctx context.Context, prefix string, since time.Time) ([]domain.Order, error) {
	os, err := b.c.ListOrders(ctx, alpacaclient.ListOrdersRequest{Status: "all", Limit: listLimit, After: since})
	if err != nil {
		return nil, err
	}
	var out []domain.Order
	for _, o := range os {
		if strings.HasPrefix(o.ClientOrderID, prefix) {
			out = append(out, toDomain(o))
		}
	}
	return out, nil
}

// OpenOrders lists the open orders.
func (b *Broker) OpenOrders(ctx context.Context) ([]domain.Order, error) {
	os, err := b.c.ListOrders(ctx, alpacaclient.ListOrdersRequest{Status: "open", Limit: listLimit})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Order, len(os))
	for i, o := range os {
		out[i] = toDomain(o)
	}
	return out, nil
}

// OrderByClientID finds an order by its client order ID.
func (b *Broker) OrderByClientID(ctx context.Context, cid string) (domain.Order, error) {
	o, err := b.c.GetOrderByClientID(ctx, cid)
	if err != nil {
		return domain.Order{}, mapErr(err)
	}
	return toDomain(o), nil
}

// PlaceOrder places a DAY order. The shared adapter already resolves 429s, 5xx and timeouts by
// looking the order up by its client order ID; an order it finds under the ID is returned as
// placed, and an order placed and then rejected is returned with status rejected.
func (b *Broker) PlaceOrder(ctx context.Context, r domain.OrderRequest) (domain.Order, error) {
	req := alpacaclient.OrderRequest{ClientOrderID: r.ClientOrderID, Symbol: r.Symbol, Side: alpacaclient.Side(r.Side),
		Type: alpacaclient.OrderType(r.Type), TimeInForce: alpacaclient.Day}
	if r.Qty.IsPositive() {
		q := market.NewQty(r.Qty)
		req.Qty = &q
	} else {
		n := market.NewMoney(r.Notional)
		req.Notional = &n
	}
	if r.Type == domain.Limit {
		p := market.NewMoney(r.LimitPrice)
		req.LimitPrice = &p
	}
	o, err := b.c.PlaceOrder(ctx, req)
	switch {
	case err == nil:
		return toDomain(o), nil
	case o.ID != "" && (errors.Is(err, alpacaclient.ErrRejected) || errors.Is(err, alpacaclient.ErrDuplicateClientOrderID)):
		// Placed: rejected after acceptance, or placed earlier with other sizes (a retry that
		// scaled the buys differently). Either way the broker's order is the truth.
		return toDomain(o), nil
	}
	return domain.Order{}, mapErr(err)
}

// CancelOrder cancels an open order.
func (b *Broker) CancelOrder(ctx context.Context, id string) error {
	if err := b.c.CancelOrder(ctx, id); err != nil {
		return mapErr(err)
	}
	return nil
}

// mapErr turns the shared adapter's sentinels into the app's.
func mapErr(err error) error {
	var ae *alpacaclient.APIError
	switch {
	case errors.Is(err, alpacaclient.ErrNotFound):
		return fmt.Errorf("%w: %v", app.ErrNotFound, err)
	case errors.Is(err, alpacaclient.ErrDuplicateClientOrderID):
		return fmt.Errorf("%w: %v", app.ErrDuplicate, err)
	case errors.Is(err, alpacaclient.ErrInsufficientBuyingPower), errors.Is(err, alpacaclient.ErrInsufficientQty),
		errors.Is(err, alpacaclient.ErrInvalidOrder):
		rej := &app.RejectedError{Message: err.Error()}
		if errors.As(err, &ae) {
			rej.Status, rej.Code, rej.Message = ae.Status, ae.Code, ae.Message
		}
		return rej
	}
	return err
}

// toDomain converts the shared adapter's order.
func toDomain(o alpacaclient.Order) domain.Order {
	out := domain.Order{ClientOrderID: o.ClientOrderID, BrokerOrderID: o.ID, Symbol: o.Symbol, Side: domain.Side(o.Side),
		Type: domain.OrderType(o.Type), FilledQty: o.FilledQty.Decimal(), Status: domain.Status(o.Status), UpdatedAt: o.UpdatedAt}
	if o.Qty != nil && o.Notional == nil {
		out.Qty = o.Qty.Decimal()
	}
	if o.Notional != nil {
		out.Notional = o.Notional.Decimal()
	}
	if o.LimitPrice != nil {
		out.LimitPrice = o.LimitPrice.Decimal()
	}
	if o.FilledAvgPrice != nil {
		out.AvgPrice = o.FilledAvgPrice.Decimal()
	}
	if o.Status == alpacaclient.StatusRejected {
		out.Error = "rejected by the broker"
	}
	return out
}
