package service

import (
	"fmt"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/fnconfig"

	"github.com/shopspring/decimal"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
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
	fnconfig.Base
	// Dedup's lease exceeds any run.
	fnconfig.Dedup
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
	base, errs := fnconfig.ReadBase(getenv)
	c := Config{Base: base, Dedup: fnconfig.ReadDedup(getenv, 15*time.Minute), Execution: app.DefaultSettings(), Stream: true}
	// The default caps stop a fat-fingered plan (a quantity off by orders of magnitude) without
	// ever refusing a normal one; set them to the account's size in production.
	c.Execution.Limits = domain.Limits{MaxOrderNotional: decimal.NewFromInt(1_000_000), MaxRunNotional: decimal.NewFromInt(5_000_000)}
	var err error
	if c.Alpaca, err = alpacaclient.LoadConfigForStage(getenv, c.Stage); err != nil {
		errs = append(errs, err)
	}
	s := &c.Execution
	errs = append(errs,
		fnconfig.Bool(getenv, EnvKillSwitch, &s.KillSwitch),
		fnconfig.Bool(getenv, EnvStream, &c.Stream),
		fnconfig.Duration(getenv, EnvRepegAfter, &s.Smart.RepegAfter),
		fnconfig.Duration(getenv, EnvMarketAfter, &s.Smart.MarketAfter),
		fnconfig.Duration(getenv, EnvPhaseTimeout, &s.PhaseTimeout),
		fnconfig.Duration(getenv, EnvPollInterval, &s.PollInterval),
		fnconfig.Duration(getenv, EnvSafetyMargin, &s.SafetyMargin),
		fnconfig.Decimal(getenv, EnvMaxOrderNotional, &s.Limits.MaxOrderNotional),
		fnconfig.Decimal(getenv, EnvMaxRunNotional, &s.Limits.MaxRunNotional),
	)
	if v := getenv(EnvOrderPolicy); v != "" {
		s.Policy = app.OrderPolicy(strings.ToLower(v))
	}
	if v := getenv(EnvOrderPrefix); v != "" {
		s.Prefix = v
	}
	if err := fnconfig.Join("read execution", errs); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the configuration.
func (c Config) Validate() error {
	errs := append(c.Base.Check(), c.Dedup.Check()...)
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
	return fnconfig.Join("invalid execution", errs)
}

// String describes the configuration for logs, with the secret masked.
func (c Config) String() string {
	s := c.Execution
	return fmt.Sprintf("stage=%s log=%s %s idempotency=%s %s mode=%s kill_switch=%t policy=%s max_order=$%s max_run=$%s phase_timeout=%v poll=%v stream=%t prefix=%s",
		c.Stage, c.LogLevel, c.Bus, c.IdempotencyStore, c.Alpaca, c.TradingMode(), s.KillSwitch, s.Policy,
		s.Limits.MaxOrderNotional, s.Limits.MaxRunNotional, s.PhaseTimeout, s.PollInterval, c.Stream, s.Prefix)
}
