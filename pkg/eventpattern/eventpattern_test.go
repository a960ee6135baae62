package eventpattern_test

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// TestDocCases runs the project's own cases, written from the EventBridge documentation.
func TestDocCases(t *testing.T) {
	data, err := os.ReadFile("testdata/aws-docs-cases.json")
	if err != nil {
		t.Fatalf("read cases: %v", err)
	}
	var cases []conformanceCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("decode cases: %v", err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, detail := verdict(c)
			if got != c.Expect {
				t.Errorf("got %s, want %s (%s)\n pattern: %s\n event: %s", got, c.Expect, detail, c.Pattern, c.Event)
			}
		})
	}
}

func TestPatternErrorWording(t *testing.T) {
	tests := []struct {
		pattern, reason, path string
	}{
		{`{"resources": []}`, "Empty arrays are not allowed", "resources"},
		{`{"detail": {"state": [{"anything-but": null}]}}`, "Value of anything-but must be an array or single string/number value.", "detail.state[0].anything-but"},
		{`{"int": 42}`, `"int" must be an object or an array`, "int"},
		{`[1]`, "Filter is not an object", ""},
		{`{"a": [1]`, "", ""},
	}
	for _, tt := range tests {
		_, err := eventpattern.Compile([]byte(tt.pattern))
		var pe *eventpattern.PatternError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: error %v is not a *PatternError", tt.pattern, err)
		}
		if tt.reason != "" && pe.Reason != tt.reason {
			t.Errorf("%s: reason %q, want %q", tt.pattern, pe.Reason, tt.reason)
		}
		if pe.Path != tt.path {
			t.Errorf("%s: path %q, want %q", tt.pattern, pe.Path, tt.path)
		}
		if !strings.HasPrefix(err.Error(), "Event pattern is not valid. Reason: ") {
			t.Errorf("%s: message %q lacks AWS's prefix", tt.pattern, err)
		}
	}
}

func TestEventErrors(t *testing.T) {
	for _, ev := range []string{``, `[]`, `"x"`, `{"a":}`, `{"a":1} x`, `{"a":01}`} {
		if _, err := eventpattern.ParseEvent([]byte(ev)); err == nil {
			t.Errorf("ParseEvent(%q) succeeded, want an error", ev)
		}
	}
}

func TestMatcherAddRemove(t *testing.T) {
	m := eventpattern.NewMatcher()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.Add("b", []byte(`{"source":["x"]}`)))
	must(m.Add("a", []byte(`{"source":[{"prefix":"x"}]}`)))
	must(m.Add("c", []byte(`{"source":["y"]}`)))
	if err := m.Add("bad", []byte(`{"source":[]}`)); err == nil {
		t.Error("Add of an invalid pattern succeeded")
	}
	ev := []byte(`{"source":"x"}`)
	got, err := m.Match(ev)
	must(err)
	if strings.Join(got, ",") != "a,b" {
		t.Errorf("Match = %v, want [a b]", got)
	}
	m.Remove("a")
	must(m.Add("b", []byte(`{"source":["z"]}`))) // replace
	got, err = m.Match(ev)
	must(err)
	if len(got) != 0 {
		t.Errorf("after Remove and replace, Match = %v, want none", got)
	}
	if _, err := m.Match([]byte(`not json`)); err == nil {
		t.Error("Match of a bad event succeeded")
	}
}

// TestMatcherConcurrent adds and removes patterns while other goroutines match (run with -race).
func TestMatcherConcurrent(t *testing.T) {
	m := eventpattern.NewMatcher()
	if err := m.Add("stable", []byte(`{"source":["x"]}`)); err != nil {
		t.Fatal(err)
	}
	ev, err := eventpattern.ParseEvent([]byte(`{"source":"x","n":5}`))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				got := m.MatchEvent(ev)
				found := false
				for _, n := range got {
					found = found || n == "stable"
				}
				if !found {
					t.Errorf("stable pattern missing from %v", got)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 300; i++ {
			name := "p" + string(rune('a'+i%26))
			if err := m.Add(name, []byte(`{"n":[{"numeric":[">",1]}]}`)); err != nil {
				t.Error(err)
				return
			}
			m.Remove(name)
		}
	}()
	wg.Wait()
}

