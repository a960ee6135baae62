// Package service is the notifier's composition root, shared by the Lambda binary and the local
// runtime: it reads the Config (the SMTP password from the environment locally, or from AWS
// Secrets Manager once at cold start) and builds the sender, the sent store, the app and the
// router.
package service

import (
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/fnconfig"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/logging"
)

// Environment variables read besides STAGE and LOG_LEVEL.
const (
	EnvSMTPHost        = "SMTP_HOST"
	EnvSMTPPort        = "SMTP_PORT"                // default 587
	EnvSMTPUsername    = "SMTP_USERNAME"            // empty: no authentication
	EnvSMTPPassword    = "SMTP_PASSWORD"            // local: the password itself
	EnvSMTPPasswordARN = "SMTP_PASSWORD_SECRET_ARN" // AWS: the secret holding it (raw, or JSON {"password": ...})
	EnvSMTPTLS         = "SMTP_TLS"                 // mandatory (default), opportunistic or none
	EnvSMTPCAFile      = "SMTP_CA_FILE"             // PEM of a CA to trust (the local inbox's certificate)
	EnvSMTPTimeout     = "SMTP_TIMEOUT"             // per connection (default 15s)
	EnvMailFrom        = "MAIL_FROM"                // sender address
	EnvMailTo          = "MAIL_TO"                  // comma-separated recipients
	EnvNeutral         = "NOTIFIER_NEUTRAL"         // hide dollar values (default true)
	EnvSentStore       = "SENT_STORE"               // memory (default), sqlite:PATH or dynamodb:TABLE
	EnvSendAttempts    = "NOTIFIER_SEND_ATTEMPTS"   // default 3
	EnvSendBackoff     = "NOTIFIER_SEND_BACKOFF"    // first retry's wait, doubling (default 2s)
)

// Config is the notifier's configuration, read once from the environment.
type Config struct {
	Stage    string
	LogLevel slog.Level

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	// SMTPPassword is secret: String masks it and nothing logs it.
	SMTPPassword string
	// SMTPPasswordSecretARN names the Secrets Manager secret read at cold start when
	// SMTPPassword is empty.
	SMTPPasswordSecretARN string
	SMTPTLS               string
	SMTPCAFile            string
	SMTPTimeout           time.Duration

	From string
	To   []string

	Neutral      bool
	SentStore    string
	SendAttempts int
	SendBackoff  time.Duration
}

