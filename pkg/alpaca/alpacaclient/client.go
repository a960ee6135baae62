package alpacaclient

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

var newYork = nyse.NewYork

// RequestsPerMinute is Alpaca's per-account limit, which the shared limiter enforces.
const RequestsPerMinute = 200

// sharedLimiters are the process-wide limiters every Client uses unless told otherwise, one per
// account limit: at most that many requests in any minute, counted as Alpaca counts them.
var (
	sharedMu       sync.Mutex
	sharedLimiters = map[int]*Window{}
)

// SharedLimiter returns the process-wide limiter of n requests a minute (RequestsPerMinute when
// n is not positive), for callers that make other Alpaca calls.
func SharedLimiter(n int) Limiter {
	if n <= 0 {
		n = RequestsPerMinute
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	w, ok := sharedLimiters[n]
	if !ok {
		w = NewWindow(n, time.Minute, nil)
		sharedLimiters[n] = w
	}
	return w
}

// Options tunes a Client. The zero value is production behaviour.
type Options struct {
	// HTTPClient carries the requests; its Transport is wrapped. Nil means a client with a
	// 10-second timeout.
	HTTPClient *http.Client
	// Limiter limits requests. Nil means the process-wide limiter (200 a minute).
	Limiter Limiter
	// ReadAttempts is how many times a read is tried (default 4).
	ReadAttempts int
	// WriteAttempts is how many times PlaceOrder submits after failures that proved the order
	// was not placed (default 4).
	WriteAttempts int
	// Backoff returns the wait before retry attempt n (1-based). Nil means 250ms doubling to
	// at most 8s.
	Backoff func(n int) time.Duration
	// Sleep waits for d or until ctx ends. Nil means a timer; tests inject an instant one.
	Sleep func(ctx context.Context, d time.Duration) error
	// UpstreamRetryDelay is the upstream client's own wait before it retries a 429 (it
	// always retries once). Zero means one second.
	UpstreamRetryDelay time.Duration
	// Logger receives retries and recoveries at warn level. Nil discards.
	Logger *slog.Logger
}

// Client is the Alpaca adapter. It is safe for concurrent use.
type Client struct {
	cfg  Config
	opts Options
	base http.RoundTripper
}

// New validates cfg and builds a Client.
func New(cfg Config, opts Options) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Limiter == nil {
		opts.Limiter = SharedLimiter(cfg.RequestsPerMinute)
	}
	if opts.ReadAttempts <= 0 {
		opts.ReadAttempts = 4
	}
	if opts.WriteAttempts <= 0 {
		opts.WriteAttempts = 4
	}
	if opts.Backoff == nil {
		opts.Backoff = func(n int) time.Duration {
			d := 250 * time.Millisecond << min(n-1, 5)
			return min(d, 8*time.Second)
		}
	}
	if opts.Sleep == nil {
		opts.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if opts.UpstreamRetryDelay <= 0 {
		opts.UpstreamRetryDelay = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	base := opts.HTTPClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &Client{cfg: cfg, opts: opts, base: base}, nil
}

// ctxTransport gives every request of one call the call's context and the rate limit. The
// upstream client builds requests without a context, so this is how cancellation reaches it.
type ctxTransport struct {
	ctx     context.Context
	base    http.RoundTripper
	limiter Limiter
}

// RoundTrip waits for the rate limit, then sends req under the call's context.
func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(t.ctx); err != nil {
		return nil, fmt.Errorf("wait for rate limit: %w", err)
	}
	return t.base.RoundTrip(req.WithContext(t.ctx))
}

func (c *Client) httpClient(ctx context.Context) *http.Client {
	return &http.Client{
		Transport: ctxTransport{ctx: ctx, base: c.base, limiter: c.opts.Limiter},
		Timeout:   c.opts.HTTPClient.Timeout,
	}
}

func (c *Client) trading(ctx context.Context) *alpaca.Client {
	return alpaca.NewClient(alpaca.ClientOpts{
		APIKey: c.cfg.KeyID, APISecret: c.cfg.SecretKey, BaseURL: strings.TrimRight(c.cfg.TradingURL, "/"),
		RetryLimit: 1, RetryDelay: c.opts.UpstreamRetryDelay, HTTPClient: c.httpClient(ctx),
	})
}

func (c *Client) data(ctx context.Context) *marketdata.Client {
	return marketdata.NewClient(marketdata.ClientOpts{
		APIKey: c.cfg.KeyID, APISecret: c.cfg.SecretKey, BaseURL: strings.TrimRight(c.cfg.DataURL, "/"),
		RetryLimit: 1, RetryDelay: c.opts.UpstreamRetryDelay, HTTPClient: c.httpClient(ctx), Feed: c.cfg.Feed,
	})
}

// read runs a read-only call, retrying unavailability and rate limits with backoff.
func (c *Client) read(ctx context.Context, op string, call func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("%s: %w", op, cerr)
		}
		err = classify(op, call())
		if err == nil || !retryableRead(err) || attempt >= c.opts.ReadAttempts {
			return err
		}
		c.opts.Logger.WarnContext(ctx, "alpaca read failed, retrying", "op", op, "attempt", attempt, "err", err)
		if serr := c.opts.Sleep(ctx, c.opts.Backoff(attempt)); serr != nil {
			return fmt.Errorf("%s: %w", op, serr)
		}
	}
}

