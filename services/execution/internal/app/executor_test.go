package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/adapters/clock"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/app/apptest"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

var t0 = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func sell(sym, qty string) domain.Item {
	return domain.Item{Symbol: market.Symbol(sym), Side: domain.Sell, Qty: d(qty), RefPrice: d("100")}
}

func buy(sym, qty string) domain.Item {
	return domain.Item{Symbol: market.Symbol(sym), Side: domain.Buy, Qty: d(qty), RefPrice: d("100")}
}

func buyNotional(sym, n string) domain.Item {
	return domain.Item{Symbol: market.Symbol(sym), Side: domain.Buy, Notional: d(n), RefPrice: d("100")}
}

func plan(items ...domain.Item) domain.Plan {
	return domain.Plan{ID: "plan-1", CorrelationID: "corr-1", Items: items}
}

func cid(sym string, side domain.Side, leg int) string {
	return domain.ClientOrderID(domain.PlanTag(domain.DefaultPrefix, "corr-1", "plan-1"), domain.OrderKey{Symbol: market.Symbol(sym), Side: side, Leg: leg})
}

func broker() *apptest.FakeBroker {
	f := apptest.NewFakeBroker()
	for _, s := range []string{"AAA", "BBB", "CCC", "DDD", "EEE"} {
		f.SetQuote(s, "99.95", "100.05")
	}
	return f
}

func settings() app.Settings {
	s := app.DefaultSettings()
	s.PhaseTimeout = 20 * time.Second
	return s
}

func execute(t *testing.T, f *apptest.FakeBroker, set app.Settings, run app.Run) domain.Report {
	t.Helper()
	rep, err := app.NewExecutor(f, nil, clock.NewStepping(t0), set, nil).Execute(context.Background(), run)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	return rep
}

func statuses(rep domain.Report) []string {
	var out []string
	for _, o := range rep.Orders {
		out = append(out, string(o.Symbol)+":"+string(o.Status))
	}
	return out
}

func TestExecuteSellsThenBuys(t *testing.T) {
	f := broker()
	f.Cash = d("1100")
	rep := execute(t, f, settings(), app.Run{Plan: plan(buy("CCC", "20"), sell("AAA", "10"), buyNotional("DDD", "500"), sell("BBB", "5"))})
	if rep.Outcome != domain.Success {
		t.Fatalf("outcome %s: %s", rep.Outcome, rep.Reason)
	}
	want := []string{cid("AAA", domain.Sell, 0), cid("BBB", domain.Sell, 0), cid("CCC", domain.Buy, 0), cid("DDD", domain.Buy, 0)}
	if diff := cmp.Diff(want, f.Placements()); diff != "" {
		t.Fatalf("placements (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"AAA:filled", "BBB:filled", "CCC:filled", "DDD:filled"}, statuses(rep)); diff != "" {
		t.Fatalf("orders (-want +got):\n%s", diff)
	}
}

func TestGuardsSendNothing(t *testing.T) {
	next := time.Date(2026, 12, 1, 14, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		setup   func(*apptest.FakeBroker, *app.Settings)
		run     app.Run
		outcome domain.Outcome
		status  domain.Status
	}{
		{"closed", func(f *apptest.FakeBroker, _ *app.Settings) { f.Open, f.NextOpen = false, next }, app.Run{}, domain.Skipped, domain.StatusRefused},
		{"kill switch", func(_ *apptest.FakeBroker, s *app.Settings) { s.KillSwitch = true }, app.Run{}, domain.Skipped, domain.StatusRefused},
		{"replay", func(*apptest.FakeBroker, *app.Settings) {}, app.Run{ReplayName: "archive-replay-1"}, domain.DryRun, domain.StatusSimulated},
		{"dry run", func(*apptest.FakeBroker, *app.Settings) {}, app.Run{DryRun: true}, domain.DryRun, domain.StatusSimulated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, set := broker(), settings()
			f.Add(domain.Order{ClientOrderID: "alch-0000000000000000-ZZZ-b-0", BrokerOrderID: "stale", Status: domain.StatusNew})
			tt.setup(f, &set)
			tt.run.Plan = plan(sell("AAA", "10"), buy("CCC", "2"))
			rep := execute(t, f, set, tt.run)
			if rep.Outcome != tt.outcome || rep.Reason == "" {
				t.Fatalf("outcome %s (%s); want %s", rep.Outcome, rep.Reason, tt.outcome)
			}
			if len(f.Placements()) != 0 || len(f.Cancelled()) != 0 {
				t.Fatalf("placed %v cancelled %v", f.Placements(), f.Cancelled())
			}
			if len(rep.Orders) != 2 || rep.Orders[0].Status != tt.status {
				t.Fatalf("orders %+v", rep.Orders)
			}
			if tt.name == "closed" && (rep.NextOpen == nil || !rep.NextOpen.Equal(next)) {
				t.Fatalf("next open %v", rep.NextOpen)
			}
		})
	}
}

