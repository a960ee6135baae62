package service

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/pkg/fnconfig"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
	"github.com/alchemiser/alchemiser/services/notifier/internal/app"
	"github.com/alchemiser/alchemiser/services/notifier/internal/handler"
	"github.com/alchemiser/alchemiser/services/notifier/internal/smtpsender"
	"github.com/alchemiser/alchemiser/services/notifier/sentstore"
)

// Producer names this service.
const Producer = "notifier"

// Deps are parts the caller may supply instead of the ones Config describes.
type Deps struct {
	Now func() time.Time
	// Wait sleeps between send attempts; tests pass one that returns at once.
	Wait      func(ctx context.Context, d time.Duration) error
	SentStore sentstore.Store
	Metrics   *emf.Recorder
	// RootCAs are trusted for the SMTP server's certificate besides SMTP_CA_FILE.
	RootCAs *x509.CertPool
	// ReadSecret reads a Secrets Manager secret; nil uses the AWS SDK.
	ReadSecret func(ctx context.Context, arn string) (string, error)
}

// New builds the notifier from cfg.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*lambdaevent.Router, error) {
	return NewWithDeps(ctx, cfg, logger, Deps{})
}

// NewWithDeps is New with some parts supplied by the caller.
func NewWithDeps(ctx context.Context, cfg Config, logger *slog.Logger, deps Deps) (*lambdaevent.Router, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	password := cfg.SMTPPassword
	if password == "" && cfg.SMTPPasswordSecretARN != "" {
		read := deps.ReadSecret
		if read == nil {
			read = readSecret
		}
		p, err := read(ctx, cfg.SMTPPasswordSecretARN)
		if err != nil {
			return nil, fmt.Errorf("read SMTP password from %s: %w", cfg.SMTPPasswordSecretARN, err)
		}
		password = p
	}
	pool := deps.RootCAs
	if cfg.SMTPCAFile != "" {
		pem, err := os.ReadFile(cfg.SMTPCAFile)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", EnvSMTPCAFile, err)
		}
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s %s holds no PEM certificate", EnvSMTPCAFile, cfg.SMTPCAFile)
		}
	}
	sender, err := smtpsender.New(smtpsender.Config{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: password, TLS: cfg.SMTPTLS,
		RootCAs: pool, From: cfg.From, To: cfg.To, Timeout: cfg.SMTPTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("build smtp sender: %w", err)
	}
	if deps.SentStore == nil {
		if deps.SentStore, err = OpenSentStore(ctx, cfg.SentStore); err != nil {
			return nil, err
		}
	}
	if deps.Metrics == nil {
		deps.Metrics = emf.New(os.Stdout, fnconfig.Namespace, emf.WithDimensions(emf.Dimension{Name: "Stage", Value: cfg.Stage}, emf.Dimension{Name: "Service", Value: Producer}))
	}
	domain := "alchemiser.local"
	if _, d, ok := strings.Cut(cfg.From, "@"); ok {
		domain = strings.TrimRight(d, ">")
	}
	// The lease outlives every attempt of a send, so a live sender never loses its claim.
	lease := time.Duration(cfg.SendAttempts)*(cfg.SMTPTimeout+cfg.SendBackoff<<cfg.SendAttempts) + time.Minute
	n := app.New(sender, deps.SentStore, deps.Now, deps.Wait, app.Settings{
		Neutral: cfg.Neutral, Domain: domain, Lease: lease, Attempts: cfg.SendAttempts, Backoff: cfg.SendBackoff,
	}, logger)
	h := handler.New(n)
	r := lambdaevent.NewRouter(logger,
		lambdaevent.Recover(),
		lambdaevent.Logging(logger),
		lambdaevent.MetricsWithClock(deps.Metrics, deps.Now),
	)
	r.Handle(v1.TypeTradingNotificationRequested, h.OnTrading)
	r.Handle(v1.TypeErrorNotificationRequested, h.OnError)
	return r, nil
}

// OpenSentStore opens the sent-email store named by spec (see Config.SentStore): in memory, in
// SQLite, or in a DynamoDB table through the default AWS configuration (the function's role).
func OpenSentStore(ctx context.Context, spec string) (sentstore.Store, error) {
	sp, err := parseStore(spec)
	if err != nil {
		return nil, err
	}
	switch sp.Kind {
	case "sqlite":
		db, err := sqlitedb.OpenContext(ctx, sp.Arg)
		if err != nil {
			return nil, fmt.Errorf("open sent-email database: %w", err)
		}
		s, err := sentstore.NewSQLite(ctx, db)
		if err != nil {
			return nil, errors.Join(err, db.Close())
		}
		return s, nil
	case "dynamodb":
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("open sent-email store %s: load AWS config: %w", sp, err)
		}
		return sentstore.NewDynamoDB(dynamodb.NewFromConfig(awsCfg), sp.Arg), nil
	}
	return sentstore.NewMemory(), nil
}

// readSecret reads a secret's string from AWS Secrets Manager. A JSON object secret gives its
// "password" field; anything else is the password itself.
func readSecret(ctx context.Context, arn string) (string, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return "", fmt.Errorf("load AWS config: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("get secret value: %w", err)
	}
	return passwordFromSecret(aws.ToString(out.SecretString))
}

// passwordFromSecret takes the password out of a secret string.
func passwordFromSecret(s string) (string, error) {
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		var v struct {
			Password string `json:"password"`
		}
		if err := json.Unmarshal([]byte(s), &v); err != nil || v.Password == "" {
			return "", errors.New("the secret is a JSON object without a \"password\" string")
		}
		return v.Password, nil
	}
	if s == "" {
		return "", errors.New("the secret is empty")
	}
	return s, nil
}