// --- account and positions ---

// Account returns the account's balances.
func (c *Client) Account(ctx context.Context) (Account, error) {
	var a *alpaca.Account
	err := c.read(ctx, "get account", func() (err error) { a, err = c.trading(ctx).GetAccount(); return })
	if err != nil {
		return Account{}, err
	}
	return toAccount(a), nil
}

// Positions returns every open position, sorted by symbol.
func (c *Client) Positions(ctx context.Context) ([]Position, error) {
	var ps []alpaca.Position
	if err := c.read(ctx, "list positions", func() (err error) { ps, err = c.trading(ctx).GetPositions(); return }); err != nil {
		return nil, err
	}
	out := make([]Position, 0, len(ps))
	for _, p := range ps {
		pos, err := toPosition(p)
		if err != nil {
			return nil, fmt.Errorf("list positions: %w", err)
		}
		out = append(out, pos)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol < out[j].Symbol })
	return out, nil
}

// Position returns the position in sym, or an error wrapping ErrNotFound.
func (c *Client) Position(ctx context.Context, sym market.Symbol) (Position, error) {
	var p *alpaca.Position
	op := "get position " + sym.String()
	if err := c.read(ctx, op, func() (err error) { p, err = c.trading(ctx).GetPosition(sym.String()); return }); err != nil {
		return Position{}, err
	}
	pos, err := toPosition(*p)
	if err != nil {
		return Position{}, fmt.Errorf("%s: %w", op, err)
	}
	return pos, nil
}

// ClosePosition sells qty shares of sym at market, or the whole position when qty is nil.
// Like every write it is not retried after an ambiguous failure; look the order up instead.
func (c *Client) ClosePosition(ctx context.Context, sym market.Symbol, qty *market.Qty) (Order, error) {
	op := "close position " + sym.String()
	req := alpaca.ClosePositionRequest{}
	if qty != nil {
		req.Qty = qty.Decimal()
	} else {
		req.Percentage = decimal.NewFromInt(100)
	}
	o, err := c.trading(ctx).ClosePosition(sym.String(), req)
	if err != nil {
		return Order{}, classify(op, err)
	}
	return toOrder(o)
}

// --- orders ---

// NewClientOrderID returns a random client order ID, for callers without a natural key.
func NewClientOrderID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "alc-" + hex.EncodeToString(b[:])
}

