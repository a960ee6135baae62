// Package alpacatest gives an in-memory fake of the Alpaca adapter for unit tests, and the
// contract suite (RunSuite) that both the fake and the real adapter (alpacaclient.Client
// against the Alpaca simulator) pass, which is how the fake earns trust.
package alpacatest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
)

// Broker is the adapter's method set that the suite covers.
type Broker interface {
	Account(ctx context.Context) (alpacaclient.Account, error)
	Positions(ctx context.Context) ([]alpacaclient.Position, error)
	Position(ctx context.Context, sym market.Symbol) (alpacaclient.Position, error)
	PlaceOrder(ctx context.Context, req alpacaclient.OrderRequest) (alpacaclient.Order, error)
	GetOrder(ctx context.Context, id string) (alpacaclient.Order, error)
	GetOrderByClientID(ctx context.Context, clientOrderID string) (alpacaclient.Order, error)
	ListOrders(ctx context.Context, req alpacaclient.ListOrdersRequest) ([]alpacaclient.Order, error)
	CancelOrder(ctx context.Context, id string) error
	ClosePosition(ctx context.Context, sym market.Symbol, qty *market.Qty) (alpacaclient.Order, error)
	Clock(ctx context.Context) (alpacaclient.Clock, error)
	LatestQuotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]alpacaclient.Quote, error)
	LatestTrades(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]alpacaclient.Trade, error)
}

var (
	_ Broker = (*alpacaclient.Client)(nil)
	_ Broker = (*Fake)(nil)
)

// Fake is an in-memory broker with the adapter's behaviour: market orders fill at the ask
// (buys) or bid (sells) while the market is open and are accepted while it is closed; limit
// orders fill when marketable; open buys hold buying power; a client order ID is unique;
// errors wrap the adapter's sentinels. It is safe for concurrent use.
type Fake struct {
	mu         sync.Mutex
	now        time.Time
	open       bool
	cash       decimal.Decimal
	quotes     map[market.Symbol]alpacaclient.Quote
	positions  map[market.Symbol]decimal.Decimal
	costs      map[market.Symbol]decimal.Decimal
	orders     []*alpacaclient.Order
	byClientID map[string]*alpacaclient.Order
	seq        int
}

// NewFake returns an open market with cash dollars and no quotes, at time now.
func NewFake(cash string, now time.Time) *Fake {
	return &Fake{
		now: now, open: true, cash: decimal.RequireFromString(cash),
		quotes: map[market.Symbol]alpacaclient.Quote{}, positions: map[market.Symbol]decimal.Decimal{},
		costs: map[market.Symbol]decimal.Decimal{}, byClientID: map[string]*alpacaclient.Order{},
	}
}

// SetQuote sets the bid and ask of sym; a marketable open order fills at once.
func (f *Fake) SetQuote(sym market.Symbol, bid, ask string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.quotes[sym] = alpacaclient.Quote{Time: f.now, Bid: money(bid), Ask: money(ask), BidSize: 1, AskSize: 1}
	f.work()
}

// SetOpen opens or closes the market; on opening, accepted orders become new and may fill.
func (f *Fake) SetOpen(open bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.open = open
	if open {
		for _, o := range f.orders {
			if o.Status == alpacaclient.StatusAccepted {
				o.Status = alpacaclient.StatusNew
			}
		}
		f.work()
	}
}

// Orders returns every order the fake accepted, oldest first.
func (f *Fake) Orders() []alpacaclient.Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]alpacaclient.Order, len(f.orders))
	for i, o := range f.orders {
		out[i] = *o
	}
	return out
}

func money(s string) market.Money { return market.NewMoney(decimal.RequireFromString(s)) }

func isOpen(o *alpacaclient.Order) bool {
	switch o.Status {
	case alpacaclient.StatusAccepted, alpacaclient.StatusNew, alpacaclient.StatusPartiallyFilled:
		return true
	}
	return false
}