func TestDryRunPricesAgainstQuotes(t *testing.T) {
	f := broker()
	rep := execute(t, f, settings(), app.Run{DryRun: true, Plan: plan(sell("AAA", "10"), buyNotional("CCC", "1000.50"))})
	if !rep.Orders[0].AvgPrice.Equal(d("99.95")) || !rep.Orders[1].AvgPrice.Equal(d("100.05")) || !rep.Orders[1].FilledQty.Equal(d("10")) {
		t.Fatalf("orders %+v", rep.Orders)
	}
}

func TestCancelsOnlyOwnStaleOrders(t *testing.T) {
	f := broker()
	f.Add(domain.Order{ClientOrderID: "alch-0000000000000000-ZZZ-b-0", BrokerOrderID: "stale", Status: domain.StatusNew})
	f.Add(domain.Order{ClientOrderID: "manual-1", BrokerOrderID: "theirs", Status: domain.StatusNew})
	f.Add(domain.Order{ClientOrderID: "alch-0000000000000000-YYY-b-0", BrokerOrderID: "done", Status: domain.StatusFilled})
	execute(t, f, settings(), app.Run{Plan: plan(sell("AAA", "1"))})
	if diff := cmp.Diff([]string{"alch-0000000000000000-ZZZ-b-0"}, f.Cancelled()); diff != "" {
		t.Fatalf("cancelled (-want +got):\n%s", diff)
	}
}

func TestRedeliveryPlacesEachOrderOnce(t *testing.T) {
	for _, hide := range []bool{false, true} {
		name := "found by list"
		if hide {
			name = "found by duplicate 422"
		}
		t.Run(name, func(t *testing.T) {
			f := broker()
			p := plan(sell("AAA", "10"), buy("CCC", "2"), buy("DDD", "3"))
			first := execute(t, f, settings(), app.Run{Plan: p})
			f.HideFromList = hide
			second := execute(t, f, settings(), app.Run{Plan: p})
			if len(f.Placements()) != 3 {
				t.Fatalf("placed %v", f.Placements())
			}
			if diff := cmp.Diff(first.Orders, second.Orders, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Fatalf("second report differs (-first +second):\n%s", diff)
			}
		})
	}
}

func TestCrashAfterTwoThenRetryPlacesTheRest(t *testing.T) {
	f := broker()
	p := plan(sell("AAA", "1"), sell("BBB", "1"), buy("CCC", "1"), buy("DDD", "1"), buy("EEE", "1"))
	ctx, cancel := context.WithCancel(context.Background())
	f.CrashAfter, f.Crash = 2, cancel
	_, err := app.NewExecutor(f, nil, clock.NewStepping(t0), settings(), nil).Execute(ctx, app.Run{Plan: p})
	if err == nil {
		t.Fatal("crashed run returned no error")
	}
	if n := len(f.Placements()); n != 2 {
		t.Fatalf("crashed run placed %d", n)
	}
	f.CrashAfter = 0
	rep := execute(t, f, settings(), app.Run{Plan: p})
	if rep.Outcome != domain.Success || len(rep.Orders) != 5 {
		t.Fatalf("retry: %s %s %d orders", rep.Outcome, rep.Reason, len(rep.Orders))
	}
	want := []string{cid("AAA", domain.Sell, 0), cid("BBB", domain.Sell, 0), cid("CCC", domain.Buy, 0), cid("DDD", domain.Buy, 0), cid("EEE", domain.Buy, 0)}
	if diff := cmp.Diff(want, f.Placements()); diff != "" {
		t.Fatalf("placements (-want +got):\n%s", diff)
	}
}

func TestFaultsAreReported(t *testing.T) {
	tests := []struct {
		name    string
		behave  apptest.Behaviour
		outcome domain.Outcome
		status  string
		errText string
	}{
		{"rejected", apptest.Reject, domain.Partial, "BBB:rejected", "rejected by the exchange"},
		{"refused 403", apptest.Refuse, domain.Partial, "BBB:rejected", "insufficient buying power"},
		{"partial then timeout", apptest.Partial, domain.Partial, "BBB:canceled", ""},
		{"never fills", apptest.Rest, domain.Partial, "BBB:canceled", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := broker()
			f.Behave["BBB"] = tt.behave
			rep := execute(t, f, settings(), app.Run{Plan: plan(sell("AAA", "10"), buy("BBB", "10"))})
			if rep.Outcome != tt.outcome {
				t.Fatalf("outcome %s (%s)", rep.Outcome, rep.Reason)
			}
			if got := statuses(rep); got[1] != tt.status {
				t.Fatalf("orders %v", got)
			}
			if !strings.Contains(rep.Orders[1].Error, tt.errText) || !strings.Contains(rep.Reason, "BBB") {
				t.Fatalf("error %q reason %q", rep.Orders[1].Error, rep.Reason)
			}
			if tt.behave == apptest.Partial && !rep.Orders[1].FilledQty.Equal(d("5")) {
				t.Fatalf("filled %s", rep.Orders[1].FilledQty)
			}
		})
	}
}

