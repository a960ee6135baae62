package service

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// Producer names this service in the events it publishes.
const Producer = "execution"

// Environment variables read besides the common ones.
const (
	EnvKillSwitch       = "EXECUTION_KILL_SWITCH"        // true stops all order placement
	EnvOrderPolicy      = "EXECUTION_ORDER_POLICY"       // market (default) or smart_limit
	EnvRepegAfter       = "EXECUTION_REPEG_AFTER"        // smart limit: re-peg to the far side after (10s)
	EnvMarketAfter      = "EXECUTION_MARKET_AFTER"       // smart limit: switch to market after (30s)
	EnvMaxOrderNotional = "EXECUTION_MAX_ORDER_NOTIONAL" // dollars per order; 0 = no cap (default 1000000)
	EnvMaxRunNotional   = "EXECUTION_MAX_RUN_NOTIONAL"   // dollars per run; 0 = no cap (default 5000000)
	EnvPhaseTimeout     = "EXECUTION_PHASE_TIMEOUT"      // wait for each phase's fills (60s)
	EnvPollInterval     = "EXECUTION_POLL_INTERVAL"      // polling while the stream is quiet (1s)
	EnvSafetyMargin     = "EXECUTION_SAFETY_MARGIN"      // kept before the Lambda deadline (15s)
	EnvStream           = "EXECUTION_STREAM"             // false polls only (default true)
	EnvOrderPrefix      = "EXECUTION_CLIENT_ORDER_PREFIX"
)

// Config is the execution service's configuration, read once from the environment.
type Config struct {
	// Stage is dev, prod or local.
	Stage    string
	LogLevel slog.Level
	Bus      eventbus.Config
	// IdempotencyStore is "memory", "sqlite:PATH" or "dynamodb:TABLE".
	IdempotencyStore string
	// IdempotencyLease is how long a delivery holds its claim; it exceeds any run.
	IdempotencyLease time.Duration
	// Alpaca reaches the broker; a live URL needs ALPACA_LIVE=true and STAGE=prod.
	Alpaca alpacaclient.Config
	// Execution tunes the executor: kill switch, limits, order policy, waits.
	Execution app.Settings
	// Stream watches the trade-updates stream besides polling.
	Stream bool
}

// TradingMode is live when live trading is enabled, else paper.
func (c Config) TradingMode() v1.TradingMode {
	if c.Alpaca.Live && alpacaclient.IsLiveURL(c.Alpaca.TradingURL) {
		return v1.ModeLive
	}
	return v1.ModePaper
}

// ConfigFromEnv reads the configuration through getenv: STAGE, LOG_LEVEL, EVENT_BUS_NAME,
// EVENTBRIDGE_ENDPOINT, AWS_REGION, IDEMPOTENCY_STORE, the ALPACA_* variables and the
// EXECUTION_* settings. Unset settings take their defaults; the result is validated.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Stage:            getenv("STAGE"),
		IdempotencyStore: getenv("IDEMPOTENCY_STORE"),
		IdempotencyLease: 15 * time.Minute,
		Execution:        app.DefaultSettings(),
		Stream:           true,
	}
	// The default caps stop a fat-fingered plan (a quantity off by orders of magnitude) without
	// ever refusing a normal one; set them to the account's size in production.
	c.Execution.Limits = domain.Limits{MaxOrderNotional: decimal.NewFromInt(1_000_000), MaxRunNotional: decimal.NewFromInt(5_000_000)}
	if c.Stage == "" {
		c.Stage = "dev"
	}
	if c.IdempotencyStore == "" {
		c.IdempotencyStore = "memory"
	}
	var errs []error
	var err error
	if c.LogLevel, err = logging.ParseLevel(getenv("LOG_LEVEL")); err != nil {
		errs = append(errs, err)
	}
	if c.Bus, err = eventbus.ConfigFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.Alpaca, err = alpacaclient.LoadConfig(withStage(getenv, c.Stage)); err != nil {
		errs = append(errs, err)
	}
	c.Alpaca.Stage = c.Stage
	s := &c.Execution
	errs = append(errs,
		readBool(getenv, EnvKillSwitch, &s.KillSwitch),
		readBool(getenv, EnvStream, &c.Stream),
		readDuration(getenv, EnvRepegAfter, &s.Smart.RepegAfter),
		readDuration(getenv, EnvMarketAfter, &s.Smart.MarketAfter),
		readDuration(getenv, EnvPhaseTimeout, &s.PhaseTimeout),
		readDuration(getenv, EnvPollInterval, &s.PollInterval),
		readDuration(getenv, EnvSafetyMargin, &s.SafetyMargin),
		readDecimal(getenv, EnvMaxOrderNotional, &s.Limits.MaxOrderNotional),
		readDecimal(getenv, EnvMaxRunNotional, &s.Limits.MaxRunNotional),
	)
	if v := getenv(EnvOrderPolicy); v != "" {
		s.Policy = app.OrderPolicy(strings.ToLower(v))
	}
	if v := getenv(EnvOrderPrefix); v != "" {
		s.Prefix = v
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("read execution config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// withStage makes sure the Alpaca config sees the defaulted stage.
func withStage(getenv func(string) string, stage string) func(string) string {
	return func(k string) string {
		if k == "STAGE" {
			return stage
		}
		return getenv(k)
	}
}

func readBool(getenv func(string) string, name string, dst *bool) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("%s=%q: want true or false", name, v)
	}
	*dst = b
	return nil
}

