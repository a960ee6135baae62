package v1

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// SchemaVersion is the version of every event defined in this package. A new optional field
// raises the minor version; anything else is a new package (v2).
const SchemaVersion = "1.0.0"

// Major is the major schema version that this package decodes.
const Major = 1

// Source is an EventBridge `source`: which bounded context published the event.
type Source string

// The sources. Publishers and rules both use these constants, so a rule can never wait for a
// source that no publisher uses.
const (
	SourceOrchestrator Source = "alchemiser.orchestrator"
	SourceStrategy     Source = "alchemiser.strategy"
	SourcePortfolio    Source = "alchemiser.portfolio"
	SourceExecution    Source = "alchemiser.execution"
	SourceNotifier     Source = "alchemiser.notifier"
)

// Sources lists every source in a stable order.
func Sources() []Source {
	return []Source{SourceOrchestrator, SourceStrategy, SourcePortfolio, SourceExecution, SourceNotifier}
}

// DetailType is an EventBridge `detail-type`: the name of the event.
type DetailType string

// The detail types, one per event.
const (
	TypeWorkflowStarted              DetailType = "WorkflowStarted"
	TypeSignalGenerated              DetailType = "SignalGenerated"
	TypeRebalancePlanned             DetailType = "RebalancePlanned"
	TypeTradeExecuted                DetailType = "TradeExecuted"
	TypeStepFailed                   DetailType = "StepFailed"
	TypeWorkflowCompleted            DetailType = "WorkflowCompleted"
	TypeWorkflowFailed               DetailType = "WorkflowFailed"
	TypeTradingNotificationRequested DetailType = "TradingNotificationRequested"
	TypeErrorNotificationRequested   DetailType = "ErrorNotificationRequested"
)

// TradingMode says which Alpaca account an event concerns.
type TradingMode string

// The trading modes. Live needs two explicit opt-ins (see pkg/alpaca).
const (
	ModePaper TradingMode = "paper"
	ModeLive  TradingMode = "live"
)

func (TradingMode) enumValues() []string { return []string{string(ModePaper), string(ModeLive)} }

// Step names a stage of the workflow, for failures and timelines.
type Step string

// The workflow steps.
const (
	StepOrchestrator Step = "orchestrator"
	StepStrategy     Step = "strategy"
	StepPortfolio    Step = "portfolio"
	StepExecution    Step = "execution"
	StepNotifier     Step = "notifier"
)

func (Step) enumValues() []string {
	return []string{string(StepOrchestrator), string(StepStrategy), string(StepPortfolio), string(StepExecution), string(StepNotifier)}
}

// Metadata is carried by every event, flattened into its top level.
type Metadata struct {
	// EventType repeats the detail-type, so a bare payload (an SQS message, a DLQ entry, a log line)
	// says what it is.
	EventType DetailType `json:"event_type"`
	// EventID is unique per event. Producers that may be retried derive it with DeriveEventID, so a
	// handler that runs twice emits the same IDs and consumers deduplicate.
	EventID string `json:"event_id"`
	// CorrelationID is one per workflow run.
	CorrelationID string `json:"correlation_id"`
	// CausationID is the EventID of the event (or command) that caused this one.
	CausationID string `json:"causation_id"`
	// SchemaVersion is the semantic version of the event's schema, "1.0.0" for this package.
	SchemaVersion string `json:"schema_version"`
	// OccurredAt is when the producer made the event, in UTC.
	OccurredAt time.Time `json:"occurred_at"`
	// Producer names the service (and build) that made the event.
	Producer string `json:"producer"`
	// Stage is the deployment stage: dev, prod or local.
	Stage string `json:"stage"`
	// TradingMode is paper or live.
	TradingMode TradingMode `json:"trading_mode"`
	// DryRun marks a workflow that must not place, cancel or close anything.
	DryRun bool `json:"dry_run"`
}

// Meta returns the metadata itself; every event type embeds Metadata and so has this method.
func (m *Metadata) Meta() *Metadata { return m }

// Event is implemented by every event type of this package.
type Event interface {
	// DetailType is the EventBridge detail-type of the event.
	DetailType() DetailType
	// Source is the EventBridge source that publishes the event.
	Source() Source
	// Meta gives access to the event's metadata.
	Meta() *Metadata
	// Validate checks the rules that JSON types alone cannot say, such as weights summing to 1.
	Validate() error
}

// DeriveEventID returns a deterministic event ID for the event of type t caused by the event or
// command with ID cause, so a producer that is retried emits the same ID again. The ID has the
// form of a UUID.
func DeriveEventID(cause string, t DetailType) string {
	return deriveID(cause, string(t))
}

// DeriveID returns a deterministic UUID-shaped ID from its parts, for correlation IDs and other
// identifiers that must be the same when a step is repeated.
func DeriveID(parts ...string) string { return deriveID(parts...) }

func deriveID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s|", len(p), p)
	}
	sum := h.Sum(nil)
	sum[6] = (sum[6] & 0x0f) | 0x50 // version 5-like: name based
	sum[8] = (sum[8] & 0x3f) | 0x80 // RFC 4122 variant
	b := hex.EncodeToString(sum[:16])
	return b[0:8] + "-" + b[8:12] + "-" + b[12:16] + "-" + b[16:20] + "-" + b[20:32]
}

// NewMetadata returns metadata for an event of type t caused by the event cause. The event ID is
// derived from the cause, so the result is the same each time the same cause is handled.
func NewMetadata(t DetailType, cause *Metadata, producer string, now time.Time) Metadata {
	return Metadata{
		EventType:     t,
		EventID:       DeriveEventID(cause.EventID, t),
		CorrelationID: cause.CorrelationID,
		CausationID:   cause.EventID,
		SchemaVersion: SchemaVersion,
		OccurredAt:    now.UTC(),
		Producer:      producer,
		Stage:         cause.Stage,
		TradingMode:   cause.TradingMode,
		DryRun:        cause.DryRun,
	}
}