// TestWaitsEndBeforeTheLambdaDeadline: with a context deadline 20 s away and a 10 s safety
// margin, an order that never fills is waited for, cancelled and reported well before the
// deadline, whatever the phase timeout says.
func TestWaitsEndBeforeTheLambdaDeadline(t *testing.T) {
	f := broker()
	f.Behave["AAA"] = apptest.Rest
	set := settings()
	set.PhaseTimeout, set.SafetyMargin = time.Hour, 10*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep, err := app.NewExecutor(f, nil, clock.NewStepping(t0), set, nil).Execute(ctx, app.Run{Plan: plan(buy("AAA", "1"))})
	if err != nil {
		t.Fatal(err)
	}
	if took := rep.FinishedAt.Sub(rep.StartedAt); took > 15*time.Second {
		t.Fatalf("the run waited %v of a 20 s budget with a 10 s margin", took)
	}
	if rep.Outcome != domain.Failed || rep.Orders[0].Status != domain.StatusCanceled {
		t.Fatalf("outcome %s (%s) %+v", rep.Outcome, rep.Reason, rep.Orders)
	}
}

func TestNoOrderWithoutTime(t *testing.T) {
	f := broker()
	set := settings()
	set.SafetyMargin = 30 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := app.NewExecutor(f, nil, clock.NewStepping(t0), set, nil).Execute(ctx, app.Run{Plan: plan(buy("AAA", "1"))})
	if !errors.Is(err, app.ErrNoTime) || len(f.Placements()) != 0 {
		t.Fatalf("err %v, placed %v", err, f.Placements())
	}
}

func TestBuysScaledToBuyingPower(t *testing.T) {
	f := broker()
	f.Cash = d("1000")
	rep := execute(t, f, settings(), app.Run{Plan: plan(buy("CCC", "10"), buyNotional("DDD", "1000"))})
	if rep.Outcome != domain.Partial || !strings.Contains(rep.Reason, "scaled") {
		t.Fatalf("outcome %s (%s)", rep.Outcome, rep.Reason)
	}
	if !rep.Orders[0].Qty.Equal(d("4")) || !rep.Orders[1].Notional.LessThan(d("500")) {
		t.Fatalf("orders %+v", rep.Orders)
	}
	if f.Cash.IsNegative() {
		t.Fatalf("overspent: cash %s", f.Cash)
	}
}

func TestNotionalLimitsRefuse(t *testing.T) {
	f := broker()
	set := settings()
	set.Limits = domain.Limits{MaxOrderNotional: d("600")}
	rep := execute(t, f, set, app.Run{Plan: plan(buy("CCC", "10"), buy("DDD", "5"))})
	if diff := cmp.Diff([]string{"DDD:filled", "CCC:refused"}, statuses(rep)); diff != "" {
		t.Fatalf("orders (-want +got):\n%s", diff)
	}
	if !strings.Contains(rep.Orders[1].Error, "per-order limit") || rep.Outcome != domain.Partial {
		t.Fatalf("%s %q", rep.Outcome, rep.Orders[1].Error)
	}
	if len(f.Placements()) != 1 {
		t.Fatalf("placed %v", f.Placements())
	}
}

func TestSmartLimitRepegsThenGoesMarket(t *testing.T) {
	f := broker()
	f.SetQuote("AAA", "99.00", "101.00")
	set := settings()
	set.Policy = app.PolicySmartLimit
	set.PhaseTimeout = time.Minute
	rep := execute(t, f, set, app.Run{Plan: plan(buy("AAA", "10"))})
	if rep.Outcome != domain.Success {
		t.Fatalf("outcome %s (%s)", rep.Outcome, rep.Reason)
	}
	// The inside limit (100.00) never fills; the far limit (101.00) is marketable and fills.
	want := []string{cid("AAA", domain.Buy, 0), cid("AAA", domain.Buy, 1)}
	if diff := cmp.Diff(want, f.Placements()); diff != "" {
		t.Fatalf("placements (-want +got):\n%s", diff)
	}
	if o := f.Order(want[0]); o.Type != domain.Limit || !o.LimitPrice.Equal(d("100")) || o.Status != domain.StatusCanceled {
		t.Fatalf("leg 0 %+v", o)
	}

	// A symbol whose limits never fill ends as a market order.
	f = broker()
	f.SetQuote("AAA", "99.00", "101.00")
	f.Behave["AAA"] = apptest.Rest
	execute(t, f, set, app.Run{Plan: plan(buy("AAA", "10"))})
	if got := f.Placements(); len(got) != 3 || f.Order(got[2]).Type != domain.Market || f.Order(got[1]).Type != domain.Limit {
		t.Fatalf("placements %v", got)
	}
}