func (f *Fake) reserved() decimal.Decimal {
	total := decimal.Zero
	for _, o := range f.orders {
		if !isOpen(o) || o.Side != alpacaclient.Buy {
			continue
		}
		if o.Notional != nil {
			total = total.Add(o.Notional.Decimal())
			continue
		}
		px := f.quotes[o.Symbol].Ask.Decimal()
		if o.LimitPrice != nil {
			px = o.LimitPrice.Decimal()
		}
		total = total.Add(o.Qty.Decimal().Sub(o.FilledQty.Decimal()).Mul(px))
	}
	return total
}

func (f *Fake) heldForSale(sym market.Symbol) decimal.Decimal {
	total := decimal.Zero
	for _, o := range f.orders {
		if isOpen(o) && o.Side == alpacaclient.Sell && o.Symbol == sym && o.Qty != nil {
			total = total.Add(o.Qty.Decimal().Sub(o.FilledQty.Decimal()))
		}
	}
	return total
}

// work fills every marketable working order.
func (f *Fake) work() {
	if !f.open {
		return
	}
	for _, o := range f.orders {
		if o.Status != alpacaclient.StatusNew {
			continue
		}
		q, ok := f.quotes[o.Symbol]
		if !ok {
			continue
		}
		px := q.Ask.Decimal()
		if o.Side == alpacaclient.Sell {
			px = q.Bid.Decimal()
		}
		if o.LimitPrice != nil {
			lim := o.LimitPrice.Decimal()
			if o.Side == alpacaclient.Buy && lim.LessThan(px) || o.Side == alpacaclient.Sell && lim.GreaterThan(px) {
				continue
			}
		}
		var qty decimal.Decimal
		if o.Qty != nil {
			qty = o.Qty.Decimal()
		} else {
			qty = o.Notional.Decimal().Div(px).Truncate(9)
			mq := market.NewQty(qty)
			o.Qty = &mq
		}
		value := qty.Mul(px)
		if o.Side == alpacaclient.Buy {
			f.cash = f.cash.Sub(value)
			f.positions[o.Symbol] = f.positions[o.Symbol].Add(qty)
			f.costs[o.Symbol] = f.costs[o.Symbol].Add(value)
		} else {
			held := f.positions[o.Symbol]
			f.costs[o.Symbol] = f.costs[o.Symbol].Sub(f.costs[o.Symbol].Div(held).Mul(qty))
			f.cash = f.cash.Add(value)
			f.positions[o.Symbol] = held.Sub(qty)
			if f.positions[o.Symbol].IsZero() {
				delete(f.positions, o.Symbol)
				delete(f.costs, o.Symbol)
			}
		}
		o.FilledQty = market.NewQty(qty)
		avg := market.NewMoney(px)
		o.FilledAvgPrice = &avg
		o.Status = alpacaclient.StatusFilled
		t := f.now
		o.FilledAt = &t
		o.UpdatedAt = t
	}
}

func sentinel(kind error, format string, args ...any) error {
	return fmt.Errorf("fake broker: %w: %s", kind, fmt.Sprintf(format, args...))
}

