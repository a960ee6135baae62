package service_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/services/notifier/service"
)

const (
	smtpSecret   = "s3cr3t-SMTP-pa55word"
	alpacaSecret = "alpaca-SECRET-key-0123456789"
)

func env(extra map[string]string) func(string) string {
	m := map[string]string{
		"STAGE": "local", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "2525", "SMTP_USERNAME": "alchemiser",
		"SMTP_PASSWORD": smtpSecret, "MAIL_FROM": "Alchemiser <bot@alchemiser.local>", "MAIL_TO": "ops@alchemiser.local",
		"ALPACA_SECRET_KEY": alpacaSecret, "ALPACA_KEY_ID": "PK123",
	}
	for k, v := range extra {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	cases := []struct {
		name  string
		extra map[string]string
		err   string
	}{
		{"defaults", nil, ""},
		{"no host", map[string]string{"SMTP_HOST": ""}, "SMTP_HOST is required"},
		{"bad port", map[string]string{"SMTP_PORT": "smtp"}, "SMTP_PORT"},
		{"bad tls", map[string]string{"SMTP_TLS": "sometimes"}, "SMTP_TLS"},
		{"auth without tls", map[string]string{"SMTP_TLS": "none"}, "clear text"},
		{"user without password", map[string]string{"SMTP_PASSWORD": ""}, "SMTP_PASSWORD"},
		{"secret instead of password", map[string]string{"SMTP_PASSWORD": "", "SMTP_PASSWORD_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:smtp"}, ""},
		{"bad recipient", map[string]string{"MAIL_TO": "ops@x.y, not an address"}, "MAIL_TO"},
		{"no recipient", map[string]string{"MAIL_TO": " "}, "MAIL_TO"},
		{"bad store", map[string]string{"SENT_STORE": "redis"}, "SENT_STORE"},
		{"dynamodb store", map[string]string{"SENT_STORE": "dynamodb:alchemiser-dev-notifications"}, ""},
		{"dynamodb store without a table", map[string]string{"SENT_STORE": "dynamodb:"}, `SENT_STORE "dynamodb:"`},
		{"bad neutral", map[string]string{"NOTIFIER_NEUTRAL": "maybe"}, "NOTIFIER_NEUTRAL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := service.ConfigFromEnv(env(c.extra))
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !cfg.Neutral || cfg.SMTPTLS != "mandatory" || cfg.SendAttempts != 3 {
					t.Errorf("defaults %s", cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error %v, want it to mention %q", err, c.err)
			}
		})
	}
}

func TestConfigNeverPrintsThePassword(t *testing.T) {
	cfg, err := service.ConfigFromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), logs.String()} {
		if strings.Contains(s, smtpSecret) {
			t.Fatalf("password printed: %s", s)
		}
	}
}

func TestSecretIsReadOnceAtStart(t *testing.T) {
	cfg, err := service.ConfigFromEnv(env(map[string]string{"SMTP_PASSWORD": "", "SMTP_PASSWORD_SECRET_ARN": "arn:x"}))
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err = service.NewWithDeps(context.Background(), cfg, slog.New(slog.DiscardHandler), service.Deps{
		Metrics:    emf.New(&bytes.Buffer{}, "t"),
		ReadSecret: func(_ context.Context, arn string) (string, error) { calls++; return smtpSecret, nil },
	})
	if err != nil || calls != 1 {
		t.Fatalf("err %v, %d reads", err, calls)
	}
	_, err = service.NewWithDeps(context.Background(), cfg, slog.New(slog.DiscardHandler), service.Deps{
		Metrics:    emf.New(&bytes.Buffer{}, "t"),
		ReadSecret: func(context.Context, string) (string, error) { return "", fmt.Errorf("AccessDenied") },
	})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("err %v", err)
	}
}

// TestNoSecretInLogs runs the notifier at debug level against an SMTP port where nothing
// listens, so every path that logs runs (start, config, failed send, retries, error), and scans
// the captured logs for the configured secrets.
func TestNoSecretInLogs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cfg, err := service.ConfigFromEnv(env(map[string]string{"SMTP_PORT": port, "LOG_LEVEL": "debug", "SMTP_TIMEOUT": "2s"}))
	if err != nil {
		t.Fatal(err)
	}
	var logs, metrics bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Info("starting notifier", "config", cfg)
	r, err := service.NewWithDeps(context.Background(), cfg, logger, service.Deps{
		Metrics: emf.New(&metrics, "t"),
		Wait:    func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := &v1.TradingNotificationRequested{Metadata: v1.Metadata{EventType: v1.TypeTradingNotificationRequested, EventID: "e1",
		CorrelationID: "wf-1", CausationID: "c", SchemaVersion: v1.SchemaVersion, OccurredAt: time.Now().UTC(), Producer: "orchestrator",
		Stage: "local", TradingMode: v1.ModePaper}, Status: v1.StatusNoTrades, Summary: "0 orders"}
	payload, err := v1.Wrap(ev, "env-1", "000000000000", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lambda.NewHandler(r).Invoke(context.Background(), payload); err == nil {
		t.Fatal("send to a closed port succeeded")
	}
	if !strings.Contains(logs.String(), "handler failed") && !strings.Contains(logs.String(), "error") {
		t.Fatalf("the failure was not logged:\n%s", logs.String())
	}
	for _, secret := range []string{smtpSecret, alpacaSecret} {
		if strings.Contains(logs.String(), secret) || strings.Contains(metrics.String(), secret) {
			t.Errorf("secret %q found in logs:\n%s", secret, logs.String())
		}
	}
}
