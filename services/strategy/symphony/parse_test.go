package symphony_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/services/strategy/internal/synth"
	"github.com/alchemiser/alchemiser/services/strategy/strategies"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // file:line:col: and a phrase
	}{
		{"unknown operator", `(defsymphony "x" {}
  (weight-equal
    [(weight-magic [(asset "SPY")])]))`, `f.clj:3:7: unknown operator "weight-magic": expected one of`},
		{"wrong argument count", `(defsymphony "x" {}
 (if (> (rsi "SPY" {:window 10}) 70 5) [(asset "SPY")] [(asset "BIL")]))`, `f.clj:2:6: >: wrong number of arguments: expected 2`},
		{"indicator argument count", `(defsymphony "x" {}
 (if (> (rsi "SPY") 70) [(asset "SPY")] [(asset "BIL")]))`, `f.clj:2:9: rsi: wrong number of arguments: expected 2 (rsi "SYMBOL" {:window N}), got 1`},
		{"missing else", `(defsymphony "x" {}
  (if (> (rsi "SPY" {:window 10}) 70)
      [(asset "SPY")]))`, `f.clj:2:3: if: missing else-branch`},
		{"bad window zero", `(defsymphony "x" {}
 (if (> (rsi "SPY" {:window 0}) 70) [(asset "SPY")] [(asset "BIL")]))`, `f.clj:2:29: rsi: bad window 0: expected a whole number of days from 1 to 2520`},
		{"bad window fraction", `(defsymphony "x" {} (filter (cumulative-return {:window 2.5}) (select-top 1) [(asset "SPY")]))`, `f.clj:1:57: cumulative-return: bad window 2.5`},
		{"bad window key", `(defsymphony "x" {} (filter (cumulative-return {:days 5}) (select-top 1) [(asset "SPY")]))`, `f.clj:1:49: cumulative-return: bad window: expected {:window N}, found key :days`},
		{"stdev window one", `(defsymphony "x" {} (weight-inverse-volatility 20 [(filter (stdev-return 1) (select-top 1) [(asset "SPY")])]))`, `f.clj:1:74: stdev-return: bad window 1: expected a whole number of days from 2`},
		{"weight not a number", `(defsymphony "x" {}
 (weight-specified
   abc (asset "SPY")
   0.5 (asset "TLT")))`, `f.clj:3:4: weight-specified: weight is not a number`},
		{"weight string not percent", `(defsymphony "x" {} (weight-specified "half" (asset "SPY") 0.5 (asset "TLT")))`, `f.clj:1:39: weight-specified: weight is not a number`},
		{"weight not positive", `(defsymphony "x" {} (weight-specified 0 (asset "SPY") 1 (asset "TLT")))`, `f.clj:1:39: weight-specified: weight 0 is not positive`},
		{"unclosed", `(defsymphony "x" {}
 (weight-equal [(asset "SPY")]`, `f.clj:2:2: unclosed list: expected ')'`},
		{"mismatched bracket", `(defsymphony "x" {} (weight-equal [(asset "SPY")))`, `f.clj:1:49: expected ']' to close the vector opened at 1:35`},
		{"unterminated string", `(defsymphony "x`, `f.clj:1:14: unterminated string`},
		{"bad number", `(defsymphony "x" {} (weight-specified 1.2.3 (asset "SPY")))`, `f.clj:1:39: malformed number`},
		{"bad ticker", `(defsymphony "x" {} (asset "S P Y"))`, `f.clj:1:28: bad ticker`},
		{"bad frequency", `(defsymphony "x" {:rebalance-frequency :hourly} (asset "SPY"))`, `f.clj:1:40: settings: :rebalance-frequency expects one of`},
		{"not defsymphony", `(weight-equal [(asset "SPY")])`, `f.clj:1:1: expected (defsymphony`},
		{"trailing form", `(defsymphony "x" {} (asset "SPY")) (asset "QQQ")`, `f.clj:1:36: expected end of file`},
		{"empty file", ` ; nothing`, `f.clj:1:1: empty file`},
		{"indicator as node", `(defsymphony "x" {} (rsi "SPY" 10))`, `f.clj:1:21: rsi is an indicator`},
		{"two numbers", `(defsymphony "x" {} (if (> 1 2) [(asset "SPY")] [(asset "BIL")]))`, `f.clj:1:25: >: expected at least one indicator`},
		{"select missing", `(defsymphony "x" {} (filter (rsi 10) (top 1) [(asset "SPY")]))`, `f.clj:1:38: filter: expected (select-top N) or (select-bottom N)`},
		{"unknown condition", `(defsymphony "x" {} (if (not (> (rsi "SPY" 10) 5)) [(asset "SPY")] [(asset "BIL")]))`, `f.clj:1:26: unknown operator "not" in a condition`},
		{"column counts characters", `(defsymphony "é" {} (bogus))`, `f.clj:1:22: unknown operator "bogus"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := symphony.Parse("f.clj", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var se *symphony.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *symphony.Error: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %v\nwant containing\n  %s", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want[:strings.Index(tt.want, ": ")]) {
				t.Fatalf("error %v does not start with the position of %q", err, tt.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		src  string
		syms string
	}{
		{"bare window, commas, comments, nil description", `; comment
(defsymphony "x" {:rebalance-threshold 0.05, :asset-class "EQUITIES"}
  (if (> (rsi "SPY" 14) 70) ; overbought
      [(asset "BIL" nil)]
      [(asset "EQUITIES::SPY//USD" "SPDR")]))`, "BIL,SPY"},
		{"negative and exponent numbers", `(defsymphony "x" {} (if (< (cumulative-return "QQQ" {:window 5}) -2.5e0) [(asset "TQQQ")] []))`, "QQQ,TQQQ"},
		{"percent weights", `(defsymphony "x" {} (weight-specified "60%" (asset "SPY") "40%" [(asset "TLT")]))`, "SPY,TLT"},
		{"current-price in filter", `(defsymphony "x" {} (filter (current-price) (select-bottom 1) [(asset "SPY") (asset "QQQ")]))`, "QQQ,SPY"},
		{"weight-inverse-vol alias", `(defsymphony "x" {} (weight-inverse-vol {:window 10} [(asset "SPY") (asset "TLT")]))`, "SPY,TLT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := symphony.Parse("f.clj", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(p.Symbols(), ","); got != tt.syms {
				t.Fatalf("symbols %s, want %s", got, tt.syms)
			}
		})
	}
}

func TestAnalysisLookback(t *testing.T) {
	src := `(defsymphony "x" {}
  (weight-equal [
    (if (> (moving-average-price "SPY" {:window 200}) (current-price "SPY")) [(asset "BIL")] [(asset "QQQ")])
    (filter (cumulative-return {:window 10}) (select-top 1)
      [(group "g" [(if (< (rsi "TLT" {:window 5}) 30) [(asset "TLT")] [(asset "IEF")])])
       (asset "GLD")])]))`
	p, err := symphony.Parse("f.clj", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a := p.Analyze()
	got := map[string]int{}
	for _, s := range a.Symbols {
		got[s.Symbol] = s.Lookback
	}
	// The group is simulated over the 11 closes cumulative-return(10) reads: it is evaluated on
	// 10 days before the as-of date, each needing rsi(TLT,5)'s 51 closes.
	want := map[string]int{"SPY": 200, "BIL": 1, "QQQ": 1, "GLD": 11, "TLT": 61, "IEF": 11}
	for s, n := range want {
		if got[s] != n {
			t.Errorf("lookback %s = %d, want %d (all: %v)", s, got[s], n, got)
		}
	}
	if a.Lookback != 200 {
		t.Errorf("max lookback %d, want 200", a.Lookback)
	}
	wantInds := "cumulative-return(GLD,10) cumulative-return(group \"g\",10) current-price(SPY) moving-average-price(SPY,200) rsi(TLT,5)"
	if g := strings.Join(a.Indicators, " "); g != wantInds {
		t.Errorf("indicators\n %s\nwant\n %s", g, wantInds)
	}
}

func TestLargeSymphonyParses(t *testing.T) {
	src, err := fs.ReadFile(strategies.FS(), "ensemble.clj")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "\n"); n < 3000 {
		t.Fatalf("ensemble.clj has %d lines, want at least 3000", n)
	}
	if _, err := symphony.Parse("ensemble.clj", src); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range strategies.Symphonies() {
		src, _ := fs.ReadFile(strategies.FS(), name)
		if len(src) < 4000 {
			f.Add(src)
		}
	}
	f.Add([]byte(`(defsymphony "x" {} (if (> (rsi "SPY" 10) 70) [] [(asset "SPY")]))`))
	f.Add([]byte(`(defsymphony "x" {:rebalance-threshold 0.1} (weight-specified "50%" (asset "A") 1e1 (asset "B")))`))
	f.Add([]byte(`[{:a "b\n" :c -1.5} ; x`))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := symphony.Parse("fuzz.clj", src)
		if err != nil {
			var se *symphony.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not positional: %v", err, err)
			}
			if se.Pos.Line < 1 || se.Pos.Col < 1 {
				t.Fatalf("bad position %v", se.Pos)
			}
			return
		}
		_ = p.Analyze()
		// Evaluating whatever parsed must not panic either: errors are fine.
		h := synth.History(p.Symbols(), 40, 1)
		e, err := symphony.NewEngine(h)
		if err != nil {
			t.Fatal(err)
		}
		d := e.Dates()
		if len(d) == 0 {
			return
		}
		if a, _, _, err := e.Evaluate(p, d[len(d)-1]); err == nil && len(a) > 0 {
			sum := a[0].Weight
			for _, w := range a[1:] {
				sum = sum.Add(w.Weight)
			}
			if sum.String() != "1" {
				t.Fatalf("weights sum to %s", sum)
			}
		}
	})
}
