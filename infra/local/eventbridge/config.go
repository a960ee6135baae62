package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultBusName is the name of the bus every account has.
const DefaultBusName = "default"

// DefaultAccount is the account ID of the local cloud.
const DefaultAccount = "000000000000"

// DefaultRegion is the region used when none is configured.
const DefaultRegion = "us-east-1"

// DefaultAddr is the loopback address `alchemiser local events` listens on by default.
const DefaultAddr = "127.0.0.1:4010"

// DefaultArchiveName is the archive of the default bus that the local cloud keeps and
// `alchemiser replay` replays from.
const DefaultArchiveName = "alchemiser-local"

// AWS's defaults for a target's retry policy on a Classic bus.
const (
	DefaultMaximumRetryAttempts     = 185
	DefaultMaximumEventAgeInSeconds = 86400
)

// MaxEntrySize is the largest PutEvents entry accepted, in bytes (256 KB).
const MaxEntrySize = 256 * 1024

// Dispatcher hands an event to a Lambda function, asynchronously: a nil error means the
// function has durably accepted the event, not that it has run. The local Lambda host
// implements it.
type Dispatcher interface {
	Dispatch(ctx context.Context, functionARN string, event []byte) error
}

// TargetError is the error a Dispatcher returns to give the dead-letter attributes ERROR_CODE and
// ERROR_MESSAGE specific values (for example ResourceNotFoundException or
// TooManyRequestsException). Any other error is recorded with code "InternalFailure".
type TargetError struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *TargetError) Error() string { return e.Code + ": " + e.Message }

func errorParts(err error) (code, msg string) {
	var te *TargetError
	if errors.As(err, &te) {
		return te.Code, te.Message
	}
	return "InternalFailure", err.Error()
}

// Config configures a Bus. The zero value of each field selects the default shown.
type Config struct {
	// Path is the SQLite database file (required).
	Path string
	// Region is the AWS region in ARNs and envelopes (us-east-1).
	Region string
	// Account is the account ID in ARNs and envelopes (000000000000).
	Account string
	// Now is the clock (time.Now). Event ages and timestamps use it.
	Now func() time.Time
	// RetryBaseDelay is the first retry's delay before jitter (1s); each retry doubles it.
	RetryBaseDelay time.Duration
	// RetryMaxDelay caps the retry delay (3m).
	RetryMaxDelay time.Duration
	// Seed seeds the retry jitter (1).
	Seed uint64
	// Workers is how many deliveries run at once (32).
	Workers int
	// Lambda receives events for Lambda function targets. Without one, such deliveries fail
	// with ResourceNotFoundException and are retried, then dead-lettered.
	Lambda Dispatcher
	// Logger receives the bus's own diagnostics and "log" targets' events (slog.Default()).
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Path == "" {
		return c, errors.New("eventbridge config: Path is required")
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Account == "" {
		c.Account = DefaultAccount
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RetryBaseDelay == 0 {
		c.RetryBaseDelay = time.Second
	}
	if c.RetryMaxDelay == 0 {
		c.RetryMaxDelay = 3 * time.Minute
	}
	if c.RetryBaseDelay < 0 || c.RetryMaxDelay < c.RetryBaseDelay {
		return c, fmt.Errorf("eventbridge config: retry delays base %s, max %s: want 0 < base <= max", c.RetryBaseDelay, c.RetryMaxDelay)
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Workers <= 0 {
		c.Workers = 32
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}
