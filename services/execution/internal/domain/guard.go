package domain

import (
	"fmt"
	"time"
)

// Mode is how a run goes: live, simulated, or not at all.
type Mode int

// The modes.
const (
	// ModeLive sends orders to the broker.
	ModeLive Mode = iota
	// ModeDryRun prices the orders against quotes and sends nothing.
	ModeDryRun
	// ModeSkip sends nothing and simulates nothing.
	ModeSkip
)

// GuardInput is what the guards look at before any order is sent.
type GuardInput struct {
	// DryRun is the workflow's dry_run flag.
	DryRun bool
	// ReplayName is the EventBridge replay that delivered the event, if any.
	ReplayName string
	// KillSwitch is the configuration flag that stops all order placement.
	KillSwitch bool
	// Clock is the broker's market clock.
	Clock MarketClock
}

// Decision is what the guards decided.
type Decision struct {
	Mode Mode
	// Reason says why the run is not live.
	Reason string
	// NextOpen is set when the run was skipped because the market is closed.
	NextOpen *time.Time
}

// Decide applies the guards in order: a replay or a dry run is simulated (it never trades,
// whatever else holds); the kill switch skips; a closed market skips with the next open.
func Decide(in GuardInput) Decision {
	switch {
	case in.ReplayName != "":
		return Decision{Mode: ModeDryRun, Reason: fmt.Sprintf("dry run: event replayed by %q; no order was sent", in.ReplayName)}
	case in.DryRun:
		return Decision{Mode: ModeDryRun, Reason: "dry run: the workflow is marked dry_run; no order was sent"}
	case in.KillSwitch:
		return Decision{Mode: ModeSkip, Reason: "kill switch is on (EXECUTION_KILL_SWITCH); no order was sent"}
	case !in.Clock.IsOpen:
		next := in.Clock.NextOpen.UTC()
		return Decision{Mode: ModeSkip, NextOpen: &next,
			Reason: fmt.Sprintf("market closed; next open %s; no order was sent", next.Format(time.RFC3339))}
	}
	return Decision{Mode: ModeLive}
}
