package v1

import (
	"errors"
	"time"
)

// WorkflowCompleted is the terminal event of a workflow that ran to its end, whatever the trades'
// outcome. The orchestrator publishes exactly one per workflow, or a WorkflowFailed instead.
type WorkflowCompleted struct {
	Metadata
	Outcome     Outcome   `json:"outcome"`
	StartedAt   time.Time `json:"started_at"`
	CompletedAt time.Time `json:"completed_at"`
	// DurationMS is CompletedAt less StartedAt, in milliseconds.
	DurationMS   int64 `json:"duration_ms"`
	OrdersPlaced int   `json:"orders_placed"`
	OrdersFilled int   `json:"orders_filled"`
}

// DetailType returns TypeWorkflowCompleted.
func (*WorkflowCompleted) DetailType() DetailType { return TypeWorkflowCompleted }

// Source returns SourceOrchestrator.
func (*WorkflowCompleted) Source() Source { return SourceOrchestrator }

// Validate checks the counts and times.
func (e *WorkflowCompleted) Validate() error {
	if e.OrdersPlaced < 0 || e.OrdersFilled < 0 {
		return fieldErr("orders_placed", errors.New("negative"))
	}
	if e.CompletedAt.Before(e.StartedAt) {
		return fieldErr("completed_at", errors.New("before started_at"))
	}
	return nil
}

// WorkflowFailed is the terminal event of a workflow that could not finish.
type WorkflowFailed struct {
	Metadata
	// Step is where it failed.
	Step Step `json:"step"`
	// Code is a short machine-readable cause, such as "timeout" or "strategy_invalid".
	Code string `json:"code"`
	// Reason is the human-readable cause, such as "timed out waiting for SignalGenerated".
	Reason    string    `json:"reason"`
	StartedAt time.Time `json:"started_at"`
	FailedAt  time.Time `json:"failed_at"`
}

// DetailType returns TypeWorkflowFailed.
func (*WorkflowFailed) DetailType() DetailType { return TypeWorkflowFailed }

// Source returns SourceOrchestrator.
func (*WorkflowFailed) Source() Source { return SourceOrchestrator }

// Validate checks that the cause is given.
func (e *WorkflowFailed) Validate() error {
	if e.Code == "" {
		return fieldErr("code", errors.New("empty"))
	}
	if e.Reason == "" {
		return fieldErr("reason", errors.New("empty"))
	}
	return nil
}
