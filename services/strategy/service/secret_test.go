package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/alchemiser/alchemiser/pkg/secrets"
	"github.com/alchemiser/alchemiser/services/strategy/service"
)

// secretValues is a hand-written secrets.Getter holding secret strings by ARN.
type secretValues map[string]string

func (s secretValues) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(s[aws.ToString(in.SecretId)])}, nil
}

// TestConfigReadsAlpacaKeysFromSecret configures the function the way the Lambda does in AWS:
// the environment names the Alpaca secret by ARN only, and pkg/secrets resolves it into
// ALPACA_KEY_ID and ALPACA_SECRET_KEY before ConfigFromEnv reads them.
func TestConfigReadsAlpacaKeysFromSecret(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alchemiser-dev-alpaca"
	environ := []string{"STAGE=dev", "EVENT_BUS_NAME=alchemiser-dev", "IDEMPOTENCY_STORE=dynamodb:alchemiser-dev-strategy-idempotency",
		"ALPACA_TRADING_URL=http://127.0.0.1:9", "ALPACA_DATA_URL=http://127.0.0.1:9", "ALPACA_SECRET_ARN=" + arn}
	getter := secretValues{arn: `{"key_id":"PKFROMSECRET","secret_key":"secret-from-the-manager"}`}
	getenv, err := secrets.Resolve(context.Background(), environ, func(context.Context) (secrets.Getter, error) { return getter, nil })
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := service.ConfigFromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Alpaca.KeyID != "PKFROMSECRET" || cfg.Alpaca.SecretKey != "secret-from-the-manager" {
		t.Errorf("alpaca keys %q / %q, want the secret's", cfg.Alpaca.KeyID, cfg.Alpaca.SecretKey)
	}
	if cfg.IdempotencyStore != "dynamodb:alchemiser-dev-strategy-idempotency" {
		t.Errorf("idempotency store %q", cfg.IdempotencyStore)
	}
	if s := cfg.String(); strings.Contains(s, "secret-from-the-manager") {
		t.Errorf("String() shows the secret: %s", s)
	}
}
