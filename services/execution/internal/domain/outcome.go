package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Outcome is how a run ended.
type Outcome string

// The outcomes.
const (
	Success Outcome = "success"
	Partial Outcome = "partial"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
	DryRun  Outcome = "dry_run"
)

// ItemResult is what became of one plan item: the orders placed for it (one per leg, in leg
// order), or the reason it was refused before any order was sent.
type ItemResult struct {
	Item Item
	// ClientOrderID is the item's first client order ID, used to report a refusal.
	ClientOrderID string
	Legs          []Order
	// Refused is the guard's reason when no order was sent.
	Refused string
}

// Filled is the quantity filled over all legs.
func (r ItemResult) Filled() decimal.Decimal {
	f := decimal.Zero
	for _, o := range r.Legs {
		f = f.Add(o.FilledQty)
	}
	return f
}

// Complete reports whether the item was traded in full: its last leg filled, or its legs
// filled the requested quantity.
func (r ItemResult) Complete() bool {
	if r.Refused != "" || len(r.Legs) == 0 {
		return false
	}
	if r.Legs[len(r.Legs)-1].Status == StatusFilled {
		return true
	}
	return r.Item.ByQty() && r.Filled().GreaterThanOrEqual(r.Item.Qty)
}

// Orders lists every order of the results for the report: each leg, and one refused order per
// refused item.
func Orders(results []ItemResult) []Order {
	var out []Order
	for _, r := range results {
		if r.Refused != "" {
			out = append(out, Order{ClientOrderID: r.ClientOrderID, Symbol: r.Item.Symbol, Side: r.Item.Side,
				Qty: r.Item.Qty, Notional: r.Item.Notional, Status: StatusRefused, Error: r.Refused})
			continue
		}
		out = append(out, r.Legs...)
	}
	return out
}

// Summarise computes the outcome of a live run from its items: success when every item
// traded in full and none was refused or scaled down, failed when nothing filled at all,
// partial otherwise. notes (such as "buys scaled to 80%") make a run that would be a success a
// partial one and are added to the reason.
func Summarise(results []ItemResult, notes ...string) (Outcome, string) {
	complete, anyFill := 0, false
	var problems []string
	for _, r := range results {
		if r.Complete() {
			complete++
		}
		if r.Filled().IsPositive() {
			anyFill = true
		}
		if p := problem(r); p != "" {
			problems = append(problems, p)
		}
	}
	problems = append(problems, notes...)
	n := len(results)
	switch {
	case n == 0 && len(notes) == 0:
		return Success, ""
	case complete == n && len(notes) == 0:
		return Success, ""
	case !anyFill:
		return Failed, fmt.Sprintf("no order filled (%d of %d items): %s", n-complete, n, strings.Join(problems, "; "))
	}
	return Partial, fmt.Sprintf("%d of %d items filled in full: %s", complete, n, strings.Join(problems, "; "))
}

func problem(r ItemResult) string {
	if r.Refused != "" {
		return r.Refused
	}
	if r.Complete() {
		return ""
	}
	if len(r.Legs) == 0 {
		return fmt.Sprintf("%s: not placed", r.Item)
	}
	last := r.Legs[len(r.Legs)-1]
	s := fmt.Sprintf("%s: %s, filled %s", r.Item, last.Status, r.Filled())
	if last.Error != "" {
		s += " (" + last.Error + ")"
	}
	return s
}

// Report is the result of a run, whatever its mode.
type Report struct {
	Outcome Outcome
	Reason  string
	// NextOpen is set when the market was closed.
	NextOpen   *time.Time
	Orders     []Order
	StartedAt  time.Time
	FinishedAt time.Time
}
