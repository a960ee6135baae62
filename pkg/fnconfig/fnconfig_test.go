package fnconfig_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/fnconfig"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestReadBaseAndDedup(t *testing.T) {
	b, errs := fnconfig.ReadBase(env(map[string]string{"EVENT_BUS_NAME": "alchemiser-dev"}))
	if len(errs) != 0 || b.Stage != "dev" {
		t.Fatalf("defaults: %+v %v", b, errs)
	}
	if errs := b.Check(); len(errs) != 0 {
		t.Fatalf("check: %v", errs)
	}
	b.Stage = "qa"
	if errs := b.Check(); len(errs) != 1 || !strings.Contains(errs[0].Error(), `STAGE "qa"`) {
		t.Fatalf("bad stage: %v", errs)
	}
	_, errs = fnconfig.ReadBase(env(map[string]string{"LOG_LEVEL": "loud"}))
	if len(errs) == 0 {
		t.Fatal("bad log level accepted")
	}
	d := fnconfig.ReadDedup(env(nil), time.Minute)
	if d.IdempotencyStore != "memory" || len(d.Check()) != 0 {
		t.Fatalf("dedup defaults: %+v %v", d, d.Check())
	}
	d = fnconfig.ReadDedup(env(map[string]string{"IDEMPOTENCY_STORE": "dynamodb:"}), 0)
	if len(d.Check()) != 2 {
		t.Fatalf("bad store and lease: %v", d.Check())
	}
}

func TestOptionalReaders(t *testing.T) {
	g := env(map[string]string{"B": "true", "D": "90s", "M": "0.25", "BADB": "maybe", "BADD": "-1s", "BADM": "-3"})
	var b bool
	var d time.Duration
	var m decimal.Decimal
	if err := fnconfig.Bool(g, "B", &b); err != nil || !b {
		t.Fatal(err)
	}
	if err := fnconfig.Duration(g, "D", &d); err != nil || d != 90*time.Second {
		t.Fatal(err)
	}
	if err := fnconfig.Decimal(g, "M", &m); err != nil || m.String() != "0.25" {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"BADB", fnconfig.Bool(g, "BADB", &b)},
		{"BADD", fnconfig.Duration(g, "BADD", &d)},
		{"BADM", fnconfig.Decimal(g, "BADM", &m)},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.name+"=") {
			t.Errorf("%s: err %v, want one naming the variable", tc.name, tc.err)
		}
	}
	if err := fnconfig.Bool(g, "UNSET", &b); err != nil || !b {
		t.Fatal("an unset variable changed the value")
	}
}
