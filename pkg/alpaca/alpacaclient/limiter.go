package alpacaclient

import (
	"context"
	"sync"
	"time"
)

// Limiter paces requests; *rate.Limiter and *Window implement it.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Window is a sliding-window limiter: at most N requests in any span of Per, which is how
// Alpaca counts its limit. Unlike a token bucket with a small burst, it lets a short burst of
// up to N requests go at once (a rebalance places its orders together) and still never lets
// the broker see more than N in a window.
type Window struct {
	mu   sync.Mutex
	n    int
	per  time.Duration
	now  func() time.Time
	sent []time.Time // ring of the last n request times
	next int
}

// NewWindow returns a limiter of n requests per span. now is the clock; nil means time.Now.
func NewWindow(n int, per time.Duration, now func() time.Time) *Window {
	if now == nil {
		now = time.Now
	}
	return &Window{n: n, per: per, now: now, sent: make([]time.Time, 0, n)}
}

// Wait blocks until a request may go without exceeding the window, or ctx ends.
func (w *Window) Wait(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := w.now()
		if len(w.sent) < w.n {
			w.sent = append(w.sent, now)
			w.mu.Unlock()
			return nil
		}
		oldest := w.sent[w.next] // the ring's oldest entry
		if free := oldest.Add(w.per); !free.After(now) {
			w.sent[w.next] = now
			w.next = (w.next + 1) % w.n
			w.mu.Unlock()
			return nil
		} else {
			w.mu.Unlock()
			t := time.NewTimer(free.Sub(now))
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}
