// Command gen writes ensemble.clj, the large bundled symphony: many small, varied pods of
// trend, mean-reversion, volatility and rotation rules under one equal weight. Its output is
// committed; run `go generate` in the strategies package after changing it.
//
// Usage:
//
//	go run ./gen -out ensemble.clj
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

// sx is an S-expression: a head and its arguments (sx, raw or vec).
type sx struct {
	head string
	args []any
}

// raw is printed as is: a number, a keyword map, a quoted string.
type raw string

// vec is a vector of forms.
type vec []any

func q(s string) raw { return raw(fmt.Sprintf("%q", s)) }

func win(n int) raw { return raw(fmt.Sprintf("{:window %d}", n)) }

func num(v float64) raw {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return raw(s)
}

func call(head string, args ...any) sx { return sx{head, args} }

var names = map[string]string{
	"SPY": "SPDR S&P 500 ETF Trust", "QQQ": "Invesco QQQ Trust", "TQQQ": "ProShares UltraPro QQQ",
	"SQQQ": "ProShares UltraPro Short QQQ", "UVXY": "ProShares Ultra VIX Short-Term Futures ETF",
	"BIL": "SPDR Bloomberg 1-3 Month T-Bill ETF", "TLT": "iShares 20+ Year Treasury Bond ETF",
	"IEF": "iShares 7-10 Year Treasury Bond ETF", "GLD": "SPDR Gold Shares",
	"XLK": "Technology Select Sector SPDR Fund", "XLE": "Energy Select Sector SPDR Fund",
	"XLF": "Financial Select Sector SPDR Fund", "XLV": "Health Care Select Sector SPDR Fund",
	"XLU": "Utilities Select Sector SPDR Fund", "XLP": "Consumer Staples Select Sector SPDR Fund",
	"XLI": "Industrial Select Sector SPDR Fund", "SHY": "iShares 1-3 Year Treasury Bond ETF",
	"VTI": "Vanguard Total Stock Market ETF", "IWM": "iShares Russell 2000 ETF",
	"DBC": "Invesco DB Commodity Index Tracking Fund",
}

func asset(s string) sx { return call("asset", q(s), q(names[s])) }

type gen struct{ r *rand.Rand }

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) intIn(xs ...int) int      { return xs[g.r.IntN(len(xs))] }

var (
	signals  = []string{"SPY", "QQQ", "IWM", "VTI", "XLK"}
	bulls    = []string{"TQQQ", "QQQ", "XLK", "SPY", "IWM"}
	hedges   = []string{"UVXY", "SQQQ", "BIL", "SHY"}
	bonds    = []string{"TLT", "IEF", "SHY", "BIL"}
	sectors  = []string{"XLK", "XLE", "XLF", "XLV", "XLU", "XLP", "XLI"}
	reals    = []string{"GLD", "DBC", "XLE"}
	allNames = []string{"trend", "reversion", "regime", "rotation", "parity", "sleeves"}
)

func (g *gen) some(from []string, n int) vec {
	p := g.r.Perm(len(from))
	out := vec{}
	for _, i := range p[:n] {
		out = append(out, asset(from[i]))
	}
	return out
}

func (g *gen) trend() any {
	s := g.pick(signals...)
	return call("if",
		call(">", call("current-price", q(s)), call("moving-average-price", q(s), win(g.intIn(50, 100, 150, 200)))),
		vec{call("if",
			call(">", call("rsi", q(s), win(g.intIn(7, 10, 14))), num(float64(g.intIn(75, 78, 80, 82)))),
			vec{asset(g.pick(hedges...))},
			vec{asset(g.pick(bulls...))})},
		vec{call("filter", call("cumulative-return", win(g.intIn(10, 20, 30))), call("select-top", raw("1")), g.some(bonds, 3))})
}

func (g *gen) reversion() any {
	s := g.pick(signals...)
	return call("if",
		call("<", call("rsi", q(s), win(g.intIn(2, 3, 5, 10))), num(float64(g.intIn(15, 20, 25, 30)))),
		vec{asset(g.pick(bulls...))},
		vec{call("weight-specified",
			num(0.6), asset(g.pick("SPY", "VTI")),
			num(0.4), asset(g.pick(bonds...)))})
}

