package symphony

import (
	"sort"
)

// Analysis is what a program reads, found without data: every symbol with the number of daily
// closes (ending on the evaluation date) it needs, and every indicator.
type Analysis struct {
	// Symbols lists each symbol and its lookback, sorted by symbol.
	Symbols []SymbolNeed
	// Indicators lists each distinct indicator use, such as "rsi(SPY,10)", sorted.
	Indicators []string
	// Lookback is the largest lookback: one bulk request of this many closes per symbol covers
	// the whole evaluation.
	Lookback int
}

// SymbolNeed is one symbol's lookback in daily closes.
type SymbolNeed struct {
	Symbol   string
	Lookback int
}

// Analyze returns the program's static analysis.
func (p *Program) Analyze() Analysis { return analyze([]*Program{p}) }

// Analyze returns the union of every member's analysis.
func (s *Set) Analyze() Analysis {
	ps := make([]*Program, len(s.Members))
	for i, m := range s.Members {
		ps[i] = m.Program
	}
	return analyze(ps)
}

func analyze(ps []*Program) Analysis {
	a := &analyzer{need: map[string]int{}, inds: map[string]bool{}}
	for _, p := range ps {
		a.node(p.root, 0)
	}
	var out Analysis
	for s, n := range a.need {
		out.Symbols = append(out.Symbols, SymbolNeed{Symbol: s, Lookback: n})
		out.Lookback = max(out.Lookback, n)
	}
	sort.Slice(out.Symbols, func(i, j int) bool { return out.Symbols[i].Symbol < out.Symbols[j].Symbol })
	for s := range a.inds {
		out.Indicators = append(out.Indicators, s)
	}
	sort.Strings(out.Indicators)
	return out
}

type analyzer struct {
	need map[string]int
	inds map[string]bool
}

func (a *analyzer) want(sym string, n int) {
	a.need[sym] = max(a.need[sym], n)
}

// node records what n needs when it is evaluated on extra days before the evaluation date too.
func (a *analyzer) node(n *node, extra int) {
	switch n.kind {
	case nAsset:
		a.want(n.name, extra+1)
	case nIf:
		a.cond(n.cond, extra)
	case nFilter:
		a.ranked(n.children, n.rank.fn, n.rank.window, extra)
	case nInvVol:
		a.ranked(n.children, StdevReturn, n.window, extra)
	}
	for _, c := range n.children {
		a.node(c, extra)
	}
}

func (a *analyzer) cond(c *cond, extra int) {
	for _, s := range c.subs {
		a.cond(s, extra)
	}
	for _, o := range []operand{c.left, c.right} {
		if o.ind != nil {
			a.want(o.ind.symbol, extra+o.ind.fn.Lookback(o.ind.window))
			a.inds[o.ind.String()] = true
		}
	}
}

// ranked records the indicator on each child: an asset's closes, or a simulated series, which
// needs the child evaluated on every day of the indicator's lookback.
func (a *analyzer) ranked(kids []*node, fn Indicator, window, extra int) {
	lb := fn.Lookback(window)
	for _, c := range kids {
		ref := indicatorRef{fn: fn, window: window}
		if c.kind == nAsset {
			ref.symbol = c.name
			a.want(c.name, extra+lb)
		} else {
			ref.symbol = c.label()
			a.node(c, extra+lb-1)
		}
		a.inds[ref.String()] = true
	}
}
