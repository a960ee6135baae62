// Package app holds the orchestrator's use cases: start a workflow, record a step's event, and
// sweep for workflows that waited too long. It owns the exactly-once rule for terminal events:
// the terminal transition is decided by a conditional write to the store, so among concurrent
// deliveries only the one whose write succeeds publishes, and the events' IDs derive from the
// correlation ID, so a re-publish after a crash is deduplicated downstream.
package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"log/slog"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/services/orchestrator/internal/domain"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

// Store is the workflow store the app needs (see package store).
type Store interface {
	Create(ctx context.Context, r store.Record) error
	Get(ctx context.Context, correlationID string) (store.Record, error)
	Update(ctx context.Context, r store.Record) (store.Record, error)
	List(ctx context.Context, f store.Filter) ([]store.Record, error)
}

// Publisher publishes events to the bus.
type Publisher interface {
	Publish(ctx context.Context, events ...v1.Event) error
}

// Settings tune the orchestrator.
type Settings struct {
	// Producer names the service in its events.
	Producer string
	// Stage is dev, prod or local.
	Stage string
	// TradingMode is paper or live.
	TradingMode v1.TradingMode
	// Deadlines bound each step's wait.
	Deadlines domain.Deadlines
	// RepublishAfter is how long the sweep waits before publishing again a start or terminal
	// event whose publication a crash may have cut short.
	RepublishAfter time.Duration
	// Metrics receives the workflows' figures (completed, failed, duration); nil records none.
	Metrics *emf.Recorder
}

// The workflow figures, for the dashboard and the alarms.
const (
	MetricCompleted = "WorkflowsCompleted"
	MetricFailed    = "WorkflowsFailed"
	MetricDuration  = "WorkflowDurationMs"
)

// Orchestrator runs the use cases.
type Orchestrator struct {
	store  Store
	pub    Publisher
	now    func() time.Time
	newID  func() string
	cfg    Settings
	logger *slog.Logger
}

// New returns an Orchestrator. now is the clock and newID makes the correlation ID of a run
// that has no scheduled time.
func New(s Store, pub Publisher, now func() time.Time, newID func() string, cfg Settings, logger *slog.Logger) *Orchestrator {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Orchestrator{store: s, pub: pub, now: now, newID: newID, cfg: cfg, logger: logger}
}

// maxAttempts bounds the read-modify-write retries under contention.
const maxAttempts = 20

// ErrInvalidCommand marks a start command that breaks its contract; retrying cannot help.
var ErrInvalidCommand = errors.New("invalid start command")

// Mode is what a start command asks for.
type Mode string

// The modes.
const (
	ModeTrade  Mode = "trade"
	ModeDryRun Mode = "dry-run"
)

// StartCommand starts a workflow.
type StartCommand struct {
	Mode Mode
	// ScheduledFor is the schedule's firing time; runs with the same time and mode are one run.
	ScheduledFor *time.Time
	AsOf         string
	Trigger      v1.Trigger
	Strategies   string
}

// Validate checks the command and names the field at fault.
func (c StartCommand) Validate() error {
	var errs []error
	if c.Mode != ModeTrade && c.Mode != ModeDryRun {
		errs = append(errs, fmt.Errorf("mode %q: want \"trade\" or \"dry-run\"", c.Mode))
	}
	switch c.Trigger {
	case v1.TriggerSchedule, v1.TriggerManual, v1.TriggerCLI:
	default:
		errs = append(errs, fmt.Errorf("trigger %q: want \"schedule\", \"manual\" or \"cli\"", c.Trigger))
	}
	if c.Trigger == v1.TriggerSchedule && c.ScheduledFor == nil {
		errs = append(errs, errors.New("scheduled_for: required when trigger is \"schedule\""))
	}
	if c.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, c.AsOf); err != nil {
			errs = append(errs, fmt.Errorf("as_of %q: want a date YYYY-MM-DD", c.AsOf))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidCommand, err)
	}
	return nil
}

// CorrelationID returns the workflow's ID: derived from the scheduled time and mode when there
// is one, else fresh.
func (c StartCommand) CorrelationID(newID func() string) string {
	if c.ScheduledFor != nil {
		return v1.DeriveID("workflow", c.ScheduledFor.UTC().Format(time.RFC3339Nano), string(c.Mode))
	}
	return newID()
}

