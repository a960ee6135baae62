// Package backtest replays a set of symphonies day by day on historical daily bars with the
// same symphony.Engine the live service uses, and reports how the portfolio would have done.
//
// Model:
//   - Each strategy is a sleeve that starts with its weight of the capital and trades on its
//     own schedule; sleeves are not rebalanced against each other.
//   - On a check day (every trading day for :daily, the first trading day of each week, month,
//     quarter or year otherwise, never for :none) the strategy is evaluated on closes up to that
//     day and the sleeve trades to the target at that day's close (close-to-close fills, as
//     Composer evaluates near the close). With :rebalance-threshold the sleeve trades only if
//     some holding's weight is more than the threshold away from its target; with :none and a
//     threshold, every day is a check day. The first day always trades.
//   - Costs: cost-bps and slippage-bps are both charged on the traded notional, so a trade of
//     $10,000 at 5 + 5 bps costs $10. Fractional shares are allowed; there is no cash yield.
//   - Money is decimal; the statistics are computed in float64 from the daily values.
//
// The output depends only on the inputs: the same bars and settings give the same report, byte
// for byte.
package backtest

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// Bar is one daily close.
type Bar struct {
	Date  time.Time
	Close decimal.Decimal
}

// Config is one backtest.
type Config struct {
	// Set is the strategies and their weights.
	Set *symphony.Set
	// Bars holds each symbol's daily bars, oldest first, including the warm-up before From
	// that the set's lookback needs.
	Bars map[string][]Bar
	// From and To bound the simulated days (inclusive); zero means the ends of the data after
	// the warm-up.
	From, To time.Time
	// CostBps and SlippageBps are charged on traded notional.
	CostBps, SlippageBps decimal.Decimal
	// Capital is the starting value; zero means 100,000.
	Capital decimal.Decimal
	// Progress, when set, is called after each simulated day.
	Progress func(done, total int)
}

// Day is the portfolio at one close, after any trades.
type Day struct {
	Date time.Time
	// Value is the portfolio's value.
	Value decimal.Decimal
	// Weights is each symbol's share of Value, in the order of Result.Symbols (cash is the rest).
	Weights []float64
	// Rebalanced lists the strategies that traded.
	Rebalanced []string
}

// Stats summarises a backtest.
type Stats struct {
	Start, End time.Time
	Days       int
	StartValue decimal.Decimal
	EndValue   decimal.Decimal
	// CAGR is the compound annual growth rate over calendar time (0.12 = 12%).
	CAGR float64
	// Volatility is the sample standard deviation of daily returns times sqrt(252).
	Volatility float64
	// Sharpe is the mean daily return over its standard deviation times sqrt(252), with a zero
	// risk-free rate.
	Sharpe float64
	// MaxDrawdown is the largest peak-to-trough fall of the value (0.2 = 20%).
	MaxDrawdown float64
	// Turnover is the one-way traded notional per year as a fraction of the value (the first
	// day's purchases excluded).
	Turnover float64
	// Rebalances counts sleeve trades; Costs is the total charged.
	Rebalances int
	Costs      decimal.Decimal
}

// Result is a finished backtest.
type Result struct {
	Name    string
	Symbols []string
	Days    []Day
	Stats   Stats
	// Strategies lists each sleeve's name, file, weight and rebalance settings.
	Strategies []symphony.StrategyResult
}

// sleeve is one strategy's book.
type sleeve struct {
	prog *symphony.Program
	cash decimal.Decimal
	qty  []decimal.Decimal // by symbol index
	held []bool
}

var (
	bp             = decimal.New(1, -4)
	defaultCapital = decimal.NewFromInt(100000)
)

