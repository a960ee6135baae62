// Package handler adapts Lambda invocations to the orchestrator's use cases. The function takes
// three kinds of payload: the start command ({"mode": ...}), the sweep command ({"sweep": true})
// and the step events routed to it (SignalGenerated, RebalancePlanned, TradeExecuted,
// StepFailed), which go through the shared lambdaevent.Router.
package handler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/services/orchestrator/internal/app"
	"github.com/alchemiser/alchemiser/services/orchestrator/internal/domain"
)

// Orchestrator is the app the handler calls.
type Orchestrator interface {
	Start(ctx context.Context, c app.StartCommand) (app.StartResult, error)
	Record(ctx context.Context, meta v1.Metadata, f domain.Fact) error
	Sweep(ctx context.Context) (app.SweepResult, error)
}

var _ Orchestrator = (*app.Orchestrator)(nil)

// Events handles the step events; register OnEvent on the router for each routed type.
type Events struct{ app Orchestrator }

// NewEvents returns the event handler.
func NewEvents(a Orchestrator) *Events { return &Events{app: a} }

// RoutedTypes are the detail-types the orchestrator consumes.
var RoutedTypes = []v1.DetailType{v1.TypeSignalGenerated, v1.TypeRebalancePlanned, v1.TypeTradeExecuted, v1.TypeStepFailed}

// OnEvent records a step's event in its workflow.
func (h *Events) OnEvent(ctx context.Context, msg lambdaevent.Message) error {
	f, err := toFact(msg.Event)
	if err != nil {
		return lambdaevent.Permanent(err)
	}
	return h.app.Record(ctx, *msg.Event.Meta(), f)
}

// toFact converts a step event to a domain fact.
func toFact(e v1.Event) (domain.Fact, error) {
	payload, err := v1.Marshal(e)
	if err != nil {
		return domain.Fact{}, err
	}
	f := domain.Fact{EventID: e.Meta().EventID, Payload: payload}
	switch ev := e.(type) {
	case *v1.SignalGenerated:
		f.Kind = domain.Signal
	case *v1.RebalancePlanned:
		f.Kind = domain.Plan
	case *v1.TradeExecuted:
		f.Kind, f.Outcome = domain.Trade, string(ev.Outcome)
	case *v1.StepFailed:
		f.Kind, f.Step, f.Code, f.Reason, f.Payload = domain.Failure, string(ev.Step), ev.Code, ev.Reason, nil
	default:
		return domain.Fact{}, fmt.Errorf("orchestrator does not consume %s", e.DetailType())
	}
	return f, nil
}

// Function is the orchestrator's Lambda handler: it runs commands itself and passes events to
// the router. It implements lambda.Handler.
type Function struct {
	app    Orchestrator
	router *lambdaevent.Router
	logger *slog.Logger
}

// NewFunction returns the Lambda handler.
func NewFunction(a Orchestrator, router *lambdaevent.Router, logger *slog.Logger) *Function {
	return &Function{app: a, router: router, logger: logger}
}

// startCommand is the start command's JSON form.
type startCommand struct {
	Mode         string     `json:"mode"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	AsOf         string     `json:"as_of,omitempty"`
	Trigger      string     `json:"trigger,omitempty"`
	Strategies   string     `json:"strategies,omitempty"`
}

type sweepCommand struct {
	Sweep bool `json:"sweep"`
}

// Invoke implements lambda.Handler.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	switch kindOf(payload) {
	case kindSweep:
		var c sweepCommand
		if err := strictDecode(payload, &c); err != nil || !c.Sweep {
			return nil, f.reject(ctx, fmt.Errorf("decode sweep command: want {\"sweep\": true}: %v", err))
		}
		res, err := f.app.Sweep(ctx)
		if err != nil {
			f.logger.ErrorContext(ctx, "sweep failed", "error", err)
			return nil, err
		}
		f.logger.InfoContext(ctx, "sweep done", "open", res.Open, "timed_out", res.TimedOut, "republished", res.Republished)
		return json.Marshal(res)
	case kindStart:
		c, err := toStartCommand(payload)
		if err != nil {
			return nil, f.reject(ctx, err)
		}
		res, err := f.app.Start(ctx, c)
		if errors.Is(err, app.ErrInvalidCommand) {
			return nil, f.reject(ctx, err)
		}
		if err != nil {
			f.logger.ErrorContext(ctx, "start failed", "error", err)
			return nil, err
		}
		return json.Marshal(res)
	}
	return f.router.Invoke(ctx, payload)
}

func (f *Function) reject(ctx context.Context, err error) error {
	err = lambdaevent.Permanent(err)
	f.logger.ErrorContext(ctx, "rejected command", "error", err)
	return err
}

type kind int

const (
	kindEvent kind = iota
	kindStart
	kindSweep
)

// kindOf tells a command from an event by its top-level keys: events carry event_type or an
// EventBridge detail-type; commands carry mode or sweep.
func kindOf(payload []byte) kind {
	var top map[string]json.RawMessage
	if json.Unmarshal(payload, &top) != nil {
		return kindEvent // the router reports the decoding error
	}
	if _, ok := top["event_type"]; ok {
		return kindEvent
	}
	if _, ok := top["detail-type"]; ok {
		return kindEvent
	}
	if _, ok := top["sweep"]; ok {
		return kindSweep
	}
	if _, ok := top["mode"]; ok {
		return kindStart
	}
	return kindEvent
}

// toStartCommand decodes and converts a start command. Unknown fields are refused, so a typo
// such as "dryrun" fails loudly instead of starting a trading run.
func toStartCommand(payload []byte) (app.StartCommand, error) {
	var c startCommand
	if err := strictDecode(payload, &c); err != nil {
		return app.StartCommand{}, fmt.Errorf("%w: %w", app.ErrInvalidCommand, err)
	}
	trigger := v1.Trigger(c.Trigger)
	if trigger == "" {
		trigger = v1.TriggerManual
		if c.ScheduledFor != nil {
			trigger = v1.TriggerSchedule
		}
	}
	return app.StartCommand{Mode: app.Mode(c.Mode), ScheduledFor: c.ScheduledFor, AsOf: c.AsOf, Trigger: trigger, Strategies: c.Strategies}, nil
}

func strictDecode(payload []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode command: %w", err)
	}
	return nil
}
