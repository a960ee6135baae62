// Package sentstoretest is the contract suite of the notifier's sent-email store.
package sentstoretest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/services/notifier/sentstore"
)

// Run runs the contract suite; newStore returns a fresh, empty store for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) sentstore.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	const lease = time.Minute

	t.Run("claim, complete, then claims fail with ErrSent", func(t *testing.T) {
		s := newStore(t)
		if err := s.Claim(ctx, "k", t0, lease); err != nil {
			t.Fatal(err)
		}
		if err := s.Complete(ctx, "k", "<m@x>", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.Claim(ctx, "k", t0.Add(time.Hour), lease); !errors.Is(err, sentstore.ErrSent) {
			t.Fatalf("claim after send: %v, want ErrSent", err)
		}
		r, err := s.Get(ctx, "k")
		if err != nil || !r.Sent || r.MessageID != "<m@x>" || !r.SentAt.Equal(t0) {
			t.Fatalf("record %+v, %v", r, err)
		}
	})

	t.Run("a live claim blocks, an expired one is taken over", func(t *testing.T) {
		s := newStore(t)
		if err := s.Claim(ctx, "k", t0, lease); err != nil {
			t.Fatal(err)
		}
		if err := s.Claim(ctx, "k", t0.Add(lease/2), lease); !errors.Is(err, sentstore.ErrClaimed) {
			t.Fatalf("second claim: %v, want ErrClaimed", err)
		}
		if err := s.Claim(ctx, "k", t0.Add(lease+time.Second), lease); err != nil {
			t.Fatalf("claim after expiry: %v", err)
		}
	})

	t.Run("release lets a retry claim", func(t *testing.T) {
		s := newStore(t)
		if err := s.Claim(ctx, "k", t0, lease); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if err := s.Claim(ctx, "k", t0, lease); err != nil {
			t.Fatalf("claim after release: %v", err)
		}
	})

	t.Run("get missing is not found", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, sentstore.ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
	})

	t.Run("a report is kept beside any claim state", func(t *testing.T) {
		s := newStore(t)
		if err := s.SaveReport(ctx, "k", "boom"); err != nil {
			t.Fatal(err)
		}
		if err := s.Claim(ctx, "k", t0, lease); err != nil {
			t.Fatalf("claim after report: %v", err)
		}
		if err := s.Complete(ctx, "k", "<m@x>", t0); err != nil {
			t.Fatal(err)
		}
		r, _ := s.Get(ctx, "k")
		if r.Report != "boom" || !r.Sent {
			t.Fatalf("record %+v", r)
		}
	})

	t.Run("concurrent claims: exactly one wins", func(t *testing.T) {
		s := newStore(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Claim(ctx, "k", t0, lease); err == nil {
					wins.Add(1)
				} else if !errors.Is(err, sentstore.ErrClaimed) {
					t.Errorf("claim: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d claims won, want 1", wins.Load())
		}
	})
}
