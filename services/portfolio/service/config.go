package service

import (
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/pkg/fnconfig"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
)

// Producer names this service in the events it publishes.
const Producer = "portfolio"

// Config is the portfolio service's configuration, read once from the environment.
type Config struct {
	fnconfig.Base
	fnconfig.Dedup
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
	base, errs := fnconfig.ReadBase(getenv)
	c := Config{Base: base, Dedup: fnconfig.ReadDedup(getenv, 2*time.Minute), Params: domain.DefaultParams()}
	var err error
	if c.Alpaca, err = alpacaclient.LoadConfigForStage(getenv, c.Stage); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs,
		fnconfig.Decimal(getenv, EnvCashReserve, &c.Params.CashReserve),
		fnconfig.Decimal(getenv, EnvMinTradeFraction, &c.Params.MinTradeFraction),
		fnconfig.Decimal(getenv, EnvMinTradeFloor, &c.Params.MinTradeFloor),
		fnconfig.Decimal(getenv, EnvMinNotional, &c.Params.MinNotional),
	)
	if err := fnconfig.Join("read portfolio", errs); err != nil {
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
	if err := c.Params.Validate(); err != nil {
		errs = append(errs, err)
	}
	return fnconfig.Join("invalid portfolio", errs)
}

// String describes the configuration for logs, with the secret masked.
func (c Config) String() string {
	return fmt.Sprintf("stage=%s log=%s %s idempotency=%s %s params{reserve=%s min_trade=%s floor=%s min_notional=%s}",
		c.Stage, c.LogLevel, c.Bus, c.IdempotencyStore, c.Alpaca, c.Params.CashReserve, c.Params.MinTradeFraction,
		c.Params.MinTradeFloor, c.Params.MinNotional)
}
