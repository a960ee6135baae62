package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// Clock is the time source of the app layer; tests inject one that does not sleep.
type Clock interface {
	Now() time.Time
	// After delivers the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// MarketReader reads the market and the account. It places, cancels and closes nothing, which
// is why it is the only port a dry run is given.
type MarketReader interface {
	MarketClock(ctx context.Context) (domain.MarketClock, error)
	Account(ctx context.Context) (domain.Account, error)
	// Quotes returns the latest quotes; a symbol without a quote is missing from the map.
	Quotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Quote, error)
}

// OrderBook reads orders.
type OrderBook interface {
	// OrdersWithPrefix lists orders submitted after since (broker time), open or closed,
	// whose client order ID starts with prefix.
	OrdersWithPrefix(ctx context.Context, prefix string, since time.Time) ([]domain.Order, error)
	// OpenOrders lists every open order of the account, whoever placed it.
	OpenOrders(ctx context.Context) ([]domain.Order, error)
	// OrderByClientID finds an order by its client order ID, or returns ErrNotFound.
	OrderByClientID(ctx context.Context, clientOrderID string) (domain.Order, error)
}

// OrderDesk is the only port that changes anything at the broker.
type OrderDesk interface {
	// PlaceOrder sends an order. A client order ID already used gives ErrDuplicate; an order
	// the broker refuses gives a *RejectedError. Any other error may be retried.
	PlaceOrder(ctx context.Context, req domain.OrderRequest) (domain.Order, error)
	// CancelOrder asks the broker to cancel an open order; an order that is gone or already
	// final gives ErrNotFound or a *RejectedError.
	CancelOrder(ctx context.Context, brokerOrderID string) error
}

// Broker is everything a live run uses.
type Broker interface {
	MarketReader
	OrderBook
	OrderDesk
}

// TradeUpdates pushes order updates as the broker makes them.
type TradeUpdates interface {
	// Watch calls fn with every order update from since (broker time) on, until ctx ends,
	// reconnecting when the stream drops. It returns when ctx ends.
	Watch(ctx context.Context, since time.Time, fn func(domain.Order))
}

// ErrNotFound means the broker has no such order.
var ErrNotFound = errors.New("order not found")

// ErrNoTime means the invocation had less time left than the safety margin, so no order was
// sent. It is retryable.
var ErrNoTime = errors.New("less time left than the safety margin; nothing sent")

// ErrDuplicate means the client order ID was used before: the order was already placed.
var ErrDuplicate = errors.New("duplicate client order ID")

// RejectedError is an order or request the broker refused (insufficient buying power, an
// invalid order). Retrying the same request will not help.
type RejectedError struct {
	// Status is the HTTP status, Code the broker's error code.
	Status, Code int
	Message      string
}

// Error describes the refusal.
func (e *RejectedError) Error() string {
	return fmt.Sprintf("broker refused (HTTP %d, code %d): %s", e.Status, e.Code, e.Message)
}