// ConfigFromEnv reads the configuration through getenv and validates it.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Stage: getenv("STAGE"), SMTPHost: strings.TrimSpace(getenv(EnvSMTPHost)), SMTPPort: 587,
		SMTPUsername: getenv(EnvSMTPUsername), SMTPPassword: getenv(EnvSMTPPassword),
		SMTPPasswordSecretARN: strings.TrimSpace(getenv(EnvSMTPPasswordARN)),
		SMTPTLS:               strings.ToLower(strings.TrimSpace(getenv(EnvSMTPTLS))), SMTPCAFile: getenv(EnvSMTPCAFile),
		SMTPTimeout: 15 * time.Second, From: strings.TrimSpace(getenv(EnvMailFrom)),
		Neutral: true, SentStore: getenv(EnvSentStore), SendAttempts: 3, SendBackoff: 2 * time.Second,
	}
	if c.Stage == "" {
		c.Stage = "dev"
	}
	if c.SMTPTLS == "" {
		c.SMTPTLS = "mandatory"
	}
	if c.SentStore == "" {
		c.SentStore = "memory"
	}
	for _, to := range strings.Split(getenv(EnvMailTo), ",") {
		if to = strings.TrimSpace(to); to != "" {
			c.To = append(c.To, to)
		}
	}
	var errs []error
	var err error
	if c.LogLevel, err = logging.ParseLevel(getenv("LOG_LEVEL")); err != nil {
		errs = append(errs, err)
	}
	if v := strings.TrimSpace(getenv(EnvSMTPPort)); v != "" {
		if c.SMTPPort, err = strconv.Atoi(v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want a port number", EnvSMTPPort, v))
		}
	}
	if v := strings.TrimSpace(getenv(EnvSendAttempts)); v != "" {
		if c.SendAttempts, err = strconv.Atoi(v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number", EnvSendAttempts, v))
		}
	}
	if v := strings.TrimSpace(getenv(EnvNeutral)); v != "" {
		if c.Neutral, err = strconv.ParseBool(v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", EnvNeutral, v))
		}
	}
	errs = append(errs, fnconfig.Duration(getenv, EnvSMTPTimeout, &c.SMTPTimeout), fnconfig.Duration(getenv, EnvSendBackoff, &c.SendBackoff))
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("read notifier config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks the configuration.
func (c Config) Validate() error {
	var errs []error
	if !slices.Contains(fnconfig.Stages, c.Stage) {
		errs = append(errs, fmt.Errorf("STAGE %q: want dev, prod or local", c.Stage))
	}
	if c.SMTPHost == "" {
		errs = append(errs, fmt.Errorf("%s is required", EnvSMTPHost))
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		errs = append(errs, fmt.Errorf("%s %d: want 1 to 65535", EnvSMTPPort, c.SMTPPort))
	}
	switch c.SMTPTLS {
	case "mandatory", "opportunistic":
	case "none":
		if c.SMTPUsername != "" {
			errs = append(errs, fmt.Errorf("%s=none with %s set would send the password in clear text", EnvSMTPTLS, EnvSMTPUsername))
		}
	default:
		errs = append(errs, fmt.Errorf("%s %q: want mandatory, opportunistic or none", EnvSMTPTLS, c.SMTPTLS))
	}
	if c.SMTPUsername != "" && c.SMTPPassword == "" && c.SMTPPasswordSecretARN == "" {
		errs = append(errs, fmt.Errorf("%s is set but neither %s nor %s is", EnvSMTPUsername, EnvSMTPPassword, EnvSMTPPasswordARN))
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("%s %q: %v", EnvMailFrom, c.From, err))
	}
	if len(c.To) == 0 {
		errs = append(errs, fmt.Errorf("%s: at least one recipient is required", EnvMailTo))
	}
	for _, to := range c.To {
		if _, err := mail.ParseAddress(to); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %v", EnvMailTo, to, err))
		}
	}
	if _, err := parseStore(c.SentStore); err != nil {
		errs = append(errs, err)
	}
	if c.SendAttempts < 1 || c.SendAttempts > 10 {
		errs = append(errs, fmt.Errorf("%s %d: want 1 to 10", EnvSendAttempts, c.SendAttempts))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid notifier config: %w", errors.Join(errs...))
	}
	return nil
}

// String describes the configuration for logs; the password never appears.
func (c Config) String() string {
	pw := "unset"
	switch {
	case c.SMTPPassword != "":
		pw = "***"
	case c.SMTPPasswordSecretARN != "":
		pw = "secret:" + c.SMTPPasswordSecretARN
	}
	return fmt.Sprintf("stage=%s log=%s smtp=%s:%d user=%q password=%s tls=%s ca_file=%q timeout=%v from=%s to=%s neutral=%t sent_store=%s attempts=%d backoff=%v",
		c.Stage, c.LogLevel, c.SMTPHost, c.SMTPPort, c.SMTPUsername, pw, c.SMTPTLS, c.SMTPCAFile, c.SMTPTimeout,
		c.From, strings.Join(c.To, ","), c.Neutral, c.SentStore, c.SendAttempts, c.SendBackoff)
}

// LogValue makes slog print String, so a Config logged as an attribute stays masked.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// GoString masks the password for %#v too.
func (c Config) GoString() string { return "service.Config{" + c.String() + "}" }

// parseStore reads a SENT_STORE value. It has the grammar of IDEMPOTENCY_STORE, so it is parsed
// by the one parser, idempotency.ParseSpec; only the error names this variable.
func parseStore(s string) (idempotency.Spec, error) {
	spec, err := idempotency.ParseSpec(s)
	if err != nil {
		return idempotency.Spec{}, fmt.Errorf("%s %q: want memory, sqlite:PATH or dynamodb:TABLE", EnvSentStore, s)
	}
	return spec, nil
}
