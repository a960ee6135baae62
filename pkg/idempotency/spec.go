package idempotency

import (
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

// ErrUnsupportedSpec means OpenSpec cannot build the store the spec names here (dynamodb needs
// the AWS adapter, built by the service's composition root).
var ErrUnsupportedSpec = errors.New("idempotency store kind not supported by OpenSpec")

// OpenSpec builds the memory or SQLite store that spec names. The returned close function
// releases the database (a no-op for memory). A dynamodb spec gives ErrUnsupportedSpec.
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
	}
	return nil, nil, fmt.Errorf("open idempotency store %s: %w", spec, ErrUnsupportedSpec)
}
