package alpacasim_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

// The contract suite drives the simulator through the unmodified Alpaca v3 trading and
// market-data clients. Each test starts its own simulator on a loopback port.

var (
	// thursday is the session before Good Friday 2024, mid-morning.
	thursday = time.Date(2024, 3, 28, 10, 0, 0, 0, nyse.NewYork)
	// goodFriday is a weekday holiday.
	goodFriday = time.Date(2024, 3, 29, 11, 0, 0, 0, nyse.NewYork)
	// mondayOpen is the next open after Good Friday.
	mondayOpen = time.Date(2024, 4, 1, 9, 30, 0, 0, nyse.NewYork)
)

type sim struct {
	srv   *alpacasim.Server
	url   string
	trade *alpaca.Client
	data  *marketdata.Client
	gets  *atomic.Int64 // data requests sent
}

func start(t testing.TB, cfg alpacasim.Config) *sim {
	t.Helper()
	if cfg.AsOf.IsZero() {
		cfg.AsOf = thursday
	}
	srv, err := alpacasim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	key, secret := cfg.KeyID, cfg.SecretKey
	if key == "" {
		key, secret = alpacasim.DefaultKeyID, alpacasim.DefaultSecretKey
	}
	gets := &atomic.Int64{}
	counting := &http.Client{Timeout: 10 * time.Second, Transport: countingTransport{n: gets}}
	return &sim{
		srv: srv, url: url, gets: gets,
		trade: alpaca.NewClient(alpaca.ClientOpts{BaseURL: url, APIKey: key, APISecret: secret, RetryDelay: time.Millisecond}),
		data:  marketdata.NewClient(marketdata.ClientOpts{BaseURL: url, APIKey: key, APISecret: secret, RetryDelay: time.Millisecond, HTTPClient: counting}),
	}
}

type countingTransport struct{ n *atomic.Int64 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func dec(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func marketBuy(sym, qty, cid string) alpaca.PlaceOrderRequest {
	return alpaca.PlaceOrderRequest{Symbol: sym, Qty: dec(qty), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: cid}
}

// wantAPIError checks err is an Alpaca API error with the status and code.
func wantAPIError(t *testing.T, err error, status, code int) {
	t.Helper()
	var ae *alpaca.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want an *alpaca.APIError %d %d", err, err, status, code)
	}
	if ae.StatusCode != status || ae.Code != code {
		t.Fatalf("err = HTTP %d code %d %q, want HTTP %d code %d", ae.StatusCode, ae.Code, ae.Message, status, code)
	}
}

func TestContractAccount(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	a, err := s.trade.GetAccount()
	if err != nil {
		t.Fatal(err)
	}
	if !a.Cash.Equal(decimal.NewFromInt(100_000)) || !a.BuyingPower.Equal(a.Cash) || !a.Equity.Equal(a.Cash) || a.Status != "ACTIVE" {
		t.Fatalf("fresh account = cash %s bp %s equity %s status %s", a.Cash, a.BuyingPower, a.Equity, a.Status)
	}
}

func TestContractAuth(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, KeyID: "k", SecretKey: "s"})
	bad := alpaca.NewClient(alpaca.ClientOpts{BaseURL: s.url, APIKey: "k", APISecret: "wrong"})
	_, err := bad.GetAccount()
	wantAPIError(t, err, 401, 40110000)
	if _, err := s.trade.GetAccount(); err != nil {
		t.Fatalf("right keys: %v", err)
	}
}

