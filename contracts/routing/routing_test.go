package routing_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"
)

// matchExact is the subset of EventBridge matching that the routing table uses: every pattern
// key lists exact strings, and the event's value must be one of them. The full matcher
// (pkg/eventpattern) runs the same check in infra/local's routing test.
func matchExact(pattern []byte, envelope []byte) bool {
	var p map[string][]string
	var e map[string]any
	if json.Unmarshal(pattern, &p) != nil || json.Unmarshal(envelope, &e) != nil {
		return false
	}
	for k, vals := range p {
		s, ok := e[k].(string)
		if !ok || !slices.Contains(vals, s) {
			return false
		}
	}
	return true
}

func TestEveryEventReachesExactlyItsConsumers(t *testing.T) {
	table := routing.Table()
	hits := map[string]int{}
	for _, ev := range v1example.All() {
		env, err := v1.Wrap(ev, "id", "123456789012", "us-east-1", time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		var got []routing.Service
		for _, r := range table {
			if matchExact(r.Pattern(), env) {
				got = append(got, r.Target)
				hits[r.Name]++
			}
		}
		want := routing.Consumers()[ev.DetailType()]
		slices.Sort(got)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(want, got) {
			t.Errorf("%s reaches %v, want %v", ev.DetailType(), got, want)
		}
	}
	for _, r := range table {
		if hits[r.Name] == 0 {
			t.Errorf("rule %s is dead: no event of the contract matches it", r.Name)
		}
	}
}

func TestTableIsWellFormed(t *testing.T) {
	names := map[string]bool{}
	for _, r := range routing.Table() {
		if names[r.Name] {
			t.Errorf("rule name %s used twice", r.Name)
		}
		names[r.Name] = true
		if r.DLQ == "" || r.Retry.MaximumRetryAttempts < 0 || r.Retry.MaximumRetryAttempts > 185 ||
			r.Retry.MaximumEventAgeSeconds < 60 || r.Retry.MaximumEventAgeSeconds > 86400 {
			t.Errorf("rule %s: retry policy %+v / DLQ %q outside AWS's limits", r.Name, r.Retry, r.DLQ)
		}
		for _, dt := range r.DetailTypes {
			ev, err := v1.New(dt)
			if err != nil {
				t.Fatalf("rule %s: %v", r.Name, err)
			}
			if dt != v1.TypeStepFailed && !slices.Contains(r.Sources, ev.Source()) {
				t.Errorf("rule %s waits for %s, but no listed source publishes it (%s does)", r.Name, dt, ev.Source())
			}
		}
	}
}

func TestPatternChangeBreaksTheTest(t *testing.T) {
	// A guard on the guard: a route whose pattern no longer matches its event is caught.
	r := routing.Table()[0]
	r.DetailTypes = []v1.DetailType{"WorkflowStartedTypo"}
	env, _ := v1.Wrap(v1example.WorkflowStarted(), "id", "1", "us-east-1", time.Unix(0, 0))
	if matchExact(r.Pattern(), env) {
		t.Fatal("a broken pattern still matched")
	}
}