// Run runs the backtest.
func Run(cfg Config) (*Result, error) {
	if cfg.Set == nil || len(cfg.Set.Members) == 0 {
		return nil, errors.New("run backtest: no strategies")
	}
	capital := cfg.Capital
	if capital.IsZero() {
		capital = defaultCapital
	}
	syms := make([]string, 0, len(cfg.Bars))
	for s := range cfg.Bars {
		syms = append(syms, s)
	}
	sort.Strings(syms)
	idx := make(map[string]int, len(syms))
	h := make(symphony.History, len(syms))
	for i, s := range syms {
		idx[s] = i
		cs := make([]symphony.Close, len(cfg.Bars[s]))
		for j, b := range cfg.Bars[s] {
			cs[j] = symphony.Close{Date: b.Date, Price: b.Close.InexactFloat64()}
		}
		h[s] = cs
	}
	eng, err := symphony.NewEngine(h)
	if err != nil {
		return nil, fmt.Errorf("run backtest: %w", err)
	}
	cal := eng.Dates()
	// prices[s][d]: the last close on or before cal[d], zero before the first.
	prices := make([][]decimal.Decimal, len(syms))
	for i, s := range syms {
		p := make([]decimal.Decimal, len(cal))
		bars := cfg.Bars[s]
		j := -1
		for d, date := range cal {
			for j+1 < len(bars) && !bars[j+1].Date.After(date) {
				j++
			}
			if j >= 0 {
				p[d] = bars[j].Close
			}
		}
		prices[i] = p
	}
	first, last := 0, len(cal)-1
	if !cfg.From.IsZero() {
		first = sort.Search(len(cal), func(i int) bool { return !cal[i].Before(dateOf(cfg.From)) })
	} else {
		first = min(cfg.Set.Analyze().Lookback-1, len(cal)-1)
	}
	if !cfg.To.IsZero() {
		last = sort.Search(len(cal), func(i int) bool { return cal[i].After(dateOf(cfg.To)) }) - 1
	}
	if first < 0 || first > last || last < 0 {
		return nil, fmt.Errorf("run backtest: no trading days with data between %s and %s", fmtDate(cfg.From), fmtDate(cfg.To))
	}
	res := &Result{Name: cfg.Set.Name, Symbols: syms}
	sleeves := make([]*sleeve, len(cfg.Set.Members))
	for i, m := range cfg.Set.Members {
		sleeves[i] = &sleeve{prog: m.Program, cash: capital.Mul(m.Weight).Round(10), qty: make([]decimal.Decimal, len(syms)), held: make([]bool, len(syms))}
		res.Strategies = append(res.Strategies, symphony.StrategyResult{Name: m.Program.Name, File: m.Program.File, Weight: m.Weight, Rebalance: m.Program.Rebalance})
	}
	costRate := cfg.CostBps.Add(cfg.SlippageBps).Mul(bp)
	total := last - first + 1
	var traded, costs decimal.Decimal
	rebalances := 0
	for d := first; d <= last; d++ {
		day := Day{Date: cal[d], Weights: make([]float64, len(syms))}
		value := decimal.Zero
		for _, sl := range sleeves {
			v := sl.value(prices, d)
			check := d == first || checkDay(sl.prog.Rebalance, cal[d-1], cal[d])
			if check {
				target, err := eng.Allocate(sl.prog, cal[d])
				if err != nil {
					return nil, fmt.Errorf("run backtest on %s: %w", fmtDate(cal[d]), err)
				}
				tw := make([]decimal.Decimal, len(syms))
				for _, w := range target {
					j, ok := idx[w.Symbol]
					if !ok {
						return nil, fmt.Errorf("run backtest on %s: no bars for %s", fmtDate(cal[d]), w.Symbol)
					}
					tw[j] = w.Weight
				}
				if d == first || sl.drifted(tw, prices, d, v) {
					notional := sl.trade(tw, prices, d, v)
					cost := notional.Mul(costRate).Round(10)
					sl.cash = sl.cash.Sub(cost)
					costs = costs.Add(cost)
					if d != first {
						traded = traded.Add(notional.Div(decimal.NewFromInt(2)))
					}
					rebalances++
					day.Rebalanced = append(day.Rebalanced, sl.prog.Name)
					v = sl.value(prices, d)
				}
			}
			value = value.Add(v)
			for j, q := range sl.qty {
				if sl.held[j] {
					day.Weights[j] += q.Mul(prices[j][d]).InexactFloat64()
				}
			}
		}
		day.Value = value.Round(2)
		vf := value.InexactFloat64()
		for j := range day.Weights {
			if vf > 0 {
				day.Weights[j] /= vf
			}
		}
		res.Days = append(res.Days, day)
		if cfg.Progress != nil {
			cfg.Progress(d-first+1, total)
		}
	}
	res.Stats = stats(res.Days, traded)
	res.Stats.Rebalances = rebalances
	res.Stats.Costs = costs.Round(2)
	return res, nil
}

