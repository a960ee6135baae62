package symphony

import (
	"math"
)

// Indicator is one of the Composer indicators on a daily close series.
type Indicator uint8

// The indicators. Return-based ones are in percent, as Composer's are.
const (
	RSI Indicator = iota + 1
	MovingAveragePrice
	ExponentialMovingAveragePrice
	MovingAverageReturn
	CumulativeReturn
	StdevReturn
	StdevPrice
	MaxDrawdown
	CurrentPrice
)

// MaxWindow is the largest window accepted: ten years of trading days.
const MaxWindow = 2520

// warmup is how many windows of history the recursive indicators (rsi, ema) read.
const warmup = 10

var indicatorByName = map[string]Indicator{
	"rsi":                              RSI,
	"moving-average-price":             MovingAveragePrice,
	"exponential-moving-average-price": ExponentialMovingAveragePrice,
	"moving-average-return":            MovingAverageReturn,
	"cumulative-return":                CumulativeReturn,
	"stdev-return":                     StdevReturn,
	"stdev-price":                      StdevPrice,
	"max-drawdown":                     MaxDrawdown,
	"current-price":                    CurrentPrice,
}

var indicatorNames = [...]string{
	RSI:                           "rsi",
	MovingAveragePrice:            "moving-average-price",
	ExponentialMovingAveragePrice: "exponential-moving-average-price",
	MovingAverageReturn:           "moving-average-return",
	CumulativeReturn:              "cumulative-return",
	StdevReturn:                   "stdev-return",
	StdevPrice:                    "stdev-price",
	MaxDrawdown:                   "max-drawdown",
	CurrentPrice:                  "current-price",
}

// String returns the indicator's Composer name, such as "rsi".
func (k Indicator) String() string {
	if int(k) < len(indicatorNames) && indicatorNames[k] != "" {
		return indicatorNames[k]
	}
	return "unknown-indicator"
}

// HasWindow reports whether the indicator takes a window (all but current-price).
func (k Indicator) HasWindow() bool { return k != CurrentPrice }

// minWindow is the smallest window that gives a defined value.
func (k Indicator) minWindow() int {
	switch k {
	case StdevReturn, StdevPrice:
		return 2
	default:
		return 1
	}
}

// Lookback returns how many daily closes, ending on the evaluation date, the indicator reads
// for window n. The recursive indicators (rsi, exponential-moving-average-price) read ten
// windows so the value does not depend on how much older history happens to be loaded.
func (k Indicator) Lookback(n int) int {
	switch k {
	case CurrentPrice:
		return 1
	case RSI:
		return warmup*n + 1
	case ExponentialMovingAveragePrice:
		return warmup * n
	case MovingAveragePrice, StdevPrice:
		return n
	default: // return-based: n daily returns need n+1 closes
		return n + 1
	}
}

// minCloses returns the fewest closes that define the indicator for window n.
func (k Indicator) minCloses(n int) int {
	switch k {
	case CurrentPrice:
		return 1
	case RSI:
		return n + 1
	case ExponentialMovingAveragePrice, MovingAveragePrice, StdevPrice:
		return n
	default:
		return n + 1
	}
}

// Series computes the indicator with window n at every index of closes, each from the trailing
// closes that Lookback allows. Indexes with too little history are NaN. It is the reference the
// evaluator uses, exported for tests and tools.
func (k Indicator) Series(closes []float64, n int) []float64 {
	out := make([]float64, len(closes))
	lb, mn := k.Lookback(n), k.minCloses(n)
	for i := range closes {
		if i+1 < mn {
			out[i] = math.NaN()
			continue
		}
		out[i] = k.compute(closes[max(0, i+1-lb):i+1], n)
	}
	return out
}

// compute evaluates the indicator on x, the trailing closes (minCloses <= len(x) <= Lookback).
func (k Indicator) compute(x []float64, n int) float64 {
	last := len(x) - 1
	switch k {
	case CurrentPrice:
		return x[last]
	case MovingAveragePrice:
		return mean(x[len(x)-n:])
	case StdevPrice:
		return sampleStdev(x[len(x)-n:])
	case ExponentialMovingAveragePrice:
		return ema(x, n)
	case RSI:
		return wilderRSI(x, n)
	case CumulativeReturn:
		return (x[last]/x[last-n] - 1) * 100
	case MovingAverageReturn:
		s := 0.0
		for i := len(x) - n; i <= last; i++ {
			s += x[i]/x[i-1] - 1
		}
		return s / float64(n) * 100
	case StdevReturn:
		var r [64]float64
		rets := r[:0]
		for i := len(x) - n; i <= last; i++ {
			rets = append(rets, x[i]/x[i-1]-1)
		}
		return sampleStdev(rets) * 100
	case MaxDrawdown:
		peak, dd := x[len(x)-n-1], 0.0
		for _, v := range x[len(x)-n:] {
			if v > peak {
				peak = v
			} else if d := (peak - v) / peak; d > dd {
				dd = d
			}
		}
		return dd * 100
	}
	return math.NaN()
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// sampleStdev is the sample standard deviation (divisor n-1).
func sampleStdev(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	m := mean(x)
	s := 0.0
	for _, v := range x {
		d := v - m
		s += d * d
	}
	return math.Sqrt(s / float64(len(x)-1))
}

// ema seeds with the simple average of the first n closes of x, then applies
// ema = a*close + (1-a)*ema with a = 2/(n+1) to the rest.
func ema(x []float64, n int) float64 {
	e := mean(x[:n])
	a := 2 / float64(n+1)
	for _, v := range x[n:] {
		e = a*v + (1-a)*e
	}
	return e
}

// wilderRSI seeds the average gain and loss with the simple average of the first n changes in
// x, then smooths each later change with avg = (avg*(n-1) + change)/n. With no losses the RSI is
// 100; with neither gains nor losses it is 50.
func wilderRSI(x []float64, n int) float64 {
	gain, loss := 0.0, 0.0
	for i := 1; i <= n; i++ {
		if d := x[i] - x[i-1]; d > 0 {
			gain += d
		} else {
			loss -= d
		}
	}
	gain /= float64(n)
	loss /= float64(n)
	fn := float64(n)
	for i := n + 1; i < len(x); i++ {
		g, l := 0.0, 0.0
		if d := x[i] - x[i-1]; d > 0 {
			g = d
		} else {
			l = -d
		}
		gain = (gain*(fn-1) + g) / fn
		loss = (loss*(fn-1) + l) / fn
	}
	if loss == 0 {
		if gain == 0 {
			return 50
		}
		return 100
	}
	return 100 - 100/(1+gain/loss)
}