func (g *gen) regime() any {
	s := g.pick(signals...)
	return call("if",
		call("or",
			call(">", call("stdev-return", q(s), win(g.intIn(10, 15, 20))), num(float64(g.intIn(2, 3)))),
			call(">=", call("max-drawdown", q(s), win(g.intIn(10, 20, 30))), num(float64(g.intIn(6, 8, 10))))),
		vec{call("weight-equal", g.some(append(append([]string{}, bonds...), "GLD"), 2))},
		vec{call("if",
			call("and",
				call(">", call("exponential-moving-average-price", q(s), win(g.intIn(10, 20))),
					call("moving-average-price", q(s), win(g.intIn(30, 50)))),
				call(">", call("moving-average-return", q(s), win(g.intIn(5, 10, 20))), num(0))),
			vec{asset(g.pick(bulls...))},
			vec{asset(g.pick(bonds...))})})
}

func (g *gen) rotation() any {
	ind := g.pick("moving-average-return", "cumulative-return", "rsi")
	sel := g.pick("select-top", "select-bottom")
	return call("filter", call(ind, win(g.intIn(10, 20, 40))), call(sel, raw(fmt.Sprint(g.intIn(1, 2)))), g.some(sectors, 4))
}

func (g *gen) parity() any {
	return call("weight-inverse-volatility", raw(fmt.Sprint(g.intIn(20, 30, 60))),
		append(g.some([]string{"SPY", "TLT", "GLD", "IEF", "VTI"}, 3), call("group", q("Real assets"), vec{call("weight-equal", g.some(reals, 2))})))
}

func (g *gen) sleeves() any {
	a, b := g.pick(signals...), g.pick(bonds...)
	return call("filter", call("cumulative-return", win(g.intIn(5, 10))), call("select-top", raw("1")),
		vec{
			call("group", q("Equity sleeve"), vec{call("if",
				call("<=", call("current-price", q(a)), call("moving-average-price", q(a), win(20))),
				vec{asset(g.pick(bonds...))},
				vec{asset(a)})}),
			call("group", q("Bond sleeve"), vec{call("weight-equal", vec{asset(b), asset("GLD")})}),
			call("group", q("Cash sleeve"), vec{call("if",
				call("=", call("rsi", q("BIL"), win(2)), num(50)),
				vec{call("empty")},
				vec{asset("BIL")})}),
		})
}

func main() {
	out := flag.String("out", "ensemble.clj", "output file")
	pods := flag.Int("pods", 192, "number of pods")
	flag.Parse()
	g := &gen{r: rand.New(rand.NewPCG(20261130, 6))}
	var kids vec
	for i := 0; i < *pods; i++ {
		kind := allNames[i%len(allNames)]
		var body any
		switch kind {
		case "trend":
			body = g.trend()
		case "reversion":
			body = g.reversion()
		case "regime":
			body = g.regime()
		case "rotation":
			body = g.rotation()
		case "parity":
			body = g.parity()
		default:
			body = g.sleeves()
		}
		kids = append(kids, call("group", q(fmt.Sprintf("Pod %02d: %s", i+1, kind)), vec{body}))
	}
	root := call("defsymphony", q("Ensemble"), raw("{:asset-class \"EQUITIES\", :rebalance-frequency :daily}"),
		call("weight-equal", kids))
	var b strings.Builder
	b.WriteString(";; Ensemble: many small pods of trend, mean-reversion, volatility-regime and rotation\n")
	b.WriteString(";; rules, equally weighted. Generated by gen/main.go; do not edit by hand.\n")
	write(&b, root, 0)
	b.WriteString("\n")
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// write prints f in the one-argument-per-line style of Composer exports: a form fits on one
// line if it is short; otherwise its head stays on the first line and each argument follows
// on its own line, indented one space past the opening bracket.
func write(b *strings.Builder, f any, indent int) {
	flat := flatten(f)
	if len(flat)+indent <= 60 {
		b.WriteString(flat)
		return
	}
	pad := "\n" + strings.Repeat(" ", indent+1)
	switch v := f.(type) {
	case sx:
		b.WriteString("(" + v.head)
		for _, a := range v.args {
			b.WriteString(pad)
			write(b, a, indent+1)
		}
		b.WriteString(")")
	case vec:
		b.WriteString("[")
		for i, a := range v {
			if i > 0 {
				b.WriteString(pad)
			}
			write(b, a, indent+1)
		}
		b.WriteString("]")
	default:
		b.WriteString(flat)
	}
}

func flatten(f any) string {
	switch v := f.(type) {
	case sx:
		parts := []string{v.head}
		for _, a := range v.args {
			parts = append(parts, flatten(a))
		}
		return "(" + strings.Join(parts, " ") + ")"
	case vec:
		parts := make([]string, len(v))
		for i, a := range v {
			parts[i] = flatten(a)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case raw:
		return string(v)
	}
	return fmt.Sprint(f)
}