// PlaceOrder places an order; see Fake.
func (f *Fake) PlaceOrder(ctx context.Context, req alpacaclient.OrderRequest) (alpacaclient.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case req.ClientOrderID == "" || len(req.ClientOrderID) > 128:
		return alpacaclient.Order{}, sentinel(alpacaclient.ErrInvalidOrder, "client order id %q", req.ClientOrderID)
	case (req.Qty == nil) == (req.Notional == nil):
		return alpacaclient.Order{}, sentinel(alpacaclient.ErrInvalidOrder, "set exactly one of qty and notional")
	}
	if o, dup := f.byClientID[req.ClientOrderID]; dup {
		sameQty := req.Qty != nil && o.Qty != nil && o.Qty.Decimal().Equal(req.Qty.Decimal())
		sameNotional := req.Notional != nil && o.Notional != nil && o.Notional.Decimal().Equal(req.Notional.Decimal())
		if o.Symbol == req.Symbol && o.Side == req.Side && (sameQty || sameNotional) {
			return *o, nil
		}
		return *o, sentinel(alpacaclient.ErrDuplicateClientOrderID, "%s is order %s", req.ClientOrderID, o.ID)
	}
	fractional := req.Notional != nil || !req.Qty.Decimal().Equal(req.Qty.Decimal().Truncate(0))
	if fractional && (req.Type != alpacaclient.Market || req.TimeInForce != alpacaclient.Day) {
		return alpacaclient.Order{}, sentinel(alpacaclient.ErrInvalidOrder, "fractional orders must be market day orders")
	}
	if req.Type == alpacaclient.Limit && req.LimitPrice == nil {
		return alpacaclient.Order{}, sentinel(alpacaclient.ErrInvalidOrder, "limit order without a limit price")
	}
	q, ok := f.quotes[req.Symbol]
	if !ok {
		return alpacaclient.Order{}, sentinel(alpacaclient.ErrInvalidOrder, "no price for %s", req.Symbol)
	}
	if req.Side == alpacaclient.Buy {
		var cost decimal.Decimal
		switch {
		case req.Notional != nil:
			cost = req.Notional.Decimal()
		case req.LimitPrice != nil:
			cost = req.Qty.Decimal().Mul(req.LimitPrice.Decimal())
		default:
			cost = req.Qty.Decimal().Mul(q.Ask.Decimal())
		}
		if cost.GreaterThan(f.cash.Sub(f.reserved())) {
			return alpacaclient.Order{}, sentinel(alpacaclient.ErrInsufficientBuyingPower, "cost %s", cost)
		}
	} else {
		var want decimal.Decimal
		if req.Qty != nil {
			want = req.Qty.Decimal()
		} else {
			want = req.Notional.Decimal().Div(q.Bid.Decimal())
		}
		if want.GreaterThan(f.positions[req.Symbol].Sub(f.heldForSale(req.Symbol))) {
			return alpacaclient.Order{}, sentinel(alpacaclient.ErrInsufficientQty, "sell %s %s", want, req.Symbol)
		}
	}
	f.seq++
	o := &alpacaclient.Order{
		ID: fmt.Sprintf("fake-%d", f.seq), ClientOrderID: req.ClientOrderID, Symbol: req.Symbol, Side: req.Side,
		Type: req.Type, TimeInForce: req.TimeInForce, Status: alpacaclient.StatusNew, Qty: req.Qty, Notional: req.Notional,
		LimitPrice: req.LimitPrice, SubmittedAt: f.now, UpdatedAt: f.now,
	}
	if !f.open {
		o.Status = alpacaclient.StatusAccepted
	}
	f.orders = append(f.orders, o)
	f.byClientID[o.ClientOrderID] = o
	f.work()
	return *o, nil
}

func (f *Fake) find(id string) (*alpacaclient.Order, error) {
	for _, o := range f.orders {
		if o.ID == id {
			return o, nil
		}
	}
	return nil, sentinel(alpacaclient.ErrNotFound, "order %s", id)
}

// GetOrder returns the order with id.
func (f *Fake) GetOrder(ctx context.Context, id string) (alpacaclient.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, err := f.find(id)
	if err != nil {
		return alpacaclient.Order{}, err
	}
	return *o, nil
}

// GetOrderByClientID returns the order with the client order id.
func (f *Fake) GetOrderByClientID(ctx context.Context, clientOrderID string) (alpacaclient.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.byClientID[clientOrderID]
	if !ok {
		return alpacaclient.Order{}, sentinel(alpacaclient.ErrNotFound, "client order id %s", clientOrderID)
	}
	return *o, nil
}

// ListOrders lists orders newest first, filtered like the broker.
func (f *Fake) ListOrders(ctx context.Context, req alpacaclient.ListOrdersRequest) ([]alpacaclient.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	status := req.Status
	if status == "" {
		status = "open"
	}
	limit := req.Limit
	if limit == 0 {
		limit = 50
	}
	var out []alpacaclient.Order
	for i := len(f.orders) - 1; i >= 0 && len(out) < limit; i-- {
		o := f.orders[i]
		if status == "open" && !isOpen(o) || status == "closed" && isOpen(o) {
			continue
		}
		if len(req.Symbols) > 0 && !contains(req.Symbols, o.Symbol) {
			continue
		}
		out = append(out, *o)
	}
	return out, nil
}

func contains(syms []market.Symbol, s market.Symbol) bool {
	for _, x := range syms {
		if x == s {
			return true
		}
	}
	return false
}

