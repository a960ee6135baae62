// Package service is the orchestrator's composition root, shared by the Lambda binary and the
// local runtime: it reads the Config and builds the store, the app and the Lambda handler once.
//
// The function takes the start command ({"mode":"trade"|"dry-run", "scheduled_for", "as_of",
// "trigger", "strategies"}), the sweep command ({"sweep": true}, sent every minute by the
// scheduler) and the step events that contracts/routing delivers to it.
package service

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/fnconfig"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/services/orchestrator/internal/domain"
)

// Producer names this service in the events it publishes.
const Producer = "orchestrator"

// Environment variables read besides the common ones.
const (
	EnvWorkflowStore    = "WORKFLOW_STORE"                 // memory (default), sqlite:PATH or dynamodb:TABLE
	EnvTimeoutStrategy  = "ORCHESTRATOR_TIMEOUT_STRATEGY"  // wait for SignalGenerated (default 5m)
	EnvTimeoutPortfolio = "ORCHESTRATOR_TIMEOUT_PORTFOLIO" // wait for RebalancePlanned (default 2m)
	EnvTimeoutExecution = "ORCHESTRATOR_TIMEOUT_EXECUTION" // wait for TradeExecuted (default 15m)
	EnvRepublishAfter   = "ORCHESTRATOR_REPUBLISH_AFTER"   // sweep re-publishes unsent events after (default 2m)
)

// Config is the orchestrator's configuration, read once from the environment.
type Config struct {
	fnconfig.Base
	// WorkflowStore is "memory", "sqlite:PATH" or "dynamodb:TABLE".
	WorkflowStore string
	// Live is true when ALPACA_LIVE=true: the workflows are in live mode.
	Live bool
	// Deadlines bound each step's wait, since the workflow's last progress.
	Deadlines domain.Deadlines
	// RepublishAfter is how long the sweep leaves an unsent start or terminal event alone.
	RepublishAfter time.Duration
}

// TradingMode is live when ALPACA_LIVE is true, else paper.
func (c Config) TradingMode() v1.TradingMode {
	if c.Live {
		return v1.ModeLive
	}
	return v1.ModePaper
}

// ConfigFromEnv reads the configuration through getenv: STAGE, LOG_LEVEL, EVENT_BUS_NAME,
// EVENTBRIDGE_ENDPOINT, AWS_REGION, ALPACA_LIVE, WORKFLOW_STORE and the ORCHESTRATOR_*
// settings. Unset settings take their defaults; the result is validated.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	base, errs := fnconfig.ReadBase(getenv)
	c := Config{
		Base:           base,
		WorkflowStore:  getenv(EnvWorkflowStore),
		Deadlines:      domain.Deadlines{Strategy: 5 * time.Minute, Portfolio: 2 * time.Minute, Execution: 15 * time.Minute},
		RepublishAfter: 2 * time.Minute,
	}
	if c.WorkflowStore == "" {
		c.WorkflowStore = "memory"
	}
	var err error
	if v := strings.TrimSpace(getenv("ALPACA_LIVE")); v != "" {
		if c.Live, err = strconv.ParseBool(v); err != nil {
			errs = append(errs, fmt.Errorf("ALPACA_LIVE=%q: want true or false", v))
		}
	}
	errs = append(errs,
		fnconfig.Duration(getenv, EnvTimeoutStrategy, &c.Deadlines.Strategy),
		fnconfig.Duration(getenv, EnvTimeoutPortfolio, &c.Deadlines.Portfolio),
		fnconfig.Duration(getenv, EnvTimeoutExecution, &c.Deadlines.Execution),
		fnconfig.Duration(getenv, EnvRepublishAfter, &c.RepublishAfter),
	)
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("read orchestrator config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the configuration.
func (c Config) Validate() error {
	errs := c.Base.Check()
	if _, err := parseStore(c.WorkflowStore); err != nil {
		errs = append(errs, err)
	}
	if err := c.Deadlines.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.RepublishAfter <= 0 {
		errs = append(errs, fmt.Errorf("%s %v is not positive", EnvRepublishAfter, c.RepublishAfter))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid orchestrator config: %w", errors.Join(errs...))
	}
	return nil
}

// String describes the configuration for logs.
func (c Config) String() string {
	return fmt.Sprintf("stage=%s log=%s %s workflow_store=%s mode=%s timeouts=strategy:%v,portfolio:%v,execution:%v republish_after=%v",
		c.Stage, c.LogLevel, c.Bus, c.WorkflowStore, c.TradingMode(), c.Deadlines.Strategy, c.Deadlines.Portfolio, c.Deadlines.Execution, c.RepublishAfter)
}

// parseStore reads a WORKFLOW_STORE value. It has the grammar of IDEMPOTENCY_STORE, so it is
// parsed by the one parser, idempotency.ParseSpec; only the error names this variable.
func parseStore(s string) (idempotency.Spec, error) {
	spec, err := idempotency.ParseSpec(s)
	if err != nil {
		return idempotency.Spec{}, fmt.Errorf("%s %q: want memory, sqlite:PATH or dynamodb:TABLE", EnvWorkflowStore, s)
	}
	return spec, nil
}
