// Package handler is the strategy service's Lambda handler: it turns a WorkflowStarted into an
// evaluation of the stage's strategies, and the result into a SignalGenerated.
package handler

import (
	"context"
	"errors"
	"fmt"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// Runner evaluates a set; *strategy.Runner implements it.
type Runner interface {
	Run(ctx context.Context, req strategy.Request) (*symphony.Result, error)
}

var _ Runner = (*strategy.Runner)(nil)

// Loader loads the strategies an allocation name stands for; strategy.LoadAllocation is one.
type Loader func(name string) (*symphony.Set, error)

// Handler handles WorkflowStarted.
type Handler struct {
	run        Runner
	load       Loader
	pub        eventbus.Publisher
	producer   string
	allocation string
	now        func() time.Time
}

// New returns a handler that evaluates the allocation named by the event, or allocation when
// the event names none, and publishes as producer.
func New(run Runner, load Loader, pub eventbus.Publisher, producer, allocation string, now func() time.Time) *Handler {
	return &Handler{run: run, load: load, pub: pub, producer: producer, allocation: allocation, now: now}
}

// OnWorkflowStarted evaluates the strategies and publishes SignalGenerated. A bad strategy file
// or missing data publishes StepFailed and returns nil (retrying cannot help); a market-data
// failure that may pass (a 429, a 5xx) is returned, to be retried.
func (h *Handler) OnWorkflowStarted(ctx context.Context, msg lambdaevent.Message) error {
	ev, ok := msg.Event.(*v1.WorkflowStarted)
	if !ok {
		return lambdaevent.Permanent(fmt.Errorf("handle %s: not a WorkflowStarted", msg.Event.DetailType()))
	}
	name := ev.Strategies
	if name == "" {
		name = h.allocation
	}
	set, err := h.load(name)
	if err != nil {
		return h.fail(ctx, ev, "strategy_invalid", err.Error())
	}
	req, err := toRequest(ev, set, h.now())
	if err != nil {
		return h.fail(ctx, ev, "request_invalid", err.Error())
	}
	res, err := h.run.Run(ctx, req)
	switch {
	case err == nil:
	case strategy.Permanent(err):
		return h.fail(ctx, ev, failCode(err), err.Error())
	default:
		return fmt.Errorf("evaluate strategies %s: %w", name, err)
	}
	out, err := toSignal(ev, res, h.producer, msg.ReplayName, h.now())
	if err != nil {
		return h.fail(ctx, ev, "signal_invalid", err.Error())
	}
	if err := h.pub.Publish(ctx, out); err != nil {
		return fmt.Errorf("publish SignalGenerated: %w", err)
	}
	return nil
}

// failCode names a permanent failure for StepFailed.
func failCode(err error) string {
	var de *symphony.DataError
	switch {
	case errors.As(err, &de):
		return "no_data"
	case errors.Is(err, strategy.ErrDataRefused):
		return "data_refused"
	}
	return "strategy_invalid"
}

func (h *Handler) fail(ctx context.Context, ev *v1.WorkflowStarted, code, reason string) error {
	sf := &v1.StepFailed{Metadata: v1.NewMetadata(v1.TypeStepFailed, &ev.Metadata, h.producer, h.now()),
		Step: v1.StepStrategy, Code: code, Reason: reason}
	if err := h.pub.Publish(ctx, sf); err != nil {
		return fmt.Errorf("publish StepFailed (%s): %w", code, err)
	}
	return nil
}
