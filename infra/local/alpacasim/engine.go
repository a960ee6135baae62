package alpacasim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

// Order statuses the simulator uses (a subset of Alpaca's).
const (
	StatusAccepted        = "accepted"
	StatusNew             = "new"
	StatusPartiallyFilled = "partially_filled"
	StatusFilled          = "filled"
	StatusCanceled        = "canceled"
	StatusExpired         = "expired"
	StatusRejected        = "rejected"
)

// Order is the simulator's record of an order. Tests read it through Server.Orders.
type Order struct {
	ID             string
	ClientOrderID  string
	Seq            int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SubmittedAt    time.Time
	FilledAt       *time.Time
	ExpiredAt      *time.Time
	CanceledAt     *time.Time
	FailedAt       *time.Time
	Symbol         string
	Type           string // market or limit
	Side           string // buy or sell
	TimeInForce    string // day or gtc
	Status         string
	Qty            *decimal.Decimal
	Notional       *decimal.Decimal
	FilledQty      decimal.Decimal
	FilledAvgPrice *decimal.Decimal
	LimitPrice     *decimal.Decimal
	// ReservePrice is the per-share price that buying power was reserved at (buys only).
	ReservePrice decimal.Decimal
}

func (o *Order) open() bool {
	switch o.Status {
	case StatusAccepted, StatusNew, StatusPartiallyFilled:
		return true
	}
	return false
}

// remaining returns the unfilled quantity, or for a notional order that has not filled, zero
// and true.
func (o *Order) remaining() (decimal.Decimal, bool) {
	if o.Qty == nil {
		return decimal.Zero, true
	}
	return o.Qty.Sub(o.FilledQty), false
}

// Position is a holding in the simulated account.
type Position struct {
	Symbol string
	Qty    decimal.Decimal
	// Cost is the total cost basis of Qty.
	Cost decimal.Decimal
}

// TradeUpdate is one event of the trade-updates stream.
type TradeUpdate struct {
	ID          int64
	At          time.Time
	Event       string
	ExecutionID string
	Order       Order
	PositionQty *decimal.Decimal
	Price       *decimal.Decimal
	Qty         *decimal.Decimal
}

// quote is a simulated top of book.
type quote struct {
	At       time.Time
	Bid, Ask decimal.Decimal
	Last     decimal.Decimal
	Today    *marketsim.Bar // today's bar so far, nil before the open
	Prev     *marketsim.Bar // the last complete session's bar
}

// roundPrice rounds to cents, or to 1/10000 below a dollar.
func roundPrice(d decimal.Decimal) decimal.Decimal {
	if d.LessThan(decimal.NewFromInt(1)) {
		return d.Round(4)
	}
	return d.Round(2)
}

// tick is the price increment at price d.
func tick(d decimal.Decimal) decimal.Decimal {
	if d.LessThan(decimal.NewFromInt(1)) {
		return decimal.New(1, -4)
	}
	return decimal.New(1, -2)
}

// liquid symbols quote a tighter spread.
var liquid = map[string]bool{"SPY": true, "QQQ": true, "TQQQ": true, "SQQQ": true, "BIL": true, "TLT": true, "VOO": true, "IVV": true, "VTI": true}

