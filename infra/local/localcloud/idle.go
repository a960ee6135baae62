package localcloud

import (
	"context"
	"fmt"
	"time"
)

// WaitIdle waits until the bus has no delivery outstanding and the Lambda host no invocation
// queued or running, so that every duplicate and retry has played out before a run is judged.
func (c *Cloud) WaitIdle(ctx context.Context) error {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	quiet := 0
	for {
		pending, err := c.Bus.Pending(ctx)
		if err != nil {
			return fmt.Errorf("wait for the bus: %w", err)
		}
		if pending == 0 && c.Host.Pending() == 0 {
			// Twice in a row: a handler that just finished may be publishing its event.
			if quiet++; quiet >= 2 {
				return nil
			}
		} else {
			quiet = 0
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait until idle: %d deliveries and %d invocations outstanding: %w", pending, c.Host.Pending(), ctx.Err())
		case <-tick.C:
		}
	}
}
