// Package strategy is the strategy service's use case: load the symphonies of a stage, fetch
// the daily closes they need in one bulk request, evaluate them as of a date, and return the
// combined target allocation with each strategy's own allocation and decision trace.
//
// The Lambda (cmd/lambda) and the local runtime both call Runner.Run; the backtester calls the
// same symphony.Engine day by day. Market data arrives through the small Closes port declared
// here, so the use case never knows whether bars come from Alpaca, the simulator or CSV files.
package strategy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/nyse"
	"github.com/alchemiser/alchemiser/services/strategy/strategies"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// Closes is the market-data port: the daily closes of many symbols, for the trading days from
// from to to inclusive, in one request (the adapter paginates). A symbol with no bars may be
// absent from the result. Adapters return errors that wrap ErrRetryable when trying again may
// help (a 429 or a 5xx).
type Closes interface {
	DailyCloses(ctx context.Context, symbols []string, from, to time.Time) (symphony.History, error)
}

// LatestPrices is the optional port for the latest trade of each symbol, used as today's close
// when the evaluation runs during market hours.
type LatestPrices interface {
	LatestPrices(ctx context.Context, symbols []string) (map[string]float64, error)
}

// ErrRetryable marks a data error worth retrying, such as an HTTP 429 or 5xx.
var ErrRetryable = errors.New("retryable market-data error")

// ErrDataRefused marks a data error that retrying cannot fix, such as refused keys.
var ErrDataRefused = errors.New("market data refused")

// Permanent reports whether err can never succeed on retry: a bad strategy file, a bad
// allocation file, missing data or refused market-data access.
func Permanent(err error) bool {
	var se *symphony.Error
	var de *symphony.DataError
	return errors.As(err, &se) || errors.As(err, &de) || errors.Is(err, ErrUnknownStage) || errors.Is(err, ErrDataRefused)
}

// ErrUnknownStage is returned for a stage with no bundled allocation file.
var ErrUnknownStage = errors.New("unknown stage")

// LoadAllocation parses the bundled allocation file of a stage ("dev" loads dev.json) and every
// strategy it lists.
func LoadAllocation(stage string) (*symphony.Set, error) {
	name := strings.TrimSuffix(stage, ".json") + ".json"
	if strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("load allocation %q: %w", stage, ErrUnknownStage)
	}
	set, err := symphony.LoadSet(strategies.FS(), name)
	if err != nil {
		if strings.Contains(err.Error(), "file does not exist") {
			return nil, fmt.Errorf("load allocation %q: %w", stage, ErrUnknownStage)
		}
		return nil, fmt.Errorf("load allocation %q: %w", stage, err)
	}
	return set, nil
}

// Runner evaluates sets on fetched data.
type Runner struct {
	// Closes supplies the daily closes. Required.
	Closes Closes
	// Latest, when set, supplies today's latest trades during market hours.
	Latest LatestPrices
}

// Request says what to evaluate and when.
type Request struct {
	// Set is the strategies to evaluate.
	Set *symphony.Set
	// AsOf is the date whose close to evaluate on; zero means Now's session date in New York.
	AsOf time.Time
	// Now is the current instant, from the caller's clock. It decides whether the market is
	// open: when it is and AsOf is today, today's latest trade stands in as today's close.
	Now time.Time
}

// Margin is how many extra trading days are requested beyond the static lookback, so that a
// missing bar or two does not starve an indicator.
const Margin = 5

// Run fetches the closes the set needs in one request and evaluates it.
func (r *Runner) Run(ctx context.Context, req Request) (*symphony.Result, error) {
	today := nyse.Date(req.Now.In(nyse.NewYork))
	asOf := req.AsOf
	if asOf.IsZero() {
		asOf = today
	}
	asOf = nyse.Date(asOf)
	an := req.Set.Analyze()
	syms := make([]string, len(an.Symbols))
	for i, s := range an.Symbols {
		syms[i] = s.Symbol
	}
	intraday := r.Latest != nil && asOf.Equal(today) && nyse.IsOpen(req.Now)
	to := asOf
	if s, ok := nyse.SessionOn(asOf); !ok || (asOf.Equal(today) && req.Now.Before(s.Close)) {
		// Not a trading day, or today's session has not closed: today has no close yet (a
		// source that already has one, such as a simulator, must not leak it).
		to = nyse.PreviousTradingDay(to)
	}
	from := TradingDaysBefore(to, an.Lookback+Margin)
	h, err := r.Closes.DailyCloses(ctx, syms, from, to)
	if err != nil {
		return nil, fmt.Errorf("fetch closes %s..%s: %w", from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	if intraday {
		last, err := r.Latest.LatestPrices(ctx, syms)
		if err != nil {
			return nil, fmt.Errorf("fetch latest prices: %w", err)
		}
		h = WithIntraday(h, asOf, last)
	}
	if !intraday {
		asOf = to
	}
	e, err := symphony.NewEngine(h)
	if err != nil {
		return nil, fmt.Errorf("index closes: %w", err)
	}
	return e.EvaluateSet(req.Set, asOf)
}

// TradingDaysBefore returns the date n-1 trading days before to, so that [from, to] holds n
// trading days when to is one.
func TradingDaysBefore(to time.Time, n int) time.Time {
	d := nyse.Date(to)
	for i := 1; i < n; i++ {
		d = nyse.PreviousTradingDay(d)
	}
	return d
}

// WithIntraday returns h with prices appended as the close of date for each symbol whose last
// close is before date (a close already on date is replaced). h is not modified.
func WithIntraday(h symphony.History, date time.Time, prices map[string]float64) symphony.History {
	out := make(symphony.History, len(h))
	for s, cs := range h {
		p, ok := prices[s]
		if !ok || p <= 0 {
			out[s] = cs
			continue
		}
		n := len(cs)
		for n > 0 && !cs[n-1].Date.Before(date) {
			n--
		}
		out[s] = append(append(make([]symphony.Close, 0, n+1), cs[:n]...), symphony.Close{Date: date, Price: p})
	}
	return out
}