// quoteAt returns the simulated quote of sym at t. The last price moves in a straight line from
// the session's open to its close; before the open it is the previous close. ok is false when
// the source has no bar for sym at or before t.
func (s *Server) quoteAt(sym string, t time.Time) (quote, bool) {
	ny := t.In(nyse.NewYork)
	date := nyse.Date(ny)
	bars, err := s.cfg.Source.DailyBars(sym, date.AddDate(0, 0, -14), date)
	if err != nil || len(bars) == 0 {
		return quote{}, false
	}
	q := quote{At: t}
	last := bars[len(bars)-1]
	sess, trading := nyse.SessionOn(date)
	switch {
	case last.Date.Equal(date) && trading && !t.Before(sess.Open):
		today := last
		if len(bars) > 1 {
			prev := bars[len(bars)-2]
			q.Prev = &prev
		}
		frac := decimal.NewFromInt(1)
		if t.Before(sess.Close) {
			frac = decimal.NewFromInt(int64(t.Sub(sess.Open))).Div(decimal.NewFromInt(int64(sess.Close.Sub(sess.Open))))
		}
		q.Last = roundPrice(today.Open.Add(today.Close.Sub(today.Open).Mul(frac)))
		if frac.LessThan(decimal.NewFromInt(1)) {
			// The bar so far: high and low bounded by the day's, volume pro rata.
			today.Close = q.Last
			today.High = decimal.Min(last.High, decimal.Max(today.Open, q.Last))
			today.Low = decimal.Max(last.Low, decimal.Min(today.Open, q.Last))
			today.Volume = decimal.NewFromInt(last.Volume).Mul(frac).IntPart()
		}
		q.Today = &today
	case last.Date.Equal(date):
		// Before today's open: the previous bar is the last complete one.
		if len(bars) < 2 {
			return quote{}, false
		}
		prev := bars[len(bars)-2]
		q.Prev = &prev
		q.Last = prev.Close
	default:
		prev := last
		q.Prev = &prev
		q.Last = prev.Close
	}
	bps := decimal.NewFromInt(5)
	if liquid[sym] {
		bps = decimal.NewFromInt(1)
	}
	half := q.Last.Mul(bps).Div(decimal.NewFromInt(20_000))
	tk := tick(q.Last)
	if half.LessThan(tk.Div(decimal.NewFromInt(2))) {
		half = tk.Div(decimal.NewFromInt(2))
	}
	q.Bid = q.Last.Sub(half).Div(tk).Floor().Mul(tk)
	q.Ask = q.Last.Add(half).Div(tk).Ceil().Mul(tk)
	if !q.Ask.GreaterThan(q.Bid) {
		q.Ask = q.Bid.Add(tk)
	}
	if !q.Bid.IsPositive() {
		q.Bid = tk
		q.Ask = tk.Add(tk)
	}
	return q, true
}

// reserved returns the buying power held by open buy orders.
func (s *Server) reserved() decimal.Decimal {
	total := decimal.Zero
	for _, o := range s.working() {
		if !o.open() || o.Side != "buy" {
			continue
		}
		rem, notional := o.remaining()
		if notional {
			total = total.Add(*o.Notional)
			continue
		}
		total = total.Add(rem.Mul(o.ReservePrice))
	}
	return total
}

// heldForSale returns the quantity of sym held by open sell orders.
func (s *Server) heldForSale(sym string) decimal.Decimal {
	total := decimal.Zero
	for _, o := range s.working() {
		if !o.open() || o.Side != "sell" || o.Symbol != sym {
			continue
		}
		rem, notional := o.remaining()
		if notional {
			if q, ok := s.quoteAt(sym, s.clock.Now()); ok {
				rem = o.Notional.Div(q.Bid)
			}
		}
		total = total.Add(rem)
	}
	return total
}

// advance processes every session open and close between the last processed time and now:
// orders accepted while the market was closed become new and fill at the open, marketable
// limit orders fill, and day orders expire at the close.
func (s *Server) advance(now time.Time) {
	cursor := s.processed
	if now.Before(cursor) {
		// The clock was set back: just re-evaluate at now.
		cursor = now
	}
	for {
		sess := nyse.CurrentOrNextSession(cursor)
		if sess.Open.After(now) {
			break
		}
		if sess.Open.After(cursor) || sess.Open.Equal(cursor) {
			s.onOpen(sess.Open)
		}
		if sess.Close.After(now) {
			s.step(now)
			break
		}
		s.step(sess.Close.Add(-time.Nanosecond))
		s.onClose(sess.Close)
		s.lastEquity, _ = s.equity(sess.Close)
		cursor = sess.Close
	}
	s.processed = now
}

func (s *Server) onOpen(at time.Time) {
	for _, o := range s.working() {
		if o.Status == StatusAccepted {
			o.Status = StatusNew
			o.UpdatedAt = at
			s.emit(at, "new", o, nil, nil)
			s.persistOrder(o)
		}
	}
	s.step(at)
}

// step tries to fill every working order at time at, when the market is open.
func (s *Server) step(at time.Time) {
	if !nyse.IsOpen(at) {
		return
	}
	for _, o := range s.working() {
		if o.Status == StatusNew || o.Status == StatusPartiallyFilled {
			s.tryFill(o, at, false)
		}
	}
}

func (s *Server) onClose(at time.Time) {
	for _, o := range s.working() {
		if o.open() && o.TimeInForce == "day" {
			o.Status = StatusExpired
			t := at
			o.ExpiredAt = &t
			o.UpdatedAt = at
			s.emit(at, "expired", o, nil, nil)
			s.persistOrder(o)
		}
	}
}

