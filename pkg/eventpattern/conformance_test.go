package eventpattern_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// conformanceCase is one case of the shared conformance corpora.
type conformanceCase struct {
	Name        string          `json:"name"`
	Source      string          `json:"source"`
	Expect      string          `json:"expect"`
	Pattern     json.RawMessage `json:"pattern"`
	PatternText *string         `json:"pattern_text"`
	Event       json.RawMessage `json:"event"`
	Error       string          `json:"error"`
	AWSMessage  string          `json:"aws_error_message"`
}

// findCorpusDir looks for shared/conformance/eventpattern, a sibling of the repository root, by
// walking up from the package directory.
func findCorpusDir() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		cand := filepath.Join(dir, "shared", "conformance", "eventpattern")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// corpusDir returns the corpora's folder, or skips the test when it is absent.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, ok := findCorpusDir()
	if !ok {
		t.Skip("conformance corpora not found: expected shared/conformance/eventpattern beside the repository (../shared/conformance/eventpattern from the repository root)")
	}
	return dir
}

func loadCases(t *testing.T, file string) []conformanceCase {
	t.Helper()
	path := filepath.Join(corpusDir(t), file)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read corpus %s: %v", file, err)
	}
	if strings.HasSuffix(file, ".jsonl") {
		var cs []conformanceCase
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var c conformanceCase
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("decode %s line %d: %v", file, len(cs)+1, err)
			}
			cs = append(cs, c)
		}
		return cs
	}
	var doc struct {
		Cases []conformanceCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
	return doc.Cases
}

// patternBytes returns the pattern text of a case. One harvested case lost its literal when the
// corpus was serialised: event-ruler's error quotes the original (1E-325), while the stored
// pattern holds the float 0.0 it was rounded to. The literal is restored from the error text.
func patternBytes(c conformanceCase) []byte {
	if c.PatternText != nil {
		return []byte(*c.PatternText)
	}
	const lost = "Cannot compare number : "
	if c.Expect == "invalid" && strings.Contains(c.Error, lost) {
		lit := c.Error[strings.Index(c.Error, lost)+len(lost):]
		if bytes.Contains(c.Pattern, []byte("0.0")) && !bytes.Contains(c.Pattern, []byte(lit)) {
			return bytes.Replace(c.Pattern, []byte("0.0"), []byte(lit), 1)
		}
	}
	return c.Pattern
}

func runCorpus(t *testing.T, file string) {
	cases := loadCases(t, file)
	pass, fail := 0, 0
	for i, c := range cases {
		name := c.Name
		if name == "" {
			name = c.Source
		}
		got, detail := verdict(c)
		if got == c.Expect {
			pass++
			continue
		}
		fail++
		if fail <= 40 {
			t.Errorf("%s case %d (%s): got %s, want %s\n  pattern: %s\n  event: %s\n  %s", file, i, name, got, c.Expect, patternBytes(c), c.Event, detail)
		}
	}
	t.Logf("%s: %d/%d cases agree", file, pass, len(cases))
}

func verdict(c conformanceCase) (string, string) {
	p, err := eventpattern.Compile(patternBytes(c))
	if err != nil {
		return "invalid", err.Error()
	}
	if c.Expect == "invalid" {
		return "valid", "(error wanted: " + c.Error + c.AWSMessage + ")"
	}
	ok, err := p.Match(c.Event)
	if err != nil {
		return "event-error", err.Error()
	}
	if ok {
		return "match", ""
	}
	return "no-match", ""
}

func TestConformanceAWS(t *testing.T)        { runCorpus(t, "aws-validated.json") }
func TestConformanceEventRuler(t *testing.T) { runCorpus(t, "event-ruler-harvested.jsonl") }
func TestConformanceArrays(t *testing.T)     { runCorpus(t, "event-ruler-arrays.json") }

// TestConformanceAWSMessages checks that invalid patterns are reported in AWS's words.
func TestConformanceAWSMessages(t *testing.T) {
	for _, c := range loadCases(t, "aws-validated.json") {
		if c.Expect != "invalid" || c.AWSMessage == "" {
			continue
		}
		_, err := eventpattern.Compile(patternBytes(c))
		if err == nil {
			continue // reported by TestConformanceAWS
		}
		if !strings.HasPrefix(err.Error(), c.AWSMessage) {
			t.Errorf("%s: error %q does not start with AWS's %q", c.Name, err, c.AWSMessage)
		}
	}
}

// TestConformanceMatcher puts every valid pattern of all three corpora into one Matcher and
// checks, for each corpus event, that the Matcher returns exactly the patterns that match one by
// one, and that each case's own pattern gets the verdict the corpus expects.
func TestConformanceMatcher(t *testing.T) {
	var cases []conformanceCase
	for _, f := range []string{"aws-validated.json", "event-ruler-harvested.jsonl", "event-ruler-arrays.json"} {
		cases = append(cases, loadCases(t, f)...)
	}
	m := eventpattern.NewMatcher()
	type named struct {
		name string
		p    *eventpattern.Pattern
	}
	var all []named
	seen := map[string]string{}
	for i, c := range cases {
		if c.Expect == "invalid" {
			continue
		}
		key := string(patternBytes(c))
		if _, ok := seen[key]; ok {
			continue
		}
		name := fmt.Sprintf("p%05d", i)
		seen[key] = name
		p, err := eventpattern.Compile([]byte(key))
		if err != nil {
			t.Fatalf("compile case %d: %v", i, err)
		}
		if err := m.Add(name, []byte(key)); err != nil {
			t.Fatalf("add case %d: %v", i, err)
		}
		all = append(all, named{name, p})
	}
	checked := map[string]bool{}
	for i, c := range cases {
		if c.Expect == "invalid" {
			continue
		}
		ev, err := eventpattern.ParseEvent(c.Event)
		if err != nil {
			t.Fatalf("parse event of case %d: %v", i, err)
		}
		got := m.MatchEvent(ev)
		own := seen[string(patternBytes(c))]
		_, hit := slices.BinarySearch(got, own)
		if hit != (c.Expect == "match") {
			t.Errorf("case %d (%s%s): matcher says %v for its own pattern, want %s", i, c.Name, c.Source, hit, c.Expect)
		}
		if checked[string(c.Event)] || len(checked) >= 400 {
			continue
		}
		checked[string(c.Event)] = true
		var want []string
		for _, n := range all {
			if n.p.MatchEvent(ev) {
				want = append(want, n.name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("case %d: matcher returned %d patterns, one-by-one matching %d\n got:  %v\n want: %v", i, len(got), len(want), got, want)
		}
	}
	t.Logf("%d patterns in one matcher, %d distinct events compared with one-by-one matching", len(all), len(checked))
}
