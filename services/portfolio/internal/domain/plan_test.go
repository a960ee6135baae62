package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
)

// want describes the expected item of one symbol.
type want struct {
	action    domain.Action
	qty       string // "" means nil
	notional  string // "" means nil
	liquidate bool
	code      domain.Code
	reason    string // a substring of the reason
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name  string
		in    domain.Input
		p     func(*domain.Params)
		items map[string]want
		// notes are substrings, one per expected note, in order.
		notes []string
	}{
		{
			name: "zero target on a fractional position sells all of it",
			in: domain.Input{
				Equity: money("10000"), Cash: money("9000"),
				Positions: []domain.Position{pos("AAPL", "3.754321")},
				Targets:   []domain.Target{tgt("SPY", "1")},
				Quotes:    map[market.Symbol]domain.Quote{"AAPL": mid("200"), "SPY": mid("500")},
				Assets:    map[market.Symbol]domain.Asset{"AAPL": frac, "SPY": frac},
			},
			items: map[string]want{
				"AAPL": {action: domain.Sell, qty: "3.754321", liquidate: true, code: domain.CodeLiquidate},
				// 10000*0.99 = 9900 target; 9000 cash + 750.8642 proceeds - 100 reserve = 9650.8642.
				"SPY": {action: domain.Buy, notional: "9650.86", code: domain.CodeCashShort, reason: "scaled"},
			},
			notes: []string{"scaled"},
		},
		{
			name: "a tiny fractional remainder is liquidated whatever the threshold",
			in: domain.Input{
				Equity: money("100000"), Cash: money("99999.99"),
				Positions: []domain.Position{pos("QQQ", "0.000021")},
				Quotes:    map[market.Symbol]domain.Quote{"QQQ": mid("480")},
				Assets:    map[market.Symbol]domain.Asset{"QQQ": frac},
			},
			items: map[string]want{"QQQ": {action: domain.Sell, qty: "0.000021", liquidate: true, code: domain.CodeLiquidate}},
		},
		{
			name: "non-fractionable asset with a fractional quantity and target 0 is sold in full",
			in: domain.Input{
				Equity: money("2000"), Cash: money("950"),
				Positions: []domain.Position{pos("XYZ", "10.5")},
				Quotes:    map[market.Symbol]domain.Quote{"XYZ": mid("100")},
				Assets:    map[market.Symbol]domain.Asset{"XYZ": whole},
			},
			items: map[string]want{"XYZ": {action: domain.Sell, qty: "10.5", liquidate: true, code: domain.CodeLiquidate}},
		},
		{
			name: "non-fractionable asset with a fractional quantity sells whole shares towards the target",
			in: domain.Input{
				// E=2000, investable 1980; XYZ target 0.15 → 297 = 2.97 shares; held 10.5 (1050).
				// Selling 7.53 shares is asked for: 8 whole shares ends closest (2.5 left, $250 vs $297).
				Equity: money("2000"), Cash: money("950"),
				Positions: []domain.Position{pos("XYZ", "10.5")},
				Targets:   []domain.Target{tgt("XYZ", "0.15"), tgt("ABC", "0.85")},
				Quotes:    map[market.Symbol]domain.Quote{"XYZ": mid("100"), "ABC": mid("40")},
				Assets:    map[market.Symbol]domain.Asset{"XYZ": whole, "ABC": whole},
			},
			items: map[string]want{
				"XYZ": {action: domain.Sell, qty: "8", code: domain.CodeWholeShares, reason: "sells 8 shares ($800.00) of the $753.00"},
				// ABC target 1683 = 42.075 shares → 42 shares ($1680), funded by 950+800-20 = 1730.
				"ABC": {action: domain.Buy, qty: "42", code: domain.CodeWholeShares, reason: "buys 42 shares"},
			},
		},
		{
			name: "non-fractionable share dearer than the drift is held with the reason",
			in: domain.Input{
				Equity: money("1000"), Cash: money("1000"),
				Targets: []domain.Target{tgt("BRKA", "0.5"), tgt("SPY", "0.5")},
				Quotes:  map[market.Symbol]domain.Quote{"BRKA": mid("600000"), "SPY": mid("500")},
				Assets:  map[market.Symbol]domain.Asset{"BRKA": whole, "SPY": frac},
			},
			items: map[string]want{
				"BRKA": {action: domain.Hold, code: domain.CodeWholeShares, reason: "one share at $600000.00 costs more than the $495.00"},
				"SPY":  {action: domain.Buy, notional: "495"},
			},
		},
		{
			name: "a portfolio on target is a no-op plan, not a failure",
			in: domain.Input{
				// E=10000; investable 9900: SPY 0.6 → 5940, QQQ 0.4 → 3960.
				Equity: money("10000"), Cash: money("100"),
				Positions: []domain.Position{pos("SPY", "11.88"), pos("QQQ", "9.9")},
				Targets:   []domain.Target{tgt("SPY", "0.6"), tgt("QQQ", "0.4")},
				Quotes:    map[market.Symbol]domain.Quote{"SPY": mid("500"), "QQQ": mid("400")},
				Assets:    map[market.Symbol]domain.Asset{"SPY": frac, "QQQ": frac},
			},
			items: map[string]want{
				"SPY": {action: domain.Hold, code: domain.CodeBelowThreshold, reason: "drift $0.00 is below the minimum trade $100.00"},
				"QQQ": {action: domain.Hold, code: domain.CodeBelowThreshold},
			},
		},
		{
			name: "a small drift is held, the threshold is configurable",
			in: domain.Input{
				Equity: money("10000"), Cash: money("150"),
				Positions: []domain.Position{pos("SPY", "19.5")},
				Targets:   []domain.Target{tgt("SPY", "1")},
				Quotes:    map[market.Symbol]domain.Quote{"SPY": mid("500")},
				Assets:    map[market.Symbol]domain.Asset{"SPY": frac},
			},
			p: func(p *domain.Params) { p.MinTradeFraction = d("0.002") },
			// target 9900, current 9750: drift 150 ≥ max(20, 10).
			items: map[string]want{"SPY": {action: domain.Buy, notional: "50", code: domain.CodeCashShort, reason: "scaled to 33.33%"}},
			// cash 150 − reserve 100 = 50 available for a 150 buy.
			notes: []string{"scaled"},
		},
		{
			name: "negative cash at the start: sells fund the buys, less the reserve",
			in: domain.Input{
				// E = 10000 − 500 = 9500; investable 9405: SPY 4702.5, QQQ 4702.5.
				Equity: money("9500"), Cash: money("-500"),
				Positions: []domain.Position{pos("SPY", "20")},
				Targets:   []domain.Target{tgt("SPY", "0.5"), tgt("QQQ", "0.5")},
				Quotes:    map[market.Symbol]domain.Quote{"SPY": mid("500"), "QQQ": mid("250")},
				Assets:    map[market.Symbol]domain.Asset{"SPY": frac, "QQQ": frac},
			},
			items: map[string]want{
				"SPY": {action: domain.Sell, qty: "10.595"},
				// −500 + 5297.5 − 95 = 4702.5, exactly the buy.
				"QQQ": {action: domain.Buy, notional: "4702.5"},
			},
		},
		{
			name: "negative cash and nothing to sell: buys are held, never margin",
			in: domain.Input{
				Equity: money("4500"), Cash: money("-500"),
				Positions: []domain.Position{pos("SPY", "10")},
				Targets:   []domain.Target{tgt("SPY", "0.5"), tgt("QQQ", "0.5")},
				Quotes:    map[market.Symbol]domain.Quote{"SPY": mid("500"), "QQQ": mid("250")},
				Assets:    map[market.Symbol]domain.Asset{"SPY": frac, "QQQ": frac},
			},
			items: map[string]want{
				// SPY target 2227.5 vs 5000: sells 5.545 shares; avail = −500 + 2772.5 − 45 = 2227.5.
				"SPY": {action: domain.Sell, qty: "5.545"},
				"QQQ": {action: domain.Buy, notional: "2227.5"},
			},
		},
		{
			name: "negative cash and no sells: the buy is held",
			in: domain.Input{
				Equity: money("4500"), Cash: money("-500"),
				Positions: []domain.Position{pos("SPY", "10")},
				Targets:   []domain.Target{tgt("SPY", "0.9"), tgt("QQQ", "0.1")},
				Quotes:    map[market.Symbol]domain.Quote{"SPY": mid("500"), "QQQ": mid("250")},
				Assets:    map[market.Symbol]domain.Asset{"SPY": blocked, "QQQ": frac},
			},
			items: map[string]want{
				"SPY": {action: domain.Hold, code: domain.CodeNotTradable},
				"QQQ": {action: domain.Hold, code: domain.CodeCashShort, reason: "no cash for buys: cash after sells less reserve is $-545.00"},
			},
			notes: []string{"SPY: the broker does not accept orders", "buys of $445.50 held"},
		},
		{
			name: "a one-sided quote is valued at the last trade",
			in: domain.Input{
				Equity: money("1000"), Cash: money("1000"),
				Targets: []domain.Target{tgt("ABC", "1")},
				Quotes:  map[market.Symbol]domain.Quote{"ABC": {Ask: d("101"), Last: d("99")}},
				Assets:  map[market.Symbol]domain.Asset{"ABC": whole},
			},
			// 990 / 99 = 10 shares exactly.
			items: map[string]want{"ABC": {action: domain.Buy, qty: "10"}},
		},
		{
			name: "a crossed quote is valued at the last trade",
			in: domain.Input{
				Equity: money("1000"), Cash: money("1000"),
				Targets: []domain.Target{tgt("ABC", "1")},
				Quotes:  map[market.Symbol]domain.Quote{"ABC": {Bid: d("105"), Ask: d("95"), Last: d("120")}},
				Assets:  map[market.Symbol]domain.Asset{"ABC": whole},
			},
			// 990 / 120 = 8.25 (the midpoint 100 would give 9).
			items: map[string]want{"ABC": {action: domain.Buy, qty: "8", code: domain.CodeWholeShares}},
		},
		{
			name: "a one-sided quote without a last trade fails that symbol only, never buys a share",
			in: domain.Input{
				Equity: money("1000"), Cash: money("1000"),
				Targets: []domain.Target{tgt("ABC", "0.5"), tgt("SPY", "0.5")},
				Quotes:  map[market.Symbol]domain.Quote{"ABC": {Bid: d("10")}, "SPY": mid("500")},
				Assets:  map[market.Symbol]domain.Asset{"ABC": whole, "SPY": frac},
			},
			items: map[string]want{
				"ABC": {action: domain.Hold, code: domain.CodeNoPrice, reason: "one-sided quote (bid 10, ask 0) and no last trade"},
				"SPY": {action: domain.Buy, notional: "495"},
			},
			notes: []string{"ABC: no usable price"},
		},
		{
			name: "a missing price fails the symbol with a note",
			in: domain.Input{
				Equity: money("1000"), Cash: money("0"),
				Positions: []domain.Position{pos("OLD", "3")},
				Targets:   []domain.Target{tgt("NEW", "1")},
				Quotes:    map[market.Symbol]domain.Quote{"OLD": {Bid: d("0"), Ask: d("0"), Last: d("0")}},
				Assets:    map[market.Symbol]domain.Asset{"OLD": frac, "NEW": frac},
			},
			items: map[string]want{
				"OLD": {action: domain.Hold, code: domain.CodeNoPrice, reason: "no quote and no last trade"},
				"NEW": {action: domain.Hold, code: domain.CodeNoPrice},
			},
			notes: []string{"NEW: no usable price", "OLD: no usable price"},
		},
		{
			name: "an empty target means all cash",
			in: domain.Input{
				Equity: money("1500"), Cash: money("0"),
				Positions: []domain.Position{pos("SPY", "2"), pos("XYZ", "5")},
				Quotes:    map[market.Symbol]domain.Quote{"SPY": mid("500"), "XYZ": mid("100")},
				Assets:    map[market.Symbol]domain.Asset{"SPY": frac, "XYZ": whole},
			},
			items: map[string]want{
				"SPY": {action: domain.Sell, qty: "2", liquidate: true, code: domain.CodeLiquidate},
				"XYZ": {action: domain.Sell, qty: "5", liquidate: true, code: domain.CodeLiquidate},
			},
		},
		{
			name: "an unknown or untradable asset is held with a note",
			in: domain.Input{
				Equity: money("1000"), Cash: money("1000"),
				Targets: []domain.Target{tgt("GONE", "0.5"), tgt("HALT", "0.5")},
				Quotes:  map[market.Symbol]domain.Quote{"GONE": mid("10"), "HALT": mid("10")},
				Assets:  map[market.Symbol]domain.Asset{"HALT": blocked},
			},
			items: map[string]want{
				"GONE": {action: domain.Hold, code: domain.CodeUnknownAsset},
				"HALT": {action: domain.Hold, code: domain.CodeNotTradable},
			},
			notes: []string{"GONE: the broker does not know", "HALT: the broker does not accept orders"},
		},
		{
			name: "no buy under the minimum notional",
			in: domain.Input{
				Equity: money("100"), Cash: money("100"),
				Targets: []domain.Target{tgt("SPY", "0.995"), tgt("TINY", "0.005")},
				Quotes:  map[market.Symbol]domain.Quote{"SPY": mid("500"), "TINY": mid("5")},
				Assets:  map[market.Symbol]domain.Asset{"SPY": frac, "TINY": frac},
			},
			p: func(p *domain.Params) { p.MinTradeFloor = d("0.1"); p.MinTradeFraction = d("0") },
			items: map[string]want{
				"SPY":  {action: domain.Buy, notional: "98.5"},
				"TINY": {action: domain.Hold, code: domain.CodeMinNotional, reason: "$0.49 is under the minimum notional $1.00"},
			},
		},
		{
			name: "a short position is reported and never traded",
			in: domain.Input{
				Equity: money("1000"), Cash: money("1500"),
				Positions: []domain.Position{pos("SHRT", "-5")},
				Quotes:    map[market.Symbol]domain.Quote{"SHRT": mid("100")},
				Assets:    map[market.Symbol]domain.Asset{"SHRT": frac},
			},
			items: map[string]want{},
			notes: []string{"SHRT: short position of -5 shares"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := domain.DefaultParams()
			if tt.p != nil {
				tt.p(&p)
			}
			plan, err := domain.Build(tt.in, p)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if len(plan.Items) != len(tt.items) {
				t.Errorf("got %d items, want %d:\n%s", len(plan.Items), len(tt.items), render(plan))
			}
			for sym, w := range tt.items {
				it, ok := item(plan, sym)
				if !ok {
					t.Errorf("%s: no item:\n%s", sym, render(plan))
					continue
				}
				checkItem(t, it, w)
			}
			if len(plan.Notes) != len(tt.notes) {
				t.Errorf("got notes %q, want %d", plan.Notes, len(tt.notes))
			}
			for i, n := range tt.notes {
				if i < len(plan.Notes) && !strings.Contains(plan.Notes[i], n) {
					t.Errorf("note %d = %q, want it to contain %q", i, plan.Notes[i], n)
				}
			}
			checkOrder(t, plan)
		})
	}
}

