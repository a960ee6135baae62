package alpacaclient

import (
	"fmt"
	"math"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
)

// Account is the trading account's balances.
type Account struct {
	ID               string
	Status           string
	Cash             market.Money
	BuyingPower      market.Money
	Equity           market.Money
	LastEquity       market.Money
	PortfolioValue   market.Money
	LongMarketValue  market.Money
	TradingBlocked   bool
	AccountBlocked   bool
	PatternDayTrader bool
}

// Position is a holding.
type Position struct {
	Symbol        market.Symbol
	Qty           market.Qty
	QtyAvailable  market.Qty
	AvgEntryPrice market.Money
	CostBasis     market.Money
	// MarketValue and CurrentPrice are absent (HasPrice false) when the broker has no price.
	MarketValue  market.Money
	CurrentPrice market.Money
	HasPrice     bool
	Side         string
}

// Side is buy or sell.
type Side string

// Order sides.
const (
	Buy  Side = "buy"
	Sell Side = "sell"
)

// OrderType is market or limit.
type OrderType string

// Order types.
const (
	Market OrderType = "market"
	Limit  OrderType = "limit"
)

// TimeInForce is how long an order works.
type TimeInForce string

// Times in force.
const (
	Day TimeInForce = "day"
	GTC TimeInForce = "gtc"
)

// OrderStatus is Alpaca's order status.
type OrderStatus string

// Order statuses.
const (
	StatusNew             OrderStatus = "new"
	StatusAccepted        OrderStatus = "accepted"
	StatusPendingNew      OrderStatus = "pending_new"
	StatusPartiallyFilled OrderStatus = "partially_filled"
	StatusFilled          OrderStatus = "filled"
	StatusDoneForDay      OrderStatus = "done_for_day"
	StatusCanceled        OrderStatus = "canceled"
	StatusExpired         OrderStatus = "expired"
	StatusReplaced        OrderStatus = "replaced"
	StatusRejected        OrderStatus = "rejected"
	StatusSuspended       OrderStatus = "suspended"
	StatusPendingCancel   OrderStatus = "pending_cancel"
)

// Terminal reports whether the order can no longer change.
func (s OrderStatus) Terminal() bool {
	switch s {
	case StatusFilled, StatusCanceled, StatusExpired, StatusReplaced, StatusRejected:
		return true
	}
	return false
}

// OrderRequest is an order to place. Set exactly one of Qty and Notional.
type OrderRequest struct {
	// ClientOrderID is the idempotency key, at most 128 characters. It is required: it is
	// what makes retries safe.
	ClientOrderID string
	Symbol        market.Symbol
	Side          Side
	Type          OrderType
	TimeInForce   TimeInForce
	Qty           *market.Qty
	Notional      *market.Money
	LimitPrice    *market.Money
}

// Order is an order as the broker reports it.
type Order struct {
	ID             string
	ClientOrderID  string
	Symbol         market.Symbol
	Side           Side
	Type           OrderType
	TimeInForce    TimeInForce
	Status         OrderStatus
	Qty            *market.Qty   // nil for a notional order until it fills
	Notional       *market.Money // nil for a quantity order
	LimitPrice     *market.Money
	FilledQty      market.Qty
	FilledAvgPrice *market.Money // nil until something fills
	SubmittedAt    time.Time
	UpdatedAt      time.Time
	FilledAt       *time.Time
	CanceledAt     *time.Time
	ExpiredAt      *time.Time
	FailedAt       *time.Time
}

// Clock is the market clock.
type Clock struct {
	Timestamp time.Time
	IsOpen    bool
	NextOpen  time.Time
	NextClose time.Time
}

// CalendarDay is one trading session: its date and its open and close instants.
type CalendarDay struct {
	Date  time.Time // midnight UTC
	Open  time.Time
	Close time.Time
}

// Asset is a tradable instrument.
type Asset struct {
	ID           string
	Symbol       market.Symbol
	Name         string
	Exchange     string
	Class        string
	Status       string
	Tradable     bool
	Fractionable bool
	Shortable    bool
}

// Bar is one daily bar.
type Bar struct {
	Date   time.Time // the session date at midnight UTC
	Open   market.Money
	High   market.Money
	Low    market.Money
	Close  market.Money
	Volume int64
}

// Quote is a top-of-book quote; Bid and Ask are always positive.
type Quote struct {
	Time    time.Time
	Bid     market.Money
	Ask     market.Money
	BidSize int64
	AskSize int64
}

// Mid returns the midpoint of bid and ask.
func (q Quote) Mid() market.Money {
	return market.NewMoney(q.Bid.Decimal().Add(q.Ask.Decimal()).Div(decimal.NewFromInt(2)))
}

// Trade is a last sale; Price is always positive.
type Trade struct {
	Time  time.Time
	Price market.Money
	Size  int64
}

// --- converters from the upstream client's types ---

