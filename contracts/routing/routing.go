// Package routing is the one routing table of the system: which events reach which service,
// with what retry policy and dead-letter queue. The CDK app and the local bus both build their
// rules from Table; neither writes a pattern of its own.
package routing

import (
	"encoding/json"
	"fmt"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// Service names a bounded context that a rule delivers to.
type Service string

// The services.
const (
	Strategy     Service = "strategy"
	Portfolio    Service = "portfolio"
	Execution    Service = "execution"
	Orchestrator Service = "orchestrator"
	Notifier     Service = "notifier"
)

// Services lists every service in a stable order.
func Services() []Service {
	return []Service{Strategy, Portfolio, Execution, Orchestrator, Notifier}
}

// RetryPolicy is an EventBridge target's retry policy.
type RetryPolicy struct {
	// MaximumRetryAttempts is how many times a failed delivery is retried (AWS: 0 to 185).
	MaximumRetryAttempts int
	// MaximumEventAgeSeconds is how old an event may grow before it is dead-lettered (AWS: 60 to 86,400).
	MaximumEventAgeSeconds int
}

// Route is one rule: a pattern over sources and detail-types, and the service it delivers to.
type Route struct {
	// Name is the rule's name, unique within the bus.
	Name string
	// Description says what the rule is for.
	Description string
	// Sources and DetailTypes make the pattern; both come from the contract's constants.
	Sources     []v1.Source
	DetailTypes []v1.DetailType
	// Target is the service the rule invokes.
	Target Service
	// Retry is the target's retry policy.
	Retry RetryPolicy
	// DLQ is the name of the queue that receives events the target could not take.
	DLQ string
}

// Pattern returns the rule's EventBridge event pattern as JSON.
func (r Route) Pattern() []byte {
	p := map[string][]string{"source": {}, "detail-type": {}}
	for _, s := range r.Sources {
		p["source"] = append(p["source"], string(s))
	}
	for _, t := range r.DetailTypes {
		p["detail-type"] = append(p["detail-type"], string(t))
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("routing: marshal pattern of %s: %v", r.Name, err)) // unreachable: a map of strings
	}
	return b
}

// defaultRetry is a short policy: the workflow is time-bound, so an event hours old is useless.
var defaultRetry = RetryPolicy{MaximumRetryAttempts: 8, MaximumEventAgeSeconds: 3600}

// Table returns the routing table.
func Table() []Route {
	return []Route{
		{
			Name:        "strategy-on-workflow-started",
			Description: "A started workflow asks the strategy service for a signal.",
			Sources:     []v1.Source{v1.SourceOrchestrator},
			DetailTypes: []v1.DetailType{v1.TypeWorkflowStarted},
			Target:      Strategy, Retry: defaultRetry, DLQ: "strategy-dlq",
		},
		{
			Name:        "portfolio-on-signal-generated",
			Description: "A signal asks the portfolio service for a rebalance plan.",
			Sources:     []v1.Source{v1.SourceStrategy},
			DetailTypes: []v1.DetailType{v1.TypeSignalGenerated},
			Target:      Portfolio, Retry: defaultRetry, DLQ: "portfolio-dlq",
		},
		{
			Name:        "execution-on-rebalance-planned",
			Description: "A plan asks the execution service to trade it.",
			Sources:     []v1.Source{v1.SourcePortfolio},
			DetailTypes: []v1.DetailType{v1.TypeRebalancePlanned},
			Target:      Execution, Retry: defaultRetry, DLQ: "execution-dlq",
		},
		{
			Name:        "orchestrator-on-progress",
			Description: "Every step's result and failure moves the workflow record on.",
			Sources:     []v1.Source{v1.SourceStrategy, v1.SourcePortfolio, v1.SourceExecution},
			DetailTypes: []v1.DetailType{v1.TypeSignalGenerated, v1.TypeRebalancePlanned, v1.TypeTradeExecuted, v1.TypeStepFailed},
			Target:      Orchestrator, Retry: defaultRetry, DLQ: "orchestrator-dlq",
		},
		{
			Name:        "notifier-on-notification-requested",
			Description: "Notification requests become email.",
			Sources:     []v1.Source{v1.SourceOrchestrator},
			DetailTypes: []v1.DetailType{v1.TypeTradingNotificationRequested, v1.TypeErrorNotificationRequested},
			Target:      Notifier, Retry: defaultRetry, DLQ: "notifier-dlq",
		},
	}
}

// Consumers says, for each detail-type, which services are meant to receive it. The routing
// test checks that the table delivers exactly this and nothing else.
func Consumers() map[v1.DetailType][]Service {
	return map[v1.DetailType][]Service{
		v1.TypeWorkflowStarted:              {Strategy},
		v1.TypeSignalGenerated:              {Portfolio, Orchestrator},
		v1.TypeRebalancePlanned:             {Execution, Orchestrator},
		v1.TypeTradeExecuted:                {Orchestrator},
		v1.TypeStepFailed:                   {Orchestrator},
		v1.TypeWorkflowCompleted:            {},
		v1.TypeWorkflowFailed:               {},
		v1.TypeTradingNotificationRequested: {Notifier},
		v1.TypeErrorNotificationRequested:   {Notifier},
	}
}
