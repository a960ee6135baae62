package idempotency_test

import (
	"testing"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
)

// FuzzParseSpec checks that ParseSpec never panics and that a parsed spec prints back to a
// setting that parses to the same spec.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"", "memory", "sqlite:var/x.db", "dynamodb:t", "sqlite:", ":", "sqlite:a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := idempotency.ParseSpec(s)
		if err != nil {
			return
		}
		again, err := idempotency.ParseSpec(spec.String())
		if err != nil || again != spec {
			t.Fatalf("ParseSpec(%q) = %+v, but its String %q parses to %+v, %v", s, spec, spec.String(), again, err)
		}
	})
}