func TestMatchEventDoesNotAllocate(t *testing.T) {
	p := eventpattern.MustCompile(`{"source":["x"],"detail":{"orders":{"symbol":["SPY"],"side":["buy"]},"state":[{"exists":false}]}}`)
	ev, err := eventpattern.ParseEvent([]byte(`{"source":"x","detail":{"orders":[{"symbol":"SPY","side":"sell"},{"symbol":"SPY","side":"buy"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	m := eventpattern.NewMatcher()
	m.AddPattern("p", p)
	buf := make([]string, 0, 4)
	m.AppendMatches(buf, ev) // build the index
	if n := testing.AllocsPerRun(100, func() { _ = p.MatchEvent(ev) }); n != 0 {
		t.Errorf("Pattern.MatchEvent allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = m.AppendMatches(buf[:0], ev) }); n != 0 {
		t.Errorf("Matcher.AppendMatches allocates %v times", n)
	}
	if !p.MatchEvent(ev) {
		t.Error("pattern does not match")
	}
}

// TestMatcherAgreesOnMixedPatterns compares the indexed Matcher with one-by-one matching on the
// benchmark's generated patterns.
func TestMatcherAgreesOnMixedPatterns(t *testing.T) {
	patterns := mixedPatterns(1000)
	for name, p := range routingPatterns {
		patterns[name] = p
	}
	m := eventpattern.NewMatcher()
	compiled := map[string]*eventpattern.Pattern{}
	for name, p := range patterns {
		c, err := eventpattern.Compile([]byte(p))
		if err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
		compiled[name] = c
		m.AddPattern(name, c)
	}
	events := append([][]byte{mixedEvent}, routingEvents...)
	events = append(events,
		[]byte(`{"source":"alchemiser.execution-12","detail":{"symbol":["SPY","QQQ-7"],"qty":[5,500,999.5],"price":"12"}}`),
		[]byte(`{"region":null,"detail":{"side":true,"status":"partial-3","fees":1e3}}`))
	for i, raw := range events {
		ev, err := eventpattern.ParseEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for name, p := range compiled {
			if p.MatchEvent(ev) {
				want = append(want, name)
			}
		}
		slices.Sort(want)
		if got := m.MatchEvent(ev); !slices.Equal(got, want) {
			t.Errorf("event %d: matcher %d names, one-by-one %d\n got:  %v\n want: %v", i, len(got), len(want), got, want)
		}
	}
}

// TestMatchIndependentArraysIsNotExponential matches a pattern whose fields come from three
// separate large arrays and fails on a fourth: without pruning, every combination (n^3) would
// be tried before failing.
func TestMatchIndependentArraysIsNotExponential(t *testing.T) {
	const n = 1500
	var b strings.Builder
	b.WriteString(`{`)
	for k, name := range []string{"a", "b", "c"} {
		if k > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"` + name + `":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"x":1}`)
		}
		b.WriteString(`]`)
	}
	b.WriteString(`,"d":[{"y":1},{"y":2}]}`)
	p := eventpattern.MustCompile(`{"a":{"x":[1]},"b":{"x":[1]},"c":{"x":[1]},"d":{"y":[3]}}`)
	ok, err := p.Match([]byte(b.String()))
	if err != nil || ok {
		t.Fatalf("Match = %v, %v; want false, nil", ok, err)
	}
	p = eventpattern.MustCompile(`{"a":{"x":[1]},"b":{"x":[1]},"c":{"x":[1]},"d":{"y":[2]}}`)
	if ok, err := p.Match([]byte(b.String())); err != nil || !ok {
		t.Fatalf("Match = %v, %v; want true, nil", ok, err)
	}
}
