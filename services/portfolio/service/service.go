// Package service is the portfolio service's composition root, shared by the Lambda binary and
// the local runtime: it reads the Config and builds the adapters, the app and the router once.
//
// The service handles SignalGenerated: it reads the account, positions, quotes and assets from
// Alpaca, plans the rebalance and publishes RebalancePlanned (or StepFailed when the signal
// cannot be planned).
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/handler"
)

// Deps are the parts New builds from the Config; a test or the local runtime may supply any of
// them instead. A nil field is built from the Config.
type Deps struct {
	// Broker and Market read the account, positions, assets and prices (app.Broker and
	// app.MarketData); both or neither.
	Broker app.Broker
	Market app.MarketData
	// Publisher publishes the events.
	Publisher eventbus.Publisher
	// Store remembers the events already handled.
	Store idempotency.Store
	// Metrics receives the handler's metrics; nil writes EMF lines to standard output.
	Metrics *emf.Recorder
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New builds the portfolio service's router from cfg.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*lambdaevent.Router, error) {
	return NewWithDeps(ctx, cfg, logger, Deps{})
}

// NewWithDeps is New with some parts supplied by the caller.
func NewWithDeps(ctx context.Context, cfg Config, logger *slog.Logger, deps Deps) (*lambdaevent.Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if (deps.Broker == nil) != (deps.Market == nil) {
		return nil, errors.New("build portfolio service: supply both Broker and Market, or neither")
	}
	if deps.Broker == nil {
		b, m, err := newAlpaca(cfg.Alpaca, logger)
		if err != nil {
			return nil, fmt.Errorf("build alpaca adapters: %w", err)
		}
		deps.Broker, deps.Market = b, m
	}
	if deps.Publisher == nil {
		p, err := cfg.Base.Publisher(ctx, logger)
		if err != nil {
			return nil, err
		}
		deps.Publisher = p
	}
	if deps.Store == nil {
		s, err := cfg.Dedup.Store(ctx)
		if err != nil {
			return nil, err
		}
		deps.Store = s
	}
	if deps.Metrics == nil {
		deps.Metrics = cfg.Base.Metrics(os.Stdout, Producer)
	}
	planner, err := app.NewPlanner(deps.Broker, deps.Market, cfg.Params)
	if err != nil {
		return nil, err
	}
	h := handler.New(planner, deps.Publisher, Producer, deps.Now, logger)
	r := lambdaevent.NewRouter(logger,
		lambdaevent.Recover(),
		lambdaevent.Logging(logger),
		lambdaevent.MetricsWithClock(deps.Metrics, deps.Now),
		lambdaevent.Idempotency(deps.Store, Producer, cfg.IdempotencyLease, deps.Now),
		lambdaevent.Timeout(cfg.IdempotencyLease/2),
	)
	r.Handle(v1.TypeSignalGenerated, h.SignalGenerated)
	return r, nil
}
