package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/services/orchestrator/internal/domain"
)

var t0 = time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)

func fact(id string, k domain.Kind) domain.Fact {
	f := domain.Fact{EventID: id, Kind: k}
	switch k {
	case domain.Trade:
		f.Outcome = "success"
	case domain.Failure:
		f.Step, f.Code, f.Reason = "portfolio", "no_prices", "no price for XYZ"
	}
	return f
}

func TestApply(t *testing.T) {
	s, p, tr, f := fact("s", domain.Signal), fact("p", domain.Plan), fact("t", domain.Trade), fact("f", domain.Failure)
	cases := []struct {
		name    string
		facts   []domain.Fact
		state   domain.State
		changes int
	}{
		{"nothing yet", nil, domain.Started, 0},
		{"signal", []domain.Fact{s}, domain.Signalled, 1},
		{"signal and plan", []domain.Fact{s, p}, domain.Planned, 2},
		{"all three", []domain.Fact{s, p, tr}, domain.Completed, 3},
		{"trade first", []domain.Fact{tr}, domain.Executed, 1},
		{"trade then signal", []domain.Fact{tr, s}, domain.Executed, 2},
		{"plan then trade then signal", []domain.Fact{p, tr, s}, domain.Completed, 3},
		{"duplicates", []domain.Fact{s, s, p, p, s}, domain.Planned, 2},
		{"failure", []domain.Fact{s, f}, domain.Failed, 2},
		{"failure is final", []domain.Fact{f, s, p, tr}, domain.Failed, 1},
		{"completed is final", []domain.Fact{s, p, tr, f}, domain.Completed, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := domain.New("wf", domain.Start{}, t0)
			changes := 0
			for i, f := range c.facts {
				var changed bool
				w, changed = w.Apply(f, t0.Add(time.Duration(i+1)*time.Second))
				if changed {
					changes++
				}
			}
			if w.State != c.state || changes != c.changes {
				t.Fatalf("state %s after %d changes, want %s after %d", w.State, changes, c.state, c.changes)
			}
			if w.State.Terminal() != (w.End != nil && w.EndedAt != nil) {
				t.Errorf("terminal %t but end %v", w.State.Terminal(), w.End)
			}
		})
	}
}

func TestExpire(t *testing.T) {
	d := domain.Deadlines{Strategy: 5 * time.Minute, Portfolio: 2 * time.Minute, Execution: 15 * time.Minute}
	cases := []struct {
		name    string
		facts   []domain.Kind
		after   time.Duration
		expired bool
		waiting string
	}{
		{"strategy within deadline", nil, 5 * time.Minute, false, ""},
		{"strategy late", nil, 5*time.Minute + time.Second, true, "SignalGenerated"},
		{"portfolio late", []domain.Kind{domain.Signal}, 3 * time.Minute, true, "RebalancePlanned"},
		{"execution within deadline", []domain.Kind{domain.Signal, domain.Plan}, 10 * time.Minute, false, ""},
		{"execution late", []domain.Kind{domain.Signal, domain.Plan}, 16 * time.Minute, true, "TradeExecuted"},
		{"plan missing behind a trade", []domain.Kind{domain.Signal, domain.Trade}, 3 * time.Minute, true, "RebalancePlanned"},
		{"completed never expires", []domain.Kind{domain.Signal, domain.Plan, domain.Trade}, 24 * time.Hour, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := domain.New("wf", domain.Start{}, t0)
			for i, k := range c.facts {
				w, _ = w.Apply(fact(string(rune('a'+i)), k), t0)
			}
			got, expired := w.Expire(t0.Add(c.after), d)
			if expired != c.expired {
				t.Fatalf("expired %t, want %t", expired, c.expired)
			}
			if expired {
				if got.State != domain.Failed || got.End.Code != domain.TimeoutCode || !strings.HasPrefix(got.End.Reason, "timed out waiting for "+c.waiting) {
					t.Errorf("end %+v", got.End)
				}
				if _, again := got.Expire(t0.Add(48*time.Hour), d); again {
					t.Error("a failed workflow expired again")
				}
			}
		})
	}
}
