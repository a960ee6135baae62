package secrets_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/alchemiser/alchemiser/pkg/secrets"
)

// fakeSecretsManager speaks the Secrets Manager JSON protocol for GetSecretValue, so the test
// drives the real SDK client.
func fakeSecretsManager(t *testing.T, values map[string]string, calls *atomic.Int32) *secretsmanager.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
			http.Error(w, "unexpected op", 400)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var in struct{ SecretId string }
		_ = json.Unmarshal(b, &in)
		v, ok := values[in.SecretId]
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if !ok {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"ARN": in.SecretId, "SecretString": v})
	}))
	t.Cleanup(srv.Close)
	return secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""),
	})
}

func TestResolve(t *testing.T) {
	var calls atomic.Int32
	client := fakeSecretsManager(t, map[string]string{
		"arn:alpaca": `{"key_id":"PK123","secret_key":"s3cr3t"}`,
		"arn:bad":    `not json s3cr3t`,
	}, &calls)
	mk := func(context.Context) (secrets.Getter, error) { return client, nil }
	ctx := context.Background()

	getenv, err := secrets.Resolve(ctx, []string{"STAGE=dev", "ALPACA_SECRET_ARN=arn:alpaca", "ALPACA_KEY_ID=old"}, mk)
	if err != nil {
		t.Fatal(err)
	}
	if getenv("ALPACA_KEY_ID") != "PK123" || getenv("ALPACA_SECRET_KEY") != "s3cr3t" || getenv("STAGE") != "dev" {
		t.Fatalf("resolved env wrong: key %q", getenv("ALPACA_KEY_ID"))
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls, want 1", calls.Load())
	}

	calls.Store(0)
	if _, err := secrets.Resolve(ctx, []string{"STAGE=local", "ALPACA_SECRET_KEY=x"}, func(context.Context) (secrets.Getter, error) {
		t.Fatal("client made without a secret ARN")
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}

	_, err = secrets.Resolve(ctx, []string{"SMTP_SECRET_ARN=arn:bad"}, mk)
	if err == nil || !strings.Contains(err.Error(), "SMTP_SECRET_ARN: secret value is not a JSON object") {
		t.Fatalf("bad secret: %v", err)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatal("the error quotes the secret")
	}
	if _, err := secrets.Resolve(ctx, []string{"SMTP_SECRET_ARN=arn:missing"}, mk); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("missing secret: %v", err)
	}
}