func readDuration(getenv func(string) string, name string, dst *time.Duration) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%s=%q: want a positive duration such as 30s", name, v)
	}
	*dst = d
	return nil
}

func readDecimal(getenv func(string) string, name string, dst *decimal.Decimal) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	d, err := decimal.NewFromString(v)
	if err != nil || d.IsNegative() {
		return fmt.Errorf("%s=%q: want a dollar amount such as 50000 (0 for no cap)", name, v)
	}
	*dst = d
	return nil
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	switch c.Stage {
	case "dev", "prod", "local":
	default:
		errs = append(errs, fmt.Errorf("STAGE %q: want dev, prod or local", c.Stage))
	}
	if err := c.Bus.Validate(); err != nil {
		errs = append(errs, err)
	}
	if _, err := idempotency.ParseSpec(c.IdempotencyStore); err != nil {
		errs = append(errs, err)
	}
	if c.IdempotencyLease <= 0 {
		errs = append(errs, fmt.Errorf("idempotency lease %v is not positive", c.IdempotencyLease))
	}
	if err := c.Alpaca.Validate(); err != nil {
		errs = append(errs, err)
	}
	s := c.Execution
	if err := domain.ValidatePrefix(s.Prefix); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", EnvOrderPrefix, err))
	}
	switch s.Policy {
	case app.PolicyMarket, app.PolicySmartLimit:
	default:
		errs = append(errs, fmt.Errorf("%s=%q: want market or smart_limit", EnvOrderPolicy, s.Policy))
	}
	if s.Smart.RepegAfter >= s.Smart.MarketAfter {
		errs = append(errs, fmt.Errorf("%s (%v) must be shorter than %s (%v)", EnvRepegAfter, s.Smart.RepegAfter, EnvMarketAfter, s.Smart.MarketAfter))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{EnvPhaseTimeout, s.PhaseTimeout}, {EnvPollInterval, s.PollInterval}, {"settle timeout", s.SettleTimeout}, {"cancel grace", s.CancelGrace}, {"max run time", s.MaxRunTime}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s %v is not positive", d.name, d.v))
		}
	}
	if s.SafetyMargin < 0 {
		errs = append(errs, fmt.Errorf("%s %v is negative", EnvSafetyMargin, s.SafetyMargin))
	}
	if c.IdempotencyLease <= s.MaxRunTime {
		errs = append(errs, fmt.Errorf("idempotency lease %v must exceed the longest run (%v)", c.IdempotencyLease, s.MaxRunTime))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid execution config: %w", errors.Join(errs...))
	}
	return nil
}

// String describes the configuration for logs, with the secret masked.
func (c Config) String() string {
	s := c.Execution
	return fmt.Sprintf("stage=%s log=%s %s idempotency=%s %s mode=%s kill_switch=%t policy=%s max_order=$%s max_run=$%s phase_timeout=%v poll=%v stream=%t prefix=%s",
		c.Stage, c.LogLevel, c.Bus, c.IdempotencyStore, c.Alpaca, c.TradingMode(), s.KillSwitch, s.Policy,
		s.Limits.MaxOrderNotional, s.Limits.MaxRunNotional, s.PhaseTimeout, s.PollInterval, c.Stream, s.Prefix)
}
