package alpacasim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient/alpacatest"
	"github.com/alchemiser/alchemiser/pkg/market"
)

// These tests drive the simulator through the adapter (pkg/alpaca/alpacaclient), which wraps
// the real v3 client: the reliability rules must hold against real HTTP failures.

func adapter(t testing.TB, s *sim) *alpacaclient.Client {
	t.Helper()
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: s.url, DataURL: s.url, KeyID: alpacasim.DefaultKeyID, SecretKey: alpacasim.DefaultSecretKey, Feed: "iex"},
		alpacaclient.Options{
			Limiter:            rate.NewLimiter(rate.Inf, 0),
			Sleep:              func(ctx context.Context, d time.Duration) error { return ctx.Err() },
			UpstreamRetryDelay: time.Millisecond,
			ReadAttempts:       6,
		})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func qty(s string) *market.Qty {
	q := market.NewQty(decimal.RequireFromString(s))
	return &q
}

func buy(cid, sym, n string) alpacaclient.OrderRequest {
	return alpacaclient.OrderRequest{ClientOrderID: cid, Symbol: market.Symbol(sym), Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: qty(n)}
}

func ordersFor(srv *alpacasim.Server, cid string) int {
	n := 0
	for _, o := range srv.Orders() {
		if o.ClientOrderID == cid {
			n++
		}
	}
	return n
}

func TestAdapterPlaceOrderExactlyOnce(t *testing.T) {
	tests := []struct {
		name  string
		fault alpacasim.FaultKind
		times int
	}{
		{"429 on PlaceOrder", alpacasim.FaultRateLimited, 1},
		{"two 429s", alpacasim.FaultRateLimited, 2},
		{"5xx before acceptance", alpacasim.FaultServerError, 1},
		{"5xx after acceptance", alpacasim.FaultServerErrorAfterAccept, 1},
		{"dropped connection before acceptance", alpacasim.FaultDrop, 1},
		{"dropped connection after acceptance", alpacasim.FaultDropAfterAccept, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, alpacasim.Config{Seed: 1})
			c := adapter(t, s)
			s.srv.FailNext("POST", "/v2/orders", tt.fault, tt.times)
			o, err := c.PlaceOrder(context.Background(), buy("once-1", "SPY", "3"))
			if err != nil {
				t.Fatalf("PlaceOrder: %v", err)
			}
			if n := len(s.srv.Orders()); n != 1 {
				t.Fatalf("simulator holds %d orders, want exactly 1", n)
			}
			if o.ClientOrderID != "once-1" || o.Status != alpacaclient.StatusFilled || o.FilledQty.String() != "3" {
				t.Fatalf("order = %+v", o)
			}
		})
	}
}

func TestAdapterPlaceOrderTimeoutAfterAcceptance(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: s.url, DataURL: s.url, KeyID: alpacasim.DefaultKeyID, SecretKey: alpacasim.DefaultSecretKey, Feed: "iex"},
		alpacaclient.Options{
			HTTPClient: &http.Client{Timeout: 300 * time.Millisecond},
			Limiter:    rate.NewLimiter(rate.Inf, 0),
			Sleep:      func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		})
	if err != nil {
		t.Fatal(err)
	}
	for _, fault := range []alpacasim.FaultKind{alpacasim.FaultHang, alpacasim.FaultHangAfterAccept} {
		t.Run(fault.String(), func(t *testing.T) {
			cid := "timeout-" + fault.String()
			s.srv.FailNext("POST", "/v2/orders", fault, 1)
			if _, err := c.PlaceOrder(context.Background(), buy(cid, "SPY", "1")); err != nil {
				t.Fatalf("PlaceOrder: %v", err)
			}
			if n := ordersFor(s.srv, cid); n != 1 {
				t.Fatalf("orders for %s = %d, want 1", cid, n)
			}
		})
	}
}