// tryFill fills o at time at if it is marketable. partial fills only part of it.
func (s *Server) tryFill(o *Order, at time.Time, partial bool) {
	q, ok := s.quoteAt(o.Symbol, at)
	if !ok {
		return
	}
	px := q.Ask
	if o.Side == "sell" {
		px = q.Bid
	}
	if o.LimitPrice != nil {
		if o.Side == "buy" && o.LimitPrice.LessThan(q.Ask) {
			return
		}
		if o.Side == "sell" && o.LimitPrice.GreaterThan(q.Bid) {
			return
		}
	}
	qty, notional := o.remaining()
	if notional {
		qty = o.Notional.Div(px).Truncate(9)
	}
	if o.Side == "sell" {
		held := decimal.Zero
		if p := s.positions[o.Symbol]; p != nil {
			held = p.Qty
		}
		if qty.GreaterThan(held) {
			qty = held
		}
	}
	if !qty.IsPositive() {
		return
	}
	if partial {
		half := qty.Div(decimal.NewFromInt(2))
		if qty.Equal(qty.Truncate(0)) {
			half = half.Floor()
		} else {
			half = half.Truncate(9)
		}
		if half.IsPositive() {
			qty = half
		}
	}
	if notional {
		// A notional order becomes a quantity order at its first fill.
		full := o.Notional.Div(px).Truncate(9)
		o.Qty = &full
	}
	s.fill(o, qty, px, at)
}

func (s *Server) fill(o *Order, qty, px decimal.Decimal, at time.Time) {
	value := qty.Mul(px)
	p := s.positions[o.Symbol]
	if p == nil {
		p = &Position{Symbol: o.Symbol}
		s.positions[o.Symbol] = p
	}
	if o.Side == "buy" {
		s.cash = s.cash.Sub(value)
		p.Qty = p.Qty.Add(qty)
		p.Cost = p.Cost.Add(value)
	} else {
		s.cash = s.cash.Add(value)
		if p.Qty.IsPositive() {
			p.Cost = p.Cost.Sub(p.Cost.Div(p.Qty).Mul(qty))
		}
		p.Qty = p.Qty.Sub(qty)
	}
	posQty := p.Qty
	if p.Qty.IsZero() {
		delete(s.positions, o.Symbol)
	}
	prevValue := decimal.Zero
	if o.FilledAvgPrice != nil {
		prevValue = o.FilledAvgPrice.Mul(o.FilledQty)
	}
	o.FilledQty = o.FilledQty.Add(qty)
	avg := prevValue.Add(value).DivRound(o.FilledQty, 6)
	o.FilledAvgPrice = &avg
	o.UpdatedAt = at
	event := "partial_fill"
	o.Status = StatusPartiallyFilled
	if rem, _ := o.remaining(); !rem.IsPositive() {
		o.Status = StatusFilled
		t := at
		o.FilledAt = &t
		event = "fill"
	}
	s.emit(at, event, o, &px, &qty, withPosition(posQty))
	s.persistOrder(o)
	s.persistAccount()
}

// maxReplayEvents is how many past trade updates the stream can replay.
const maxReplayEvents = 10_000

type emitOpt func(*TradeUpdate)

func withPosition(q decimal.Decimal) emitOpt { return func(u *TradeUpdate) { u.PositionQty = &q } }

func (s *Server) emit(at time.Time, event string, o *Order, price, qty *decimal.Decimal, opts ...emitOpt) {
	s.eventSeq++
	u := TradeUpdate{ID: s.eventSeq, At: at, Event: event, Order: *o, Price: price, Qty: qty}
	if price != nil {
		u.ExecutionID = fmt.Sprintf("exec-%d", s.eventSeq)
	}
	for _, opt := range opts {
		opt(&u)
	}
	if len(s.events) >= 2*maxReplayEvents {
		// Keep the newest maxReplayEvents for replays ("since"); trimming in halves keeps
		// appends amortised O(1).
		s.events = append(s.events[:0:0], s.events[len(s.events)-maxReplayEvents:]...)
	}
	s.events = append(s.events, u)
	for ch := range s.subs {
		select {
		case ch <- u:
		default: // a slow subscriber misses events rather than blocking the market
		}
	}
}

