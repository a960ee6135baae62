package service

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/services/strategy"
)

// Producer names this service in the events it publishes.
const Producer = "strategy"

// EnvAllocation names the bundled allocation file evaluated when an event names none.
const EnvAllocation = "STRATEGY_ALLOCATION"

// Config is the strategy service's configuration, read once from the environment.
type Config struct {
	// Stage is dev, prod or local.
	Stage string
	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// Bus is where events are published.
	Bus eventbus.Config
	// IdempotencyStore is "memory", "sqlite:PATH" or "dynamodb:TABLE".
	IdempotencyStore string
	// IdempotencyLease is how long a delivery holds its claim.
	IdempotencyLease time.Duration
	// Alpaca reaches the market data.
	Alpaca alpacaclient.Config
	// Allocation is the bundled allocation file (without .json) to evaluate by default: the
	// stage's own (dev for local).
	Allocation string
}

// String describes the configuration; the Alpaca config masks its keys.
func (c Config) String() string {
	return fmt.Sprintf("stage=%s allocation=%s idempotency=%s %s %s", c.Stage, c.Allocation, c.IdempotencyStore, c.Bus, c.Alpaca)
}

// ConfigFromEnv reads STAGE, LOG_LEVEL, the event-bus variables, IDEMPOTENCY_STORE, the ALPACA_*
// variables and STRATEGY_ALLOCATION through getenv, and validates the result.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Stage:            getenv("STAGE"),
		IdempotencyStore: getenv("IDEMPOTENCY_STORE"),
		IdempotencyLease: 5 * time.Minute,
		Allocation:       strings.TrimSpace(getenv(EnvAllocation)),
	}
	if c.Stage == "" {
		c.Stage = "dev"
	}
	if c.IdempotencyStore == "" {
		c.IdempotencyStore = "memory"
	}
	if c.Allocation == "" {
		c.Allocation = c.Stage
		if c.Stage == "local" {
			c.Allocation = "dev"
		}
	}
	var errs []error
	var err error
	if c.LogLevel, err = logging.ParseLevel(getenv("LOG_LEVEL")); err != nil {
		errs = append(errs, err)
	}
	if c.Bus, err = eventbus.ConfigFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	stage := c.Stage
	if c.Alpaca, err = alpacaclient.LoadConfig(func(k string) string {
		if k == "STAGE" {
			return stage
		}
		return getenv(k)
	}); err != nil {
		errs = append(errs, err)
	}
	c.Alpaca.Stage = c.Stage
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("read strategy config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the configuration, including that the default allocation loads.
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
	if _, err := strategy.LoadAllocation(c.Allocation); err != nil {
		errs = append(errs, fmt.Errorf("%s=%q: %w", EnvAllocation, c.Allocation, err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid strategy config: %w", err)
	}
	return nil
}
