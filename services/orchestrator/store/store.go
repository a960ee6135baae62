// Package store is the orchestrator's workflow store: the Store port, the Record it keeps per
// correlation ID, and two implementations, in memory and SQLite. Writes are conditional on a
// version number (optimistic concurrency), so concurrent or duplicate deliveries cannot corrupt a
// record: of two writers that read the same version, one wins and the other gets ErrConflict and
// reads again. Package storetest is the contract suite every implementation passes (the DynamoDB
// adapter included).
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Errors of the store.
var (
	// ErrNotFound means no record has the correlation ID.
	ErrNotFound = errors.New("workflow not found")
	// ErrConflict means the record changed since it was read (or already exists, for Create).
	ErrConflict = errors.New("workflow changed concurrently")
)

// The states a record can be in. Completed and Failed are terminal.
const (
	StateStarted   = "Started"
	StateSignalled = "Signalled"
	StatePlanned   = "Planned"
	StateExecuted  = "Executed"
	StateCompleted = "Completed"
	StateFailed    = "Failed"
)

// Record is the durable state of one workflow run.
type Record struct {
	CorrelationID string `json:"correlation_id"`
	// Version is 1 after Create and grows by one with each Update.
	Version int64  `json:"version"`
	State   string `json:"state"`

	Trigger      string     `json:"trigger"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	AsOf         string     `json:"as_of,omitempty"`
	Strategies   string     `json:"strategies,omitempty"`
	Stage        string     `json:"stage"`
	TradingMode  string     `json:"trading_mode"`
	DryRun       bool       `json:"dry_run"`

	StartedAt time.Time `json:"started_at"`
	// UpdatedAt is the time of the last progress: a new fact or the terminal transition.
	UpdatedAt time.Time  `json:"updated_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`

	// Events lists every event seen, in the order seen, with its payload.
	Events []Event `json:"events"`

	// Outcome is the terminal outcome: an execution outcome for Completed, "failed" for Failed.
	Outcome       string `json:"outcome,omitempty"`
	FailureStep   string `json:"failure_step,omitempty"`
	FailureCode   string `json:"failure_code,omitempty"`
	FailureReason string `json:"failure_reason,omitempty"`

	// StartPublished and TerminalPublished record that WorkflowStarted and the terminal events
	// were accepted by the bus; the sweep publishes them again if a crash left them unsent.
	StartPublished    bool `json:"start_published"`
	TerminalPublished bool `json:"terminal_published"`
}

// Event is one event a workflow has seen.
type Event struct {
	EventID string `json:"event_id"`
	Type    string `json:"event_type"`
	// At is when the orchestrator recorded it.
	At time.Time `json:"at"`
	// Payload is the event's JSON detail, for the notification.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Outcome is a TradeExecuted's outcome.
	Outcome string `json:"outcome,omitempty"`
	// Step, Code and Reason are a StepFailed's.
	Step   string `json:"step,omitempty"`
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Terminal reports whether the state is Completed or Failed.
func (r Record) Terminal() bool { return r.State == StateCompleted || r.State == StateFailed }

// Open reports whether the sweep must look at the record: it is not terminal, or a start or
// terminal publication is outstanding.
func (r Record) Open() bool { return !r.Terminal() || !r.StartPublished || !r.TerminalPublished }

// Filter selects records for List.
type Filter struct {
	// State, when set, keeps records in that state.
	State string
	// Since, when set, keeps records started at or after it.
	Since time.Time
	// OpenOnly keeps the records Open reports true for (the sweep's work).
	OpenOnly bool
	// Limit caps the result; 0 means no cap.
	Limit int
}

// Store keeps workflow records.
type Store interface {
	// Create stores r at version 1. It returns ErrConflict if the correlation ID exists.
	Create(ctx context.Context, r Record) error
	// Get returns the record, or ErrNotFound.
	Get(ctx context.Context, correlationID string) (Record, error)
	// Update stores r if the stored version is still r.Version, and returns it with the new
	// version (r.Version+1). It returns ErrConflict if the version moved and ErrNotFound if
	// there is no record.
	Update(ctx context.Context, r Record) (Record, error)
	// List returns the records that match f, newest start first.
	List(ctx context.Context, f Filter) ([]Record, error)
}

// Match reports whether r passes f (ignoring Limit); implementations may use it.
func (f Filter) Match(r Record) bool {
	if f.State != "" && r.State != f.State {
		return false
	}
	if !f.Since.IsZero() && r.StartedAt.Before(f.Since) {
		return false
	}
	if f.OpenOnly && !r.Open() {
		return false
	}
	return true
}
