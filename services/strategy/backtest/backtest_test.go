package backtest_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/services/strategy/backtest"
	"github.com/alchemiser/alchemiser/services/strategy/internal/cputime"
	"github.com/alchemiser/alchemiser/services/strategy/internal/synth"
	"github.com/alchemiser/alchemiser/services/strategy/strategies"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

func bars(syms []string, n int) map[string][]backtest.Bar {
	h := synth.History(syms, n, 3)
	out := map[string][]backtest.Bar{}
	for s, cs := range h {
		for _, c := range cs {
			out[s] = append(out[s], backtest.Bar{Date: c.Date, Close: decimal.NewFromFloat(c.Price)})
		}
	}
	return out
}

func bundledConfig(t testing.TB, years int) backtest.Config {
	set, err := symphony.LoadSet(strategies.FS(), "dev.json")
	if err != nil {
		t.Fatal(err)
	}
	an := set.Analyze()
	syms := make([]string, len(an.Symbols))
	for i, s := range an.Symbols {
		syms[i] = s.Symbol
	}
	return backtest.Config{Set: set, Bars: bars(syms, an.Lookback+252*years), CostBps: decimal.NewFromInt(2), SlippageBps: decimal.NewFromInt(3)}
}

func TestBacktestDeterministic(t *testing.T) {
	var outs [2]string
	for i := range outs {
		res, err := backtest.Run(bundledConfig(t, 1))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := res.WriteHTML(&b); err != nil {
			t.Fatal(err)
		}
		res.WriteEquityCSV(&b)
		res.WriteAllocationsCSV(&b)
		res.WriteSummaryJSON(&b)
		outs[i] = b.String()
	}
	if outs[0] != outs[1] {
		t.Fatal("two runs on the same inputs differ")
	}
	for _, want := range []string{"<svg", "Equity curve", "Allocation over time", "CAGR", "Sharpe", "Max drawdown", "Turnover"} {
		if !strings.Contains(outs[0], want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestRebalanceSchedules(t *testing.T) {
	b := bars([]string{"A", "B"}, 300)
	tests := []struct {
		settings string
		min, max int
	}{
		{"{:rebalance-frequency :daily}", 300, 300},
		{"{:rebalance-frequency :monthly}", 14, 15},
		{"{:rebalance-frequency :yearly}", 2, 3},
		{"{:rebalance-frequency :none}", 1, 1},
		{"{:rebalance-frequency :none :rebalance-threshold 0.9}", 1, 1},
		{"{:rebalance-frequency :daily :rebalance-threshold 0.02}", 2, 299},
	}
	for _, tt := range tests {
		t.Run(tt.settings, func(t *testing.T) {
			p, err := symphony.Parse("t.clj", []byte(`(defsymphony "t" `+tt.settings+` (weight-equal [(asset "A") (asset "B")]))`))
			if err != nil {
				t.Fatal(err)
			}
			res, err := backtest.Run(backtest.Config{Set: symphony.Single(p), Bars: b})
			if err != nil {
				t.Fatal(err)
			}
			if n := res.Stats.Rebalances; n < tt.min || n > tt.max {
				t.Fatalf("%d rebalances, want %d..%d", n, tt.min, tt.max)
			}
		})
	}
}

func TestCostsReduceValue(t *testing.T) {
	b := bars([]string{"A", "B"}, 100)
	p, _ := symphony.Parse("t.clj", []byte(`(defsymphony "t" {} (weight-equal [(asset "A") (asset "B")]))`))
	free, err := backtest.Run(backtest.Config{Set: symphony.Single(p), Bars: b})
	if err != nil {
		t.Fatal(err)
	}
	paid, err := backtest.Run(backtest.Config{Set: symphony.Single(p), Bars: b, CostBps: decimal.NewFromInt(10), SlippageBps: decimal.NewFromInt(10)})
	if err != nil {
		t.Fatal(err)
	}
	if !paid.Stats.EndValue.LessThan(free.Stats.EndValue) || !paid.Stats.Costs.IsPositive() {
		t.Fatalf("with costs %s (costs %s), without %s", paid.Stats.EndValue, paid.Stats.Costs, free.Stats.EndValue)
	}
	// The first day buys 100,000 of stock: 20 bps of it is 200.
	if paid.Stats.Costs.LessThan(decimal.NewFromInt(200)) {
		t.Fatalf("costs %s, want at least 200", paid.Stats.Costs)
	}
}

// BenchmarkBacktest10Years runs every bundled strategy day by day over ten years of daily bars.
func BenchmarkBacktest10Years(b *testing.B) {
	cfg := bundledConfig(b, 10)
	b.ReportAllocs()
	done := cputime.Report(b)
	defer done()
	for b.Loop() {
		if _, err := backtest.Run(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