func TestContractMarketOrderFillsAtAsk(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	q, err := s.data.GetLatestQuote("QQQ", marketdata.GetLatestQuoteRequest{})
	if err != nil || q == nil {
		t.Fatalf("quote: %v %v", q, err)
	}
	if !(q.BidPrice > 0 && q.AskPrice > q.BidPrice) {
		t.Fatalf("quote bid %v ask %v", q.BidPrice, q.AskPrice)
	}
	o, err := s.trade.PlaceOrder(marketBuy("QQQ", "10", "buy-1"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "filled" || !o.FilledQty.Equal(decimal.NewFromInt(10)) || o.FilledAvgPrice == nil || o.FilledAvgPrice.InexactFloat64() != q.AskPrice {
		t.Fatalf("order = %s filled %s at %v, want filled 10 at the ask %v", o.Status, o.FilledQty, o.FilledAvgPrice, q.AskPrice)
	}
	p, err := s.trade.GetPosition("QQQ")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Qty.Equal(decimal.NewFromInt(10)) || !p.AvgEntryPrice.Equal(*o.FilledAvgPrice) {
		t.Fatalf("position = %s @ %s", p.Qty, p.AvgEntryPrice)
	}
	a, _ := s.trade.GetAccount()
	wantCash := decimal.NewFromInt(100_000).Sub(o.FilledAvgPrice.Mul(decimal.NewFromInt(10)))
	if !a.Cash.Equal(wantCash) {
		t.Fatalf("cash = %s, want %s", a.Cash, wantCash)
	}
	// Equity is marked at the last price, between bid and ask.
	if !a.Equity.Equal(a.Cash.Add(*p.MarketValue)) {
		t.Fatalf("equity %s != cash %s + market value %s", a.Equity, a.Cash, p.MarketValue)
	}
	ps, err := s.trade.GetPositions()
	if err != nil || len(ps) != 1 || ps[0].Symbol != "QQQ" {
		t.Fatalf("positions = %+v, %v", ps, err)
	}
	// A sell fills at the bid and updates the ledger.
	sell, err := s.trade.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "QQQ", Qty: dec("4"), Side: alpaca.Sell, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "sell-1"})
	if err != nil {
		t.Fatal(err)
	}
	if sell.Status != "filled" || sell.FilledAvgPrice.InexactFloat64() != q.BidPrice {
		t.Fatalf("sell = %s at %v, want the bid %v", sell.Status, sell.FilledAvgPrice, q.BidPrice)
	}
	p, _ = s.trade.GetPosition("QQQ")
	if !p.Qty.Equal(decimal.NewFromInt(6)) {
		t.Fatalf("position after sell = %s", p.Qty)
	}
}

