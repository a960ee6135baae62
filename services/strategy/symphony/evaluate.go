package symphony

import (
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Places is the number of decimal places of every output weight.
const Places = 8

// Weight is one symbol's share of an allocation.
type Weight struct {
	Symbol string
	Weight decimal.Decimal
}

// Allocation is a list of weights sorted by symbol. A non-empty allocation sums to exactly 1;
// an empty one means all cash.
type Allocation []Weight

// Map returns the allocation as symbol -> weight.
func (a Allocation) Map() map[string]decimal.Decimal {
	m := make(map[string]decimal.Decimal, len(a))
	for _, w := range a {
		m[w.Symbol] = w.Weight
	}
	return m
}

// StrategyResult is one strategy's evaluation.
type StrategyResult struct {
	// Name and File identify the symphony.
	Name string
	File string
	// Weight is the strategy's share of the whole portfolio after normalisation (and, under the
	// redistribute policy, after failed strategies' weight was shared out). Zero if it failed.
	Weight decimal.Decimal
	// Allocation is the strategy's own allocation.
	Allocation Allocation
	// Trace is the decision path: each condition taken, with its values.
	Trace []string
	// Err is why the strategy failed, under the redistribute policy.
	Err error
	// Rebalance reports the symphony's rebalance settings.
	Rebalance Rebalance
}

// Result is the evaluation of a Set as of a date.
type Result struct {
	// AsOf is the date of the last close the evaluation saw.
	AsOf time.Time
	// Weights is the combined target: each strategy's allocation times its weight.
	Weights Allocation
	// Strategies has each strategy's own result, in the order of the set.
	Strategies []StrategyResult
	// Policy is the failure policy that applied.
	Policy Policy
}

// Trace returns every strategy's trace, each line prefixed with the strategy's name.
func (r *Result) Trace() []string {
	var out []string
	for _, s := range r.Strategies {
		if s.Err != nil {
			out = append(out, s.Name+": failed: "+s.Err.Error())
			continue
		}
		for _, l := range s.Trace {
			out = append(out, s.Name+": "+l)
		}
	}
	return out
}

// Evaluate evaluates one program on closes up to and including asOf, with its trace.
func (e *Engine) Evaluate(p *Program, asOf time.Time) (Allocation, []string, time.Time, error) {
	d, err := e.day(asOf)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	var tr []string
	e.bind(p)
	a, err := e.eval(p.root, d, &tr)
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("evaluate %s: %w", p.File, err)
	}
	return e.quantise(a), tr, e.dates[d], nil
}

// Allocate is Evaluate without the trace, for backtests: it reuses memoised results.
func (e *Engine) Allocate(p *Program, asOf time.Time) (Allocation, error) {
	d, err := e.day(asOf)
	if err != nil {
		return nil, err
	}
	e.bind(p)
	a, err := e.eval(p.root, d, nil)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", p.File, err)
	}
	return e.quantise(a), nil
}

// EvaluateSet evaluates every strategy of s as of asOf and combines them by weight. Under
// PolicyFail any failure fails the run; under PolicyRedistribute a failed strategy's weight is
// shared among the others pro rata, and the failure is recorded in its StrategyResult.
func (e *Engine) EvaluateSet(s *Set, asOf time.Time) (*Result, error) {
	d, err := e.day(asOf)
	if err != nil {
		return nil, err
	}
	res := &Result{AsOf: e.dates[d], Policy: s.Policy}
	var parts []alloc
	var ws []units
	var reported []decimal.Decimal
	okIdx := []int{}
	for _, m := range s.Members {
		sr := StrategyResult{Name: m.Program.Name, File: m.Program.File, Rebalance: m.Program.Rebalance}
		var tr []string
		e.bind(m.Program)
		a, err := e.eval(m.Program.root, d, &tr)
		if err != nil {
			err = fmt.Errorf("evaluate %s: %w", m.Program.File, err)
			if s.Policy != PolicyRedistribute {
				return nil, err
			}
			sr.Err = err
			res.Strategies = append(res.Strategies, sr)
			continue
		}
		sr.Allocation = e.quantise(a)
		sr.Trace = tr
		sr.Weight = m.Weight
		res.Strategies = append(res.Strategies, sr)
		okIdx = append(okIdx, len(res.Strategies)-1)
		parts = append(parts, a)
		ws = append(ws, toUnits(m.Weight))
		reported = append(reported, m.Weight)
	}
	if len(okIdx) == 0 {
		return nil, errors.New("evaluate strategies: every strategy failed")
	}
	if len(okIdx) < len(s.Members) {
		normalise(ws)
		normaliseDecimal(reported)
		for i, j := range okIdx {
			res.Strategies[j].Weight = reported[i]
		}
	}
	res.Weights = e.quantise(e.combine(parts, ws))
	return res, nil
}

// quantise rounds an allocation to Places decimals so that it sums to exactly 1, by the
// largest-remainder method (ties go to the symbol that sorts first).
func (e *Engine) quantise(a alloc) Allocation {
	if len(a) == 0 {
		return nil
	}
	type q struct {
		sym   string
		units int64
		rem   uint64
	}
	const scale = 100_000_000 // 10^Places
	var sum units
	for _, h := range a {
		sum += h.w
	}
	qs := make([]q, len(a))
	var total int64
	for i, h := range a {
		hi, lo := bits.Mul64(uint64(h.w), scale)
		u, rem := bits.Div64(hi, lo, uint64(sum))
		qs[i] = q{sym: e.syms[h.sym], units: int64(u), rem: rem}
		total += int64(u)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].sym < qs[j].sym })
	order := make([]int, len(qs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return qs[order[i]].rem > qs[order[j]].rem })
	for i, short := 0, scale-total; short > 0; i, short = (i+1)%len(order), short-1 {
		qs[order[i]].units++
	}
	out := make(Allocation, 0, len(qs))
	for _, x := range qs {
		if x.units > 0 {
			out = append(out, Weight{Symbol: x.sym, Weight: decimal.New(x.units, -Places)})
		}
	}
	return out
}
