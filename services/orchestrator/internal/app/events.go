package app

import (
	"fmt"
	"sort"
	"strings"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/services/orchestrator/internal/domain"
)

// meta returns the metadata of the workflow's event of type t. The event ID derives from the
// correlation ID, so the same workflow always gives the same IDs.
func meta(w domain.Workflow, t v1.DetailType, cause, producer string, at time.Time) v1.Metadata {
	return v1.Metadata{
		EventType: t, EventID: v1.DeriveEventID(w.ID, t), CorrelationID: w.ID, CausationID: cause,
		SchemaVersion: v1.SchemaVersion, OccurredAt: at.UTC(), Producer: producer, Stage: w.Start.Stage,
		TradingMode: v1.TradingMode(w.Start.TradingMode), DryRun: w.Start.DryRun,
	}
}

// startedEvent is the workflow's WorkflowStarted.
func startedEvent(w domain.Workflow, producer string) *v1.WorkflowStarted {
	return &v1.WorkflowStarted{
		Metadata: meta(w, v1.TypeWorkflowStarted, w.ID, producer, w.StartedAt),
		Trigger:  v1.Trigger(w.Start.Trigger), ScheduledFor: w.Start.ScheduledFor, AsOf: w.Start.AsOf, Strategies: w.Start.Strategies,
	}
}

// facts are a workflow's events, decoded.
type facts struct {
	signal *v1.SignalGenerated
	plan   *v1.RebalancePlanned
	trade  *v1.TradeExecuted
}

func decodeFacts(w domain.Workflow) (facts, error) {
	var out facts
	for _, f := range w.Facts {
		if len(f.Payload) == 0 || f.Kind == domain.Failure {
			continue
		}
		ev, _, err := v1.DecodeDetail(f.Payload)
		if err != nil {
			return facts{}, fmt.Errorf("decode stored event %s: %w", f.EventID, err)
		}
		switch e := ev.(type) {
		case *v1.SignalGenerated:
			out.signal = e
		case *v1.RebalancePlanned:
			out.plan = e
		case *v1.TradeExecuted:
			out.trade = e
		}
	}
	return out, nil
}

// lastCause is the ID of the last event the workflow saw, or its own ID.
func lastCause(w domain.Workflow) string {
	if n := len(w.Facts); n > 0 {
		return w.Facts[n-1].EventID
	}
	return w.ID
}

// terminalEvents builds the events of a terminal workflow: WorkflowCompleted or WorkflowFailed,
// an ErrorNotificationRequested for a failure, and its one TradingNotificationRequested.
func terminalEvents(w domain.Workflow, producer string) ([]v1.Event, error) {
	if !w.State.Terminal() || w.End == nil || w.EndedAt == nil {
		return nil, fmt.Errorf("workflow %s is %s, not terminal", w.ID, w.State)
	}
	fs, err := decodeFacts(w)
	if err != nil {
		return nil, err
	}
	cause, end := lastCause(w), *w.EndedAt
	placed, filled := 0, 0
	if fs.trade != nil {
		for _, o := range fs.trade.Orders {
			if o.Status != "refused" && o.Status != "simulated" {
				placed++
			}
			if o.FilledQty.IsPositive() {
				filled++
			}
		}
	}
	var events []v1.Event
	if w.State == domain.Completed {
		events = append(events, &v1.WorkflowCompleted{
			Metadata: meta(w, v1.TypeWorkflowCompleted, cause, producer, end),
			Outcome:  v1.Outcome(w.End.Outcome), StartedAt: w.StartedAt, CompletedAt: end,
			DurationMS: end.Sub(w.StartedAt).Milliseconds(), OrdersPlaced: placed, OrdersFilled: filled,
		})
	} else {
		events = append(events,
			&v1.WorkflowFailed{
				Metadata: meta(w, v1.TypeWorkflowFailed, cause, producer, end),
				Step:     v1.Step(w.End.Step), Code: w.End.Code, Reason: w.End.Reason, StartedAt: w.StartedAt, FailedAt: end,
			},
			&v1.ErrorNotificationRequested{
				Metadata: meta(w, v1.TypeErrorNotificationRequested, cause, producer, end),
				Severity: severity(w.End), Step: v1.Step(w.End.Step), Code: w.End.Code,
				Message: fmt.Sprintf("workflow %s failed at %s: %s", w.ID, w.End.Step, w.End.Reason),
				Report:  report(w),
			})
	}
	events = append(events, notification(w, fs, cause, producer, placed, filled))
	return events, nil
}

// severity grades a failure: a failure during execution may have left orders half done.
func severity(e *domain.End) v1.Severity {
	if e.Step == domain.StepExecution {
		return v1.SeverityCritical
	}
	return v1.SeverityError
}