func (sl *sleeve) value(prices [][]decimal.Decimal, d int) decimal.Decimal {
	v := sl.cash
	for j, q := range sl.qty {
		if sl.held[j] {
			v = v.Add(q.Mul(prices[j][d]))
		}
	}
	return v
}

// drifted reports whether the sleeve should trade to tw: always without a threshold, else when
// some weight is more than the threshold from its target.
func (sl *sleeve) drifted(tw []decimal.Decimal, prices [][]decimal.Decimal, d int, v decimal.Decimal) bool {
	r := sl.prog.Rebalance
	if !r.HasThreshold {
		return true
	}
	if !v.IsPositive() {
		return false
	}
	for j := range tw {
		cur := decimal.Zero
		if sl.held[j] {
			cur = sl.qty[j].Mul(prices[j][d]).Div(v)
		}
		if cur.Sub(tw[j]).Abs().GreaterThan(r.Threshold) {
			return true
		}
	}
	return false
}

// trade moves the sleeve to tw at day d's closes and returns the gross notional traded (buys
// plus sells).
func (sl *sleeve) trade(tw []decimal.Decimal, prices [][]decimal.Decimal, d int, v decimal.Decimal) decimal.Decimal {
	notional := decimal.Zero
	cash := v
	for j := range tw {
		if !sl.held[j] && tw[j].IsZero() {
			continue
		}
		p := prices[j][d]
		cur := decimal.Zero
		if sl.held[j] {
			cur = sl.qty[j].Mul(p)
		}
		want := v.Mul(tw[j])
		notional = notional.Add(want.Sub(cur).Abs())
		if tw[j].IsZero() || !p.IsPositive() {
			sl.qty[j], sl.held[j] = decimal.Zero, false
			continue
		}
		sl.qty[j] = want.DivRound(p, 10)
		sl.held[j] = true
		cash = cash.Sub(sl.qty[j].Mul(p))
	}
	sl.cash = cash
	return notional
}

// checkDay reports whether day is a scheduled check for r, given the previous trading day.
func checkDay(r symphony.Rebalance, prev, day time.Time) bool {
	switch r.Frequency {
	case symphony.Weekly:
		py, pw := prev.ISOWeek()
		y, w := day.ISOWeek()
		return py != y || pw != w
	case symphony.Monthly:
		return prev.Month() != day.Month() || prev.Year() != day.Year()
	case symphony.Quarterly:
		return (prev.Month()-1)/3 != (day.Month()-1)/3 || prev.Year() != day.Year()
	case symphony.Yearly:
		return prev.Year() != day.Year()
	case symphony.Never:
		return r.HasThreshold
	default:
		return true
	}
}

func stats(days []Day, traded decimal.Decimal) Stats {
	s := Stats{Start: days[0].Date, End: days[len(days)-1].Date, Days: len(days),
		StartValue: days[0].Value, EndValue: days[len(days)-1].Value}
	vals := make([]float64, len(days))
	for i, d := range days {
		vals[i] = d.Value.InexactFloat64()
	}
	years := s.End.Sub(s.Start).Hours() / 24 / 365.25
	if years > 0 && vals[0] > 0 && vals[len(vals)-1] > 0 {
		s.CAGR = math.Pow(vals[len(vals)-1]/vals[0], 1/years) - 1
	}
	if len(vals) > 2 {
		rets := make([]float64, len(vals)-1)
		mean := 0.0
		for i := 1; i < len(vals); i++ {
			rets[i-1] = vals[i]/vals[i-1] - 1
			mean += rets[i-1]
		}
		mean /= float64(len(rets))
		ss := 0.0
		for _, r := range rets {
			ss += (r - mean) * (r - mean)
		}
		sd := math.Sqrt(ss / float64(len(rets)-1))
		s.Volatility = sd * math.Sqrt(252)
		if sd > 0 {
			s.Sharpe = mean / sd * math.Sqrt(252)
		}
	}
	peak := vals[0]
	for _, v := range vals {
		peak = math.Max(peak, v)
		if peak > 0 {
			s.MaxDrawdown = math.Max(s.MaxDrawdown, (peak-v)/peak)
		}
	}
	if years > 0 {
		avg := 0.0
		for _, v := range vals {
			avg += v
		}
		avg /= float64(len(vals))
		s.Turnover = traded.InexactFloat64() / avg / years
	}
	return s
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "the ends of the data"
	}
	return t.Format(time.DateOnly)
}
