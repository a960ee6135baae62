package eventpattern

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// referenceMatch decides a sub-rule by brute force: every combination of one value (or absence)
// per cond, accepted when all chosen values are pairwise array-consistent and every cond met by
// absence has no value consistent with all of them.
func referenceMatch(r *subRule, ev *Event) bool {
	n := len(r.conds)
	choice := make([]int32, n) // field index, or -1 for absence
	var rec func(i int) bool
	rec = func(i int) bool {
		if i == n {
			var chosen []int32
			for _, c := range choice {
				if c >= 0 {
					chosen = append(chosen, c)
				}
			}
			for a := range chosen {
				for b := range chosen {
					if !consistent(ev, &ev.fields[chosen[a]], chosen[b:b+1]) {
						return false
					}
				}
			}
			for k, c := range choice {
				if c >= 0 {
					continue
				}
				ps := ev.lookupRange(r.conds[k].path)
				for fi := ps.start; fi < ps.end; fi++ {
					if consistent(ev, &ev.fields[fi], chosen) {
						return false
					}
				}
			}
			return true
		}
		c := &r.conds[i]
		ps := ev.lookupRange(c.path)
		for fi := ps.start; fi < ps.end; fi++ {
			if c.matchValue(&ev.fields[fi]) {
				choice[i] = fi
				if rec(i + 1) {
					return true
				}
			}
		}
		if c.absent {
			choice[i] = -1
			return rec(i + 1)
		}
		return false
	}
	return rec(0)
}

// randomValue writes a small random JSON value, with arrays of objects to exercise consistency.
func randomValue(r *rand.Rand, b *strings.Builder, depth int) {
	switch k := r.IntN(6); {
	case depth > 0 && k == 0:
		b.WriteString("[")
		for i, n := 0, r.IntN(4); i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			randomValue(r, b, depth-1)
		}
		b.WriteString("]")
	case depth > 0 && k <= 2:
		b.WriteString("{")
		for i, n := 0, 1+r.IntN(3); i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(b, "%q:", string(rune('a'+r.IntN(3))))
			randomValue(r, b, depth-1)
		}
		b.WriteString("}")
	default:
		b.WriteString([]string{"1", "2", `"x"`, `"y"`, "null"}[r.IntN(5)])
	}
}

func randomPattern(r *rand.Rand) string {
	var parts []string
	for i, n := 0, 1+r.IntN(4); i < n; i++ {
		path := []string{"a", "b", "c"}[r.IntN(3)]
		for d := r.IntN(3); d > 0; d-- {
			path += "." + []string{"a", "b", "c"}[r.IntN(3)]
		}
		leaf := []string{`[1]`, `["x"]`, `[{"exists":true}]`, `[{"exists":false}]`, `[{"anything-but":"x"}]`, `["y",{"exists":false}]`, `[{"numeric":[">",1]}]`}[r.IntN(7)]
		parts = append(parts, fmt.Sprintf("%q:%s", path, leaf))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestMatchAgainstBruteForce checks the backtracking matcher, with its pruning and its deferred
// absence checks, against brute force on random events and patterns (fixed seed).
func TestMatchAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	checked := 0
	for iter := 0; iter < 20000; iter++ {
		var b strings.Builder
		b.WriteString("{")
		for i, n := 0, 1+r.IntN(3); i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:", string(rune('a'+i)))
			randomValue(r, &b, 3)
		}
		b.WriteString("}")
		ev, err := ParseEvent([]byte(b.String()))
		if err != nil {
			t.Fatalf("parse %s: %v", b.String(), err)
		}
		ps := randomPattern(r)
		p, err := Compile([]byte(ps))
		if err != nil {
			continue // duplicate paths and the like
		}
		for i := range p.rules {
			got, want := p.rules[i].match(ev), referenceMatch(&p.rules[i], ev)
			if got != want {
				t.Fatalf("pattern %s\nevent %s\nmatch = %v, brute force = %v", ps, b.String(), got, want)
			}
			checked++
		}
	}
	t.Logf("%d random pattern/event pairs agree with brute force", checked)
}

// TestMatcherAgainstPatterns checks the indexed Matcher against one-by-one matching on random
// patterns and events (fixed seed).
func TestMatcherAgainstPatterns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	m := NewMatcher()
	pats := map[string]*Pattern{}
	for len(pats) < 300 {
		ps := randomPattern(r)
		if r.IntN(4) == 0 {
			ps = `{"$or":[` + randomPattern(r) + "," + randomPattern(r) + "]}"
		}
		p, err := Compile([]byte(ps))
		if err != nil {
			continue
		}
		name := fmt.Sprintf("p%03d", len(pats))
		pats[name] = p
		m.AddPattern(name, p)
	}
	for iter := 0; iter < 500; iter++ {
		var b strings.Builder
		b.WriteString("{")
		for i, n := 0, 1+r.IntN(3); i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:", string(rune('a'+i)))
			randomValue(r, &b, 3)
		}
		b.WriteString("}")
		raw := []byte(b.String())
		ev, err := ParseEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := 0; i < len(pats); i++ {
			name := fmt.Sprintf("p%03d", i)
			if pats[name].MatchEvent(ev) {
				want = append(want, name)
			}
		}
		got := m.MatchEvent(ev)
		gotRaw, err := m.Match(raw)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") || strings.Join(gotRaw, ",") != strings.Join(want, ",") {
			t.Fatalf("event %s\nmatcher  %v\nraw      %v\npatterns %v", raw, got, gotRaw, want)
		}
	}
}
