package routingbench_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"
	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// fixture is one golden event of the contract in the envelope the bus delivers.
type fixture struct {
	detailType v1.DetailType
	envelope   []byte
}

// fixtures wraps every golden event of the contract in an EventBridge envelope.
func fixtures(tb testing.TB) []fixture {
	tb.Helper()
	var out []fixture
	for i, ev := range v1example.All() {
		env, err := v1.Wrap(ev, fmt.Sprintf("evt-%d", i), "123456789012", "us-east-1", time.Unix(0, 0))
		if err != nil {
			tb.Fatalf("wrap %s: %v", ev.DetailType(), err)
		}
		out = append(out, fixture{detailType: ev.DetailType(), envelope: env})
	}
	return out
}

// newMatcher puts every route of table into one matcher, named by the rule's name.
func newMatcher(table []routing.Route) (*eventpattern.Matcher, error) {
	m := eventpattern.NewMatcher()
	for _, r := range table {
		if err := m.Add(r.Name, r.Pattern()); err != nil {
			return nil, fmt.Errorf("add rule %s: %w", r.Name, err)
		}
	}
	return m, nil
}

// problems routes every fixture through table with the real matcher and lists every event that
// reaches other services than routing.Consumers says, and every rule no event hits.
func problems(table []routing.Route, fxs []fixture) ([]string, error) {
	m, err := newMatcher(table)
	if err != nil {
		return nil, err
	}
	targets := map[string]routing.Service{}
	for _, r := range table {
		targets[r.Name] = r.Target
	}
	consumers := routing.Consumers()
	hits := map[string]int{}
	var out []string
	for _, f := range fxs {
		names, err := m.Match(f.envelope)
		if err != nil {
			return nil, fmt.Errorf("match %s: %w", f.detailType, err)
		}
		var got []routing.Service
		for _, n := range names {
			got = append(got, targets[n])
			hits[n]++
		}
		want := slices.Clone(consumers[f.detailType])
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			out = append(out, fmt.Sprintf("%s reaches %v (rules %v), want %v", f.detailType, got, names, want))
		}
	}
	for _, r := range table {
		if hits[r.Name] == 0 {
			out = append(out, fmt.Sprintf("rule %s is dead: no event of the contract matches it", r.Name))
		}
	}
	return out, nil
}

func TestEveryEventReachesExactlyItsConsumers(t *testing.T) {
	fxs := fixtures(t)
	if len(fxs) != len(routing.Consumers()) {
		t.Fatalf("%d golden events, but routing.Consumers names %d detail-types", len(fxs), len(routing.Consumers()))
	}
	got, err := problems(routing.Table(), fxs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range got {
		t.Error(p)
	}
}

func TestBrokenTableIsCaught(t *testing.T) {
	// A guard on the guard: each way of breaking the table must be reported.
	tests := []struct {
		name   string
		mutate func(table []routing.Route) []routing.Route
	}{
		{"detail-type typo", func(tb []routing.Route) []routing.Route {
			tb[0].DetailTypes = []v1.DetailType{"WorkflowStartedTypo"}
			return tb
		}},
		{"source typo", func(tb []routing.Route) []routing.Route {
			tb[1].Sources = []v1.Source{"alchemiser.strategyy"}
			return tb
		}},
		{"wrong target", func(tb []routing.Route) []routing.Route {
			tb[2].Target = routing.Notifier
			return tb
		}},
		{"missing rule", func(tb []routing.Route) []routing.Route {
			return tb[1:]
		}},
		{"extra delivery", func(tb []routing.Route) []routing.Route {
			extra := tb[len(tb)-1]
			extra.Name = "notifier-on-workflow-completed"
			extra.DetailTypes = []v1.DetailType{v1.TypeWorkflowCompleted}
			return append(tb, extra)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := problems(tt.mutate(routing.Table()), fixtures(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatal("a broken routing table passed the check")
			}
		})
	}
}

func TestBrokenPatternDoesNotMatch(t *testing.T) {
	// The same guard as contracts/routing's exact-string test, with the real matcher.
	r := routing.Table()[0]
	r.DetailTypes = []v1.DetailType{"WorkflowStartedTypo"}
	p, err := eventpattern.Compile(r.Pattern())
	if err != nil {
		t.Fatal(err)
	}
	env, err := v1.Wrap(v1example.WorkflowStarted(), "id", "1", "us-east-1", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	ok, err := p.Match(env)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Fatal("a broken pattern still matched")
	}
}

var (
	sinkNames []string
	sinkMap   map[string]any
)

// BenchmarkRoutingTable matches every golden event of the contract against the whole routing
// table in one Matcher; one op is one event (the fixtures in turn).
func BenchmarkRoutingTable(b *testing.B) {
	fxs := fixtures(b)
	m, err := newMatcher(routing.Table())
	if err != nil {
		b.Fatal(err)
	}
	parsed := make([]*eventpattern.Event, len(fxs))
	for i, f := range fxs {
		if parsed[i], err = eventpattern.ParseEvent(f.envelope); err != nil {
			b.Fatal(err)
		}
	}
	buf := make([]string, 0, 16)
	b.Run("parsed", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			sinkNames = m.AppendMatches(buf[:0], parsed[n%len(parsed)])
			n++
		}
		reportPerEvent(b, n)
	})
	b.Run("parse+match", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			ev, err := eventpattern.ParseEvent(fxs[n%len(fxs)].envelope)
			if err != nil {
				b.Fatal(err)
			}
			sinkNames = m.AppendMatches(buf[:0], ev)
			n++
		}
		reportPerEvent(b, n)
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			var err error
			if sinkNames, err = m.Match(fxs[n%len(fxs)].envelope); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportPerEvent(b, n)
	})
}

// BenchmarkRoutingTableBaseline is the yardstick: decoding the same envelopes with
// encoding/json, into a map (what a naive matcher needs) and into v1.Envelope.
func BenchmarkRoutingTableBaseline(b *testing.B) {
	fxs := fixtures(b)
	b.Run("json-unmarshal-map", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			sinkMap = nil
			if err := json.Unmarshal(fxs[n%len(fxs)].envelope, &sinkMap); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportPerEvent(b, n)
	})
	b.Run("json-unmarshal-envelope", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			var env v1.Envelope
			if err := json.Unmarshal(fxs[n%len(fxs)].envelope, &env); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportPerEvent(b, n)
	})
}

// reportPerEvent reports the time per event; with one event per op it equals ns/op, and the
// allocations per event are allocs/op.
func reportPerEvent(b *testing.B, events int) {
	if events > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	}
}