// orderRequest is a decoded POST /v2/orders body.
type orderRequest struct {
	Symbol        string           `json:"symbol"`
	Qty           *decimal.Decimal `json:"qty"`
	Notional      *decimal.Decimal `json:"notional"`
	Side          string           `json:"side"`
	Type          string           `json:"type"`
	TimeInForce   string           `json:"time_in_force"`
	LimitPrice    *decimal.Decimal `json:"limit_price"`
	StopPrice     *decimal.Decimal `json:"stop_price"`
	ClientOrderID string           `json:"client_order_id"`
	ExtendedHours bool             `json:"extended_hours"`
	OrderClass    string           `json:"order_class"`
}

// apiError is an Alpaca error answer.
type apiError struct {
	Status  int
	Code    int
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %d %s", e.Status, e.Code, e.Message) }

var (
	errNotFound = func(what string) *apiError { return &apiError{404, 40410000, what + " not found"} }
	errInvalid  = func(msg string) *apiError { return &apiError{422, 40010000, msg} }
)

// place validates and accepts an order. Must hold s.mu.
func (s *Server) place(req orderRequest, now time.Time, fault FaultKind) (*Order, *apiError) {
	sym := strings.ToUpper(strings.TrimSpace(req.Symbol))
	if sym == "" {
		return nil, errInvalid("symbol is required")
	}
	if !s.tradable(sym) {
		return nil, &apiError{422, 40010000, fmt.Sprintf("asset %q not found", sym)}
	}
	if len(req.ClientOrderID) > 128 {
		return nil, errInvalid("client_order_id must be no more than 128 characters")
	}
	if req.ClientOrderID != "" {
		if _, dup := s.byClientID[req.ClientOrderID]; dup {
			return nil, &apiError{422, 40010001, "client_order_id must be unique"}
		}
	}
	if req.Side != "buy" && req.Side != "sell" {
		return nil, errInvalid(fmt.Sprintf("invalid side %q", req.Side))
	}
	if req.Type != "market" && req.Type != "limit" {
		return nil, errInvalid(fmt.Sprintf("order type %q is not supported by the simulator (market, limit)", req.Type))
	}
	switch req.TimeInForce {
	case "day", "gtc":
	default:
		return nil, errInvalid(fmt.Sprintf("time_in_force %q is not supported by the simulator (day, gtc)", req.TimeInForce))
	}
	if req.OrderClass != "" && req.OrderClass != "simple" {
		return nil, errInvalid(fmt.Sprintf("order_class %q is not supported by the simulator", req.OrderClass))
	}
	if (req.Qty == nil) == (req.Notional == nil) {
		return nil, errInvalid("exactly one of qty or notional is required")
	}
	if req.Qty != nil && !req.Qty.IsPositive() {
		return nil, errInvalid("qty must be > 0")
	}
	if req.Notional != nil && !req.Notional.IsPositive() {
		return nil, errInvalid("notional must be > 0")
	}
	fractional := req.Notional != nil || !req.Qty.Equal(req.Qty.Truncate(0))
	if fractional {
		if req.Type != "market" {
			return nil, &apiError{422, 42210000, "fractional orders must be market orders"}
		}
		if req.TimeInForce != "day" {
			return nil, &apiError{422, 42210000, "fractional orders must be DAY orders"}
		}
		if req.Qty != nil && !req.Qty.Equal(req.Qty.Truncate(9)) {
			return nil, &apiError{422, 42210000, "qty must have at most 9 decimal places"}
		}
	}
	if req.Type == "limit" {
		if req.LimitPrice == nil || !req.LimitPrice.IsPositive() {
			return nil, errInvalid("limit_price is required and must be > 0 for limit orders")
		}
	} else if req.LimitPrice != nil {
		return nil, errInvalid("limit_price must not be set for market orders")
	}
	q, ok := s.quoteAt(sym, now)
	if !ok {
		return nil, &apiError{422, 40010000, fmt.Sprintf("no price for %s at %s", sym, now.Format(time.RFC3339))}
	}
	if req.Notional != nil && req.Notional.LessThan(decimal.NewFromInt(1)) {
		return nil, &apiError{403, 40310000, "cost basis must be >= 1"}
	}
	if req.Qty != nil && fractional && req.Qty.Mul(q.Last).LessThan(decimal.NewFromInt(1)) {
		return nil, &apiError{403, 40310000, "cost basis must be >= 1"}
	}
	reservePx := q.Ask
	if req.LimitPrice != nil {
		reservePx = *req.LimitPrice
	}
	if req.Side == "buy" {
		var cost decimal.Decimal
		if req.Notional != nil {
			cost = *req.Notional
		} else {
			cost = req.Qty.Mul(reservePx)
		}
		bp := s.cash.Sub(s.reserved())
		if cost.GreaterThan(bp) {
			return nil, &apiError{403, 40310000, "insufficient buying power"}
		}
	} else {
		held := decimal.Zero
		if p := s.positions[sym]; p != nil {
			held = p.Qty
		}
		avail := held.Sub(s.heldForSale(sym))
		var want decimal.Decimal
		if req.Qty != nil {
			want = *req.Qty
		} else {
			want = req.Notional.Div(q.Bid)
		}
		if want.GreaterThan(avail) {
			return nil, &apiError{403, 40310000, fmt.Sprintf("insufficient qty available for order (requested: %s, available: %s)", want, avail)}
		}
	}
	s.orderSeq++
	o := &Order{
		ID:            fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(s.cfg.Seed), s.orderSeq),
		ClientOrderID: req.ClientOrderID,
		Seq:           s.orderSeq,
		CreatedAt:     now,
		UpdatedAt:     now,
		SubmittedAt:   now,
		Symbol:        sym,
		Type:          req.Type,
		Side:          req.Side,
		TimeInForce:   req.TimeInForce,
		Qty:           req.Qty,
		Notional:      req.Notional,
		LimitPrice:    req.LimitPrice,
		ReservePrice:  reservePx,
	}
	if o.ClientOrderID == "" {
		o.ClientOrderID = fmt.Sprintf("sim-%d", s.orderSeq)
	}
	s.orders = append(s.orders, o)
	s.byID[o.ID] = o
	s.byClientID[o.ClientOrderID] = o
	switch {
	case fault == FaultReject || s.chance(s.cfg.Faults.Reject):
		o.Status = StatusRejected
		t := now
		o.FailedAt = &t
		s.emit(now, "rejected", o, nil, nil)
	case nyse.IsOpen(now):
		o.Status = StatusNew
		s.emit(now, "new", o, nil, nil)
		s.tryFill(o, now, fault == FaultPartialFill || s.chance(s.cfg.Faults.PartialFill))
	default:
		o.Status = StatusAccepted
		s.emit(now, "pending_new", o, nil, nil)
	}
	if o.open() {
		s.open = append(s.open, o)
	}
	s.traded[sym] = true
	s.persistOrder(o)
	return o, nil
}