// CancelOrder cancels an open order.
func (f *Fake) CancelOrder(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, err := f.find(id)
	if err != nil {
		return err
	}
	if !isOpen(o) {
		return sentinel(alpacaclient.ErrInvalidOrder, "order %s is already %s", id, o.Status)
	}
	o.Status = alpacaclient.StatusCanceled
	t := f.now
	o.CanceledAt = &t
	return nil
}

// ClosePosition sells qty (nil: all) of sym at market.
func (f *Fake) ClosePosition(ctx context.Context, sym market.Symbol, qty *market.Qty) (alpacaclient.Order, error) {
	f.mu.Lock()
	held, ok := f.positions[sym]
	f.seq++
	cid := fmt.Sprintf("close-%d", f.seq)
	f.mu.Unlock()
	if !ok {
		return alpacaclient.Order{}, sentinel(alpacaclient.ErrNotFound, "position %s", sym)
	}
	if qty == nil {
		q := market.NewQty(held)
		qty = &q
	}
	return f.PlaceOrder(ctx, alpacaclient.OrderRequest{ClientOrderID: cid, Symbol: sym, Side: alpacaclient.Sell, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: qty})
}

// Account returns the balances, equity marked at the bid-ask midpoint.
func (f *Fake) Account(ctx context.Context) (alpacaclient.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	long := decimal.Zero
	for sym, q := range f.positions {
		long = long.Add(q.Mul(f.quotes[sym].Mid().Decimal()))
	}
	eq := market.NewMoney(f.cash.Add(long))
	return alpacaclient.Account{ID: "fake", Status: "ACTIVE", Cash: market.NewMoney(f.cash), BuyingPower: market.NewMoney(f.cash.Sub(f.reserved())),
		Equity: eq, LastEquity: eq, PortfolioValue: eq, LongMarketValue: market.NewMoney(long)}, nil
}

func (f *Fake) position(sym market.Symbol) alpacaclient.Position {
	q := f.positions[sym]
	cost := f.costs[sym]
	px := f.quotes[sym].Mid()
	return alpacaclient.Position{Symbol: sym, Qty: market.NewQty(q), QtyAvailable: market.NewQty(q.Sub(f.heldForSale(sym))),
		AvgEntryPrice: market.NewMoney(cost.Div(q)), CostBasis: market.NewMoney(cost), MarketValue: market.NewMoney(q.Mul(px.Decimal())),
		CurrentPrice: px, HasPrice: true, Side: "long"}
}

// Positions returns the holdings sorted by symbol.
func (f *Fake) Positions(ctx context.Context) ([]alpacaclient.Position, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]alpacaclient.Position, 0, len(f.positions))
	for sym := range f.positions {
		out = append(out, f.position(sym))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol < out[j].Symbol })
	return out, nil
}

// Position returns the holding in sym.
func (f *Fake) Position(ctx context.Context, sym market.Symbol) (alpacaclient.Position, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.positions[sym]; !ok {
		return alpacaclient.Position{}, sentinel(alpacaclient.ErrNotFound, "position %s", sym)
	}
	return f.position(sym), nil
}

// Clock reports whether the market is open.
func (f *Fake) Clock(ctx context.Context) (alpacaclient.Clock, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return alpacaclient.Clock{Timestamp: f.now, IsOpen: f.open}, nil
}

// LatestQuotes returns the quotes set; unknown symbols are absent.
func (f *Fake) LatestQuotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]alpacaclient.Quote, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[market.Symbol]alpacaclient.Quote{}
	for _, s := range symbols {
		if q, ok := f.quotes[market.Symbol(strings.ToUpper(string(s)))]; ok {
			out[s] = q
		}
	}
	return out, nil
}

// LatestTrades returns the quote midpoints as last sales; unknown symbols are absent.
func (f *Fake) LatestTrades(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]alpacaclient.Trade, error) {
	qs, _ := f.LatestQuotes(ctx, symbols)
	out := make(map[market.Symbol]alpacaclient.Trade, len(qs))
	for s, q := range qs {
		out[s] = alpacaclient.Trade{Time: q.Time, Price: q.Mid(), Size: 100}
	}
	return out, nil
}