// TestSmartLimitRetryCarriesOnFromTheLastLeg: a run that cancelled leg 0 to re-peg and died
// before placing leg 1 is retried; the retry places leg 1 and never leg 0 again.
func TestSmartLimitRetryCarriesOnFromTheLastLeg(t *testing.T) {
	f := broker()
	f.SetQuote("AAA", "99.00", "101.00")
	f.Add(domain.Order{ClientOrderID: cid("AAA", domain.Buy, 0), BrokerOrderID: "old", Symbol: "AAA", Side: domain.Buy,
		Type: domain.Limit, Qty: d("10"), FilledQty: d("4"), AvgPrice: d("100"), LimitPrice: d("100"), Status: domain.StatusCanceled})
	set := settings()
	set.Policy = app.PolicySmartLimit
	rep := execute(t, f, set, app.Run{Plan: plan(buy("AAA", "10"))})
	if diff := cmp.Diff([]string{cid("AAA", domain.Buy, 1)}, f.Placements()); diff != "" {
		t.Fatalf("placements (-want +got):\n%s", diff)
	}
	if o := f.Order(cid("AAA", domain.Buy, 1)); !o.Qty.Equal(d("6")) || o.Type != domain.Limit || !o.LimitPrice.Equal(d("101")) {
		t.Fatalf("leg 1 %+v", o)
	}
	if rep.Outcome != domain.Success || len(rep.Orders) != 2 {
		t.Fatalf("outcome %s (%s) %d orders", rep.Outcome, rep.Reason, len(rep.Orders))
	}
}

// pushBroker is a broker whose orders never fill when polled; each fill arrives only on the
// trade-updates stream.
type pushBroker struct {
	*apptest.FakeBroker
	fills chan domain.Order
}

func (p pushBroker) PlaceOrder(ctx context.Context, req domain.OrderRequest) (domain.Order, error) {
	o, err := p.FakeBroker.PlaceOrder(ctx, req)
	if err == nil {
		f := o
		f.Status, f.FilledQty, f.AvgPrice, f.UpdatedAt = domain.StatusFilled, o.Qty, d("100"), o.UpdatedAt.Add(time.Second)
		p.fills <- f
	}
	return o, err
}

func (p pushBroker) Watch(ctx context.Context, _ time.Time, fn func(domain.Order)) {
	for {
		select {
		case <-ctx.Done():
			return
		case o := <-p.fills:
			fn(o)
		}
	}
}

func TestStreamedFillsEndTheWait(t *testing.T) {
	f := broker()
	f.Behave["AAA"] = apptest.Rest
	p := pushBroker{FakeBroker: f, fills: make(chan domain.Order, 10)}
	set := settings()
	set.PollInterval, set.PhaseTimeout = time.Hour, 2*time.Hour // only the stream can end the wait
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := app.NewExecutor(p, p, clock.System{}, set, nil).Execute(ctx, app.Run{Plan: plan(buy("AAA", "3"))})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome != domain.Success || !rep.Orders[0].FilledQty.Equal(d("3")) {
		t.Fatalf("outcome %s (%s) %+v", rep.Outcome, rep.Reason, rep.Orders)
	}
}

func BenchmarkExecuteFake20(b *testing.B) {
	var items []domain.Item
	quotes := map[market.Symbol]domain.Quote{}
	for i := range 20 {
		sym := market.Symbol("S" + string(rune('A'+i)))
		quotes[sym] = domain.Quote{Bid: d("99.95"), Ask: d("100.05")}
		side := domain.Buy
		if i%2 == 0 {
			side = domain.Sell
		}
		items = append(items, domain.Item{Symbol: sym, Side: side, Qty: d("10"), RefPrice: d("100")})
	}
	for i := 0; b.Loop(); i++ {
		fb := apptest.NewFakeBroker()
		for s, q := range quotes {
			fb.SetQuote(string(s), q.Bid.String(), q.Ask.String())
		}
		p := domain.Plan{ID: "p", CorrelationID: string(rune(i)), Items: items}
		if _, err := app.NewExecutor(fb, nil, clock.NewStepping(t0), settings(), nil).Execute(context.Background(), app.Run{Plan: p}); err != nil {
			b.Fatal(err)
		}
	}
}
