package v1

import (
	"errors"
	"time"
)

// NotificationStatus is the headline of a workflow's email.
type NotificationStatus string

// The notification statuses.
const (
	StatusSuccess  NotificationStatus = "success"   // orders placed (all or partly filled)
	StatusNoTrades NotificationStatus = "no_trades" // the plan had nothing to trade
	StatusSkipped  NotificationStatus = "skipped"   // market closed or kill switch
	StatusDryRun   NotificationStatus = "dry_run"   // dry run or replay: nothing was sent to the broker
	StatusFailure  NotificationStatus = "failure"   // the workflow failed
)

func (NotificationStatus) enumValues() []string {
	return []string{string(StatusSuccess), string(StatusNoTrades), string(StatusSkipped), string(StatusDryRun), string(StatusFailure)}
}

// Severity grades an error notification.
type Severity string

// The severities.
const (
	SeverityCritical Severity = "critical"
	SeverityError    Severity = "error"
	SeverityWarning  Severity = "warning"
)

func (Severity) enumValues() []string {
	return []string{string(SeverityCritical), string(SeverityError), string(SeverityWarning)}
}

// TradingNotificationRequested asks the notifier for a workflow's one email. The orchestrator
// publishes exactly one per workflow, whatever its end. It carries everything the email shows.
type TradingNotificationRequested struct {
	Metadata
	Status NotificationStatus `json:"status"`
	// Outcome is the execution outcome, when execution ran.
	Outcome Outcome `json:"outcome,omitempty"`
	// Summary is the email's one-line summary.
	Summary string `json:"summary"`
	// AsOf is the market-data date of the signal.
	AsOf string `json:"as_of,omitempty"`
	// Target is the combined target allocation.
	Target []TargetWeight `json:"target"`
	// Strategies has each strategy's allocation and decision trace.
	Strategies []StrategySignal `json:"strategies"`
	// PlanID, Equity and Plan describe the rebalance plan, when one was made.
	PlanID string     `json:"plan_id,omitempty"`
	Equity *Decimal   `json:"equity,omitempty"`
	Plan   []PlanItem `json:"plan"`
	// Orders lists every order with its fills.
	Orders []OrderResult `json:"orders"`
	// Timeline lists the workflow's steps in order.
	Timeline  []TimelineEntry `json:"timeline"`
	StartedAt time.Time       `json:"started_at"`
	EndedAt   time.Time       `json:"ended_at"`
	// Reason explains a skipped run (market closed, kill switch) or a failure.
	Reason string `json:"reason,omitempty"`
	// Failure is set when Status is failure.
	Failure *Failure `json:"failure,omitempty"`
}

// TimelineEntry is one step of a workflow.
type TimelineEntry struct {
	At        time.Time  `json:"at"`
	Step      Step       `json:"step"`
	EventType DetailType `json:"event_type"`
	EventID   string     `json:"event_id"`
	// Note is a short description, such as "3 orders, 3 filled".
	Note string `json:"note,omitempty"`
}

// Failure describes why a workflow failed.
type Failure struct {
	Step   Step   `json:"step"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// DetailType returns TypeTradingNotificationRequested.
func (*TradingNotificationRequested) DetailType() DetailType {
	return TypeTradingNotificationRequested
}

// Source returns SourceOrchestrator.
func (*TradingNotificationRequested) Source() Source { return SourceOrchestrator }

// Validate checks that a failure says why.
func (e *TradingNotificationRequested) Validate() error {
	if e.Status == StatusFailure && e.Failure == nil {
		return fieldErr("failure", errors.New("required when status is \"failure\""))
	}
	if e.Status != StatusFailure && e.Failure != nil {
		return fieldErr("failure", errors.New("only allowed when status is \"failure\""))
	}
	return validateWeights("target", e.Target)
}

// ErrorNotificationRequested asks the notifier to report an error to the operators: the failure
// of a workflow (then it accompanies that workflow's TradingNotificationRequested, and the
// notifier folds it into the workflow's single email) or an error outside any workflow.
// Nothing ever emits one about another: see pkg/lambdaevent's circuit breaker.
type ErrorNotificationRequested struct {
	Metadata
	Severity Severity `json:"severity"`
	Step     Step     `json:"step"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	// Report is the detailed error report: what failed, the events seen, what to do.
	Report string `json:"report"`
}

// DetailType returns TypeErrorNotificationRequested.
func (*ErrorNotificationRequested) DetailType() DetailType { return TypeErrorNotificationRequested }

// Source returns SourceOrchestrator.
func (*ErrorNotificationRequested) Source() Source { return SourceOrchestrator }

// Validate checks that the message is given.
func (e *ErrorNotificationRequested) Validate() error {
	if e.Message == "" {
		return fieldErr("message", errors.New("empty"))
	}
	return nil
}