func TestAdapterDuplicateReturnsExisting(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	c := adapter(t, s)
	first, err := c.PlaceOrder(context.Background(), buy("dup-1", "SPY", "2"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.PlaceOrder(context.Background(), buy("dup-1", "SPY", "2"))
	if err != nil || again.ID != first.ID {
		t.Fatalf("second place = %v, %v; want the existing order %s", again.ID, err, first.ID)
	}
	_, err = c.PlaceOrder(context.Background(), buy("dup-1", "QQQ", "2"))
	if !errors.Is(err, alpacaclient.ErrDuplicateClientOrderID) {
		t.Fatalf("reuse for another order: err = %v", err)
	}
	if n := len(s.srv.Orders()); n != 1 {
		t.Fatalf("orders = %d", n)
	}
}

func TestAdapterFaultStormNeverDuplicates(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, Cash: decimal.NewFromInt(10_000_000), Faults: alpacasim.Faults{
		Seed: 42, RateLimited: 0.15, ServerError: 0.1, ServerErrorAfterAccept: 0.2, Drop: 0.1,
	}})
	c := adapter(t, s)
	placed := 0
	for i := range 40 {
		cid := fmt.Sprintf("storm-%d", i)
		_, err := c.PlaceOrder(context.Background(), buy(cid, "QQQ", "1"))
		n := ordersFor(s.srv, cid)
		if n > 1 {
			t.Fatalf("%s: %d orders", cid, n)
		}
		if err == nil {
			placed++
			if n != 1 {
				t.Fatalf("%s: success reported but %d orders", cid, n)
			}
		}
	}
	if placed < 30 {
		t.Fatalf("only %d of 40 orders placed under faults", placed)
	}
}

