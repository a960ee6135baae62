// Package marketsim supplies daily bars for the local cloud: a deterministic, seeded generator
// of plausible price histories, and a loader of real bars from CSV files. The Alpaca simulator
// serves its market-data endpoints from a Source, and the strategy backtester reads one
// directly.
//
// The generator keeps the relationships strategies care about: QQQ is the base market; TQQQ and
// SQQQ return plus and minus three times QQQ's daily return less fees; UVXY decays and spikes
// when the market falls; BIL drifts like Treasury bills; TLT is only loosely tied to stocks.
// Any other symbol gets an equity-like series seeded by its name. A bar depends only on the
// seed, the symbol and the date, never on the range requested.
package marketsim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/nyse"
)

// Bar is one daily bar of a symbol.
type Bar struct {
	// Date is the session date at midnight UTC.
	Date time.Time
	// Open, High, Low and Close are prices in dollars.
	Open, High, Low, Close decimal.Decimal
	// Volume is the number of shares traded.
	Volume int64
}

// Source gives daily bars of a symbol for the trading days from from to to, both inclusive.
type Source interface {
	DailyBars(symbol string, from, to time.Time) ([]Bar, error)
}

// ErrUnknownSymbol is returned by a Source that has no bars for a symbol.
var ErrUnknownSymbol = errors.New("unknown symbol")

// HistoryStart is the first session the generator produces.
var HistoryStart = time.Date(2010, 1, 4, 0, 0, 0, 0, time.UTC)

// HistoryEnd is the last date the generator produces bars for.
var HistoryEnd = time.Date(2035, 12, 31, 0, 0, 0, 0, time.UTC)

var (
	daysOnce sync.Once
	allDays  []time.Time
)

func tradingDays() []time.Time {
	daysOnce.Do(func() { allDays = nyse.TradingDays(HistoryStart, HistoryEnd) })
	return allDays
}

// Generator is a deterministic Source of synthetic daily bars. It is safe for concurrent use;
// each symbol's history is generated once and cached.
type Generator struct {
	seed int64

	mu     sync.Mutex
	series map[string]*series
}

type series struct {
	once sync.Once
	rets []float64 // daily close-to-close returns, index-aligned with tradingDays()
	bars []packed  // index-aligned with tradingDays()

	mu    sync.Mutex
	years map[int][]Bar // decoded bars by year, built on first use
}

// year returns the decoded bars of year y, aligned with tradingDays()[yearStart(y):].
func (s *series) year(y int) []Bar {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.years[y]; ok {
		return b
	}
	days := tradingDays()
	lo, hi := yearBounds(y)
	b := make([]Bar, hi-lo)
	for k := range b {
		b[k] = s.bars[lo+k].bar(days[lo+k])
	}
	if s.years == nil {
		s.years = make(map[int][]Bar)
	}
	s.years[y] = b
	return b
}

// yearBounds returns the index range of year y's sessions in tradingDays().
func yearBounds(y int) (lo, hi int) {
	days := tradingDays()
	lo = sort.Search(len(days), func(i int) bool { return days[i].Year() >= y })
	hi = sort.Search(len(days), func(i int) bool { return days[i].Year() > y })
	return lo, hi
}

// packed is a bar in 40 bytes: prices in 1/10000 dollars. Decimals are built only for the
// bars a caller asks for, which keeps a long history of many symbols small.
type packed struct{ o, h, l, c, v int64 }

func (p packed) bar(date time.Time) Bar {
	return Bar{Date: date, Open: unpack(p.o), High: unpack(p.h), Low: unpack(p.l), Close: unpack(p.c), Volume: p.v}
}

func unpack(v int64) decimal.Decimal {
	if v%100 == 0 {
		return decimal.New(v/100, -2)
	}
	return decimal.New(v, -4)
}

var _ Source = (*Generator)(nil)

// NewGenerator returns a generator whose histories are fixed by seed.
func NewGenerator(seed int64) *Generator {
	return &Generator{seed: seed, series: make(map[string]*series)}
}

// Seed returns the generator's seed.
func (g *Generator) Seed() int64 { return g.seed }

// LastDate returns the last date the generator has bars for.
func (g *Generator) LastDate() time.Time { d := tradingDays(); return d[len(d)-1] }

// DailyBars returns the bars of symbol for the trading days from from to to inclusive. The
// returned slice is the caller's to keep.
func (g *Generator) DailyBars(symbol string, from, to time.Time) ([]Bar, error) {
	sym := strings.ToUpper(strings.TrimSpace(symbol))
	if sym == "" {
		return nil, fmt.Errorf("generate bars: empty symbol")
	}
	s := g.get(sym)
	days := tradingDays()
	f, t := nyse.Date(from), nyse.Date(to)
	i := sort.Search(len(days), func(i int) bool { return !days[i].Before(f) })
	j := sort.Search(len(days), func(i int) bool { return days[i].After(t) })
	if i >= j {
		return []Bar{}, nil
	}
	out := make([]Bar, 0, j-i)
	for k := i; k < j; {
		y := days[k].Year()
		lo, _ := yearBounds(y)
		chunk := s.year(y)
		n := min(j-k, lo+len(chunk)-k)
		out = append(out, chunk[k-lo:k-lo+n]...)
		k += n
	}
	return out, nil
}

