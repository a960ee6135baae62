package symphony_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/services/strategy/internal/cputime"
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
	done := cputime.Report(b)
	defer done()
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
	done := cputime.Report(b)
	defer done()
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
	done := cputime.Report(b)
	defer done()
	for b.Loop() {
		_ = symphony.RSI.Series(closes, 10)
	}
}

// BenchmarkParse20kLines parses a symphony of over 20,000 lines: seven copies of the ensemble's
// body under one weight-equal.
func BenchmarkParse20kLines(b *testing.B) {
	src, err := fs.ReadFile(strategies.FS(), "ensemble.clj")
	if err != nil {
		b.Fatal(err)
	}
	s := string(src)
	body := s[strings.Index(s, "\n (weight-equal"):strings.LastIndex(s, ")")]
	var big strings.Builder
	big.WriteString("(defsymphony \"Big\" {}\n (weight-equal\n  [")
	for range 7 {
		big.WriteString(body)
	}
	big.WriteString("]))\n")
	in := []byte(big.String())
	if n := strings.Count(big.String(), "\n"); n < 20000 {
		b.Fatalf("%d lines", n)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	done := cputime.Report(b)
	defer done()
	for b.Loop() {
		if _, err := symphony.Parse("big.clj", in); err != nil {
			b.Fatal(err)
		}
	}
}