// StartResult says what Start did.
type StartResult struct {
	CorrelationID string `json:"correlation_id"`
	// Started is false when the workflow existed already: a second start is a no-op.
	Started bool `json:"started"`
}

// Start creates the workflow record and publishes WorkflowStarted. A second start for the same
// scheduled time and mode does nothing.
func (o *Orchestrator) Start(ctx context.Context, c StartCommand) (StartResult, error) {
	if err := c.Validate(); err != nil {
		return StartResult{}, err
	}
	id := c.CorrelationID(o.newID)
	ctx = logging.ContextWith(ctx, slog.String(logging.KeyCorrelationID, id))
	now := o.now().UTC()
	w := domain.New(id, domain.Start{
		Trigger: string(c.Trigger), ScheduledFor: c.ScheduledFor, AsOf: c.AsOf, Strategies: c.Strategies,
		Stage: o.cfg.Stage, TradingMode: string(o.cfg.TradingMode), DryRun: c.Mode == ModeDryRun,
	}, now)
	if err := o.store.Create(ctx, toRecord(w)); errors.Is(err, store.ErrConflict) {
		o.logger.InfoContext(ctx, "duplicate start ignored", "trigger", c.Trigger)
		return StartResult{CorrelationID: id}, nil
	} else if err != nil {
		return StartResult{}, fmt.Errorf("start workflow %s: %w", id, err)
	}
	if err := o.publishStart(ctx, w); err != nil {
		return StartResult{}, err
	}
	o.logger.InfoContext(ctx, "workflow started", "trigger", c.Trigger, "dry_run", w.Start.DryRun)
	return StartResult{CorrelationID: id, Started: true}, nil
}

func (o *Orchestrator) publishStart(ctx context.Context, w domain.Workflow) error {
	if err := o.pub.Publish(ctx, startedEvent(w, o.cfg.Producer)); err != nil {
		return fmt.Errorf("publish WorkflowStarted %s: %w", w.ID, err)
	}
	return o.mark(ctx, w.ID, func(r *store.Record) { r.StartPublished = true })
}

// Record applies a step's event to its workflow. A duplicate, or an event for a terminal
// workflow, changes nothing. If the event ends the workflow, the terminal events are published.
// An event for a workflow the store does not know (its start was lost) opens a record for it,
// so the sweep still brings it to an end.
func (o *Orchestrator) Record(ctx context.Context, meta v1.Metadata, f domain.Fact) error {
	for range maxAttempts {
		rec, err := o.store.Get(ctx, meta.CorrelationID)
		if errors.Is(err, store.ErrNotFound) {
			if err := o.adopt(ctx, meta); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("record %s: %w", meta.EventID, err)
		}
		w, changed := fromRecord(rec).Apply(f, o.now().UTC())
		if !changed {
			o.logger.DebugContext(ctx, "event changes nothing", "state", rec.State)
			return nil
		}
		saved, err := o.store.Update(ctx, toRecord(w))
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("record %s: %w", meta.EventID, err)
		}
		o.logger.InfoContext(ctx, "workflow moved", "state", saved.State, "version", saved.Version)
		if w.State.Terminal() {
			w.Version = saved.Version
			return o.publishTerminal(ctx, w)
		}
		return nil
	}
	return fmt.Errorf("record %s: %d conflicting writes in a row: %w", meta.EventID, maxAttempts, store.ErrConflict)
}

// adopt opens a record for a workflow known only from one of its events.
func (o *Orchestrator) adopt(ctx context.Context, meta v1.Metadata) error {
	now := o.now().UTC()
	w := domain.New(meta.CorrelationID, domain.Start{Stage: meta.Stage, TradingMode: string(meta.TradingMode), DryRun: meta.DryRun}, now)
	w.StartPublished = true // nothing of ours to publish: the run started elsewhere
	err := o.store.Create(ctx, toRecord(w))
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("open record for unknown workflow %s: %w", meta.CorrelationID, err)
	}
	o.logger.WarnContext(ctx, "event for an unknown workflow: record opened")
	return nil
}