func TestContractOrderAcceptedWhileClosedFillsAtOpen(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, AsOf: goodFriday})
	clock, err := s.trade.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if clock.IsOpen || !clock.NextOpen.Equal(mondayOpen) {
		t.Fatalf("clock on Good Friday = %+v", clock)
	}
	o, err := s.trade.PlaceOrder(marketBuy("SPY", "3", "weekend-buy"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "accepted" {
		t.Fatalf("status while closed = %s, want accepted", o.Status)
	}
	s.srv.SetTime(mondayOpen.Add(time.Minute))
	got, err := s.trade.GetOrder(o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "filled" || got.FilledAt == nil || !got.FilledAt.Equal(mondayOpen) {
		t.Fatalf("after the open: %s filled at %v, want filled at %v", got.Status, got.FilledAt, mondayOpen)
	}
	bars, err := s.data.GetBars("SPY", marketdata.GetBarsRequest{Start: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(bars) != 1 {
		t.Fatalf("bars = %v, %v", bars, err)
	}
	if d := got.FilledAvgPrice.InexactFloat64() - bars[0].Open; d < 0 || d > 0.05*bars[0].Open/100+0.02 {
		t.Fatalf("filled at %v, want the ask at the open %v", got.FilledAvgPrice, bars[0].Open)
	}
}

func TestContractLimitOrders(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	q, _ := s.data.GetLatestQuote("TLT", marketdata.GetLatestQuoteRequest{})
	far := decimal.NewFromFloat(q.BidPrice).Mul(decimal.RequireFromString("0.5")).Round(2)
	o, err := s.trade.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "TLT", Qty: dec("10"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: &far, TimeInForce: alpaca.Day, ClientOrderID: "lim-far"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "new" {
		t.Fatalf("unmarketable limit status = %s, want new", o.Status)
	}
	// Buying power is reduced by the open buy order.
	a, _ := s.trade.GetAccount()
	want := decimal.NewFromInt(100_000).Sub(far.Mul(decimal.NewFromInt(10)))
	if !a.BuyingPower.Equal(want) || !a.Cash.Equal(decimal.NewFromInt(100_000)) {
		t.Fatalf("buying power = %s cash %s, want %s and 100000", a.BuyingPower, a.Cash, want)
	}
	// A marketable limit fills at the ask, not at the limit.
	through := decimal.NewFromFloat(q.AskPrice).Add(decimal.NewFromInt(1))
	o2, err := s.trade.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "TLT", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: &through, TimeInForce: alpaca.GTC, ClientOrderID: "lim-through"})
	if err != nil {
		t.Fatal(err)
	}
	if o2.Status != "filled" || o2.FilledAvgPrice.InexactFloat64() != q.AskPrice {
		t.Fatalf("marketable limit = %s at %v, want filled at %v", o2.Status, o2.FilledAvgPrice, q.AskPrice)
	}
	// A day limit expires at the close.
	s.srv.SetTime(time.Date(2024, 3, 28, 16, 30, 0, 0, nyse.NewYork))
	got, _ := s.trade.GetOrder(o.ID)
	if got.Status != "expired" {
		t.Fatalf("day limit after the close = %s, want expired", got.Status)
	}
	// Cancel: a second cancel, and cancelling a filled order, are 422 42210000.
	o3, err := s.trade.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "TLT", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: &far, TimeInForce: alpaca.GTC, ClientOrderID: "lim-gtc"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.trade.CancelOrder(o3.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.trade.GetOrder(o3.ID)
	if got.Status != "canceled" || got.CanceledAt == nil {
		t.Fatalf("after cancel = %s", got.Status)
	}
	wantAPIError(t, s.trade.CancelOrder(o3.ID), 422, 42210000)
	wantAPIError(t, s.trade.CancelOrder("no-such-order"), 404, 40410000)
}

func TestContractOrderErrors(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, Cash: decimal.NewFromInt(1000)})
	if _, err := s.trade.PlaceOrder(marketBuy("SPY", "1", "dup")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		req          alpaca.PlaceOrderRequest
		status, code int
	}{
		{"duplicate client_order_id", marketBuy("SPY", "1", "dup"), 422, 40010001},
		{"insufficient buying power", marketBuy("SPY", "1000", "big"), 403, 40310000},
		{"insufficient qty", alpaca.PlaceOrderRequest{Symbol: "TLT", Qty: dec("1"), Side: alpaca.Sell, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "short"}, 403, 40310000},
		{"fractional limit", alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: dec("0.5"), Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: dec("1"), TimeInForce: alpaca.Day, ClientOrderID: "fl"}, 422, 42210000},
		{"fractional gtc", alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: dec("0.5"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC, ClientOrderID: "fg"}, 422, 42210000},
		{"notional gtc", alpaca.PlaceOrderRequest{Symbol: "SPY", Notional: dec("10"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.GTC, ClientOrderID: "ng"}, 422, 42210000},
		{"notional under $1", alpaca.PlaceOrderRequest{Symbol: "SPY", Notional: dec("0.5"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "n1"}, 403, 40310000},
		{"client_order_id too long", marketBuy("SPY", "1", strings.Repeat("x", 129)), 422, 40010000},
		{"qty and notional", alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: dec("1"), Notional: dec("10"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day}, 422, 40010000},
		{"limit without price", alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Limit, TimeInForce: alpaca.Day}, 422, 40010000},
		{"stop order", alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: dec("1"), Side: alpaca.Buy, Type: alpaca.Stop, StopPrice: dec("1"), TimeInForce: alpaca.Day}, 422, 40010000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.trade.PlaceOrder(tt.req)
			wantAPIError(t, err, tt.status, tt.code)
		})
	}
	if n := len(s.srv.Orders()); n != 1 {
		t.Fatalf("orders accepted = %d, want 1", n)
	}
}

