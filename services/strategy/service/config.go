package service

import (
	"fmt"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/fnconfig"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/services/strategy"
)

// Producer names this service in the events it publishes.
const Producer = "strategy"

// EnvAllocation names the bundled allocation file evaluated when an event names none.
const EnvAllocation = "STRATEGY_ALLOCATION"

// Config is the strategy service's configuration, read once from the environment.
type Config struct {
	fnconfig.Base
	fnconfig.Dedup
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
	base, errs := fnconfig.ReadBase(getenv)
	c := Config{Base: base, Dedup: fnconfig.ReadDedup(getenv, 5*time.Minute), Allocation: strings.TrimSpace(getenv(EnvAllocation))}
	if c.Allocation == "" {
		c.Allocation = c.Stage
		if c.Stage == "local" {
			c.Allocation = "dev"
		}
	}
	var err error
	if c.Alpaca, err = alpacaclient.LoadConfigForStage(getenv, c.Stage); err != nil {
		errs = append(errs, err)
	}
	if err := fnconfig.Join("read strategy", errs); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the configuration, including that the default allocation loads.
func (c Config) Validate() error {
	errs := append(c.Base.Check(), c.Dedup.Check()...)
	if _, err := strategy.LoadAllocation(c.Allocation); err != nil {
		errs = append(errs, fmt.Errorf("%s=%q: %w", EnvAllocation, c.Allocation, err))
	}
	return fnconfig.Join("invalid strategy", errs)
}
