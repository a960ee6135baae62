// Package schedule holds the system's schedules and reads EventBridge Scheduler expressions.
//
// Definitions are the one source of the schedules: the CDK app turns each into an EventBridge
// Scheduler schedule, and the local scheduler fires the same definitions on this machine. Parse
// reads the three expression forms that EventBridge Scheduler accepts — rate(...), cron(...)
// and at(...) — and Next computes the next firing time in the schedule's time zone.
package schedule

import (
	"fmt"
	"strings"
	"time"
)

// ScheduledTimePlaceholder is EventBridge Scheduler's context attribute for the firing time. The
// scheduler replaces it in a target's input, in AWS and locally alike.
const ScheduledTimePlaceholder = "<aws.scheduler.scheduled-time>"

// Definition is one schedule: when it fires, and the input it hands to its target.
type Definition struct {
	// Name is unique per stage, such as "trading".
	Name string
	// Description says what the schedule is for.
	Description string
	// Expression is rate(...), cron(...) or at(...), as EventBridge Scheduler reads it.
	Expression string
	// TimeZone is an IANA zone for cron and at expressions, such as "America/New_York".
	TimeZone string
	// Target is the service invoked, always the orchestrator today.
	Target string
	// Input is the JSON handed to the target; ScheduledTimePlaceholder is replaced by the
	// firing time in RFC 3339.
	Input string
	// MaximumRetryAttempts and MaximumEventAgeSeconds are the target's retry policy.
	MaximumRetryAttempts   int
	MaximumEventAgeSeconds int
}

// Names of the schedules.
const (
	Trading = "trading"
	Sweep   = "sweep"
)

// ProductionTrading is the production trading schedule: 09:35 New York time, Monday to Friday.
const ProductionTrading = "cron(35 9 ? * MON-FRI *)"

// ForStage returns the schedules of a stage. tradingExpr overrides the trading schedule's
// expression where a stage configures its own (dev); empty keeps the production one.
func ForStage(stage, tradingExpr string) ([]Definition, error) {
	if tradingExpr == "" {
		tradingExpr = ProductionTrading
	}
	defs := []Definition{
		{
			Name:                   Trading,
			Description:            "Start a trading workflow.",
			Expression:             tradingExpr,
			TimeZone:               "America/New_York",
			Target:                 "orchestrator",
			Input:                  `{"mode":"trade","trigger":"schedule","scheduled_for":"` + ScheduledTimePlaceholder + `"}`,
			MaximumRetryAttempts:   3,
			MaximumEventAgeSeconds: 900,
		},
		{
			Name:                   Sweep,
			Description:            "Fail workflows that stopped making progress, so none hangs silently.",
			Expression:             "rate(1 minute)",
			TimeZone:               "UTC",
			Target:                 "orchestrator",
			Input:                  `{"sweep":true,"at":"` + ScheduledTimePlaceholder + `"}`,
			MaximumRetryAttempts:   0,
			MaximumEventAgeSeconds: 60,
		},
	}
	for _, d := range defs {
		if _, err := Parse(d.Expression, d.TimeZone); err != nil {
			return nil, fmt.Errorf("stage %s schedule %s: %w", stage, d.Name, err)
		}
	}
	return defs, nil
}

// DeployedName is the name a stage's schedule has when deployed: alchemiser-<stage>-<name>. The
// CDK app names the schedules so, and `alchemiser schedule pause|resume` finds them so.
func DeployedName(stage, name string) string { return "alchemiser-" + stage + "-" + name }

// InputAt returns the definition's input with the firing time filled in.
func (d Definition) InputAt(t time.Time) []byte {
	return []byte(strings.ReplaceAll(d.Input, ScheduledTimePlaceholder, t.UTC().Format(time.RFC3339)))
}