func TestAdapterErrors(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, Cash: decimal.NewFromInt(1000)})
	c := adapter(t, s)
	ctx := context.Background()
	tests := []struct {
		name string
		req  alpacaclient.OrderRequest
		want error
	}{
		{"buying power", buy("bp", "SPY", "1000"), alpacaclient.ErrInsufficientBuyingPower},
		{"qty", alpacaclient.OrderRequest{ClientOrderID: "q", Symbol: "SPY", Side: alpacaclient.Sell, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: qty("1")}, alpacaclient.ErrInsufficientQty},
		{"fractional gtc", alpacaclient.OrderRequest{ClientOrderID: "f", Symbol: "SPY", Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.GTC, Qty: qty("0.5")}, alpacaclient.ErrInvalidOrder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.PlaceOrder(ctx, tt.req); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	s.srv.FailNext("", "", alpacasim.FaultReject, 1)
	o, err := c.PlaceOrder(ctx, buy("rej", "SPY", "1"))
	if !errors.Is(err, alpacaclient.ErrRejected) || o.Status != alpacaclient.StatusRejected {
		t.Fatalf("rejected order: %v, %v", o.Status, err)
	}
	if _, err := c.GetOrder(ctx, "nope"); !errors.Is(err, alpacaclient.ErrNotFound) {
		t.Fatalf("GetOrder err = %v", err)
	}
	if _, err := c.Position(ctx, "TLT"); !errors.Is(err, alpacaclient.ErrNotFound) {
		t.Fatalf("Position err = %v", err)
	}
	var ae *alpacaclient.APIError
	if _, err := c.GetOrderByClientID(ctx, "nope"); !errors.As(err, &ae) || ae.Code != 40410000 {
		t.Fatalf("GetOrderByClientID err = %v", err)
	}
}

func TestAdapterReadsRetry(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	c := adapter(t, s)
	s.srv.FailNext("GET", "/v2/account", alpacasim.FaultServerError, 2)
	s.srv.FailNext("GET", "/v2/positions", alpacasim.FaultDrop, 1)
	if _, err := c.Account(context.Background()); err != nil {
		t.Fatalf("Account after two 500s: %v", err)
	}
	if _, err := c.Positions(context.Background()); err != nil {
		t.Fatalf("Positions after a drop: %v", err)
	}
	s.srv.FailNext("GET", "/v2/clock", alpacasim.FaultServerError, 10)
	if _, err := c.Clock(context.Background()); !errors.Is(err, alpacaclient.ErrUnavailable) {
		t.Fatalf("Clock after persistent 500s: %v", err)
	}
}

func TestAdapterEndToEnd(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	c := adapter(t, s)
	ctx := context.Background()
	acct, err := c.Account(ctx)
	if err != nil || acct.Cash.String() != "100000" {
		t.Fatalf("account = %+v, %v", acct, err)
	}
	quotes, err := c.LatestQuotes(ctx, []market.Symbol{"TQQQ", "SQQQ"})
	if err != nil || len(quotes) != 2 || !quotes["TQQQ"].Ask.Decimal().GreaterThan(quotes["TQQQ"].Bid.Decimal()) {
		t.Fatalf("quotes = %+v, %v", quotes, err)
	}
	trades, err := c.LatestTrades(ctx, []market.Symbol{"TQQQ"})
	if err != nil || !trades["TQQQ"].Price.Decimal().IsPositive() {
		t.Fatalf("trades = %+v, %v", trades, err)
	}
	o, err := c.PlaceOrder(ctx, alpacaclient.OrderRequest{ClientOrderID: "e2e", Symbol: "TQQQ", Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: qty("5")})
	if err != nil || o.FilledAvgPrice == nil || !o.FilledAvgPrice.Decimal().Equal(quotes["TQQQ"].Ask.Decimal()) {
		t.Fatalf("order = %+v, %v", o, err)
	}
	ps, err := c.Positions(ctx)
	if err != nil || len(ps) != 1 || ps[0].Qty.String() != "5" || !ps[0].HasPrice {
		t.Fatalf("positions = %+v, %v", ps, err)
	}
	byCID, err := c.GetOrderByClientID(ctx, "e2e")
	if err != nil || byCID.ID != o.ID {
		t.Fatalf("by client id = %+v, %v", byCID, err)
	}
	list, err := c.ListOrders(ctx, alpacaclient.ListOrdersRequest{Status: "all"})
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %v, %v", list, err)
	}
	closed, err := c.ClosePosition(ctx, "TQQQ", nil)
	if err != nil || closed.FilledQty.String() != "5" {
		t.Fatalf("close = %+v, %v", closed, err)
	}
	clock, err := c.Clock(ctx)
	if err != nil || !clock.IsOpen {
		t.Fatalf("clock = %+v, %v", clock, err)
	}
	cal, err := c.Calendar(ctx, time.Date(2024, 11, 25, 0, 0, 0, 0, time.UTC), time.Date(2024, 11, 29, 0, 0, 0, 0, time.UTC))
	if err != nil || len(cal) != 4 || cal[3].Close.Hour() != 13 {
		t.Fatalf("calendar = %+v, %v", cal, err)
	}
	asset, err := c.Asset(ctx, "UVXY")
	if err != nil || asset.Symbol != "UVXY" {
		t.Fatalf("asset = %+v, %v", asset, err)
	}
	syms := []market.Symbol{"QQQ", "TQQQ", "UVXY", "BIL", "TLT"}
	bars, err := c.DailyBars(ctx, syms, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range syms {
		b := bars[sym]
		if len(b) < 300 || !b[len(b)-1].Date.Equal(time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("%s: %d bars, last %v", sym, len(b), b[len(b)-1].Date)
		}
	}
	// The open order is cancelled through the adapter.
	far := market.NewMoney(decimal.NewFromInt(1))
	lim, err := c.PlaceOrder(ctx, alpacaclient.OrderRequest{ClientOrderID: "lim", Symbol: "QQQ", Side: alpacaclient.Buy, Type: alpacaclient.Limit, TimeInForce: alpacaclient.GTC, Qty: qty("1"), LimitPrice: &far})
	if err != nil || lim.Status != alpacaclient.StatusNew {
		t.Fatalf("limit = %+v, %v", lim, err)
	}
	if err := c.CancelOrder(ctx, lim.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelAllOrders(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAdapterRefusesLiveURL(t *testing.T) {
	for _, cfg := range []alpacaclient.Config{
		{TradingURL: alpacaclient.LiveTradingURL, DataURL: "http://127.0.0.1:1", KeyID: "k", SecretKey: "s", Feed: "iex"},
		{TradingURL: alpacaclient.LiveTradingURL, DataURL: "http://127.0.0.1:1", KeyID: "k", SecretKey: "s", Feed: "iex", Live: true},
		{TradingURL: alpacaclient.LiveTradingURL, DataURL: "http://127.0.0.1:1", KeyID: "k", SecretKey: "s", Feed: "iex", Stage: "prod"},
	} {
		if _, err := alpacaclient.New(cfg, alpacaclient.Options{}); !errors.Is(err, alpacaclient.ErrLiveTradingRefused) {
			t.Errorf("live=%t stage=%q: err = %v", cfg.Live, cfg.Stage, err)
		}
	}
}

func TestAdapterWatchTradeUpdates(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1, AsOf: goodFriday})
	c := adapter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	updates := make(chan alpacaclient.TradeUpdate, 16)
	done := make(chan error, 1)
	go func() {
		done <- c.WatchTradeUpdates(ctx, goodFriday.Add(-time.Hour), func(u alpacaclient.TradeUpdate) { updates <- u })
	}()
	o, err := c.PlaceOrder(ctx, buy("watched", "TLT", "4"))
	if err != nil {
		t.Fatal(err)
	}
	s.srv.SetTime(mondayOpen)
	var events []string
	timeout := time.After(10 * time.Second)
	for len(events) < 3 {
		select {
		case u := <-updates:
			if u.Order.ID != o.ID {
				t.Fatalf("update for order %s", u.Order.ID)
			}
			events = append(events, u.Event)
			if u.Event == "fill" && (u.Price == nil || u.Qty == nil || u.Qty.String() != "4" || u.Order.Status != alpacaclient.StatusFilled) {
				t.Fatalf("fill = %+v", u)
			}
		case <-timeout:
			t.Fatalf("events so far: %v", events)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Watch returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return after cancel")
	}
}

func TestAdapterCancelAfterLostAnswer(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	c := adapter(t, s)
	ctx := context.Background()
	far := market.NewMoney(decimal.NewFromInt(1))
	o, err := c.PlaceOrder(ctx, alpacaclient.OrderRequest{ClientOrderID: "c", Symbol: "QQQ", Side: alpacaclient.Buy, Type: alpacaclient.Limit, TimeInForce: alpacaclient.GTC, Qty: qty("1"), LimitPrice: &far})
	if err != nil {
		t.Fatal(err)
	}
	s.srv.FailNext("DELETE", "/v2/orders/"+o.ID, alpacasim.FaultServerErrorAfterAccept, 1)
	if err := c.CancelOrder(ctx, o.ID); err != nil {
		t.Fatalf("cancel with a lost answer: %v", err)
	}
	filled, err := c.PlaceOrder(ctx, buy("f", "QQQ", "1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CancelOrder(ctx, filled.ID); !errors.Is(err, alpacaclient.ErrInvalidOrder) {
		t.Fatalf("cancel a filled order: %v", err)
	}
	if err := c.CancelOrder(ctx, "nope"); !errors.Is(err, alpacaclient.ErrNotFound) {
		t.Fatalf("cancel an unknown order: %v", err)
	}
}

func TestAdapterReadRetriesTimeout(t *testing.T) {
	s := start(t, alpacasim.Config{Seed: 1})
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: s.url, DataURL: s.url, KeyID: alpacasim.DefaultKeyID, SecretKey: alpacasim.DefaultSecretKey, Feed: "iex"},
		alpacaclient.Options{
			HTTPClient: &http.Client{Timeout: 300 * time.Millisecond},
			Limiter:    rate.NewLimiter(rate.Inf, 0),
			Sleep:      func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		})
	if err != nil {
		t.Fatal(err)
	}
	s.srv.FailNext("GET", "/v2/account", alpacasim.FaultHang, 1)
	if _, err := c.Account(context.Background()); err != nil {
		t.Fatalf("Account after one timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Account(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Account with a cancelled context: %v", err)
	}
}

// TestAdapterKeepsTheContract runs the broker contract suite, which the in-memory fake
// (alpacatest.Fake) also passes, against the real adapter talking to the simulator.
func TestAdapterKeepsTheContract(t *testing.T) {
	alpacatest.RunSuite(t, func(t *testing.T) alpacatest.Broker { return adapter(t, start(t, alpacasim.Config{Seed: 1})) })
}
