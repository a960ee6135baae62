package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var decimalEq = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func qtyItem(sym string, side domain.Side, qty, price string) domain.Item {
	return domain.Item{Symbol: market.Symbol(sym), Side: side, Qty: d(qty), RefPrice: d(price)}
}

func notionalItem(sym, notional, price string) domain.Item {
	return domain.Item{Symbol: market.Symbol(sym), Side: domain.Buy, Notional: d(notional), RefPrice: d(price)}
}

func TestPhases(t *testing.T) {
	items := []domain.Item{qtyItem("A", domain.Buy, "1", "1"), qtyItem("B", domain.Sell, "1", "1"), qtyItem("C", domain.Buy, "1", "1"), qtyItem("D", domain.Sell, "1", "1")}
	sells, buys := domain.Phases(items)
	if len(sells) != 2 || sells[0].Symbol != "B" || sells[1].Symbol != "D" || len(buys) != 2 || buys[0].Symbol != "A" || buys[1].Symbol != "C" {
		t.Fatalf("Phases = %v / %v", sells, buys)
	}
}

func TestApplyLimits(t *testing.T) {
	items := []domain.Item{
		qtyItem("A", domain.Sell, "10", "100"), // 1000
		notionalItem("B", "600", "50"),         // 600
		qtyItem("C", domain.Buy, "30", "100"),  // 3000: over per order
		notionalItem("D", "500", "10"),         // 500: over run (1000+600+500 > 2000)
		notionalItem("E", "300", "10"),         // fits
	}
	tests := []struct {
		name    string
		limits  domain.Limits
		kept    []string
		refused []string
	}{
		{"none", domain.Limits{}, []string{"A", "B", "C", "D", "E"}, nil},
		{"order", domain.Limits{MaxOrderNotional: d("2000")}, []string{"A", "B", "D", "E"}, []string{"C:per-order"}},
		{"both", domain.Limits{MaxOrderNotional: d("2000"), MaxRunNotional: d("2000")}, []string{"A", "B", "E"}, []string{"C:per-order", "D:per-run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept, refused := domain.ApplyLimits(items, tt.limits)
			var gotKept, gotRefused []string
			for _, it := range kept {
				gotKept = append(gotKept, string(it.Symbol))
			}
			for _, r := range refused {
				kind := "per-run"
				if strings.Contains(r.Reason, "per-order") {
					kind = "per-order"
				}
				gotRefused = append(gotRefused, string(r.Item.Symbol)+":"+kind)
			}
			if diff := cmp.Diff(tt.kept, gotKept); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.refused, gotRefused); diff != "" {
				t.Errorf("refused (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScaleBuys(t *testing.T) {
	buys := []domain.Item{qtyItem("A", domain.Buy, "10", "100"), notionalItem("B", "1000", "10"), qtyItem("C", domain.Buy, "0.5", "100")}
	// need = 1000 + 1000 + 50 = 2050
	tests := []struct {
		name      string
		available string
		prices    map[market.Symbol]decimal.Decimal
		want      []domain.Item
		factor    string
		refused   int
	}{
		{"fits", "2050", nil, buys, "1", 0},
		{"half", "1025", nil, []domain.Item{qtyItem("A", domain.Buy, "5", "100"), notionalItem("B", "500", "10"), qtyItem("C", domain.Buy, "0.25", "100")}, "0.5", 0},
		{"quote price used", "2050", map[market.Symbol]decimal.Decimal{"A": d("200")}, []domain.Item{qtyItem("A", domain.Buy, "6", "100"), notionalItem("B", "672.13", "10"), qtyItem("C", domain.Buy, "0.336065575", "100")}, "0.67213115", 0},
		{"nothing", "0", nil, nil, "0", 3},
		{"negative", "-5", nil, nil, "0", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, factor, refused := domain.ScaleBuys(buys, tt.prices, d(tt.available), decimal.Zero)
			if diff := cmp.Diff(tt.want, got, decimalEq); diff != "" {
				t.Errorf("scaled (-want +got):\n%s", diff)
			}
			if !factor.Equal(d(tt.factor)) || len(refused) != tt.refused {
				t.Errorf("factor %s refused %d; want %s, %d", factor, len(refused), tt.factor, tt.refused)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	open := domain.MarketClock{IsOpen: true}
	next := time.Date(2026, 12, 1, 14, 30, 0, 0, time.UTC)
	closed := domain.MarketClock{NextOpen: next}
	tests := []struct {
		name string
		in   domain.GuardInput
		mode domain.Mode
		next bool
	}{
		{"live", domain.GuardInput{Clock: open}, domain.ModeLive, false},
		{"replay", domain.GuardInput{ReplayName: "r1", KillSwitch: true, Clock: closed}, domain.ModeDryRun, false},
		{"dry run", domain.GuardInput{DryRun: true, Clock: open}, domain.ModeDryRun, false},
		{"kill switch", domain.GuardInput{KillSwitch: true, Clock: open}, domain.ModeSkip, false},
		{"closed", domain.GuardInput{Clock: closed}, domain.ModeSkip, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.Decide(tt.in)
			if got.Mode != tt.mode || (got.NextOpen != nil) != tt.next || (tt.mode != domain.ModeLive) != (got.Reason != "") {
				t.Fatalf("Decide = %+v", got)
			}
			if tt.next && !got.NextOpen.Equal(next) {
				t.Fatalf("next open %v", got.NextOpen)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	a := qtyItem("A", domain.Sell, "10", "1")
	filled := domain.Order{Status: domain.StatusFilled, FilledQty: d("10")}
	part := domain.Order{Status: domain.StatusCanceled, FilledQty: d("4")}
	rej := domain.Order{Status: domain.StatusRejected, Error: "insufficient buying power"}
	tests := []struct {
		name    string
		results []domain.ItemResult
		notes   []string
		want    domain.Outcome
		reason  string
	}{
		{"empty", nil, nil, domain.Success, ""},
		{"all filled", []domain.ItemResult{{Item: a, Legs: []domain.Order{filled}}}, nil, domain.Success, ""},
		{"legs add up", []domain.ItemResult{{Item: a, Legs: []domain.Order{part, {Status: domain.StatusCanceled, FilledQty: d("6")}}}}, nil, domain.Success, ""},
		{"partial fill", []domain.ItemResult{{Item: a, Legs: []domain.Order{part}}}, nil, domain.Partial, "filled 4"},
		{"one rejected", []domain.ItemResult{{Item: a, Legs: []domain.Order{filled}}, {Item: a, Legs: []domain.Order{rej}}}, nil, domain.Partial, "insufficient buying power"},
		{"all rejected", []domain.ItemResult{{Item: a, Legs: []domain.Order{rej}}}, nil, domain.Failed, "rejected"},
		{"refused", []domain.ItemResult{{Item: a, Refused: "refused: too big"}}, nil, domain.Failed, "too big"},
		{"scaled", []domain.ItemResult{{Item: a, Legs: []domain.Order{filled}}}, []string{"buys scaled to 80%"}, domain.Partial, "scaled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := domain.Summarise(tt.results, tt.notes...)
			if got != tt.want || !strings.Contains(reason, tt.reason) {
				t.Fatalf("Summarise = %s, %q; want %s containing %q", got, reason, tt.want, tt.reason)
			}
		})
	}
}

func TestOrdersListsRefusals(t *testing.T) {
	a := qtyItem("A", domain.Buy, "1", "1")
	got := domain.Orders([]domain.ItemResult{{Item: a, ClientOrderID: "x", Refused: "why"}, {Item: a, Legs: []domain.Order{{ClientOrderID: "y"}, {ClientOrderID: "z"}}}})
	if len(got) != 3 || got[0].Status != domain.StatusRefused || got[0].Error != "why" || got[2].ClientOrderID != "z" {
		t.Fatalf("Orders = %+v", got)
	}
}

func TestSmartLimit(t *testing.T) {
	p := domain.SmartLimit{RepegAfter: 10 * time.Second, MarketAfter: 30 * time.Second, Aggression: d("0.5")}
	steps := []struct {
		leg     int
		elapsed time.Duration
		want    domain.Step
	}{
		{domain.LegInside, 0, domain.Wait},
		{domain.LegInside, 10 * time.Second, domain.Repeg},
		{domain.LegFar, 20 * time.Second, domain.Wait},
		{domain.LegInside, 31 * time.Second, domain.GoMarket},
		{domain.LegFar, 30 * time.Second, domain.GoMarket},
		{domain.LegMarket, time.Hour, domain.Wait},
	}
	for _, s := range steps {
		if got := p.Next(s.leg, s.elapsed); got != s.want {
			t.Errorf("Next(%d, %s) = %d; want %d", s.leg, s.elapsed, got, s.want)
		}
	}
	q := domain.Quote{Bid: d("100.00"), Ask: d("100.05")}
	prices := []struct {
		name string
		got  func() (decimal.Decimal, bool)
		want string
	}{
		{"buy inside", func() (decimal.Decimal, bool) { return p.InsidePrice(domain.Buy, q) }, "100.02"},
		{"sell inside", func() (decimal.Decimal, bool) { return p.InsidePrice(domain.Sell, q) }, "100.03"},
		{"buy far", func() (decimal.Decimal, bool) { return domain.FarPrice(domain.Buy, q) }, "100.05"},
		{"sell far", func() (decimal.Decimal, bool) { return domain.FarPrice(domain.Sell, q) }, "100"},
		{"penny stock", func() (decimal.Decimal, bool) {
			return p.InsidePrice(domain.Buy, domain.Quote{Bid: d("0.5"), Ask: d("0.5003")})
		}, "0.5001"},
	}
	for _, tt := range prices {
		got, ok := tt.got()
		if !ok || !got.Equal(d(tt.want)) {
			t.Errorf("%s = %s, %v; want %s", tt.name, got, ok, tt.want)
		}
	}
	if _, ok := p.InsidePrice(domain.Buy, domain.Quote{Bid: d("2"), Ask: d("1")}); ok {
		t.Error("crossed quote priced")
	}
}

func TestSimulate(t *testing.T) {
	q := domain.Quote{Bid: d("99"), Ask: d("100")}
	o := domain.Simulate("id", notionalItem("A", "250", "90"), q)
	if o.Status != domain.StatusSimulated || !o.AvgPrice.Equal(d("100")) || !o.FilledQty.Equal(d("2.5")) {
		t.Fatalf("Simulate buy = %+v", o)
	}
	o = domain.Simulate("id", qtyItem("A", domain.Sell, "3", "90"), q)
	if !o.AvgPrice.Equal(d("99")) || !o.FilledQty.Equal(d("3")) {
		t.Fatalf("Simulate sell = %+v", o)
	}
	o = domain.Simulate("id", qtyItem("A", domain.Sell, "3", "90"), domain.Quote{})
	if !o.AvgPrice.Equal(d("90")) || o.Error == "" {
		t.Fatalf("Simulate without quote = %+v", o)
	}
}
