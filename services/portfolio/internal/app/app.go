// Package app is the portfolio service's use case: gather the account, positions, prices and
// assets through small ports, plan the rebalance with the pure domain, and identify the plan.
package app

import (
	"context"
	"errors"
	"fmt"
	"slices"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

// ErrPermanent marks a failure that retrying will not fix, such as refused credentials or an
// input the planner cannot plan. Adapters wrap it; the handler reports such failures as
// StepFailed instead of retrying. errors.Is finds it.
var ErrPermanent = errors.New("permanent failure")

// Account is the part of the broker account a plan is sized on.
type Account struct {
	Equity market.Money
	Cash   market.Money
}

// Broker is what the planner reads from the brokerage.
type Broker interface {
	// Account returns the equity and cash.
	Account(ctx context.Context) (Account, error)
	// Positions returns every open position.
	Positions(ctx context.Context) ([]domain.Position, error)
	// Assets returns the facts of each symbol the broker knows; unknown symbols are left out.
	Assets(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Asset, error)
}

// MarketData is what the planner reads from the market-data service.
type MarketData interface {
	// LatestQuotes returns the latest bid and ask per symbol; symbols without a quote are left out.
	LatestQuotes(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Quote, error)
	// LatestTrades returns the latest trade price per symbol; symbols without a trade are left out.
	LatestTrades(ctx context.Context, symbols []market.Symbol) (map[market.Symbol]decimal.Decimal, error)
}

// Request asks for a plan.
type Request struct {
	// CorrelationID identifies the workflow; the plan ID is derived from it and the inputs.
	CorrelationID string
	// Targets is the target allocation; empty means all cash.
	Targets []domain.Target
}

// Result is a plan and its identity.
type Result struct {
	PlanID string
	Plan   domain.Plan
}

// Planner is the plan-a-rebalance use case.
type Planner struct {
	broker Broker
	market MarketData
	params domain.Params
}

// NewPlanner returns a Planner that reads through broker and md and plans with params.
func NewPlanner(broker Broker, md MarketData, params domain.Params) (*Planner, error) {
	if broker == nil || md == nil {
		return nil, errors.New("new planner: broker and market data are required")
	}
	if err := params.Validate(); err != nil {
		return nil, fmt.Errorf("new planner: %w", err)
	}
	return &Planner{broker: broker, market: md, params: params}, nil
}

// Plan reads the account, positions, quotes (and last trades where the book is one-sided,
// crossed or empty) and assets, and plans the rebalance. An error wrapping ErrPermanent is not
// worth retrying; any other error is.
func (p *Planner) Plan(ctx context.Context, req Request) (Result, error) {
	acct, err := p.broker.Account(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read account: %w", err)
	}
	positions, err := p.broker.Positions(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read positions: %w", err)
	}
	symbols := universe(positions, req.Targets)
	in := domain.Input{
		Equity: acct.Equity, Cash: acct.Cash,
		Positions: positions, Targets: req.Targets,
		Quotes: map[market.Symbol]domain.Quote{}, Assets: map[market.Symbol]domain.Asset{},
	}
	if len(symbols) > 0 {
		if in.Assets, err = p.broker.Assets(ctx, symbols); err != nil {
			return Result{}, fmt.Errorf("read assets: %w", err)
		}
		quotes, err := p.market.LatestQuotes(ctx, symbols)
		if err != nil {
			return Result{}, fmt.Errorf("read quotes: %w", err)
		}
		var needTrade []market.Symbol
		for _, s := range symbols {
			q := quotes[s]
			in.Quotes[s] = domain.Quote{Bid: q.Bid, Ask: q.Ask}
			if domain.NeedsLastTrade(q) {
				needTrade = append(needTrade, s)
			}
		}
		if len(needTrade) > 0 {
			trades, err := p.market.LatestTrades(ctx, needTrade)
			if err != nil {
				return Result{}, fmt.Errorf("read last trades: %w", err)
			}
			for _, s := range needTrade {
				q := in.Quotes[s]
				q.Last = trades[s]
				in.Quotes[s] = q
			}
		}
	}
	plan, err := domain.Build(in, p.params)
	if err != nil {
		return Result{}, fmt.Errorf("plan rebalance: %w: %w", ErrPermanent, err)
	}
	return Result{PlanID: v1.DeriveID("plan", req.CorrelationID, domain.Fingerprint(in, p.params)), Plan: plan}, nil
}

// universe returns every held or targeted symbol, sorted, once.
func universe(positions []domain.Position, targets []domain.Target) []market.Symbol {
	out := make([]market.Symbol, 0, len(positions)+len(targets))
	for _, x := range positions {
		out = append(out, x.Symbol)
	}
	for _, x := range targets {
		out = append(out, x.Symbol)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
