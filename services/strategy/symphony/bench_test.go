package symphony_test

import (
	"io/fs"
	"testing"

	"github.com/alchemiser/alchemiser/services/strategy/internal/synth"
	"github.com/alchemiser/alchemiser/services/strategy/strategies"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

func BenchmarkParseLarge(b *testing.B) {
	src, err := fs.ReadFile(strategies.FS(), "ensemble.clj")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := symphony.Parse("ensemble.clj", src); err != nil {
			b.Fatal(err)
		}
	}
}

// bundled returns the dev set (every bundled strategy) and the history its analysis asks for.
func bundled(b *testing.B) (*symphony.Set, symphony.History, []float64) {
	set, err := symphony.LoadSet(strategies.FS(), "dev.json")
	if err != nil {
		b.Fatal(err)
	}
	an := set.Analyze()
	syms := make([]string, len(an.Symbols))
	for i, s := range an.Symbols {
		syms[i] = s.Symbol
	}
	h := synth.History(syms, an.Lookback, 1)
	closes := make([]float64, len(h["SPY"]))
	for i, c := range h["SPY"] {
		closes[i] = c.Price
	}
	return set, h, closes
}

// BenchmarkEvaluateBundledSet is one live evaluation of every bundled strategy: index the
// fetched closes, evaluate, combine. The data is in memory.
func BenchmarkEvaluateBundledSet(b *testing.B) {
	set, h, _ := bundled(b)
	b.ReportAllocs()
	for b.Loop() {
		e, err := symphony.NewEngine(h)
		if err != nil {
			b.Fatal(err)
		}
		d := e.Dates()
		if _, err := e.EvaluateSet(set, d[len(d)-1]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineRSI computes one RSI(10) series over the same closes, for ratios.
func BenchmarkBaselineRSI(b *testing.B) {
	_, _, closes := bundled(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = symphony.RSI.Series(closes, 10)
	}
}
