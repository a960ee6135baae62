package symphony_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/services/strategy/internal/synth"
	"github.com/alchemiser/alchemiser/services/strategy/strategies"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

func TestBundledSetsEvaluate(t *testing.T) {
	for _, stage := range []string{"dev.json", "prod.json"} {
		t.Run(stage, func(t *testing.T) {
			set, err := symphony.LoadSet(strategies.FS(), stage)
			if err != nil {
				t.Fatal(err)
			}
			an := set.Analyze()
			syms := make([]string, len(an.Symbols))
			for i, s := range an.Symbols {
				syms[i] = s.Symbol
			}
			h := synth.History(syms, an.Lookback+10, 1)
			e, err := symphony.NewEngine(h)
			if err != nil {
				t.Fatal(err)
			}
			dates := e.Dates()
			res, err := e.EvaluateSet(set, dates[len(dates)-1])
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Weights) == 0 {
				t.Fatal("empty allocation")
			}
			assertSumsToOne(t, res.Weights)
			for _, s := range res.Strategies {
				if s.Err != nil {
					t.Errorf("%s: %v", s.Name, s.Err)
				}
				assertSumsToOne(t, s.Allocation)
			}
			if testing.Verbose() {
				t.Logf("lookback %d, %d symbols, as of %s", an.Lookback, len(syms), res.AsOf.Format(time.DateOnly))
				for _, w := range res.Weights {
					t.Logf("%s %s", w.Symbol, w.Weight)
				}
				for _, l := range res.Trace()[:min(12, len(res.Trace()))] {
					t.Log(l)
				}
			}
		})
	}
}

func assertSumsToOne(t *testing.T, a symphony.Allocation) {
	t.Helper()
	if len(a) == 0 {
		return
	}
	sum := a[0].Weight
	for _, w := range a[1:] {
		sum = sum.Add(w.Weight)
	}
	if sum.String() != "1" {
		t.Fatalf("weights sum to %s, want exactly 1: %v", sum, a)
	}
}

// A live evaluation that fetched only the analysed lookback must give exactly what a backtest
// with years of history gives on the same day: the lookbacks are complete and no indicator
// depends on older history.
func TestLookbackWindowGivesSameResultAsFullHistory(t *testing.T) {
	set, err := symphony.LoadSet(strategies.FS(), "dev.json")
	if err != nil {
		t.Fatal(err)
	}
	an := set.Analyze()
	syms := make([]string, len(an.Symbols))
	for i, s := range an.Symbols {
		syms[i] = s.Symbol
	}
	full := synth.History(syms, 1200, 9)
	long, err := symphony.NewEngine(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, end := range []int{700, 950, 1199} {
		short := symphony.History{}
		for s, cs := range full {
			short[s] = cs[end+1-an.Lookback : end+1]
		}
		e, err := symphony.NewEngine(short)
		if err != nil {
			t.Fatal(err)
		}
		date := full["SPY"][end].Date
		a, err := e.EvaluateSet(set, date)
		if err != nil {
			t.Fatalf("day %d with %d closes: %v", end, an.Lookback, err)
		}
		b, err := long.EvaluateSet(set, date)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(a.Weights) != fmt.Sprint(b.Weights) {
			t.Fatalf("day %d: lookback-only %v\nfull history %v", end, a.Weights, b.Weights)
		}
		if fmt.Sprint(a.Trace()) != fmt.Sprint(b.Trace()) {
			t.Fatalf("day %d: traces differ", end)
		}
	}
}