func TestContractFractionalAndNotional(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	o, err := s.trade.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "SPY", Notional: dec("1000"), Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "notional"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "filled" || o.FilledQty.Equal(o.FilledQty.Truncate(0)) {
		t.Fatalf("notional order = %s qty %s, want a fractional fill", o.Status, o.FilledQty)
	}
	if v := o.FilledQty.Mul(*o.FilledAvgPrice); v.GreaterThan(decimal.NewFromInt(1000)) || v.LessThan(decimal.RequireFromString("999.99")) {
		t.Fatalf("filled value %s, want about $1000", v)
	}
	frac, err := s.trade.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: dec("0.25"), Side: alpaca.Sell, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "frac-sell"})
	if err != nil {
		t.Fatal(err)
	}
	if frac.Status != "filled" {
		t.Fatalf("fractional sell = %s", frac.Status)
	}
}

func TestContractListAndCancelAll(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, AsOf: goodFriday})
	for i, sym := range []string{"SPY", "QQQ", "TLT"} {
		if _, err := s.trade.PlaceOrder(marketBuy(sym, "1", "l"+string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	open, err := s.trade.GetOrders(alpaca.GetOrdersRequest{Status: "open"})
	if err != nil || len(open) != 3 || open[0].Symbol != "TLT" {
		t.Fatalf("open orders = %d (first %v), %v; want 3, newest first", len(open), open, err)
	}
	asc, _ := s.trade.GetOrders(alpaca.GetOrdersRequest{Status: "all", Direction: "asc", Limit: 2})
	if len(asc) != 2 || asc[0].Symbol != "SPY" {
		t.Fatalf("asc limit 2 = %v", asc)
	}
	bySym, _ := s.trade.GetOrders(alpaca.GetOrdersRequest{Status: "all", Symbols: []string{"QQQ"}})
	if len(bySym) != 1 {
		t.Fatalf("by symbol = %d", len(bySym))
	}
	if err := s.trade.CancelAllOrders(); err != nil {
		t.Fatal(err)
	}
	closed, _ := s.trade.GetOrders(alpaca.GetOrdersRequest{Status: "closed"})
	open, _ = s.trade.GetOrders(alpaca.GetOrdersRequest{})
	if len(closed) != 3 || len(open) != 0 || closed[0].Status != "canceled" {
		t.Fatalf("after cancel all: %d closed, %d open", len(closed), len(open))
	}
}

func TestContractByClientOrderID(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	o, err := s.trade.PlaceOrder(marketBuy("SPY", "1", "find-me"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.trade.GetOrderByClientOrderID("find-me")
	if err != nil || got.ID != o.ID {
		t.Fatalf("by client id = %v, %v", got, err)
	}
	_, err = s.trade.GetOrderByClientOrderID("nope")
	wantAPIError(t, err, 404, 40410000)
	_, err = s.trade.GetOrder("nope")
	wantAPIError(t, err, 404, 40410000)
	_, err = s.trade.GetPosition("TLT")
	wantAPIError(t, err, 404, 40410000)
}

func TestContractClosePositions(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	for _, sym := range []string{"SPY", "QQQ"} {
		if _, err := s.trade.PlaceOrder(marketBuy(sym, "10", "open-"+sym)); err != nil {
			t.Fatal(err)
		}
	}
	o, err := s.trade.ClosePosition("SPY", alpaca.ClosePositionRequest{Qty: decimal.NewFromInt(4)})
	if err != nil || o.Status != "filled" || !o.FilledQty.Equal(decimal.NewFromInt(4)) {
		t.Fatalf("close 4 = %v, %v", o, err)
	}
	o, err = s.trade.ClosePosition("SPY", alpaca.ClosePositionRequest{Percentage: decimal.NewFromInt(50)})
	if err != nil || !o.FilledQty.Equal(decimal.NewFromInt(3)) {
		t.Fatalf("close 50%% = %v, %v", o, err)
	}
	_, err = s.trade.ClosePosition("TLT", alpaca.ClosePositionRequest{})
	wantAPIError(t, err, 404, 40410000)
	orders, err := s.trade.CloseAllPositions(alpaca.CloseAllPositionsRequest{CancelOrders: true})
	if err != nil || len(orders) != 2 {
		t.Fatalf("close all = %d orders, %v", len(orders), err)
	}
	ps, _ := s.trade.GetPositions()
	if len(ps) != 0 {
		t.Fatalf("positions after close all = %v", ps)
	}
}

func TestContractClockAndCalendar(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	c, err := s.trade.GetClock()
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsOpen || !c.Timestamp.Equal(thursday) || !c.NextOpen.Equal(mondayOpen) || !c.NextClose.Equal(time.Date(2024, 3, 28, 16, 0, 0, 0, nyse.NewYork)) {
		t.Fatalf("clock = %+v", c)
	}
	days, err := s.trade.GetCalendar(alpaca.GetCalendarRequest{Start: time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 12, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	byDate := map[string]alpaca.CalendarDay{}
	for _, d := range days {
		byDate[d.Date] = d
	}
	if _, ok := byDate["2024-03-29"]; ok {
		t.Errorf("Good Friday is in the calendar")
	}
	if d := byDate["2024-11-29"]; d.Close != "13:00" || d.Open != "09:30" {
		t.Errorf("day after Thanksgiving = %+v, want 09:30-13:00", d)
	}
	if d := byDate["2024-07-03"]; d.Close != "13:00" {
		t.Errorf("3 July = %+v, want an early close", d)
	}
	if d := byDate["2024-03-28"]; d.Close != "16:00" {
		t.Errorf("28 March = %+v", d)
	}
}

func TestContractAssets(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	as, err := s.trade.GetAssets(alpaca.GetAssetsRequest{Status: "active"})
	if err != nil || len(as) < 5 {
		t.Fatalf("assets = %d, %v", len(as), err)
	}
	a, err := s.trade.GetAsset("TQQQ")
	if err != nil || a.Symbol != "TQQQ" || !a.Tradable || !a.Fractionable {
		t.Fatalf("asset = %+v, %v", a, err)
	}
	_, err = s.trade.GetAsset("NOT_A_SYMBOL")
	wantAPIError(t, err, 404, 40410000)
}

func TestContractRateLimit429(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	s.srv.FailNext("GET", "/v2/account", alpacasim.FaultRateLimited, 1)
	req, _ := http.NewRequest("GET", s.url+"/v2/account", nil)
	req.Header.Set("APCA-API-KEY-ID", alpacasim.DefaultKeyID)
	req.Header.Set("APCA-API-SECRET-KEY", alpacasim.DefaultSecretKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || !strings.Contains(string(body), `"code":42910000`) {
		t.Fatalf("429 answer = %d %s", resp.StatusCode, body)
	}
	for _, h := range []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("429 lacks %s", h)
		}
	}
	// The real client retries a GET after a 429 and succeeds.
	s.srv.FailNext("GET", "/v2/account", alpacasim.FaultRateLimited, 1)
	if _, err := s.trade.GetAccount(); err != nil {
		t.Fatalf("GetAccount after one 429: %v", err)
	}
	// The real client's POST retry after a 429 is broken: it resends the drained body and
	// fails in the transport ("ContentLength=N with Body length 0", or a closed connection).
	s.srv.FailNext("POST", "/v2/orders", alpacasim.FaultRateLimited, 1)
	_, err = s.trade.PlaceOrder(marketBuy("SPY", "1", "after-429"))
	var ae *alpaca.APIError
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("PlaceOrder after a 429 = %v, want the client's transport error", err)
	}
	if n := len(s.srv.Orders()); n != 0 {
		t.Fatalf("orders after the 429 = %d, want 0", n)
	}
}

func TestContractServerRateLimit(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, RateLimitPerMinute: 2, Now: func() time.Time { return thursday }})
	client := alpaca.NewClient(alpaca.ClientOpts{BaseURL: s.url, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey, RetryDelay: time.Millisecond, RetryLimit: 1})
	var err error
	for range 3 {
		if _, err = client.GetClock(); err != nil {
			break
		}
	}
	wantAPIError(t, err, 429, 42910000)
}

func TestContractBarsPagination(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, BarsPageLimit: 1000})
	syms := []string{"QQQ", "TQQQ", "UVXY", "BIL"}
	req := marketdata.GetBarsRequest{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC)}
	whole, err := s.data.GetMultiBars(syms, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.gets.Swap(0); got != 1 {
		t.Fatalf("one page expected, sent %d requests", got)
	}
	req.PageLimit = 25
	paged, err := s.data.GetMultiBars(syms, req)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, sym := range syms {
		if len(whole[sym]) != len(paged[sym]) || len(whole[sym]) == 0 {
			t.Fatalf("%s: %d bars whole, %d paged", sym, len(whole[sym]), len(paged[sym]))
		}
		for i := range whole[sym] {
			if whole[sym][i] != paged[sym][i] {
				t.Fatalf("%s bar %d differs: %+v vs %+v", sym, i, whole[sym][i], paged[sym][i])
			}
		}
		total += len(whole[sym])
	}
	if want := int64((total + 24) / 25); s.gets.Load() != want {
		t.Fatalf("paged request sent %d pages, want %d", s.gets.Load(), want)
	}
	// Bars are those of the source, stamped at midnight New York time.
	src, _ := marketsim.NewGenerator(1).DailyBars("QQQ", req.Start, req.End)
	b := whole["QQQ"][0]
	if b.Close != src[0].Close.InexactFloat64() || !b.Timestamp.Equal(time.Date(2024, 1, 2, 0, 0, 0, 0, nyse.NewYork)) {
		t.Fatalf("first bar %+v, source %+v", b, src[0])
	}
	// The 'end' is exclusive of bars stamped after it, as on Alpaca.
	if last := whole["QQQ"][len(whole["QQQ"])-1]; !last.Timestamp.Before(req.End) {
		t.Fatalf("last bar %v after end %v", last.Timestamp, req.End)
	}
	// Descending sort pages too.
	req.Sort = marketdata.SortDesc
	desc, err := s.data.GetMultiBars([]string{"QQQ"}, req)
	if err != nil || len(desc["QQQ"]) != len(whole["QQQ"]) || desc["QQQ"][0] != whole["QQQ"][len(whole["QQQ"])-1] {
		t.Fatalf("desc = %d bars, %v", len(desc["QQQ"]), err)
	}
}

