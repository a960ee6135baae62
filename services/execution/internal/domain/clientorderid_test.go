package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

func TestClientOrderIDDeterministicAndParsable(t *testing.T) {
	tag := domain.PlanTag(domain.DefaultPrefix, "corr-1", "plan-1")
	tests := []domain.OrderKey{
		{Symbol: "SPY", Side: domain.Buy, Leg: 0},
		{Symbol: "BRK.B", Side: domain.Sell, Leg: 2},
		{Symbol: "ABCDEFGHIJ-Z", Side: domain.Sell, Leg: 999},
	}
	for _, k := range tests {
		t.Run(string(k.Symbol), func(t *testing.T) {
			id := domain.ClientOrderID(tag, k)
			if id != domain.ClientOrderID(domain.PlanTag(domain.DefaultPrefix, "corr-1", "plan-1"), k) {
				t.Fatalf("not deterministic: %s", id)
			}
			if len(id) > domain.MaxClientOrderIDLen {
				t.Fatalf("%s is %d characters", id, len(id))
			}
			if !domain.IsOwn(domain.DefaultPrefix, id) || !strings.HasPrefix(id, tag) {
				t.Fatalf("%s does not carry prefix and tag", id)
			}
			got, err := domain.ParseClientOrderID(tag, id)
			if err != nil || got != k {
				t.Fatalf("ParseClientOrderID(%s) = %+v, %v; want %+v", id, got, err, k)
			}
		})
	}
}

func TestClientOrderIDDiffersByEveryPart(t *testing.T) {
	base := domain.OrderKey{Symbol: "SPY", Side: domain.Buy}
	ids := map[string]string{
		"base":   domain.ClientOrderID(domain.PlanTag("alch-", "c", "p"), base),
		"corr":   domain.ClientOrderID(domain.PlanTag("alch-", "c2", "p"), base),
		"plan":   domain.ClientOrderID(domain.PlanTag("alch-", "c", "p2"), base),
		"symbol": domain.ClientOrderID(domain.PlanTag("alch-", "c", "p"), domain.OrderKey{Symbol: "QQQ", Side: domain.Buy}),
		"side":   domain.ClientOrderID(domain.PlanTag("alch-", "c", "p"), domain.OrderKey{Symbol: "SPY", Side: domain.Sell}),
		"leg":    domain.ClientOrderID(domain.PlanTag("alch-", "c", "p"), domain.OrderKey{Symbol: "SPY", Side: domain.Buy, Leg: 1}),
		"split":  domain.ClientOrderID(domain.PlanTag("alch-", "cp", ""), base),
	}
	seen := map[string]string{}
	for name, id := range ids {
		if other, ok := seen[id]; ok {
			t.Errorf("%s and %s share %s", name, other, id)
		}
		seen[id] = name
	}
}

func TestParseClientOrderIDRefusesOthers(t *testing.T) {
	tag := domain.PlanTag("alch-", "c", "p")
	for _, id := range []string{"", "manual-order", tag, tag + "SPY", tag + "SPY-x-0", tag + "SPY-b-", tag + "SPY-b-01",
		tag + "spy-b-0", tag + "-b-0", domain.PlanTag("alch-", "c", "other") + "SPY-b-0", tag + "SPY-b--1"} {
		if _, err := domain.ParseClientOrderID(tag, id); !errors.Is(err, domain.ErrNotOurs) {
			t.Errorf("ParseClientOrderID(%q) = %v; want ErrNotOurs", id, err)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	for p, ok := range map[string]bool{"alch-": true, "a": true, "": false, "ALCH": false, "a b": false, "abcdefghijklmnopq": false} {
		if err := domain.ValidatePrefix(p); (err == nil) != ok {
			t.Errorf("ValidatePrefix(%q) = %v", p, err)
		}
	}
}

func FuzzParseClientOrderID(f *testing.F) {
	tag := domain.PlanTag("alch-", "c", "p")
	f.Add(tag + "SPY-b-0")
	f.Add(tag + "BRK.B-s-12")
	f.Add("x")
	f.Fuzz(func(t *testing.T, id string) {
		k, err := domain.ParseClientOrderID(tag, id)
		if err != nil {
			return
		}
		if back := domain.ClientOrderID(tag, k); back != id {
			t.Fatalf("round trip %q -> %+v -> %q", id, k, back)
		}
		if _, err := market.ParseSymbol(string(k.Symbol)); err != nil {
			t.Fatalf("bad symbol %q accepted", k.Symbol)
		}
	})
}

func BenchmarkClientOrderID(b *testing.B) {
	for b.Loop() {
		tag := domain.PlanTag(domain.DefaultPrefix, "0f6d2a7e-1c1b-5c3e-9a55-4c2b8a0e1f3d", "plan-0f6d2a7e")
		_ = domain.ClientOrderID(tag, domain.OrderKey{Symbol: "TQQQ", Side: domain.Buy})
	}
}