// PlaceOrder submits an order safely: at most one order exists for req.ClientOrderID however
// the network or the broker fails. See the package documentation for the rules.
//
// An order the broker placed and then rejected is returned together with an error wrapping
// ErrRejected.
func (c *Client) PlaceOrder(ctx context.Context, req OrderRequest) (Order, error) {
	op := "place order " + req.ClientOrderID
	if req.ClientOrderID == "" {
		return Order{}, fmt.Errorf("place order: %w: client order id is required", ErrInvalidOrder)
	}
	if len(req.ClientOrderID) > 128 {
		return Order{}, fmt.Errorf("%s: %w: client order id longer than 128 characters", op, ErrInvalidOrder)
	}
	if (req.Qty == nil) == (req.Notional == nil) {
		return Order{}, fmt.Errorf("%s: %w: set exactly one of qty and notional", op, ErrInvalidOrder)
	}
	wire := toPlaceOrderRequest(req)
	var lastErr error
	for attempt := 1; attempt <= c.opts.WriteAttempts; attempt++ {
		if err := ctx.Err(); err != nil {
			return Order{}, fmt.Errorf("%s: %w", op, err)
		}
		o, err := c.trading(ctx).PlaceOrder(wire)
		if err == nil {
			return c.placed(op, o)
		}
		err = classify(op, err)
		lastErr = err
		switch {
		case errors.Is(err, ErrDuplicateClientOrderID):
			// Already placed, by an earlier attempt or an earlier run: return that order.
			existing, gerr := c.GetOrderByClientID(ctx, req.ClientOrderID)
			if gerr != nil {
				return Order{}, fmt.Errorf("%s: duplicate, and fetching the existing order failed: %w", op, gerr)
			}
			if !sameOrder(existing, req) {
				return existing, fmt.Errorf("%s: %w: the id is used by order %s for %s %s", op, ErrDuplicateClientOrderID, existing.ID, existing.Side, existing.Symbol)
			}
			return c.placedOrder(op, existing)
		case !ambiguous(err):
			return Order{}, err
		}
		// Ambiguous: the order may exist. Look before resubmitting.
		c.opts.Logger.WarnContext(ctx, "alpaca place order failed ambiguously; looking it up", "client_order_id", req.ClientOrderID, "attempt", attempt, "err", err)
		existing, gerr := c.GetOrderByClientID(ctx, req.ClientOrderID)
		switch {
		case gerr == nil:
			return c.placedOrder(op, existing)
		case !errors.Is(gerr, ErrNotFound):
			return Order{}, fmt.Errorf("%s: outcome unknown (%w), and the lookup failed: %w", op, err, gerr)
		}
		if attempt < c.opts.WriteAttempts {
			if serr := c.opts.Sleep(ctx, c.opts.Backoff(attempt)); serr != nil {
				return Order{}, fmt.Errorf("%s: %w", op, serr)
			}
		}
	}
	return Order{}, fmt.Errorf("%s: not placed after %d attempts: %w", op, c.opts.WriteAttempts, lastErr)
}

func (c *Client) placed(op string, o *alpaca.Order) (Order, error) {
	out, err := toOrder(o)
	if err != nil {
		return Order{}, fmt.Errorf("%s: %w", op, err)
	}
	return c.placedOrder(op, out)
}

func (c *Client) placedOrder(op string, o Order) (Order, error) {
	if o.Status == StatusRejected {
		return o, fmt.Errorf("%s: %w (order %s)", op, ErrRejected, o.ID)
	}
	return o, nil
}

// sameOrder reports whether an existing order matches the request it is a duplicate of.
func sameOrder(o Order, r OrderRequest) bool {
	if o.Symbol != r.Symbol || o.Side != r.Side {
		return false
	}
	if r.Notional != nil {
		return o.Notional != nil && o.Notional.Decimal().Equal(r.Notional.Decimal())
	}
	return o.Qty != nil && r.Qty != nil && o.Qty.Decimal().Equal(r.Qty.Decimal())
}

// GetOrder returns the order with the broker's id.
func (c *Client) GetOrder(ctx context.Context, id string) (Order, error) {
	var o *alpaca.Order
	op := "get order " + id
	if err := c.read(ctx, op, func() (err error) { o, err = c.trading(ctx).GetOrder(id); return }); err != nil {
		return Order{}, err
	}
	return toOrder(o)
}

// GetOrderByClientID returns the order with the client order id, or an error wrapping
// ErrNotFound.
func (c *Client) GetOrderByClientID(ctx context.Context, clientOrderID string) (Order, error) {
	var o *alpaca.Order
	op := "get order by client id " + clientOrderID
	if err := c.read(ctx, op, func() (err error) { o, err = c.trading(ctx).GetOrderByClientOrderID(clientOrderID); return }); err != nil {
		return Order{}, err
	}
	return toOrder(o)
}

// ListOrdersRequest filters ListOrders.
type ListOrdersRequest struct {
	// Status is "open" (default), "closed" or "all".
	Status string
	// Limit is at most 500; zero means the broker's default (50).
	Limit   int
	After   time.Time
	Until   time.Time
	Symbols []market.Symbol
}