func TestContractTodayBarIsPartial(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	bars, err := s.data.GetBars("QQQ", marketdata.GetBarsRequest{Start: time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(bars) != 2 {
		t.Fatalf("bars = %v, %v", bars, err)
	}
	trade, _ := s.data.GetLatestTrade("QQQ", marketdata.GetLatestTradeRequest{})
	if bars[1].Close != trade.Price {
		t.Fatalf("today's partial bar closes at %v, last trade %v", bars[1].Close, trade.Price)
	}
	full, _ := marketsim.NewGenerator(1).DailyBars("QQQ", thursday, thursday)
	if bars[1].Volume >= uint64(full[0].Volume) {
		t.Fatalf("partial volume %d not below the day's %d", bars[1].Volume, full[0].Volume)
	}
}

func TestContractLatestAndSnapshots(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "bars.csv")
	if err := os.WriteFile(csv, []byte("symbol,date,open,high,low,close,volume\nAAA,2024-03-27,10,11,9,10.5,1000\nAAA,2024-03-28,10.5,12,10,11.5,2000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := marketsim.LoadCSV(csv)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, alpacasim.Config{Source: src})
	qs, err := s.data.GetLatestQuotes([]string{"AAA", "MISSING"}, marketdata.GetLatestQuoteRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := qs["MISSING"]; ok || len(qs) != 1 {
		t.Fatalf("quotes = %v, want only AAA (a missing symbol is absent, never a zero price)", qs)
	}
	if q := qs["AAA"]; !(q.BidPrice > 0 && q.AskPrice > q.BidPrice) {
		t.Fatalf("AAA quote %+v", q)
	}
	ts, err := s.data.GetLatestTrades([]string{"AAA", "MISSING"}, marketdata.GetLatestTradeRequest{})
	if err != nil || len(ts) != 1 || ts["AAA"].Price <= 10.5 || ts["AAA"].Price >= 11.5 {
		t.Fatalf("trades = %v, %v", ts, err)
	}
	snaps, err := s.data.GetSnapshots([]string{"AAA"}, marketdata.GetSnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	snap := snaps["AAA"]
	if snap == nil || snap.LatestQuote == nil || snap.DailyBar == nil || snap.PrevDailyBar == nil || snap.PrevDailyBar.Close != 10.5 || snap.DailyBar.Open != 10.5 {
		t.Fatalf("snapshot = %+v", snap)
	}
	_, err = s.trade.GetAsset("MISSING")
	wantAPIError(t, err, 404, 40410000)
}

func TestContractTradeUpdatesStream(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, AsOf: goodFriday})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	updates := make(chan alpaca.TradeUpdate, 16)
	done := make(chan error, 1)
	go func() {
		done <- s.trade.StreamTradeUpdates(ctx, func(u alpaca.TradeUpdate) { updates <- u }, alpaca.StreamTradeUpdatesRequest{Since: goodFriday.Add(-time.Hour)})
	}()
	o, err := s.trade.PlaceOrder(marketBuy("SPY", "2", "streamed"))
	if err != nil {
		t.Fatal(err)
	}
	s.srv.SetTime(mondayOpen.Add(time.Minute))
	var events []string
	deadline := time.After(10 * time.Second)
	for len(events) < 3 {
		select {
		case u := <-updates:
			if u.Order.ID != o.ID {
				t.Fatalf("update for %s, want %s", u.Order.ID, o.ID)
			}
			events = append(events, u.Event)
			if u.Event == "fill" && (u.Price == nil || u.Qty == nil || !u.Qty.Equal(decimal.NewFromInt(2)) || u.PositionQty == nil) {
				t.Fatalf("fill update lacks price/qty: %+v", u)
			}
		case <-deadline:
			t.Fatalf("events so far %v", events)
		}
	}
	if strings.Join(events, ",") != "pending_new,new,fill" {
		t.Fatalf("events = %v", events)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("stream did not end after cancel")
	}
}

func TestContractPartialFillAndReject(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	s.srv.FailNext("", "", alpacasim.FaultPartialFill, 1)
	o, err := s.trade.PlaceOrder(marketBuy("SPY", "10", "partial"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "partially_filled" || !o.FilledQty.Equal(decimal.NewFromInt(5)) {
		t.Fatalf("partial = %s %s", o.Status, o.FilledQty)
	}
	s.srv.Advance(time.Minute)
	got, _ := s.trade.GetOrder(o.ID)
	if got.Status != "filled" || !got.FilledQty.Equal(decimal.NewFromInt(10)) {
		t.Fatalf("after a minute = %s %s", got.Status, got.FilledQty)
	}
	s.srv.FailNext("", "", alpacasim.FaultReject, 1)
	r, err := s.trade.PlaceOrder(marketBuy("SPY", "1", "rejected"))
	if err != nil || r.Status != "rejected" {
		t.Fatalf("reject = %v, %v", r, err)
	}
}

func TestContractLastEquityIsAtTheClose(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	if _, err := s.trade.PlaceOrder(marketBuy("TQQQ", "100", "le")); err != nil {
		t.Fatal(err)
	}
	s.srv.SetTime(mondayOpen.Add(2 * time.Hour))
	a, err := s.trade.GetAccount()
	if err != nil {
		t.Fatal(err)
	}
	closes, _ := marketsim.NewGenerator(1).DailyBars("TQQQ", thursday, thursday)
	want := a.Cash.Add(closes[0].Close.Mul(decimal.NewFromInt(100)))
	if !a.LastEquity.Equal(want) {
		t.Fatalf("last equity %s, want cash + 100 x Thursday's close = %s", a.LastEquity, want)
	}
	if a.Equity.Equal(a.LastEquity) {
		t.Fatalf("equity did not move since the close")
	}
}
