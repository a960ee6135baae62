// Package storetest is the contract suite of the orchestrator's workflow store. Every Store
// implementation runs it: the in-memory one, SQLite and the DynamoDB adapter.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

// Run runs the contract suite. newStore returns a fresh, empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)
	rec := func(id string, started time.Time) store.Record {
		return store.Record{CorrelationID: id, State: store.StateStarted, Trigger: "schedule", Stage: "local",
			TradingMode: "paper", StartedAt: started, UpdatedAt: started}
	}

	t.Run("create then get round-trips at version 1", func(t *testing.T) {
		s := newStore(t)
		r := rec("wf-1", t0)
		sf := t0.Add(-time.Minute)
		r.ScheduledFor = &sf
		r.Events = []store.Event{{EventID: "e1", Type: "WorkflowStarted", At: t0, Payload: json.RawMessage(`{"a":1}`)}}
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "wf-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || got.State != store.StateStarted || !got.StartedAt.Equal(t0) || got.ScheduledFor == nil || !got.ScheduledFor.Equal(sf) {
			t.Errorf("got %+v", got)
		}
		if len(got.Events) != 1 || got.Events[0].EventID != "e1" || string(got.Events[0].Payload) != `{"a":1}` {
			t.Errorf("events %+v", got.Events)
		}
	})

	t.Run("create twice conflicts", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, rec("wf-1", t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, rec("wf-1", t0)); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second create: %v, want ErrConflict", err)
		}
	})

	t.Run("get missing is not found", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
		if _, err := s.Update(ctx, rec("nope", t0)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update missing: %v, want ErrNotFound", err)
		}
	})

	t.Run("update is conditional on the version", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, rec("wf-1", t0)); err != nil {
			t.Fatal(err)
		}
		r, _ := s.Get(ctx, "wf-1")
		r.State = store.StateSignalled
		r2, err := s.Update(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if r2.Version != 2 {
			t.Errorf("version %d, want 2", r2.Version)
		}
		r.State = store.StatePlanned // stale: still version 1
		if _, err := s.Update(ctx, r); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale update: %v, want ErrConflict", err)
		}
		got, _ := s.Get(ctx, "wf-1")
		if got.State != store.StateSignalled || got.Version != 2 {
			t.Errorf("got %s v%d", got.State, got.Version)
		}
	})

	t.Run("concurrent updates from one version: exactly one wins", func(t *testing.T) {
		s := newStore(t)
		if err := s.Create(ctx, rec("wf-1", t0)); err != nil {
			t.Fatal(err)
		}
		base, _ := s.Get(ctx, "wf-1")
		const n = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := base
				r.State = store.StateFailed
				r.FailureReason = fmt.Sprint(i)
				if _, err := s.Update(ctx, r); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !errors.Is(err, store.ErrConflict) {
					t.Errorf("update: %v", err)
				}
			}(i)
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d updates won, want 1", wins)
		}
	})

	t.Run("list filters and orders newest first", func(t *testing.T) {
		s := newStore(t)
		for i, st := range []string{store.StateStarted, store.StateCompleted, store.StateFailed} {
			r := rec(fmt.Sprintf("wf-%d", i), t0.Add(time.Duration(i)*time.Hour))
			if err := s.Create(ctx, r); err != nil {
				t.Fatal(err)
			}
			r, _ = s.Get(ctx, r.CorrelationID)
			r.State = st
			r.StartPublished, r.TerminalPublished = true, st != store.StateStarted
			if _, err := s.Update(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(rs []store.Record) string {
			var out []string
			for _, r := range rs {
				out = append(out, r.CorrelationID)
			}
			return fmt.Sprint(out)
		}
		cases := []struct {
			f    store.Filter
			want string
		}{
			{store.Filter{}, "[wf-2 wf-1 wf-0]"},
			{store.Filter{State: store.StateCompleted}, "[wf-1]"},
			{store.Filter{Since: t0.Add(time.Hour)}, "[wf-2 wf-1]"},
			{store.Filter{OpenOnly: true}, "[wf-0]"},
			{store.Filter{Limit: 2}, "[wf-2 wf-1]"},
		}
		for _, c := range cases {
			got, err := s.List(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != c.want {
				t.Errorf("List(%+v) = %s, want %s", c.f, ids(got), c.want)
			}
		}
	})

	t.Run("returned records do not alias the store", func(t *testing.T) {
		s := newStore(t)
		r := rec("wf-1", t0)
		r.Events = []store.Event{{EventID: "e1", Type: "X", At: t0}}
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Get(ctx, "wf-1")
		got.Events[0].EventID = "changed"
		again, _ := s.Get(ctx, "wf-1")
		if again.Events[0].EventID != "e1" {
			t.Error("a change to a returned record reached the store")
		}
	})
}
