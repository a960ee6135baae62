// Package alpacabroker fits pkg/alpaca/alpacaclient to the planner's ports: it reads the
// account, positions, assets, quotes and last trades, and turns refused credentials into
// app.ErrPermanent so that they are reported instead of retried.
package alpacabroker

import (
	"context"
	"errors"
	"fmt"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

var (
	_ app.Broker     = (*Adapter)(nil)
	_ app.MarketData = (*Adapter)(nil)
)

// ListThreshold is the number of symbols above which Assets lists every active asset in one
// request instead of asking for each symbol.
const ListThreshold = 20

// Client is the part of alpacaclient.Client the adapter uses.
type Client interface {
	Account(ctx context.Context) (alpacaclient.Account, error)
	Positions(ctx context.Context) ([]alpacaclient.Position, error)
	Asset(ctx context.Context, sym market.Symbol) (alpacaclient.Asset, error)
	Assets(ctx context.Context) ([]alpacaclient.Asset, error)
	LatestQuotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]alpacaclient.Quote, error)
	LatestTrades(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]alpacaclient.Trade, error)
}

var _ Client = (*alpacaclient.Client)(nil)

// Adapter implements app.Broker and app.MarketData over an Alpaca client.
type Adapter struct {
	c Client
}

// New returns an Adapter over c.
func New(c Client) *Adapter { return &Adapter{c: c} }

// decide marks the failures retrying cannot fix as permanent.
func decide(err error) error {
	if errors.Is(err, alpacaclient.ErrUnauthorized) {
		return fmt.Errorf("%w: %w", app.ErrPermanent, err)
	}
	return err
}

// Account implements app.Broker.
func (a *Adapter) Account(ctx context.Context) (app.Account, error) {
	acct, err := a.c.Account(ctx)
	if err != nil {
		return app.Account{}, decide(err)
	}
	if acct.AccountBlocked || acct.TradingBlocked {
		return app.Account{}, fmt.Errorf("%w: account %s is blocked (account_blocked=%t, trading_blocked=%t)",
			app.ErrPermanent, acct.ID, acct.AccountBlocked, acct.TradingBlocked)
	}
	return app.Account{Equity: acct.Equity, Cash: acct.Cash}, nil
}

// Positions implements app.Broker. A short position has a negative quantity.
func (a *Adapter) Positions(ctx context.Context) ([]domain.Position, error) {
	ps, err := a.c.Positions(ctx)
	if err != nil {
		return nil, decide(err)
	}
	out := make([]domain.Position, 0, len(ps))
	for _, p := range ps {
		q := p.Qty.Decimal()
		if p.Side == "short" && q.IsPositive() {
			q = q.Neg()
		}
		out = append(out, domain.Position{Symbol: p.Symbol, Qty: q})
	}
	return out, nil
}

// Assets implements app.Broker: one request per symbol for a few symbols, else the list of
// active assets plus one request per symbol missing from it (an inactive asset still held).
func (a *Adapter) Assets(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Asset, error) {
	out := make(map[market.Symbol]domain.Asset, len(symbols))
	missing := symbols
	if len(symbols) > ListThreshold {
		all, err := a.c.Assets(ctx)
		if err != nil {
			return nil, decide(err)
		}
		want := make(map[market.Symbol]bool, len(symbols))
		for _, s := range symbols {
			want[s] = true
		}
		for _, x := range all {
			if want[x.Symbol] {
				out[x.Symbol] = toAsset(x)
			}
		}
		missing = nil
		for _, s := range symbols {
			if _, ok := out[s]; !ok {
				missing = append(missing, s)
			}
		}
	}
	for _, s := range missing {
		x, err := a.c.Asset(ctx, s)
		switch {
		case errors.Is(err, alpacaclient.ErrNotFound):
			continue // unknown to the broker: the planner says so
		case err != nil:
			return nil, decide(err)
		}
		out[s] = toAsset(x)
	}
	return out, nil
}

func toAsset(x alpacaclient.Asset) domain.Asset {
	return domain.Asset{Tradable: x.Tradable && (x.Status == "" || x.Status == "active"), Fractionable: x.Fractionable}
}

// LatestQuotes implements app.MarketData.
func (a *Adapter) LatestQuotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Quote, error) {
	qs, err := a.c.LatestQuotes(ctx, symbols)
	if err != nil {
		return nil, decide(err)
	}
	out := make(map[market.Symbol]domain.Quote, len(qs))
	for s, q := range qs {
		out[s] = domain.Quote{Bid: q.Bid.Decimal(), Ask: q.Ask.Decimal()}
	}
	return out, nil
}

// LatestTrades implements app.MarketData.
func (a *Adapter) LatestTrades(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]decimal.Decimal, error) {
	ts, err := a.c.LatestTrades(ctx, symbols)
	if err != nil {
		return nil, decide(err)
	}
	out := make(map[market.Symbol]decimal.Decimal, len(ts))
	for s, t := range ts {
		out[s] = t.Price.Decimal()
	}
	return out, nil
}
