package alpacatest

import (
	"context"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
)

// RunSuite is the contract every Broker keeps. newBroker returns a fresh broker for each
// case: the market open, $100,000 of cash, no positions or orders, and quotes for SPY and
// QQQ.
func RunSuite(t *testing.T, newBroker func(t *testing.T) Broker) {
	for _, tc := range suite {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newBroker(t)) })
	}
}

type suiteCase struct {
	name string
	run  func(t *testing.T, b Broker)
}

func qty(s string) *market.Qty {
	q := market.NewQty(decimal.RequireFromString(s))
	return &q
}

func buy(cid, sym, n string) alpacaclient.OrderRequest {
	return alpacaclient.OrderRequest{ClientOrderID: cid, Symbol: market.Symbol(sym), Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: qty(n)}
}

func sell(cid, sym, n string) alpacaclient.OrderRequest {
	r := buy(cid, sym, n)
	r.Side = alpacaclient.Sell
	return r
}

func quote(t *testing.T, b Broker, sym market.Symbol) alpacaclient.Quote {
	t.Helper()
	qs, err := b.LatestQuotes(context.Background(), []market.Symbol{sym})
	if err != nil {
		t.Fatal(err)
	}
	q, ok := qs[sym]
	if !ok {
		t.Fatalf("no quote for %s", sym)
	}
	return q
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

var hundredK = decimal.NewFromInt(100_000)

var suite = []suiteCase{
	{"the market is open and the account fresh", func(t *testing.T, b Broker) {
		ctx := context.Background()
		c, err := b.Clock(ctx)
		if err != nil || !c.IsOpen {
			t.Fatalf("clock = %+v, %v", c, err)
		}
		a, err := b.Account(ctx)
		if err != nil || !a.Cash.Decimal().Equal(hundredK) || !a.BuyingPower.Decimal().Equal(hundredK) || !a.Equity.Decimal().Equal(hundredK) {
			t.Fatalf("account = %+v, %v", a, err)
		}
		ps, err := b.Positions(ctx)
		if err != nil || len(ps) != 0 {
			t.Fatalf("positions = %v, %v", ps, err)
		}
	}},
	{"a market buy fills at the ask and moves cash and position", func(t *testing.T, b Broker) {
		ctx := context.Background()
		q := quote(t, b, "SPY")
		o, err := b.PlaceOrder(ctx, buy("s-buy", "SPY", "3"))
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != alpacaclient.StatusFilled || o.FilledQty.String() != "3" || o.FilledAvgPrice == nil || !o.FilledAvgPrice.Decimal().Equal(q.Ask.Decimal()) {
			t.Fatalf("order = %+v, want filled 3 at the ask %s", o, q.Ask)
		}
		p, err := b.Position(ctx, "SPY")
		if err != nil || p.Qty.String() != "3" || !p.AvgEntryPrice.Decimal().Equal(q.Ask.Decimal()) {
			t.Fatalf("position = %+v, %v", p, err)
		}
		a, _ := b.Account(ctx)
		if want := hundredK.Sub(q.Ask.Decimal().Mul(decimal.NewFromInt(3))); !a.Cash.Decimal().Equal(want) {
			t.Fatalf("cash = %s, want %s", a.Cash, want)
		}
		s, err := b.PlaceOrder(ctx, sell("s-sell", "SPY", "1"))
		if err != nil || s.Status != alpacaclient.StatusFilled || !s.FilledAvgPrice.Decimal().Equal(q.Bid.Decimal()) {
			t.Fatalf("sell = %+v, %v; want filled at the bid %s", s, err, q.Bid)
		}
	}},
	{"the same client order id returns the same order", func(t *testing.T, b Broker) {
		ctx := context.Background()
		first, err := b.PlaceOrder(ctx, buy("s-dup", "SPY", "1"))
		if err != nil {
			t.Fatal(err)
		}
		again, err := b.PlaceOrder(ctx, buy("s-dup", "SPY", "1"))
		if err != nil || again.ID != first.ID {
			t.Fatalf("again = %s, %v; want %s", again.ID, err, first.ID)
		}
		_, err = b.PlaceOrder(ctx, buy("s-dup", "QQQ", "1"))
		wantErr(t, err, alpacaclient.ErrDuplicateClientOrderID)
		all, err := b.ListOrders(ctx, alpacaclient.ListOrdersRequest{Status: "all"})
		if err != nil || len(all) != 1 {
			t.Fatalf("orders = %d, %v; want 1", len(all), err)
		}
		got, err := b.GetOrderByClientID(ctx, "s-dup")
		if err != nil || got.ID != first.ID {
			t.Fatalf("by client id = %+v, %v", got, err)
		}
	}},
	{"refusals wrap the sentinels", func(t *testing.T, b Broker) {
		ctx := context.Background()
		_, err := b.PlaceOrder(ctx, buy("s-bp", "SPY", "100000"))
		wantErr(t, err, alpacaclient.ErrInsufficientBuyingPower)
		_, err = b.PlaceOrder(ctx, sell("s-short", "QQQ", "1"))
		wantErr(t, err, alpacaclient.ErrInsufficientQty)
		frac := buy("s-frac", "SPY", "0.5")
		frac.TimeInForce = alpacaclient.GTC
		_, err = b.PlaceOrder(ctx, frac)
		wantErr(t, err, alpacaclient.ErrInvalidOrder)
		_, err = b.GetOrder(ctx, "no-such-order")
		wantErr(t, err, alpacaclient.ErrNotFound)
		_, err = b.GetOrderByClientID(ctx, "no-such-client-id")
		wantErr(t, err, alpacaclient.ErrNotFound)
		_, err = b.Position(ctx, "QQQ")
		wantErr(t, err, alpacaclient.ErrNotFound)
		all, _ := b.ListOrders(ctx, alpacaclient.ListOrdersRequest{Status: "all"})
		if len(all) != 0 {
			t.Fatalf("refused orders were recorded: %v", all)
		}
	}},
	{"an unmarketable limit holds buying power until cancelled", func(t *testing.T, b Broker) {
		ctx := context.Background()
		q := quote(t, b, "QQQ")
		limit := market.NewMoney(q.Bid.Decimal().Div(decimal.NewFromInt(2)).Round(2))
		o, err := b.PlaceOrder(ctx, alpacaclient.OrderRequest{ClientOrderID: "s-lim", Symbol: "QQQ", Side: alpacaclient.Buy, Type: alpacaclient.Limit, TimeInForce: alpacaclient.GTC, Qty: qty("10"), LimitPrice: &limit})
		if err != nil || o.Status != alpacaclient.StatusNew {
			t.Fatalf("limit = %+v, %v", o, err)
		}
		a, _ := b.Account(ctx)
		if want := hundredK.Sub(limit.Decimal().Mul(decimal.NewFromInt(10))); !a.BuyingPower.Decimal().Equal(want) {
			t.Fatalf("buying power = %s, want %s", a.BuyingPower, want)
		}
		open, err := b.ListOrders(ctx, alpacaclient.ListOrdersRequest{})
		if err != nil || len(open) != 1 {
			t.Fatalf("open orders = %v, %v", open, err)
		}
		if err := b.CancelOrder(ctx, o.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := b.GetOrder(ctx, o.ID)
		if got.Status != alpacaclient.StatusCanceled {
			t.Fatalf("after cancel = %s", got.Status)
		}
		filled, err := b.PlaceOrder(ctx, buy("s-filled", "QQQ", "1"))
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, b.CancelOrder(ctx, filled.ID), alpacaclient.ErrInvalidOrder)
		wantErr(t, b.CancelOrder(ctx, "no-such-order"), alpacaclient.ErrNotFound)
	}},
	{"a notional buy fills a fraction", func(t *testing.T, b Broker) {
		ctx := context.Background()
		n := market.NewMoney(decimal.NewFromInt(1000))
		o, err := b.PlaceOrder(ctx, alpacaclient.OrderRequest{ClientOrderID: "s-notional", Symbol: "SPY", Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Notional: &n})
		if err != nil || o.Status != alpacaclient.StatusFilled {
			t.Fatalf("notional = %+v, %v", o, err)
		}
		v := o.FilledQty.Decimal().Mul(o.FilledAvgPrice.Decimal())
		if v.GreaterThan(decimal.NewFromInt(1000)) || v.LessThan(decimal.RequireFromString("999.99")) {
			t.Fatalf("filled value %s, want about 1000", v)
		}
	}},
	{"closing a position sells it all", func(t *testing.T, b Broker) {
		ctx := context.Background()
		if _, err := b.PlaceOrder(ctx, buy("s-open", "QQQ", "4")); err != nil {
			t.Fatal(err)
		}
		o, err := b.ClosePosition(ctx, "QQQ", nil)
		if err != nil || o.FilledQty.String() != "4" || o.Side != alpacaclient.Sell {
			t.Fatalf("close = %+v, %v", o, err)
		}
		ps, _ := b.Positions(ctx)
		if len(ps) != 0 {
			t.Fatalf("positions after close = %v", ps)
		}
		_, err = b.ClosePosition(ctx, "QQQ", nil)
		wantErr(t, err, alpacaclient.ErrNotFound)
	}},
	{"quotes and trades are positive", func(t *testing.T, b Broker) {
		ctx := context.Background()
		qs, err := b.LatestQuotes(ctx, []market.Symbol{"SPY", "QQQ"})
		if err != nil || len(qs) != 2 {
			t.Fatalf("quotes = %v, %v", qs, err)
		}
		for s, q := range qs {
			if !q.Bid.Decimal().IsPositive() || !q.Ask.Decimal().GreaterThan(q.Bid.Decimal()) {
				t.Fatalf("%s quote %+v", s, q)
			}
		}
		ts, err := b.LatestTrades(ctx, []market.Symbol{"SPY"})
		if err != nil || !ts["SPY"].Price.Decimal().IsPositive() {
			t.Fatalf("trades = %v, %v", ts, err)
		}
		none, err := b.LatestQuotes(ctx, nil)
		if err != nil || len(none) != 0 {
			t.Fatalf("no symbols: %v, %v", none, err)
		}
	}},
}