// report is the operator's error report of a failed workflow.
func report(w domain.Workflow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Workflow %s failed at step %s (code %s).\n", w.ID, w.End.Step, w.End.Code)
	fmt.Fprintf(&b, "Reason: %s\n", w.End.Reason)
	fmt.Fprintf(&b, "Stage: %s, mode: %s, dry run: %t, trigger: %s\n", w.Start.Stage, w.Start.TradingMode, w.Start.DryRun, orDash(w.Start.Trigger))
	fmt.Fprintf(&b, "Started: %s, failed: %s\n", w.StartedAt.Format(time.RFC3339), w.EndedAt.Format(time.RFC3339))
	b.WriteString("Events seen:\n")
	if len(w.Facts) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, f := range w.Facts {
		fmt.Fprintf(&b, "  %s %s %s\n", f.At.Format(time.RFC3339), kindType[f.Kind], f.EventID)
	}
	if w.End.Code == domain.TimeoutCode {
		fmt.Fprintf(&b, "What to do: check the %s service's logs and its dead-letter queue for this correlation ID.\n", w.End.Step)
	} else {
		fmt.Fprintf(&b, "What to do: fix the cause reported by the %s service, then start a new run.\n", w.End.Step)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// notification builds the workflow's one TradingNotificationRequested.
func notification(w domain.Workflow, fs facts, cause, producer string, placed, filled int) *v1.TradingNotificationRequested {
	n := &v1.TradingNotificationRequested{
		Metadata:  meta(w, v1.TypeTradingNotificationRequested, cause, producer, *w.EndedAt),
		StartedAt: w.StartedAt, EndedAt: *w.EndedAt, AsOf: w.Start.AsOf,
		Target: []v1.TargetWeight{}, Strategies: []v1.StrategySignal{}, Plan: []v1.PlanItem{}, Orders: []v1.OrderResult{},
		Timeline: timeline(w, fs),
	}
	if fs.signal != nil {
		n.AsOf, n.Target, n.Strategies = fs.signal.AsOf, fs.signal.Target, fs.signal.Strategies
	}
	if fs.plan != nil {
		eq := fs.plan.Equity
		n.PlanID, n.Equity, n.Plan = fs.plan.PlanID, &eq, fs.plan.Items
	}
	if fs.trade != nil {
		n.Outcome, n.Orders = fs.trade.Outcome, fs.trade.Orders
	}
	mode := strings.ToUpper(w.Start.TradingMode)
	switch {
	case w.State == domain.Failed:
		n.Status = v1.StatusFailure
		n.Failure = &v1.Failure{Step: v1.Step(w.End.Step), Code: w.End.Code, Reason: w.End.Reason}
		n.Reason = w.End.Reason
		n.Summary = fmt.Sprintf("%s run failed at %s: %s", mode, w.End.Step, w.End.Reason)
	case fs.trade != nil && fs.trade.Outcome == v1.OutcomeFailed:
		n.Status = v1.StatusFailure
		n.Failure = &v1.Failure{Step: v1.StepExecution, Code: "orders_failed", Reason: orText(fs.trade.Reason, "no order could be filled")}
		n.Reason = n.Failure.Reason
		n.Summary = fmt.Sprintf("%s run: %d orders, %d filled: %s", mode, len(fs.trade.Orders), filled, n.Reason)
	case w.Start.DryRun || (fs.trade != nil && fs.trade.Outcome == v1.OutcomeDryRun):
		n.Status = v1.StatusDryRun
		n.Summary = fmt.Sprintf("Dry run: %d orders simulated, nothing sent to the broker", len(n.Orders))
	case fs.trade != nil && fs.trade.Outcome == v1.OutcomeSkipped:
		n.Status = v1.StatusSkipped
		n.Reason = orText(fs.trade.Reason, "execution skipped the run")
		n.Summary = fmt.Sprintf("%s run skipped: %s", mode, n.Reason)
	case len(n.Orders) == 0:
		n.Status = v1.StatusNoTrades
		n.Summary = fmt.Sprintf("%s run: 0 orders, the portfolio already matches the target", mode)
	default:
		n.Status = v1.StatusSuccess
		n.Summary = fmt.Sprintf("%s run: %d orders placed, %d filled (%s)", mode, placed, filled, n.Outcome)
	}
	return n
}

func orText(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// timeline lists the start, each fact in the order recorded, and the end.
func timeline(w domain.Workflow, fs facts) []v1.TimelineEntry {
	out := []v1.TimelineEntry{{At: w.StartedAt, Step: v1.StepOrchestrator, EventType: v1.TypeWorkflowStarted,
		EventID: v1.DeriveEventID(w.ID, v1.TypeWorkflowStarted), Note: "trigger " + orDash(w.Start.Trigger)}}
	seen := append([]domain.Fact(nil), w.Facts...)
	sort.SliceStable(seen, func(i, j int) bool { return seen[i].At.Before(seen[j].At) })
	for _, f := range seen {
		e := v1.TimelineEntry{At: f.At, EventType: v1.DetailType(kindType[f.Kind]), EventID: f.EventID}
		switch f.Kind {
		case domain.Signal:
			e.Step = v1.StepStrategy
			if fs.signal != nil {
				e.Note = fmt.Sprintf("%d symbols from %d strategies, as of %s", len(fs.signal.Target), len(fs.signal.Strategies), fs.signal.AsOf)
			}
		case domain.Plan:
			e.Step = v1.StepPortfolio
			if fs.plan != nil {
				trades := 0
				for _, it := range fs.plan.Items {
					if it.Action != v1.ActionHold {
						trades++
					}
				}
				e.Note = fmt.Sprintf("%d trades planned", trades)
			}
		case domain.Trade:
			e.Step, e.Note = v1.StepExecution, "outcome "+f.Outcome
			if fs.trade != nil {
				e.Note = fmt.Sprintf("%d orders, outcome %s", len(fs.trade.Orders), f.Outcome)
			}
		case domain.Failure:
			e.Step, e.Note = v1.Step(f.Step), f.Code+": "+f.Reason
		}
		out = append(out, e)
	}
	if w.End != nil && w.EndedAt != nil {
		t := v1.TypeWorkflowCompleted
		note := "outcome " + w.End.Outcome
		if w.State == domain.Failed {
			t, note = v1.TypeWorkflowFailed, w.End.Code+": "+w.End.Reason
		}
		out = append(out, v1.TimelineEntry{At: *w.EndedAt, Step: v1.StepOrchestrator, EventType: t, EventID: v1.DeriveEventID(w.ID, t), Note: note})
	}
	return out
}