func checkItem(t *testing.T, it domain.Item, w want) {
	t.Helper()
	got := renderItem(it)
	if it.Action != w.action {
		t.Errorf("%s: action %s, want %s: %s", it.Symbol, it.Action, w.action, got)
	}
	if (it.Qty == nil) != (w.qty == "") || (it.Qty != nil && !it.Qty.Decimal().Equal(d(w.qty))) {
		t.Errorf("%s: qty wrong, want %q: %s", it.Symbol, w.qty, got)
	}
	if (it.Notional == nil) != (w.notional == "") || (it.Notional != nil && !it.Notional.Decimal().Equal(d(w.notional))) {
		t.Errorf("%s: notional wrong, want %q: %s", it.Symbol, w.notional, got)
	}
	if it.Liquidate != w.liquidate {
		t.Errorf("%s: liquidate %t, want %t", it.Symbol, it.Liquidate, w.liquidate)
	}
	if it.Code != w.code {
		t.Errorf("%s: code %q, want %q: %s", it.Symbol, it.Code, w.code, got)
	}
	if !strings.Contains(it.Reason, w.reason) {
		t.Errorf("%s: reason %q, want it to contain %q", it.Symbol, it.Reason, w.reason)
	}
	if it.Action == domain.Hold && it.Reason == "" {
		t.Errorf("%s: a hold without a reason", it.Symbol)
	}
}

