package v1

import (
	"errors"
	"time"
)

// Trigger says what started a workflow.
type Trigger string

// The triggers.
const (
	TriggerSchedule Trigger = "schedule"
	TriggerManual   Trigger = "manual"
	TriggerCLI      Trigger = "cli"
)

func (Trigger) enumValues() []string {
	return []string{string(TriggerSchedule), string(TriggerManual), string(TriggerCLI)}
}

// WorkflowStarted opens a workflow run. The orchestrator publishes it; the strategy service
// consumes it.
type WorkflowStarted struct {
	Metadata
	// Trigger says what started the run.
	Trigger Trigger `json:"trigger"`
	// ScheduledFor is the schedule's firing time, for scheduled runs. Two starts for the same
	// scheduled time are one workflow.
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	// AsOf pins the market-data date (YYYY-MM-DD) for a backdated or simulated run; empty means now.
	AsOf string `json:"as_of,omitempty"`
	// Strategies names the allocation file to evaluate; empty means the stage's default.
	Strategies string `json:"strategies,omitempty"`
}

// DetailType returns TypeWorkflowStarted.
func (*WorkflowStarted) DetailType() DetailType { return TypeWorkflowStarted }

// Source returns SourceOrchestrator.
func (*WorkflowStarted) Source() Source { return SourceOrchestrator }

// Validate checks the as-of date.
func (e *WorkflowStarted) Validate() error {
	if e.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, e.AsOf); err != nil {
			return fieldErr("as_of", errors.New("not a date of the form YYYY-MM-DD"))
		}
	}
	if e.Trigger == TriggerSchedule && e.ScheduledFor == nil {
		return fieldErr("scheduled_for", errors.New("required when trigger is \"schedule\""))
	}
	return nil
}