// ListOrders returns orders, newest first.
func (c *Client) ListOrders(ctx context.Context, req ListOrdersRequest) ([]Order, error) {
	wire := alpaca.GetOrdersRequest{Status: req.Status, Limit: req.Limit, After: req.After, Until: req.Until}
	for _, s := range req.Symbols {
		wire.Symbols = append(wire.Symbols, s.String())
	}
	var os []alpaca.Order
	if err := c.read(ctx, "list orders", func() (err error) { os, err = c.trading(ctx).GetOrders(wire); return }); err != nil {
		return nil, err
	}
	out := make([]Order, 0, len(os))
	for i := range os {
		o, err := toOrder(&os[i])
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// CancelOrder asks the broker to cancel an open order. Cancelling is idempotent, so it is
// retried like a read; when a retry finds the order already canceled (an earlier attempt
// worked but its answer was lost), that is success. Cancelling a filled or expired order
// gives an error wrapping ErrInvalidOrder; an unknown order, ErrNotFound.
func (c *Client) CancelOrder(ctx context.Context, id string) error {
	op := "cancel order " + id
	err := c.read(ctx, op, func() error { return c.trading(ctx).CancelOrder(id) })
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnprocessableEntity {
		if o, gerr := c.GetOrder(ctx, id); gerr == nil && o.Status == StatusCanceled {
			return nil
		}
	}
	return err
}

// CancelAllOrders cancels every open order.
func (c *Client) CancelAllOrders(ctx context.Context) error {
	return c.read(ctx, "cancel all orders", func() error { return c.trading(ctx).CancelAllOrders() })
}

// --- clock, calendar, assets ---

// Clock returns the market clock.
func (c *Client) Clock(ctx context.Context) (Clock, error) {
	var k *alpaca.Clock
	if err := c.read(ctx, "get clock", func() (err error) { k, err = c.trading(ctx).GetClock(); return }); err != nil {
		return Clock{}, err
	}
	return Clock{Timestamp: k.Timestamp, IsOpen: k.IsOpen, NextOpen: k.NextOpen, NextClose: k.NextClose}, nil
}

// Calendar returns the trading sessions from from to to, both inclusive.
func (c *Client) Calendar(ctx context.Context, from, to time.Time) ([]CalendarDay, error) {
	var days []alpaca.CalendarDay
	req := alpaca.GetCalendarRequest{Start: from, End: to}
	if err := c.read(ctx, "get calendar", func() (err error) { days, err = c.trading(ctx).GetCalendar(req); return }); err != nil {
		return nil, err
	}
	out := make([]CalendarDay, 0, len(days))
	for _, d := range days {
		date, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			return nil, fmt.Errorf("get calendar: date %q: %w", d.Date, err)
		}
		open, err1 := time.ParseInLocation(time.DateOnly+" 15:04", d.Date+" "+d.Open, newYork)
		cls, err2 := time.ParseInLocation(time.DateOnly+" 15:04", d.Date+" "+d.Close, newYork)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("get calendar: session %s: %w", d.Date, err)
		}
		out = append(out, CalendarDay{Date: date, Open: open, Close: cls})
	}
	return out, nil
}

// Asset returns the asset sym, or an error wrapping ErrNotFound.
func (c *Client) Asset(ctx context.Context, sym market.Symbol) (Asset, error) {
	var a *alpaca.Asset
	if err := c.read(ctx, "get asset "+sym.String(), func() (err error) { a, err = c.trading(ctx).GetAsset(sym.String()); return }); err != nil {
		return Asset{}, err
	}
	return toAsset(*a)
}

// Assets returns the active US equities.
func (c *Client) Assets(ctx context.Context) ([]Asset, error) {
	var as []alpaca.Asset
	req := alpaca.GetAssetsRequest{Status: "active", AssetClass: "us_equity"}
	if err := c.read(ctx, "list assets", func() (err error) { as, err = c.trading(ctx).GetAssets(req); return }); err != nil {
		return nil, err
	}
	out := make([]Asset, 0, len(as))
	for _, a := range as {
		asset, err := toAsset(a)
		if err != nil {
			continue // a symbol outside our alphabet is not one we trade
		}
		out = append(out, asset)
	}
	return out, nil
}

func toAsset(a alpaca.Asset) (Asset, error) {
	sym, err := market.ParseSymbol(a.Symbol)
	if err != nil {
		return Asset{}, fmt.Errorf("decode asset: %w", err)
	}
	return Asset{ID: a.ID, Symbol: sym, Name: a.Name, Exchange: a.Exchange, Class: string(a.Class), Status: string(a.Status),
		Tradable: a.Tradable, Fractionable: a.Fractionable, Shortable: a.Shortable}, nil
}

