// Package secrets resolves secrets at cold start, once, so that configuration can be read from
// one getenv function whatever holds the values.
//
// In AWS a function's environment names its secrets by ARN only: a variable NAME_SECRET_ARN
// points at a Secrets Manager secret whose value is a JSON object. Resolve reads each such secret
// once and exposes its fields as NAME_<FIELD> in upper case: ALPACA_SECRET_ARN holding
// {"key_id": ..., "secret_key": ...} gives ALPACA_KEY_ID and ALPACA_SECRET_KEY. Locally there
// is no *_SECRET_ARN and the plain variables are used as they are. The values never enter the
// process environment or a log.
package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Suffix marks a variable that holds a secret's ARN.
const Suffix = "_SECRET_ARN"

// Getter reads one secret's string value.
type Getter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ Getter = (*secretsmanager.Client)(nil)

// Resolve returns a getenv that answers from environ (the NAME=VALUE pairs of os.Environ) and
// from the fields of every secret an environ variable names by ARN. The secrets client is only
// made when there is a secret to read. A field overrides a plain variable of the same name.
func Resolve(ctx context.Context, environ []string, client func(ctx context.Context) (Getter, error)) (func(string) string, error) {
	env := make(map[string]string, len(environ))
	var arns []string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
		if strings.HasSuffix(k, Suffix) && v != "" {
			arns = append(arns, k)
		}
	}
	sort.Strings(arns)
	if len(arns) > 0 {
		c, err := client(ctx)
		if err != nil {
			return nil, fmt.Errorf("secrets: make client: %w", err)
		}
		for _, k := range arns {
			fields, err := read(ctx, c, env[k])
			if err != nil {
				return nil, fmt.Errorf("secrets: %s: %w", k, err)
			}
			prefix := strings.TrimSuffix(k, Suffix)
			for f, v := range fields {
				env[prefix+"_"+strings.ToUpper(f)] = v
			}
		}
	}
	return func(k string) string { return env[k] }, nil
}

// FromProcess resolves the process's own environment with the default AWS configuration.
func FromProcess(ctx context.Context) (func(string) string, error) {
	return Resolve(ctx, os.Environ(), func(ctx context.Context) (Getter, error) {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		return secretsmanager.NewFromConfig(cfg), nil
	})
}

func read(ctx context.Context, c Getter, arn string) (map[string]string, error) {
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("secret has no string value")
	}
	var fields map[string]string
	if err := json.Unmarshal([]byte(*out.SecretString), &fields); err != nil {
		// Never quote the value: it is a secret.
		return nil, fmt.Errorf("secret value is not a JSON object of strings")
	}
	return fields, nil
}
