package eventpattern_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

var fuzzSeeds = []string{
	`{"source":["a"]}`,
	`{"a":{"b":[{"prefix":"x"},{"suffix":{"equals-ignore-case":"Y"}},1,true,null]}}`,
	`{"n":[{"numeric":[">",0,"<=",5]},{"anything-but":[1,2]}]}`,
	`{"s":[{"anything-but":{"wildcard":["*a*","b\\*"]}},{"wildcard":"x*y*z"}]}`,
	`{"ip":[{"cidr":"10.0.0.0/8"},{"cidr":"2001:db8::/32"},"1.2.3.4"]}`,
	`{"$or":[{"a":[{"exists":false}]},{"$or":[{"b":[1]},{"c":[{"exists":true}]}]}]}`,
	`{"d":{"a":[{"exists":true}],"b":[{"exists":false}]}}`,
	`{"a":[]}`, `{"a":1}`, `[]`, `{`, `{"a":[{"numeric":["=","x"]}]}`,
}

// corpusPatterns returns the distinct patterns of the AWS corpus, when it is present, as seeds.
func corpusPatterns() [][]byte {
	dir, ok := findCorpusDir()
	if !ok {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "aws-validated.json"))
	if err != nil {
		return nil
	}
	var doc struct {
		Cases []conformanceCase `json:"cases"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out [][]byte
	for _, c := range doc.Cases {
		if p := patternBytes(c); !seen[string(p)] {
			seen[string(p)] = true
			out = append(out, p)
		}
	}
	return out
}

// FuzzCompile checks that Compile never panics, and that a compiled pattern can be matched.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, p := range corpusPatterns() {
		f.Add(p)
	}
	ev, err := eventpattern.ParseEvent([]byte(`{"a":"x","b":1,"c":[1,{"d":"1.2.3.4"}],"n":3,"s":"ab","ip":"10.1.2.3","d":[{"a":1},{"b":2}]}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pattern []byte) {
		p, err := eventpattern.Compile(pattern)
		if err != nil {
			if p != nil {
				t.Fatal("Compile returned both a pattern and an error")
			}
			return
		}
		p.MatchEvent(ev)
	})
}

// FuzzMatch checks that matching arbitrary events never panics, that Match and MatchEvent agree,
// and that a Matcher agrees with the pattern on its own.
func FuzzMatch(f *testing.F) {
	events := []string{
		`{"a":"x"}`, `{"a":{"b":["x",1,null,true]}}`, `{"n":3.0e2,"s":"10.0.0.1"}`,
		`{"d":[{"a":1},{"b":2},{"a":3,"b":4}]}`, `{"a":"\u00e9\ud83d\ude80"}`, `{}`, `[]`, `{"a":`,
	}
	for i, s := range fuzzSeeds {
		f.Add([]byte(s), []byte(events[i%len(events)]))
	}
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		p, err := eventpattern.Compile(pattern)
		if err != nil {
			return
		}
		got, err := p.Match(event)
		if err != nil {
			return
		}
		ev, err := eventpattern.ParseEvent(event)
		if err != nil {
			t.Fatalf("Match accepted the event but ParseEvent rejected it: %v", err)
		}
		if p.MatchEvent(ev) != got {
			t.Fatal("Match and MatchEvent disagree")
		}
		m := eventpattern.NewMatcher()
		m.AddPattern("p", p)
		names := m.MatchEvent(ev)
		if (len(names) == 1) != got {
			t.Fatalf("Matcher says %v, pattern says %v", names, got)
		}
	})
}
