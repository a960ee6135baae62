package v1

import "errors"

// StepFailed is how a service reports a failure that retrying will not fix, such as a bad
// strategy file. The service publishes it instead of retrying; the orchestrator turns it into
// WorkflowFailed and the notifications. It was added beside the list because a service
// must not emit the workflow's terminal event itself: only the orchestrator decides that, once.
type StepFailed struct {
	Metadata
	Step Step `json:"step"`
	// Code is a short machine-readable cause, such as "strategy_invalid" or "no_data".
	Code string `json:"code"`
	// Reason is the human-readable cause.
	Reason string `json:"reason"`
}

// DetailType returns TypeStepFailed.
func (*StepFailed) DetailType() DetailType { return TypeStepFailed }

// Source is the source of the failing service; StepFailed is the one event every context may
// publish, so Source reads it from the metadata's producer step.
func (e *StepFailed) Source() Source { return sourceOfStep(e.Step) }

// Validate checks that the reason is given.
func (e *StepFailed) Validate() error {
	if e.Code == "" {
		return fieldErr("code", errors.New("empty"))
	}
	if e.Reason == "" {
		return fieldErr("reason", errors.New("empty"))
	}
	return nil
}

func sourceOfStep(s Step) Source {
	switch s {
	case StepStrategy:
		return SourceStrategy
	case StepPortfolio:
		return SourcePortfolio
	case StepExecution:
		return SourceExecution
	case StepNotifier:
		return SourceNotifier
	default:
		return SourceOrchestrator
	}
}