// checkOrder checks that sells come first, then buys, then holds.
func checkOrder(t *testing.T, p domain.Plan) {
	t.Helper()
	rank := map[domain.Action]int{domain.Sell: 0, domain.Buy: 1, domain.Hold: 2}
	for i := 1; i < len(p.Items); i++ {
		if rank[p.Items[i-1].Action] > rank[p.Items[i].Action] {
			t.Fatalf("items out of order at %d:\n%s", i, render(p))
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	ok := domain.Input{Equity: money("1000"), Cash: money("1000")}
	tests := []struct {
		name string
		in   domain.Input
		p    func(*domain.Params)
		msg  string
	}{
		{"zero equity", domain.Input{Equity: money("0")}, nil, "equity 0 is not positive"},
		{"negative equity", domain.Input{Equity: money("-5")}, nil, "equity -5 is not positive"},
		{"target twice", domain.Input{Equity: money("1"), Targets: []domain.Target{tgt("A", "0.5"), tgt("A", "0.5")}}, nil, "targets[1]: A listed twice"},
		{"position twice", domain.Input{Equity: money("1"), Positions: []domain.Position{pos("A", "1"), pos("A", "2")}}, nil, "positions[1]: A listed twice"},
		{"weights above 1", domain.Input{Equity: money("1"), Targets: []domain.Target{tgt("A", "0.7"), tgt("B", "0.7")}}, nil, "sum to 1.4"},
		{"weight out of range", domain.Input{Equity: money("1"), Targets: []domain.Target{tgt("A", "-0.1")}}, nil, "outside [0, 1]"},
		{"reserve of 1", ok, func(p *domain.Params) { p.CashReserve = d("1") }, "cash reserve 1 is outside"},
		{"negative floor", ok, func(p *domain.Params) { p.MinTradeFloor = d("-1") }, "floor -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := domain.DefaultParams()
			if tt.p != nil {
				tt.p(&p)
			}
			_, err := domain.Build(tt.in, p)
			if !errors.Is(err, domain.ErrInvalidInput) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want ErrInvalidInput containing %q", err, tt.msg)
			}
		})
	}
}

