// Package handler is the execution service's Lambda handler: it turns a RebalancePlanned into
// a run of the app, and the run's report into a TradeExecuted.
package handler

import (
	"context"
	"fmt"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/execution/internal/app"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// Executor runs a plan; *app.Executor implements it.
type Executor interface {
	Execute(ctx context.Context, run app.Run) (domain.Report, error)
}

var _ Executor = (*app.Executor)(nil)

// Handler handles RebalancePlanned.
type Handler struct {
	exec     Executor
	pub      eventbus.Publisher
	producer string
	mode     v1.TradingMode
	metrics  *emf.Recorder
}

// New returns a handler that publishes as producer and trades in mode (paper or live). metrics
// may be nil.
func New(exec Executor, pub eventbus.Publisher, producer string, mode v1.TradingMode, metrics *emf.Recorder) *Handler {
	return &Handler{exec: exec, pub: pub, producer: producer, mode: mode, metrics: metrics}
}

// OnRebalancePlanned executes the plan and publishes TradeExecuted. A plan that cannot be
// executed as given publishes StepFailed and returns nil; a broker failure is returned, to be
// retried (the retry carries on from the orders already placed).
func (h *Handler) OnRebalancePlanned(ctx context.Context, msg lambdaevent.Message) error {
	ev, ok := msg.Event.(*v1.RebalancePlanned)
	if !ok {
		return lambdaevent.Permanent(fmt.Errorf("handle %s: not a RebalancePlanned", msg.Event.DetailType()))
	}
	if ev.TradingMode != h.mode {
		return h.fail(ctx, ev, "trading_mode_mismatch", fmt.Sprintf("the plan is for %s trading but this function trades %s", ev.TradingMode, h.mode))
	}
	plan, err := toPlan(ev)
	if err != nil {
		return h.fail(ctx, ev, "plan_invalid", err.Error())
	}
	rep, err := h.exec.Execute(ctx, app.Run{Plan: plan, DryRun: ev.DryRun, ReplayName: msg.ReplayName})
	if err != nil {
		return fmt.Errorf("execute plan %s: %w", ev.PlanID, err)
	}
	h.record(rep)
	out := toTradeExecuted(ev, rep, h.producer, msg.ReplayName)
	if err := h.pub.Publish(ctx, out); err != nil {
		return fmt.Errorf("publish TradeExecuted of plan %s: %w", ev.PlanID, err)
	}
	return nil
}

// Metric names. The Execution* figures carry an Outcome dimension; OrdersPlaced and
// OrdersFilled carry only the recorder's own (stage and service), for the dashboard's totals.
const (
	MetricRuns         = "ExecutionRuns"
	MetricOrders       = "ExecutionOrders"
	MetricOrdersFilled = "ExecutionOrdersFilled"
	MetricPlaced       = "OrdersPlaced"
	MetricFilled       = "OrdersFilled"
)

// record puts the run's metrics; the Metrics middleware flushes them with the invocation's.
func (h *Handler) record(rep domain.Report) {
	if h.metrics == nil {
		return
	}
	filled := 0
	for _, o := range rep.Orders {
		if o.Status == domain.StatusFilled || o.Status == domain.StatusSimulated {
			filled++
		}
	}
	dim := emf.Dimension{Name: "Outcome", Value: string(rep.Outcome)}
	h.metrics.Put(MetricRuns, 1, emf.Count, dim)
	h.metrics.Put(MetricOrders, float64(len(rep.Orders)), emf.Count, dim)
	h.metrics.Put(MetricOrdersFilled, float64(filled), emf.Count, dim)
	if rep.Outcome != domain.DryRun {
		h.metrics.Put(MetricPlaced, float64(len(rep.Orders)), emf.Count)
		h.metrics.Put(MetricFilled, float64(filled), emf.Count)
	}
}

func (h *Handler) fail(ctx context.Context, ev *v1.RebalancePlanned, code, reason string) error {
	sf := &v1.StepFailed{Metadata: v1.NewMetadata(v1.TypeStepFailed, &ev.Metadata, h.producer, ev.OccurredAt),
		Step: v1.StepExecution, Code: code, Reason: reason}
	if err := h.pub.Publish(ctx, sf); err != nil {
		return fmt.Errorf("publish StepFailed (%s) of plan %s: %w", code, ev.PlanID, err)
	}
	return nil
}
