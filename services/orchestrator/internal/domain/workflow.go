// Package domain is the orchestrator's workflow state machine. It is pure: the time, the IDs and
// the facts come in as values.
//
// A workflow's state is derived from the set of facts it has seen, not from the order they came
// in: a TradeExecuted that arrives before its RebalancePlanned is recorded, the state says
// Executed, and the workflow completes when the missing fact arrives. A fact seen twice changes
// nothing, and once a workflow is Completed or Failed nothing changes it again.
package domain

import (
	"fmt"
	"time"
)

// State is where a workflow stands.
type State string

// The states. Completed and Failed are terminal.
const (
	Started   State = "Started"
	Signalled State = "Signalled"
	Planned   State = "Planned"
	Executed  State = "Executed"
	Completed State = "Completed"
	Failed    State = "Failed"
)

// Terminal reports whether s is Completed or Failed.
func (s State) Terminal() bool { return s == Completed || s == Failed }

// Kind is what a fact reports.
type Kind int

// The kinds of fact, in workflow order.
const (
	Signal  Kind = iota // the strategy's SignalGenerated
	Plan                // the portfolio's RebalancePlanned
	Trade               // the execution's TradeExecuted
	Failure             // a StepFailed from any service
)

// The steps that a workflow waits on, named as the contract names them.
const (
	StepStrategy  = "strategy"
	StepPortfolio = "portfolio"
	StepExecution = "execution"
)

// progress lists the facts of a successful run, with the step that produces each and the event
// it arrives as.
var progress = []struct {
	kind  Kind
	step  string
	event string
	state State
}{
	{Signal, StepStrategy, "SignalGenerated", Signalled},
	{Plan, StepPortfolio, "RebalancePlanned", Planned},
	{Trade, StepExecution, "TradeExecuted", Executed},
}

// Fact is one event a workflow has seen.
type Fact struct {
	EventID string
	Kind    Kind
	// At is when the orchestrator recorded it.
	At time.Time
	// Payload is the event itself, kept for the notification; the domain does not read it.
	Payload []byte
	// Outcome is the execution outcome, for a Trade.
	Outcome string
	// Step, Code and Reason describe a Failure.
	Step, Code, Reason string
}

// Start is what the start command asked for.
type Start struct {
	Trigger      string
	ScheduledFor *time.Time
	AsOf         string
	Strategies   string
	Stage        string
	TradingMode  string
	DryRun       bool
}

// End is how a workflow ended.
type End struct {
	// Outcome is the execution outcome when Completed, "failed" when Failed.
	Outcome string
	// Step, Code and Reason say why it Failed.
	Step, Code, Reason string
}

// Workflow is one run, identified by its correlation ID.
type Workflow struct {
	ID        string
	Start     Start
	State     State
	StartedAt time.Time
	// UpdatedAt is the time of the last progress.
	UpdatedAt time.Time
	EndedAt   *time.Time
	Facts     []Fact
	End       *End
	// Version is the store's version of the record the workflow was read from.
	Version int64
	// StartPublished and TerminalPublished say the bus accepted WorkflowStarted and the
	// terminal events.
	StartPublished, TerminalPublished bool
}

// New returns a workflow that has just started.
func New(id string, start Start, now time.Time) Workflow {
	return Workflow{ID: id, Start: start, State: Started, StartedAt: now, UpdatedAt: now}
}

// Seen reports whether the workflow has recorded the event.
func (w Workflow) Seen(eventID string) bool {
	for _, f := range w.Facts {
		if f.EventID == eventID {
			return true
		}
	}
	return false
}

// Fact returns the first fact of kind k.
func (w Workflow) Fact(k Kind) (Fact, bool) {
	for _, f := range w.Facts {
		if f.Kind == k {
			return f, true
		}
	}
	return Fact{}, false
}

// Apply records f at now and returns the new workflow, and whether anything changed. A fact
// already seen, and any fact for a terminal workflow, change nothing. When the facts complete
// the run (or report a failure) the workflow becomes terminal here.
func (w Workflow) Apply(f Fact, now time.Time) (Workflow, bool) {
	if w.State.Terminal() || w.Seen(f.EventID) {
		return w, false
	}
	f.At = now
	w.Facts = append(append([]Fact(nil), w.Facts...), f)
	w.UpdatedAt = now
	w.State = derive(w.Facts)
	switch {
	case f.Kind == Failure:
		return w.terminate(Failed, End{Outcome: "failed", Step: f.Step, Code: f.Code, Reason: f.Reason}, now), true
	case w.complete():
		t, _ := w.Fact(Trade)
		return w.terminate(Completed, End{Outcome: t.Outcome}, now), true
	}
	return w, true
}

// derive is the furthest step of a successful run that the facts show.
func derive(facts []Fact) State {
	s := Started
	for _, p := range progress {
		for _, f := range facts {
			if f.Kind == p.kind {
				s = p.state
			}
		}
	}
	return s
}

// complete reports whether every fact of a successful run has been seen.
func (w Workflow) complete() bool {
	for _, p := range progress {
		if _, ok := w.Fact(p.kind); !ok {
			return false
		}
	}
	return true
}

// WaitingFor returns the step and event the workflow waits for: the first of a successful run's
// facts not seen yet. ok is false for a terminal workflow.
func (w Workflow) WaitingFor() (step, event string, ok bool) {
	if w.State.Terminal() {
		return "", "", false
	}
	for _, p := range progress {
		if _, seen := w.Fact(p.kind); !seen {
			return p.step, p.event, true
		}
	}
	return "", "", false
}

// Deadlines says how long a workflow may wait, since its last progress, for each step.
type Deadlines struct {
	Strategy, Portfolio, Execution time.Duration
}

// For returns the deadline of step.
func (d Deadlines) For(step string) time.Duration {
	switch step {
	case StepStrategy:
		return d.Strategy
	case StepPortfolio:
		return d.Portfolio
	default:
		return d.Execution
	}
}

// Validate checks that every deadline is positive.
func (d Deadlines) Validate() error {
	if d.Strategy <= 0 || d.Portfolio <= 0 || d.Execution <= 0 {
		return fmt.Errorf("deadlines %v/%v/%v: each must be positive", d.Strategy, d.Portfolio, d.Execution)
	}
	return nil
}

// TimeoutCode is the failure code of a workflow that waited too long.
const TimeoutCode = "timeout"

// Expire fails the workflow if it has waited for its current step longer than that step's
// deadline, and reports whether it did.
func (w Workflow) Expire(now time.Time, d Deadlines) (Workflow, bool) {
	step, event, ok := w.WaitingFor()
	if !ok || now.Sub(w.UpdatedAt) <= d.For(step) {
		return w, false
	}
	return w.terminate(Failed, End{Outcome: "failed", Step: step, Code: TimeoutCode,
		Reason: fmt.Sprintf("timed out waiting for %s after %s", event, d.For(step))}, now), true
}

func (w Workflow) terminate(s State, e End, now time.Time) Workflow {
	w.State = s
	w.End = &e
	w.EndedAt = &now
	w.UpdatedAt = now
	return w
}
