package alpacabroker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/pkg/nyse"
	"github.com/alchemiser/alchemiser/services/execution/internal/adapters/alpacabroker"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/app/apptest"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// TestBrokerContract runs one suite against every app.Broker: the hand-written fake and the
// Alpaca adapter talking to the simulator through the real client.
func TestBrokerContract(t *testing.T) {
	impls := map[string]func(t *testing.T) app.Broker{
		"fake": func(*testing.T) app.Broker {
			f := apptest.NewFakeBroker()
			f.SetQuote("SPY", "99.95", "100.05")
			return f
		},
		"alpaca adapter on the simulator": func(t *testing.T) app.Broker {
			sim, err := alpacasim.New(alpacasim.Config{AsOf: time.Date(2026, 11, 24, 10, 0, 0, 0, nyse.NewYork)})
			if err != nil {
				t.Fatal(err)
			}
			url, err := sim.Start("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sim.Close() })
			c, err := alpacaclient.New(alpacaclient.Config{TradingURL: url, DataURL: url, KeyID: alpacasim.DefaultKeyID,
				SecretKey: alpacasim.DefaultSecretKey, Feed: "iex", Stage: "local"}, alpacaclient.Options{Limiter: rate.NewLimiter(rate.Inf, 0)})
			if err != nil {
				t.Fatal(err)
			}
			return alpacabroker.New(c)
		},
	}
	for name, newBroker := range impls {
		t.Run(name, func(t *testing.T) { brokerContract(t, newBroker(t)) })
	}
}

func brokerContract(t *testing.T, b app.Broker) {
	ctx := context.Background()
	const prefix = "alch-contract00000000-"
	clock, err := b.MarketClock(ctx)
	if err != nil || !clock.IsOpen {
		t.Fatalf("MarketClock = %+v, %v; want open", clock, err)
	}
	acct, err := b.Account(ctx)
	if err != nil || !acct.Spendable().IsPositive() {
		t.Fatalf("Account = %+v, %v", acct, err)
	}
	quotes, err := b.Quotes(ctx, []market.Symbol{"SPY"})
	if err != nil || !quotes["SPY"].Valid() {
		t.Fatalf("Quotes = %+v, %v", quotes, err)
	}
	if _, err := b.OrderByClientID(ctx, prefix+"missing"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("OrderByClientID(missing) = %v; want ErrNotFound", err)
	}

	buy := domain.OrderRequest{ClientOrderID: prefix + "SPY-b-0", Symbol: "SPY", Side: domain.Buy, Type: domain.Market, Qty: decimal.NewFromInt(2)}
	placed, err := b.PlaceOrder(ctx, buy)
	if err != nil || placed.BrokerOrderID == "" || placed.ClientOrderID != buy.ClientOrderID {
		t.Fatalf("PlaceOrder = %+v, %v", placed, err)
	}
	again, err := b.PlaceOrder(ctx, buy)
	if err == nil && again.BrokerOrderID != placed.BrokerOrderID || err != nil && !errors.Is(err, app.ErrDuplicate) {
		t.Fatalf("PlaceOrder again = %+v, %v; want the same order or ErrDuplicate", again, err)
	}
	got, err := b.OrderByClientID(ctx, buy.ClientOrderID)
	if err != nil || got.BrokerOrderID != placed.BrokerOrderID || got.Status != domain.StatusFilled || !got.FilledQty.Equal(decimal.NewFromInt(2)) || !got.AvgPrice.IsPositive() {
		t.Fatalf("OrderByClientID = %+v, %v; want it filled", got, err)
	}

	low := domain.OrderRequest{ClientOrderID: prefix + "SPY-b-1", Symbol: "SPY", Side: domain.Buy, Type: domain.Limit, Qty: decimal.NewFromInt(1), LimitPrice: decimal.RequireFromString("1.00")}
	resting, err := b.PlaceOrder(ctx, low)
	if err != nil || resting.Status.Terminal() {
		t.Fatalf("PlaceOrder(limit far below) = %+v, %v; want open", resting, err)
	}
	open, err := b.OpenOrders(ctx)
	if err != nil || !contains(open, low.ClientOrderID) || contains(open, buy.ClientOrderID) {
		t.Fatalf("OpenOrders = %+v, %v", open, err)
	}
	mine, err := b.OrdersWithPrefix(ctx, prefix, clock.Now.Add(-time.Hour))
	if err != nil || len(mine) != 2 {
		t.Fatalf("OrdersWithPrefix = %+v, %v; want 2", mine, err)
	}
	if err := b.CancelOrder(ctx, resting.BrokerOrderID); err != nil {
		t.Fatalf("CancelOrder = %v", err)
	}
	if got, _ := b.OrderByClientID(ctx, low.ClientOrderID); got.Status != domain.StatusCanceled {
		t.Fatalf("cancelled order is %s", got.Status)
	}
	var rej *app.RejectedError
	if err := b.CancelOrder(ctx, resting.BrokerOrderID); err != nil && !errors.Is(err, app.ErrNotFound) && !errors.As(err, &rej) {
		t.Fatalf("CancelOrder(cancelled) = %v; want nil, ErrNotFound or a RejectedError", err)
	}
}

func contains(orders []domain.Order, cid string) bool {
	for _, o := range orders {
		if o.ClientOrderID == cid {
			return true
		}
	}
	return false
}
