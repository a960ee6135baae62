package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

// plan20 is a plan of 20 whole-share market buys, one per symbol of the simulator's universe.
var plan20Symbols = []string{"SPY", "QQQ", "TQQQ", "SQQQ", "UVXY", "BIL", "TLT", "SOXL", "SOXS", "TECL",
	"UPRO", "SPXL", "TMF", "TMV", "GLD", "IEF", "SHY", "XLK", "VOO", "VTI"}

func plan20(name string) *v1.RebalancePlanned {
	items := make([]item, len(plan20Symbols))
	for i, s := range plan20Symbols {
		items[i] = item{sym: s, action: v1.ActionBuy, qty: "1"}
	}
	return planEvent(name, v1.ModePaper, items...)
}

// nextDay moves the simulator to 10:00 on the next trading day: each iteration is one day's
// plan, as in production, so the order history grows the way a real account's does.
func nextDay(b *testing.B, sim *alpacasim.Server) {
	b.Helper()
	d := nyse.NextTradingDay(nyse.Date(sim.Now().In(nyse.NewYork)))
	sim.SetTime(time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, nyse.NewYork))
}

// BenchmarkBaselinePlan20 places the 20 orders of plan20 with bare PlaceOrder calls of
// Alpaca's v3 client against the in-process simulator with no added latency: the floor that
// BenchmarkPlan20 is measured against.
func BenchmarkBaselinePlan20(b *testing.B) {
	sim, url := newSim(b, alpacasim.Config{Cash: decimal.NewFromInt(1_000_000_000)})
	c := alpaca.NewClient(alpaca.ClientOpts{APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey, BaseURL: url})
	one := decimal.NewFromInt(1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		nextDay(b, sim)
		b.StartTimer()
		for _, s := range plan20Symbols {
			if _, err := c.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: s, Qty: &one, Side: alpaca.Buy, Type: alpaca.Market,
				TimeInForce: alpaca.Day, ClientOrderID: fmt.Sprintf("base-%d-%s", i, s)}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPlan20 times the execution service on a 20-order plan, invoked as the Lambda is,
// against the same simulator. BenchmarkPlan20 / BenchmarkBaselinePlan20 is our overhead: the
// guards, the order lookups, the trade-updates stream, the idempotency claim and the event.
func BenchmarkPlan20(b *testing.B) {
	e := newEnv(b, alpacasim.Config{Cash: decimal.NewFromInt(1_000_000_000)}, nil)
	payloads := make([][]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		nextDay(b, e.sim)
		for len(payloads) <= i {
			payloads = append(payloads, wrap(b, plan20(fmt.Sprint("bench", len(payloads))), ""))
		}
		b.StartTimer()
		if err := e.invoke(context.Background(), e.router, payloads[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	evs := e.rec.OfType(v1.TypeTradeExecuted)
	if te := evs[len(evs)-1].(*v1.TradeExecuted); te.Outcome != v1.OutcomeSuccess || len(te.Orders) != 20 {
		b.Fatalf("outcome %s (%s), %d orders", te.Outcome, te.Reason, len(te.Orders))
	}
}
