package eventpattern

import (
	"slices"
	"sync"
)

// Matcher holds many named patterns and reports which of them match an event. Add and Remove
// are safe to call while other goroutines match.
type Matcher struct {
	mu       sync.RWMutex
	patterns map[string]*Pattern
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	return &Matcher{patterns: map[string]*Pattern{}}
}

// Add compiles pattern and stores it under name, replacing any pattern of that name.
func (m *Matcher) Add(name string, pattern []byte) error {
	p, err := Compile(pattern)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.patterns[name] = p
	m.mu.Unlock()
	return nil
}

// Remove deletes the pattern stored under name, if any.
func (m *Matcher) Remove(name string) {
	m.mu.Lock()
	delete(m.patterns, name)
	m.mu.Unlock()
}

// Match parses event and returns the names of the patterns it matches, sorted.
func (m *Matcher) Match(event []byte) ([]string, error) {
	ev, err := ParseEvent(event)
	if err != nil {
		return nil, err
	}
	return m.MatchEvent(ev), nil
}

// MatchEvent returns the names of the patterns a parsed event matches, sorted.
func (m *Matcher) MatchEvent(ev *Event) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for name, p := range m.patterns {
		if p.MatchEvent(ev) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
