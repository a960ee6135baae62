package idempotency

import (
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
)

// Spec is a parsed IDEMPOTENCY_STORE setting: "memory", "sqlite:PATH" or "dynamodb:TABLE".
type Spec struct {
	// Kind is "memory", "sqlite" or "dynamodb".
	Kind string
	// Arg is the SQLite path or the DynamoDB table; empty for memory.
	Arg string
}

// String returns the setting as written.
func (s Spec) String() string {
	if s.Arg == "" {
		return s.Kind
	}
	return s.Kind + ":" + s.Arg
}

// ParseSpec reads an IDEMPOTENCY_STORE setting. The empty string is "memory".
func ParseSpec(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "memory" {
		return Spec{Kind: "memory"}, nil
	}
	kind, arg, ok := strings.Cut(s, ":")
	switch {
	case !ok || (kind != "sqlite" && kind != "dynamodb"):
		return Spec{}, fmt.Errorf("parse IDEMPOTENCY_STORE %q: want memory, sqlite:PATH or dynamodb:TABLE", s)
	case arg == "":
		return Spec{}, fmt.Errorf("parse IDEMPOTENCY_STORE %q: %s needs a %s after the colon", s, kind, map[string]string{"sqlite": "path", "dynamodb": "table name"}[kind])
	}
	return Spec{Kind: kind, Arg: arg}, nil
}

// ErrUnsupportedSpec means OpenSpec cannot build the store the spec names.
var ErrUnsupportedSpec = errors.New("idempotency store kind not supported by OpenSpec")

// OpenSpec builds the store that spec names: memory, SQLite, or DynamoDB with the default AWS
// configuration (the function's role). The returned close function releases the database (a
// no-op for memory and DynamoDB).
func OpenSpec(ctx context.Context, spec Spec) (Store, func() error, error) {
	switch spec.Kind {
	case "memory":
		return NewMemory(), func() error { return nil }, nil
	case "sqlite":
		db, err := sqlitedb.OpenContext(ctx, spec.Arg)
		if err != nil {
			return nil, nil, fmt.Errorf("open idempotency store: %w", err)
		}
		s, err := NewSQLiteContext(ctx, db)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		return s, db.Close, nil
	case "dynamodb":
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("open idempotency store %s: load AWS config: %w", spec, err)
		}
		return NewDynamoDB(dynamodb.NewFromConfig(cfg), spec.Arg), func() error { return nil }, nil
	}
	return nil, nil, fmt.Errorf("open idempotency store %s: %w", spec, ErrUnsupportedSpec)
}
