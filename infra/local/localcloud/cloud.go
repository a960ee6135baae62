// Package localcloud composes the local cloud: the EventBridge-compatible bus, the Lambda host
// running every service's handler, the Alpaca simulator, the SMTP inbox, the scheduler and the
// SQLite state, all in one process and all on loopback. `alchemiser run` and `alchemiser local
// up` are both built on it.
//
// Each service is configured the way its Lambda is: through its own ConfigFromEnv, with an
// environment that points it at the local endpoints. The rules come from the routing table and
// the schedules from pkg/schedule, the same sources the CDK app uses.
package localcloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim/sqlitestore"
	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/alchemiser/alchemiser/infra/local/lambdahost"
	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
)

// BusName is the local stage's event bus, as the CDK app names it for a stage.
const BusName = "alchemiser-local"

// Stage is the stage name every local function runs as.
const Stage = "local"

// Local credentials of the inbox; the notifier authenticates with them over STARTTLS.
const (
	SMTPUser     = "alchemiser"
	SMTPPassword = "local-inbox-password"
)

// Options configure a local cloud. Zero fields take the defaults shown.
type Options struct {
	// StateDir holds the SQLite state and the mail (var).
	StateDir string
	// EventsAddr, AlpacaAddr, SMTPAddr and LambdaAddr are the loopback listen addresses
	// ("127.0.0.1:0" each): the EventBridge API (with the SQS API of the dead-letter queues),
	// the Alpaca simulator, the SMTP inbox and the Lambda Invoke API.
	EventsAddr, AlpacaAddr, SMTPAddr, LambdaAddr string
	// Seed seeds the simulator's market data.
	Seed int64
	// AsOf is the simulated market time; zero means 10:00 New York time on the last trading day
	// of the simulated history, with the market open.
	AsOf time.Time
	// KeepAccount keeps the paper account in StateDir across restarts (local up); otherwise each
	// start opens a fresh $100,000 account.
	KeepAccount bool
	// Faults are injected failures.
	Faults Faults
	// Schedules runs the schedules of pkg/schedule (local up); `run` starts its workflow itself.
	Schedules bool
	// TradingSchedule overrides the trading schedule's expression.
	TradingSchedule string
	// Logger receives the cloud's own diagnostics (discard).
	Logger *slog.Logger
	// FunctionLog receives the functions' JSON logs (discard); each invocation's lines are also
	// captured by the Lambda host.
	FunctionLog io.Writer
	// Only, when set, runs that one service's function and installs no rules, so what it
	// publishes stays on the bus (alchemiser local invoke).
	Only routing.Service
	// Env adds to or overrides a service's environment, for tests (shorter timeouts, a broken
	// setting).
	Env map[routing.Service]map[string]string
	// Handlers replaces a service's handler, for tests of a service that dies or hangs.
	Handlers map[routing.Service]lambdahost.Handler
	// FastRetries shortens the bus's and the host's retry delays to milliseconds, for tests and
	// short runs. Off, they are AWS's (seconds to minutes).
	FastRetries bool
}

// Cloud is a running local cloud.
type Cloud struct {
	opts     Options
	Bus      *eventbridge.Bus
	busSrv   *eventbridge.Server
	Host     *lambdahost.Host
	Sim      *alpacasim.Server
	simURL   string
	Inbox    *smtpinbox.Server
	lambda   *lambdaAPI
	dispatch *fanout
	stopSch  context.CancelFunc
	schDone  chan struct{}
	closers  []func() error
	once     sync.Once
}

// Paths of the state under StateDir.
func (o Options) path(name string) string { return filepath.Join(o.StateDir, name) }

// MailDir is where the inbox stores messages.
func (o Options) MailDir() string { return o.path("mail") }

