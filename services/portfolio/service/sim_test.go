package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/service"
)

// simOpen is a trading day at 10:00 in New York, when the simulator fills market orders.
var simOpen = time.Date(2024, 3, 28, 14, 0, 0, 0, time.UTC)

// startSim starts the Alpaca simulator in-process and buys the given whole-share positions
// through the real client, so the account holds them at the simulator's prices.
func startSim(t *testing.T, holdings map[string]string) (*alpacasim.Server, string) {
	t.Helper()
	srv, err := alpacasim.New(alpacasim.Config{Seed: 7, AsOf: simOpen})
	if err != nil {
		t.Fatalf("new simulator: %v", err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: url, DataURL: url, KeyID: alpacasim.DefaultKeyID,
		SecretKey: alpacasim.DefaultSecretKey, Feed: "iex"}, alpacaclient.Options{Limiter: rate.NewLimiter(rate.Inf, 0)})
	if err != nil {
		t.Fatal(err)
	}
	for sym, n := range holdings {
		q := market.NewQty(decimal.RequireFromString(n))
		_, err := c.PlaceOrder(context.Background(), alpacaclient.OrderRequest{ClientOrderID: "seed-" + sym, Symbol: market.Symbol(sym),
			Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: &q})
		if err != nil {
			t.Fatalf("seed %s: %v", sym, err)
		}
	}
	return srv, url
}

// TestHandlerWithSimulator runs the golden signal through the real composition (config, the
// Alpaca adapter on the v3 client, the planner, the router) against the simulator.
func TestHandlerWithSimulator(t *testing.T) {
	srv, url := startSim(t, map[string]string{"SPY": "60", "TLT": "45"})
	cfg := testConfig(t, map[string]string{"ALPACA_TRADING_URL": url, "ALPACA_DATA_URL": url})
	bus := eventbus.NewRecorder()
	r, err := service.NewWithDeps(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Deps{
		Publisher: bus, Store: idempotency.NewMemory(), Metrics: emf.New(io.Discard, "test"), Now: func() time.Time { return clock },
	})
	if err != nil {
		t.Fatalf("NewWithDeps: %v", err)
	}
	payload := golden(t, "signal_generated.json", signal())
	if _, err := lambda.NewHandler(r).Invoke(context.Background(), payload); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	events := bus.OfType(v1.TypeRebalancePlanned)
	if len(events) != 1 {
		t.Fatalf("want one plan, got %v", bus.Events())
	}
	plan := events[0].(*v1.RebalancePlanned)
	if !plan.Cash.Equal(srv.Cash()) {
		t.Errorf("plan cash %s, simulator cash %s", plan.Cash, srv.Cash())
	}
	byAction := map[v1.Action][]string{}
	proceeds, buys := decimal.Zero, decimal.Zero
	for _, it := range plan.Items {
		byAction[it.Action] = append(byAction[it.Action], it.Symbol)
		switch {
		case it.Action == v1.ActionSell:
			proceeds = proceeds.Add(it.Qty.Mul(it.Price.Decimal))
			if it.Qty.GreaterThan(it.CurrentQty.Decimal) {
				t.Errorf("%s: sells %s of %s", it.Symbol, it.Qty, it.CurrentQty)
			}
		case it.Action == v1.ActionBuy && it.Notional != nil:
			buys = buys.Add(it.Notional.Decimal)
		case it.Action == v1.ActionBuy:
			buys = buys.Add(it.Qty.Mul(it.Price.Decimal))
		}
		if it.Symbol == "TLT" && (!it.Liquidate || it.Qty == nil || !it.Qty.Equal(decimal.NewFromInt(45))) {
			t.Errorf("TLT (not targeted) must be liquidated in full: %+v", it)
		}
	}
	// TLT (not targeted) and part of SPY are sold, QQQ and BRKA are bought, and the buys fit the
	// cash after sells less the 1% reserve.
	if len(byAction[v1.ActionSell]) != 2 || len(byAction[v1.ActionBuy]) != 2 {
		t.Errorf("want sells and buys, got %v\n%+v", byAction, plan)
	}
	available := plan.Cash.Add(proceeds).Sub(plan.Equity.Mul(plan.CashReserve.Decimal))
	if buys.GreaterThan(available) {
		t.Errorf("buys %s exceed cash after sells less reserve %s", buys, available)
	}
	t.Logf("plan %s over equity %s: %v, notes %q", plan.PlanID, plan.Equity, byAction, plan.Notes)
}
