package domain_test

import (
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// A plan's orders get client order IDs derived from the workflow, the plan, the symbol, the
// side and the leg, so every delivery of the plan names the same orders.
func ExampleClientOrderID() {
	tag := domain.PlanTag(domain.DefaultPrefix, "6f1c2a4e-8d1b-5c3e-9a7f-0b2d4e6f8a1c", "plan-3b9d1f0c2a6e")
	id := domain.ClientOrderID(tag, domain.OrderKey{Symbol: "TQQQ", Side: domain.Buy, Leg: 0})
	fmt.Println(id, len(id) <= domain.MaxClientOrderIDLen)
	k, _ := domain.ParseClientOrderID(tag, id)
	fmt.Println(k.Symbol, k.Side, k.Leg)
	// Output:
	// alch-fc5db3193825f8e2-TQQQ-b-0 true
	// TQQQ buy 0
}

// The guards run before any order: a closed market skips the run and says when it opens.
func ExampleDecide() {
	next := time.Date(2026, 11, 30, 14, 30, 0, 0, time.UTC)
	d := domain.Decide(domain.GuardInput{Clock: domain.MarketClock{IsOpen: false, NextOpen: next}})
	fmt.Println(d.Mode == domain.ModeSkip, d.Reason)
	// Output: true market closed; next open 2026-11-30T14:30:00Z; no order was sent
}
