package alpacaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"

	"github.com/alchemiser/alchemiser/pkg/market"
)

// TradeUpdate is one event of the account's trade-updates stream: "new", "fill",
// "partial_fill", "canceled", "expired", "rejected" and so on, with the order as it is after
// the event.
type TradeUpdate struct {
	At    time.Time
	Event string
	Order Order
	// Price and Qty are set on fills: the price and quantity of this execution.
	Price *market.Money
	Qty   *market.Qty
	// PositionQty is the position after a fill.
	PositionQty *market.Qty
}

func toTradeUpdate(u alpaca.TradeUpdate) (TradeUpdate, error) {
	o, err := toOrder(&u.Order)
	if err != nil {
		return TradeUpdate{}, err
	}
	return TradeUpdate{At: u.At, Event: u.Event, Order: o, Price: moneyPtr(u.Price), Qty: qtyPtr(u.Qty), PositionQty: qtyPtr(u.PositionQty)}, nil
}

// StreamTradeUpdates connects to the trade-updates stream and calls fn with every update
// from since on (zero: only new ones) until ctx ends or the stream breaks. It returns nil when
// ctx ends and an error when the stream breaks; WatchTradeUpdates reconnects for you.
func (c *Client) StreamTradeUpdates(ctx context.Context, since time.Time, fn func(TradeUpdate)) error {
	if err := c.opts.Limiter.Wait(ctx); err != nil {
		return nil
	}
	var convErr error
	err := c.trading(ctx).StreamTradeUpdates(ctx, func(u alpaca.TradeUpdate) {
		tu, err := toTradeUpdate(u)
		if err != nil {
			convErr = err
			return
		}
		fn(tu)
	}, alpaca.StreamTradeUpdatesRequest{Since: since})
	if ctx.Err() != nil {
		return nil
	}
	if err == nil {
		err = errors.New("stream ended")
	}
	if convErr != nil {
		err = errors.Join(err, convErr)
	}
	if strings.Contains(err.Error(), "(HTTP 401)") || strings.Contains(err.Error(), "(HTTP 403)") {
		return fmt.Errorf("stream trade updates: %w: %v", ErrUnauthorized, err)
	}
	return fmt.Errorf("stream trade updates: %w: %v", ErrUnavailable, err)
}

// WatchTradeUpdates streams trade updates until ctx ends, reconnecting with backoff when the
// stream breaks and resuming after the last update seen (updates are at least once: a
// reconnect may repeat the last instant's events). It returns when ctx ends, or on
// ErrUnauthorized.
func (c *Client) WatchTradeUpdates(ctx context.Context, since time.Time, fn func(TradeUpdate)) error {
	last := since
	for attempt := 1; ; attempt++ {
		seen := false
		err := c.StreamTradeUpdates(ctx, last, func(u TradeUpdate) {
			seen = true
			if u.At.After(last) {
				last = u.At
			}
			fn(u)
		})
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrUnauthorized) {
			return err
		}
		if seen {
			attempt = 1
		}
		c.opts.Logger.WarnContext(ctx, "alpaca trade updates stream broke; reconnecting", "attempt", attempt, "err", err)
		if serr := c.opts.Sleep(ctx, c.opts.Backoff(attempt)); serr != nil {
			return nil
		}
	}
}