// Start starts every part and installs the rules. Close stops them; state stays in StateDir.
func Start(ctx context.Context, opts Options) (c *Cloud, err error) {
	if opts.StateDir == "" {
		opts.StateDir = "var"
	}
	for _, a := range []*string{&opts.EventsAddr, &opts.AlpacaAddr, &opts.SMTPAddr, &opts.LambdaAddr} {
		if *a == "" {
			*a = "127.0.0.1:0"
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.FunctionLog == nil {
		opts.FunctionLog = io.Discard
	}
	if opts.Faults.Duplicates < 1 {
		opts.Faults.Duplicates = 1
	}
	if err := os.MkdirAll(opts.MailDir(), 0o755); err != nil {
		return nil, fmt.Errorf("local cloud: state folder: %w", err)
	}
	c = &Cloud{opts: opts, dispatch: &fanout{copies: opts.Faults.Duplicates}}
	defer func() {
		if err != nil {
			_ = c.Close()
		}
	}()

	retryBase, hostRetry := time.Second, time.Minute
	if opts.FastRetries {
		retryBase, hostRetry = 20*time.Millisecond, 50*time.Millisecond
	}
	c.Bus, err = eventbridge.Open(ctx, eventbridge.Config{
		Path: opts.path("events.db"), Lambda: c.dispatch, Logger: opts.Logger,
		RetryBaseDelay: retryBase, RetryMaxDelay: 60 * retryBase,
	})
	if err != nil {
		return nil, fmt.Errorf("local cloud: open bus: %w", err)
	}
	c.closers = append(c.closers, c.Bus.Close)
	c.Host, err = lambdahost.Open(ctx, lambdahost.Config{
		Path: opts.path("lambda.db"), Destinations: c.Bus, Logger: opts.Logger, RetryBaseDelay: hostRetry,
	})
	if err != nil {
		return nil, fmt.Errorf("local cloud: open Lambda host: %w", err)
	}
	c.closers = append(c.closers, c.Host.Close)
	c.dispatch.host = c.Host

	c.busSrv, err = eventbridge.Listen(c.Bus, opts.EventsAddr)
	if err != nil {
		return nil, fmt.Errorf("local cloud: serve bus: %w", err)
	}
	c.closers = append(c.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return c.busSrv.Shutdown(ctx)
	})

	if err := c.startSimulator(); err != nil {
		return nil, err
	}
	c.Inbox, err = smtpinbox.Start(smtpinbox.Config{
		Addr: opts.SMTPAddr, Dir: opts.MailDir(), Username: SMTPUser, Password: SMTPPassword,
		CertFile: opts.path("smtp-cert.pem"), Logger: opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("local cloud: start SMTP inbox: %w", err)
	}
	c.closers = append(c.closers, c.Inbox.Close)

	if err := c.installRules(ctx); err != nil {
		return nil, err
	}
	if err := c.registerFunctions(ctx); err != nil {
		return nil, err
	}
	c.lambda, err = serveLambdaAPI(c.Host, opts.LambdaAddr)
	if err != nil {
		return nil, err
	}
	c.closers = append(c.closers, c.lambda.close)
	if opts.Schedules {
		if err := c.startScheduler(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Cloud) startSimulator() error {
	cfg := alpacasim.Config{Seed: c.opts.Seed, AsOf: c.opts.AsOf, Faults: c.opts.Faults.Alpaca, Logger: c.opts.Logger}
	if c.opts.KeepAccount {
		st, err := sqlitestore.Open(c.opts.path("alpaca"))
		if err != nil {
			return fmt.Errorf("local cloud: open Alpaca state: %w", err)
		}
		cfg.Store = st
	}
	sim, err := alpacasim.New(cfg)
	if err != nil {
		return fmt.Errorf("local cloud: Alpaca simulator: %w", err)
	}
	c.Sim = sim
	c.closers = append(c.closers, sim.Close)
	c.simURL, err = sim.Start(c.opts.AlpacaAddr)
	if err != nil {
		return fmt.Errorf("local cloud: start Alpaca simulator: %w", err)
	}
	return nil
}

// installRules creates the bus, the routing table's rules with their dead-letter queues, each
// function's on-failure queue, and the archive.
func (c *Cloud) installRules(ctx context.Context) error {
	if _, err := c.Bus.CreateEventBus(ctx, BusName, "Alchemiser's local bus"); err != nil && !isAlreadyExists(err) {
		return fmt.Errorf("local cloud: create bus: %w", err)
	}
	for _, svc := range routing.Services() {
		if err := c.Bus.CreateQueue(ctx, asyncDLQ(svc), nil); err != nil {
			return fmt.Errorf("local cloud: create queue %s: %w", asyncDLQ(svc), err)
		}
	}
	if c.opts.Only != "" {
		return nil
	}
	if err := eventbridge.InstallRoutes(ctx, c.Bus, BusName, routing.Table(),
		func(s routing.Service) string { return c.Bus.FunctionARN(FunctionName(s)) },
		func(name string) string { return c.Bus.QueueARN(name) }); err != nil {
		return fmt.Errorf("local cloud: install routes: %w", err)
	}
	if err := eventbridge.EnsureArchive(ctx, c.Bus, BusName, eventbridge.DefaultArchiveName, 30); err != nil {
		return fmt.Errorf("local cloud: archive: %w", err)
	}
	return nil
}

func isAlreadyExists(err error) bool {
	var ae *eventbridge.APIError
	return errors.As(err, &ae) && ae.Type == "ResourceAlreadyExistsException"
}

// FunctionName is a service's function name, as the CDK app names it for a stage.
func FunctionName(s routing.Service) string { return "alchemiser-" + Stage + "-" + string(s) }

func asyncDLQ(s routing.Service) string { return string(s) + "-async-dlq" }

// EventsEndpoint is the bus's API URL.
func (c *Cloud) EventsEndpoint() string { return c.busSrv.Endpoint() }

// LambdaEndpoint is the Lambda Invoke API's URL.
func (c *Cloud) LambdaEndpoint() string { return c.lambda.endpoint() }

// AlpacaURL is the simulator's URL (trading and data).
func (c *Cloud) AlpacaURL() string { return c.simURL }

// SMTPAddr is the inbox's address.
func (c *Cloud) SMTPAddr() string { return c.Inbox.Addr() }

// StateDir is where the state lives.
func (c *Cloud) StateDir() string { return c.opts.StateDir }

// Close stops every part, newest first. Queued work stays in SQLite for the next start.
func (c *Cloud) Close() error {
	var errs []error
	c.once.Do(func() {
		if c.stopSch != nil {
			c.stopSch()
			<-c.schDone
		}
		for i := len(c.closers) - 1; i >= 0; i-- {
			if err := c.closers[i](); err != nil {
				errs = append(errs, err)
			}
		}
	})
	return errors.Join(errs...)
}

// fanout hands each event the bus delivers to the Lambda host, copies times: the duplicates
// fault, EventBridge's at-least-once delivery made visible.
type fanout struct {
	host   *lambdahost.Host
	copies int
}

func (f *fanout) Dispatch(ctx context.Context, arn string, event []byte) error {
	if f.host == nil {
		return &eventbridge.TargetError{Code: "ResourceNotFoundException", Message: "the Lambda host is not running"}
	}
	for i := 0; i < f.copies; i++ {
		if err := f.host.Dispatch(ctx, arn, event); err != nil {
			return err
		}
	}
	return nil
}