func toAccount(a *alpaca.Account) Account {
	return Account{
		ID: a.ID, Status: a.Status, Cash: market.NewMoney(a.Cash), BuyingPower: market.NewMoney(a.BuyingPower),
		Equity: market.NewMoney(a.Equity), LastEquity: market.NewMoney(a.LastEquity), PortfolioValue: market.NewMoney(a.PortfolioValue),
		LongMarketValue: market.NewMoney(a.LongMarketValue), TradingBlocked: a.TradingBlocked, AccountBlocked: a.AccountBlocked,
		PatternDayTrader: a.PatternDayTrader,
	}
}

func toPosition(p alpaca.Position) (Position, error) {
	sym, err := market.ParseSymbol(p.Symbol)
	if err != nil {
		return Position{}, fmt.Errorf("decode position: %w", err)
	}
	out := Position{
		Symbol: sym, Qty: market.NewQty(p.Qty), QtyAvailable: market.NewQty(p.QtyAvailable),
		AvgEntryPrice: market.NewMoney(p.AvgEntryPrice), CostBasis: market.NewMoney(p.CostBasis), Side: p.Side,
	}
	if p.CurrentPrice != nil && p.CurrentPrice.IsPositive() && p.MarketValue != nil {
		out.HasPrice = true
		out.CurrentPrice = market.NewMoney(*p.CurrentPrice)
		out.MarketValue = market.NewMoney(*p.MarketValue)
	}
	return out, nil
}

func qtyPtr(d *decimal.Decimal) *market.Qty {
	if d == nil {
		return nil
	}
	q := market.NewQty(*d)
	return &q
}

func moneyPtr(d *decimal.Decimal) *market.Money {
	if d == nil {
		return nil
	}
	m := market.NewMoney(*d)
	return &m
}

func toOrder(o *alpaca.Order) (Order, error) {
	sym, err := market.ParseSymbol(o.Symbol)
	if err != nil {
		return Order{}, fmt.Errorf("decode order %s: %w", o.ID, err)
	}
	out := Order{
		ID: o.ID, ClientOrderID: o.ClientOrderID, Symbol: sym, Side: Side(o.Side), Type: OrderType(o.Type),
		TimeInForce: TimeInForce(o.TimeInForce), Status: OrderStatus(o.Status), Qty: qtyPtr(o.Qty),
		Notional: moneyPtr(o.Notional), LimitPrice: moneyPtr(o.LimitPrice), FilledQty: market.NewQty(o.FilledQty),
		SubmittedAt: o.SubmittedAt, UpdatedAt: o.UpdatedAt, FilledAt: o.FilledAt, CanceledAt: o.CanceledAt,
		ExpiredAt: o.ExpiredAt, FailedAt: o.FailedAt,
	}
	if o.FilledAvgPrice != nil && o.FilledAvgPrice.IsPositive() {
		out.FilledAvgPrice = moneyPtr(o.FilledAvgPrice)
	}
	return out, nil
}

func toPlaceOrderRequest(r OrderRequest) alpaca.PlaceOrderRequest {
	out := alpaca.PlaceOrderRequest{
		Symbol: r.Symbol.String(), Side: alpaca.Side(r.Side), Type: alpaca.OrderType(r.Type),
		TimeInForce: alpaca.TimeInForce(r.TimeInForce), ClientOrderID: r.ClientOrderID,
	}
	if r.Qty != nil {
		d := r.Qty.Decimal()
		out.Qty = &d
	}
	if r.Notional != nil {
		d := r.Notional.Decimal()
		out.Notional = &d
	}
	if r.LimitPrice != nil {
		d := r.LimitPrice.Decimal()
		out.LimitPrice = &d
	}
	return out
}

// price converts a float price from the data API to dollars. It reports false for a missing
// (zero, negative or not finite) price.
func price(f float64) (market.Money, bool) {
	if !(f > 0) || math.IsInf(f, 0) {
		return market.Money{}, false
	}
	return market.NewMoney(decimal.NewFromFloat(f)), true
}

func toBar(b marketdata.Bar) (Bar, bool) {
	o, ok1 := price(b.Open)
	h, ok2 := price(b.High)
	l, ok3 := price(b.Low)
	c, ok4 := price(b.Close)
	if !(ok1 && ok2 && ok3 && ok4) {
		return Bar{}, false
	}
	ny := b.Timestamp.In(newYork)
	y, m, d := ny.Date()
	vol := int64(b.Volume)
	if b.Volume > math.MaxInt64 {
		vol = math.MaxInt64
	}
	return Bar{Date: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Open: o, High: h, Low: l, Close: c, Volume: vol}, true
}

func toQuote(q marketdata.Quote) (Quote, bool) {
	bid, ok1 := price(q.BidPrice)
	ask, ok2 := price(q.AskPrice)
	if !ok1 || !ok2 {
		return Quote{}, false
	}
	return Quote{Time: q.Timestamp, Bid: bid, Ask: ask, BidSize: int64(q.BidSize), AskSize: int64(q.AskSize)}, true
}

func toTrade(t marketdata.Trade) (Trade, bool) {
	p, ok := price(t.Price)
	if !ok {
		return Trade{}, false
	}
	return Trade{Time: t.Timestamp, Price: p, Size: int64(t.Size)}, true
}
