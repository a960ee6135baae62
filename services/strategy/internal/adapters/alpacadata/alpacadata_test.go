package alpacadata_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/internal/adapters/alpacadata"
)

type fakeClient struct {
	err   error
	calls int
}

func (f *fakeClient) DailyBars(_ context.Context, syms []market.Symbol, _, _ time.Time) (map[market.Symbol][]alpacaclient.Bar, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	out := map[market.Symbol][]alpacaclient.Bar{}
	for _, s := range syms {
		out[s] = []alpacaclient.Bar{{Date: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Close: market.NewMoney(decimal.RequireFromString("101.25"))}}
	}
	return out, nil
}

func (f *fakeClient) LatestTrades(context.Context, []market.Symbol) (map[market.Symbol]alpacaclient.Trade, error) {
	return map[market.Symbol]alpacaclient.Trade{"SPY": {Price: market.NewMoney(decimal.NewFromInt(600))}}, f.err
}

func TestDailyClosesOneRequestAndErrorClasses(t *testing.T) {
	f := &fakeClient{}
	src := alpacadata.New(f)
	h, err := src.DailyCloses(context.Background(), []string{"SPY", "QQQ"}, time.Time{}, time.Time{})
	if err != nil || f.calls != 1 || h["QQQ"][0].Price != 101.25 {
		t.Fatalf("history %v, %d calls, err %v", h, f.calls, err)
	}
	tests := []struct {
		err       error
		retryable bool
		permanent bool
	}{
		{fmt.Errorf("x: %w", alpacaclient.ErrRateLimited), true, false},
		{fmt.Errorf("x: %w", alpacaclient.ErrUnavailable), true, false},
		{fmt.Errorf("x: %w", alpacaclient.ErrUnauthorized), false, true},
		{errors.New("other"), false, false},
	}
	for _, tt := range tests {
		_, err := alpacadata.New(&fakeClient{err: tt.err}).DailyCloses(context.Background(), []string{"SPY"}, time.Time{}, time.Time{})
		if errors.Is(err, strategy.ErrRetryable) != tt.retryable || strategy.Permanent(err) != tt.permanent {
			t.Errorf("%v: retryable %v permanent %v", err, errors.Is(err, strategy.ErrRetryable), strategy.Permanent(err))
		}
	}
}
