// Package fnconfig reads the configuration that every service's function shares, so each
// service's Config says only what is its own. A service's Config embeds Base (stage, log level,
// event bus) and, for a consumer that deduplicates events, Dedup (the idempotency store); its
// ConfigFromEnv stays the one reader of the environment and calls the readers here with the
// getenv it was given.
package fnconfig

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/logging"
)

// Stages lists the stages a function may run in.
var Stages = []string{"dev", "prod", "local"}

// Base is what every function is configured with.
type Base struct {
	// Stage is dev, prod or local (STAGE, default dev).
	Stage string
	// LogLevel is the minimum level logged (LOG_LEVEL, default info).
	LogLevel slog.Level
	// Bus is where events are published (EVENT_BUS_NAME, EVENTBRIDGE_ENDPOINT, AWS_REGION).
	Bus eventbus.Config
}

// ReadBase reads STAGE, LOG_LEVEL and the bus variables. It returns every problem it finds.
func ReadBase(getenv func(string) string) (Base, []error) {
	b := Base{Stage: strings.TrimSpace(getenv("STAGE"))}
	if b.Stage == "" {
		b.Stage = "dev"
	}
	var errs []error
	var err error
	if b.LogLevel, err = logging.ParseLevel(getenv("LOG_LEVEL")); err != nil {
		errs = append(errs, err)
	}
	if b.Bus, err = eventbus.ConfigFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	return b, errs
}

// Check returns the problems of b: an unknown stage, a bad bus configuration.
func (b Base) Check() []error {
	var errs []error
	if !contains(Stages, b.Stage) {
		errs = append(errs, fmt.Errorf("STAGE %q: want dev, prod or local", b.Stage))
	}
	if err := b.Bus.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// Dedup configures the idempotency middleware of a function that consumes events.
type Dedup struct {
	// IdempotencyStore is "memory", "sqlite:PATH" or "dynamodb:TABLE" (IDEMPOTENCY_STORE,
	// default memory).
	IdempotencyStore string
	// IdempotencyLease is the longest a delivery holds its claim; the middleware cuts it to the
	// invocation's deadline.
	IdempotencyLease time.Duration
}

// ReadDedup reads IDEMPOTENCY_STORE, with lease as the service's lease.
func ReadDedup(getenv func(string) string, lease time.Duration) Dedup {
	d := Dedup{IdempotencyStore: strings.TrimSpace(getenv("IDEMPOTENCY_STORE")), IdempotencyLease: lease}
	if d.IdempotencyStore == "" {
		d.IdempotencyStore = "memory"
	}
	return d
}

// Check returns the problems of d.
func (d Dedup) Check() []error {
	var errs []error
	if _, err := idempotency.ParseSpec(d.IdempotencyStore); err != nil {
		errs = append(errs, err)
	}
	if d.IdempotencyLease <= 0 {
		errs = append(errs, fmt.Errorf("idempotency lease %v is not positive", d.IdempotencyLease))
	}
	return errs
}

// Bool reads an optional true/false variable into dst; unset leaves dst alone.
func Bool(getenv func(string) string, name string, dst *bool) error {
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

// Duration reads an optional positive duration such as 90s into dst; unset leaves dst alone.
func Duration(getenv func(string) string, name string, dst *time.Duration) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%s=%q: want a positive duration such as 90s", name, v)
	}
	*dst = d
	return nil
}

// Decimal reads an optional non-negative decimal such as 0.01 or 50000 into dst; unset leaves
// dst alone.
func Decimal(getenv func(string) string, name string, dst *decimal.Decimal) error {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil
	}
	d, err := decimal.NewFromString(v)
	if err != nil || d.IsNegative() {
		return fmt.Errorf("%s=%q: want a non-negative decimal number such as 0.01 or 50000", name, v)
	}
	*dst = d
	return nil
}

// Join joins the problems found while reading a service's configuration, naming the service.
func Join(service string, errs []error) error {
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s config: %w", service, err)
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
