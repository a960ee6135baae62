package localcloud

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/infra/local/lambdahost"
	"github.com/alchemiser/alchemiser/pkg/emf"
	execution "github.com/alchemiser/alchemiser/services/execution/service"
	notifier "github.com/alchemiser/alchemiser/services/notifier/service"
	orchestrator "github.com/alchemiser/alchemiser/services/orchestrator/service"
	portfolio "github.com/alchemiser/alchemiser/services/portfolio/service"
	strategy "github.com/alchemiser/alchemiser/services/strategy/service"
)

// spec is how one service runs locally: its Lambda settings and how to build its handler from
// its environment, exactly as its cmd/lambda main does with os.Getenv. The timeouts also bound
// each delivery's idempotency lease, so they are kept as short as the work allows: after a
// crash, an event is free for its retry once the dead invocation's time is up.
type spec struct {
	timeout     time.Duration
	concurrency int
	build       func(ctx context.Context, getenv func(string) string, log *slog.Logger, metrics *emf.Recorder) (lambdahost.Handler, error)
}

var specs = map[routing.Service]spec{
	routing.Strategy: {timeout: time.Minute, concurrency: 2, build: func(ctx context.Context, getenv func(string) string, log *slog.Logger, m *emf.Recorder) (lambdahost.Handler, error) {
		cfg, err := strategy.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		r, err := strategy.NewWithDeps(ctx, cfg, log, strategy.Deps{Metrics: m})
		if err != nil {
			return nil, err
		}
		return r.Invoke, nil
	}},
	routing.Portfolio: {timeout: 30 * time.Second, concurrency: 2, build: func(ctx context.Context, getenv func(string) string, log *slog.Logger, m *emf.Recorder) (lambdahost.Handler, error) {
		cfg, err := portfolio.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		r, err := portfolio.NewWithDeps(ctx, cfg, log, portfolio.Deps{Metrics: m})
		if err != nil {
			return nil, err
		}
		return r.Invoke, nil
	}},
	// Execution has concurrency 1, as its reserved concurrency in AWS: two plans never trade at once.
	routing.Execution: {timeout: 2 * time.Minute, concurrency: 1, build: func(ctx context.Context, getenv func(string) string, log *slog.Logger, m *emf.Recorder) (lambdahost.Handler, error) {
		cfg, err := execution.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		r, err := execution.NewWithDeps(ctx, cfg, log, execution.Deps{Metrics: m})
		if err != nil {
			return nil, err
		}
		return r.Invoke, nil
	}},
	routing.Orchestrator: {timeout: 30 * time.Second, concurrency: 4, build: func(ctx context.Context, getenv func(string) string, log *slog.Logger, m *emf.Recorder) (lambdahost.Handler, error) {
		cfg, err := orchestrator.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		f, err := orchestrator.NewWithDeps(ctx, cfg, log, orchestrator.Deps{Metrics: m})
		if err != nil {
			return nil, err
		}
		return f.Invoke, nil
	}},
	routing.Notifier: {timeout: time.Minute, concurrency: 2, build: func(ctx context.Context, getenv func(string) string, log *slog.Logger, m *emf.Recorder) (lambdahost.Handler, error) {
		cfg, err := notifier.ConfigFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		f, err := notifier.NewWithDeps(ctx, cfg, log, notifier.Deps{Metrics: m})
		if err != nil {
			return nil, err
		}
		return f.Invoke, nil
	}},
}

// Env returns the environment a service's function runs with locally: the same variables its
// Lambda gets in AWS, pointed at the local endpoints and state.
func (c *Cloud) Env(svc routing.Service) map[string]string {
	env := map[string]string{
		"STAGE":                Stage,
		"LOG_LEVEL":            "info",
		"AWS_REGION":           c.Bus.Region(),
		"EVENT_BUS_NAME":       BusName,
		"EVENTBRIDGE_ENDPOINT": c.EventsEndpoint(),
		"IDEMPOTENCY_STORE":    "sqlite:" + c.opts.path("idempotency-"+string(svc)+".db"),
	}
	switch svc {
	case routing.Strategy, routing.Portfolio, routing.Execution:
		env["ALPACA_TRADING_URL"] = c.simURL
		env["ALPACA_DATA_URL"] = c.simURL
		env["ALPACA_KEY_ID"] = alpacasim.DefaultKeyID
		env["ALPACA_SECRET_KEY"] = alpacasim.DefaultSecretKey
		env["ALPACA_FEED"] = "iex"
		env["ALPACA_LIVE"] = "false"
		// The simulator sets no rate limit of its own unless asked (alpacasim.Config), so the
		// client keeps to a generous one rather than Alpaca's 200 a minute.
		env["ALPACA_RATE_LIMIT"] = "100000"
	case routing.Orchestrator:
		env["WORKFLOW_STORE"] = "sqlite:" + c.WorkflowDB()
	case routing.Notifier:
		env["SENT_STORE"] = "sqlite:" + c.opts.path("notifications.db")
		host, port, _ := net.SplitHostPort(c.Inbox.Addr())
		env["SMTP_HOST"] = host
		env["SMTP_PORT"] = port
		env["SMTP_USERNAME"] = SMTPUser
		env["SMTP_PASSWORD"] = SMTPPassword
		env["SMTP_TLS"] = "mandatory"
		env["SMTP_CA_FILE"] = c.opts.path("smtp-cert.pem")
		env["MAIL_FROM"] = "alchemiser@localhost"
		env["MAIL_TO"] = "trader@localhost"
	}
	return env
}

// WorkflowDB is the orchestrator's SQLite workflow store.
func (c *Cloud) WorkflowDB() string { return c.opts.path("workflows.db") }

// registerFunctions builds every service's handler from its environment and registers it with
// the Lambda host, with its timeout, concurrency, async retries and on-failure queue.
func (c *Cloud) registerFunctions(ctx context.Context) error {
	base := c.Host.LogHandler(slog.NewJSONHandler(c.opts.FunctionLog, nil))
	for _, svc := range routing.Services() {
		if c.opts.Only != "" && svc != c.opts.Only {
			continue
		}
		sp := specs[svc]
		env := c.Env(svc)
		for k, v := range c.opts.Env[svc] {
			env[k] = v
		}
		log := slog.New(base).With("function", FunctionName(svc))
		metrics := emf.New(c.opts.FunctionLog, "Alchemiser", emf.WithDimensions(emf.Dimension{Name: "Stage", Value: Stage}, emf.Dimension{Name: "Service", Value: string(svc)}))
		h := c.opts.Handlers[svc]
		if h == nil {
			var err error
			if h, err = sp.build(ctx, func(k string) string { return env[k] }, log, metrics); err != nil {
				return fmt.Errorf("local cloud: build %s: %w", svc, err)
			}
		}
		retries := 2
		if err := c.Host.Register(lambdahost.Function{
			Name: FunctionName(svc), Handler: h, Timeout: sp.timeout, Concurrency: sp.concurrency,
			MaximumRetryAttempts: &retries, MaximumEventAge: 6 * time.Hour, OnFailure: c.Bus.QueueARN(asyncDLQ(svc)),
		}); err != nil {
			return fmt.Errorf("local cloud: register %s: %w", svc, err)
		}
	}
	return nil
}
