// Package service is the strategy service's composition root, shared by the Lambda binary and
// the local runtime: it reads the Config and builds the adapters, the runner and the router
// once.
//
// The service handles WorkflowStarted: it loads the bundled strategies of the stage (or the
// allocation the event names), fetches the daily closes they need from Alpaca in one request,
// evaluates them and publishes SignalGenerated, or StepFailed for a bad strategy or missing data.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/internal/adapters/alpacadata"
	"github.com/alchemiser/alchemiser/services/strategy/internal/handler"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
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
	// Closes and Latest supply market data; nil means Alpaca.
	Closes strategy.Closes
	Latest strategy.LatestPrices
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// New builds the strategy service's router from cfg.
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
	if deps.Closes == nil {
		client, err := alpacaclient.New(cfg.Alpaca, alpacaclient.Options{Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("build alpaca adapter: %w", err)
		}
		src := alpacadata.New(client)
		deps.Closes = src
		if deps.Latest == nil {
			deps.Latest = src
		}
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
	runner := &strategy.Runner{Closes: deps.Closes, Latest: deps.Latest}
	h := handler.New(runner, cachedLoader(strategy.LoadAllocation), deps.Publisher, Producer, cfg.Allocation, deps.Now)
	r := lambdaevent.NewRouter(logger,
		lambdaevent.Recover(),
		lambdaevent.Logging(logger),
		lambdaevent.MetricsWithClock(deps.Metrics, deps.Now),
		lambdaevent.Timeout(0),
		lambdaevent.Idempotency(deps.Store, Producer, cfg.IdempotencyLease, deps.Now),
	)
	r.Handle(v1.TypeWorkflowStarted, h.OnWorkflowStarted)
	return r, nil
}

// cachedLoader parses each bundled allocation once per cold start: compiled programs are
// immutable and safe to share between invocations. Failures are not cached.
func cachedLoader(load handler.Loader) handler.Loader {
	var mu sync.Mutex
	sets := map[string]*symphony.Set{}
	return func(name string) (*symphony.Set, error) {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := sets[name]; ok {
			return s, nil
		}
		s, err := load(name)
		if err != nil {
			return nil, err
		}
		sets[name] = s
		return s, nil
	}
}