func TestReferencePrice(t *testing.T) {
	tests := []struct {
		name string
		q    domain.Quote
		want string // "" means none
	}{
		{"midpoint", domain.Quote{Bid: d("99"), Ask: d("101"), Last: d("1")}, "100"},
		{"locked book", domain.Quote{Bid: d("100"), Ask: d("100")}, "100"},
		{"bid only", domain.Quote{Bid: d("99"), Last: d("98")}, "98"},
		{"ask only", domain.Quote{Ask: d("101"), Last: d("98")}, "98"},
		{"crossed", domain.Quote{Bid: d("102"), Ask: d("101"), Last: d("98")}, "98"},
		{"nothing", domain.Quote{}, ""},
		{"one-sided, no trade", domain.Quote{Ask: d("5")}, ""},
		{"negative", domain.Quote{Bid: d("-1"), Ask: d("1"), Last: d("-2")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := domain.ReferencePrice(tt.q)
			if ok != (tt.want != "") || (ok && !got.Equal(d(tt.want))) {
				t.Fatalf("ReferencePrice = %s, %t; want %q", got, ok, tt.want)
			}
			if domain.NeedsLastTrade(tt.q) != !(tt.name == "midpoint" || tt.name == "locked book") {
				t.Fatalf("NeedsLastTrade wrong for %s", tt.name)
			}
		})
	}
}
