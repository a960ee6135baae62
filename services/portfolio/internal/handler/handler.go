// Package handler is the portfolio service's thin event adapter: it turns a SignalGenerated into
// a plan request, asks the app for the plan and publishes RebalancePlanned, or StepFailed when
// retrying cannot help.
package handler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
)

// Planner plans a rebalance; *app.Planner is one.
type Planner interface {
	Plan(ctx context.Context, req app.Request) (app.Result, error)
}

// Publisher publishes events; pkg/eventbus publishers are ones.
type Publisher interface {
	Publish(ctx context.Context, events ...v1.Event) error
}

var _ Planner = (*app.Planner)(nil)

// Failure codes published in StepFailed.
const (
	// CodeInvalidSignal: the signal cannot be planned (such as a malformed symbol).
	CodeInvalidSignal = "invalid_signal"
	// CodePlanFailed: the account or the broker refused in a way retrying does not fix.
	CodePlanFailed = "plan_failed"
)

// Handler handles SignalGenerated.
type Handler struct {
	planner  Planner
	pub      Publisher
	producer string
	now      func() time.Time
	logger   *slog.Logger
}

// New returns a Handler that plans with planner, publishes with pub as producer, and stamps
// events with now.
func New(planner Planner, pub Publisher, producer string, now func() time.Time, logger *slog.Logger) *Handler {
	return &Handler{planner: planner, pub: pub, producer: producer, now: now, logger: logger}
}

// SignalGenerated plans the rebalance a signal asks for and publishes it. A failure that
// retrying cannot fix is published as StepFailed and returns nil; any other failure is returned
// so the event is retried.
func (h *Handler) SignalGenerated(ctx context.Context, msg lambdaevent.Message) error {
	sig, ok := msg.Event.(*v1.SignalGenerated)
	if !ok {
		return lambdaevent.Permanent(fmt.Errorf("handle signal: got %T, want *v1.SignalGenerated", msg.Event))
	}
	req, err := toRequest(sig)
	if err != nil {
		return h.fail(ctx, sig, CodeInvalidSignal, err)
	}
	res, err := h.planner.Plan(ctx, req)
	switch {
	case errors.Is(err, app.ErrPermanent):
		return h.fail(ctx, sig, CodePlanFailed, err)
	case err != nil:
		return fmt.Errorf("plan for %s: %w", sig.CorrelationID, err)
	}
	if err := h.pub.Publish(ctx, toEvent(res, sig, h.producer, h.now())); err != nil {
		return fmt.Errorf("publish plan %s: %w", res.PlanID, err)
	}
	if m := lambdaevent.MetricsFrom(ctx); m != nil {
		equity, _ := res.Plan.Equity.Decimal().Float64() // a dashboard figure, not money that moves
		m.Put(MetricAccountEquity, equity, emf.None)
	}
	h.logger.InfoContext(ctx, "rebalance planned", slog.String("plan_id", res.PlanID),
		slog.Int("items", len(res.Plan.Items)), slog.Int("trades", res.Plan.Trades()), slog.Int("notes", len(res.Plan.Notes)))
	return nil
}

// MetricAccountEquity is the account equity each plan was sized on, for the dashboard.
const MetricAccountEquity = "AccountEquity"

// fail publishes StepFailed for err and returns nil, so the event is not retried.
func (h *Handler) fail(ctx context.Context, sig *v1.SignalGenerated, code string, err error) error {
	h.logger.WarnContext(ctx, "portfolio step failed", slog.String("code", code), slog.String("error", err.Error()))
	if perr := h.pub.Publish(ctx, stepFailed(sig, code, err, h.producer, h.now())); perr != nil {
		return fmt.Errorf("publish step failed (%s): %w", code, perr)
	}
	return nil
}
