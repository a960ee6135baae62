package domain_test

import (
	"math/rand/v2"
	"testing"

	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
)

// FuzzBuild plans the random portfolio the fuzzer's bytes seed and checks every promise the
// property test checks: no panic, no margin, no negative position, complete liquidations.
func FuzzBuild(f *testing.F) {
	for _, s := range []uint64{0, 1, 7, 2026, 1 << 40} {
		f.Add(s, s^0x9e3779b97f4a7c15)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		in, p := scenario(rand.New(rand.NewPCG(a, b)))
		plan, err := domain.Build(in, p)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		if msg := violations(in, p, plan); msg != "" {
			t.Fatalf("%s\n%s", msg, render(plan))
		}
	})
}
