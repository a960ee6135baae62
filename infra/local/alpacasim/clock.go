package alpacasim

import (
	"sync"
	"time"
)

// Clock is the simulator's clock. It stands still unless moved, or, in real-time mode,
// advances with the wall clock from where it was last set.
type Clock struct {
	mu       sync.Mutex
	base     time.Time // simulated time at wallBase
	wallBase time.Time
	realTime bool
	wall     func() time.Time
}

func newClock(start time.Time, realTime bool, wall func() time.Time) *Clock {
	return &Clock{base: start, wallBase: wall(), realTime: realTime, wall: wall}
}

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.realTime {
		return c.base.Add(c.wall().Sub(c.wallBase))
	}
	return c.base
}

// Set moves the simulated time to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base = t
	c.wallBase = c.wall()
}
