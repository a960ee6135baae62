package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/memory"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func fixture() *memory.Market {
	return &memory.Market{
		Acct:     app.Account{Equity: market.NewMoney(d("10000")), Cash: market.NewMoney(d("5000"))},
		Holdings: []domain.Position{{Symbol: "SPY", Qty: d("10")}, {Symbol: "OLD", Qty: d("2.5")}},
		Known: map[market.Symbol]domain.Asset{
			"SPY": {Tradable: true, Fractionable: true}, "QQQ": {Tradable: true, Fractionable: true},
			"OLD": {Tradable: true, Fractionable: false},
		},
		Quotes: map[market.Symbol]domain.Quote{
			"SPY": {Bid: d("499.99"), Ask: d("500.01")},
			"QQQ": {Ask: d("401")}, // one-sided: needs the last trade
		},
		Trades: map[market.Symbol]decimal.Decimal{"QQQ": d("400"), "OLD": d("100"), "SPY": d("1")},
	}
}

func targets() []domain.Target {
	return []domain.Target{
		{Symbol: "SPY", Weight: market.NewWeight(d("0.5"))},
		{Symbol: "QQQ", Weight: market.NewWeight(d("0.5"))},
	}
}

func TestPlanReadsThePortsAndIdentifiesThePlan(t *testing.T) {
	m := fixture()
	p, err := app.NewPlanner(m, m, domain.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := p.Plan(ctx, app.Request{CorrelationID: "corr-1", Targets: targets()})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	want := []string{"Account", "Positions", "Assets [OLD QQQ SPY]", "LatestQuotes [OLD QQQ SPY]", "LatestTrades [OLD QQQ]"}
	if got := m.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls = %q, want %q", got, want)
	}
	// OLD (no target) is liquidated at its last trade; SPY is valued at the midpoint, not the trade.
	var actions []string
	for _, it := range res.Plan.Items {
		actions = append(actions, string(it.Action)+" "+string(it.Symbol)+" @"+it.Price.String())
	}
	if want := []string{"SELL OLD @100", "BUY QQQ @400", "HOLD SPY @500"}; !slices.Equal(actions, want) {
		t.Errorf("items = %q, want %q", actions, want)
	}

	reversed := targets()
	slices.Reverse(reversed)
	again, err := p.Plan(ctx, app.Request{CorrelationID: "corr-1", Targets: reversed})
	if err != nil {
		t.Fatal(err)
	}
	if again.PlanID != res.PlanID || res.PlanID == "" {
		t.Errorf("plan IDs %q and %q differ for the same inputs", res.PlanID, again.PlanID)
	}
	other, _ := p.Plan(ctx, app.Request{CorrelationID: "corr-2", Targets: targets()})
	m.Quotes["SPY"] = domain.Quote{Bid: d("499.98"), Ask: d("500.01")}
	moved, _ := p.Plan(ctx, app.Request{CorrelationID: "corr-1", Targets: targets()})
	if other.PlanID == res.PlanID || moved.PlanID == res.PlanID {
		t.Errorf("plan ID did not change with the correlation ID or the prices: %s %s %s", res.PlanID, other.PlanID, moved.PlanID)
	}
}

func TestPlanErrors(t *testing.T) {
	boom := errors.New("connection reset")
	tests := []struct {
		name      string
		setup     func(*memory.Market)
		permanent bool
	}{
		{"broker down is retried", func(m *memory.Market) { m.Err = boom }, false},
		{"refused credentials are permanent", func(m *memory.Market) { m.Err = errors.Join(app.ErrPermanent, boom) }, true},
		{"zero equity is permanent", func(m *memory.Market) { m.Acct.Equity = market.NewMoney(decimal.Zero) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fixture()
			tt.setup(m)
			p, _ := app.NewPlanner(m, m, domain.DefaultParams())
			_, err := p.Plan(context.Background(), app.Request{CorrelationID: "c", Targets: targets()})
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, app.ErrPermanent) != tt.permanent {
				t.Fatalf("err = %v; permanent = %t, want %t", err, errors.Is(err, app.ErrPermanent), tt.permanent)
			}
		})
	}
}

func TestPlanAllCashWithNothingHeld(t *testing.T) {
	m := &memory.Market{Acct: app.Account{Equity: market.NewMoney(d("100")), Cash: market.NewMoney(d("100"))}}
	p, _ := app.NewPlanner(m, m, domain.DefaultParams())
	res, err := p.Plan(context.Background(), app.Request{CorrelationID: "c"})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if len(res.Plan.Items) != 0 || res.PlanID == "" {
		t.Fatalf("want an empty plan with an ID, got %+v", res)
	}
	if got := m.Calls(); !slices.Equal(got, []string{"Account", "Positions"}) {
		t.Errorf("calls = %q", got)
	}
}
