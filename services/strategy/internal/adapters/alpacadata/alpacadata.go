// Package alpacadata adapts the Alpaca market-data client to the strategy service's ports: daily
// closes for many symbols in one paginated request, and the latest trades.
package alpacadata

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// Client is the part of the Alpaca client this adapter uses.
type Client interface {
	DailyBars(ctx context.Context, symbols []market.Symbol, start, end time.Time) (map[market.Symbol][]alpacaclient.Bar, error)
	LatestTrades(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]alpacaclient.Trade, error)
}

var _ Client = (*alpacaclient.Client)(nil)

// Source serves closes and latest prices from Alpaca.
type Source struct{ c Client }

var (
	_ strategy.Closes       = (*Source)(nil)
	_ strategy.LatestPrices = (*Source)(nil)
)

// New returns a Source over c.
func New(c Client) *Source { return &Source{c: c} }

// DailyCloses fetches the daily bars of every symbol in one request (the client paginates).
func (s *Source) DailyCloses(ctx context.Context, symbols []string, from, to time.Time) (symphony.History, error) {
	syms, err := parse(symbols)
	if err != nil {
		return nil, err
	}
	bars, err := s.c.DailyBars(ctx, syms, from, to)
	if err != nil {
		return nil, classify("get daily bars", err)
	}
	h := make(symphony.History, len(bars))
	for sym, bs := range bars {
		cs := make([]symphony.Close, len(bs))
		for i, b := range bs {
			cs[i] = symphony.Close{Date: b.Date, Price: b.Close.Decimal().InexactFloat64()}
		}
		h[sym.String()] = cs
	}
	return h, nil
}

// LatestPrices returns each symbol's last sale price.
func (s *Source) LatestPrices(ctx context.Context, symbols []string) (map[string]float64, error) {
	syms, err := parse(symbols)
	if err != nil {
		return nil, err
	}
	trades, err := s.c.LatestTrades(ctx, syms)
	if err != nil {
		return nil, classify("get latest trades", err)
	}
	out := make(map[string]float64, len(trades))
	for sym, t := range trades {
		out[sym.String()] = t.Price.Decimal().InexactFloat64()
	}
	return out, nil
}

func parse(symbols []string) ([]market.Symbol, error) {
	out := make([]market.Symbol, len(symbols))
	for i, s := range symbols {
		sym, err := market.ParseSymbol(s)
		if err != nil {
			return nil, fmt.Errorf("request market data: %w", err)
		}
		out[i] = sym
	}
	return out, nil
}

// classify marks rate limiting and outages as retryable, and refused keys as permanent.
func classify(op string, err error) error {
	switch {
	case errors.Is(err, alpacaclient.ErrRateLimited), errors.Is(err, alpacaclient.ErrUnavailable):
		return fmt.Errorf("%s: %w: %w", op, strategy.ErrRetryable, err)
	case errors.Is(err, alpacaclient.ErrUnauthorized):
		return fmt.Errorf("%s: %w: %w", op, strategy.ErrDataRefused, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
