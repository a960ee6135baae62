package store_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

// Two writers read version 1; the first update wins, the second gets ErrConflict and must read
// again.
func Example() {
	ctx := context.Background()
	s := store.NewMemory()
	t0 := time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)
	_ = s.Create(ctx, store.Record{CorrelationID: "wf-1", State: store.StateStarted, StartedAt: t0, UpdatedAt: t0})

	a, _ := s.Get(ctx, "wf-1")
	b, _ := s.Get(ctx, "wf-1")
	a.State = store.StateSignalled
	saved, err := s.Update(ctx, a)
	fmt.Println(saved.State, saved.Version, err)
	b.State = store.StateFailed
	_, err = s.Update(ctx, b)
	fmt.Println(errors.Is(err, store.ErrConflict))
	// Output:
	// Signalled 2 <nil>
	// true
}
