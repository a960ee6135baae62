package service_test

import (
	"testing"

	"github.com/alchemiser/alchemiser/pkg/secrets/secretstest"
	"github.com/alchemiser/alchemiser/services/strategy/service"
)

// TestConfigReadsAlpacaKeysFromSecret configures the function the way the Lambda is configured
// in AWS: the environment names the Alpaca secret by ARN only.
func TestConfigReadsAlpacaKeysFromSecret(t *testing.T) {
	cfg, err := service.ConfigFromEnv(secretstest.AlpacaEnv(t, "IDEMPOTENCY_STORE=dynamodb:alchemiser-dev-strategy-idempotency"))
	if err != nil {
		t.Fatal(err)
	}
	secretstest.CheckAlpaca(t, cfg.Alpaca.KeyID, cfg.Alpaca.SecretKey, cfg.String())
	if cfg.IdempotencyStore != "dynamodb:alchemiser-dev-strategy-idempotency" {
		t.Errorf("idempotency store %q", cfg.IdempotencyStore)
	}
}