// working returns the open orders, oldest first, dropping those that have closed.
func (s *Server) working() []*Order {
	n := 0
	for _, o := range s.open {
		if o.open() {
			s.open[n] = o
			n++
		}
	}
	clear(s.open[n:])
	s.open = s.open[:n]
	return s.open
}

// tradable reports whether the source has bars for sym.
func (s *Server) tradable(sym string) bool {
	if slices.Contains(s.cfg.Universe, sym) {
		return true
	}
	if len(sym) > 12 || strings.ContainsFunc(sym, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '/' || r == '-')
	}) {
		return false
	}
	d := nyse.Date(s.clock.Now().In(nyse.NewYork))
	b, err := s.cfg.Source.DailyBars(sym, d.AddDate(0, 0, -14), d)
	return err == nil && len(b) > 0
}

// cancel cancels an open order. Must hold s.mu.
func (s *Server) cancel(o *Order, now time.Time) *apiError {
	if !o.open() {
		return &apiError{422, 42210000, fmt.Sprintf("order is already in %q state", o.Status)}
	}
	o.Status = StatusCanceled
	t := now
	o.CanceledAt = &t
	o.UpdatedAt = now
	s.emit(now, "canceled", o, nil, nil)
	s.persistOrder(o)
	return nil
}

// equity returns cash plus positions marked at the last price.
func (s *Server) equity(now time.Time) (equity, longValue decimal.Decimal) {
	longValue = decimal.Zero
	for sym, p := range s.positions {
		px := p.Cost.Div(p.Qty)
		if q, ok := s.quoteAt(sym, now); ok {
			px = q.Last
		}
		longValue = longValue.Add(p.Qty.Mul(px))
	}
	return s.cash.Add(longValue), longValue
}

func (s *Server) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < p
}
