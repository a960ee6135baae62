package idempotency_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    idempotency.Spec
		wantErr string
	}{
		{"", idempotency.Spec{Kind: "memory"}, ""},
		{"memory", idempotency.Spec{Kind: "memory"}, ""},
		{"sqlite:var/idem.db", idempotency.Spec{Kind: "sqlite", Arg: "var/idem.db"}, ""},
		{"dynamodb:alchemiser-dev-idempotency", idempotency.Spec{Kind: "dynamodb", Arg: "alchemiser-dev-idempotency"}, ""},
		{"sqlite:", idempotency.Spec{}, "needs a path"},
		{"redis:x", idempotency.Spec{}, "want memory"},
		{"mem", idempotency.Spec{}, "want memory"},
	}
	for _, tc := range tests {
		got, err := idempotency.ParseSpec(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSpec(%q): got %v, want an error containing %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if tc.in != "" && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestOpenSpec(t *testing.T) {
	ctx := context.Background()
	for _, spec := range []idempotency.Spec{{Kind: "memory"}, {Kind: "sqlite", Arg: filepath.Join(t.TempDir(), "i.db")}} {
		s, closeFn, err := idempotency.OpenSpec(ctx, spec)
		if err != nil {
			t.Fatalf("OpenSpec(%s): %v", spec, err)
		}
		if _, err := s.Claim(ctx, "k", "o", at, 1); err != nil {
			t.Errorf("%s: Claim: %v", spec, err)
		}
		if err := closeFn(); err != nil {
			t.Errorf("%s: close: %v", spec, err)
		}
	}
	if s, _, err := idempotency.OpenSpec(ctx, idempotency.Spec{Kind: "dynamodb", Arg: "t"}); err != nil {
		t.Errorf("dynamodb: %v", err)
	} else if _, ok := s.(*idempotency.DynamoDB); !ok {
		t.Errorf("dynamodb: got %T, want *idempotency.DynamoDB", s)
	}
	if _, _, err := idempotency.OpenSpec(ctx, idempotency.Spec{Kind: "redis", Arg: "t"}); !errors.Is(err, idempotency.ErrUnsupportedSpec) {
		t.Errorf("redis: got %v, want ErrUnsupportedSpec", err)
	}
}
