// Package secretstest configures a function the way its Lambda is configured in AWS, for the
// services' tests: the environment names the Alpaca secret by ARN only, and pkg/secrets
// resolves it, through a hand-written Getter that holds the secret, before ConfigFromEnv reads
// the variables.
package secretstest

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/alchemiser/alchemiser/pkg/secrets"
)

// The Alpaca secret's fields, as ConfigFromEnv must see them.
const (
	KeyID     = "PKFROMSECRET"
	SecretKey = "secret-from-the-manager"
	arn       = "arn:aws:secretsmanager:us-east-1:123456789012:secret:alchemiser-dev-alpaca"
)

// values is a Getter holding secret strings by ARN.
type values map[string]string

func (v values) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(v[aws.ToString(in.SecretId)])}, nil
}

// AlpacaEnv returns the getenv of a dev function whose Alpaca keys live in Secrets Manager,
// with extra NAME=VALUE pairs added.
func AlpacaEnv(t testing.TB, extra ...string) func(string) string {
	t.Helper()
	environ := append([]string{"STAGE=dev", "EVENT_BUS_NAME=alchemiser-dev",
		"ALPACA_TRADING_URL=http://127.0.0.1:9", "ALPACA_DATA_URL=http://127.0.0.1:9", "ALPACA_SECRET_ARN=" + arn}, extra...)
	getter := values{arn: `{"key_id":"` + KeyID + `","secret_key":"` + SecretKey + `"}`}
	getenv, err := secrets.Resolve(context.Background(), environ, func(context.Context) (secrets.Getter, error) { return getter, nil })
	if err != nil {
		t.Fatal(err)
	}
	return getenv
}

// CheckAlpaca fails t unless the keys are the secret's and described (a config's String) does
// not show the secret key.
func CheckAlpaca(t testing.TB, keyID, secretKey, described string) {
	t.Helper()
	if keyID != KeyID || secretKey != SecretKey {
		t.Errorf("alpaca keys %q / %q, want the secret's", keyID, secretKey)
	}
	if strings.Contains(described, SecretKey) {
		t.Errorf("the configuration's description shows the secret: %s", described)
	}
}
