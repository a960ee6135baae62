package localcloud

import (
	"context"
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	"github.com/alchemiser/alchemiser/pkg/schedule"
)

// startScheduler fires the stage's schedules (pkg/schedule, the definitions the CDK app deploys)
// as EventBridge Scheduler does: at each firing it invokes the target function asynchronously
// with the schedule's input, the firing time filled in.
func (c *Cloud) startScheduler() error {
	defs, err := schedule.ForStage(Stage, c.opts.TradingSchedule)
	if err != nil {
		return fmt.Errorf("local cloud: schedules: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stopSch, c.schDone = cancel, make(chan struct{})
	done := make(chan struct{}, len(defs))
	for _, d := range defs {
		expr, err := schedule.Parse(d.Expression, d.TimeZone)
		if err != nil {
			cancel()
			return fmt.Errorf("local cloud: schedule %s: %w", d.Name, err)
		}
		go func() {
			defer func() { done <- struct{}{} }()
			c.runSchedule(ctx, d, expr, time.Now, time.After)
		}()
	}
	go func() {
		for range defs {
			<-done
		}
		close(c.schDone)
	}()
	return nil
}

// runSchedule waits for each firing of one schedule and invokes its target, until ctx ends.
func (c *Cloud) runSchedule(ctx context.Context, d schedule.Definition, expr schedule.Expr, now func() time.Time, after func(time.Duration) <-chan time.Time) {
	fn := FunctionName(routing.Service(d.Target))
	for {
		next, ok := expr.Next(now())
		if !ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-after(time.Until(next)):
		}
		if _, err := c.Host.InvokeAsync(ctx, fn, d.InputAt(next)); err != nil {
			c.opts.Logger.Error("schedule firing not delivered", "schedule", d.Name, "at", next, "error", err)
			continue
		}
		c.opts.Logger.Info("schedule fired", "schedule", d.Name, "at", next.UTC().Format(time.RFC3339))
	}
}
