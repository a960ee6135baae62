package v1

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// WeightTolerance is how far from 1 a list of target weights may sum: 0.000001.
var WeightTolerance = decimal.New(1, -6)

// SignalGenerated carries the target allocation of a workflow. The strategy service publishes
// it; the portfolio service and the orchestrator consume it.
type SignalGenerated struct {
	Metadata
	// AsOf is the date of the last close the strategies saw (YYYY-MM-DD).
	AsOf string `json:"as_of"`
	// Target is the combined target allocation. The weights sum to 1 within WeightTolerance; an
	// empty list means all cash.
	Target []TargetWeight `json:"target"`
	// Strategies has each strategy's own allocation and the reasons for it.
	Strategies []StrategySignal `json:"strategies"`
	// FailurePolicy says what happened to a failed strategy's weight: "fail" or "redistribute".
	FailurePolicy string `json:"failure_policy"`
}

// TargetWeight is one symbol's share of the portfolio.
type TargetWeight struct {
	Symbol string  `json:"symbol"`
	Weight Decimal `json:"weight"`
}

// StrategyStatus says whether a strategy evaluated.
type StrategyStatus string

// The strategy statuses.
const (
	StrategyOK     StrategyStatus = "ok"
	StrategyFailed StrategyStatus = "failed"
)

func (StrategyStatus) enumValues() []string {
	return []string{string(StrategyOK), string(StrategyFailed)}
}

// StrategySignal is one strategy's result.
type StrategySignal struct {
	// Name is the symphony's name.
	Name string `json:"name"`
	// File is the strategy file it came from.
	File string `json:"file"`
	// Weight is the strategy's share of the whole portfolio, after normalisation.
	Weight Decimal `json:"weight"`
	// Status is ok or failed.
	Status StrategyStatus `json:"status"`
	// Allocation is the strategy's own allocation, summing to 1 (empty when failed or all cash).
	Allocation []TargetWeight `json:"allocation"`
	// Trace is the decision path, one condition per line, such as
	// "rsi(SPY,10)=82.31 > 79 -> then".
	Trace []string `json:"trace"`
	// Error is why the strategy failed.
	Error string `json:"error,omitempty"`
	// RebalanceFrequency and RebalanceThreshold report the symphony's settings.
	RebalanceFrequency string   `json:"rebalance_frequency,omitempty"`
	RebalanceThreshold *Decimal `json:"rebalance_threshold,omitempty"`
}

// DetailType returns TypeSignalGenerated.
func (*SignalGenerated) DetailType() DetailType { return TypeSignalGenerated }

// Source returns SourceStrategy.
func (*SignalGenerated) Source() Source { return SourceStrategy }

// Validate checks the dates, symbols and that the weights sum to 1.
func (e *SignalGenerated) Validate() error {
	if _, err := time.Parse(time.DateOnly, e.AsOf); err != nil {
		return fieldErr("as_of", errors.New("not a date of the form YYYY-MM-DD"))
	}
	if err := validateWeights("target", e.Target); err != nil {
		return err
	}
	if e.FailurePolicy != "fail" && e.FailurePolicy != "redistribute" {
		return fieldErr("failure_policy", fmt.Errorf("%q is not one of \"fail\", \"redistribute\"", e.FailurePolicy))
	}
	for i, s := range e.Strategies {
		p := fmt.Sprintf("strategies[%d]", i)
		if s.Weight.IsNegative() {
			return fieldErr(p+".weight", errors.New("negative"))
		}
		if s.Status == StrategyOK {
			if err := validateWeights(p+".allocation", s.Allocation); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateWeights(path string, ws []TargetWeight) error {
	if len(ws) == 0 {
		return nil
	}
	sum := decimal.Zero
	seen := make(map[string]bool, len(ws))
	for i, w := range ws {
		p := fmt.Sprintf("%s[%d]", path, i)
		if w.Symbol == "" {
			return fieldErr(p+".symbol", errors.New("empty"))
		}
		if seen[w.Symbol] {
			return fieldErr(p+".symbol", fmt.Errorf("%s appears twice", w.Symbol))
		}
		seen[w.Symbol] = true
		if w.Weight.IsNegative() || w.Weight.GreaterThan(decimal.NewFromInt(1)) {
			return fieldErr(p+".weight", fmt.Errorf("%s is outside [0, 1]", w.Weight))
		}
		sum = sum.Add(w.Weight.Decimal)
	}
	if sum.Sub(decimal.NewFromInt(1)).Abs().GreaterThan(WeightTolerance) {
		return fieldErr(path, fmt.Errorf("weights sum to %s, want 1 within %s", sum, WeightTolerance))
	}
	return nil
}
