package app

import (
	"github.com/alchemiser/alchemiser/services/orchestrator/internal/domain"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

var kindType = map[domain.Kind]string{
	domain.Signal:  "SignalGenerated",
	domain.Plan:    "RebalancePlanned",
	domain.Trade:   "TradeExecuted",
	domain.Failure: "StepFailed",
}

func kindOf(t string) domain.Kind {
	for k, name := range kindType {
		if name == t {
			return k
		}
	}
	return domain.Failure
}

// toRecord converts a workflow to its stored form.
func toRecord(w domain.Workflow) store.Record {
	r := store.Record{
		CorrelationID: w.ID, Version: w.Version, State: string(w.State),
		Trigger: w.Start.Trigger, ScheduledFor: w.Start.ScheduledFor, AsOf: w.Start.AsOf, Strategies: w.Start.Strategies,
		Stage: w.Start.Stage, TradingMode: w.Start.TradingMode, DryRun: w.Start.DryRun,
		StartedAt: w.StartedAt, UpdatedAt: w.UpdatedAt, EndedAt: w.EndedAt,
		StartPublished: w.StartPublished, TerminalPublished: w.TerminalPublished,
	}
	for _, f := range w.Facts {
		r.Events = append(r.Events, store.Event{EventID: f.EventID, Type: kindType[f.Kind], At: f.At, Payload: f.Payload,
			Outcome: f.Outcome, Step: f.Step, Code: f.Code, Reason: f.Reason})
	}
	if w.End != nil {
		r.Outcome, r.FailureStep, r.FailureCode, r.FailureReason = w.End.Outcome, w.End.Step, w.End.Code, w.End.Reason
	}
	return r
}

// fromRecord converts a stored record to a workflow.
func fromRecord(r store.Record) domain.Workflow {
	w := domain.Workflow{
		ID: r.CorrelationID, Version: r.Version, State: domain.State(r.State),
		Start: domain.Start{Trigger: r.Trigger, ScheduledFor: r.ScheduledFor, AsOf: r.AsOf, Strategies: r.Strategies,
			Stage: r.Stage, TradingMode: r.TradingMode, DryRun: r.DryRun},
		StartedAt: r.StartedAt, UpdatedAt: r.UpdatedAt, EndedAt: r.EndedAt,
		StartPublished: r.StartPublished, TerminalPublished: r.TerminalPublished,
	}
	for _, e := range r.Events {
		w.Facts = append(w.Facts, domain.Fact{EventID: e.EventID, Kind: kindOf(e.Type), At: e.At, Payload: e.Payload,
			Outcome: e.Outcome, Step: e.Step, Code: e.Code, Reason: e.Reason})
	}
	if w.State.Terminal() {
		w.End = &domain.End{Outcome: r.Outcome, Step: r.FailureStep, Code: r.FailureCode, Reason: r.FailureReason}
	}
	return w
}
