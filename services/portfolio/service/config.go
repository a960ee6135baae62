package service

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

// Producer names this service in the events it publishes.
const Producer = "portfolio"

// Config is the portfolio service's configuration, read once from the environment.
type Config struct {
	// Stage is dev, prod or local.
	Stage string
	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// Bus says where to publish.
	Bus eventbus.Config
	// IdempotencyStore is "memory", "sqlite:PATH" or "dynamodb:TABLE".
	IdempotencyStore string
	// IdempotencyLease is how long a delivery holds its claim on an event.
	IdempotencyLease time.Duration
	// Alpaca reaches the broker and the market data.
	Alpaca alpacaclient.Config
	// Params are the planner's settings.
	Params domain.Params
}

// Environment variables read besides the common ones.
const (
	EnvCashReserve      = "PORTFOLIO_CASH_RESERVE"
	EnvMinTradeFraction = "PORTFOLIO_MIN_TRADE_FRACTION"
	EnvMinTradeFloor    = "PORTFOLIO_MIN_TRADE_FLOOR"
	EnvMinNotional      = "PORTFOLIO_MIN_NOTIONAL"
)

// ConfigFromEnv reads the configuration through getenv: STAGE, LOG_LEVEL, EVENT_BUS_NAME,
// EVENTBRIDGE_ENDPOINT, AWS_REGION, IDEMPOTENCY_STORE, the ALPACA_* variables and the
// PORTFOLIO_* planner settings. Unset settings take their defaults; the result is validated.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Stage:            getenv("STAGE"),
		IdempotencyStore: getenv("IDEMPOTENCY_STORE"),
		IdempotencyLease: 2 * time.Minute,
		Params:           domain.DefaultParams(),
	}
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
	if c.Alpaca, err = alpacaclient.LoadConfig(getenv); err != nil {
		errs = append(errs, err)
	}
	c.Alpaca.Stage = c.Stage
	for _, v := range []struct {
		name string
		dst  *decimal.Decimal
	}{
		{EnvCashReserve, &c.Params.CashReserve},
		{EnvMinTradeFraction, &c.Params.MinTradeFraction},
		{EnvMinTradeFloor, &c.Params.MinTradeFloor},
		{EnvMinNotional, &c.Params.MinNotional},
	} {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		d, err := decimal.NewFromString(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: not a decimal number", v.name, s))
			continue
		}
		*v.dst = d
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("read portfolio config: %w", errors.Join(errs...))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
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
	if err := c.Params.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid portfolio config: %w", errors.Join(errs...))
	}
	return nil
}

// String describes the configuration for logs, with the secret masked.
func (c Config) String() string {
	return fmt.Sprintf("stage=%s log=%s %s idempotency=%s %s params{reserve=%s min_trade=%s floor=%s min_notional=%s}",
		c.Stage, c.LogLevel, c.Bus, c.IdempotencyStore, c.Alpaca, c.Params.CashReserve, c.Params.MinTradeFraction,
		c.Params.MinTradeFloor, c.Params.MinNotional)
}
