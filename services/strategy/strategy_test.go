package strategy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/nyse"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// fakeCloses serves a random walk on NYSE trading days and counts requests.
type fakeCloses struct {
	calls   int
	symbols []string
	from    time.Time
}

var _ strategy.Closes = (*fakeCloses)(nil)

func (f *fakeCloses) DailyCloses(_ context.Context, syms []string, from, to time.Time) (symphony.History, error) {
	f.calls++
	f.symbols, f.from = syms, from
	h := symphony.History{}
	for k, s := range syms {
		p := 50.0 + float64(k)
		for i, d := range nyse.TradingDays(from, to) {
			p *= 1 + 0.01*float64((i*7+k*3)%5-2)/2
			h[s] = append(h[s], symphony.Close{Date: d, Price: p})
		}
	}
	return h, nil
}

type fakeLatest map[string]float64

func (f fakeLatest) LatestPrices(context.Context, []string) (map[string]float64, error) {
	return f, nil
}

// Legacy bug 4: data was fetched again for every indicator call. Evaluating every bundled
// strategy must make exactly one bulk request covering the static lookback.
func TestRunFetchesOnce(t *testing.T) {
	set, err := strategy.LoadAllocation("dev")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeCloses{}
	r := &strategy.Runner{Closes: f}
	now := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC) // after the close
	res, err := r.Run(context.Background(), strategy.Request{Set: set, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if f.calls != 1 {
		t.Fatalf("%d data requests, want 1", f.calls)
	}
	an := set.Analyze()
	if len(f.symbols) != len(an.Symbols) {
		t.Fatalf("requested %d symbols, want %d", len(f.symbols), len(an.Symbols))
	}
	if got := len(nyse.TradingDays(f.from, now)); got != an.Lookback+strategy.Margin {
		t.Fatalf("requested %d trading days, want %d", got, an.Lookback+strategy.Margin)
	}
	if res.AsOf.Format(time.DateOnly) != "2026-11-27" {
		t.Fatalf("as of %s", res.AsOf)
	}
	if len(res.Strategies) != len(set.Members) {
		t.Fatalf("%d strategy results", len(res.Strategies))
	}
}

func TestRunIntradayUsesLatestTrade(t *testing.T) {
	p, err := symphony.Parse("t.clj", []byte(`(defsymphony "t" {} (if (> (current-price "SPY") 1000) [(asset "QQQ")] [(asset "BIL")]))`))
	if err != nil {
		t.Fatal(err)
	}
	set := symphony.Single(p)
	open := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC) // 10:00 in New York
	tests := []struct {
		name   string
		now    time.Time
		latest fakeLatest
		want   string
		asOf   string
	}{
		{"open: latest trade is today's close", open, fakeLatest{"SPY": 2000, "QQQ": 1, "BIL": 1}, "QQQ", "2026-11-27"},
		{"closed: last close", time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC), fakeLatest{"SPY": 2000}, "BIL", "2026-11-27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &strategy.Runner{Closes: &fakeCloses{}, Latest: tt.latest}
			res, err := r.Run(context.Background(), strategy.Request{Set: set, Now: tt.now})
			if err != nil {
				t.Fatal(err)
			}
			if res.Weights[0].Symbol != tt.want || res.AsOf.Format(time.DateOnly) != tt.asOf {
				t.Fatalf("got %v as of %s, want %s as of %s (trace %v)", res.Weights, res.AsOf, tt.want, tt.asOf, res.Trace())
			}
		})
	}
}

func TestLoadAllocation(t *testing.T) {
	for _, stage := range []string{"dev", "prod"} {
		set, err := strategy.LoadAllocation(stage)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		sum := set.Members[0].Weight
		for _, m := range set.Members[1:] {
			sum = sum.Add(m.Weight)
		}
		if sum.Round(12).String() != "1" {
			t.Fatalf("%s: weights sum to %s", stage, sum)
		}
	}
	_, err := strategy.LoadAllocation("nope")
	if !errors.Is(err, strategy.ErrUnknownStage) || !strategy.Permanent(err) {
		t.Fatalf("unknown stage: %v", err)
	}
}

func TestPermanent(t *testing.T) {
	_, perr := symphony.Parse("x.clj", []byte("(bogus)"))
	tests := []struct {
		err  error
		want bool
	}{
		{perr, true},
		{&symphony.DataError{Symbol: "XLE"}, true},
		{errors.New("boom"), false},
		{strategy.ErrRetryable, false},
	}
	for _, tt := range tests {
		if got := strategy.Permanent(tt.err); got != tt.want {
			t.Errorf("Permanent(%v) = %v", tt.err, got)
		}
	}
	if !strings.Contains(perr.Error(), "x.clj:1:1") {
		t.Fatal(perr)
	}
}

// Before today's close, a source that already has today's bar (a simulator) must not leak it.
func TestRunBeforeCloseUsesLastClose(t *testing.T) {
	p, err := symphony.Parse("t.clj", []byte(`(defsymphony "t" {} (asset "SPY"))`))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeCloses{}
	r := &strategy.Runner{Closes: f}
	morning := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC) // 09:00 in New York, Monday
	res, err := r.Run(context.Background(), strategy.Request{Set: symphony.Single(p), Now: morning})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.AsOf.Format(time.DateOnly); got != "2026-11-27" {
		t.Fatalf("as of %s, want the last close 2026-11-27", got)
	}
}
