// Package clock gives the app layer's clocks: the system clock, and a stepping clock for tests
// and benchmarks that jumps forward instead of sleeping.
package clock

import (
	"sync"
	"time"

	"github.com/alchemiser/alchemiser/services/execution/internal/app"
)

var (
	_ app.Clock = System{}
	_ app.Clock = (*Stepping)(nil)
)

// System is the wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// After is time.After.
func (System) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Stepping is a clock that never sleeps: After moves the clock forward by d at once and
// delivers immediately. A run that waits for something that never comes reaches its deadline
// after a fixed number of steps, so tests are fast and deterministic.
type Stepping struct {
	mu  sync.Mutex
	now time.Time
}

// NewStepping returns a stepping clock that starts at start.
func NewStepping(start time.Time) *Stepping { return &Stepping{now: start} }

// Now returns the clock's time.
func (s *Stepping) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// After advances the clock by d and returns a channel that already holds the new time.
func (s *Stepping) After(d time.Duration) <-chan time.Time {
	s.mu.Lock()
	if d > 0 {
		s.now = s.now.Add(d)
	}
	t := s.now
	s.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- t
	return ch
}
