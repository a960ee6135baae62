// Package service is the execution service's composition root, shared by the Lambda binary and
// the local runtime: it reads the Config and builds the adapters, the app and the router once.
//
// The service handles RebalancePlanned: it guards the plan (market clock, kill switch, replay
// and dry run, order size), trades it on Alpaca exactly once however often it is delivered,
// and publishes TradeExecuted with every order's outcome (or StepFailed for a plan it cannot
// trade).
package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/execution/internal/adapters/alpacabroker"
	"github.com/alchemiser/alchemiser/services/execution/internal/adapters/clock"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/handler"
)

// Deps are the parts New builds from the Config; a test or the local runtime may supply any of
// them instead. A nil field is built from the Config.
type Deps struct {
	// Publisher publishes the events.
	Publisher eventbus.Publisher
	// Store remembers the events already handled.
	Store idempotency.Store
	// Metrics receives the handler's metrics; nil writes EMF lines to standard output.
	Metrics *emf.Recorder
	// Alpaca tunes the Alpaca adapter (HTTP client, rate limiter, backoff); the zero value is
	// production behaviour.
	Alpaca alpacaclient.Options
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New builds the execution service's router from cfg.
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
	if deps.Alpaca.Logger == nil {
		deps.Alpaca.Logger = logger
	}
	client, err := alpacaclient.New(cfg.Alpaca, deps.Alpaca)
	if err != nil {
		return nil, fmt.Errorf("build alpaca adapter: %w", err)
	}
	var updates app.TradeUpdates
	if cfg.Stream {
		updates = alpacabroker.NewStream(client, logger)
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
	exec := app.NewExecutor(alpacabroker.New(client), updates, clock.System{}, cfg.Execution, logger)
	h := handler.New(exec, deps.Publisher, Producer, cfg.TradingMode(), deps.Metrics)
	r := lambdaevent.NewRouter(logger,
		lambdaevent.Recover(),
		lambdaevent.Logging(logger),
		lambdaevent.MetricsWithClock(deps.Metrics, deps.Now),
		lambdaevent.Idempotency(deps.Store, Producer, cfg.IdempotencyLease, deps.Now),
	)
	r.Handle(v1.TypeRebalancePlanned, h.OnRebalancePlanned)
	return r, nil
}
