package handler

import (
	"fmt"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// toRequest converts the event into an evaluation request at now.
func toRequest(ev *v1.WorkflowStarted, set *symphony.Set, now time.Time) (strategy.Request, error) {
	req := strategy.Request{Set: set, Now: now}
	if ev.AsOf != "" {
		d, err := time.Parse(time.DateOnly, ev.AsOf)
		if err != nil {
			return req, fmt.Errorf("as_of %q: not a date of the form YYYY-MM-DD", ev.AsOf)
		}
		req.AsOf = d
	}
	return req, nil
}

// toSignal converts a result into the event. Its ID derives from the WorkflowStarted's, so a
// retried run publishes the same event; a replay gets its own ID.
func toSignal(ev *v1.WorkflowStarted, res *symphony.Result, producer, replayName string, now time.Time) (*v1.SignalGenerated, error) {
	meta := v1.NewMetadata(v1.TypeSignalGenerated, &ev.Metadata, producer, now)
	if replayName != "" {
		meta.EventID = v1.DeriveID(ev.EventID, string(v1.TypeSignalGenerated), "replay", replayName)
	}
	out := &v1.SignalGenerated{Metadata: meta, AsOf: res.AsOf.Format(time.DateOnly),
		Target: toWeights(res.Weights), FailurePolicy: string(res.Policy)}
	for _, s := range res.Strategies {
		sig := v1.StrategySignal{Name: s.Name, File: s.File, Weight: v1.D(s.Weight), Status: v1.StrategyOK,
			Allocation: toWeights(s.Allocation), Trace: s.Trace, RebalanceFrequency: string(s.Rebalance.Frequency)}
		if sig.Trace == nil {
			sig.Trace = []string{}
		}
		if s.Rebalance.HasThreshold {
			t := v1.D(s.Rebalance.Threshold)
			sig.RebalanceThreshold = &t
		}
		if s.Err != nil {
			sig.Status, sig.Error = v1.StrategyFailed, s.Err.Error()
		}
		out.Strategies = append(out.Strategies, sig)
	}
	if err := out.Validate(); err != nil {
		return nil, fmt.Errorf("build SignalGenerated: %w", err)
	}
	return out, nil
}

func toWeights(a symphony.Allocation) []v1.TargetWeight {
	out := make([]v1.TargetWeight, len(a))
	for i, w := range a {
		out[i] = v1.TargetWeight{Symbol: w.Symbol, Weight: v1.D(w.Weight)}
	}
	return out
}