// --- market data ---

func symbolStrings(syms []market.Symbol) []string {
	out := make([]string, len(syms))
	for i, s := range syms {
		out[i] = s.String()
	}
	return out
}

// DailyBars returns the daily bars of every symbol for the sessions from start to end (dates,
// both inclusive), in one multi-symbol paginated request. A symbol without bars is absent from
// the map; a bar with a missing price is dropped, never zero-filled. The bar of a session in
// progress is partial (its close is the last price so far), as on Alpaca.
func (c *Client) DailyBars(ctx context.Context, symbols []market.Symbol, start, end time.Time) (map[market.Symbol][]Bar, error) {
	if len(symbols) == 0 {
		return map[market.Symbol][]Bar{}, nil
	}
	sy, sm, sd := start.Date()
	ey, em, ed := end.Date()
	req := marketdata.GetBarsRequest{
		TimeFrame:  marketdata.OneDay,
		Adjustment: marketdata.AdjustmentAll,
		Start:      time.Date(sy, sm, sd, 0, 0, 0, 0, newYork),
		End:        time.Date(ey, em, ed, 23, 59, 59, 0, newYork),
		PageLimit:  10000,
	}
	var raw map[string][]marketdata.Bar
	if err := c.read(ctx, "get daily bars", func() (err error) {
		raw, err = c.data(ctx).GetMultiBars(symbolStrings(symbols), req)
		return
	}); err != nil {
		return nil, err
	}
	out := make(map[market.Symbol][]Bar, len(raw))
	for s, bars := range raw {
		sym, err := market.ParseSymbol(s)
		if err != nil {
			return nil, fmt.Errorf("get daily bars: %w", err)
		}
		conv := make([]Bar, 0, len(bars))
		for _, b := range bars {
			if bar, ok := toBar(b); ok {
				conv = append(conv, bar)
			}
		}
		if len(conv) > 0 {
			out[sym] = conv
		}
	}
	return out, nil
}

// LatestQuotes returns the latest quote of each symbol. A symbol without a usable quote (no
// quote, or a zero bid or ask) is absent from the map.
func (c *Client) LatestQuotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]Quote, error) {
	if len(symbols) == 0 {
		return map[market.Symbol]Quote{}, nil
	}
	var raw map[string]marketdata.Quote
	if err := c.read(ctx, "get latest quotes", func() (err error) {
		raw, err = c.data(ctx).GetLatestQuotes(symbolStrings(symbols), marketdata.GetLatestQuoteRequest{})
		return
	}); err != nil {
		return nil, err
	}
	out := make(map[market.Symbol]Quote, len(raw))
	for s, q := range raw {
		sym, err := market.ParseSymbol(s)
		if err != nil {
			continue
		}
		if quote, ok := toQuote(q); ok {
			out[sym] = quote
		}
	}
	return out, nil
}

// LatestQuote returns the latest quote of sym, or an error wrapping ErrNoData.
func (c *Client) LatestQuote(ctx context.Context, sym market.Symbol) (Quote, error) {
	qs, err := c.LatestQuotes(ctx, []market.Symbol{sym})
	if err != nil {
		return Quote{}, err
	}
	q, ok := qs[sym]
	if !ok {
		return Quote{}, fmt.Errorf("get latest quote %s: %w", sym, ErrNoData)
	}
	return q, nil
}

// LatestTrades returns the last sale of each symbol; a symbol without one is absent.
func (c *Client) LatestTrades(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]Trade, error) {
	if len(symbols) == 0 {
		return map[market.Symbol]Trade{}, nil
	}
	var raw map[string]marketdata.Trade
	if err := c.read(ctx, "get latest trades", func() (err error) {
		raw, err = c.data(ctx).GetLatestTrades(symbolStrings(symbols), marketdata.GetLatestTradeRequest{})
		return
	}); err != nil {
		return nil, err
	}
	out := make(map[market.Symbol]Trade, len(raw))
	for s, t := range raw {
		sym, err := market.ParseSymbol(s)
		if err != nil {
			continue
		}
		if tr, ok := toTrade(t); ok {
			out[sym] = tr
		}
	}
	return out, nil
}
