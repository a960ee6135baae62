package symphony

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Close is one daily close of a symbol. Date is the session date (its year, month and day are
// read in UTC).
type Close struct {
	Date  time.Time
	Price float64
}

// History holds each symbol's daily closes, oldest first.
type History map[string][]Close

// DataError says a symbol (or a simulated group) has too few closes for an indicator. It names
// the symbol and the dates needed; it is not worth retrying with the same data.
type DataError struct {
	// Symbol is the ticker, or the label of a group whose series was simulated.
	Symbol string
	// Need is the number of daily closes the indicator needs, ending on To.
	Need int
	// Have is how many were there.
	Have int
	// From is the first date needed, when the loaded calendar reaches that far back.
	From time.Time
	// To is the evaluation date.
	To time.Time
}

// Error names the symbol and the dates needed.
func (e *DataError) Error() string {
	from := "before the first loaded date"
	if !e.From.IsZero() {
		from = e.From.Format(time.DateOnly)
	}
	return fmt.Sprintf("no data for %s: need %d daily closes from %s to %s, have %d",
		e.Symbol, e.Need, from, e.To.Format(time.DateOnly), e.Have)
}

// Engine evaluates symphonies on one History. It memoises indicator series by symbol, indicator
// and window (and simulated group series by node, indicator and window), so a backtest that
// evaluates day after day computes each value once. An Engine is not safe for concurrent use.
type Engine struct {
	dates  []time.Time // the calendar: every date any symbol has a close on, ascending
	symIdx map[string]int32
	syms   []string
	closes [][]float64
	pos    [][]int32 // pos[s][d]: index of s's last close on or before dates[d], or -1

	series map[seriesKey]*dayMemo[float64]
	sims   map[*node]*simState
	binds  map[*Program][]int32 // program-local symbol index -> engine index, or -1
	cur    []int32              // the binding of the program being evaluated
	acc    []units              // scratch for combine, indexed by symbol
	seen   []bool
}

// simState memoises, per calendar day, a simulated node's allocation, the return that
// allocation earned on the next day, and the indicator values on its simulated series.
type simState struct {
	allocs dayMemo[memoAlloc]
	rets   dayMemo[float64] // rets[k]: return from day k-1 to day k of the allocation decided at k-1
	values []simValues
}

type memoAlloc struct {
	a    alloc
	done bool
}

type simValues struct {
	fn     Indicator
	window int
	v      dayMemo[float64]
}

type seriesKey struct {
	sym    int32
	fn     Indicator
	window int32
}

// holding is one symbol's weight inside an allocation.
type holding struct {
	sym int32
	w   units
}

// alloc is an allocation sorted by symbol index. nil is empty (the node holds nothing).
type alloc []holding

// NewEngine checks h and indexes it. Closes must be positive and finite, with strictly
// increasing dates.
func NewEngine(h History) (*Engine, error) {
	e := &Engine{
		symIdx: make(map[string]int32, len(h)),
		series: map[seriesKey]*dayMemo[float64]{},
		sims:   map[*node]*simState{},
		binds:  map[*Program][]int32{},
	}
	for s := range h {
		e.syms = append(e.syms, s)
	}
	sort.Strings(e.syms)
	if len(e.syms) > math.MaxInt32 {
		return nil, errors.New("load closes: too many symbols")
	}
	keysOf := make([][]int64, len(e.syms))
	var all []int64
	for i, sym := range e.syms {
		e.symIdx[sym] = int32(i)
		cs := h[sym]
		ks := make([]int64, len(cs))
		var prev int64 = math.MinInt64
		for j, c := range cs {
			k := dayKey(c.Date)
			if k <= prev {
				return nil, fmt.Errorf("load closes of %s: %s is not after the previous date", sym, c.Date.Format(time.DateOnly))
			}
			if !(c.Price > 0) || math.IsInf(c.Price, 0) {
				return nil, fmt.Errorf("load closes of %s: close %v on %s is not a positive price", sym, c.Price, c.Date.Format(time.DateOnly))
			}
			prev, ks[j] = k, k
		}
		keysOf[i] = ks
		all = append(all, ks...)
	}
	slices.Sort(all)
	keys := slices.Compact(all)
	e.dates = make([]time.Time, len(keys))
	for i, k := range keys {
		e.dates[i] = time.Unix(k*86400, 0).UTC()
	}
	e.closes = make([][]float64, len(e.syms))
	e.pos = make([][]int32, len(e.syms))
	for i, sym := range e.syms {
		cs, ks := h[sym], keysOf[i]
		e.closes[i] = make([]float64, len(cs))
		for j, c := range cs {
			e.closes[i][j] = c.Price
		}
		p := make([]int32, len(keys))
		j := -1
		for d, k := range keys {
			for j+1 < len(ks) && ks[j+1] <= k {
				j++
			}
			p[d] = int32(j)
		}
		e.pos[i] = p
	}
	e.acc = make([]units, len(e.syms))
	e.seen = make([]bool, len(e.syms))
	return e, nil
}

func dayKey(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// Dates returns the engine's calendar: every date with a close, ascending.
func (e *Engine) Dates() []time.Time { return e.dates }

// day returns the calendar index of the last date on or before asOf.
func (e *Engine) day(asOf time.Time) (int, error) {
	k := dayKey(asOf)
	d := sort.Search(len(e.dates), func(i int) bool { return dayKey(e.dates[i]) > k }) - 1
	if d < 0 {
		return 0, &DataError{Symbol: "any symbol", Need: 1, To: asOf}
	}
	return d, nil
}

func (e *Engine) dataErr(sym string, need, have, d int) error {
	de := &DataError{Symbol: sym, Need: need, Have: have, To: e.dates[d]}
	if d-need+1 >= 0 {
		de.From = e.dates[d-need+1]
	}
	return de
}

// eval evaluates n as of calendar day d. tr, when not nil, collects the decision trace.
func (e *Engine) eval(n *node, d int, tr *[]string) (alloc, error) {
	if tr == nil && n.sim {
		return e.simAlloc(e.sim(n), n, d)
	}
	return e.evalNode(n, d, tr)
}

func (e *Engine) sim(n *node) *simState {
	st, ok := e.sims[n]
	if !ok {
		st = &simState{rets: dayMemo[float64]{fill: math.NaN()}}
		e.sims[n] = st
	}
	return st
}

func (e *Engine) simAlloc(st *simState, n *node, d int) (alloc, error) {
	if m := st.allocs.at(d); m.done {
		return m.a, nil
	}
	a, err := e.evalNode(n, d, nil)
	if err != nil {
		return nil, err
	}
	*st.allocs.at(d) = memoAlloc{a: a, done: true}
	return a, nil
}

// simReturn is the return on day k of n's allocation decided at the close of day k-1.
func (e *Engine) simReturn(st *simState, n *node, k int) (float64, error) {
	if r := *st.rets.at(k); !math.IsNaN(r) {
		return r, nil
	}
	a, err := e.simAlloc(st, n, k-1)
	if err != nil {
		return 0, err
	}
	r := 0.0
	for _, h := range a {
		cs, p := e.closes[h.sym], e.pos[h.sym]
		r += float64(h.w) / float64(unit) * (cs[p[k]]/cs[p[k-1]] - 1)
	}
	*st.rets.at(k) = r
	return r, nil
}

func (e *Engine) evalNode(n *node, d int, tr *[]string) (alloc, error) {
	switch n.kind {
	case nAsset:
		s := e.cur[n.sym]
		if s < 0 || e.pos[s][d] < 0 {
			return nil, e.dataErr(n.name, 1, 0, d)
		}
		return alloc{{sym: s, w: unit}}, nil
	case nEmpty:
		return nil, nil
	case nGroup, nEqual:
		if n.kind == nGroup && tr != nil {
			return e.groupTraced(n, d, tr)
		}
		parts := make([]alloc, 0, len(n.children))
		for _, c := range n.children {
			a, err := e.eval(c, d, tr)
			if err != nil {
				return nil, err
			}
			if len(a) > 0 {
				parts = append(parts, a)
			}
		}
		return e.combineEqual(parts), nil
	case nSpecified:
		parts := make([]alloc, 0, len(n.children))
		ws := make([]units, 0, len(n.children))
		for i, c := range n.children {
			a, err := e.eval(c, d, tr)
			if err != nil {
				return nil, err
			}
			if len(a) > 0 {
				parts = append(parts, a)
				ws = append(ws, n.weights[i])
			}
		}
		if len(parts) < len(n.children) {
			normalise(ws)
		}
		return e.combine(parts, ws), nil
	case nIf:
		ok, desc, err := e.cond(n.cond, d, tr != nil)
		if err != nil {
			return nil, err
		}
		branch, word := n.children[0], "then"
		if !ok {
			branch, word = n.children[1], "else"
		}
		if tr != nil {
			*tr = append(*tr, desc+" -> "+word)
		}
		return e.eval(branch, d, tr)
	case nFilter:
		return e.filter(n, d, tr)
	case nInvVol:
		return e.invVol(n, d, tr)
	}
	return nil, fmt.Errorf("evaluate %s: unknown node", n.label())
}

// groupTraced evaluates a group, prefixing the trace lines of its subtree with its name in
// brackets, so a long trace says which part of the symphony decided what: nested groups read
// "[Outer / Inner] rsi(SPY,10)=82.31 > 79 -> then".
func (e *Engine) groupTraced(n *node, d int, tr *[]string) (alloc, error) {
	var sub []string
	parts := make([]alloc, 0, len(n.children))
	for _, c := range n.children {
		a, err := e.eval(c, d, &sub)
		if err != nil {
			return nil, err
		}
		if len(a) > 0 {
			parts = append(parts, a)
		}
	}
	for _, l := range sub {
		if strings.HasPrefix(l, "[") {
			l = "[" + n.name + " / " + l[1:]
		} else {
			l = "[" + n.name + "] " + l
		}
		*tr = append(*tr, l)
	}
	return e.combineEqual(parts), nil
}

func (e *Engine) combineEqual(parts []alloc) alloc {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	share := unit / units(len(parts))
	ws := make([]units, len(parts))
	for i := range ws {
		ws[i] = share
	}
	return e.combine(parts, ws)
}

// combine returns sum(ws[i] * parts[i]).
func (e *Engine) combine(parts []alloc, ws []units) alloc {
	if len(parts) == 0 {
		return nil
	}
	if len(parts) == 1 && ws[0] == unit {
		return parts[0]
	}
	touched := make([]int32, 0, 8)
	for i, p := range parts {
		if ws[i] == 0 {
			continue
		}
		for _, h := range p {
			v := mul(h.w, ws[i])
			if !e.seen[h.sym] {
				e.seen[h.sym] = true
				e.acc[h.sym] = v
				touched = append(touched, h.sym)
			} else {
				e.acc[h.sym] += v
			}
		}
	}
	slices.Sort(touched)
	out := make(alloc, 0, len(touched))
	for _, s := range touched {
		e.seen[s] = false
		if e.acc[s] > 0 {
			out = append(out, holding{sym: s, w: e.acc[s]})
		}
	}
	return out
}

// cond evaluates a condition; desc describes it with its values when describe is set.
func (e *Engine) cond(c *cond, d int, describe bool) (bool, string, error) {
	switch c.op {
	case "and", "or":
		res := c.op == "and"
		desc := ""
		for i, s := range c.subs {
			ok, sd, err := e.cond(s, d, describe)
			if err != nil {
				return false, "", err
			}
			if c.op == "and" {
				res = res && ok
			} else {
				res = res || ok
			}
			if describe {
				if i > 0 {
					desc += " " + c.op + " "
				}
				desc += sd
			}
		}
		if describe && len(c.subs) > 1 {
			desc = "(" + desc + ")"
		}
		return res, desc, nil
	}
	l, ld, err := e.operand(c.left, d, describe)
	if err != nil {
		return false, "", err
	}
	r, rd, err := e.operand(c.right, d, describe)
	if err != nil {
		return false, "", err
	}
	var ok bool
	switch c.op {
	case ">":
		ok = l > r && !approxEqual(l, r)
	case "<":
		ok = l < r && !approxEqual(l, r)
	case ">=":
		ok = l >= r || approxEqual(l, r)
	case "<=":
		ok = l <= r || approxEqual(l, r)
	case "=":
		ok = approxEqual(l, r)
	}
	if !describe {
		return ok, "", nil
	}
	return ok, ld + " " + c.op + " " + rd, nil
}

// approxEqual treats values within a relative 1e-9 as equal, so float noise never decides a
// comparison against a round threshold.
func approxEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func (e *Engine) operand(o operand, d int, describe bool) (float64, string, error) {
	if o.ind == nil {
		return o.num, o.lit, nil
	}
	v, err := e.symbolIndicator(o.ind.symbol, o.ind.sym, o.ind.fn, o.ind.window, d)
	if err != nil {
		return 0, "", err
	}
	if !describe {
		return v, "", nil
	}
	return v, o.ind.String() + "=" + fmtValue(v), nil
}

// symbolIndicator returns fn(window) on the closes of sym (program-local index local) up to
// calendar day d, memoised.
func (e *Engine) symbolIndicator(sym string, local int32, fn Indicator, window, d int) (float64, error) {
	s := e.cur[local]
	if s < 0 {
		return 0, e.dataErr(sym, fn.Lookback(window), 0, d)
	}
	i := int(e.pos[s][d])
	if i+1 < fn.minCloses(window) {
		return 0, e.dataErr(sym, fn.Lookback(window), i+1, d)
	}
	k := seriesKey{s, fn, int32(window)}
	ser, ok := e.series[k]
	if !ok {
		ser = &dayMemo[float64]{fill: math.NaN()}
		e.series[k] = ser
	}
	cell := ser.at(i)
	if !math.IsNaN(*cell) {
		return *cell, nil
	}
	cs := e.closes[s]
	v := fn.compute(cs[max(0, i+1-fn.Lookback(window)):i+1], window)
	*ser.at(i) = v
	return v, nil
}

// bind sets the symbol binding of p for the evaluation that follows.
func (e *Engine) bind(p *Program) {
	b, ok := e.binds[p]
	if !ok {
		b = make([]int32, len(p.symtab))
		for i, s := range p.symtab {
			if j, ok := e.symIdx[s]; ok {
				b[i] = j
			} else {
				b[i] = -1
			}
		}
		e.binds[p] = b
	}
	e.cur = b
}

// nodeIndicator returns fn(window) on the simulated NAV series of n up to day d, memoised. The
// series starts at 1 on the first day of the indicator's lookback; n's allocation decided at
// each day's close earns the next day's close-to-close returns.
func (e *Engine) nodeIndicator(n *node, fn Indicator, window, d int) (float64, error) {
	st := e.sim(n)
	var vals *dayMemo[float64]
	for i := range st.values {
		if st.values[i].fn == fn && st.values[i].window == window {
			vals = &st.values[i].v
			break
		}
	}
	if vals == nil {
		st.values = append(st.values, simValues{fn: fn, window: window, v: dayMemo[float64]{fill: math.NaN()}})
		vals = &st.values[len(st.values)-1].v
	}
	if v := *vals.at(d); !math.IsNaN(v) {
		return v, nil
	}
	start := max(0, d+1-fn.Lookback(window))
	points := d - start + 1
	if points < fn.minCloses(window) {
		return 0, e.dataErr(n.label(), fn.Lookback(window), points, d)
	}
	nav := make([]float64, points)
	nav[0] = 1
	for j := 1; j < points; j++ {
		r, err := e.simReturn(st, n, start+j)
		if err != nil {
			return 0, err
		}
		nav[j] = nav[j-1] * (1 + r)
	}
	v := fn.compute(nav, window)
	*e.simValue(n, fn, window).at(d) = v
	return v, nil
}

// simValue returns the memo of fn(window) on n's simulated series (found again after nested
// evaluations, which may have grown st.values).
func (e *Engine) simValue(n *node, fn Indicator, window int) *dayMemo[float64] {
	st := e.sims[n]
	for i := range st.values {
		if st.values[i].fn == fn && st.values[i].window == window {
			return &st.values[i].v
		}
	}
	panic("symphony: simulated value memo lost")
}

// childIndicator ranks or weighs a child: an asset by its own closes, anything else by its
// simulated series.
func (e *Engine) childIndicator(c *node, fn Indicator, window, d int) (float64, error) {
	if c.kind == nAsset {
		return e.symbolIndicator(c.name, c.sym, fn, window, d)
	}
	return e.nodeIndicator(c, fn, window, d)
}

type ranked struct {
	i     int
	v     float64
	a     alloc
	trace []string
}

func (e *Engine) filter(n *node, d int, tr *[]string) (alloc, error) {
	cands := make([]ranked, 0, len(n.children))
	for i, c := range n.children {
		var sub []string
		var subp *[]string
		if tr != nil {
			subp = &sub
		}
		a, err := e.eval(c, d, subp)
		if err != nil {
			return nil, err
		}
		if len(a) == 0 {
			continue
		}
		v, err := e.childIndicator(c, n.rank.fn, n.rank.window, d)
		if err != nil {
			return nil, err
		}
		cands = append(cands, ranked{i: i, v: v, a: a, trace: sub})
	}
	order := append([]ranked(nil), cands...)
	sort.SliceStable(order, func(i, j int) bool {
		if n.top {
			return order[i].v > order[j].v
		}
		return order[i].v < order[j].v
	})
	sel := order[:min(n.count, len(order))]
	sort.Slice(sel, func(i, j int) bool { return sel[i].i < sel[j].i })
	parts := make([]alloc, len(sel))
	for i, r := range sel {
		parts[i] = r.a
	}
	if tr != nil {
		line := "filter " + n.rank.String()
		if n.top {
			line += " select-top "
		} else {
			line += " select-bottom "
		}
		line += itoa(n.count) + ":"
		for i, c := range cands {
			if i > 0 {
				line += ","
			}
			line += " " + n.children[c.i].label() + "=" + fmtValue(c.v)
		}
		line += " ->"
		for i, r := range sel {
			if i > 0 {
				line += ","
			}
			line += " " + n.children[r.i].label()
		}
		*tr = append(*tr, line)
		for _, r := range sel {
			*tr = append(*tr, r.trace...)
		}
	}
	return e.combineEqual(parts), nil
}

func (e *Engine) invVol(n *node, d int, tr *[]string) (alloc, error) {
	var parts []alloc
	var vols []float64
	var labels []string
	for _, c := range n.children {
		a, err := e.eval(c, d, tr)
		if err != nil {
			return nil, err
		}
		if len(a) == 0 {
			continue
		}
		v, err := e.childIndicator(c, StdevReturn, n.window, d)
		if err != nil {
			return nil, err
		}
		parts = append(parts, a)
		vols = append(vols, v)
		if tr != nil {
			labels = append(labels, c.label())
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	ws := inverseWeights(vols)
	if tr != nil {
		line := "weight-inverse-volatility(" + itoa(n.window) + "):"
		for i := range parts {
			if i > 0 {
				line += ","
			}
			line += " " + labels[i] + " stdev-return=" + fmtValue(vols[i]) + " -> " + decimal.New(int64(ws[i]), -15).StringFixed(4)
		}
		*tr = append(*tr, line)
	}
	return e.combine(parts, ws), nil
}

// inverseWeights weights each child by 1/vol, normalised. Children with zero volatility share
// everything equally: the limit of inverse weighting.
func inverseWeights(vols []float64) []units {
	inv := make([]float64, len(vols))
	zero := 0
	for _, v := range vols {
		if v <= 0 {
			zero++
		}
	}
	sum := 0.0
	for i, v := range vols {
		switch {
		case zero > 0 && v <= 0:
			inv[i] = 1
		case zero > 0:
			inv[i] = 0
		default:
			inv[i] = 1 / v
		}
		sum += inv[i]
	}
	ws := make([]units, len(vols))
	rest := unit
	last := -1
	for i := range inv {
		if inv[i] > 0 {
			last = i
		}
	}
	for i := range inv {
		if i == last {
			ws[i] = rest
			break
		}
		ws[i] = units(math.Round(inv[i] / sum * float64(unit)))
		rest -= ws[i]
	}
	return ws
}