// publishTerminal publishes the terminal events of w and records that it did.
func (o *Orchestrator) publishTerminal(ctx context.Context, w domain.Workflow) error {
	events, err := terminalEvents(w, o.cfg.Producer)
	if err != nil {
		return fmt.Errorf("build terminal events of %s: %w", w.ID, err)
	}
	if err := o.pub.Publish(ctx, events...); err != nil {
		return fmt.Errorf("publish terminal events of %s: %w", w.ID, err)
	}
	o.logger.InfoContext(ctx, "workflow ended", "state", w.State, "outcome", w.End.Outcome, "events", len(events))
	if err := o.mark(ctx, w.ID, func(r *store.Record) { r.TerminalPublished = true }); err != nil {
		return err
	}
	o.record(w)
	return nil
}

// record puts a finished workflow's figures and flushes them: the sweep ends workflows outside
// any event handler, so no middleware would flush them.
func (o *Orchestrator) record(w domain.Workflow) {
	m := o.cfg.Metrics
	if m == nil {
		return
	}
	name := MetricCompleted
	if w.State != domain.Completed {
		name = MetricFailed
	}
	m.Put(name, 1, emf.Count)
	if w.EndedAt != nil {
		m.Put(MetricDuration, float64(w.EndedAt.Sub(w.StartedAt).Microseconds())/1000, emf.Milliseconds)
	}
	_ = m.Flush() // metrics never fail the workflow
}

// mark sets a flag on the stored record, retrying on conflicts.
func (o *Orchestrator) mark(ctx context.Context, id string, set func(*store.Record)) error {
	for range maxAttempts {
		rec, err := o.store.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("mark workflow %s: %w", id, err)
		}
		set(&rec)
		if _, err = o.store.Update(ctx, rec); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("mark workflow %s: %w", id, err)
		}
	}
	return fmt.Errorf("mark workflow %s: %w", id, store.ErrConflict)
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Open        int `json:"open"`
	TimedOut    int `json:"timed_out"`
	Republished int `json:"republished"`
}

// Sweep fails every workflow that has waited for its current step past the step's deadline,
// publishing its terminal events, and publishes again the start or terminal events that a crash
// left unpublished. An error with one workflow does not stop the others.
func (o *Orchestrator) Sweep(ctx context.Context) (SweepResult, error) {
	recs, err := o.store.List(ctx, store.Filter{OpenOnly: true})
	if err != nil {
		return SweepResult{}, fmt.Errorf("sweep: %w", err)
	}
	res := SweepResult{Open: len(recs)}
	var errs []error
	for _, rec := range recs {
		wctx := logging.ContextWith(ctx, slog.String(logging.KeyCorrelationID, rec.CorrelationID))
		timedOut, republished, err := o.sweepOne(wctx, fromRecord(rec))
		if err != nil {
			errs = append(errs, err)
		}
		res.TimedOut += timedOut
		res.Republished += republished
	}
	return res, errors.Join(errs...)
}

func (o *Orchestrator) sweepOne(ctx context.Context, w domain.Workflow) (timedOut, republished int, err error) {
	now := o.now().UTC()
	if !w.StartPublished && now.Sub(w.StartedAt) > o.cfg.RepublishAfter {
		if w.State.Terminal() {
			err = o.mark(ctx, w.ID, func(r *store.Record) { r.StartPublished = true })
		} else {
			err = o.publishStart(ctx, w)
		}
		if err != nil {
			return 0, 0, err
		}
		republished++
	}
	if w.State.Terminal() {
		if !w.TerminalPublished && w.EndedAt != nil && now.Sub(*w.EndedAt) > o.cfg.RepublishAfter {
			if err := o.publishTerminal(ctx, w); err != nil {
				return 0, republished, err
			}
			republished++
		}
		return 0, republished, nil
	}
	expired, ok := w.Expire(now, o.cfg.Deadlines)
	if !ok {
		return 0, republished, nil
	}
	saved, err := o.store.Update(ctx, toRecord(expired))
	if errors.Is(err, store.ErrConflict) {
		return 0, republished, nil // it moved meanwhile; the next sweep looks again
	}
	if err != nil {
		return 0, republished, fmt.Errorf("time out workflow %s: %w", w.ID, err)
	}
	o.logger.WarnContext(ctx, "workflow timed out", "step", expired.End.Step, "reason", expired.End.Reason)
	expired.Version = saved.Version
	return 1, republished, o.publishTerminal(ctx, expired)
}
