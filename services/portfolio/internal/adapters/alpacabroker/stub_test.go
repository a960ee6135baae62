package alpacabroker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/alpacabroker"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
)

// stub is a hand-written alpacabroker.Client for the cases the simulator does not produce.
type stub struct {
	acct      alpacaclient.Account
	positions []alpacaclient.Position
	assets    map[market.Symbol]alpacaclient.Asset
	err       error
}

func (s stub) Account(context.Context) (alpacaclient.Account, error) { return s.acct, s.err }
func (s stub) Positions(context.Context) ([]alpacaclient.Position, error) {
	return s.positions, s.err
}
func (s stub) Asset(_ context.Context, sym market.Symbol) (alpacaclient.Asset, error) {
	if s.err != nil {
		return alpacaclient.Asset{}, s.err
	}
	a, ok := s.assets[sym]
	if !ok {
		return a, fmt.Errorf("get asset %s: %w", sym, alpacaclient.ErrNotFound)
	}
	return a, nil
}
func (s stub) Assets(context.Context) ([]alpacaclient.Asset, error) { return nil, s.err }
func (s stub) LatestQuotes(context.Context, []market.Symbol) (map[market.Symbol]alpacaclient.Quote, error) {
	return nil, s.err
}
func (s stub) LatestTrades(context.Context, []market.Symbol) (map[market.Symbol]alpacaclient.Trade, error) {
	return nil, s.err
}

func TestAdapterEdges(t *testing.T) {
	ctx := context.Background()
	t.Run("a short position has a negative quantity", func(t *testing.T) {
		a := alpacabroker.New(stub{positions: []alpacaclient.Position{
			{Symbol: "SH", Qty: market.NewQty(decimal.NewFromInt(5)), Side: "short"},
			{Symbol: "LG", Qty: market.NewQty(decimal.RequireFromString("1.5")), Side: "long"},
		}})
		ps, err := a.Positions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ps[0].Qty.String() != "-5" || ps[1].Qty.String() != "1.5" {
			t.Errorf("positions %+v", ps)
		}
	})
	t.Run("a blocked account is permanent", func(t *testing.T) {
		_, err := alpacabroker.New(stub{acct: alpacaclient.Account{ID: "a1", TradingBlocked: true}}).Account(ctx)
		if !errors.Is(err, app.ErrPermanent) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("an unavailable broker is retryable", func(t *testing.T) {
		_, err := alpacabroker.New(stub{err: alpacaclient.ErrUnavailable}).Positions(ctx)
		if err == nil || errors.Is(err, app.ErrPermanent) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("an unknown or inactive asset", func(t *testing.T) {
		a := alpacabroker.New(stub{assets: map[market.Symbol]alpacaclient.Asset{
			"OLD": {Symbol: "OLD", Tradable: true, Status: "inactive", Fractionable: true},
		}})
		got, err := a.Assets(ctx, []market.Symbol{"OLD", "NONE"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got["NONE"]; ok || got["OLD"].Tradable {
			t.Errorf("assets %+v", got)
		}
	})
}