// window copies the bars dated within [from, to] (calendar dates) out of sorted bars.
func window(bars []Bar, from, to time.Time) []Bar {
	f, t := nyse.Date(from), nyse.Date(to)
	i := sort.Search(len(bars), func(i int) bool { return !bars[i].Date.Before(f) })
	j := sort.Search(len(bars), func(i int) bool { return bars[i].Date.After(t) })
	if i >= j {
		return []Bar{}
	}
	out := make([]Bar, j-i)
	copy(out, bars[i:j])
	return out
}

func (g *Generator) get(sym string) *series {
	g.mu.Lock()
	s, ok := g.series[sym]
	if !ok {
		s = &series{}
		g.series[sym] = s
	}
	g.mu.Unlock()
	s.once.Do(func() { g.generate(sym, s) })
	return s
}

func (g *Generator) rng(sym string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(sym))
	return rand.New(rand.NewPCG(uint64(g.seed), h.Sum64()))
}

// hashUnit maps (symbol, salt) to a number in [0, 1).
func hashUnit(sym, salt string) float64 {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(sym))
	return float64(h.Sum64()>>11) / float64(1<<53)
}

const tradingDaysPerYear = 252

// generate fills s with the history of sym.
func (g *Generator) generate(sym string, s *series) {
	days := tradingDays()
	n := len(days)
	r := g.rng(sym)
	rets := make([]float64, n)
	start := 100.0
	vol := 0.012 // a typical daily volatility, used for the intraday range

	switch sym {
	case "QQQ":
		start, vol = 46, 0.013
		regime := 1.0
		for i := range rets {
			// Volatility regimes: calm most of the time, occasional stressed stretches.
			if r.Float64() < 0.01 {
				regime = 1.8 + r.Float64()
			} else {
				regime = 1 + (regime-1)*0.97
			}
			z := r.NormFloat64()
			if r.Float64() < 0.02 { // fat tails
				z *= 2.5
			}
			rets[i] = 0.0006 + 0.012*regime*z
		}
	case "TQQQ", "SQQQ":
		base := g.get("QQQ").rets
		lev := 3.0
		start, vol = 2.0, 0.039
		if sym == "SQQQ" {
			lev, start = -3, 200_000
		}
		fee := 0.0095 / tradingDaysPerYear
		for i := range rets {
			rets[i] = math.Max(lev*base[i]-fee, -0.95)
		}
	case "UVXY":
		// A decaying level times a volatility factor that jumps when the market falls.
		base := g.get("QQQ").rets
		start, vol = 2_000_000, 0.05
		v := 0.0
		prev := 0.0
		for i := range rets {
			v = 0.93*v - 4*base[i] + 0.01*r.NormFloat64()
			if base[i] < -0.02 {
				v += 0.05 * r.Float64()
			}
			logP := -0.003*float64(i) + v
			if i > 0 {
				rets[i] = math.Exp(logP-prev) - 1
			}
			prev = logP
		}
	case "BIL":
		start, vol = 91.5, 0.0003
		rate := 0.001
		for i := range rets {
			rate = math.Min(math.Max(rate+0.0003*r.NormFloat64(), 0.0005), 0.055)
			rets[i] = rate/tradingDaysPerYear + 0.00005*r.NormFloat64()
		}
	case "TLT":
		base := g.get("QQQ").rets
		start, vol = 90, 0.009
		for i := range rets {
			rets[i] = 0.0001 - 0.15*(base[i]-0.0006) + 0.0085*r.NormFloat64()
		}
	default:
		base := g.get("QQQ").rets
		beta := 0.4 + 1.2*hashUnit(sym, "beta")
		idio := 0.006 + 0.016*hashUnit(sym, "idio")
		drift := 0.0004*(hashUnit(sym, "drift")-0.4) + 0.5*idio*idio
		start = 10 + 290*hashUnit(sym, "price")
		vol = math.Sqrt(beta*beta*0.013*0.013 + idio*idio)
		for i := range rets {
			rets[i] = drift + beta*base[i] + idio*r.NormFloat64()
		}
	}
	if sym != "UVXY" {
		rets[0] = 0
	}

	baseVolume := 1e6 + 5e7*hashUnit(sym, "volume")
	bars := make([]packed, n)
	closePx := start
	prevClose := start
	for i := range days {
		closePx = prevClose * (1 + rets[i])
		gap := 0.3 * vol * r.NormFloat64()
		openPx := prevClose * (1 + gap)
		if i == 0 {
			openPx = closePx * (1 + gap)
		}
		hi := math.Max(openPx, closePx) * (1 + math.Abs(0.4*vol*r.NormFloat64()))
		lo := math.Min(openPx, closePx) * (1 - math.Abs(0.4*vol*r.NormFloat64()))
		volume := int64(baseVolume * (1 + 20*math.Abs(rets[i])) * math.Exp(0.3*r.NormFloat64()))
		o, c := price(openPx), price(closePx)
		// Keep OHLC consistent after rounding.
		h := max(price(hi), o, c)
		l := min(price(lo), o, c)
		bars[i] = packed{o: o, h: h, l: l, c: c, v: volume}
		prevClose = closePx
	}
	s.rets = rets
	s.bars = bars
}

// price rounds a positive float price to cents (to 1/10000 below one dollar), never to zero,
// in units of 1/10000 dollar.
func price(x float64) int64 {
	if x >= 1 {
		return int64(math.Round(x*100)) * 100
	}
	return max(int64(math.Round(x*10000)), 1)
}
